"""ECS, EKS and ECR discovery (services/collector/discovery/ecs.py, eks.py, ecr.py): transforms
against responses shaped like the API references' examples, and get + transform against moto."""
from __future__ import annotations

from services.collector.discovery import ecr, ecs, eks
from services.collector.model import Edge, Item
from tests.services.collector.harness import (
    CREATED,
    CREATED_ISO,
    HOSTILE,
    SCOPE,
    SECRET,
    check_items,
    run,
    sg_arn,
    subnet_arn,
    transform,
)

(ECS_UNIT,) = ecs.UNITS
(EKS_UNIT,) = eks.UNITS
(ECR_UNIT,) = ecr.UNITS

ECS = "arn:aws:ecs:us-east-1:123456789012:"
CLUSTER = ECS + "cluster/shop"
TG = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web/73e2d6bc24d8a067"
CLASSIC = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/legacy-web"

# --- ECS ----------------------------------------------------------------------------------------


def service(name: str, **fields) -> dict:
    return {
        "serviceArn": ECS + f"service/shop/{name}", "serviceName": name, "clusterArn": CLUSTER,
        "loadBalancers": [], "serviceRegistries": [], "status": "ACTIVE", "desiredCount": 2, "runningCount": 2,
        "pendingCount": 0, "taskDefinition": ECS + f"task-definition/{name}:7",
        "deploymentConfiguration": {"maximumPercent": 200, "minimumHealthyPercent": 100},
        "deployments": [{"id": "ecs-svc/9223370564341623665", "status": "PRIMARY", "desiredCount": 2,
                         "runningCount": 2, "createdAt": CREATED, "updatedAt": CREATED}],
        "events": [{"id": "a1b2", "createdAt": CREATED, "message": f"(service {name}) has reached a steady state."}],
        "createdAt": CREATED, "placementConstraints": [], "placementStrategy": [], "schedulingStrategy": "REPLICA",
        "deploymentController": {"type": "ECS"}, "createdBy": "arn:aws:iam::123456789012:role/deploy",
        "enableECSManagedTags": False, "propagateTags": "NONE", "enableExecuteCommand": False, **fields,
    }


def task(task_id: str, **fields) -> dict:
    return {
        "taskArn": ECS + f"task/shop/{task_id}", "clusterArn": CLUSTER, "attachments": [],
        "availabilityZone": "us-east-1a", "containers": [], "cpu": "256", "memory": "512", "createdAt": CREATED,
        "desiredStatus": "RUNNING", "lastStatus": "RUNNING", "startedAt": CREATED, "version": 3,
        "overrides": {"containerOverrides": [{"name": "web", "environment": [{"name": "TOKEN", "value": SECRET}]}],
                      "inferenceAcceleratorOverrides": []}, "tags": [], **fields,
    }


def eni(subnet_id: str) -> list[dict]:
    return [{"id": "f1a2b3c4-d5e6-4f70-8192-a3b4c5d6e7f8", "type": "ElasticNetworkInterface", "status": "ATTACHED",
             "details": [{"name": "subnetId", "value": subnet_id},
                         {"name": "networkInterfaceId", "value": "eni-0a1b2c3d4e5f60789"},
                         {"name": "macAddress", "value": "0a:1b:2c:3d:4e:5f"},
                         {"name": "privateIPv4Address", "value": "10.0.1.23"}]}]


