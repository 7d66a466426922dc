"""services/collector/discovery/ec2.py: each unit's transform against responses shaped like the
EC2 API reference's examples, and its get + transform against moto in-process."""
from __future__ import annotations

import json
from dataclasses import asdict
from types import SimpleNamespace

import pytest

from services.collector.discovery import ec2
from services.collector.model import Edge, Item
from tests.services.collector.harness import (
    ACCOUNT,
    CREATED,
    CREATED_ISO,
    HOSTILE,
    OTHER_ACCOUNT,
    SCOPE,
    mocked_aws,
    page_sizes,
    run,
    transform,
)

UNITS = {unit.name: unit for unit in ec2.UNITS}
LINUX_AMI = "ami-760aaa0f"  # in moto's image list, without a platform (moto's ami-12c6146b is Windows)


def arn(kind: str, resource_id: str, account: str = ACCOUNT) -> str:
    return SCOPE.ec2_arn(kind, resource_id, account=account)


def item(kind: str, resource_id: str, cfn_type: str, name: str, attributes: dict, edges=(), tags=None) -> Item:
    return Item(arn(kind, resource_id), cfn_type, name, "us-east-1", tags or {}, attributes, list(edges))


def contains(parent: str, child: str) -> Edge:
    return Edge("contains", parent, child)


VPC, VPC_B = arn("vpc", "vpc-0a60eb65b4EXAMPLE"), arn("vpc", "vpc-06e4ab6c6cEXAMPLE")
SUBNET_A, SUBNET_B = arn("subnet", "subnet-0bb1c79de3EXAMPLE"), arn("subnet", "subnet-0d3f1b7c2aEXAMPLE")
ZONE_A = SCOPE.availability_zone_arn("us-east-1a")
SG_WEB, SG_DB = arn("security-group", "sg-0a1b2c3d4eEXAMPLE"), arn("security-group", "sg-0f9e8d7c6bEXAMPLE")


# --- transforms ------------------------------------------------------------------------------

def test_vpcs():
    vpcs = [{
        "CidrBlock": "10.0.0.0/16", "DhcpOptionsId": "dopt-19edf471", "State": "available",
        "VpcId": "vpc-0a60eb65b4EXAMPLE", "OwnerId": ACCOUNT, "InstanceTenancy": "default",
        "Ipv6CidrBlockAssociationSet": [{"AssociationId": "vpc-cidr-assoc-0a1",
                                         "Ipv6CidrBlock": "2600:1f16:115:200::/56",
                                         "Ipv6CidrBlockState": {"State": "associated"},
                                         "NetworkBorderGroup": "us-east-1", "Ipv6Pool": "Amazon"}],
        "CidrBlockAssociationSet": [
            {"AssociationId": "vpc-cidr-assoc-0a2", "CidrBlock": "10.0.0.0/16",
             "CidrBlockState": {"State": "associated"}},
            {"AssociationId": "vpc-cidr-assoc-0a3", "CidrBlock": "10.5.0.0/16",
             "CidrBlockState": {"State": "disassociated"}},
        ],
        "IsDefault": False, "Tags": [{"Key": "Name", "Value": HOSTILE}, {"Key": "env", "Value": "prod"}],
    }, {
        # A VPC shared with this account by RAM: named in this account, its owner kept.
        "CidrBlock": "172.31.0.0/16", "DhcpOptionsId": "dopt-19edf471", "State": "available",
        "VpcId": "vpc-06e4ab6c6cEXAMPLE", "OwnerId": OTHER_ACCOUNT, "InstanceTenancy": "default",
        "CidrBlockAssociationSet": [{"AssociationId": "vpc-cidr-assoc-0b1", "CidrBlock": "172.31.0.0/16",
                                     "CidrBlockState": {"State": "associated"}}],
        "IsDefault": True,
    }]
    assert transform("ec2.vpcs", vpcs, SCOPE) == [
        item("vpc", "vpc-0a60eb65b4EXAMPLE", "AWS::EC2::VPC", HOSTILE, {
            "vpcId": "vpc-0a60eb65b4EXAMPLE", "cidrBlock": "10.0.0.0/16", "cidrBlocks": ["10.0.0.0/16"],
            "ipv6CidrBlocks": ["2600:1f16:115:200::/56"], "isDefault": False, "state": "available",
            "instanceTenancy": "default", "ownerId": ACCOUNT,
        }, tags={"Name": HOSTILE, "env": "prod"}),
        item("vpc", "vpc-06e4ab6c6cEXAMPLE", "AWS::EC2::VPC", "vpc-06e4ab6c6cEXAMPLE", {
            "vpcId": "vpc-06e4ab6c6cEXAMPLE", "cidrBlock": "172.31.0.0/16", "cidrBlocks": ["172.31.0.0/16"],
            "ipv6CidrBlocks": [], "isDefault": True, "state": "available", "instanceTenancy": "default",
            "ownerId": OTHER_ACCOUNT,
        }),
    ]


def test_availability_zones():
    zones = [{"State": "available", "OptInStatus": "opt-in-not-required", "Messages": [], "RegionName": "us-east-1",
              "ZoneName": "us-east-1a", "ZoneId": "use1-az6", "GroupName": "us-east-1",
              "NetworkBorderGroup": "us-east-1", "ZoneType": "availability-zone"}]
    assert transform("ec2.availability_zones", zones, SCOPE) == [
        Item("arn:aws:ec2:us-east-1:123456789012:availability-zone/us-east-1a", "AWS::EC2::AvailabilityZone",
             "us-east-1a", "us-east-1", {}, {"zoneId": "use1-az6", "state": "available",
                                              "zoneType": "availability-zone"}, []),
    ]


def test_subnets():
    subnets = [{
        "AvailabilityZone": "us-east-1a", "AvailabilityZoneId": "use1-az6", "AvailableIpAddressCount": 4089,
        "CidrBlock": "10.0.0.0/20", "DefaultForAz": False, "MapPublicIpOnLaunch": True, "State": "available",
        "SubnetId": "subnet-0bb1c79de3EXAMPLE", "VpcId": "vpc-0a60eb65b4EXAMPLE", "OwnerId": ACCOUNT,
        "AssignIpv6AddressOnCreation": False, "Ipv6CidrBlockAssociationSet": [],
        "Tags": [{"Key": "Name", "Value": "public-a"}],
        "SubnetArn": "arn:aws:ec2:us-east-1:123456789012:subnet/subnet-0bb1c79de3EXAMPLE",
    }, {
        # Shared by another account: named in this one, so that its instances' edges meet it.
        "AvailabilityZone": "us-east-1a", "AvailabilityZoneId": "use1-az6", "AvailableIpAddressCount": 250,
        "CidrBlock": "172.31.0.0/24", "DefaultForAz": False, "MapPublicIpOnLaunch": False, "State": "available",
        "SubnetId": "subnet-0d3f1b7c2aEXAMPLE", "VpcId": "vpc-06e4ab6c6cEXAMPLE", "OwnerId": OTHER_ACCOUNT,
        "SubnetArn": "arn:aws:ec2:us-east-1:210987654321:subnet/subnet-0d3f1b7c2aEXAMPLE",
    }]
    assert transform("ec2.subnets", subnets, SCOPE) == [
        item("subnet", "subnet-0bb1c79de3EXAMPLE", "AWS::EC2::Subnet", "public-a", {
            "subnetId": "subnet-0bb1c79de3EXAMPLE", "vpcId": "vpc-0a60eb65b4EXAMPLE", "cidrBlock": "10.0.0.0/20",
            "ipv6CidrBlocks": [], "availabilityZone": "us-east-1a", "availabilityZoneId": "use1-az6",
            "mapPublicIpOnLaunch": True, "defaultForAz": False, "state": "available", "ownerId": ACCOUNT,
        }, [contains(VPC, SUBNET_A), contains(ZONE_A, SUBNET_A)], tags={"Name": "public-a"}),
        item("subnet", "subnet-0d3f1b7c2aEXAMPLE", "AWS::EC2::Subnet", "subnet-0d3f1b7c2aEXAMPLE", {
            "subnetId": "subnet-0d3f1b7c2aEXAMPLE", "vpcId": "vpc-06e4ab6c6cEXAMPLE", "cidrBlock": "172.31.0.0/24",
            "ipv6CidrBlocks": [], "availabilityZone": "us-east-1a", "availabilityZoneId": "use1-az6",
            "mapPublicIpOnLaunch": False, "defaultForAz": False, "state": "available", "ownerId": OTHER_ACCOUNT,
        }, [contains(VPC_B, SUBNET_B), contains(ZONE_A, SUBNET_B)]),
    ]


