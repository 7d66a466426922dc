"""The project's own AWS-style icons: a category (with AWS's category colour) and a glyph per node
type, plus draw.io's AWS 4 shape for the mxGraph export.

A node's kind comes from its Cloudcraft `type`, else from its CloudFormation `awsType` (service
prefix), else it is generic. Glyphs are white strokes in a 32 x 32 box, drawn on a tile of the
category colour; every renderer reads only these tables, never a string from the document.
"""
from __future__ import annotations

# Category: (colour, label). AWS Architecture Icons' category colours.
CATEGORIES: dict[str, tuple[str, str]] = {
    "compute": ("#ED7100", "Compute"),
    "containers": ("#ED7100", "Containers"),
    "storage": ("#7AA116", "Storage"),
    "database": ("#3B48CC", "Database"),
    "networking": ("#8C4FFF", "Networking"),
    "integration": ("#E7157B", "Application integration"),
    "management": ("#E7157B", "Management"),
    "security": ("#DD344C", "Security"),
    "analytics": ("#8C4FFF", "Analytics"),
    "generic": ("#7D8998", "Other"),
}

# Glyphs: SVG path data, 32 x 32 box, stroked white (fill none).
GLYPHS: dict[str, str] = {
    "chip": "M10 10h12v12h-12zM13 6v4M16 6v4M19 6v4M13 22v4M16 22v4M19 22v4M6 13h4M6 16h4M6 19h4"
            "M22 13h4M22 16h4M22 19h4",
    "lambda": "M9 25l7-12M11 7h4l8 18h3",
    "container": "M7 11l9-4 9 4v10l-9 4-9-4zM7 11l9 4 9-4M16 15v10",
    "bucket": "M7 9h18l-2 15c-1 2-13 2-14 0zM7 9c0 3 18 3 18 0",
    "volume": "M8 8h16v16h-16zM8 13h16M8 19h16",
    "files": "M9 7h10l4 4v14h-14zM19 7v4h4M12 15h8M12 19h8",
    "cylinder": "M8 9c0-4 16-4 16 0v14c0 4-16 4-16 0zM8 9c0 4 16 4 16 0M8 16c0 4 16 4 16 0",
    "cache": "M16 6l8 5v10l-8 5-8-5v-10zM12 15l3 3 6-6",
    "balancer": "M16 6a10 10 0 1 0 0.01 0zM8 16h5M16 16l8-6M16 16h8M16 16l8 6M13 16h3",
    "gateway": "M6 16h20M20 10l6 6-6 6M12 10l-6 6 6 6",
    "globe": "M16 6a10 10 0 1 0 0.01 0zM6 16h20M16 6c-5 6-5 14 0 20M16 6c5 6 5 14 0 20",
    "network": "M7 7h18v18h-18zM7 7l6 6M25 7l-6 6M13 13h6v6h-6zM7 25l6-6M25 25l-6-6",
    "queue": "M6 10h20v12h-20zM11 10v12M16 10v12M21 10v12",
    "topic": "M8 12h4l8-5v18l-8-5h-4zM23 12c2 2 2 6 0 8",
    "events": "M16 6l3 7h7l-6 4 2 8-6-5-6 5 2-8-6-4h7z",
    "api": "M11 9c-3 0-3 2-3 4s-2 3-2 3 2 1 2 3 0 4 3 4M21 9c3 0 3 2 3 4s2 3 2 3-2 1-2 3 0 4-3 4M13 16h6",
    "stream": "M6 11c4-4 8 4 12 0s6-2 8 0M6 17c4-4 8 4 12 0s6-2 8 0M6 23c4-4 8 4 12 0s6-2 8 0",
    "search": "M14 6a8 8 0 1 0 0.01 0zM20 20l6 6",
    "shield": "M16 6l9 3v6c0 6-4 10-9 12-5-2-9-6-9-12v-6z",
    "key": "M11 11a5 5 0 1 0 0.01 0zM15 15l10 10M21 21l3-3M23 23l2-2",
    "gauge": "M7 22a9 9 0 1 1 18 0M16 22l5-7M7 22h18",
    "chart": "M7 25h18M9 25v-7M14 25v-12M19 25v-9M24 25v-15",
    "mail": "M6 9h20v14h-20zM6 9l10 8 10-8",
    "scale": "M9 9h14v14h-14zM5 16h3M24 16h3M16 5v3M16 24v3",
    "generic": "M8 8h16v16h-16zM12 12h8v8h-8z",
}

