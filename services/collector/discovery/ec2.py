"""EC2 networking and compute: VPCs, availability zones, subnets, route tables, gateways, VPC
endpoints and peerings, Transit Gateways, VPN, security groups, network ACLs, instances, EBS
volumes and launch templates. Images are never enumerated (docs/architecture.md, "Measured facts").

ARNs: an item is named in the account being scanned (scope), also when AWS shares it from another
account (a RAM-shared subnet or Transit Gateway), so that every edge within one account's scan
meets its item: routes and instances name shared resources by id only. A reference to a resource
this account cannot describe (the other side of a peering, another account's security group, the
VPC of another account's Transit Gateway attachment) is named in the account and region the
response gives for it, which is where that account's own scan names it.

Absent fields are stored as null (keep_none, discovery/_spec.py).
"""
from __future__ import annotations

from services.collector.discovery._spec import (
    Link,
    Spec,
    alive,
    at,
    contained_by,
    each,
    ec2,
    first_of,
    has,
    in_state,
    in_vpc,
    listing,
    name_tag_or,
    named,
    nonempty,
    obj,
    objects,
    only_if,
    placed,
    state_name,
    tags_at,
    timestamp,
    unit,
)
from services.collector.model import Scope


def ec2_type(cfn_type: str, kind: str, id_field: str, **description) -> Spec:
    """Most EC2 types: named in ARNs by their id (ec2_arn's `kind`), by their Name tag or else
    their id, tagged in their own listing, absent fields stored as null."""
    return Spec(cfn_type, arn=ec2(kind, id_field), name=name_tag_or(id_field), tags=tags_at(), keep_none=True,
                **description)


def zone(path: str):
    return lambda record, scope: scope.availability_zone_arn(record[path])


# --- VPCs, availability zones, subnets ---------------------------------------------------------

VPC = ec2_type(
    "AWS::EC2::VPC", "vpc", "VpcId",
    attributes={
        "vpcId": "VpcId",
        "cidrBlock": "CidrBlock",
        "cidrBlocks": each("CidrBlockAssociationSet", "CidrBlock",
                           where=in_state("CidrBlockState.State", "associated")),
        "ipv6CidrBlocks": each("Ipv6CidrBlockAssociationSet", "Ipv6CidrBlock",
                               where=in_state("Ipv6CidrBlockState.State", "associated")),
        "isDefault": at("IsDefault", False),
        **named("State", "InstanceTenancy", "OwnerId"),
    })

# Without AllAvailabilityZones DescribeAvailabilityZones lists the zones the account can use.
AVAILABILITY_ZONE = Spec(
    "AWS::EC2::AvailabilityZone", arn=zone("ZoneName"), name="ZoneName", keep_none=True,
    attributes={"zoneId": "ZoneId", "state": "State", "zoneType": "ZoneType"})

# Not AvailableIpAddressCount: it changes with every launch, and would make the subnet look
# changed on every sync.
SUBNET = ec2_type(
    "AWS::EC2::Subnet", "subnet", "SubnetId",
    attributes={
        **named("SubnetId", "VpcId", "CidrBlock"),
        "ipv6CidrBlocks": each("Ipv6CidrBlockAssociationSet", "Ipv6CidrBlock"),
        "availabilityZone": "AvailabilityZone",
        "availabilityZoneId": "AvailabilityZoneId",
        "mapPublicIpOnLaunch": at("MapPublicIpOnLaunch", False),
        "defaultForAz": at("DefaultForAz", False),
        "state": "State",
        "ownerId": "OwnerId",
    },
    edges=(in_vpc(), contained_by(zone("AvailabilityZone"))))


# --- Routing and gateways ----------------------------------------------------------------------

# A route's GatewayId names several kinds of gateway; its prefix tells which ("local" is none).
GATEWAY_KINDS = {"igw-": "internet-gateway", "vgw-": "vpn-gateway", "vpce-": "vpc-endpoint"}
# The other route target fields that name a discovered resource, and its ARN kind.
ROUTE_TARGETS = (("NatGatewayId", "natgateway"), ("TransitGatewayId", "transit-gateway"),
                 ("VpcPeeringConnectionId", "vpc-peering-connection"), ("InstanceId", "instance"))
