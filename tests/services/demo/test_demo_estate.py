"""The demo estate generator: what seed() says it created is what moto holds, in every account and
region, seeding twice changes nothing, and scale grows the estate linearly."""
from __future__ import annotations

import functools
import json
from collections import defaultdict

import pytest
import requests

from services.collector import declarations
from services.demo import account_client
from services.demo_estate import (
    DEFAULT_ACCOUNTS,
    DEFAULT_REGIONS,
    HOSTILE_SCRIPT,
    STACK_RESOURCES,
    Manifest,
    PartialEstateError,
    resource_count,
    scale_for,
    seed,
)

GLOBAL_TYPES = {"AWS::CloudFront::Distribution", "AWS::Route53::HostedZone", "AWS::Route53::RecordSet"}


def reset(endpoint: str) -> None:
    # Emptying a moto server that earlier tests filled takes a while on a busy machine.
    requests.post(f"{endpoint}/moto-api/reset", timeout=180).raise_for_status()


@functools.cache
def cached_client(service: str, endpoint: str, account: str, region: str):
    return account_client(service, endpoint, account, region)


def observed(endpoint: str, account: str, region: str,
             regions) -> tuple[dict[str, set[str]], set[tuple[str, str, str]]]:
    """What moto holds in one account and region (region "" for the global services): ARNs by type
    and the relationships that start there, read back with describe and list calls, leaving out
    what moto creates by itself (default VPCs, default security groups, main route tables)."""
    client = lambda service: cached_client(service, endpoint, account, region or "us-east-1")  # noqa: E731
    found: dict[str, set[str]] = defaultdict(set)
    edges: set[tuple[str, str, str]] = set()
    distributions = client("cloudfront").list_distributions()["DistributionList"].get("Items", [])
    if not region:
        found["AWS::CloudFront::Distribution"] = {d["ARN"] for d in distributions}
        by_dns = {d["DomainName"]: d["ARN"] for d in distributions}
        for lb_region in regions:   # alias targets
            for lb in cached_client("elbv2", endpoint, account, lb_region).describe_load_balancers()["LoadBalancers"]:
                by_dns[lb["DNSName"].lower()] = lb["LoadBalancerArn"]
        route53 = client("route53")
        for zone in route53.list_hosted_zones()["HostedZones"]:
            zone_arn = f"arn:aws:route53:::hostedzone/{zone['Id'].rsplit('/', 1)[-1]}"
            found["AWS::Route53::HostedZone"].add(zone_arn)
            for record in route53.list_resource_record_sets(HostedZoneId=zone["Id"])["ResourceRecordSets"]:
                if record["Type"] not in ("NS", "SOA"):
                    record_arn = f"{zone_arn}/recordset/{record['Name'].rstrip('.')}/{record['Type']}"
                    found["AWS::Route53::RecordSet"].add(record_arn)
                    edges.add(("contains", zone_arn, record_arn))
                    edges.add(("alias_of", record_arn, by_dns[record["AliasTarget"]["DNSName"].rstrip(".").lower()]))
        return found, edges

    ec2 = client("ec2")
    arn = lambda kind, resource_id: f"arn:aws:ec2:{region}:{account}:{kind}/{resource_id}"  # noqa: E731
    vpcs = ec2.describe_vpcs()["Vpcs"]
    found["AWS::EC2::VPC"] = {arn("vpc", v["VpcId"]) for v in vpcs if not v["IsDefault"]}
    default_vpc = {vpc["VpcId"] for vpc in vpcs if vpc["IsDefault"]}
    for subnet in ec2.describe_subnets()["Subnets"]:
        if subnet["VpcId"] not in default_vpc:
            found["AWS::EC2::Subnet"].add(arn("subnet", subnet["SubnetId"]))
            edges.add(("contains", arn("vpc", subnet["VpcId"]), arn("subnet", subnet["SubnetId"])))
    for gateway in ec2.describe_internet_gateways()["InternetGateways"]:
        if not {a["VpcId"] for a in gateway["Attachments"]} & default_vpc:
            found["AWS::EC2::InternetGateway"].add(arn("internet-gateway", gateway["InternetGatewayId"]))
            for attachment in gateway["Attachments"]:
                edges.add(("attached_to", arn("internet-gateway", gateway["InternetGatewayId"]),
                           arn("vpc", attachment["VpcId"])))
    for nat in ec2.describe_nat_gateways()["NatGateways"]:
        found["AWS::EC2::NatGateway"].add(arn("natgateway", nat["NatGatewayId"]))
        edges.add(("contains", arn("subnet", nat["SubnetId"]), arn("natgateway", nat["NatGatewayId"])))
    for peering in ec2.describe_vpc_peering_connections()["VpcPeeringConnections"]:
        requester, accepter = peering["RequesterVpcInfo"], peering["AccepterVpcInfo"]
        assert peering["Status"]["Code"] == "active"
        peering_arn = arn("vpc-peering-connection", peering["VpcPeeringConnectionId"])   # named where it is seen
        found["AWS::EC2::VPCPeeringConnection"].add(peering_arn)
        for side in (requester, accepter):
            edges.add(("routes_to", peering_arn, f"arn:aws:ec2:{side['Region']}:{side['OwnerId']}:vpc/{side['VpcId']}"))
    for table in ec2.describe_route_tables()["RouteTables"]:
        if table["VpcId"] in default_vpc or any(a.get("Main") for a in table["Associations"]):
            continue
        table_arn = arn("route-table", table["RouteTableId"])
        found["AWS::EC2::RouteTable"].add(table_arn)
        edges.add(("contains", arn("vpc", table["VpcId"]), table_arn))
        for association in table["Associations"]:
            edges.add(("attached_to", table_arn, arn("subnet", association["SubnetId"])))
        for route in table["Routes"]:
            if route.get("GatewayId", "").startswith("igw-"):
                edges.add(("routes_to", table_arn, arn("internet-gateway", route["GatewayId"])))
            if route.get("NatGatewayId"):
                edges.add(("routes_to", table_arn, arn("natgateway", route["NatGatewayId"])))
            if route.get("VpcPeeringConnectionId"):
                # Each account names the peering in its own account and region (the collector does).
                edges.add(("routes_to", table_arn, arn("vpc-peering-connection", route["VpcPeeringConnectionId"])))
    for vpc_endpoint in ec2.describe_vpc_endpoints()["VpcEndpoints"]:
        endpoint_arn = arn("vpc-endpoint", vpc_endpoint["VpcEndpointId"])
        found["AWS::EC2::VPCEndpoint"].add(endpoint_arn)
        edges.add(("contains", arn("vpc", vpc_endpoint["VpcId"]), endpoint_arn))
        for table in vpc_endpoint["RouteTableIds"]:
            edges.add(("routes_to", arn("route-table", table), endpoint_arn))
    for group in ec2.describe_security_groups()["SecurityGroups"]:
        if group["GroupName"] != "default":
            found["AWS::EC2::SecurityGroup"].add(arn("security-group", group["GroupId"]))
            edges.add(("contains", arn("vpc", group["VpcId"]), arn("security-group", group["GroupId"])))
            for permission in group["IpPermissions"]:
                for pair in permission.get("UserIdGroupPairs", []):
                    edges.add(("routes_to", arn("security-group", pair["GroupId"]),
                               arn("security-group", group["GroupId"])))
    for reservation in ec2.describe_instances()["Reservations"]:
        for instance in reservation["Instances"]:
            instance_arn = arn("instance", instance["InstanceId"])
            found["AWS::EC2::Instance"].add(instance_arn)
            edges.add(("contains", arn("subnet", instance["SubnetId"]), instance_arn))
            for group in instance["SecurityGroups"]:
                edges.add(("secured_by", instance_arn, arn("security-group", group["GroupId"])))
    for volume in ec2.describe_volumes()["Volumes"]:
        found["AWS::EC2::Volume"].add(arn("volume", volume["VolumeId"]))
        for attachment in volume["Attachments"]:
            edges.add(("attached_to", arn("volume", volume["VolumeId"]), arn("instance", attachment["InstanceId"])))
    found["AWS::EC2::LaunchTemplate"] = {arn("launch-template", t["LaunchTemplateId"])
                                         for t in ec2.describe_launch_templates()["LaunchTemplates"]}
    for group in client("autoscaling").describe_auto_scaling_groups()["AutoScalingGroups"]:
        found["AWS::AutoScaling::AutoScalingGroup"].add(group["AutoScalingGroupARN"])
        for target_group in group["TargetGroupARNs"]:
            edges.add(("targets", target_group, group["AutoScalingGroupARN"]))
        for subnet in group["VPCZoneIdentifier"].split(","):
            edges.add(("contains", arn("subnet", subnet), group["AutoScalingGroupARN"]))
        for instance in group["Instances"]:
            edges.add(("member_of", arn("instance", instance["InstanceId"]), group["AutoScalingGroupARN"]))
    elb = client("elbv2")
    origins = {}   # CloudFront origin domain name -> ARN of the bucket or load balancer behind it
    for lb in elb.describe_load_balancers()["LoadBalancers"]:
        found["AWS::ElasticLoadBalancingV2::LoadBalancer"].add(lb["LoadBalancerArn"])
        origins[lb["DNSName"]] = lb["LoadBalancerArn"]
        for zone in lb["AvailabilityZones"]:
            edges.add(("contains", arn("subnet", zone["SubnetId"]), lb["LoadBalancerArn"]))
        for group in lb["SecurityGroups"]:
            edges.add(("secured_by", lb["LoadBalancerArn"], arn("security-group", group)))
    for group in elb.describe_target_groups()["TargetGroups"]:
        found["AWS::ElasticLoadBalancingV2::TargetGroup"].add(group["TargetGroupArn"])
        for lb in group["LoadBalancerArns"]:
            edges.add(("targets", lb, group["TargetGroupArn"]))
        if group["TargetType"] == "instance":
            healths = elb.describe_target_health(TargetGroupArn=group["TargetGroupArn"])["TargetHealthDescriptions"]
            for health in healths:
                edges.add(("targets", group["TargetGroupArn"], arn("instance", health["Target"]["Id"])))
    ecs = client("ecs")
    for cluster in ecs.list_clusters()["clusterArns"]:
        found["AWS::ECS::Cluster"].add(cluster)
        services = ecs.list_services(cluster=cluster)["serviceArns"]
        for service in ecs.describe_services(cluster=cluster, services=services)["services"] if services else []:
            found["AWS::ECS::Service"].add(service["serviceArn"])
            edges.add(("contains", cluster, service["serviceArn"]))
            for balancer in service["loadBalancers"]:
                edges.add(("targets", balancer["targetGroupArn"], service["serviceArn"]))
            network = service["networkConfiguration"]["awsvpcConfiguration"]
            for group in network["securityGroups"]:
                edges.add(("secured_by", service["serviceArn"], arn("security-group", group)))
            for subnet in network["subnets"]:
                edges.add(("contains", arn("subnet", subnet), service["serviceArn"]))
    for db in client("rds").describe_db_instances()["DBInstances"]:
        found["AWS::RDS::DBInstance"].add(db["DBInstanceArn"])
        for subnet in db["DBSubnetGroup"]["Subnets"]:
            edges.add(("contains", arn("subnet", subnet["SubnetIdentifier"]), db["DBInstanceArn"]))
        for group in db["VpcSecurityGroups"]:
            edges.add(("secured_by", db["DBInstanceArn"], arn("security-group", group["VpcSecurityGroupId"])))
        if db.get("ReadReplicaSourceDBInstanceIdentifier"):
            edges.add(("replica_of", db["DBInstanceArn"], db["DBInstanceArn"].rsplit(":", 1)[0] + ":"
                       + db["ReadReplicaSourceDBInstanceIdentifier"]))
    elasticache = client("elasticache")
    found["AWS::ElastiCache::ReplicationGroup"] = {
        g["ARN"] for g in elasticache.describe_replication_groups()["ReplicationGroups"]}
    subnet_groups = {g["CacheSubnetGroupName"]: g["Subnets"]
                     for g in elasticache.describe_cache_subnet_groups()["CacheSubnetGroups"]}
    for cluster in elasticache.describe_cache_clusters()["CacheClusters"]:
        found["AWS::ElastiCache::CacheCluster"].add(cluster["ARN"])
        for subnet in subnet_groups[cluster["CacheSubnetGroupName"]]:
            edges.add(("contains", arn("subnet", subnet["SubnetIdentifier"]), cluster["ARN"]))
    found["AWS::DynamoDB::Table"] = {f"arn:aws:dynamodb:{region}:{account}:table/{name}"
                                     for name in client("dynamodb").list_tables()["TableNames"]}
    lambda_ = client("lambda")
    found["AWS::Lambda::Function"] = {f["FunctionArn"] for f in lambda_.list_functions()["Functions"]}
    for mapping in lambda_.list_event_source_mappings()["EventSourceMappings"]:
        found["AWS::Lambda::EventSourceMapping"].add(mapping["EventSourceMappingArn"])
        edges.add(("triggers", mapping["EventSourceArn"], mapping["FunctionArn"]))
        edges.add(("attached_to", mapping["EventSourceMappingArn"], mapping["FunctionArn"]))
    sqs = client("sqs")
    for url in sqs.list_queues().get("QueueUrls", []):
        attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn", "RedrivePolicy"])["Attributes"]
        found["AWS::SQS::Queue"].add(attributes["QueueArn"])
        if "RedrivePolicy" in attributes:
            dead_letters = json.loads(attributes["RedrivePolicy"])["deadLetterTargetArn"]
            edges.add(("routes_to", attributes["QueueArn"], dead_letters))
    sns = client("sns")
    found["AWS::SNS::Topic"] = {t["TopicArn"] for t in sns.list_topics()["Topics"]}
    for subscription in sns.list_subscriptions()["Subscriptions"]:
        found["AWS::SNS::Subscription"].add(subscription["SubscriptionArn"])
        edges.add(("triggers", subscription["TopicArn"], subscription["Endpoint"]))
        edges.add(("attached_to", subscription["SubscriptionArn"], subscription["TopicArn"]))
    apigateway = client("apigateway")
    for api in apigateway.get_rest_apis()["items"]:
        api_arn = f"arn:aws:apigateway:{region}::/restapis/{api['id']}"
        found["AWS::ApiGateway::RestApi"].add(api_arn)
        for resource in apigateway.get_resources(restApiId=api["id"], embed=["methods"])["items"]:
            for method in resource.get("resourceMethods", {}):
                uri = apigateway.get_integration(restApiId=api["id"], resourceId=resource["id"],
                                                 httpMethod=method)["uri"]
                edges.add(("triggers", api_arn, uri.split("/functions/")[1].split("/invocations")[0]))
    s3 = client("s3")
    for bucket in s3.list_buckets()["Buckets"]:
        name, bucket_arn = bucket["Name"], f"arn:aws:s3:::{bucket['Name']}"
        if (s3.get_bucket_location(Bucket=name)["LocationConstraint"] or "us-east-1") == region:
            found["AWS::S3::Bucket"].add(bucket_arn)
            origins[f"{name}.s3.{region}.amazonaws.com"] = bucket_arn
            for notification in s3.get_bucket_notification_configuration(Bucket=name).get(
                    "LambdaFunctionConfigurations", []):
                edges.add(("triggers", bucket_arn, notification["LambdaFunctionArn"]))
    for distribution in distributions:
        for origin in distribution["Origins"]["Items"]:
            if origin["DomainName"] in origins:
                edges.add(("origin_of", origins[origin["DomainName"]], distribution["ARN"]))
    here = set().union(*found.values())
    return {t: arns for t, arns in found.items() if arns}, {e for e in edges if e[1] in here}