# Cloudcraft node type: (category, glyph, draw.io AWS 4 style fragment).
_RES = "shape=mxgraph.aws4.resourceIcon;resIcon=mxgraph.aws4."
TYPES: dict[str, tuple[str, str, str]] = {
    "ec2": ("compute", "chip", _RES + "ec2"),
    "lambda": ("compute", "lambda", _RES + "lambda"),
    "asg": ("compute", "scale", _RES + "auto_scaling2"),
    "autoscaling": ("compute", "scale", _RES + "auto_scaling2"),
    "batch": ("compute", "chip", _RES + "batch"),
    "elasticbeanstalk": ("compute", "chip", _RES + "elastic_beanstalk"),
    "launchtemplate": ("compute", "files", _RES + "ec2"),
    "ecs": ("containers", "container", _RES + "ecs"),
    "ecscluster": ("containers", "container", _RES + "ecs"),
    "ecsservice": ("containers", "container", "shape=mxgraph.aws4.ecs_service"),
    "ecstask": ("containers", "container", "shape=mxgraph.aws4.ecs_task"),
    "eks": ("containers", "container", _RES + "eks"),
    "ekscluster": ("containers", "container", _RES + "eks"),
    "eksnodegroup": ("containers", "container", _RES + "eks"),
    "ecr": ("containers", "container", _RES + "ecr"),
    "fargate": ("containers", "container", _RES + "fargate"),
    "s3": ("storage", "bucket", _RES + "s3"),
    "ebs": ("storage", "volume", _RES + "elastic_block_store"),
    "efs": ("storage", "files", _RES + "elastic_file_system"),
    "efsmounttarget": ("storage", "files", _RES + "elastic_file_system"),
    "fsx": ("storage", "files", _RES + "fsx"),
    "glacier": ("storage", "bucket", _RES + "glacier"),
    "backup": ("storage", "files", _RES + "backup"),
    "rds": ("database", "cylinder", _RES + "rds"),
    "aurora": ("database", "cylinder", _RES + "aurora"),
    "dynamodb": ("database", "cylinder", _RES + "dynamodb"),
    "elasticache": ("database", "cache", _RES + "elasticache"),
    "redshift": ("analytics", "chart", _RES + "redshift"),
    "neptune": ("database", "cylinder", _RES + "neptune"),
    "docdb": ("database", "cylinder", _RES + "documentdb_with_mongodb_compatibility"),
    "documentdb": ("database", "cylinder", _RES + "documentdb_with_mongodb_compatibility"),
    "keyspaces": ("database", "cylinder", _RES + "database"),
    "timestream": ("database", "cylinder", _RES + "timestream"),
    "elb": ("networking", "balancer", _RES + "elastic_load_balancing"),
    "alb": ("networking", "balancer", "shape=mxgraph.aws4.application_load_balancer"),
    "nlb": ("networking", "balancer", "shape=mxgraph.aws4.network_load_balancer"),
    "targetgroup": ("networking", "balancer", _RES + "elastic_load_balancing"),
    "natgateway": ("networking", "gateway", "shape=mxgraph.aws4.nat_gateway"),
    "internetgateway": ("networking", "gateway", "shape=mxgraph.aws4.internet_gateway"),
    "vpngateway": ("networking", "gateway", "shape=mxgraph.aws4.vpn_gateway"),
    "vpnconnection": ("networking", "gateway", "shape=mxgraph.aws4.vpn_connection"),
    "customergateway": ("networking", "gateway", "shape=mxgraph.aws4.customer_gateway"),
    "transitgateway": ("networking", "network", _RES + "transit_gateway"),
    "transitgatewayattachment": ("networking", "network", _RES + "transit_gateway"),
    "vpcendpoint": ("networking", "gateway", "shape=mxgraph.aws4.endpoints"),
    "vpcpeering": ("networking", "network", "shape=mxgraph.aws4.peering"),
    "directconnect": ("networking", "network", _RES + "direct_connect"),
    "routetable": ("networking", "network", "shape=mxgraph.aws4.route_table"),
    "networkacl": ("security", "shield", _RES + "vpc"),
    "vpc": ("networking", "network", _RES + "vpc"),
    "subnet": ("networking", "network", _RES + "vpc"),
    "cloudfront": ("networking", "globe", _RES + "cloudfront"),
    "route53": ("networking", "globe", _RES + "route_53"),
    "hostedzone": ("networking", "globe", "shape=mxgraph.aws4.hosted_zone"),
    "apigateway": ("networking", "api", _RES + "api_gateway"),
    "sqs": ("integration", "queue", _RES + "sqs"),
    "sns": ("integration", "topic", _RES + "sns"),
    "snssubscription": ("integration", "topic", _RES + "sns"),
    "eventbridge": ("integration", "events", _RES + "eventbridge"),
    "eventbus": ("integration", "events", _RES + "eventbridge"),
    "eventrule": ("integration", "events", "shape=mxgraph.aws4.rule"),
    "sfn": ("integration", "events", _RES + "step_functions"),
    "stepfunctions": ("integration", "events", _RES + "step_functions"),
    "ses": ("integration", "mail", _RES + "simple_email_service"),
    "kinesisstream": ("analytics", "stream", _RES + "kinesis_data_streams"),
    "kinesis": ("analytics", "stream", _RES + "kinesis_data_streams"),
    "firehose": ("analytics", "stream", _RES + "kinesis_data_firehose"),
    "es": ("analytics", "search", _RES + "elasticsearch_service"),
    "opensearch": ("analytics", "search", _RES + "elasticsearch_service"),
    "waf": ("security", "shield", _RES + "waf"),
    "shield": ("security", "shield", _RES + "shield"),
    "kms": ("security", "key", _RES + "key_management_service"),
    "secretsmanager": ("security", "key", _RES + "secrets_manager"),
    "cognito": ("security", "key", _RES + "cognito"),
    "securitygroup": ("security", "shield", _RES + "security_identity_and_compliance"),
    "cloudwatch": ("management", "gauge", _RES + "cloudwatch"),
    "cloudtrail": ("management", "gauge", _RES + "cloudtrail"),
}

