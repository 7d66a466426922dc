"""Resources -> the blueprint document of docs/blueprint-format.md (a pure function, no I/O).

`compose` places every resource in a group tree (the grouping of `options.group_by`), applies
`options.filter`, `exclude`, `autoconnect`, `label` and `expand`, draws connections from
relationships, and lays the tree out (services/diagram/layout.py). docs/diagram.md explains the
rules and why.
"""
from __future__ import annotations

import functools
import hashlib
import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from services.diagram import layout as layout_mod
from services.diagram.cloudcraft_types import GROUP_TYPES, HIDDEN_BY_DEFAULT, NETWORK_TYPES, node_fields, node_type
from services.diagram.filters import Subject, parse_filter
from services.diagram.model import Resource, collector_paused, resource_id
from services.diagram.options import ExportOptions

COLLAPSE_AT = 50   # a group with more components than this directly inside shows as a counted box
ID_CACHE_SIZE = 1 << 17   # ids of ARNs and group keys memoised across compositions (about 20 MiB full)

# Relationships drawn as connections (Cloudcraft's autoconnect). `contains` is the group tree,
# `member_of` and `secured_by` are groupings, `attached_to` a VPC is a placement.
CONNECTION_TYPES = ("routes_to", "targets", "triggers", "origin_of", "alias_of", "replica_of", "attached_to")
NETWORK_CONNECTION_TYPES = ("routes_to", "attached_to", "targets", "alias_of", "origin_of")
ROUTE_COLOR = {"2d": "#d4432b", "isometric": "#d4432b"}

_NS = uuid.NAMESPACE_URL.bytes


def _uuid5(name: str) -> str:
    """str(uuid.uuid5(uuid.NAMESPACE_URL, name)), without building UUID objects (a third of the
    time of composing a large estate went there)."""
    digest = bytearray(hashlib.sha1(_NS + name.encode("utf-8")).digest()[:16])
    digest[6] = (digest[6] & 0x0F) | 0x50
    digest[8] = (digest[8] & 0x3F) | 0x80
    h = digest.hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


@functools.lru_cache(maxsize=ID_CACHE_SIZE)
def node_id(arn: str) -> str:
    """A live node's id: UUID 5 of its ARN (namespace URL), stable across syncs. Memoised across
    compositions (bounded): the next sync's composition of the same estate reuses the ids."""
    return _uuid5(arn)


def group_id(key: str) -> str:
    """A live group's id: UUID 5 of its key (an ARN, or `region:<account>:<region>`, ...)."""
    return _uuid5(key)


@dataclass(frozen=True)
class Composed:
    data: dict            # the blueprint document
    layout: dict          # positions to persist and pass back next time (layout.py)


@dataclass
class _Group:
    key: str
    kind: str             # account, region, vpc, zone, subnet, sg, area, custom
    name: str
    region: str
    arn: str
    parent: str | None
    order: tuple
    children: list        # keys
    nodes: dict           # arn -> sort key


def _arn_kind(arn: str) -> str:
    """The EC2 resource kind an ARN names (vpc, subnet, availability-zone, security-group), else ""."""
    parts = arn.split(":", 5)
    if len(parts) == 6 and parts[2] == "ec2":
        return parts[5].split("/", 1)[0]
    return ""


def _arn_scope(arn: str) -> tuple[str, str, str]:
    parts = arn.split(":", 5)
    return (parts[1], parts[3], parts[4]) if len(parts) == 6 else ("aws", "", "")


# Relationship kinds whose change moves a resource: `contains` moves its target, `attached_to` and
# `secured_by` their source (the placement and the security grouping read them).
_PLACING = {"contains": 2, "attached_to": 1, "secured_by": 1}
# Resources a change to which reaches every component inside them (groups, their names, the
# filter's container ids): an incremental update that touches one recomposes everything.
_CONTAINER_KINDS = ("vpc", "subnet", "availability-zone", "security-group")


# Types whose change recomposes everything: containers, and VPC peerings (drawn once for both
# accounts, so one side's change decides how the other is drawn).
_WHOLE_TYPES = {*GROUP_TYPES, "AWS::EC2::VPCPeeringConnection"}