def assert_moto_holds(endpoint: str, manifest: Manifest, accounts, regions) -> None:
    """Every resource and every relationship the manifest lists is in moto, and nothing else is."""
    checked = 0
    for account in accounts:
        for region in ("", *regions):
            found, edges = observed(endpoint, account, region, regions)
            listed = {r.type for r in manifest.resources if (r.aws_account_id, r.region) == (account, region)}
            expected = {cfn_type: manifest.arns(cfn_type, account, region) for cfn_type in listed}
            assert found == expected, (account, region)
            here = set().union(*found.values())
            listed_edges = {(e.type, e.source, e.target) for e in manifest.relationships if e.source in here}
            assert edges == listed_edges, (account, region, sorted(edges ^ listed_edges)[:5])
            checked += len(edges)
    assert checked == len(set(manifest.relationships))


def test_the_manifest_counts_and_relationships_are_consistent():
    assert scale_for(1, regions=2) == 1
    assert resource_count(scale_for(10_000, regions=4), regions=4) >= 10_000
    assert resource_count(scale_for(10_000, regions=4) - 1, regions=4) < 10_000
    manifest = Manifest()
    manifest.add("123456789012", "us-east-1", "AWS::EC2::VPC", "arn:aws:ec2:us-east-1:123456789012:vpc/vpc-1", "v")
    manifest.relate("contains", "arn:aws:ec2:us-east-1:123456789012:vpc/vpc-1", "x")
    assert Manifest.from_json(manifest.to_json()) == manifest
    assert manifest.counts_by_type() == {"AWS::EC2::VPC": 1}
    assert manifest.counts_by_place() == {("123456789012", "us-east-1"): {"AWS::EC2::VPC": 1}}
    with pytest.raises(ValueError):
        manifest.relate("connects", "a", "b")