def test_route_tables():
    tables = [{
        "Associations": [
            {"Main": True, "RouteTableAssociationId": "rtbassoc-0df3f54e06EXAMPLE",
             "RouteTableId": "rtb-09ba434c1bEXAMPLE", "AssociationState": {"State": "associated"}},
            {"Main": False, "RouteTableAssociationId": "rtbassoc-0a1b2c3d4eEXAMPLE",
             "RouteTableId": "rtb-09ba434c1bEXAMPLE", "SubnetId": "subnet-0bb1c79de3EXAMPLE",
             "AssociationState": {"State": "associated"}},
            {"Main": False, "RouteTableAssociationId": "rtbassoc-0f0f0f0f0fEXAMPLE",
             "RouteTableId": "rtb-09ba434c1bEXAMPLE", "SubnetId": "subnet-0d3f1b7c2aEXAMPLE",
             "AssociationState": {"State": "disassociated"}},
        ],
        "PropagatingVgws": [], "RouteTableId": "rtb-09ba434c1bEXAMPLE",
        "Routes": [
            {"DestinationCidrBlock": "10.0.0.0/16", "GatewayId": "local", "Origin": "CreateRouteTable",
             "State": "active"},
            {"DestinationCidrBlock": "0.0.0.0/0", "GatewayId": "igw-06095d83ebEXAMPLE", "Origin": "CreateRoute",
             "State": "active"},
            {"DestinationCidrBlock": "10.8.0.0/16", "NatGatewayId": "nat-05dba92075EXAMPLE", "Origin": "CreateRoute",
             "State": "active"},
            {"DestinationCidrBlock": "10.20.0.0/16", "TransitGatewayId": "tgw-0262a0e521EXAMPLE",
             "Origin": "CreateRoute", "State": "active"},
            {"DestinationCidrBlock": "10.30.0.0/16", "VpcPeeringConnectionId": "pcx-111aaa22EXAMPLE",
             "Origin": "CreateRoute", "State": "active"},
            {"DestinationPrefixListId": "pl-63a5400a", "GatewayId": "vpce-0c5ae7a6e1EXAMPLE",
             "Origin": "CreateRoute", "State": "active"},
            {"DestinationCidrBlock": "192.168.0.0/16", "GatewayId": "vgw-9a4cacf3EXAMPLE",
             "Origin": "EnableVgwRoutePropagation", "State": "active"},
            {"DestinationCidrBlock": "10.40.0.0/16", "InstanceId": "i-1234567890abcdef0",
             "InstanceOwnerId": ACCOUNT, "NetworkInterfaceId": "eni-0a1b2c3dEXAMPLE", "Origin": "CreateRoute",
             "State": "active"},
            {"DestinationIpv6CidrBlock": "::/0", "EgressOnlyInternetGatewayId": "eigw-015e0e244eEXAMPLE",
             "Origin": "CreateRoute", "State": "active"},
            # Its NAT gateway was deleted: no edge to it.
            {"DestinationCidrBlock": "10.9.0.0/16", "NatGatewayId": "nat-0deadbeefdEXAMPLE", "Origin": "CreateRoute",
             "State": "blackhole"},
        ],
        "Tags": [{"Key": "Name", "Value": "public"}], "VpcId": "vpc-0a60eb65b4EXAMPLE", "OwnerId": ACCOUNT,
    }]
    table = arn("route-table", "rtb-09ba434c1bEXAMPLE")
    assert transform("ec2.route_tables", tables, SCOPE) == [
        item("route-table", "rtb-09ba434c1bEXAMPLE", "AWS::EC2::RouteTable", "public", {
            "routeTableId": "rtb-09ba434c1bEXAMPLE", "vpcId": "vpc-0a60eb65b4EXAMPLE", "main": True,
            "routes": [
                {"destination": "10.0.0.0/16", "target": "local", "state": "active"},
                {"destination": "0.0.0.0/0", "target": "igw-06095d83ebEXAMPLE", "state": "active"},
                {"destination": "10.8.0.0/16", "target": "nat-05dba92075EXAMPLE", "state": "active"},
                {"destination": "10.20.0.0/16", "target": "tgw-0262a0e521EXAMPLE", "state": "active"},
                {"destination": "10.30.0.0/16", "target": "pcx-111aaa22EXAMPLE", "state": "active"},
                {"destination": "pl-63a5400a", "target": "vpce-0c5ae7a6e1EXAMPLE", "state": "active"},
                {"destination": "192.168.0.0/16", "target": "vgw-9a4cacf3EXAMPLE", "state": "active"},
                {"destination": "10.40.0.0/16", "target": "i-1234567890abcdef0", "state": "active"},
                {"destination": "::/0", "target": "eigw-015e0e244eEXAMPLE", "state": "active"},
                {"destination": "10.9.0.0/16", "target": "nat-0deadbeefdEXAMPLE", "state": "blackhole"},
            ],
        }, [
            contains(VPC, table),
            Edge("attached_to", table, SUBNET_A),
            Edge("routes_to", table, arn("internet-gateway", "igw-06095d83ebEXAMPLE")),
            Edge("routes_to", table, arn("natgateway", "nat-05dba92075EXAMPLE")),
            Edge("routes_to", table, arn("transit-gateway", "tgw-0262a0e521EXAMPLE")),
            Edge("routes_to", table, arn("vpc-peering-connection", "pcx-111aaa22EXAMPLE")),
            Edge("routes_to", table, arn("vpc-endpoint", "vpce-0c5ae7a6e1EXAMPLE")),
            Edge("routes_to", table, arn("vpn-gateway", "vgw-9a4cacf3EXAMPLE")),
            Edge("routes_to", table, arn("instance", "i-1234567890abcdef0")),
        ], tags={"Name": "public"}),
    ]


def test_internet_gateways():
    gateways = [
        {"Attachments": [{"State": "available", "VpcId": "vpc-0a60eb65b4EXAMPLE"}],
         "InternetGatewayId": "igw-06095d83ebEXAMPLE", "OwnerId": ACCOUNT, "Tags": []},
        {"Attachments": [], "InternetGatewayId": "igw-0d0fb496b3EXAMPLE", "OwnerId": ACCOUNT,
         "Tags": [{"Key": "Name", "Value": "spare"}]},
    ]
    igw = arn("internet-gateway", "igw-06095d83ebEXAMPLE")
    assert transform("ec2.internet_gateways", gateways, SCOPE) == [
        item("internet-gateway", "igw-06095d83ebEXAMPLE", "AWS::EC2::InternetGateway", "igw-06095d83ebEXAMPLE",
             {"internetGatewayId": "igw-06095d83ebEXAMPLE", "vpcIds": ["vpc-0a60eb65b4EXAMPLE"]},
             [Edge("attached_to", igw, VPC)]),
        item("internet-gateway", "igw-0d0fb496b3EXAMPLE", "AWS::EC2::InternetGateway", "spare",
             {"internetGatewayId": "igw-0d0fb496b3EXAMPLE", "vpcIds": []}, tags={"Name": "spare"}),
    ]


def test_nat_gateways():
    def nat(nat_id: str, state: str, **fields) -> dict:
        return {"CreateTime": CREATED, "NatGatewayId": nat_id, "State": state, "VpcId": "vpc-0a60eb65b4EXAMPLE",
                "ConnectivityType": "public", **fields}

    address = {"AllocationId": "eipalloc-0be6ecac95EXAMPLE", "NetworkInterfaceId": "eni-09bfa0a4f0EXAMPLE",
               "PrivateIp": "10.0.0.74", "PublicIp": "3.211.231.218", "AssociationId": "eipassoc-0a1",
               "IsPrimary": True, "Status": "succeeded"}
    gateways = [
        nat("nat-05dba92075EXAMPLE", "available", SubnetId="subnet-0bb1c79de3EXAMPLE", NatGatewayAddresses=[address],
            Tags=[{"Key": "Name", "Value": "egress-a"}]),
        nat("nat-0aaa11112222EXAMPLE", "deleted", SubnetId="subnet-0bb1c79de3EXAMPLE", DeleteTime=CREATED),
        # A regional NAT gateway has no subnet: its VPC contains it.
        nat("nat-0bbb33334444EXAMPLE", "available", AvailabilityMode="regional", NatGatewayAddresses=[]),
    ]
    zonal, regional = arn("natgateway", "nat-05dba92075EXAMPLE"), arn("natgateway", "nat-0bbb33334444EXAMPLE")
    assert transform("ec2.nat_gateways", gateways, SCOPE) == [
        item("natgateway", "nat-05dba92075EXAMPLE", "AWS::EC2::NatGateway", "egress-a", {
            "natGatewayId": "nat-05dba92075EXAMPLE", "connectivityType": "public", "availabilityMode": "zonal",
            "state": "available", "vpcId": "vpc-0a60eb65b4EXAMPLE", "subnetId": "subnet-0bb1c79de3EXAMPLE",
            "publicIps": ["3.211.231.218"], "privateIps": ["10.0.0.74"], "createTime": CREATED_ISO,
        }, [contains(SUBNET_A, zonal)], tags={"Name": "egress-a"}),
        item("natgateway", "nat-0bbb33334444EXAMPLE", "AWS::EC2::NatGateway", "nat-0bbb33334444EXAMPLE", {
            "natGatewayId": "nat-0bbb33334444EXAMPLE", "connectivityType": "public", "availabilityMode": "regional",
            "state": "available", "vpcId": "vpc-0a60eb65b4EXAMPLE", "subnetId": None, "publicIps": [],
            "privateIps": [], "createTime": CREATED_ISO,
        }, [contains(VPC, regional)]),
    ]


