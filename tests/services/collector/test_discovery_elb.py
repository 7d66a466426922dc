"""services/collector/discovery/elb.py, autoscaling.py and directconnect.py: each unit's transform
against responses shaped like the API reference's examples, and its get + transform against moto
in-process."""
from __future__ import annotations

from types import SimpleNamespace

import pytest

from services.collector.discovery import Context, autoscaling, directconnect, elb
from services.collector.model import Edge, Item
from tests.services.collector.harness import (
    ACCOUNT,
    CREATED,
    CREATED_ISO,
    HOSTILE,
    SCOPE,
    mocked_aws,
    page_sizes,
    run,
    transform,
)

CLASSIC, LOAD_BALANCERS, TARGET_GROUPS = elb.UNITS
(GROUPS,) = autoscaling.UNITS
(CONNECTIONS,) = directconnect.UNITS
LINUX_AMI = "ami-760aaa0f"  # in moto's image list, without a platform

ELB = "arn:aws:elasticloadbalancing:us-east-1:123456789012"
ALB_ARN = f"{ELB}:loadbalancer/app/my-load-balancer/50dc6c495c0c9188"
NLB_ARN = f"{ELB}:loadbalancer/net/my-network-load-balancer/5d1b75f4f1cee11e"
GWLB_ARN = f"{ELB}:loadbalancer/gwy/my-gateway-load-balancer/748d3a4e2bd6a1b2"
TG_ARN = f"{ELB}:targetgroup/my-targets/73e2d6bc24d8a067"
FUNCTION_ARN = "arn:aws:lambda:us-east-1:123456789012:function:my-function"


def ec2_arn(kind: str, resource_id: str) -> str:
    return SCOPE.ec2_arn(kind, resource_id)


def contains(parent: str, child: str) -> Edge:
    return Edge("contains", parent, child)


# --- transforms ------------------------------------------------------------------------------

def test_classic_load_balancers():
    balancers = [{
        "AvailabilityZones": ["us-east-1a", "us-east-1b"], "BackendServerDescriptions": [],
        "CanonicalHostedZoneName": "my-load-balancer-1234567890.us-east-1.elb.amazonaws.com",
        "CanonicalHostedZoneNameID": "Z35SXDOTRQ7X7K", "CreatedTime": CREATED,
        "DNSName": "my-load-balancer-1234567890.us-east-1.elb.amazonaws.com",
        "HealthCheck": {"HealthyThreshold": 2, "Interval": 30, "Target": "HTTP:80/png", "Timeout": 3,
                        "UnhealthyThreshold": 2},
        "Instances": [{"InstanceId": "i-207d9717"}, {"InstanceId": "i-afc6d6ba"}],
        "ListenerDescriptions": [
            {"Listener": {"InstancePort": 80, "InstanceProtocol": "HTTP", "LoadBalancerPort": 80, "Protocol": "HTTP"},
             "PolicyNames": []},
            {"Listener": {"InstancePort": 443, "InstanceProtocol": "HTTPS", "LoadBalancerPort": 443,
                          "Protocol": "HTTPS",
                          "SSLCertificateId": "arn:aws:iam::123456789012:server-certificate/my-server-cert"},
             "PolicyNames": ["ELBSecurityPolicy-2015-03"]},
        ],
        "LoadBalancerName": HOSTILE, "Policies": {"AppCookieStickinessPolicies": [], "LBCookieStickinessPolicies": [],
                                                  "OtherPolicies": ["ELBSecurityPolicy-2015-03"]},
        "Scheme": "internet-facing", "SecurityGroups": ["sg-a61988c3"],
        "SourceSecurityGroup": {"GroupName": "my-elb-sg", "OwnerAlias": "123456789012"},
        "Subnets": ["subnet-15aaab61", "subnet-2a2b2c2d"], "VPCId": "vpc-a01106c2",
    }]
    balancer = f"{ELB}:loadbalancer/{HOSTILE}"
    assert transform("elb.classic_load_balancers", balancers, SCOPE) == [
        Item(balancer, "AWS::ElasticLoadBalancing::LoadBalancer", HOSTILE, "us-east-1", {}, {
            "type": "classic", "scheme": "internet-facing",
            "dnsName": "my-load-balancer-1234567890.us-east-1.elb.amazonaws.com",
            "canonicalHostedZoneId": "Z35SXDOTRQ7X7K", "vpcId": "vpc-a01106c2",
            "availabilityZones": ["us-east-1a", "us-east-1b"],
            "listeners": [{"protocol": "HTTP", "port": 80, "instanceProtocol": "HTTP", "instancePort": 80},
                          {"protocol": "HTTPS", "port": 443, "instanceProtocol": "HTTPS", "instancePort": 443}],
            "createdTime": CREATED_ISO,
        }, [contains(ec2_arn("subnet", "subnet-15aaab61"), balancer),
            contains(ec2_arn("subnet", "subnet-2a2b2c2d"), balancer),
            Edge("secured_by", balancer, ec2_arn("security-group", "sg-a61988c3")),
            Edge("targets", balancer, ec2_arn("instance", "i-207d9717")),
            Edge("targets", balancer, ec2_arn("instance", "i-afc6d6ba"))]),
    ]