def test_seed_creates_what_the_manifest_says_in_every_account_and_region_and_reseeding_changes_nothing(moto_endpoint):
    reset(moto_endpoint)
    manifest = seed(moto_endpoint)

    assert len(manifest.resources) == resource_count(1, len(DEFAULT_REGIONS), len(DEFAULT_ACCOUNTS))
    assert len({r.arn for r in manifest.resources}) == len(manifest.resources)
    assert {r.type for r in manifest.resources} <= {t.cfn_type for t in declarations.RESOURCE_TYPES}
    assert {(r.aws_account_id, r.region) for r in manifest.resources} == {
        (account, region) for account in DEFAULT_ACCOUNTS for region in ("", *DEFAULT_REGIONS)}
    assert all((r.region == "") == (r.type in GLOBAL_TYPES) for r in manifest.resources)
    arns = {r.arn for r in manifest.resources}
    assert all(e.source in arns and e.target in arns for e in manifest.relationships)
    assert len(set(manifest.relationships)) == len(manifest.relationships)
    counts = manifest.counts_by_type()
    # The hub peers with the other region and with both of the other account's; each peering is
    # seen from both of its places.
    assert counts["AWS::EC2::VPCPeeringConnection"] == 6
    assert counts["AWS::RDS::DBInstance"] == 8 and counts["AWS::EC2::Instance"] == 20
    assert {e.type for e in manifest.relationships} == {
        "contains", "attached_to", "routes_to", "targets", "triggers", "origin_of", "alias_of", "replica_of",
        "member_of", "secured_by"}
    assert HOSTILE_SCRIPT in {h.value for h in manifest.hostile_strings}
    assert {h.arn for h in manifest.hostile_strings} <= arns

    assert_moto_holds(moto_endpoint, manifest, DEFAULT_ACCOUNTS, DEFAULT_REGIONS)
    ec2 = account_client("ec2", moto_endpoint, DEFAULT_ACCOUNTS[0], DEFAULT_REGIONS[0])
    tagged = ec2.describe_instances(Filters=[{"Name": "tag:note", "Values": [HOSTILE_SCRIPT]}])["Reservations"]
    assert len(tagged) == 1

    again = seed(moto_endpoint)   # a demo restarting against the same moto server
    assert again == manifest
    assert_moto_holds(moto_endpoint, manifest, DEFAULT_ACCOUNTS, DEFAULT_REGIONS)


