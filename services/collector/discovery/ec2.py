"""EC2 networking and compute: VPCs, availability zones, subnets, route tables, gateways, VPC
endpoints and peerings, Transit Gateways, VPN, security groups, network ACLs, instances, EBS
volumes and launch templates. Images are never enumerated (docs/architecture.md, "Measured facts").

ARNs: an item is named in the account being scanned (scope), also when AWS shares it from another
account (a RAM-shared subnet or Transit Gateway), so that every edge within one account's scan
meets its item: routes and instances name shared resources by id only. A reference to a resource
this account cannot describe (the other side of a peering, another account's security group, the
VPC of another account's Transit Gateway attachment) is named in the account and region the
response gives for it, which is where that account's own scan names it.
"""
from __future__ import annotations

from services.collector.discovery import Context, Unit
from services.collector.discovery._shared import gone, make_item, name_of, placement
from services.collector.model import Edge, Item, Scope, iso, tags_of


def in_vpc(scope: Scope, arn: str, vpc_id: str | None) -> list[Edge]:
    """VPC -contains-> resource: subnets, and what belongs to a VPC without sitting in a subnet."""
    return [Edge("contains", scope.ec2_arn("vpc", vpc_id), arn)] if vpc_id else []


# --- VPCs, availability zones, subnets ---------------------------------------------------------

def get_vpcs(ctx: Context) -> list[dict]:
    return ctx.paginate("describe_vpcs", "Vpcs", page_size=1000)


def transform_vpcs(vpcs: list[dict], scope: Scope) -> list[Item]:
    items = []
    for vpc in vpcs:
        tags = tags_of(vpc.get("Tags"))
        attributes = {
            "vpcId": vpc["VpcId"],
            "cidrBlock": vpc.get("CidrBlock"),
            "cidrBlocks": [a["CidrBlock"] for a in vpc.get("CidrBlockAssociationSet", [])
                           if a.get("CidrBlockState", {}).get("State") == "associated"],
            "ipv6CidrBlocks": [a["Ipv6CidrBlock"] for a in vpc.get("Ipv6CidrBlockAssociationSet", [])
                               if a.get("Ipv6CidrBlockState", {}).get("State") == "associated"],
            "isDefault": vpc.get("IsDefault", False),
            "state": vpc.get("State"),
            "instanceTenancy": vpc.get("InstanceTenancy"),
            "ownerId": vpc.get("OwnerId"),
        }
        items.append(make_item(scope, scope.ec2_arn("vpc", vpc["VpcId"]), "AWS::EC2::VPC",
                               name_of(tags, vpc["VpcId"]), tags, attributes))
    return items


def get_availability_zones(ctx: Context) -> list[dict]:
    # Not paginated. Without AllAvailabilityZones it lists the zones the account can use.
    return ctx.paginate("describe_availability_zones", "AvailabilityZones")


def transform_availability_zones(zones: list[dict], scope: Scope) -> list[Item]:
    items = []
    for zone in zones:
        attributes = {"zoneId": zone.get("ZoneId"), "state": zone.get("State"), "zoneType": zone.get("ZoneType")}
        items.append(make_item(scope, scope.availability_zone_arn(zone["ZoneName"]), "AWS::EC2::AvailabilityZone",
                               zone["ZoneName"], {}, attributes))
    return items


def get_subnets(ctx: Context) -> list[dict]:
    return ctx.paginate("describe_subnets", "Subnets", page_size=1000)


def transform_subnets(subnets: list[dict], scope: Scope) -> list[Item]:
    items = []
    for subnet in subnets:
        tags = tags_of(subnet.get("Tags"))
        arn = scope.ec2_arn("subnet", subnet["SubnetId"])
        # Not AvailableIpAddressCount: it changes with every launch, and would make the subnet
        # look changed on every sync.
        attributes = {
            "subnetId": subnet["SubnetId"],
            "vpcId": subnet.get("VpcId"),
            "cidrBlock": subnet.get("CidrBlock"),
            "ipv6CidrBlocks": [a["Ipv6CidrBlock"] for a in subnet.get("Ipv6CidrBlockAssociationSet", [])],
            "availabilityZone": subnet["AvailabilityZone"],
            "availabilityZoneId": subnet.get("AvailabilityZoneId"),
            "mapPublicIpOnLaunch": subnet.get("MapPublicIpOnLaunch", False),
            "defaultForAz": subnet.get("DefaultForAz", False),
            "state": subnet.get("State"),
            "ownerId": subnet.get("OwnerId"),
        }
        edges = [*in_vpc(scope, arn, subnet.get("VpcId")),
                 Edge("contains", scope.availability_zone_arn(subnet["AvailabilityZone"]), arn)]
        items.append(make_item(scope, arn, "AWS::EC2::Subnet", name_of(tags, subnet["SubnetId"]), tags,
                               attributes, edges))
    return items


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