# CloudFormation service prefix (AWS::<Service>::...) to a Cloudcraft-like type, for nodes whose
# `type` is unknown here.
AWS_SERVICES: dict[str, str] = {
    "EC2": "ec2", "Lambda": "lambda", "AutoScaling": "asg", "Batch": "batch", "ECS": "ecs",
    "EKS": "eks", "ECR": "ecr", "S3": "s3", "EFS": "efs", "FSx": "fsx", "Glacier": "glacier",
    "Backup": "backup", "RDS": "rds", "DynamoDB": "dynamodb", "ElastiCache": "elasticache",
    "Redshift": "redshift", "Neptune": "neptune", "DocDB": "docdb", "Cassandra": "keyspaces",
    "Timestream": "timestream", "ElasticLoadBalancing": "elb", "ElasticLoadBalancingV2": "elb",
    "CloudFront": "cloudfront", "Route53": "route53", "ApiGateway": "apigateway",
    "ApiGatewayV2": "apigateway", "DirectConnect": "directconnect", "SQS": "sqs", "SNS": "sns",
    "Events": "eventbridge", "StepFunctions": "sfn", "SES": "ses", "Kinesis": "kinesisstream",
    "KinesisFirehose": "firehose", "OpenSearchService": "opensearch", "Elasticsearch": "es",
    "WAFv2": "waf", "WAF": "waf", "KMS": "kms", "SecretsManager": "secretsmanager",
    "Cognito": "cognito", "CloudWatch": "cloudwatch", "CloudTrail": "cloudtrail",
}
# Some EC2 resource types are networking, not compute.
AWS_TYPES: dict[str, str] = {
    "AWS::EC2::Volume": "ebs", "AWS::EC2::NatGateway": "natgateway",
    "AWS::EC2::InternetGateway": "internetgateway", "AWS::EC2::VPNGateway": "vpngateway",
    "AWS::EC2::VPNConnection": "vpnconnection", "AWS::EC2::CustomerGateway": "customergateway",
    "AWS::EC2::TransitGateway": "transitgateway",
    "AWS::EC2::TransitGatewayAttachment": "transitgatewayattachment",
    "AWS::EC2::VPCEndpoint": "vpcendpoint", "AWS::EC2::VPCPeeringConnection": "vpcpeering",
    "AWS::EC2::RouteTable": "routetable", "AWS::EC2::NetworkAcl": "networkacl",
    "AWS::EC2::SecurityGroup": "securitygroup", "AWS::EC2::LaunchTemplate": "launchtemplate",
    "AWS::EC2::VPC": "vpc", "AWS::EC2::Subnet": "subnet",
    "AWS::ECS::Service": "ecsservice", "AWS::ECS::Task": "ecstask",
    "AWS::EFS::MountTarget": "efsmounttarget", "AWS::SNS::Subscription": "snssubscription",
    "AWS::Events::Rule": "eventrule", "AWS::Route53::HostedZone": "hostedzone",
    "AWS::ElasticLoadBalancingV2::TargetGroup": "targetgroup",
}