def v2_balancer(arn: str, name: str, kind: str, **fields) -> dict:
    """A load balancer as elbv2's DescribeLoadBalancers returns it."""
    return {
        "LoadBalancerArn": arn, "DNSName": f"{name}-424835706.us-east-1.elb.amazonaws.com",
        "CanonicalHostedZoneId": "Z35SXDOTRQ7X7K", "CreatedTime": CREATED, "LoadBalancerName": name,
        "Scheme": "internet-facing", "VpcId": "vpc-3ac0fb5f", "State": {"Code": "active"}, "Type": kind,
        "AvailabilityZones": [{"ZoneName": "us-east-1a", "SubnetId": "subnet-8360a9e7", "LoadBalancerAddresses": []},
                              {"ZoneName": "us-east-1b", "SubnetId": "subnet-b7d581c0", "LoadBalancerAddresses": []}],
        "IpAddressType": "ipv4", **fields,
    }


def test_load_balancers():
    balancers = [
        v2_balancer(ALB_ARN, "my-load-balancer", "application", SecurityGroups=["sg-5943793c"]),
        v2_balancer(NLB_ARN, "my-network-load-balancer", "network", Scheme="internal", State={"Code": "provisioning"}),
        v2_balancer(GWLB_ARN, "my-gateway-load-balancer", "gateway", Scheme=None,
                    AvailabilityZones=[{"ZoneName": "us-east-1a", "SubnetId": "subnet-8360a9e7"}]),
    ]

    def expected(arn, name, kind, scheme, state, zones, edges):
        return Item(arn, "AWS::ElasticLoadBalancingV2::LoadBalancer", name, "us-east-1", {}, {
            "type": kind, "scheme": scheme, "state": state, "dnsName": f"{name}-424835706.us-east-1.elb.amazonaws.com",
            "canonicalHostedZoneId": "Z35SXDOTRQ7X7K", "vpcId": "vpc-3ac0fb5f", "ipAddressType": "ipv4",
            "availabilityZones": zones, "createdTime": CREATED_ISO,
        }, edges)

    subnet_a, subnet_b = ec2_arn("subnet", "subnet-8360a9e7"), ec2_arn("subnet", "subnet-b7d581c0")
    assert transform("elb.load_balancers", balancers, SCOPE) == [
        expected(ALB_ARN, "my-load-balancer", "application", "internet-facing", "active", ["us-east-1a", "us-east-1b"],
                 [contains(subnet_a, ALB_ARN), contains(subnet_b, ALB_ARN),
                  Edge("secured_by", ALB_ARN, ec2_arn("security-group", "sg-5943793c"))]),
        expected(NLB_ARN, "my-network-load-balancer", "network", "internal", "provisioning",
                 ["us-east-1a", "us-east-1b"], [contains(subnet_a, NLB_ARN), contains(subnet_b, NLB_ARN)]),
        expected(GWLB_ARN, "my-gateway-load-balancer", "gateway", None, "active", ["us-east-1a"],
                 [contains(subnet_a, GWLB_ARN)]),
    ]