def get_route_tables(ctx: Context) -> list[dict]:
    return ctx.paginate("describe_route_tables", "RouteTables", page_size=100)  # the API's maximum


def transform_route_tables(tables: list[dict], scope: Scope) -> list[Item]:
    items = []
    for table in tables:
        tags = tags_of(table.get("Tags"))
        arn = scope.ec2_arn("route-table", table["RouteTableId"])
        associations = [a for a in table.get("Associations", [])
                        if a.get("AssociationState", {}).get("State", "associated") == "associated"]
        routes = table.get("Routes", [])
        attributes = {
            "routeTableId": table["RouteTableId"],
            "vpcId": table.get("VpcId"),
            # The main route table also serves every subnet of its VPC without an association.
            "main": any(a.get("Main", False) for a in associations),
            "routes": [{
                "destination": (route.get("DestinationCidrBlock") or route.get("DestinationIpv6CidrBlock")
                                or route.get("DestinationPrefixListId")),
                "target": next((route[f] for f in ROUTE_TARGET_FIELDS if route.get(f)), None),
                "state": route.get("State"),
            } for route in routes],
        }
        edges = in_vpc(scope, arn, table.get("VpcId"))
        edges += [Edge("attached_to", arn, scope.ec2_arn("subnet", a["SubnetId"]))
                  for a in associations if a.get("SubnetId")]
        # A blackhole route's target is gone: no edge to it.
        targets = [_route_target_arn(route, scope) for route in routes if route.get("State") != "blackhole"]
        edges += [Edge("routes_to", arn, target) for target in targets if target]
        items.append(make_item(scope, arn, "AWS::EC2::RouteTable", name_of(tags, table["RouteTableId"]), tags,
                               attributes, edges))
    return items


def get_internet_gateways(ctx: Context) -> list[dict]:
    return ctx.paginate("describe_internet_gateways", "InternetGateways", page_size=1000)


def transform_internet_gateways(gateways: list[dict], scope: Scope) -> list[Item]:
    items = []
    for gateway in gateways:
        tags = tags_of(gateway.get("Tags"))
        arn = scope.ec2_arn("internet-gateway", gateway["InternetGatewayId"])
        # DescribeInternetGateways reports an attached gateway's attachment as "available".
        vpc_ids = [a["VpcId"] for a in gateway.get("Attachments", []) if a.get("State") in ("available", "attached")]
        attributes = {"internetGatewayId": gateway["InternetGatewayId"], "vpcIds": vpc_ids}
        edges = [Edge("attached_to", arn, scope.ec2_arn("vpc", vpc_id)) for vpc_id in vpc_ids]
        items.append(make_item(scope, arn, "AWS::EC2::InternetGateway", name_of(tags, gateway["InternetGatewayId"]),
                               tags, attributes, edges))
    return items


def get_nat_gateways(ctx: Context) -> list[dict]:
    return ctx.paginate("describe_nat_gateways", "NatGateways", page_size=1000)


def transform_nat_gateways(gateways: list[dict], scope: Scope) -> list[Item]:
    items = []
    for gateway in gateways:
        if gone(gateway.get("State")):
            continue
        tags = tags_of(gateway.get("Tags"))
        arn = scope.ec2_arn("natgateway", gateway["NatGatewayId"])
        addresses = gateway.get("NatGatewayAddresses", [])
        attributes = {
            "natGatewayId": gateway["NatGatewayId"],
            "connectivityType": gateway.get("ConnectivityType", "public"),
            "availabilityMode": gateway.get("AvailabilityMode", "zonal"),
            "state": gateway.get("State"),
            "vpcId": gateway.get("VpcId"),
            "subnetId": gateway.get("SubnetId"),
            "publicIps": [a["PublicIp"] for a in addresses if a.get("PublicIp")],
            "privateIps": [a["PrivateIp"] for a in addresses if a.get("PrivateIp")],
            "createTime": iso(gateway.get("CreateTime")),
        }
        # A zonal NAT gateway sits in a subnet; a regional one has none and sits in its VPC.
        edges = (placement(scope, arn, [gateway["SubnetId"]]) if gateway.get("SubnetId")
                 else in_vpc(scope, arn, gateway.get("VpcId")))
        items.append(make_item(scope, arn, "AWS::EC2::NatGateway", name_of(tags, gateway["NatGatewayId"]), tags,
                               attributes, edges))
    return items