GENERIC = ("generic", "generic", "rounded=1;arcSize=10;strokeColor=#7D8998;")


def kind(node: dict) -> tuple[str, str, str]:
    """(category, glyph, draw.io style) for a node; generic when nothing is known of its type."""
    node_type = node.get("type")
    if isinstance(node_type, str):
        found = TYPES.get(node_type.lower())
        if found:
            return found
    aws_type = node.get("awsType")
    if isinstance(aws_type, str):
        mapped = AWS_TYPES.get(aws_type)
        if mapped is None:
            parts = aws_type.split("::")
            mapped = AWS_SERVICES.get(parts[1]) if len(parts) == 3 else None
        if mapped:
            return TYPES[mapped]
    return GENERIC


# Group type: (colour, dashed, label).
GROUPS: dict[str, tuple[str, bool, str]] = {
    "account": ("#232F3E", False, "Account"),
    "region": ("#00A4A6", True, "Region"),
    "vpc": ("#8C4FFF", False, "VPC"),
    "zone": ("#007CBC", True, "AZ"),
    "subnet": ("#7AA116", False, "Subnet"),
    "sg": ("#DD344C", True, "Security group"),
    "asg": ("#ED7100", True, "Auto Scaling"),
    "area": ("#7D8998", False, "Area"),
    "custom": ("#E7157B", False, "Group"),
}
GROUP_GENERIC = ("#7D8998", False, "Group")

# draw.io AWS 4 group containers (grIcon), by group type.
GROUP_STYLES: dict[str, str] = {
    "account": "shape=mxgraph.aws4.group;grIcon=mxgraph.aws4.group_aws_cloud_alt;",
    "region": "shape=mxgraph.aws4.group;grIcon=mxgraph.aws4.group_region;dashed=1;",
    "vpc": "shape=mxgraph.aws4.group;grIcon=mxgraph.aws4.group_vpc;",
    "zone": "dashed=1;",
    "subnet": "shape=mxgraph.aws4.group;grIcon=mxgraph.aws4.group_security_group;grStroke=0;",
    "sg": "dashed=1;",
    "asg": "shape=mxgraph.aws4.groupCenter;grIcon=mxgraph.aws4.group_auto_scaling_group;grStroke=1;dashed=1;",
}

# Live status and diff colours.
STATUS = {"ok": "#1D8102", "warning": "#FF9900", "critical": "#D13212", "stopped": "#687078",
          "pending": "#0073BB"}
DIFF = {"added": ("#1D8102", "Added"), "removed": ("#D13212", "Removed"), "changed": ("#F2A900", "Changed")}
