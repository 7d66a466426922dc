"""One way to describe a resource type: a `Spec` says, as data, how one record of an AWS response
becomes an `Item` (cartography's model layer, docs/architecture.md: a schema per type naming its
id, its properties, its containment and its edges), and `unit` pairs the specs with the `get`
that fetches their records. Every unit's transform is `transform(*specs)`: no module writes its own.

    VPC = Spec("AWS::EC2::VPC", arn=ec2("vpc", "VpcId"), name=name_tag_or("VpcId"), tags=tags_at(),
               attributes={**named("VpcId", "CidrBlock", "State"), "isDefault": at("IsDefault", False)},
               edges=(Link("attached_to", ...), contained_by(...), *placed(subnets, security_groups)))
    UNITS = [unit("ec2.vpcs", "ec2", listing("describe_vpcs", "Vpcs", page_size=1000), VPC)]

A value (an attribute, the ARN, the name, an edge's other end, a filter) is either a path into the
record ("VpcId", "Placement.AvailabilityZone": a missing or null step gives None) or a pure
function of (record, scope); the helpers below build the common ones, and a module writes a small
function only where a value needs real computing. States and enums are compared through one
helper, state_name. The IAM actions behind a type stay in services/collector/declarations.py, their
one place (tests check that every spec's type is declared and every call a unit makes is declared
for its types).

Attribute keys are the AWS response's field names with a lower-case first letter (named():
EngineVersion -> engineVersion), and keep AWS's units (AllocatedStorage in GiB, SizeInBytes in
bytes); a service's own prefix is dropped where it only repeats the type (DBInstanceClass ->
instanceClass, DBInstanceStatus -> status). Attributes keep their declared order. Values that are
None are left out (an absent field and a field an API version does not return then look the same
to the fingerprint), except for the types described with keep_none=True (the EC2 family, load
balancers, Auto Scaling groups, Direct Connect), which have always stored them as null: changing
either would report every such resource changed on the next sync of every account
(tests/services/collector/test_fingerprints_stable.py holds every type to the fingerprints it had).
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from copy import copy
from dataclasses import dataclass, field
from typing import Any

from services.collector.discovery import Context, Unit
from services.collector.model import Edge, Item, Scope, iso, tags_of

Record = dict
Value = str | Callable[[Record, Scope], Any]


def value(spec: Value) -> Callable[[Record, Scope], Any]:
    """A value's function: a path's getter, or the function itself."""
    if callable(spec):
        return spec
    keys = spec.split(".")
    if len(keys) == 1:
        return lambda record, scope: record.get(spec)

    def get(record: Record, scope: Scope) -> Any:
        found: Any = record
        for key in keys:
            found = (found or {}).get(key)
        return found
    return get


# --- Values --------------------------------------------------------------------------------------

def at(path: str, default: Any = None) -> Callable:
    """The value at `path`, or `default` where it is absent (missing or null)."""
    get = value(path)

    def at_path(record, scope):
        found = get(record, scope)
        return copy(default) if found is None else found   # a fresh [] or {} for each item
    return at_path


def nonempty(path: Value, default: Any = None) -> Callable:
    """The value at `path`, or `default` where it is empty ("", [], {}, 0, False) or absent."""
    get = value(path)
    return lambda record, scope: get(record, scope) or copy(default)


def named(*paths: str) -> dict[str, str]:
    """Attributes named as AWS names the fields, first letter lower-cased (the attribute naming
    rule: EngineVersion -> engineVersion, ClusterConfig.InstanceType -> instanceType), in order."""
    return {(key := path.rsplit(".", 1)[-1])[0].lower() + key[1:]: path for path in paths}


def first_of(*values: Value) -> Callable:
    """The first of `values` that is not empty, as `a or b or c` would give it."""
    getters = [value(spec) for spec in values]

    def first(record, scope):
        found = None
        for get in getters:
            found = get(record, scope)
            if found:
                return found
        return found
    return first


def const(constant: Any) -> Callable:
    return lambda record, scope: constant


def timestamp(path: str) -> Callable:
    """A datetime as an ISO 8601 string (attributes are JSON-safe)."""
    get = value(path)
    return lambda record, scope: iso(get(record, scope))


def count(path: str) -> Callable:
    """How many elements the list at `path` has (0 where it is absent)."""
    get = value(path)
    return lambda record, scope: len(get(record, scope) or [])


def each(path: Value, key: str, where: Callable[[Record, Scope], Any] | None = None) -> Callable:
    """element[key] of each element of the list at `path` (of those `where` accepts: a value of
    the element, such as has() or in_state())."""
    get = value(path)
    return lambda record, scope: [element[key] for element in get(record, scope) or []
                                  if where is None or where(element, scope)]


def has(key: str) -> Callable:
    """Whether the record has a value (not empty) under `key`: a filter for each()."""
    return lambda record, scope: bool(record.get(key))


def objects(path: Value, fields: Mapping[str, Value], *, keep_none: bool = False) -> Callable:
    """Each element of the list at `path` described by `fields` (as a Spec's attributes)."""
    get, shape = value(path), _shape(fields, keep_none)
    return lambda record, scope: [shape(element, scope) for element in get(record, scope) or []]


def obj(path: Value, fields: Mapping[str, Value], *, keep_none: bool = False) -> Callable:
    """The object at `path` described by `fields`; None where it is absent."""
    get, shape = value(path), _shape(fields, keep_none)

    def described(record, scope):
        found = get(record, scope)
        return None if found is None else shape(found, scope)
    return described


def only_if(condition: Value, then: Value) -> Callable:
    """`then`'s value where `condition`'s is true (a setting that only counts when enabled), else None."""
    test, get = value(condition), value(then)
    return lambda record, scope: get(record, scope) if test(record, scope) else None


def tags_at(path: str = "Tags", key: str = "Key", tag_value: str = "Value") -> Callable:
    """AWS's [{"Key": k, "Value": v}, ...] at `path` as a dict (some services spell them differently)."""
    get = value(path)
    return lambda record, scope: tags_of(get(record, scope), key, tag_value)


def tag_map(path: str) -> Callable:
    """Tags that a service already gives as a {key: value} object."""
    get = value(path)
    return lambda record, scope: dict(get(record, scope) or {})


def name_tag_or(id_path: str, tags_path: str = "Tags") -> Callable:
    """The Name tag, for resources AWS gives no name; else their id."""
    get_id, get_tags = value(id_path), tags_at(tags_path)
    return lambda record, scope: get_tags(record, scope).get("Name") or get_id(record, scope)


def last_part(path: Value, separator: str) -> Callable:
    """The part of the string at `path` after its last `separator` (a name at the end of an ARN or URL)."""
    get = value(path)
    return lambda record, scope: get(record, scope).rsplit(separator, 1)[-1]


# --- ARNs ----------------------------------------------------------------------------------------

def _each_id(ids: Any) -> list:
    return [ids] if isinstance(ids, str) else list(ids or [])


def ec2(kind: str, ids: Value, account: Value | None = None) -> Callable:
    """EC2's ARN (model.Scope.ec2_arn) of the id at `ids`, or a list of ARNs for a list of ids; ids
    that are absent or empty give none. `account`: the owner, where another account's."""
    get_ids, get_account = value(ids), value(account) if account else None

    def arns(record, scope):
        found = get_ids(record, scope)
        owner = get_account(record, scope) if get_account else None
        named = [scope.ec2_arn(kind, resource_id, account=owner) for resource_id in _each_id(found) if resource_id]
        return named if isinstance(found, (list, tuple)) else (named[0] if named else None)
    return arns


def arn_in(service: str, resource: str) -> Callable:
    """arn:<partition>:<service>:<scope's region>:<scope's account>:<resource>, with the record's
    fields put into `resource` ("cluster:{ClusterIdentifier}")."""
    return lambda record, scope: scope.arn(service, resource.format_map(record))


def arn_or_id(path: Value, service: str, resource: str) -> Callable:
    """The value at `path` where it is an ARN already, else arn_in(service, resource) of it (`{}`)."""
    get = value(path)

    def arn(record, scope):
        found = get(record, scope)
        if not found:
            return None
        return found if found.startswith("arn:") else scope.arn(service, resource.format(found))
    return arn


# --- States --------------------------------------------------------------------------------------

def state_name(state: Any) -> str:
    """AWS's enums and states in one form, whatever the service's spelling: ACTIVE, Active,
    DELETE_IN_PROGRESS, in-use -> active, active, delete-in-progress, in-use; absent -> ""."""
    return str(state or "").strip().lower().replace("_", "-").replace(" ", "-")


# States in which a resource no longer exists, though Describe* still lists it for a while
# (terminated instances for about an hour, deleted NAT gateways, rejected peerings, ...).
GONE_STATES = frozenset({"deleted", "terminated", "failed", "rejected", "expired"})


def in_state(path: Value, *states: str) -> Callable:
    """Whether the state at `path` is one of `states` (state names, as state_name gives them)."""
    get, names = value(path), frozenset(states)
    return lambda record, scope: state_name(get(record, scope)) in names


def alive(path: Value, gone: Iterable[str] = GONE_STATES) -> Callable:
    """A Spec's `where` for types AWS keeps listing after deletion: the state at `path` is not gone."""
    get, names = value(path), frozenset(gone)
    return lambda record, scope: state_name(get(record, scope)) not in names


# --- Edges ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Link:
    """An edge (model.py's types and directions) between the item and the ARN, or each ARN, that
    `other` gives: item -> other, or other -> item when `inward`. None and "" give no edge, and no
    item has an edge to itself. `source`: the edge starts there instead of at the item, for an
    item that connects two others (an SNS subscription: topic -triggers-> endpoint)."""
    type: str
    other: Value
    inward: bool = False
    source: Value | None = None

    def __post_init__(self):
        object.__setattr__(self, "_other", value(self.other))
        object.__setattr__(self, "_source", None if self.source is None else value(self.source))

    def edges(self, arn: str, record: Record, scope: Scope) -> list[Edge]:
        others = [other for other in _each_id(self._other(record, scope)) if other]
        if self._source is not None:
            sources = [source for source in _each_id(self._source(record, scope)) if source]
            return [Edge(self.type, source, other) for source in sources for other in others if source != other]
        return [Edge(self.type, other, arn) if self.inward else Edge(self.type, arn, other)
                for other in others if other != arn]


def contained_by(parent: Value) -> Link:
    """parent -contains-> item: the item's place in architecture.md's containment."""
    return Link("contains", parent, inward=True)


def in_vpc(path: str = "VpcId") -> Link:
    """VPC -contains-> item: subnets, and what belongs to a VPC without sitting in a subnet."""
    return contained_by(ec2("vpc", path))


def placed(subnets: Value | None = None, security_groups: Value | None = None) -> tuple[Link, ...]:
    """subnet -contains-> item for each subnet it is placed in (has a network interface in), and
    item -secured_by-> each of its security groups; ids may be given or lists of them."""
    links = []
    if subnets is not None:
        links.append(contained_by(ec2("subnet", subnets)))
    if security_groups is not None:
        links.append(Link("secured_by", ec2("security-group", security_groups)))
    return tuple(links)


# --- Specs and units -----------------------------------------------------------------------------

def _shape(fields: Mapping[str, Value], keep_none: bool) -> Callable[[Record, Scope], dict]:
    getters = [(key, value(spec)) for key, spec in fields.items()]

    def shape(record: Record, scope: Scope) -> dict:
        if keep_none:
            return {key: get(record, scope) for key, get in getters}
        described = {}
        for key, get in getters:
            found = get(record, scope)
            if found is not None:
                described[key] = found
        return described
    return shape


@dataclass(frozen=True)
class Spec:
    """How the records of one resource type become items."""
    type: str                                   # CloudFormation type, declared in declarations.py
    arn: Value
    name: Value
    attributes: Mapping[str, Value] = field(default_factory=dict)
    edges: tuple[Link, ...] = ()
    tags: Value | None = None                   # None: {} (the engine adds the tagging API's)
    region: Value | None = None                 # None: the scope's region ("" for global types: const(""))
    # Where the unit's raw data holds the records: None, it is the list; a key of it; or a pure
    # function of it, which may join records of several listings (fields it adds start with "_").
    records: str | Callable[[Any], Iterable[Record]] | None = None
    where: Callable[[Record, Scope], bool] | None = None   # the records that are items of this type
    keep_none: bool = False                     # store absent attributes as null (see the module docstring)

    def __post_init__(self):
        # The values' functions, made once (a frozen dataclass sets its own attributes this way).
        no_tags = lambda record, scope: {}              # noqa: E731
        own_region = lambda record, scope: scope.region  # noqa: E731
        object.__setattr__(self, "_arn", value(self.arn))
        object.__setattr__(self, "_name", value(self.name))
        object.__setattr__(self, "_attributes", _shape(self.attributes, self.keep_none))
        object.__setattr__(self, "_tags", no_tags if self.tags is None else value(self.tags))
        object.__setattr__(self, "_region", own_region if self.region is None else value(self.region))

    def records_of(self, raw: Any) -> Iterable[Record]:
        if self.records is None:
            return raw
        return raw[self.records] if isinstance(self.records, str) else self.records(raw)

    def item(self, record: Record, scope: Scope) -> Item | None:
        """The record's item, or None where the record is not one of this type (`where`)."""
        if self.where is not None and not self.where(record, scope):
            return None
        arn = self._arn(record, scope)
        # An edge repeated (two rules naming one group, a group on each network interface) is one.
        edges = dict.fromkeys(edge for link in self.edges for edge in link.edges(arn, record, scope))
        return Item(arn=arn, type=self.type, name=self._name(record, scope), region=self._region(record, scope),
                    tags=self._tags(record, scope), attributes=self._attributes(record, scope), edges=list(edges))


def transform(*specs: Spec) -> Callable[[Any, Scope], list[Item]]:
    """The transform of a unit whose raw data holds the records of `specs`. Specs that read the
    same records (RDS's types by engine, a zone and its record sets) make their items in the
    records' order."""
    groups: dict[Any, list[Spec]] = {}
    for spec in specs:
        groups.setdefault(spec.records, []).append(spec)

    def run(raw: Any, scope: Scope) -> list[Item]:
        items = []
        for group in groups.values():
            for record in group[0].records_of(raw):
                items.extend(item for spec in group if (item := spec.item(record, scope)) is not None)
        return items
    return run


def unit(name: str, client: str, get: Callable[[Context], Any], *specs: Spec, global_: bool = False) -> Unit:
    """A discovery unit: `get` fetches the records, `specs` describe them."""
    return Unit(name, client, tuple(dict.fromkeys(spec.type for spec in specs)), get, transform(*specs), global_)


def listing(operation: str, key: str, *, page_size: int | None = None, **params: Any) -> Callable[[Context], list]:
    """A `get` that is one paginated listing (Context.paginate)."""
    return lambda ctx: ctx.paginate(operation, key, page_size=page_size, **params)