def get_vpc_endpoints(ctx: Context) -> list[dict]:
    return ctx.paginate("describe_vpc_endpoints", "VpcEndpoints", page_size=1000)


def transform_vpc_endpoints(endpoints: list[dict], scope: Scope) -> list[Item]:
    items = []
    for endpoint in endpoints:
        if gone(endpoint.get("State")):
            continue
        tags = tags_of(endpoint.get("Tags"))
        arn = scope.ec2_arn("vpc-endpoint", endpoint["VpcEndpointId"])
        subnet_ids = endpoint.get("SubnetIds", [])
        attributes = {
            "vpcEndpointId": endpoint["VpcEndpointId"],
            "vpcEndpointType": endpoint.get("VpcEndpointType"),  # Interface, Gateway, GatewayLoadBalancer, ...
            "serviceName": endpoint.get("ServiceName"),
            "state": endpoint.get("State"),
            "vpcId": endpoint.get("VpcId"),
            "privateDnsEnabled": endpoint.get("PrivateDnsEnabled", False),
            # Interface endpoints are priced per network interface (one per zone) and hour.
            "networkInterfaceCount": len(endpoint.get("NetworkInterfaceIds", [])),
            "creationTimestamp": iso(endpoint.get("CreationTimestamp")),
        }
        # An interface endpoint has a network interface in each of its subnets; a gateway
        # endpoint has none (its route tables route to it, see transform_route_tables).
        edges = [] if subnet_ids else in_vpc(scope, arn, endpoint.get("VpcId"))
        edges += placement(scope, arn, subnet_ids, [g["GroupId"] for g in endpoint.get("Groups", [])])
        items.append(make_item(scope, arn, "AWS::EC2::VPCEndpoint", name_of(tags, endpoint["VpcEndpointId"]), tags,
                               attributes, edges))
    return items


def get_vpc_peering_connections(ctx: Context) -> list[dict]:
    return ctx.paginate("describe_vpc_peering_connections", "VpcPeeringConnections", page_size=1000)


def transform_vpc_peering_connections(peerings: list[dict], scope: Scope) -> list[Item]:
    items = []
    for peering in peerings:
        status = peering.get("Status", {}).get("Code")
        if gone(status):
            continue
        tags = tags_of(peering.get("Tags"))
        peering_id = peering["VpcPeeringConnectionId"]
        arn = scope.ec2_arn("vpc-peering-connection", peering_id)
        sides = {"requester": peering.get("RequesterVpcInfo", {}), "accepter": peering.get("AccepterVpcInfo", {})}
        attributes = {"vpcPeeringConnectionId": peering_id, "status": status}
        edges = []
        for role, side in sides.items():
            attributes[role] = {"vpcId": side.get("VpcId"), "ownerId": side.get("OwnerId"),
                                "region": side.get("Region"), "cidrBlock": side.get("CidrBlock")}
            if side.get("VpcId"):
                # Either VPC may be in another account or region: named where that account names it.
                edges.append(Edge("routes_to", arn, scope.arn("ec2", f"vpc/{side['VpcId']}", region=side.get("Region"),
                                                              account=side.get("OwnerId"))))
        items.append(make_item(scope, arn, "AWS::EC2::VPCPeeringConnection", name_of(tags, peering_id), tags,
                               attributes, edges))
    return items


def get_transit_gateways(ctx: Context) -> list[dict]:
    return ctx.paginate("describe_transit_gateways", "TransitGateways", page_size=1000)