def test_vpc_endpoints():
    endpoints = [{
        "VpcEndpointId": "vpce-032a826a0aEXAMPLE", "VpcEndpointType": "Interface", "VpcId": "vpc-0a60eb65b4EXAMPLE",
        "ServiceName": "com.amazonaws.us-east-1.sqs", "State": "available", "PolicyDocument": "{...}",
        "RouteTableIds": [], "SubnetIds": ["subnet-0bb1c79de3EXAMPLE", "subnet-0d3f1b7c2aEXAMPLE"],
        "Groups": [{"GroupId": "sg-0a1b2c3d4eEXAMPLE", "GroupName": "web"}], "PrivateDnsEnabled": True,
        "RequesterManaged": False, "NetworkInterfaceIds": ["eni-0d1a2b3cEXAMPLE", "eni-0e4f5a6bEXAMPLE"],
        "DnsEntries": [{"DnsName": "vpce-032a826a0a.sqs.us-east-1.vpce.amazonaws.com",
                        "HostedZoneId": "Z7HUB22UULQXV"}],
        "CreationTimestamp": CREATED, "Tags": [], "OwnerId": ACCOUNT,
    }, {
        "VpcEndpointId": "vpce-0c5ae7a6e1EXAMPLE", "VpcEndpointType": "Gateway", "VpcId": "vpc-0a60eb65b4EXAMPLE",
        "ServiceName": "com.amazonaws.us-east-1.s3", "State": "available", "RouteTableIds": ["rtb-09ba434c1bEXAMPLE"],
        "SubnetIds": [], "Groups": [], "PrivateDnsEnabled": False, "NetworkInterfaceIds": [], "DnsEntries": [],
        "CreationTimestamp": CREATED, "Tags": [{"Key": "Name", "Value": "s3"}], "OwnerId": ACCOUNT,
    }, {
        "VpcEndpointId": "vpce-0dddeeeefffEXAMPLE", "VpcEndpointType": "Interface", "VpcId": "vpc-0a60eb65b4EXAMPLE",
        "ServiceName": "com.amazonaws.us-east-1.sns", "State": "Deleted", "SubnetIds": [], "CreationTimestamp": CREATED,
    }]
    interface, gateway = arn("vpc-endpoint", "vpce-032a826a0aEXAMPLE"), arn("vpc-endpoint", "vpce-0c5ae7a6e1EXAMPLE")
    assert transform("ec2.vpc_endpoints", endpoints, SCOPE) == [
        item("vpc-endpoint", "vpce-032a826a0aEXAMPLE", "AWS::EC2::VPCEndpoint", "vpce-032a826a0aEXAMPLE", {
            "vpcEndpointId": "vpce-032a826a0aEXAMPLE", "vpcEndpointType": "Interface",
            "serviceName": "com.amazonaws.us-east-1.sqs", "state": "available", "vpcId": "vpc-0a60eb65b4EXAMPLE",
            "privateDnsEnabled": True, "networkInterfaceCount": 2, "creationTimestamp": CREATED_ISO,
        }, [contains(SUBNET_A, interface), contains(SUBNET_B, interface), Edge("secured_by", interface, SG_WEB)]),
        item("vpc-endpoint", "vpce-0c5ae7a6e1EXAMPLE", "AWS::EC2::VPCEndpoint", "s3", {
            "vpcEndpointId": "vpce-0c5ae7a6e1EXAMPLE", "vpcEndpointType": "Gateway",
            "serviceName": "com.amazonaws.us-east-1.s3", "state": "available", "vpcId": "vpc-0a60eb65b4EXAMPLE",
            "privateDnsEnabled": False, "networkInterfaceCount": 0, "creationTimestamp": CREATED_ISO,
        }, [contains(VPC, gateway)], tags={"Name": "s3"}),
    ]


def test_vpc_peering_connections():
    peerings = [{
        # Requested here, accepted by another account's VPC in another region.
        "AccepterVpcInfo": {"CidrBlock": "10.30.0.0/16", "OwnerId": OTHER_ACCOUNT, "VpcId": "vpc-0f1e2d3cEXAMPLE",
                            "Region": "eu-west-1", "PeeringOptions": {"AllowDnsResolutionFromRemoteVpc": False}},
        "RequesterVpcInfo": {"CidrBlock": "10.0.0.0/16", "OwnerId": ACCOUNT, "VpcId": "vpc-0a60eb65b4EXAMPLE",
                             "Region": "us-east-1", "CidrBlockSet": [{"CidrBlock": "10.0.0.0/16"}]},
        "Status": {"Code": "active", "Message": "Active"}, "Tags": [{"Key": "Name", "Value": "to-analytics"}],
        "VpcPeeringConnectionId": "pcx-111aaa22EXAMPLE", "ExpirationTime": CREATED,
    }, {
        "AccepterVpcInfo": {"OwnerId": OTHER_ACCOUNT, "VpcId": "vpc-0bad0bad0EXAMPLE", "Region": "us-east-1"},
        "RequesterVpcInfo": {"OwnerId": ACCOUNT, "VpcId": "vpc-0a60eb65b4EXAMPLE", "Region": "us-east-1"},
        "Status": {"Code": "rejected", "Message": "Rejected"}, "VpcPeeringConnectionId": "pcx-222bbb33EXAMPLE",
    }]
    peering = arn("vpc-peering-connection", "pcx-111aaa22EXAMPLE")
    assert transform("ec2.vpc_peering_connections", peerings, SCOPE) == [
        item("vpc-peering-connection", "pcx-111aaa22EXAMPLE", "AWS::EC2::VPCPeeringConnection", "to-analytics", {
            "vpcPeeringConnectionId": "pcx-111aaa22EXAMPLE", "status": "active",
            "requester": {"vpcId": "vpc-0a60eb65b4EXAMPLE", "ownerId": ACCOUNT, "region": "us-east-1",
                          "cidrBlock": "10.0.0.0/16"},
            "accepter": {"vpcId": "vpc-0f1e2d3cEXAMPLE", "ownerId": OTHER_ACCOUNT, "region": "eu-west-1",
                         "cidrBlock": "10.30.0.0/16"},
        }, [Edge("routes_to", peering, VPC),
            Edge("routes_to", peering, "arn:aws:ec2:eu-west-1:210987654321:vpc/vpc-0f1e2d3cEXAMPLE")],
            tags={"Name": "to-analytics"}),
    ]


def test_transit_gateways():
    gateways = [{
        "TransitGatewayId": "tgw-0262a0e521EXAMPLE",
        "TransitGatewayArn": "arn:aws:ec2:us-east-1:123456789012:transit-gateway/tgw-0262a0e521EXAMPLE",
        "State": "available", "OwnerId": ACCOUNT, "Description": "hub", "CreationTime": CREATED,
        "Options": {"AmazonSideAsn": 64516, "AutoAcceptSharedAttachments": "enable",
                    "DefaultRouteTableAssociation": "enable", "DnsSupport": "enable", "VpnEcmpSupport": "enable"},
        "Tags": [{"Key": "Name", "Value": "hub"}],
    }, {"TransitGatewayId": "tgw-0999deleteEXAMPLE", "State": "deleted", "OwnerId": ACCOUNT, "CreationTime": CREATED}]
    assert transform("ec2.transit_gateways", gateways, SCOPE) == [
        item("transit-gateway", "tgw-0262a0e521EXAMPLE", "AWS::EC2::TransitGateway", "hub", {
            "transitGatewayId": "tgw-0262a0e521EXAMPLE", "state": "available", "ownerId": ACCOUNT,
            "description": "hub", "amazonSideAsn": 64516, "creationTime": CREATED_ISO,
        }, tags={"Name": "hub"}),
    ]