def target_group(arn: str, name: str, target_type: str, balancers: list[str], **fields) -> dict:
    """A target group as DescribeTargetGroups returns it."""
    return {
        "TargetGroupArn": arn, "TargetGroupName": name, "Protocol": "HTTP", "Port": 80, "VpcId": "vpc-3ac0fb5f",
        "HealthCheckProtocol": "HTTP", "HealthCheckPort": "traffic-port", "HealthCheckEnabled": True,
        "HealthCheckIntervalSeconds": 30, "HealthCheckTimeoutSeconds": 5, "HealthyThresholdCount": 5,
        "UnhealthyThresholdCount": 2, "HealthCheckPath": "/", "Matcher": {"HttpCode": "200"},
        "LoadBalancerArns": balancers, "TargetType": target_type, "ProtocolVersion": "HTTP1",
        "IpAddressType": "ipv4", **fields,
    }


def test_target_groups():
    lambda_group = f"{ELB}:targetgroup/my-function/1a2b3c4d5e6f7a8b"
    ip_group = f"{ELB}:targetgroup/my-ips/9a8b7c6d5e4f3a2b"
    alb_group = f"{ELB}:targetgroup/to-alb/0f1e2d3c4b5a6978"
    found = [
        # Forwarded to by the ALB (a listener's default action) and the NLB: DescribeTargetGroups
        # names both, so no DescribeListeners call is needed.
        {"TargetGroup": target_group(TG_ARN, "my-targets", "instance", [ALB_ARN, NLB_ARN]),
         "Targets": [{"Id": "i-0f76fade", "Port": 80}, {"Id": "i-0f76fade", "Port": 8080},
                     {"Id": "i-0e5f6a7b", "Port": 80, "AvailabilityZone": "us-east-1b"}]},
        {"TargetGroup": target_group(lambda_group, "my-function", "lambda", [ALB_ARN], Protocol=None, Port=None,
                                     VpcId=None),
         "Targets": [{"Id": FUNCTION_ARN, "AvailabilityZone": "all"}]},
        {"TargetGroup": target_group(ip_group, "my-ips", "ip", []),
         "Targets": [{"Id": "10.0.2.15", "Port": 80}, {"Id": "10.0.1.7", "Port": 80}, {"Id": "10.0.1.7", "Port": 81}]},
        {"TargetGroup": target_group(alb_group, "to-alb", "alb", [NLB_ARN], Protocol="TCP"),
         "Targets": [{"Id": ALB_ARN, "Port": 80}]},
    ]

    def expected(arn, name, target_type, protocol, port, vpc, ip_targets, edges):
        return Item(arn, "AWS::ElasticLoadBalancingV2::TargetGroup", name, "us-east-1", {}, {
            "targetType": target_type, "protocol": protocol, "port": port, "vpcId": vpc, "ipTargets": ip_targets,
        }, edges)

    assert transform("elb.target_groups", found, SCOPE) == [
        expected(TG_ARN, "my-targets", "instance", "HTTP", 80, "vpc-3ac0fb5f", [], [
            Edge("targets", ALB_ARN, TG_ARN), Edge("targets", NLB_ARN, TG_ARN),
            Edge("targets", TG_ARN, ec2_arn("instance", "i-0f76fade")),
            Edge("targets", TG_ARN, ec2_arn("instance", "i-0e5f6a7b"))]),
        expected(lambda_group, "my-function", "lambda", None, None, None, [], [
            Edge("targets", ALB_ARN, lambda_group), Edge("targets", lambda_group, FUNCTION_ARN)]),
        # IP targets name no resource: kept as an attribute, without edges.
        expected(ip_group, "my-ips", "ip", "HTTP", 80, "vpc-3ac0fb5f", ["10.0.1.7", "10.0.2.15"], []),
        expected(alb_group, "to-alb", "alb", "TCP", 80, "vpc-3ac0fb5f", [], [
            Edge("targets", NLB_ARN, alb_group), Edge("targets", alb_group, ALB_ARN)]),
    ]