def transform_transit_gateways(gateways: list[dict], scope: Scope) -> list[Item]:
    items = []
    for gateway in gateways:
        if gone(gateway.get("State")):
            continue
        tags = tags_of(gateway.get("Tags"))
        attributes = {
            "transitGatewayId": gateway["TransitGatewayId"],
            "state": gateway.get("State"),
            "ownerId": gateway.get("OwnerId"),
            "description": gateway.get("Description"),
            "amazonSideAsn": gateway.get("Options", {}).get("AmazonSideAsn"),
            "creationTime": iso(gateway.get("CreationTime")),
        }
        items.append(make_item(scope, scope.ec2_arn("transit-gateway", gateway["TransitGatewayId"]),
                               "AWS::EC2::TransitGateway", name_of(tags, gateway["TransitGatewayId"]), tags,
                               attributes))
    return items


def get_transit_gateway_attachments(ctx: Context) -> list[dict]:
    return ctx.paginate("describe_transit_gateway_attachments", "TransitGatewayAttachments", page_size=1000)


def transform_transit_gateway_attachments(attachments: list[dict], scope: Scope) -> list[Item]:
    items = []
    for attachment in attachments:
        if gone(attachment.get("State")):
            continue
        tags = tags_of(attachment.get("Tags"))
        attachment_id = attachment["TransitGatewayAttachmentId"]
        arn = scope.ec2_arn("transit-gateway-attachment", attachment_id)
        attributes = {
            "transitGatewayAttachmentId": attachment_id,
            "transitGatewayId": attachment["TransitGatewayId"],
            "transitGatewayOwnerId": attachment.get("TransitGatewayOwnerId"),
            "resourceType": attachment.get("ResourceType"),  # vpc, vpn, direct-connect-gateway, peering, ...
            "resourceId": attachment.get("ResourceId"),
            "resourceOwnerId": attachment.get("ResourceOwnerId"),
            "state": attachment.get("State"),
            "creationTime": iso(attachment.get("CreationTime")),
        }
        # The transit gateway is visible to every account attached to it (RAM shares it), so it
        # is named in this account; an attached VPC of another account is named in its own.
        edges = [Edge("attached_to", arn, scope.ec2_arn("transit-gateway", attachment["TransitGatewayId"]))]
        if attachment.get("ResourceType") == "vpc" and attachment.get("ResourceId"):
            edges.append(Edge("attached_to", arn, scope.ec2_arn("vpc", attachment["ResourceId"],
                                                                account=attachment.get("ResourceOwnerId"))))
        items.append(make_item(scope, arn, "AWS::EC2::TransitGatewayAttachment", name_of(tags, attachment_id), tags,
                               attributes, edges))
    return items


# --- VPN ---------------------------------------------------------------------------------------

def get_vpn_gateways(ctx: Context) -> list[dict]:
    return ctx.paginate("describe_vpn_gateways", "VpnGateways")  # not paginated


def transform_vpn_gateways(gateways: list[dict], scope: Scope) -> list[Item]:
    items = []
    for gateway in gateways:
        if gone(gateway.get("State")):
            continue
        tags = tags_of(gateway.get("Tags"))
        arn = scope.ec2_arn("vpn-gateway", gateway["VpnGatewayId"])
        vpc_ids = [a["VpcId"] for a in gateway.get("VpcAttachments", []) if a.get("State") in ("attaching", "attached")]
        attributes = {
            "vpnGatewayId": gateway["VpnGatewayId"],
            "type": gateway.get("Type"),
            "state": gateway.get("State"),
            "amazonSideAsn": gateway.get("AmazonSideAsn"),
            "vpcIds": vpc_ids,
        }
        edges = [Edge("attached_to", arn, scope.ec2_arn("vpc", vpc_id)) for vpc_id in vpc_ids]
        items.append(make_item(scope, arn, "AWS::EC2::VPNGateway", name_of(tags, gateway["VpnGatewayId"]), tags,
                               attributes, edges))
    return items


def get_vpn_connections(ctx: Context) -> list[dict]:
    return ctx.paginate("describe_vpn_connections", "VpnConnections")  # not paginated