def _peering_twins(resources: Iterable[Resource]) -> dict[str, str]:
    """{arn: the arn drawn instead} for VPC peerings seen from both sides: each account's (and,
    across regions, each region's) scan names the same pcx-... with an ARN of its own account and
    region. One is drawn, carrying the connections of both: the requester's, else the first ARN."""
    sides: dict[str, list[Resource]] = {}
    for resource in resources:
        if resource.type == "AWS::EC2::VPCPeeringConnection":
            key = resource.attributes.get("vpcPeeringConnectionId") or resource.resource_id
            sides.setdefault(str(key), []).append(resource)
    twins: dict[str, str] = {}
    for seen in sides.values():
        if len(seen) < 2:
            continue
        requester = seen[0].attributes.get("requester")
        owner, region = (requester.get("ownerId"), requester.get("region")) if isinstance(requester, dict) \
            else (None, None)
        drawn = min(seen, key=lambda r: (_arn_scope(r.arn)[2] != owner, _arn_scope(r.arn)[1] != region, r.arn)).arn
        twins.update((r.arn, drawn) for r in seen if r.arn != drawn)
    return twins


class Composer:
    """Composition that keeps its state: `update` applies upserted and removed resources and
    recomputes only what they touch (the changed resources, the ones whose placement reads them,
    and the group tree's membership), then `compose` lays out and writes the document again.
    `compose(resources, ...)` below is the same thing done once from nothing; the two give the
    same document (tests/services/diagram/test_compose_incremental.py). A change that touches a
    container (a VPC, subnet, zone or security group, whose content, names and filter context all
    depend on it), a VPC peering (drawn once for both its accounts) or an attachment cycle
    recomposes everything: rare, and then always right."""

    def __init__(self, options: ExportOptions, live_account: dict | None = None,
                 resources: Iterable[Resource] = ()):
        self.options = options
        self.live_account = live_account
        self.predicate = parse_filter(options.filter)     # raises InvalidArgument first
        self.excluded = {value.lower() for value in options.exclude}
        self._ids: dict[str, str] = {}
        by_arn: dict[str, Resource] = {}
        for resource in resources:
            other = by_arn.get(resource.arn)
            # The same ARN twice: keep one, chosen by content so that input order does not matter.
            if other is None or repr(resource.to_dict()) > repr(other.to_dict()):
                by_arn[resource.arn] = resource
        self._load(by_arn)

    def _load(self, by_arn: dict[str, Resource]) -> None:
        """Everything from nothing: the indices, every placement, the group tree."""
        self.by_arn = by_arn
        self.parents: dict[str, list[str]] = {}
        self.attached: dict[str, list[str]] = {}
        self.attached_by: dict[str, list[str]] = {}
        self.secured: dict[str, list[str]] = {}
        self.edges: dict[tuple[str, str, str], int] = {}   # relationship -> resources declaring it
        self.groups: dict[str, _Group] = {}
        self._subnets: dict[str, tuple[str | None, str | None]] = {}
        self._placement: dict[str, tuple[str | None, str | None, str | None]] = {}
        self._computing: set[str] = set()
        self.cyclic = False                      # an attachment cycle was met (update recomposes)
        self.visible: dict[str, str] = {}       # arn -> node type, for nodes drawn
        self.where: dict[str, str] = {}         # arn -> key of the group it is drawn in
        self.anchors: dict[str, str] = {}       # VPC or subnet arn -> the group it makes, drawn even empty
        self.node_tail: dict[str, dict] = {}    # arn -> its node's fields after id, type and mapPos
        self.twins = _peering_twins(by_arn.values())
        for resource in by_arn.values():
            self._relate(resource, 1)
        for arn in sorted(by_arn):
            self._place(arn)

    def _relate(self, resource: Resource, step: int) -> None:
        """Count the resource's relationships in (step 1) or out (step -1) of the indices."""
        for relationship in set(resource.relationships):
            count = self.edges.get(relationship, 0) + step
            if count:
                self.edges[relationship] = count
            else:
                del self.edges[relationship]
            if count - step and count:       # still declared by another resource: indices unchanged
                continue
            kind, source, target = relationship
            index = {"contains": (self.parents, target, source), "attached_to": (self.attached, source, target),
                     "secured_by": (self.secured, source, target)}.get(kind)
            pairs = [index] if index else []
            if kind == "attached_to":
                pairs.append((self.attached_by, target, source))
            for table, key, value in pairs:
                if step > 0:
                    table.setdefault(key, []).append(value)
                else:
                    table[key].remove(value)
                    if not table[key]:
                        del table[key]

    def update(self, upserted: Iterable[Resource] = (), removed: Iterable[str] = ()) -> None:
        """Apply a change: resources added or changed, ARNs removed (unknown ones ignored)."""
        before: dict[str, Resource | None] = {}
        after: dict[str, Resource | None] = {}
        for resource in upserted:
            if self.by_arn.get(resource.arn) != resource:
                before.setdefault(resource.arn, self.by_arn.get(resource.arn))
                after[resource.arn] = resource
        for arn in removed:
            if arn in self.by_arn or after.get(arn) is not None:
                before.setdefault(arn, self.by_arn.get(arn))
                after[arn] = None
        if not after:
            return
        # The roots of the change: the changed resources and those a changed relationship places.
        roots = set(after)
        for arn, new in after.items():
            old = before[arn]
            changed = set(old.relationships if old else ()) ^ set(new.relationships if new else ())
            roots.update(relationship[_PLACING[relationship[0]]] for relationship in changed
                         if relationship[0] in _PLACING)
        by_arn = dict(self.by_arn)
        for arn, new in after.items():
            if new is None:
                by_arn.pop(arn, None)
            else:
                by_arn[arn] = new
        if self.cyclic or any(_arn_kind(arn) in _CONTAINER_KINDS or any(
                r is not None and r.type in _WHOLE_TYPES for r in (self.by_arn.get(arn), by_arn.get(arn)))
                for arn in roots):
            self._load(by_arn)
            return
        dirty = self._attached_closure(roots)       # what is placed beside them, before...
        for arn, new in after.items():
            old = before[arn]
            if old is not None:
                self._relate(old, -1)
            if new is not None:
                self._relate(new, 1)
            self.node_tail.pop(arn, None)
        self.by_arn = by_arn
        dirty |= self._attached_closure(roots)      # ... and after the change
        for arn in dirty:
            self._unplace(arn)
            self._placement.pop(arn, None)
        for arn in sorted(dirty):
            if arn in by_arn:
                self._place(arn)
        if self.cyclic:
            self._load(by_arn)
            return
        self._prune()

    def _attached_closure(self, roots: set[str]) -> set[str]:
        found, stack = set(roots), list(roots)
        while stack:
            for source in self.attached_by.get(stack.pop(), ()):
                if source not in found:
                    found.add(source)
                    stack.append(source)
        return found

    def _place(self, arn: str) -> None:
        """Decide whether the resource is drawn and in which group (or which group it makes)."""
        options, predicate = self.options, self.predicate
        group_by = options.group_by
        resource = self.by_arn[arn]
        kind = node_type(resource.type)
        if arn in self.twins:       # the peering is drawn once, as its twin
            return
        if resource.type in GROUP_TYPES:
            # VPCs and subnets are groups even when empty (when they match the filter).
            if resource.type in ("AWS::EC2::VPC", "AWS::EC2::Subnet") and group_by in (
                    "infrastructure", "network", "vpc", "subnet") and (
                    predicate is None or predicate(self.subject(arn))):
                if resource.type == "AWS::EC2::VPC":
                    self.anchors[arn] = self.vpc_group(arn)
                elif group_by != "vpc":
                    self.anchors[arn] = self.subnet_group(arn, with_zone=group_by != "subnet")
            return
        if kind in self.excluded or resource.type.lower() in self.excluded:
            return
        if kind in HIDDEN_BY_DEFAULT and not (group_by == "network" and kind in ("routetable", "networkacl")):
            return
        if group_by == "network" and kind not in NETWORK_TYPES and self.placement(arn)[0] is None:
            return
        if predicate is not None and not predicate(self.subject(arn)):
            return
        key = self.path(arn)
        self.visible[arn] = kind
        self.where[arn] = key
        self.groups[key].nodes[arn] = (kind, resource.name, arn)

    def _unplace(self, arn: str) -> None:
        self.visible.pop(arn, None)
        self.anchors.pop(arn, None)
        key = self.where.pop(arn, None)
        if key is not None:
            del self.groups[key].nodes[arn]

    def _prune(self) -> None:
        """Drop the groups nothing holds any more (no node, no anchoring VPC or subnet, no such
        group inside): composing from nothing would not have made them."""
        live: set[str] = set()
        for key in (*self.where.values(), *self.anchors.values()):
            while key is not None and key not in live:
                live.add(key)
                key = self.groups[key].parent
        for key in [k for k in self.groups if k not in live]:
            parent = self.groups.pop(key).parent
            if parent in self.groups:
                self.groups[parent].children.remove(key)

    def nid(self, arn: str) -> str:
        found = self._ids.get(arn)
        if found is None:
            found = self._ids[arn] = node_id(arn)
        return found

    gid = nid          # group ids are UUID 5 of group keys, the same function

    # --- where a resource sits: (vpc arn, zone name, subnet arn) -----------------------------

    def _attr(self, arn: str, name: str):
        resource = self.by_arn.get(arn)
        return resource.attributes.get(name) if resource else None

    def subnet_vpc_zone(self, subnet: str) -> tuple[str | None, str | None]:
        found = self._subnets.get(subnet)
        if found is None:
            found = self._subnets[subnet] = self._subnet_vpc_zone(subnet)
        return found

    def _subnet_vpc_zone(self, subnet: str) -> tuple[str | None, str | None]:
        vpc = zone = None
        for parent in sorted(self.parents.get(subnet, ())):
            kind = _arn_kind(parent)
            if kind == "vpc" and vpc is None:
                vpc = parent
            elif kind == "availability-zone" and zone is None:
                zone = parent.rsplit("/", 1)[1]
        if vpc is None and self._attr(subnet, "vpcId"):
            partition, region, account = _arn_scope(subnet)
            vpc = f"arn:{partition}:ec2:{region}:{account}:vpc/{self._attr(subnet, 'vpcId')}"
        return vpc, zone or self._attr(subnet, "availabilityZone")

    def placement(self, arn: str) -> tuple[str | None, str | None, str | None]:
        found = self._placement.get(arn)
        if found is not None:
            if arn in self._computing:
                self.cyclic = True
            return found
        resource = self.by_arn[arn]
        parents = sorted(self.parents.get(arn, ()))
        subnets = [p for p in parents if _arn_kind(p) == "subnet"]
        result: tuple[str | None, str | None, str | None] = (None, None, None)
        if subnets:
            if len(subnets) > 1 and resource.attributes.get("availabilityZone"):
                in_zone = [s for s in subnets if self.subnet_vpc_zone(s)[1] == resource.attributes["availabilityZone"]]
                subnets = in_zone if len(in_zone) == 1 else subnets
            places = [self.subnet_vpc_zone(s) for s in subnets]
            vpc, zone = places[0]
            if len(subnets) == 1:
                result = (vpc, zone, subnets[0])
            elif all(p == places[0] for p in places):
                result = (vpc, zone, None)                     # several subnets of one zone
            else:
                result = (vpc, None, None)                     # spans zones: drawn in the VPC
        else:
            vpcs = [p for p in parents if _arn_kind(p) == "vpc"]
            vpcs = vpcs or sorted(t for t in self.attached.get(arn, ()) if _arn_kind(t) == "vpc")
            if not vpcs and isinstance(resource.attributes.get("vpcId"), str) and resource.attributes["vpcId"]:
                partition, region, account = _arn_scope(arn)
                candidate = f"arn:{partition}:ec2:{resource.region or region}:{resource.aws_account_id or account}:" \
                            f"vpc/{resource.attributes['vpcId']}"
                vpcs = [candidate] if candidate in self.by_arn else []
            if vpcs:
                result = (vpcs[0], None, None)
            else:
                # Attached to a placed component (a volume to its instance): sits beside it.
                self._placement[arn] = result          # guards against attachment cycles
                self._computing.add(arn)
                for target in sorted(self.attached.get(arn, ())):
                    if target in self.by_arn and self.by_arn[target].type not in GROUP_TYPES \
                            and self.by_arn[target].region == resource.region:
                        result = self.placement(target)
                        break
                self._computing.discard(arn)
        self._placement[arn] = result
        return result

    # --- groups --------------------------------------------------------------------------------

    def group(self, key: str, kind: str, name: str, region: str, arn: str, parent: str | None,
              order: tuple) -> str:
        if key not in self.groups:
            self.groups[key] = _Group(key, kind, name, region, arn, parent, order, [], {})
            if parent is not None:
                self.groups[parent].children.append(key)
        return key

    def account_group(self, account: str) -> str:
        name = account
        if self.live_account and self.live_account.get("awsAccountId") == account and self.live_account.get("name"):
            name = self.live_account["name"]
        return self.group(f"account:{account}", "account", name, "", "", None, (account,))

    def region_group(self, account: str, region: str) -> str:
        parent = self.account_group(account)
        if not region:
            return self.group(f"global:{account}", "area", "Global services", "", "", parent, (1, ""))
        return self.group(f"region:{account}:{region}", "region", region, region, "", parent, (0, region))

    def area_group(self, account: str, region: str) -> str:
        parent = self.region_group(account, region)
        if not region:
            return parent
        return self.group(f"area:{account}:{region}", "area", "Outside VPCs", region, "", parent, (0, ""))

    def vpc_group(self, vpc: str) -> str:
        if vpc in self.groups:
            return vpc
        _, region, account = _arn_scope(vpc)
        name = self.by_arn[vpc].name if vpc in self.by_arn else resource_id(vpc)
        return self.group(vpc, "vpc", name or resource_id(vpc), region, vpc, self.region_group(account, region),
                          (1, name, vpc))

    def zone_group(self, vpc: str, zone: str) -> str:
        _, region, account = _arn_scope(vpc)
        zone_arn = f"arn:{_arn_scope(vpc)[0]}:ec2:{region}:{account}:availability-zone/{zone}"
        return self.group(f"zone:{vpc}:{zone}", "zone", zone, region, zone_arn, self.vpc_group(vpc), (0, zone))

    def subnet_group(self, subnet: str, with_zone: bool = True) -> str:
        if subnet in self.groups:
            return subnet
        vpc, zone = self.subnet_vpc_zone(subnet)
        _, region, account = _arn_scope(subnet)
        if vpc is None:
            parent = self.region_group(account, region)
        elif zone and with_zone:
            parent = self.zone_group(vpc, zone)
        else:
            parent = self.vpc_group(vpc)
        name = (self.by_arn[subnet].name if subnet in self.by_arn else "") or resource_id(subnet)
        public = bool(self._attr(subnet, "mapPublicIpOnLaunch"))
        return self.group(subnet, "subnet", name, region, subnet, parent, (0 if public else 1, name, subnet))

    def network_path(self, arn: str, depth: str) -> str:
        """The group a resource sits in by containment, down to `depth` (vpc, subnet or zone)."""
        resource = self.by_arn[arn]
        vpc, zone, subnet = self.placement(arn)
        if vpc is None:
            return self.area_group(resource.aws_account_id, resource.region)
        if depth == "vpc":
            return self.vpc_group(vpc)
        if subnet is not None:
            return self.subnet_group(subnet, with_zone=depth == "zone")
        if zone is not None and depth == "zone":
            return self.zone_group(vpc, zone)
        return self.vpc_group(vpc)

    def security_path(self, arn: str) -> str:
        resource = self.by_arn[arn]
        groups = sorted(set(self.secured.get(arn, ())))
        vpc = self.placement(arn)[0]
        if not groups:
            return self.network_path(arn, "vpc")
        parent = self.vpc_group(vpc) if vpc else self.area_group(resource.aws_account_id, resource.region)
        names = [(self.by_arn[g].name if g in self.by_arn else "") or resource_id(g) for g in groups]
        return self.group(f"sg:{parent}:{','.join(groups)}", "sg", " + ".join(names), resource.region,
                          groups[0] if len(groups) == 1 else "", parent, (2, tuple(names)))

    def tag_path(self, arn: str, key: str) -> str:
        resource = self.by_arn[arn]
        parent = self.region_group(resource.aws_account_id, resource.region)
        value = resource.tags.get(key)
        name = f"{key}={value}" if value is not None else f"no {key} tag"
        return self.group(f"tag:{parent}:{key}={value}" if value is not None else f"tag:{parent}:{key}",
                          "custom", name, resource.region, "", parent, (0 if value is not None else 1, name))

    def path(self, arn: str) -> str:
        group_by = self.options.group_by
        if group_by in ("infrastructure", "network"):
            return self.network_path(arn, "zone")
        if group_by in ("security", "securityGroup"):
            return self.security_path(arn)
        if group_by == "vpc":
            return self.network_path(arn, "vpc")
        if group_by == "subnet":
            return self.network_path(arn, "subnet")
        if group_by.startswith("tag:"):
            return self.tag_path(arn, group_by[4:])
        resource = self.by_arn[arn]               # region
        return self.region_group(resource.aws_account_id, resource.region)

    # --- filtering -----------------------------------------------------------------------------

    def subject(self, arn: str) -> Subject:
        resource = self.by_arn[arn]
        context: set[str] = set()
        vpc, _, subnet = self.placement(arn) if resource.type not in GROUP_TYPES else (None, None, None)
        if resource.type == "AWS::EC2::Subnet":
            vpc, subnet = self.subnet_vpc_zone(arn)[0], arn
        for container in (vpc, subnet, *self.secured.get(arn, ())):
            if container:
                context.update((container, resource_id(container)))
        return Subject(name=resource.name, arn=arn, resource_id=resource.resource_id, cfn_type=resource.type,
                       tags=resource.tags, attributes=resource.attributes, context_ids=frozenset(context))

    # --- the document --------------------------------------------------------------------------

    def compose(self, name: str, previous_layout: dict | None) -> Composed:
        """Lay the current state out (against the stored layout) and write the document."""
        with collector_paused():
            return self._compose(name, previous_layout)

    def _compose(self, name: str, previous_layout: dict | None) -> Composed:
        options = self.options
        expand = set(options.expand)
        visible = self.visible

        # Collapse crowded groups (their whole content), unless expanded by id or key.
        collapsed: dict[str, dict] = {}
        for key, group in self.groups.items():
            if len(group.nodes) > COLLAPSE_AT and self.gid(key) not in expand and key not in expand:
                collapsed[key] = {}

        def subtree_nodes(key: str) -> list[str]:
            found, stack = [], [key]
            while stack:
                current = self.groups[stack.pop()]
                found.extend(current.nodes)
                stack.extend(current.children)
            return found

        hidden: set[str] = set()
        for key in collapsed:
            arns = subtree_nodes(key)
            types: dict[str, int] = {}
            for arn in arns:
                types[visible[arn]] = types.get(visible[arn], 0) + 1
            collapsed[key] = {"count": len(arns), "types": dict(sorted(types.items()))}
            hidden.update(arns)

        # The group tree for the layout, children and nodes in a deterministic order.
        flows = {"vpc": "row", "zone": "column", "account": "row"}
        ordered_children = {key: sorted(group.children, key=lambda k: (self.groups[k].order, k))
                            for key, group in self.groups.items()}
        ordered_nodes = {key: [self.nid(arn) for _, arn in sorted((v, a) for a, v in group.nodes.items())]
                         for key, group in self.groups.items() if key not in collapsed}

        def box(key: str) -> layout_mod.Box:
            group = self.groups[key]
            if key in collapsed:
                return layout_mod.Box(id=self.gid(key), collapsed=True)
            return layout_mod.Box(id=self.gid(key), nodes=ordered_nodes[key],
                                  children=[box(child) for child in ordered_children[key]],
                                  flow=flows.get(group.kind, "wrap"))

        roots = sorted((k for k, g in self.groups.items() if g.parent is None), key=lambda k: (self.groups[k].order, k))
        node_pos, group_rect, new_layout = layout_mod.arrange([box(k) for k in roots], previous_layout)
        # Keep the stored positions of components present but not drawn this time (filtered out,
        # collapsed), so they return to their place; drop those of components that are gone.
        if previous_layout:
            ids_present = {self.nid(arn) for arn in self.by_arn}
            ids_present.update(self.gid(k) for k in self.groups)
            for key, value in previous_layout.items():
                if key not in new_layout and key in ids_present:
                    new_layout[key] = value

        nodes = []
        for arn, kind in visible.items():
            if arn in hidden:
                continue
            nid = self.nid(arn)
            node = {"id": nid, "type": kind, "mapPos": list(node_pos[nid])}
            node.update(self.node_tail.get(arn) or self._node_tail(arn))
            nodes.append(node)
        nodes.sort(key=lambda n: n["id"])

        groups = []
        stack = list(reversed(roots))
        while stack:                              # parents before children: drawn underneath
            key = stack.pop()
            group = self.groups[key]
            gid = self.gid(key)
            x, y, w, h = group_rect[gid]
            entry = {"id": gid, "type": group.kind, "name": group.name, "mapPos": [x, y], "mapSize": [w, h],
                     "nodes": [], "groups": [], "region": group.region}
            if group.arn:
                entry["arn"] = group.arn
            if key in collapsed:
                entry["collapsed"] = collapsed[key]
            else:
                entry["nodes"] = ordered_nodes[key]
                children = ordered_children[key]
                entry["groups"] = [self.gid(child) for child in children]
                stack.extend(reversed(children))
            groups.append(entry)

        edges = self.connections(visible, hidden) if options.autoconnect else []
        data = {
            "version": 4, "name": name, "grid": "infinite", "projection": options.projection,
            "theme": {"base": options.theme},
            "nodes": nodes, "groups": groups, "edges": edges, "text": [],
            "icons": [], "images": [], "surfaces": [], "connectors": [], "disabledLayers": [],
            "liveOptions": {"autoLabel": options.label, "autoConnect": options.autoconnect,
                            "excludedTypes": list(options.exclude), "updatesEnabled": True, "updateAllOnScan": True,
                            "updateGroupsOnScan": True, "updateNodeOnSelect": True},
        }
        if self.live_account is not None:
            data["liveAccount"] = dict(self.live_account)
        return Composed(data=data, layout=new_layout)

    def _node_tail(self, arn: str) -> dict:
        """A node's fields after id, type and mapPos (they depend on the resource alone: kept
        until it changes)."""
        resource = self.by_arn[arn]
        tail: dict = {"region": resource.region}
        for field_name, value in node_fields(resource.type, resource.attributes).items():
            if field_name not in ("id", "type", "mapPos"):
                tail.setdefault(field_name, value)
        tail.update({"arn": arn, "name": resource.name or resource.resource_id, "awsType": resource.type,
                     "accountId": resource.aws_account_id, "tags": dict(resource.tags)})
        self.node_tail[arn] = tail
        return tail

    def connections(self, visible: dict[str, str], hidden: set[str]) -> list[dict]:
        network = self.options.group_by == "network"
        drawn = NETWORK_CONNECTION_TYPES if network else CONNECTION_TYPES
        groups_by_arn = {g.arn: key for key, g in self.groups.items() if g.kind == "vpc"}

        def end(arn: str) -> str | None:
            if arn in visible and arn not in hidden:
                return self.nid(arn)
            # A component not drawn (a record set, a route table) stands in for its drawn container.
            for parent in sorted(self.parents.get(arn, ())):
                if parent in visible and parent not in hidden:
                    return self.nid(parent)
            return None

        edges: dict[tuple[str, str, str], dict] = {}
        for (kind, source, target) in self.edges:
            if kind not in drawn:
                continue
            source, target = self.twins.get(source, source), self.twins.get(target, target)
            start, finish = end(source), end(target)
            if start is not None and finish is None and visible.get(source) == "vpcpeering" \
                    and target in groups_by_arn:
                finish = self.gid(groups_by_arn[target])     # a peering drawn to each VPC (a group)
            if start is None or finish is None or start == finish:
                continue
            edge = {"id": node_id(f"edge:{kind}:{start}:{finish}"), "from": start, "to": finish,
                    "type": kind}
            if network and kind == "routes_to":
                edge["color"] = dict(ROUTE_COLOR)
            elif kind in ("attached_to", "replica_of"):
                edge["dashed"] = True
            edges[(kind, start, finish)] = edge
        return sorted(edges.values(), key=lambda e: e["id"])


def compose(resources: Iterable[Resource], options: ExportOptions, *, name: str, live_account: dict | None = None,
            layout: dict[str, list[float]] | None = None) -> Composed:
    """The blueprint document of these resources, and the layout map to pass back next time.
    Raises InvalidArgument for a malformed `options.filter`.

    The garbage collector is paused meanwhile (model.collector_paused): composing a large estate
    again took twice as long with it."""
    with collector_paused():
        return Composer(options, live_account, resources).compose(name, layout)