ECS_RAW = {
    "clusters": [
        {"clusterArn": CLUSTER, "clusterName": "shop", "status": "ACTIVE", "registeredContainerInstancesCount": 2,
         "runningTasksCount": 5, "pendingTasksCount": 0, "activeServicesCount": 3, "statistics": [],
         "tags": [{"key": "team", "value": HOSTILE}], "settings": [{"name": "containerInsights", "value": "enabled"}],
         "capacityProviders": ["FARGATE", "FARGATE_SPOT"], "defaultCapacityProviderStrategy": []},
        {"clusterArn": ECS + "cluster/old", "clusterName": "old", "status": "INACTIVE"},
    ],
    "services": [
        service("web", launchType="FARGATE", platformVersion="1.4.0", platformFamily="Linux",
                loadBalancers=[{"targetGroupArn": TG, "containerName": "web", "containerPort": 8080}],
                networkConfiguration={"awsvpcConfiguration": {
                    "subnets": ["subnet-0aaa1111", "subnet-0bbb2222"], "securityGroups": ["sg-0web1111"],
                    "assignPublicIp": "DISABLED"}}),
        service("legacy", launchType="EC2", desiredCount=1,
                loadBalancers=[{"loadBalancerName": "legacy-web", "containerName": "legacy", "containerPort": 80}]),
        service("workers", desiredCount=4,
                capacityProviderStrategy=[{"capacityProvider": "FARGATE_SPOT", "weight": 3, "base": 0},
                                          {"capacityProvider": "FARGATE", "weight": 1, "base": 1}],
                networkConfiguration={"awsvpcConfiguration": {"subnets": ["subnet-0bbb2222"],
                                                              "securityGroups": ["sg-0wrk2222"]}}),
    ],
    "tasks": [
        task("0a1b2c3d4e5f", group="service:web", startedBy="ecs-svc/9223370564341623665", launchType="FARGATE",
             platformVersion="1.4.0", taskDefinitionArn=ECS + "task-definition/web:6", cpu="512", memory="1024",
             attachments=eni("subnet-0aaa1111")),   # an older revision, still draining
        task("1b2c3d4e5f6a", group="service:web", startedBy="ecs-svc/9223370564341623665", launchType="FARGATE",
             platformVersion="1.4.0", taskDefinitionArn=ECS + "task-definition/web:7", cpu="1024", memory="2048",
             attachments=eni("subnet-0bbb2222"), availabilityZone="us-east-1b"),
        task("2c3d4e5f6a7b", group="family:migrate", launchType="EC2",
             taskDefinitionArn=ECS + "task-definition/migrate:2",
             containerInstanceArn=ECS + "container-instance/shop/9f8e7d6c", cpu="128", memory="256",
             lastStatus="PENDING"),
    ],
}


def test_transform_ecs():
    items = transform("ecs.clusters", ECS_RAW, SCOPE)
    check_items(ECS_UNIT, items)
    web, legacy, workers = (ECS + f"service/shop/{name}" for name in ("web", "legacy", "workers"))
    task_web_6, task_web_7, task_migrate = (ECS + f"task/shop/{task_id}"
                                            for task_id in ("0a1b2c3d4e5f", "1b2c3d4e5f6a", "2c3d4e5f6a7b"))
    assert items == [
        Item(arn=CLUSTER, type="AWS::ECS::Cluster", name="shop", region="us-east-1", tags={"team": HOSTILE},
             attributes={"status": "ACTIVE", "capacityProviders": ["FARGATE", "FARGATE_SPOT"]}),
        # A Fargate service behind a target group: its size from the task of its current revision.
        Item(arn=web, type="AWS::ECS::Service", name="web", region="us-east-1",
             attributes={"clusterArn": CLUSTER, "status": "ACTIVE", "launchType": "FARGATE", "platformVersion": "1.4.0",
                         "schedulingStrategy": "REPLICA", "desiredCount": 2,
                         "taskDefinition": ECS + "task-definition/web:7", "cpu": 1024, "memory": 2048,
                         "assignPublicIp": "DISABLED", "created": CREATED_ISO},
             edges=[Edge("contains", CLUSTER, web), Edge("targets", TG, web),
                    Edge("contains", subnet_arn("subnet-0aaa1111"), web),
                    Edge("contains", subnet_arn("subnet-0bbb2222"), web),
                    Edge("secured_by", web, sg_arn("sg-0web1111"))]),
        Item(arn=legacy, type="AWS::ECS::Service", name="legacy", region="us-east-1",
             attributes={"clusterArn": CLUSTER, "status": "ACTIVE", "launchType": "EC2",
                         "schedulingStrategy": "REPLICA",
                         "desiredCount": 1, "taskDefinition": ECS + "task-definition/legacy:7",
                         "created": CREATED_ISO},
             edges=[Edge("contains", CLUSTER, legacy), Edge("targets", CLASSIC, legacy)]),
        # Placed by a capacity provider strategy of Fargate providers: Fargate.
        Item(arn=workers, type="AWS::ECS::Service", name="workers", region="us-east-1",
             attributes={"clusterArn": CLUSTER, "status": "ACTIVE", "launchType": "FARGATE",
                         "capacityProviders": ["FARGATE_SPOT", "FARGATE"], "schedulingStrategy": "REPLICA",
                         "desiredCount": 4, "taskDefinition": ECS + "task-definition/workers:7",
                         "created": CREATED_ISO},
             edges=[Edge("contains", CLUSTER, workers), Edge("contains", subnet_arn("subnet-0bbb2222"), workers),
                    Edge("secured_by", workers, sg_arn("sg-0wrk2222"))]),
        Item(arn=task_web_6, type="AWS::ECS::Task", name="0a1b2c3d4e5f", region="us-east-1",
             attributes={"clusterArn": CLUSTER, "taskDefinition": ECS + "task-definition/web:6", "group": "service:web",
                         "launchType": "FARGATE", "platformVersion": "1.4.0", "cpu": 512, "memory": 1024,
                         "lastStatus": "RUNNING", "availabilityZone": "us-east-1a", "started": CREATED_ISO},
             edges=[Edge("contains", CLUSTER, task_web_6), Edge("member_of", task_web_6, web),
                    Edge("contains", subnet_arn("subnet-0aaa1111"), task_web_6),
                    Edge("secured_by", task_web_6, sg_arn("sg-0web1111"))]),
        Item(arn=task_web_7, type="AWS::ECS::Task", name="1b2c3d4e5f6a", region="us-east-1",
             attributes={"clusterArn": CLUSTER, "taskDefinition": ECS + "task-definition/web:7", "group": "service:web",
                         "launchType": "FARGATE", "platformVersion": "1.4.0", "cpu": 1024, "memory": 2048,
                         "lastStatus": "RUNNING", "availabilityZone": "us-east-1b", "started": CREATED_ISO},
             edges=[Edge("contains", CLUSTER, task_web_7), Edge("member_of", task_web_7, web),
                    Edge("contains", subnet_arn("subnet-0bbb2222"), task_web_7),
                    Edge("secured_by", task_web_7, sg_arn("sg-0web1111"))]),
        Item(arn=task_migrate, type="AWS::ECS::Task", name="2c3d4e5f6a7b", region="us-east-1",
             attributes={"clusterArn": CLUSTER, "taskDefinition": ECS + "task-definition/migrate:2",
                         "group": "family:migrate", "launchType": "EC2", "cpu": 128, "memory": 256,
                         "lastStatus": "PENDING", "availabilityZone": "us-east-1a", "started": CREATED_ISO},
             edges=[Edge("contains", CLUSTER, task_migrate)]),
    ]