def test_auto_scaling_groups():
    groups = [{
        "AutoScalingGroupName": HOSTILE,
        "AutoScalingGroupARN": "arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:930d940e-891e-4781-a11a-"
                               "7b0acd480f03:autoScalingGroupName/my-asg",
        "MixedInstancesPolicy": {
            "LaunchTemplate": {"LaunchTemplateSpecification": {
                                   "LaunchTemplateId": "lt-0a20c965061f8ce8b", "LaunchTemplateName": "my-template",
                                   "Version": "$Default"},
                               "Overrides": [{"InstanceType": "c5.large"}, {"InstanceType": "c5a.large"}]},
            "InstancesDistribution": {"OnDemandBaseCapacity": 1, "OnDemandPercentageAboveBaseCapacity": 50,
                                      "SpotAllocationStrategy": "price-capacity-optimized"}},
        "MinSize": 1, "MaxSize": 5, "DesiredCapacity": 2, "DefaultCooldown": 300,
        "AvailabilityZones": ["us-east-1a", "us-east-1b"], "LoadBalancerNames": ["my-classic-lb"],
        "TargetGroupARNs": [TG_ARN], "HealthCheckType": "ELB", "HealthCheckGracePeriod": 300,
        "Instances": [
            {"InstanceId": "i-06905f55584de02da", "InstanceType": "c5.large", "AvailabilityZone": "us-east-1a",
             "LifecycleState": "InService", "HealthStatus": "Healthy", "ProtectedFromScaleIn": False},
            {"InstanceId": "i-0b1c2d3e4f5a6b7c8", "InstanceType": "c5a.large", "AvailabilityZone": "us-east-1b",
             "LifecycleState": "InService", "HealthStatus": "Healthy", "ProtectedFromScaleIn": False},
        ],
        "CreatedTime": CREATED, "SuspendedProcesses": [],
        "VPCZoneIdentifier": "subnet-5ea0c127,subnet-6194ea3b", "EnabledMetrics": [],
        "Tags": [{"ResourceId": "my-asg", "ResourceType": "auto-scaling-group", "Key": "Name", "Value": "web",
                  "PropagateAtLaunch": True}],
        "TerminationPolicies": ["Default"], "NewInstancesProtectedFromScaleIn": False,
        "ServiceLinkedRoleARN": "arn:aws:iam::123456789012:role/aws-service-role/autoscaling.amazonaws.com/"
                                "AWSServiceRoleForAutoScaling",
    }, {
        # An older group on a launch configuration, in no VPC subnet yet.
        "AutoScalingGroupName": "legacy",
        "AutoScalingGroupARN": "arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:11111111-2222-3333-4444-"
                               "555555555555:autoScalingGroupName/legacy",
        "LaunchConfigurationName": "legacy-config", "MinSize": 0, "MaxSize": 0, "DesiredCapacity": 0,
        "AvailabilityZones": ["us-east-1a"], "LoadBalancerNames": [], "TargetGroupARNs": [], "HealthCheckType": "EC2",
        "Instances": [], "CreatedTime": CREATED, "VPCZoneIdentifier": "", "Tags": [],
    }]
    group, legacy = groups[0]["AutoScalingGroupARN"], groups[1]["AutoScalingGroupARN"]
    assert transform("autoscaling.groups", groups, SCOPE) == [
        Item(group, "AWS::AutoScaling::AutoScalingGroup", HOSTILE, "us-east-1", {"Name": "web"}, {
            "minSize": 1, "maxSize": 5, "desiredCapacity": 2,
            "launchTemplate": {"id": "lt-0a20c965061f8ce8b", "name": "my-template", "version": "$Default"},
            "launchTemplateArn": ec2_arn("launch-template", "lt-0a20c965061f8ce8b"),
            "launchConfigurationName": None, "availabilityZones": ["us-east-1a", "us-east-1b"],
            "subnetIds": ["subnet-5ea0c127", "subnet-6194ea3b"], "healthCheckType": "ELB", "createdTime": CREATED_ISO,
        }, [contains(ec2_arn("subnet", "subnet-5ea0c127"), group),
            contains(ec2_arn("subnet", "subnet-6194ea3b"), group),
            Edge("member_of", ec2_arn("instance", "i-06905f55584de02da"), group),
            Edge("member_of", ec2_arn("instance", "i-0b1c2d3e4f5a6b7c8"), group),
            Edge("targets", TG_ARN, group),
            Edge("targets", f"{ELB}:loadbalancer/my-classic-lb", group)]),
        Item(legacy, "AWS::AutoScaling::AutoScalingGroup", "legacy", "us-east-1", {}, {
            "minSize": 0, "maxSize": 0, "desiredCapacity": 0, "launchTemplate": None, "launchTemplateArn": None,
            "launchConfigurationName": "legacy-config", "availabilityZones": ["us-east-1a"], "subnetIds": [],
            "healthCheckType": "EC2", "createdTime": CREATED_ISO,
        }, []),
    ]