def test_transit_gateway_attachments():
    def attachment(attachment_id: str, resource_type: str, resource_id: str, owner: str, state: str = "available"):
        return {"TransitGatewayAttachmentId": attachment_id, "TransitGatewayId": "tgw-0262a0e521EXAMPLE",
                "TransitGatewayOwnerId": ACCOUNT, "ResourceOwnerId": owner, "ResourceType": resource_type,
                "ResourceId": resource_id, "State": state, "CreationTime": CREATED,
                "Association": {"TransitGatewayRouteTableId": "tgw-rtb-0b2c3d4eEXAMPLE", "State": "associated"},
                "Tags": []}

    attachments = [
        attachment("tgw-attach-0a1b2c3dEXAMPLE", "vpc", "vpc-0a60eb65b4EXAMPLE", ACCOUNT),
        # Another account's VPC attached to this account's transit gateway.
        attachment("tgw-attach-0e5f6a7bEXAMPLE", "vpc", "vpc-0f1e2d3cEXAMPLE", OTHER_ACCOUNT),
        attachment("tgw-attach-0c8d9e0fEXAMPLE", "vpn", "vpn-40f41529EXAMPLE", ACCOUNT),
        attachment("tgw-attach-0deadbeeEXAMPLE", "vpc", "vpc-0a60eb65b4EXAMPLE", ACCOUNT, state="deleted"),
    ]
    tgw = arn("transit-gateway", "tgw-0262a0e521EXAMPLE")

    def expected(attachment_id, resource_type, resource_id, owner, vpc_arn=None):
        source = arn("transit-gateway-attachment", attachment_id)
        edges = [Edge("attached_to", source, tgw)] + ([Edge("attached_to", source, vpc_arn)] if vpc_arn else [])
        return item("transit-gateway-attachment", attachment_id, "AWS::EC2::TransitGatewayAttachment", attachment_id, {
            "transitGatewayAttachmentId": attachment_id, "transitGatewayId": "tgw-0262a0e521EXAMPLE",
            "transitGatewayOwnerId": ACCOUNT, "resourceType": resource_type, "resourceId": resource_id,
            "resourceOwnerId": owner, "state": "available", "creationTime": CREATED_ISO,
        }, edges)

    assert transform("ec2.transit_gateway_attachments", attachments, SCOPE) == [
        expected("tgw-attach-0a1b2c3dEXAMPLE", "vpc", "vpc-0a60eb65b4EXAMPLE", ACCOUNT, VPC),
        expected("tgw-attach-0e5f6a7bEXAMPLE", "vpc", "vpc-0f1e2d3cEXAMPLE", OTHER_ACCOUNT,
                 arn("vpc", "vpc-0f1e2d3cEXAMPLE", account=OTHER_ACCOUNT)),
        expected("tgw-attach-0c8d9e0fEXAMPLE", "vpn", "vpn-40f41529EXAMPLE", ACCOUNT),
    ]


def test_vpn_gateways():
    gateways = [{
        "State": "available", "Type": "ipsec.1", "VpnGatewayId": "vgw-9a4cacf3EXAMPLE", "AmazonSideAsn": 64512,
        "VpcAttachments": [{"State": "attached", "VpcId": "vpc-0a60eb65b4EXAMPLE"},
                           {"State": "detached", "VpcId": "vpc-06e4ab6c6cEXAMPLE"}],
        "Tags": [{"Key": "Name", "Value": "office"}],
    }, {"State": "deleted", "Type": "ipsec.1", "VpnGatewayId": "vgw-0dead0000EXAMPLE", "VpcAttachments": []}]
    vgw = arn("vpn-gateway", "vgw-9a4cacf3EXAMPLE")
    assert transform("ec2.vpn_gateways", gateways, SCOPE) == [
        item("vpn-gateway", "vgw-9a4cacf3EXAMPLE", "AWS::EC2::VPNGateway", "office", {
            "vpnGatewayId": "vgw-9a4cacf3EXAMPLE", "type": "ipsec.1", "state": "available", "amazonSideAsn": 64512,
            "vpcIds": ["vpc-0a60eb65b4EXAMPLE"],
        }, [Edge("attached_to", vgw, VPC)], tags={"Name": "office"}),
    ]


def test_vpn_connections_never_keep_the_pre_shared_keys():
    secret = "psk-Example0123456789abcdefABCDEF"
    connections = [{
        "CustomerGatewayConfiguration": f"<vpn_connection><pre_shared_key>{secret}</pre_shared_key></vpn_connection>",
        "CustomerGatewayId": "cgw-0e11f167EXAMPLE", "Category": "VPN", "State": "available", "Type": "ipsec.1",
        "VpnConnectionId": "vpn-40f41529EXAMPLE", "VpnGatewayId": "vgw-9a4cacf3EXAMPLE",
        "Options": {"StaticRoutesOnly": True, "TunnelOptions": [{"OutsideIpAddress": "203.0.113.3",
                                                                 "PreSharedKey": secret}]},
        "Routes": [],
        "VgwTelemetry": [{"Status": "UP", "LastStatusChange": CREATED, "OutsideIpAddress": "203.0.113.3"}],
        "Tags": [{"Key": "Name", "Value": "office"}],
    }, {
        "CustomerGatewayId": "cgw-0e11f167EXAMPLE", "Category": "VPN", "State": "available", "Type": "ipsec.1",
        "VpnConnectionId": "vpn-0b2b3c4dEXAMPLE", "TransitGatewayId": "tgw-0262a0e521EXAMPLE",
        "Options": {"StaticRoutesOnly": False},
    }, {"CustomerGatewayId": "cgw-0e11f167EXAMPLE", "State": "deleted", "Type": "ipsec.1",
        "VpnConnectionId": "vpn-0dead000EXAMPLE", "VpnGatewayId": "vgw-9a4cacf3EXAMPLE"}]
    cgw = arn("customer-gateway", "cgw-0e11f167EXAMPLE")
    to_vgw, to_tgw = arn("vpn-connection", "vpn-40f41529EXAMPLE"), arn("vpn-connection", "vpn-0b2b3c4dEXAMPLE")
    items = transform("ec2.vpn_connections", connections, SCOPE)
    assert items == [
        item("vpn-connection", "vpn-40f41529EXAMPLE", "AWS::EC2::VPNConnection", "office", {
            "vpnConnectionId": "vpn-40f41529EXAMPLE", "type": "ipsec.1", "category": "VPN", "state": "available",
            "vpnGatewayId": "vgw-9a4cacf3EXAMPLE", "transitGatewayId": None, "customerGatewayId": "cgw-0e11f167EXAMPLE",
            "staticRoutesOnly": True,
        }, [Edge("attached_to", to_vgw, arn("vpn-gateway", "vgw-9a4cacf3EXAMPLE")), Edge("attached_to", to_vgw, cgw)],
            tags={"Name": "office"}),
        item("vpn-connection", "vpn-0b2b3c4dEXAMPLE", "AWS::EC2::VPNConnection", "vpn-0b2b3c4dEXAMPLE", {
            "vpnConnectionId": "vpn-0b2b3c4dEXAMPLE", "type": "ipsec.1", "category": "VPN", "state": "available",
            "vpnGatewayId": None, "transitGatewayId": "tgw-0262a0e521EXAMPLE",
            "customerGatewayId": "cgw-0e11f167EXAMPLE", "staticRoutesOnly": False,
        }, [Edge("attached_to", to_tgw, arn("transit-gateway", "tgw-0262a0e521EXAMPLE")),
            Edge("attached_to", to_tgw, cgw)]),
    ]
    assert secret not in json.dumps([asdict(i) for i in items])


def test_customer_gateways():
    gateways = [{"BgpAsn": "65534", "CustomerGatewayId": "cgw-0e11f167EXAMPLE", "IpAddress": "12.1.2.3",
                 "State": "available", "Type": "ipsec.1", "DeviceName": "edge-router-1",
                 "Tags": [{"Key": "Name", "Value": "office"}]},
                {"BgpAsn": "65000", "CustomerGatewayId": "cgw-0dead000EXAMPLE", "IpAddress": "12.1.2.4",
                 "State": "deleted", "Type": "ipsec.1"}]
    assert transform("ec2.customer_gateways", gateways, SCOPE) == [
        item("customer-gateway", "cgw-0e11f167EXAMPLE", "AWS::EC2::CustomerGateway", "office", {
            "customerGatewayId": "cgw-0e11f167EXAMPLE", "type": "ipsec.1", "state": "available", "bgpAsn": "65534",
            "ipAddress": "12.1.2.3", "deviceName": "edge-router-1",
        }, tags={"Name": "office"}),
    ]