def test_ecs_against_moto(aws, vpc):
    """A Fargate service behind a target group, ten more services (DescribeServices takes ten at
    a time) and a standalone task. moto cannot run a Fargate task with awsvpc networking (its
    RunTask fails building the network interface), so the task runs in bridge mode and the
    task-in-subnet edges are tested by the transform."""
    client = aws.client("ecs")
    target_group = aws.client("elbv2").create_target_group(
        Name="web", Protocol="HTTP", Port=8080, VpcId=vpc.id, TargetType="ip")["TargetGroups"][0]["TargetGroupArn"]
    client.create_cluster(clusterName="shop")
    web_definition = client.register_task_definition(
        family="web", requiresCompatibilities=["FARGATE"], networkMode="awsvpc", cpu="256", memory="512",
        containerDefinitions=[{"name": "web", "image": "nginx", "cpu": 256, "memory": 512,
                               "environment": [{"name": "TOKEN", "value": SECRET}],
                               "portMappings": [{"containerPort": 8080}]}])["taskDefinition"]["taskDefinitionArn"]
    web = client.create_service(
        cluster="shop", serviceName="web", taskDefinition=web_definition, desiredCount=2, launchType="FARGATE",
        loadBalancers=[{"targetGroupArn": target_group, "containerName": "web", "containerPort": 8080}],
        networkConfiguration={"awsvpcConfiguration": {"subnets": vpc.subnets, "securityGroups": [vpc.group],
                                                      "assignPublicIp": "DISABLED"}})["service"]["serviceArn"]
    for n in range(10):
        client.create_service(cluster="shop", serviceName=f"worker-{n}", taskDefinition=web_definition, desiredCount=1)
    job_definition = client.register_task_definition(
        family="migrate", containerDefinitions=[{"name": "migrate", "image": "busybox", "cpu": 128, "memory": 256}],
    )["taskDefinition"]["taskDefinitionArn"]
    task_arn = client.run_task(cluster="shop", taskDefinition=job_definition,
                               launchType="FARGATE")["tasks"][0]["taskArn"]

    items, actions = run(ECS_UNIT, client)
    # One DescribeTaskDefinition for the one task definition the 11 services run.
    assert sorted(actions) == ["ecs:DescribeClusters", "ecs:DescribeServices", "ecs:DescribeServices",
                               "ecs:DescribeTaskDefinition", "ecs:DescribeTasks", "ecs:ListClusters",
                               "ecs:ListServices", "ecs:ListTasks"]
    cluster = ECS + "cluster/shop"
    assert items[cluster].type == "AWS::ECS::Cluster"
    service = items[web]
    assert (service.type, service.name, service.attributes["launchType"], service.attributes["desiredCount"]) == (
        "AWS::ECS::Service", "web", "FARGATE", 2)
    assert service.edges == [Edge("contains", cluster, web), Edge("targets", target_group, web),
                             *(Edge("contains", subnet_arn(s), web) for s in vpc.subnets),
                             Edge("secured_by", web, sg_arn(vpc.group))]
    assert sum(item.type == "AWS::ECS::Service" for item in items.values()) == 11
    # moto runs none of the services' tasks: the size is the task definition's, and nothing else of
    # the task definition (its containers' environment) is kept.
    assert (service.attributes["cpu"], service.attributes["memory"]) == (256, 512)
    assert SECRET not in repr(items)
    assert items[task_arn].type == "AWS::ECS::Task"
    assert items[task_arn].edges == [Edge("contains", cluster, task_arn)]