def test_direct_connect_connections():
    # The only test of directconnect.py's transform on AWS's own shape; moto gives ids that are ARNs.
    connections = [{
        "ownerAccount": ACCOUNT, "connectionId": "dxcon-fgxy1234", "connectionName": HOSTILE,
        "connectionState": "available", "region": "us-east-1", "location": "EqDC2", "bandwidth": "10Gbps",
        "vlan": 0, "partnerName": None, "loaIssueTime": CREATED, "lagId": "dxlag-ffrz71kw",
        "awsDevice": "EqDC2-123h49s71dabc", "jumboFrameCapable": True, "awsDeviceV2": "EqDC2-123h49s71dabc",
        "awsLogicalDeviceId": "EqDC2-abc", "hasLogicalRedundancy": "no", "tags": [{"key": "team", "value": "network"}],
        "providerName": None, "macSecCapable": False, "encryptionMode": "no_encrypt",
    }, {"ownerAccount": ACCOUNT, "connectionId": "dxcon-gone0001", "connectionName": "old",
        "connectionState": "deleted", "region": "us-east-1", "location": "EqDC2", "bandwidth": "1Gbps"}]
    assert transform("directconnect.connections", connections, SCOPE) == [
        Item("arn:aws:directconnect:us-east-1:123456789012:dxcon/dxcon-fgxy1234", "AWS::DirectConnect::Connection",
             HOSTILE, "us-east-1", {"team": "network"}, {
                 "connectionId": "dxcon-fgxy1234", "connectionState": "available", "bandwidth": "10Gbps",
                 "location": "EqDC2", "partnerName": None, "providerName": None, "vlan": 0, "ownerAccount": ACCOUNT,
                 "lagId": "dxlag-ffrz71kw", "hasLogicalRedundancy": "no",
             }, []),
    ]


# --- get + transform against moto ------------------------------------------------------------