def test_security_groups():
    everywhere = {"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}], "Ipv6Ranges": [], "PrefixListIds": [],
                  "UserIdGroupPairs": []}
    groups = [{
        "Description": "web servers", "GroupName": HOSTILE, "GroupId": "sg-0a1b2c3d4eEXAMPLE", "OwnerId": ACCOUNT,
        "VpcId": "vpc-0a60eb65b4EXAMPLE", "Tags": [{"Key": "tier", "Value": "web"}],
        "IpPermissions": [{"FromPort": 443, "ToPort": 443, "IpProtocol": "tcp",
                           "IpRanges": [{"CidrIp": "0.0.0.0/0", "Description": "HTTPS"}],
                           "Ipv6Ranges": [{"CidrIpv6": "::/0"}], "PrefixListIds": [], "UserIdGroupPairs": []},
                          # Members of the group may talk to each other: no arrow.
                          {"IpProtocol": "-1", "IpRanges": [], "Ipv6Ranges": [], "PrefixListIds": [],
                           "UserIdGroupPairs": [{"GroupId": "sg-0a1b2c3d4eEXAMPLE", "UserId": ACCOUNT}]}],
        "IpPermissionsEgress": [everywhere],
    }, {
        "Description": "databases", "GroupName": "db", "GroupId": "sg-0f9e8d7c6bEXAMPLE", "OwnerId": ACCOUNT,
        "VpcId": "vpc-0a60eb65b4EXAMPLE",
        "IpPermissions": [
            {"FromPort": 5432, "ToPort": 5432, "IpProtocol": "tcp", "IpRanges": [], "Ipv6Ranges": [],
             "PrefixListIds": [{"PrefixListId": "pl-0123abcdEXAMPLE"}],
             "UserIdGroupPairs": [{"GroupId": "sg-0a1b2c3d4eEXAMPLE", "UserId": ACCOUNT},
                                  # A group of another account, across a peering.
                                  {"GroupId": "sg-0c0c0c0c0cEXAMPLE", "UserId": OTHER_ACCOUNT,
                                   "VpcId": "vpc-0f1e2d3cEXAMPLE", "VpcPeeringConnectionId": "pcx-111aaa22EXAMPLE",
                                   "PeeringStatus": "active"}]},
            # Two rules naming one group make one edge.
            {"FromPort": 6432, "ToPort": 6432, "IpProtocol": "tcp", "IpRanges": [], "Ipv6Ranges": [],
             "PrefixListIds": [], "UserIdGroupPairs": [{"GroupId": "sg-0a1b2c3d4eEXAMPLE", "UserId": ACCOUNT}]},
        ],
        "IpPermissionsEgress": [{"FromPort": 6379, "ToPort": 6379, "IpProtocol": "tcp", "IpRanges": [],
                                 "Ipv6Ranges": [], "PrefixListIds": [],
                                 "UserIdGroupPairs": [{"GroupId": "sg-0ca0ca0ca0EXAMPLE", "UserId": ACCOUNT}]}],
    }]
    other_account_group = arn("security-group", "sg-0c0c0c0c0cEXAMPLE", account=OTHER_ACCOUNT)
    cache = arn("security-group", "sg-0ca0ca0ca0EXAMPLE")
    everywhere_rule = {"protocol": "-1", "fromPort": None, "toPort": None, "cidrs": ["0.0.0.0/0"], "prefixLists": [],
                       "groups": []}
    assert transform("ec2.security_groups", groups, SCOPE) == [
        item("security-group", "sg-0a1b2c3d4eEXAMPLE", "AWS::EC2::SecurityGroup", HOSTILE, {
            "groupId": "sg-0a1b2c3d4eEXAMPLE", "description": "web servers", "vpcId": "vpc-0a60eb65b4EXAMPLE",
            "ownerId": ACCOUNT,
            "ingress": [{"protocol": "tcp", "fromPort": 443, "toPort": 443, "cidrs": ["0.0.0.0/0", "::/0"],
                         "prefixLists": [], "groups": []},
                        {"protocol": "-1", "fromPort": None, "toPort": None, "cidrs": [], "prefixLists": [],
                         "groups": ["sg-0a1b2c3d4eEXAMPLE"]}],
            "egress": [everywhere_rule],
        }, [contains(VPC, SG_WEB)], tags={"tier": "web"}),
        item("security-group", "sg-0f9e8d7c6bEXAMPLE", "AWS::EC2::SecurityGroup", "db", {
            "groupId": "sg-0f9e8d7c6bEXAMPLE", "description": "databases", "vpcId": "vpc-0a60eb65b4EXAMPLE",
            "ownerId": ACCOUNT,
            "ingress": [{"protocol": "tcp", "fromPort": 5432, "toPort": 5432, "cidrs": [],
                         "prefixLists": ["pl-0123abcdEXAMPLE"],
                         "groups": ["sg-0a1b2c3d4eEXAMPLE", "sg-0c0c0c0c0cEXAMPLE"]},
                        {"protocol": "tcp", "fromPort": 6432, "toPort": 6432, "cidrs": [], "prefixLists": [],
                         "groups": ["sg-0a1b2c3d4eEXAMPLE"]}],
            "egress": [{"protocol": "tcp", "fromPort": 6379, "toPort": 6379, "cidrs": [], "prefixLists": [],
                        "groups": ["sg-0ca0ca0ca0EXAMPLE"]}],
        }, [contains(VPC, SG_DB), Edge("routes_to", SG_WEB, SG_DB), Edge("routes_to", other_account_group, SG_DB),
            Edge("routes_to", SG_DB, cache)]),
    ]


def test_network_acls():
    acls = [{
        "Associations": [{"NetworkAclAssociationId": "aclassoc-0c1679dc41EXAMPLE",
                          "NetworkAclId": "acl-0ea1f54ca7EXAMPLE", "SubnetId": "subnet-0bb1c79de3EXAMPLE"}],
        "Entries": [
            {"CidrBlock": "0.0.0.0/0", "Egress": True, "Protocol": "-1", "RuleAction": "allow", "RuleNumber": 100},
            {"CidrBlock": "10.0.0.0/8", "Egress": False, "Protocol": "6", "PortRange": {"From": 22, "To": 22},
             "RuleAction": "deny", "RuleNumber": 90},
            {"Ipv6CidrBlock": "::/0", "Egress": False, "Protocol": "-1", "RuleAction": "deny", "RuleNumber": 32768},
        ],
        "IsDefault": True, "NetworkAclId": "acl-0ea1f54ca7EXAMPLE", "Tags": [], "VpcId": "vpc-0a60eb65b4EXAMPLE",
        "OwnerId": ACCOUNT,
    }]
    acl = arn("network-acl", "acl-0ea1f54ca7EXAMPLE")
    assert transform("ec2.network_acls", acls, SCOPE) == [
        item("network-acl", "acl-0ea1f54ca7EXAMPLE", "AWS::EC2::NetworkAcl", "acl-0ea1f54ca7EXAMPLE", {
            "networkAclId": "acl-0ea1f54ca7EXAMPLE", "vpcId": "vpc-0a60eb65b4EXAMPLE", "isDefault": True,
            "entries": [
                {"ruleNumber": 100, "egress": True, "protocol": "-1", "ruleAction": "allow", "cidr": "0.0.0.0/0",
                 "fromPort": None, "toPort": None},
                {"ruleNumber": 90, "egress": False, "protocol": "6", "ruleAction": "deny", "cidr": "10.0.0.0/8",
                 "fromPort": 22, "toPort": 22},
                {"ruleNumber": 32768, "egress": False, "protocol": "-1", "ruleAction": "deny", "cidr": "::/0",
                 "fromPort": None, "toPort": None},
            ],
        }, [contains(VPC, acl), Edge("attached_to", acl, SUBNET_A)]),
    ]