# Every route target field, for the route list shown on the table.
ROUTE_TARGET_FIELDS = ("GatewayId", "NatGatewayId", "TransitGatewayId", "VpcPeeringConnectionId", "InstanceId",
                       "NetworkInterfaceId", "EgressOnlyInternetGatewayId", "CarrierGatewayId",
                       "LocalGatewayId", "CoreNetworkArn")


def _route_target_arn(route: dict, scope: Scope) -> str | None:
    gateway = route.get("GatewayId") or ""
    for prefix, kind in GATEWAY_KINDS.items():
        if gateway.startswith(prefix):
            return scope.ec2_arn(kind, gateway)
    for field, kind in ROUTE_TARGETS:
        if route.get(field):
            return scope.ec2_arn(kind, route[field])
    return None  # local, or a target cloudsketch does not discover (egress-only gateway, ENI, ...)


def routed_to(table: dict, scope: Scope) -> list[str | None]:
    # A blackhole route's target is gone: no edge to it.
    return [_route_target_arn(route, scope) for route in table.get("Routes", [])
            if state_name(route.get("State")) != "blackhole"]


# An association without a state is a current one.
ASSOCIATED = in_state(at("AssociationState.State", "associated"), "associated")


def associated(table: dict, scope: Scope) -> list[dict]:
    return [a for a in table.get("Associations", []) if ASSOCIATED(a, scope)]


ROUTE_TABLE = ec2_type(
    "AWS::EC2::RouteTable", "route-table", "RouteTableId",
    attributes={
        **named("RouteTableId", "VpcId"),
        # The main route table also serves every subnet of its VPC without an association.
        "main": lambda table, scope: any(a.get("Main", False) for a in associated(table, scope)),
        "routes": objects("Routes", {
            "destination": first_of("DestinationCidrBlock", "DestinationIpv6CidrBlock", "DestinationPrefixListId"),
            "target": lambda route, scope: next((route[f] for f in ROUTE_TARGET_FIELDS if route.get(f)), None),
            "state": "State",
        }, keep_none=True),
    },
    edges=(in_vpc(),
           Link("attached_to", ec2("subnet", each(associated, "SubnetId", where=has("SubnetId")))),
           Link("routes_to", routed_to)))

# DescribeInternetGateways reports an attached gateway's attachment as "available".
ATTACHED_VPCS = each("Attachments", "VpcId", where=in_state("State", "available", "attached"))

INTERNET_GATEWAY = ec2_type(
    "AWS::EC2::InternetGateway", "internet-gateway", "InternetGatewayId",
    attributes={"internetGatewayId": "InternetGatewayId", "vpcIds": ATTACHED_VPCS},
    edges=(Link("attached_to", ec2("vpc", ATTACHED_VPCS)),))

NAT_GATEWAY = ec2_type(
    "AWS::EC2::NatGateway", "natgateway", "NatGatewayId", where=alive("State"),
    attributes={
        "natGatewayId": "NatGatewayId",
        "connectivityType": at("ConnectivityType", "public"),
        "availabilityMode": at("AvailabilityMode", "zonal"),
        **named("State", "VpcId", "SubnetId"),
        "publicIps": each("NatGatewayAddresses", "PublicIp", where=has("PublicIp")),
        "privateIps": each("NatGatewayAddresses", "PrivateIp", where=has("PrivateIp")),
        "createTime": timestamp("CreateTime"),
    },
    # A zonal NAT gateway sits in a subnet; a regional one has none and sits in its VPC.
    edges=(contained_by(first_of(ec2("subnet", "SubnetId"), ec2("vpc", "VpcId"))),))

VPC_ENDPOINT = ec2_type(
    "AWS::EC2::VPCEndpoint", "vpc-endpoint", "VpcEndpointId", where=alive("State"),
    attributes={
        "vpcEndpointId": "VpcEndpointId",
        "vpcEndpointType": "VpcEndpointType",  # Interface, Gateway, GatewayLoadBalancer, ...
        **named("ServiceName", "State", "VpcId"),
        "privateDnsEnabled": at("PrivateDnsEnabled", False),
        # Interface endpoints are priced per network interface (one per zone) and hour.
        "networkInterfaceCount": lambda endpoint, scope: len(endpoint.get("NetworkInterfaceIds", [])),
        "creationTimestamp": timestamp("CreationTimestamp"),
    },
    # An interface endpoint has a network interface in each of its subnets; a gateway endpoint
    # has none (its route tables route to it) and sits in its VPC.
    edges=(contained_by(first_of(ec2("subnet", at("SubnetIds", [])), ec2("vpc", "VpcId"))),
           *placed(security_groups=each("Groups", "GroupId"))))