@pytest.fixture(scope="module")
def estate():
    """Load balancers, target groups and an Auto Scaling group in a small VPC, created once for
    this module's moto tests."""
    with mocked_aws() as session:
        ec2 = session.client("ec2")
        vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
        subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.0.{n}.0/24", AvailabilityZone=f"us-east-1{zone}")
                   ["Subnet"]["SubnetId"] for n, zone in ((1, "a"), (2, "b"))]
        group = ec2.create_security_group(GroupName="lb", Description="load balancers", VpcId=vpc)["GroupId"]
        server = ec2.run_instances(ImageId=LINUX_AMI, MinCount=1, MaxCount=1, SubnetId=subnets[0])["Instances"][0]
        template = ec2.create_launch_template(LaunchTemplateName="web", LaunchTemplateData={
            "ImageId": LINUX_AMI, "InstanceType": "t3.micro"})["LaunchTemplate"]

        classic = session.client("elb")
        classic.create_load_balancer(LoadBalancerName="classic", Subnets=[subnets[0]], SecurityGroups=[group],
                                     Listeners=[{"Protocol": "HTTP", "LoadBalancerPort": 80, "InstancePort": 8080}])
        classic.register_instances_with_load_balancer(LoadBalancerName="classic",
                                                      Instances=[{"InstanceId": server["InstanceId"]}])

        v2 = session.client("elbv2")
        alb = v2.create_load_balancer(Name="web", Subnets=subnets, SecurityGroups=[group],
                                      Scheme="internet-facing")["LoadBalancers"][0]["LoadBalancerArn"]
        nlb = v2.create_load_balancer(Name="net", Subnets=[subnets[0]], Type="network")["LoadBalancers"][0]
        web, api, ips = (v2.create_target_group(Name=name, Protocol="HTTP", Port=80, VpcId=vpc, TargetType=kind)
                         ["TargetGroups"][0]["TargetGroupArn"]
                         for name, kind in (("web", "instance"), ("api", "instance"), ("ips", "ip")))
        v2.register_targets(TargetGroupArn=web, Targets=[{"Id": server["InstanceId"]}])
        v2.register_targets(TargetGroupArn=ips, Targets=[{"Id": "10.0.1.10", "Port": 80}])
        listener = v2.create_listener(LoadBalancerArn=alb, Protocol="HTTP", Port=80, DefaultActions=[
            {"Type": "forward", "TargetGroupArn": web}])["Listeners"][0]["ListenerArn"]
        # A rule's forward, which the listener's default action does not show.
        v2.create_rule(ListenerArn=listener, Priority=10, Actions=[{"Type": "forward", "TargetGroupArn": api}],
                       Conditions=[{"Field": "path-pattern", "Values": ["/api/*"]}])

        scaling = session.client("autoscaling")
        scaling.create_auto_scaling_group(
            AutoScalingGroupName="web", MinSize=1, MaxSize=3, DesiredCapacity=2, VPCZoneIdentifier=",".join(subnets),
            LaunchTemplate={"LaunchTemplateId": template["LaunchTemplateId"], "Version": "$Latest"},
            TargetGroupARNs=[web], LoadBalancerNames=["classic"],
            Tags=[{"Key": "Name", "Value": HOSTILE, "PropagateAtLaunch": True}])
        group_arn = scaling.describe_auto_scaling_groups()["AutoScalingGroups"][0]["AutoScalingGroupARN"]
        members = [i["InstanceId"] for i in scaling.describe_auto_scaling_groups()["AutoScalingGroups"][0]["Instances"]]

        session.client("directconnect").create_connection(location="EqDC2", bandwidth="1Gbps", connectionName=HOSTILE,
                                                          tags=[{"key": "team", "value": "network"}])
        yield SimpleNamespace(session=session, vpc=vpc, subnets=subnets, group=group, server=server["InstanceId"],
                              template=template["LaunchTemplateId"], alb=alb, nlb=nlb["LoadBalancerArn"], web=web,
                              api=api, ips=ips, group_arn=group_arn, members=members)


def test_moto_classic_load_balancers(estate):
    items, _ = run(CLASSIC, estate.session.client(CLASSIC.client))
    balancer = f"{ELB}:loadbalancer/classic"
    assert items[balancer].edges[:3] == [contains(ec2_arn("subnet", estate.subnets[0]), balancer),
                                         Edge("secured_by", balancer, ec2_arn("security-group", estate.group)),
                                         Edge("targets", balancer, ec2_arn("instance", estate.server))]
    # The Auto Scaling group registers its members too.
    members = {Edge("targets", balancer, ec2_arn("instance", member)) for member in estate.members}
    assert members <= set(items[balancer].edges)
    assert items[balancer].attributes["listeners"] == [
        {"protocol": "HTTP", "port": 80, "instanceProtocol": "HTTP", "instancePort": 8080}]


def test_moto_load_balancers(estate):
    items, _ = run(LOAD_BALANCERS, estate.session.client(LOAD_BALANCERS.client))
    alb, nlb = items[estate.alb], items[estate.nlb]
    assert (alb.name, alb.attributes["type"], alb.attributes["scheme"]) == ("web", "application", "internet-facing")
    assert alb.edges == [contains(ec2_arn("subnet", estate.subnets[0]), estate.alb),
                         contains(ec2_arn("subnet", estate.subnets[1]), estate.alb),
                         Edge("secured_by", estate.alb, ec2_arn("security-group", estate.group))]
    assert (nlb.name, nlb.attributes["type"]) == ("net", "network")
    assert nlb.edges == [contains(ec2_arn("subnet", estate.subnets[0]), estate.nlb)]