def instance_response(instance_id: str, **fields) -> dict:
    """An instance as DescribeInstances returns it (the fields an instance in a VPC always has)."""
    return {
        "AmiLaunchIndex": 0, "ImageId": "ami-0abcdef1234567890", "InstanceId": instance_id, "InstanceType": "t3.micro",
        "KeyName": "my-key-pair", "LaunchTime": CREATED, "Monitoring": {"State": "disabled"},
        "Placement": {"AvailabilityZone": "us-east-1a", "GroupName": "", "Tenancy": "default"},
        "PrivateDnsName": "ip-10-0-0-157.ec2.internal", "PrivateIpAddress": "10.0.0.157", "ProductCodes": [],
        "PublicDnsName": "", "State": {"Code": 16, "Name": "running"}, "StateTransitionReason": "",
        "SubnetId": "subnet-0bb1c79de3EXAMPLE", "VpcId": "vpc-0a60eb65b4EXAMPLE", "Architecture": "x86_64",
        "BlockDeviceMappings": [{"DeviceName": "/dev/xvda", "Ebs": {"AttachTime": CREATED, "DeleteOnTermination": True,
                                                                    "Status": "attached",
                                                                    "VolumeId": "vol-02e6ccdcEXAMPLE"}}],
        "EbsOptimized": True, "EnaSupport": True, "Hypervisor": "xen",
        "IamInstanceProfile": {"Arn": "arn:aws:iam::123456789012:instance-profile/web", "Id": "AIPAJ2EXAMPLE"},
        "NetworkInterfaces": [], "RootDeviceName": "/dev/xvda", "RootDeviceType": "ebs",
        "SecurityGroups": [{"GroupName": "web", "GroupId": "sg-0a1b2c3d4eEXAMPLE"}], "SourceDestCheck": True,
        "VirtualizationType": "hvm", "CpuOptions": {"CoreCount": 1, "ThreadsPerCore": 2},
        "MetadataOptions": {"State": "applied", "HttpTokens": "required"}, "PlatformDetails": "Linux/UNIX",
        "UsageOperation": "RunInstances", "UsageOperationUpdateTime": CREATED, **fields,
    }


def test_instances_on_demand_and_spot():
    reservations = [{
        "Groups": [], "OwnerId": ACCOUNT, "ReservationId": "r-0a1b2c3d4eEXAMPLE",
        "Instances": [
            instance_response(
                "i-1234567890abcdef0", InstanceType="m5.large", PublicIpAddress="3.85.12.34",
                Tags=[{"Key": "Name", "Value": HOSTILE}],
                # A second interface adds its groups (the database group); repeats are one edge.
                NetworkInterfaces=[
                    {"NetworkInterfaceId": "eni-0a1b2c3dEXAMPLE", "SubnetId": "subnet-0bb1c79de3EXAMPLE",
                     "Groups": [{"GroupName": "web", "GroupId": "sg-0a1b2c3d4eEXAMPLE"}]},
                    {"NetworkInterfaceId": "eni-0e4f5a6bEXAMPLE", "SubnetId": "subnet-0bb1c79de3EXAMPLE",
                     "Groups": [{"GroupName": "db", "GroupId": "sg-0f9e8d7c6bEXAMPLE"}]},
                ]),
            instance_response("i-0598c7d356EXAMPLE", State={"Code": 48, "Name": "terminated"}, SubnetId=None),
        ],
    }, {
        "Groups": [], "OwnerId": ACCOUNT, "ReservationId": "r-0f9e8d7c6bEXAMPLE", "RequesterId": "226008221399",
        "Instances": [instance_response(
            "i-0fedcba987EXAMPLE", InstanceType="c6i.xlarge", InstanceLifecycle="spot",
            SpotInstanceRequestId="sir-abcd1234", Platform="windows", PlatformDetails="Windows",
            Placement={"AvailabilityZone": "us-east-1a", "GroupName": "", "Tenancy": "dedicated"},
            PrivateIpAddress="10.0.0.201", SecurityGroups=[{"GroupName": "db", "GroupId": "sg-0f9e8d7c6bEXAMPLE"}],
        )],
    }]
    on_demand, spot = arn("instance", "i-1234567890abcdef0"), arn("instance", "i-0fedcba987EXAMPLE")
    common = {"state": "running", "availabilityZone": "us-east-1a", "vpcId": "vpc-0a60eb65b4EXAMPLE",
              "subnetId": "subnet-0bb1c79de3EXAMPLE", "imageId": "ami-0abcdef1234567890", "architecture": "x86_64",
              "launchTime": CREATED_ISO}
    assert transform("ec2.instances", reservations, SCOPE) == [
        item("instance", "i-1234567890abcdef0", "AWS::EC2::Instance", HOSTILE, {
            "instanceId": "i-1234567890abcdef0", "instanceType": "m5.large", "lifecycle": "on-demand",
            "platform": "Linux/UNIX", "tenancy": "default", "privateIpAddress": "10.0.0.157",
            "publicIpAddress": "3.85.12.34", **common,
        }, [contains(SUBNET_A, on_demand), Edge("secured_by", on_demand, SG_WEB), Edge("secured_by", on_demand, SG_DB)],
            tags={"Name": HOSTILE}),
        item("instance", "i-0fedcba987EXAMPLE", "AWS::EC2::Instance", "i-0fedcba987EXAMPLE", {
            "instanceId": "i-0fedcba987EXAMPLE", "instanceType": "c6i.xlarge", "lifecycle": "spot",
            "platform": "Windows", "tenancy": "dedicated", "privateIpAddress": "10.0.0.201",
            "publicIpAddress": None, **common,
        }, [contains(SUBNET_A, spot), Edge("secured_by", spot, SG_DB)]),
    ]
    # The order above is the response's; the attribute keys are fixed.
    assert list(transform("ec2.instances", reservations, SCOPE)[0].attributes) == [
        "instanceId", "instanceType", "state", "lifecycle", "platform", "tenancy", "availabilityZone", "vpcId",
        "subnetId", "privateIpAddress", "publicIpAddress", "imageId", "architecture", "launchTime"]


def test_volumes():
    volumes = [{
        "Attachments": [{"AttachTime": CREATED, "Device": "/dev/sdf", "InstanceId": "i-1234567890abcdef0",
                         "State": "attached", "VolumeId": "vol-049df61146EXAMPLE", "DeleteOnTermination": False}],
        "AvailabilityZone": "us-east-1a", "CreateTime": CREATED, "Encrypted": True,
        "KmsKeyId": "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
        "Size": 500, "SnapshotId": "", "State": "in-use", "VolumeId": "vol-049df61146EXAMPLE", "Iops": 6000,
        "VolumeType": "gp3", "Throughput": 500, "MultiAttachEnabled": False, "Tags": [{"Key": "Name", "Value": "data"}],
    }, {
        "Attachments": [], "AvailabilityZone": "us-east-1b", "CreateTime": CREATED, "Encrypted": False, "Size": 2000,
        "SnapshotId": "snap-1234567890abcdef0", "State": "available", "VolumeId": "vol-0a0b0c0d0eEXAMPLE",
        "Iops": 64000, "VolumeType": "io2", "MultiAttachEnabled": True,
    }, {
        # Attached to a Fargate task: no instance to point at.
        "Attachments": [{"AttachTime": CREATED, "Device": "/dev/xvdb", "State": "attached",
                         "VolumeId": "vol-0f0f0f0f0fEXAMPLE",
                         "AssociatedResource": "arn:aws:ecs:us-east-1:123456789012:task/prod/0a1b2c3d4e"}],
        "AvailabilityZone": "us-east-1a", "CreateTime": CREATED, "Encrypted": True, "Size": 30, "SnapshotId": "",
        "State": "in-use", "VolumeId": "vol-0f0f0f0f0fEXAMPLE", "Iops": 100, "VolumeType": "gp2",
        "MultiAttachEnabled": False, "Operator": {"Managed": True, "Principal": "ecs.amazonaws.com"},
    }]
    data = arn("volume", "vol-049df61146EXAMPLE")
    assert transform("ec2.volumes", volumes, SCOPE) == [
        item("volume", "vol-049df61146EXAMPLE", "AWS::EC2::Volume", "data", {
            "volumeId": "vol-049df61146EXAMPLE", "volumeType": "gp3", "size": 500, "iops": 6000, "throughput": 500,
            "state": "in-use", "availabilityZone": "us-east-1a", "encrypted": True, "multiAttachEnabled": False,
            "createTime": CREATED_ISO,
        }, [Edge("attached_to", data, arn("instance", "i-1234567890abcdef0"))], tags={"Name": "data"}),
        item("volume", "vol-0a0b0c0d0eEXAMPLE", "AWS::EC2::Volume", "vol-0a0b0c0d0eEXAMPLE", {
            "volumeId": "vol-0a0b0c0d0eEXAMPLE", "volumeType": "io2", "size": 2000, "iops": 64000, "throughput": None,
            "state": "available", "availabilityZone": "us-east-1b", "encrypted": False, "multiAttachEnabled": True,
            "createTime": CREATED_ISO,
        }),
        item("volume", "vol-0f0f0f0f0fEXAMPLE", "AWS::EC2::Volume", "vol-0f0f0f0f0fEXAMPLE", {
            "volumeId": "vol-0f0f0f0f0fEXAMPLE", "volumeType": "gp2", "size": 30, "iops": 100, "throughput": None,
            "state": "in-use", "availabilityZone": "us-east-1a", "encrypted": True, "multiAttachEnabled": False,
            "createTime": CREATED_ISO,
        }),
    ]