# --- EKS ----------------------------------------------------------------------------------------

EKS = "arn:aws:eks:us-east-1:123456789012:"
EKS_RAW = {
    "clusters": [{
        "name": "prod", "arn": EKS + "cluster/prod", "createdAt": CREATED, "version": "1.30",
        "endpoint": "https://A0DCCD80A04F01705DD065655C30CC3D.yl4.us-east-1.eks.amazonaws.com",
        "roleArn": "arn:aws:iam::123456789012:role/eks-cluster",
        "resourcesVpcConfig": {"subnetIds": ["subnet-0aaa1111", "subnet-0bbb2222"],
                               "securityGroupIds": ["sg-0ctl1111"], "clusterSecurityGroupId": "sg-0cls2222",
                               "vpcId": "vpc-0a1b2c3d", "endpointPublicAccess": True, "endpointPrivateAccess": False,
                               "publicAccessCidrs": ["0.0.0.0/0"]},
        "kubernetesNetworkConfig": {"serviceIpv4Cidr": "172.20.0.0/16", "ipFamily": "ipv4"},
        "logging": {"clusterLogging": [{"types": ["api", "audit"], "enabled": True}]},
        "identity": {"oidc": {"issuer": "https://oidc.eks.us-east-1.amazonaws.com/id/A0DCCD80A04F01705DD0656"}},
        "status": "ACTIVE", "certificateAuthority": {"data": "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0t"},
        "platformVersion": "eks.8", "tags": {"team": HOSTILE}, "upgradePolicy": {"supportType": "EXTENDED"},
        "accessConfig": {"authenticationMode": "API_AND_CONFIG_MAP"},
    }],
    "nodegroups": [{
        "nodegroupName": "general", "nodegroupArn": EKS + "nodegroup/prod/general/a1b2c3d4-5678-90ab-cdef-EXAMPLE11111",
        "clusterName": "prod", "version": "1.30", "releaseVersion": "1.30.0-20240703", "createdAt": CREATED,
        "modifiedAt": CREATED, "status": "ACTIVE", "capacityType": "SPOT",
        "scalingConfig": {"minSize": 2, "maxSize": 6, "desiredSize": 3}, "instanceTypes": ["m6g.large", "m7g.large"],
        "subnets": ["subnet-0aaa1111", "subnet-0bbb2222"],
        "remoteAccess": {"ec2SshKey": "ops", "sourceSecurityGroups": ["sg-0bastion"]},
        "amiType": "AL2023_ARM_64_STANDARD",
        "nodeRole": "arn:aws:iam::123456789012:role/eks-node", "labels": {"tier": "general"}, "taints": [],
        "resources": {"autoScalingGroups": [{"name": "eks-general-a1b2c3d4-5678-90ab-cdef-EXAMPLE11111"}],
                      "remoteAccessSecurityGroup": "sg-0ssh3333"},
        "diskSize": 50, "health": {"issues": []}, "updateConfig": {"maxUnavailable": 1}, "tags": {"team": "platform"},
    }],
}