def test_scale_grows_the_estate_linearly_and_adds_only_what_is_missing(moto_endpoint):
    reset(moto_endpoint)
    place = {"accounts": DEFAULT_ACCOUNTS[:1], "regions": DEFAULT_REGIONS[:1]}
    small = seed(moto_endpoint, scale=1, **place)
    large = seed(moto_endpoint, scale=3, **place)   # on top of scale 1: adds stacks 1 and 2 to the same VPC

    assert set(small.resources) < set(large.resources)
    assert len(large.resources) == resource_count(3, 1, 1)
    assert (len(large.resources) - len(small.resources)) / 2 == STACK_RESOURCES   # each further stack adds as many
    assert 2 * len(small.resources) < len(large.resources) <= 3 * len(small.resources)
    for cfn_type in ("AWS::EC2::Instance", "AWS::EC2::Volume", "AWS::SQS::Queue", "AWS::DynamoDB::Table",
                     "AWS::S3::Bucket", "AWS::Lambda::Function", "AWS::EC2::SecurityGroup"):
        assert large.counts_by_type()[cfn_type] > 2 * small.counts_by_type()[cfn_type]
    assert_moto_holds(moto_endpoint, large, **place)

    # A unit that a killed seeder left half done is reported, not duplicated.
    s3 = account_client("s3", moto_endpoint, DEFAULT_ACCOUNTS[0])
    s3.put_object(Bucket=f"cloudsketch-demo-state-{DEFAULT_ACCOUNTS[0]}",
                  Key="cloudsketch-demo/us-east-1/stack-3.started", Body=b"")
    with pytest.raises(PartialEstateError, match="stack-3"):
        seed(moto_endpoint, scale=4, **place)