def transform_vpn_connections(connections: list[dict], scope: Scope) -> list[Item]:
    items = []
    for connection in connections:
        if gone(connection.get("State")):
            continue
        tags = tags_of(connection.get("Tags"))
        arn = scope.ec2_arn("vpn-connection", connection["VpnConnectionId"])
        # Chosen fields only: CustomerGatewayConfiguration and the tunnel options hold pre-shared keys.
        attributes = {
            "vpnConnectionId": connection["VpnConnectionId"],
            "type": connection.get("Type"),
            "category": connection.get("Category"),
            "state": connection.get("State"),
            "vpnGatewayId": connection.get("VpnGatewayId"),
            "transitGatewayId": connection.get("TransitGatewayId"),
            "customerGatewayId": connection.get("CustomerGatewayId"),
            "staticRoutesOnly": connection.get("Options", {}).get("StaticRoutesOnly"),
        }
        ends = (("VpnGatewayId", "vpn-gateway"), ("TransitGatewayId", "transit-gateway"),
                ("CustomerGatewayId", "customer-gateway"))
        edges = [Edge("attached_to", arn, scope.ec2_arn(kind, connection[field]))
                 for field, kind in ends if connection.get(field)]
        items.append(make_item(scope, arn, "AWS::EC2::VPNConnection", name_of(tags, connection["VpnConnectionId"]),
                               tags, attributes, edges))
    return items


def get_customer_gateways(ctx: Context) -> list[dict]:
    return ctx.paginate("describe_customer_gateways", "CustomerGateways")  # not paginated


def transform_customer_gateways(gateways: list[dict], scope: Scope) -> list[Item]:
    items = []
    for gateway in gateways:
        if gone(gateway.get("State")):
            continue
        tags = tags_of(gateway.get("Tags"))
        attributes = {
            "customerGatewayId": gateway["CustomerGatewayId"],
            "type": gateway.get("Type"),
            "state": gateway.get("State"),
            "bgpAsn": gateway.get("BgpAsn"),
            "ipAddress": gateway.get("IpAddress"),
            "deviceName": gateway.get("DeviceName"),
        }
        items.append(make_item(scope, scope.ec2_arn("customer-gateway", gateway["CustomerGatewayId"]),
                               "AWS::EC2::CustomerGateway", name_of(tags, gateway["CustomerGatewayId"]), tags,
                               attributes))
    return items


# --- Security groups and network ACLs ----------------------------------------------------------

def _permission(rule: dict) -> dict:
    """One security group rule, compact (what a blueprint's security view shows)."""
    return {
        "protocol": rule.get("IpProtocol"),
        "fromPort": rule.get("FromPort"),
        "toPort": rule.get("ToPort"),
        "cidrs": [r["CidrIp"] for r in rule.get("IpRanges", [])] + [r["CidrIpv6"] for r in rule.get("Ipv6Ranges", [])],
        "prefixLists": [p["PrefixListId"] for p in rule.get("PrefixListIds", [])],
        "groups": [p["GroupId"] for p in rule.get("UserIdGroupPairs", []) if p.get("GroupId")],
    }


def _referenced_groups(rule: dict, scope: Scope) -> list[str]:
    # A pair may name another account's group (in a peered VPC, or a shared VPC's owner's).
    return [scope.ec2_arn("security-group", pair["GroupId"], account=pair.get("UserId"))
            for pair in rule.get("UserIdGroupPairs", []) if pair.get("GroupId")]


def get_security_groups(ctx: Context) -> list[dict]:
    return ctx.paginate("describe_security_groups", "SecurityGroups", page_size=1000)


def transform_security_groups(groups: list[dict], scope: Scope) -> list[Item]:
    items = []
    for group in groups:
        tags = tags_of(group.get("Tags"))
        arn = scope.ec2_arn("security-group", group["GroupId"])
        ingress, egress = group.get("IpPermissions", []), group.get("IpPermissionsEgress", [])
        attributes = {
            "groupId": group["GroupId"],
            "description": group.get("Description"),
            "vpcId": group.get("VpcId"),
            "ownerId": group.get("OwnerId"),
            "ingress": [_permission(rule) for rule in ingress],
            "egress": [_permission(rule) for rule in egress],
        }
        # Traffic may flow from a group this one lets in, and to a group its egress rules allow.
        # A group that allows its own members draws no arrow.
        edges = in_vpc(scope, arn, group.get("VpcId"))
        edges += [Edge("routes_to", other, arn) for rule in ingress
                  for other in _referenced_groups(rule, scope) if other != arn]
        edges += [Edge("routes_to", arn, other) for rule in egress
                  for other in _referenced_groups(rule, scope) if other != arn]
        items.append(make_item(scope, arn, "AWS::EC2::SecurityGroup", group["GroupName"], tags, attributes, edges))
    return items


def get_network_acls(ctx: Context) -> list[dict]:
    return ctx.paginate("describe_network_acls", "NetworkAcls", page_size=1000)