def test_transform_eks():
    items = transform("eks.clusters", EKS_RAW, SCOPE)
    check_items(EKS_UNIT, items)
    cluster, nodegroup = EKS + "cluster/prod", EKS + "nodegroup/prod/general/a1b2c3d4-5678-90ab-cdef-EXAMPLE11111"
    assert items == [
        Item(arn=cluster, type="AWS::EKS::Cluster", name="prod", region="us-east-1", tags={"team": HOSTILE},
             attributes={"version": "1.30", "platformVersion": "eks.8", "status": "ACTIVE", "supportType": "EXTENDED",
                         "vpcId": "vpc-0a1b2c3d", "endpointPublicAccess": True, "endpointPrivateAccess": False,
                         "created": CREATED_ISO},
             edges=[Edge("contains", subnet_arn("subnet-0aaa1111"), cluster),
                    Edge("contains", subnet_arn("subnet-0bbb2222"), cluster),
                    Edge("secured_by", cluster, sg_arn("sg-0ctl1111")),
                    Edge("secured_by", cluster, sg_arn("sg-0cls2222"))]),
        Item(arn=nodegroup, type="AWS::EKS::Nodegroup", name="general", region="us-east-1", tags={"team": "platform"},
             attributes={"clusterName": "prod", "status": "ACTIVE", "capacityType": "SPOT",
                         "instanceTypes": ["m6g.large", "m7g.large"], "amiType": "AL2023_ARM_64_STANDARD",
                         "diskSize": 50, "minSize": 2, "maxSize": 6, "desiredSize": 3, "version": "1.30",
                         "autoScalingGroups": ["eks-general-a1b2c3d4-5678-90ab-cdef-EXAMPLE11111"],
                         "created": CREATED_ISO},
             edges=[Edge("contains", cluster, nodegroup),
                    Edge("contains", subnet_arn("subnet-0aaa1111"), nodegroup),
                    Edge("contains", subnet_arn("subnet-0bbb2222"), nodegroup),
                    Edge("secured_by", nodegroup, sg_arn("sg-0ssh3333"))]),
    ]


def test_eks_against_moto(aws, vpc):
    client = aws.client("eks")
    cluster = client.create_cluster(
        name="prod", version="1.30", roleArn="arn:aws:iam::123456789012:role/eks-cluster",
        resourcesVpcConfig={"subnetIds": vpc.subnets, "securityGroupIds": [vpc.group]})["cluster"]["arn"]
    nodegroup = client.create_nodegroup(
        clusterName="prod", nodegroupName="general", subnets=vpc.subnets,
        nodeRole="arn:aws:iam::123456789012:role/node",
        instanceTypes=["m6g.large"], scalingConfig={"minSize": 1, "maxSize": 3, "desiredSize": 2},
    )["nodegroup"]["nodegroupArn"]
    client.create_cluster(name="empty", roleArn="arn:aws:iam::123456789012:role/eks-cluster",
                          resourcesVpcConfig={"subnetIds": vpc.subnets})
    items, actions = run(EKS_UNIT, client)
    assert sorted(actions) == ["eks:DescribeCluster"] * 2 + ["eks:DescribeNodegroup", "eks:ListClusters"] + [
        "eks:ListNodegroups"] * 2
    assert (items[cluster].type, items[cluster].attributes["version"]) == ("AWS::EKS::Cluster", "1.30")
    assert items[cluster].edges == [*(Edge("contains", subnet_arn(s), cluster) for s in vpc.subnets),
                                    Edge("secured_by", cluster, sg_arn(vpc.group))]
    group = items[nodegroup]
    assert (group.type, group.name, group.attributes["instanceTypes"], group.attributes["desiredSize"]) == (
        "AWS::EKS::Nodegroup", "general", ["m6g.large"], 2)
    assert Edge("contains", cluster, nodegroup) in group.edges


# --- ECR ----------------------------------------------------------------------------------------

ECR = "arn:aws:ecr:us-east-1:123456789012:repository/"
DESCRIBE_REPOSITORIES = {"repositories": [
    {"repositoryArn": ECR + "shop/web", "registryId": "123456789012", "repositoryName": "shop/web",
     "repositoryUri": "123456789012.dkr.ecr.us-east-1.amazonaws.com/shop/web", "createdAt": CREATED,
     "imageTagMutability": "IMMUTABLE", "imageScanningConfiguration": {"scanOnPush": True},
     "encryptionConfiguration": {"encryptionType": "KMS", "kmsKey": "arn:aws:kms:us-east-1:123456789012:key/abcd"}},
]}


def test_transform_repositories():
    items = transform("ecr.repositories", DESCRIBE_REPOSITORIES["repositories"], SCOPE)
    check_items(ECR_UNIT, items)
    assert items == [Item(
        arn=ECR + "shop/web", type="AWS::ECR::Repository", name="shop/web", region="us-east-1",
        attributes={"uri": "123456789012.dkr.ecr.us-east-1.amazonaws.com/shop/web", "imageTagMutability": "IMMUTABLE",
                    "scanOnPush": True, "encryptionType": "KMS", "created": CREATED_ISO})]


def test_repositories_against_moto(aws):
    client = aws.client("ecr")
    client.create_repository(repositoryName="shop/web", imageTagMutability="IMMUTABLE")
    items, actions = run(ECR_UNIT, client)
    assert actions == ["ecr:DescribeRepositories"]
    repository = items[ECR + "shop/web"]
    assert (repository.type, repository.name, repository.attributes["imageTagMutability"]) == (
        "AWS::ECR::Repository", "shop/web", "IMMUTABLE")