def peered_vpcs(peering: dict, scope: Scope) -> list[str]:
    # Either VPC may be in another account or region: named where that account names it.
    sides = [peering.get("RequesterVpcInfo", {}), peering.get("AccepterVpcInfo", {})]
    return [scope.arn("ec2", f"vpc/{side['VpcId']}", region=side.get("Region"), account=side.get("OwnerId"))
            for side in sides if side.get("VpcId")]


PEERING_SIDE = {"vpcId": "VpcId", "ownerId": "OwnerId", "region": "Region", "cidrBlock": "CidrBlock"}

VPC_PEERING_CONNECTION = ec2_type(
    "AWS::EC2::VPCPeeringConnection", "vpc-peering-connection", "VpcPeeringConnectionId", where=alive("Status.Code"),
    attributes={
        "vpcPeeringConnectionId": "VpcPeeringConnectionId",
        "status": "Status.Code",
        "requester": obj(at("RequesterVpcInfo", {}), PEERING_SIDE, keep_none=True),
        "accepter": obj(at("AccepterVpcInfo", {}), PEERING_SIDE, keep_none=True),
    },
    edges=(Link("routes_to", peered_vpcs),))

TRANSIT_GATEWAY = ec2_type(
    "AWS::EC2::TransitGateway", "transit-gateway", "TransitGatewayId", where=alive("State"),
    attributes={
        **named("TransitGatewayId", "State", "OwnerId", "Description", "Options.AmazonSideAsn"),
        "creationTime": timestamp("CreationTime"),
    })

TRANSIT_GATEWAY_ATTACHMENT = ec2_type(
    "AWS::EC2::TransitGatewayAttachment", "transit-gateway-attachment", "TransitGatewayAttachmentId",
    where=alive("State"),
    attributes={
        **named("TransitGatewayAttachmentId", "TransitGatewayId", "TransitGatewayOwnerId"),
        "resourceType": "ResourceType",  # vpc, vpn, direct-connect-gateway, peering, ...
        **named("ResourceId", "ResourceOwnerId", "State"),
        "creationTime": timestamp("CreationTime"),
    },
    # The transit gateway is visible to every account attached to it (RAM shares it), so it is
    # named in this account; an attached VPC of another account is named in its own.
    edges=(Link("attached_to", ec2("transit-gateway", "TransitGatewayId")),
           Link("attached_to", ec2("vpc", only_if(in_state("ResourceType", "vpc"), "ResourceId"),
                                   account="ResourceOwnerId"))))


# --- VPN ---------------------------------------------------------------------------------------

VPN_VPCS = each("VpcAttachments", "VpcId", where=in_state("State", "attaching", "attached"))

VPN_GATEWAY = ec2_type(
    "AWS::EC2::VPNGateway", "vpn-gateway", "VpnGatewayId", where=alive("State"),
    attributes={
        **named("VpnGatewayId", "Type", "State", "AmazonSideAsn"),
        "vpcIds": VPN_VPCS,
    },
    edges=(Link("attached_to", ec2("vpc", VPN_VPCS)),))

# Chosen fields only: CustomerGatewayConfiguration and the tunnel options hold pre-shared keys.
VPN_CONNECTION = ec2_type(
    "AWS::EC2::VPNConnection", "vpn-connection", "VpnConnectionId", where=alive("State"),
    attributes={
        **named("VpnConnectionId", "Type", "Category", "State", "VpnGatewayId", "TransitGatewayId",
                "CustomerGatewayId", "Options.StaticRoutesOnly"),
    },
    edges=(Link("attached_to", ec2("vpn-gateway", "VpnGatewayId")),
           Link("attached_to", ec2("transit-gateway", "TransitGatewayId")),
           Link("attached_to", ec2("customer-gateway", "CustomerGatewayId"))))

CUSTOMER_GATEWAY = ec2_type(
    "AWS::EC2::CustomerGateway", "customer-gateway", "CustomerGatewayId", where=alive("State"),
    attributes={
        **named("CustomerGatewayId", "Type", "State", "BgpAsn", "IpAddress", "DeviceName"),
    })