def test_moto_target_groups(estate):
    items, _ = run(TARGET_GROUPS, estate.session.client(TARGET_GROUPS.client))
    web, api, ips = items[estate.web], items[estate.api], items[estate.ips]
    instances = [estate.server, *estate.members]
    assert web.edges[0] == Edge("targets", estate.alb, estate.web)
    assert set(web.edges[1:]) == {Edge("targets", estate.web, ec2_arn("instance", i)) for i in instances}
    assert api.edges == [Edge("targets", estate.alb, estate.api)]  # forwarded to by a listener rule
    assert (ips.edges, ips.attributes["ipTargets"]) == ([], ["10.0.1.10"])


def test_moto_target_group_deleted_during_the_sync_is_left_out(estate):
    v2 = estate.session.client("elbv2")
    doomed = v2.create_target_group(Name="doomed", Protocol="HTTP", Port=80, VpcId=estate.vpc)["TargetGroups"][0]

    def map_after_deleting(fn, groups):
        v2.delete_target_group(TargetGroupArn=doomed["TargetGroupArn"])
        return [fn(group) for group in groups]

    found = TARGET_GROUPS.get(Context(v2, SCOPE, map=map_after_deleting))
    assert {entry["TargetGroup"]["TargetGroupArn"] for entry in found} == {estate.web, estate.api, estate.ips}


def test_moto_auto_scaling_groups(estate):
    items, _ = run(GROUPS, estate.session.client(GROUPS.client))
    group = items[estate.group_arn]
    assert (group.name, group.tags) == ("web", {"Name": HOSTILE})
    assert group.attributes["launchTemplate"] == {"id": estate.template, "name": "web", "version": "$Latest"}
    assert group.attributes["launchTemplateArn"] == ec2_arn("launch-template", estate.template)
    assert (group.attributes["minSize"], group.attributes["maxSize"], group.attributes["desiredCapacity"]) == (1, 3, 2)
    assert group.edges == [
        contains(ec2_arn("subnet", estate.subnets[0]), estate.group_arn),
        contains(ec2_arn("subnet", estate.subnets[1]), estate.group_arn),
        *(Edge("member_of", ec2_arn("instance", member), estate.group_arn) for member in estate.members),
        Edge("targets", estate.web, estate.group_arn),
        Edge("targets", f"{ELB}:loadbalancer/classic", estate.group_arn),
    ]
    assert len(estate.members) == 2


def test_moto_direct_connect_connections(estate):
    items, _ = run(CONNECTIONS, estate.session.client(CONNECTIONS.client))
    (connection,) = items.values()
    assert (connection.name, connection.tags) == (HOSTILE, {"team": "network"})
    assert (connection.attributes["bandwidth"], connection.attributes["location"]) == ("1Gbps", "EqDC2")
    # moto's connection ids are whole ARNs; AWS's are "dxcon-..." (see test_direct_connect_connections).
    assert connection.arn.startswith("arn:aws:directconnect:us-east-1:123456789012:")


def test_moto_the_largest_pages(estate):
    asked: dict[str, int | None] = {}
    for unit in (*elb.UNITS, *autoscaling.UNITS, *directconnect.UNITS):
        sizes = page_sizes(unit, estate.session.client(unit.client))
        asked.update({f"{unit.client}:{operation}": size for operation, size in sizes.items()})
    # None: not paginated (DescribeTargetHealth is one call per target group, by ctx.map).
    assert asked == {"elb:DescribeLoadBalancers": 400, "elbv2:DescribeLoadBalancers": 400,
                     "elbv2:DescribeTargetGroups": 400, "elbv2:DescribeTargetHealth": None,
                     "autoscaling:DescribeAutoScalingGroups": 100, "directconnect:DescribeConnections": None}