def transform_network_acls(acls: list[dict], scope: Scope) -> list[Item]:
    items = []
    for acl in acls:
        tags = tags_of(acl.get("Tags"))
        arn = scope.ec2_arn("network-acl", acl["NetworkAclId"])
        attributes = {
            "networkAclId": acl["NetworkAclId"],
            "vpcId": acl.get("VpcId"),
            "isDefault": acl.get("IsDefault", False),
            "entries": [{
                "ruleNumber": entry.get("RuleNumber"),
                "egress": entry.get("Egress", False),
                "protocol": entry.get("Protocol"),
                "ruleAction": entry.get("RuleAction"),
                "cidr": entry.get("CidrBlock") or entry.get("Ipv6CidrBlock"),
                "fromPort": entry.get("PortRange", {}).get("From"),
                "toPort": entry.get("PortRange", {}).get("To"),
            } for entry in acl.get("Entries", [])],
        }
        edges = in_vpc(scope, arn, acl.get("VpcId"))
        edges += [Edge("attached_to", arn, scope.ec2_arn("subnet", a["SubnetId"]))
                  for a in acl.get("Associations", []) if a.get("SubnetId")]
        items.append(make_item(scope, arn, "AWS::EC2::NetworkAcl", name_of(tags, acl["NetworkAclId"]), tags,
                               attributes, edges))
    return items


# --- Compute -----------------------------------------------------------------------------------

def get_instances(ctx: Context) -> list[dict]:
    return ctx.paginate("describe_instances", "Reservations", page_size=1000)


def transform_instances(reservations: list[dict], scope: Scope) -> list[Item]:
    items = []
    for reservation in reservations:
        for instance in reservation.get("Instances", []):
            state = instance.get("State", {}).get("Name")
            if gone(state):
                continue
            tags = tags_of(instance.get("Tags"))
            arn = scope.ec2_arn("instance", instance["InstanceId"])
            placed = instance.get("Placement", {})
            # Chosen fields only, so user data never reaches an item.
            attributes = {
                "instanceId": instance["InstanceId"],
                "instanceType": instance.get("InstanceType"),
                "state": state,
                # Absent for on-demand instances; else "spot", "scheduled" or "capacity-block".
                "lifecycle": instance.get("InstanceLifecycle") or "on-demand",
                # The licence the price depends on: "Linux/UNIX", "Windows", "Red Hat Enterprise Linux", ...
                "platform": instance.get("PlatformDetails") or (
                    "Windows" if instance.get("Platform") == "windows" else "Linux/UNIX"),
                "tenancy": placed.get("Tenancy", "default"),
                "availabilityZone": placed.get("AvailabilityZone"),
                "vpcId": instance.get("VpcId"),
                "subnetId": instance.get("SubnetId"),
                "privateIpAddress": instance.get("PrivateIpAddress"),
                "publicIpAddress": instance.get("PublicIpAddress"),
                "imageId": instance.get("ImageId"),
                "architecture": instance.get("Architecture"),
                "launchTime": iso(instance.get("LaunchTime")),
            }
            # The instance's groups, and those of any further network interface.
            group_ids = [g["GroupId"] for g in instance.get("SecurityGroups", [])]
            group_ids += [g["GroupId"] for eni in instance.get("NetworkInterfaces", []) for g in eni.get("Groups", [])]
            edges = placement(scope, arn, [instance.get("SubnetId")], group_ids)
            items.append(make_item(scope, arn, "AWS::EC2::Instance", name_of(tags, instance["InstanceId"]), tags,
                                   attributes, edges))
    return items


def get_volumes(ctx: Context) -> list[dict]:
    return ctx.paginate("describe_volumes", "Volumes", page_size=500)  # AWS returns at most 500 a page