# --- Security groups and network ACLs ----------------------------------------------------------

# One security group rule, compact (what a blueprint's security view shows).
PERMISSION = {
    "protocol": "IpProtocol",
    "fromPort": "FromPort",
    "toPort": "ToPort",
    "cidrs": lambda rule, scope: ([r["CidrIp"] for r in rule.get("IpRanges", [])]
                                  + [r["CidrIpv6"] for r in rule.get("Ipv6Ranges", [])]),
    "prefixLists": each("PrefixListIds", "PrefixListId"),
    "groups": each("UserIdGroupPairs", "GroupId", where=has("GroupId")),
}


def referenced_groups(rules: str):
    """The groups that the rules under `rules` name. A pair may name another account's group (in
    a peered VPC, or a shared VPC's owner's)."""
    return lambda group, scope: [scope.ec2_arn("security-group", pair["GroupId"], account=pair.get("UserId"))
                                 for rule in group.get(rules, []) for pair in rule.get("UserIdGroupPairs", [])
                                 if pair.get("GroupId")]


# Traffic may flow from a group this one lets in, and to a group its egress rules allow. A group
# that allows its own members draws no arrow (no item has an edge to itself).
SECURITY_GROUP = Spec(
    "AWS::EC2::SecurityGroup", arn=ec2("security-group", "GroupId"), name="GroupName", tags=tags_at(), keep_none=True,
    attributes={
        **named("GroupId", "Description", "VpcId", "OwnerId"),
        "ingress": objects("IpPermissions", PERMISSION, keep_none=True),
        "egress": objects("IpPermissionsEgress", PERMISSION, keep_none=True),
    },
    edges=(in_vpc(),
           Link("routes_to", referenced_groups("IpPermissions"), inward=True),
           Link("routes_to", referenced_groups("IpPermissionsEgress"))))

NETWORK_ACL = ec2_type(
    "AWS::EC2::NetworkAcl", "network-acl", "NetworkAclId",
    attributes={
        **named("NetworkAclId", "VpcId"),
        "isDefault": at("IsDefault", False),
        "entries": objects("Entries", {
            "ruleNumber": "RuleNumber",
            "egress": at("Egress", False),
            "protocol": "Protocol",
            "ruleAction": "RuleAction",
            "cidr": first_of("CidrBlock", "Ipv6CidrBlock"),
            "fromPort": "PortRange.From",
            "toPort": "PortRange.To",
        }, keep_none=True),
    },
    edges=(in_vpc(), Link("attached_to", ec2("subnet", each("Associations", "SubnetId", where=has("SubnetId"))))))


# --- Compute -----------------------------------------------------------------------------------

def platform(instance: dict, scope: Scope) -> str:
    """The licence the price depends on: "Linux/UNIX", "Windows", "Red Hat Enterprise Linux", ..."""
    windows = state_name(instance.get("Platform")) == "windows"
    return instance.get("PlatformDetails") or ("Windows" if windows else "Linux/UNIX")


def instance_groups(instance: dict, scope: Scope) -> list[str]:
    """The instance's security groups, and those of any further network interface."""
    return ([g["GroupId"] for g in instance.get("SecurityGroups", [])]
            + [g["GroupId"] for eni in instance.get("NetworkInterfaces", []) for g in eni.get("Groups", [])])


# Chosen fields only, so user data never reaches an item.
INSTANCE = ec2_type(
    "AWS::EC2::Instance", "instance", "InstanceId", where=alive("State.Name"),
    records=lambda reservations: [i for reservation in reservations for i in reservation.get("Instances", [])],
    attributes={
        "instanceId": "InstanceId",
        "instanceType": "InstanceType",
        "state": "State.Name",
        # Absent for on-demand instances; else "spot", "scheduled" or "capacity-block".
        "lifecycle": nonempty("InstanceLifecycle", "on-demand"),
        "platform": platform,
        "tenancy": at("Placement.Tenancy", "default"),
        **named("Placement.AvailabilityZone", "VpcId", "SubnetId", "PrivateIpAddress", "PublicIpAddress", "ImageId",
                "Architecture"),
        "launchTime": timestamp("LaunchTime"),
    },
    edges=placed("SubnetId", instance_groups))