def test_launch_templates():
    templates = [{"CreateTime": CREATED, "CreatedBy": "arn:aws:iam::123456789012:root", "DefaultVersionNumber": 1,
                  "LatestVersionNumber": 3, "LaunchTemplateId": "lt-01238c059eEXAMPLE", "LaunchTemplateName": HOSTILE,
                  "Tags": [{"Key": "team", "Value": "web"}]}]
    assert transform("ec2.launch_templates", templates, SCOPE) == [
        item("launch-template", "lt-01238c059eEXAMPLE", "AWS::EC2::LaunchTemplate", HOSTILE, {
            "launchTemplateId": "lt-01238c059eEXAMPLE", "defaultVersionNumber": 1, "latestVersionNumber": 3,
            "createTime": CREATED_ISO,
        }, tags={"team": "web"}),
    ]


def test_every_unit_has_a_transform_test():
    tested = {name.removeprefix("test_") for name in globals() if name.startswith("test_")}
    for unit in ec2.UNITS:
        short = unit.name.removeprefix("ec2.")
        assert any(name.startswith(short) for name in tested), f"no transform test for {unit.name}"


# --- get + transform against moto ------------------------------------------------------------

@pytest.fixture(scope="module")
def estate():
    """One small network and its compute, created once for this module's moto tests (read only)."""
    with mocked_aws() as session:
        client = session.client("ec2")
        vpc = client.create_vpc(CidrBlock="10.0.0.0/16", TagSpecifications=[
            {"ResourceType": "vpc", "Tags": [{"Key": "Name", "Value": HOSTILE}]}])["Vpc"]["VpcId"]
        peer_vpc = client.create_vpc(CidrBlock="10.1.0.0/16")["Vpc"]["VpcId"]
        public, private = (client.create_subnet(VpcId=vpc, CidrBlock=f"10.0.{n}.0/24", AvailabilityZone=f"us-east-1{z}")
                           ["Subnet"]["SubnetId"] for n, z in ((1, "a"), (2, "b")))
        igw = client.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
        client.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
        allocation = client.allocate_address(Domain="vpc")["AllocationId"]
        nat = client.create_nat_gateway(SubnetId=public, AllocationId=allocation)["NatGateway"]["NatGatewayId"]
        tgw = client.create_transit_gateway(Description="hub")["TransitGateway"]["TransitGatewayId"]
        attachment = client.create_transit_gateway_vpc_attachment(
            TransitGatewayId=tgw, VpcId=vpc, SubnetIds=[private])["TransitGatewayVpcAttachment"]
        peering = client.create_vpc_peering_connection(VpcId=vpc, PeerVpcId=peer_vpc)["VpcPeeringConnection"]
        public_rt = client.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
        client.associate_route_table(RouteTableId=public_rt, SubnetId=public)
        client.create_route(RouteTableId=public_rt, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
        private_rt = client.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
        client.associate_route_table(RouteTableId=private_rt, SubnetId=private)
        client.create_route(RouteTableId=private_rt, DestinationCidrBlock="0.0.0.0/0", NatGatewayId=nat)
        client.create_route(RouteTableId=private_rt, DestinationCidrBlock="10.1.0.0/16",
                            VpcPeeringConnectionId=peering["VpcPeeringConnectionId"])
        client.create_route(RouteTableId=private_rt, DestinationCidrBlock="10.2.0.0/16", TransitGatewayId=tgw)
        web = client.create_security_group(GroupName="web", Description="web", VpcId=vpc)["GroupId"]
        db = client.create_security_group(GroupName="db", Description="db", VpcId=vpc)["GroupId"]
        client.authorize_security_group_ingress(GroupId=db, IpPermissions=[
            {"IpProtocol": "tcp", "FromPort": 5432, "ToPort": 5432, "UserIdGroupPairs": [{"GroupId": web}]}])
        s3_endpoint = client.create_vpc_endpoint(VpcId=vpc, ServiceName="com.amazonaws.us-east-1.s3",
                                                 RouteTableIds=[private_rt])["VpcEndpoint"]["VpcEndpointId"]
        sqs_endpoint = client.create_vpc_endpoint(
            VpcId=vpc, ServiceName="com.amazonaws.us-east-1.sqs", VpcEndpointType="Interface",
            SubnetIds=[public, private], SecurityGroupIds=[web])["VpcEndpoint"]["VpcEndpointId"]
        vgw = client.create_vpn_gateway(Type="ipsec.1")["VpnGateway"]["VpnGatewayId"]
        client.attach_vpn_gateway(VpnGatewayId=vgw, VpcId=vpc)
        cgw = client.create_customer_gateway(Type="ipsec.1", PublicIp="203.0.113.1", BgpAsn=65000, TagSpecifications=[
            {"ResourceType": "customer-gateway", "Tags": [{"Key": "Name", "Value": "office"}]}]
        )["CustomerGateway"]["CustomerGatewayId"]
        vpn = client.create_vpn_connection(Type="ipsec.1", CustomerGatewayId=cgw, VpnGatewayId=vgw)
        acl = client.create_network_acl(VpcId=vpc)["NetworkAcl"]["NetworkAclId"]
        client.create_network_acl_entry(NetworkAclId=acl, RuleNumber=100, Protocol="6", RuleAction="allow",
                                        Egress=False, CidrBlock="10.0.0.0/16", PortRange={"From": 443, "To": 443})
        default_association = next(a["NetworkAclAssociationId"] for a in client.describe_network_acls(
            Filters=[{"Name": "association.subnet-id", "Values": [private]}])["NetworkAcls"][0]["Associations"]
            if a["SubnetId"] == private)
        client.replace_network_acl_association(AssociationId=default_association, NetworkAclId=acl)
        template = client.create_launch_template(LaunchTemplateName="web", LaunchTemplateData={
            "ImageId": LINUX_AMI, "InstanceType": "t3.micro", "UserData": "c2VjcmV0LWluLXVzZXItZGF0YQ=="})
        server = client.run_instances(
            ImageId=LINUX_AMI, MinCount=1, MaxCount=1, InstanceType="m5.large", SubnetId=public,
            SecurityGroupIds=[web], UserData="secret-in-user-data",
            TagSpecifications=[{"ResourceType": "instance", "Tags": [{"Key": "Name", "Value": HOSTILE}]}],
        )["Instances"][0]["InstanceId"]
        spot = client.run_instances(ImageId=LINUX_AMI, MinCount=1, MaxCount=1, InstanceType="t3.micro",
                                    SubnetId=private, SecurityGroupIds=[db],
                                    InstanceMarketOptions={"MarketType": "spot"})["Instances"][0]["InstanceId"]
        volume = client.create_volume(AvailabilityZone="us-east-1a", Size=100, VolumeType="gp3", Iops=4000,
                                      Throughput=250)["VolumeId"]
        client.attach_volume(VolumeId=volume, InstanceId=server, Device="/dev/sdf")
        yield SimpleNamespace(
            session=session, vpc=vpc, peer_vpc=peer_vpc, public=public, private=private, igw=igw, nat=nat, tgw=tgw,
            attachment=attachment["TransitGatewayAttachmentId"], peering=peering["VpcPeeringConnectionId"],
            public_rt=public_rt, private_rt=private_rt, web=web, db=db, s3_endpoint=s3_endpoint,
            sqs_endpoint=sqs_endpoint, vgw=vgw, cgw=cgw, vpn=vpn["VpnConnection"]["VpnConnectionId"], acl=acl,
            template=template["LaunchTemplate"]["LaunchTemplateId"], server=server, spot=spot, volume=volume)


def moto_items(estate, unit_name: str):
    unit = UNITS[unit_name]
    items, _ = run(unit, estate.session.client(unit.client))
    return items


def test_moto_vpcs(estate):
    items = moto_items(estate, "ec2.vpcs")
    vpc = items[arn("vpc", estate.vpc)]
    assert (vpc.type, vpc.name, vpc.tags) == ("AWS::EC2::VPC", HOSTILE, {"Name": HOSTILE})
    assert vpc.attributes["cidrBlock"] == "10.0.0.0/16" and vpc.attributes["isDefault"] is False
    assert arn("vpc", estate.peer_vpc) in items


def test_moto_availability_zones(estate):
    items = moto_items(estate, "ec2.availability_zones")
    zone = items[SCOPE.availability_zone_arn("us-east-1a")]
    assert (zone.type, zone.name, zone.attributes["state"]) == ("AWS::EC2::AvailabilityZone", "us-east-1a", "available")
    assert zone.attributes["zoneId"].startswith("use1-az")


def test_moto_subnets(estate):
    items = moto_items(estate, "ec2.subnets")
    public = arn("subnet", estate.public)
    assert items[public].edges == [contains(arn("vpc", estate.vpc), public),
                                   contains(SCOPE.availability_zone_arn("us-east-1a"), public)]
    assert items[public].attributes["cidrBlock"] == "10.0.1.0/24"
    assert items[arn("subnet", estate.private)].attributes["availabilityZone"] == "us-east-1b"


def test_moto_route_tables(estate):
    items = moto_items(estate, "ec2.route_tables")
    public, private = arn("route-table", estate.public_rt), arn("route-table", estate.private_rt)
    assert items[public].edges == [contains(arn("vpc", estate.vpc), public),
                                   Edge("attached_to", public, arn("subnet", estate.public)),
                                   Edge("routes_to", public, arn("internet-gateway", estate.igw))]
    assert set(items[private].edges) == {
        contains(arn("vpc", estate.vpc), private), Edge("attached_to", private, arn("subnet", estate.private)),
        Edge("routes_to", private, arn("natgateway", estate.nat)),
        Edge("routes_to", private, arn("vpc-peering-connection", estate.peering)),
        Edge("routes_to", private, arn("transit-gateway", estate.tgw)),
        Edge("routes_to", private, arn("vpc-endpoint", estate.s3_endpoint)),  # moto adds the endpoint's route
    }
    assert items[public].attributes["main"] is False
    assert any(i.attributes["main"] and i.attributes["vpcId"] == estate.vpc for i in items.values())


def test_moto_internet_gateways(estate):
    igw = arn("internet-gateway", estate.igw)
    assert moto_items(estate, "ec2.internet_gateways")[igw].edges == [Edge("attached_to", igw, arn("vpc", estate.vpc))]


def test_moto_nat_gateways(estate):
    nat = moto_items(estate, "ec2.nat_gateways")[arn("natgateway", estate.nat)]
    assert nat.edges == [contains(arn("subnet", estate.public), nat.arn)]
    assert (nat.attributes["connectivityType"], nat.attributes["state"]) == ("public", "available")
    assert len(nat.attributes["publicIps"]) == 1


def test_moto_vpc_endpoints(estate):
    items = moto_items(estate, "ec2.vpc_endpoints")
    s3, sqs = arn("vpc-endpoint", estate.s3_endpoint), arn("vpc-endpoint", estate.sqs_endpoint)
    assert items[s3].edges == [contains(arn("vpc", estate.vpc), s3)]
    assert items[sqs].edges == [contains(arn("subnet", estate.public), sqs),
                                contains(arn("subnet", estate.private), sqs),
                                Edge("secured_by", sqs, arn("security-group", estate.web))]
    assert items[sqs].attributes["vpcEndpointType"] == "Interface"
    assert items[sqs].attributes["serviceName"] == "com.amazonaws.us-east-1.sqs"


def test_moto_vpc_peering_connections(estate):
    peering = arn("vpc-peering-connection", estate.peering)
    assert moto_items(estate, "ec2.vpc_peering_connections")[peering].edges == [
        Edge("routes_to", peering, arn("vpc", estate.vpc)), Edge("routes_to", peering, arn("vpc", estate.peer_vpc))]


def test_moto_transit_gateways(estate):
    tgw = moto_items(estate, "ec2.transit_gateways")[arn("transit-gateway", estate.tgw)]
    assert (tgw.type, tgw.attributes["state"], tgw.attributes["description"]) == (
        "AWS::EC2::TransitGateway", "available", "hub")


def test_moto_transit_gateway_attachments(estate):
    attachment = arn("transit-gateway-attachment", estate.attachment)
    item_ = moto_items(estate, "ec2.transit_gateway_attachments")[attachment]
    assert item_.edges == [Edge("attached_to", attachment, arn("transit-gateway", estate.tgw)),
                           Edge("attached_to", attachment, arn("vpc", estate.vpc))]
    assert item_.attributes["resourceType"] == "vpc"


def test_moto_vpn_gateways(estate):
    vgw = arn("vpn-gateway", estate.vgw)
    assert moto_items(estate, "ec2.vpn_gateways")[vgw].edges == [Edge("attached_to", vgw, arn("vpc", estate.vpc))]


def test_moto_vpn_connections(estate):
    vpn = arn("vpn-connection", estate.vpn)
    assert moto_items(estate, "ec2.vpn_connections")[vpn].edges == [
        Edge("attached_to", vpn, arn("vpn-gateway", estate.vgw)),
        Edge("attached_to", vpn, arn("customer-gateway", estate.cgw))]


def test_moto_customer_gateways(estate):
    cgw = moto_items(estate, "ec2.customer_gateways")[arn("customer-gateway", estate.cgw)]
    assert (cgw.name, cgw.attributes["ipAddress"], cgw.attributes["bgpAsn"]) == ("office", "203.0.113.1", "65000")


def test_moto_security_groups(estate):
    items = moto_items(estate, "ec2.security_groups")
    web, db = arn("security-group", estate.web), arn("security-group", estate.db)
    assert items[db].name == "db"
    assert items[db].edges == [contains(arn("vpc", estate.vpc), db), Edge("routes_to", web, db)]
    assert items[web].edges == [contains(arn("vpc", estate.vpc), web)]


def test_moto_network_acls(estate):
    acl = arn("network-acl", estate.acl)
    item_ = moto_items(estate, "ec2.network_acls")[acl]
    assert item_.edges == [contains(arn("vpc", estate.vpc), acl),
                           Edge("attached_to", acl, arn("subnet", estate.private))]
    assert {"ruleNumber": 100, "egress": False, "protocol": "6", "ruleAction": "allow", "cidr": "10.0.0.0/16",
            "fromPort": 443, "toPort": 443} in item_.attributes["entries"]


def test_moto_instances_never_keep_user_data(estate):
    items = moto_items(estate, "ec2.instances")
    server, spot = items[arn("instance", estate.server)], items[arn("instance", estate.spot)]
    assert (server.name, server.attributes["instanceType"], server.attributes["lifecycle"]) == (
        HOSTILE, "m5.large", "on-demand")
    assert (spot.attributes["instanceType"], spot.attributes["lifecycle"]) == ("t3.micro", "spot")
    assert server.attributes["platform"] == "Linux/UNIX" and server.attributes["state"] == "running"
    assert server.attributes["availabilityZone"] == "us-east-1a" and server.attributes["tenancy"] == "default"
    assert server.edges == [contains(arn("subnet", estate.public), server.arn),
                            Edge("secured_by", server.arn, arn("security-group", estate.web))]
    assert spot.edges == [contains(arn("subnet", estate.private), spot.arn),
                          Edge("secured_by", spot.arn, arn("security-group", estate.db))]
    assert "secret-in-user-data" not in json.dumps([asdict(i) for i in items.values()])


def test_moto_volumes(estate):
    volume = moto_items(estate, "ec2.volumes")[arn("volume", estate.volume)]
    assert {k: volume.attributes[k] for k in ("volumeType", "size", "iops", "throughput")} == {
        "volumeType": "gp3", "size": 100, "iops": 4000, "throughput": 250}
    assert volume.edges == [Edge("attached_to", volume.arn, arn("instance", estate.server))]


def test_moto_launch_templates(estate):
    items = moto_items(estate, "ec2.launch_templates")
    template = items[arn("launch-template", estate.template)]
    assert (template.name, template.attributes["latestVersionNumber"]) == ("web", 1)
    assert "c2VjcmV0LWluLXVzZXItZGF0YQ==" not in json.dumps([asdict(i) for i in items.values()])


# Each call asks for the largest page the API allows (None: the operation is not paginated).
PAGE_SIZES = {
    "DescribeVpcs": 1000, "DescribeAvailabilityZones": None, "DescribeSubnets": 1000, "DescribeRouteTables": 100,
    "DescribeInternetGateways": 1000, "DescribeNatGateways": 1000, "DescribeVpcEndpoints": 1000,
    "DescribeVpcPeeringConnections": 1000, "DescribeTransitGateways": 1000, "DescribeTransitGatewayAttachments": 1000,
    "DescribeVpnGateways": None, "DescribeVpnConnections": None, "DescribeCustomerGateways": None,
    "DescribeSecurityGroups": 1000, "DescribeNetworkAcls": 1000, "DescribeInstances": 1000, "DescribeVolumes": 500,
    "DescribeLaunchTemplates": 200,
}


def test_moto_one_call_per_unit_with_the_largest_pages(estate):
    asked: dict[str, int | None] = {}
    for unit in ec2.UNITS:
        sizes = page_sizes(unit, estate.session.client(unit.client))
        assert len(sizes) == 1, (unit.name, sizes)  # one operation per unit
        asked.update(sizes)
    assert asked == PAGE_SIZES