def transform_volumes(volumes: list[dict], scope: Scope) -> list[Item]:
    items = []
    for volume in volumes:
        if gone(volume.get("State")):
            continue
        tags = tags_of(volume.get("Tags"))
        arn = scope.ec2_arn("volume", volume["VolumeId"])
        attributes = {
            "volumeId": volume["VolumeId"],
            "volumeType": volume.get("VolumeType"),
            "size": volume.get("Size"),              # GiB
            "iops": volume.get("Iops"),
            "throughput": volume.get("Throughput"),  # MiB/s (gp3)
            "state": volume.get("State"),
            "availabilityZone": volume.get("AvailabilityZone"),
            "encrypted": volume.get("Encrypted", False),
            "multiAttachEnabled": volume.get("MultiAttachEnabled", False),
            "createTime": iso(volume.get("CreateTime")),
        }
        # An attachment to a Fargate task names no instance (AssociatedResource instead).
        edges = [Edge("attached_to", arn, scope.ec2_arn("instance", a["InstanceId"]))
                 for a in volume.get("Attachments", [])
                 if a.get("State") in ("attaching", "attached") and a.get("InstanceId")]
        items.append(make_item(scope, arn, "AWS::EC2::Volume", name_of(tags, volume["VolumeId"]), tags,
                               attributes, edges))
    return items


def get_launch_templates(ctx: Context) -> list[dict]:
    # Never DescribeLaunchTemplateVersions: versions carry user data, which often holds secrets.
    return ctx.paginate("describe_launch_templates", "LaunchTemplates", page_size=200)  # the API's maximum


def transform_launch_templates(templates: list[dict], scope: Scope) -> list[Item]:
    items = []
    for template in templates:
        attributes = {
            "launchTemplateId": template["LaunchTemplateId"],
            "defaultVersionNumber": template.get("DefaultVersionNumber"),
            "latestVersionNumber": template.get("LatestVersionNumber"),
            "createTime": iso(template.get("CreateTime")),
        }
        items.append(make_item(scope, scope.ec2_arn("launch-template", template["LaunchTemplateId"]),
                               "AWS::EC2::LaunchTemplate", template["LaunchTemplateName"],
                               tags_of(template.get("Tags")), attributes))
    return items


UNITS = [
    Unit("ec2.vpcs", "ec2", ("AWS::EC2::VPC",), get_vpcs, transform_vpcs),
    Unit("ec2.availability_zones", "ec2", ("AWS::EC2::AvailabilityZone",), get_availability_zones,
         transform_availability_zones),
    Unit("ec2.subnets", "ec2", ("AWS::EC2::Subnet",), get_subnets, transform_subnets),
    Unit("ec2.route_tables", "ec2", ("AWS::EC2::RouteTable",), get_route_tables, transform_route_tables),
    Unit("ec2.internet_gateways", "ec2", ("AWS::EC2::InternetGateway",), get_internet_gateways,
         transform_internet_gateways),
    Unit("ec2.nat_gateways", "ec2", ("AWS::EC2::NatGateway",), get_nat_gateways, transform_nat_gateways),
    Unit("ec2.vpc_endpoints", "ec2", ("AWS::EC2::VPCEndpoint",), get_vpc_endpoints, transform_vpc_endpoints),
    Unit("ec2.vpc_peering_connections", "ec2", ("AWS::EC2::VPCPeeringConnection",), get_vpc_peering_connections,
         transform_vpc_peering_connections),
    Unit("ec2.transit_gateways", "ec2", ("AWS::EC2::TransitGateway",), get_transit_gateways,
         transform_transit_gateways),
    Unit("ec2.transit_gateway_attachments", "ec2", ("AWS::EC2::TransitGatewayAttachment",),
         get_transit_gateway_attachments, transform_transit_gateway_attachments),
    Unit("ec2.vpn_gateways", "ec2", ("AWS::EC2::VPNGateway",), get_vpn_gateways, transform_vpn_gateways),
    Unit("ec2.vpn_connections", "ec2", ("AWS::EC2::VPNConnection",), get_vpn_connections, transform_vpn_connections),
    Unit("ec2.customer_gateways", "ec2", ("AWS::EC2::CustomerGateway",), get_customer_gateways,
         transform_customer_gateways),
    Unit("ec2.security_groups", "ec2", ("AWS::EC2::SecurityGroup",), get_security_groups, transform_security_groups),
    Unit("ec2.network_acls", "ec2", ("AWS::EC2::NetworkAcl",), get_network_acls, transform_network_acls),
    Unit("ec2.instances", "ec2", ("AWS::EC2::Instance",), get_instances, transform_instances),
    Unit("ec2.volumes", "ec2", ("AWS::EC2::Volume",), get_volumes, transform_volumes),
    Unit("ec2.launch_templates", "ec2", ("AWS::EC2::LaunchTemplate",), get_launch_templates,
         transform_launch_templates),
]