ATTACHED = in_state("State", "attaching", "attached")

VOLUME = ec2_type(
    "AWS::EC2::Volume", "volume", "VolumeId", where=alive("State"),
    attributes={
        "volumeId": "VolumeId",
        "volumeType": "VolumeType",
        "size": "Size",              # GiB
        "iops": "Iops",
        "throughput": "Throughput",  # MiB/s (gp3)
        "state": "State",
        "availabilityZone": "AvailabilityZone",
        "encrypted": at("Encrypted", False),
        "multiAttachEnabled": at("MultiAttachEnabled", False),
        "createTime": timestamp("CreateTime"),
    },
    # An attachment to a Fargate task names no instance (AssociatedResource instead).
    edges=(Link("attached_to", ec2("instance", each(
        "Attachments", "InstanceId", where=lambda a, scope: ATTACHED(a, scope) and a.get("InstanceId")))),))

# Never DescribeLaunchTemplateVersions: versions carry user data, which often holds secrets.
LAUNCH_TEMPLATE = Spec(
    "AWS::EC2::LaunchTemplate", arn=ec2("launch-template", "LaunchTemplateId"), name="LaunchTemplateName",
    tags=tags_at(), keep_none=True,
    attributes={
        **named("LaunchTemplateId", "DefaultVersionNumber", "LatestVersionNumber"),
        "createTime": timestamp("CreateTime"),
    })


UNITS = [
    unit("ec2.vpcs", "ec2", listing("describe_vpcs", "Vpcs", page_size=1000), VPC),
    # Not paginated.
    unit("ec2.availability_zones", "ec2", listing("describe_availability_zones", "AvailabilityZones"),
         AVAILABILITY_ZONE),
    unit("ec2.subnets", "ec2", listing("describe_subnets", "Subnets", page_size=1000), SUBNET),
    unit("ec2.route_tables", "ec2", listing("describe_route_tables", "RouteTables", page_size=100),  # the maximum
         ROUTE_TABLE),
    unit("ec2.internet_gateways", "ec2", listing("describe_internet_gateways", "InternetGateways", page_size=1000),
         INTERNET_GATEWAY),
    unit("ec2.nat_gateways", "ec2", listing("describe_nat_gateways", "NatGateways", page_size=1000), NAT_GATEWAY),
    unit("ec2.vpc_endpoints", "ec2", listing("describe_vpc_endpoints", "VpcEndpoints", page_size=1000), VPC_ENDPOINT),
    unit("ec2.vpc_peering_connections", "ec2",
         listing("describe_vpc_peering_connections", "VpcPeeringConnections", page_size=1000), VPC_PEERING_CONNECTION),
    unit("ec2.transit_gateways", "ec2", listing("describe_transit_gateways", "TransitGateways", page_size=1000),
         TRANSIT_GATEWAY),
    unit("ec2.transit_gateway_attachments", "ec2",
         listing("describe_transit_gateway_attachments", "TransitGatewayAttachments", page_size=1000),
         TRANSIT_GATEWAY_ATTACHMENT),
    # The three VPN listings are not paginated.
    unit("ec2.vpn_gateways", "ec2", listing("describe_vpn_gateways", "VpnGateways"), VPN_GATEWAY),
    unit("ec2.vpn_connections", "ec2", listing("describe_vpn_connections", "VpnConnections"), VPN_CONNECTION),
    unit("ec2.customer_gateways", "ec2", listing("describe_customer_gateways", "CustomerGateways"), CUSTOMER_GATEWAY),
    unit("ec2.security_groups", "ec2", listing("describe_security_groups", "SecurityGroups", page_size=1000),
         SECURITY_GROUP),
    unit("ec2.network_acls", "ec2", listing("describe_network_acls", "NetworkAcls", page_size=1000), NETWORK_ACL),
    unit("ec2.instances", "ec2", listing("describe_instances", "Reservations", page_size=1000), INSTANCE),
    # AWS returns at most 500 volumes a page.
    unit("ec2.volumes", "ec2", listing("describe_volumes", "Volumes", page_size=500), VOLUME),
    unit("ec2.launch_templates", "ec2", listing("describe_launch_templates", "LaunchTemplates", page_size=200),
         LAUNCH_TEMPLATE),   # 200: the API's maximum
]
