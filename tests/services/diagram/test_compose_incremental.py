"""services/diagram/compose.py's Composer: changes applied incrementally give the very document
(and layout map) that composing the changed estate from nothing gives, for random changes of
every kind, under every grouping, with a filter, with exclusions and with collapsed groups."""
from __future__ import annotations

import dataclasses
import json
import random

import pytest

from services.diagram import compose as compose_mod
from services.diagram.cloudcraft_types import GROUP_TYPES
from services.diagram.compose import Composer, compose
from services.diagram.model import Resource
from services.diagram.options import ExportOptions
from tests.services.diagram import estate as e

LIVE_ACCOUNT = {"id": "acc-1", "awsAccountId": e.A, "name": "Production"}


def grown_estate() -> list[Resource]:
    """The small estate with 12 more instances (with volumes) spread over the private subnets, so
    that groups collapse (COLLAPSE_AT is lowered in the tests) and placements chain."""
    resources = e.estate()
    for i in range(12):
        subnet = (e.PRIVATE_A, e.PRIVATE_B)[i % 2]
        arn = e.ec2("instance", f"i-extra-{i:02d}")
        resources.append(e.instance(arn, f"extra-{i:02d}", subnet, [e.SG_APP], tags={"env": ("prod", "dev")[i % 2]}))
        resources.append(e.res(e.ec2("volume", f"vol-extra-{i:02d}"), "AWS::EC2::Volume", f"vol-extra-{i:02d}",
                               attributes={"volumeType": "gp3", "size": 10 + i}, rels=[("attached_to", e.ec2(
                                   "volume", f"vol-extra-{i:02d}"), arn)]))
    return resources


def random_change(rng: random.Random, current: dict[str, Resource], serial: int) -> tuple[list[Resource], list[str]]:
    """1-4 random changes: attributes, names, tags, moves between subnets, new and removed
    relationships, added copies, removals (containers included, now and then)."""
    upserted: dict[str, Resource] = {}
    removed: list[str] = []
    arns = sorted(current)
    for _ in range(rng.randint(1, 4)):
        arn = rng.choice([a for a in arns if a not in removed])
        resource = upserted.get(arn) or current[arn]
        action = rng.choice(["attributes", "name", "tag", "move", "relationship", "add", "add", "remove",
                             "container"])
        containers = [a for a in arns if current[a].type in GROUP_TYPES]
        if action == "container" and set(containers) - set(removed):
            arn = rng.choice(sorted(set(containers) - set(removed)))
            resource = upserted.get(arn) or current[arn]
            action = rng.choice(["name", "remove", "attributes"])
        elif action == "container":
            action = "name"
        if action == "attributes":
            upserted[arn] = dataclasses.replace(resource, attributes={**resource.attributes,
                                                                      "instanceType": f"m{serial}.large"})
        elif action == "name":
            upserted[arn] = dataclasses.replace(resource, name=f"{resource.name}-{serial}")
        elif action == "tag":
            upserted[arn] = dataclasses.replace(resource, tags={**resource.tags, "env": rng.choice(["prod", "dev"])})
        elif action == "move":
            subnet = rng.choice([e.PUBLIC_A, e.PUBLIC_B, e.PRIVATE_A, e.PRIVATE_B])
            kept = tuple(r for r in resource.relationships if not (r[0] == "contains" and r[2] == arn))
            upserted[arn] = dataclasses.replace(resource, relationships=(*kept, ("contains", subnet, arn)))
        elif action == "relationship":
            if resource.relationships and rng.random() < 0.5:
                dropped = rng.choice(resource.relationships)
                upserted[arn] = dataclasses.replace(
                    resource, relationships=tuple(r for r in resource.relationships if r != dropped))
            else:
                target = rng.choice(arns)
                kind = rng.choice(["routes_to", "attached_to", "targets", "triggers", "secured_by"])
                upserted[arn] = dataclasses.replace(resource,
                                                    relationships=(*resource.relationships, (kind, arn, target)))
        elif action == "add":
            new_arn = f"{arn}-copy{serial}"
            relationships = tuple((k, new_arn if s == arn else s, new_arn if t == arn else t)
                                  for k, s, t in resource.relationships)
            upserted[new_arn] = dataclasses.replace(resource, arn=new_arn, name=f"copy-{serial}",
                                                    relationships=relationships)
        else:
            upserted.pop(arn, None)
            removed.append(arn)
    return list(upserted.values()), removed


def same(incremental, full) -> None:
    assert incremental.data == full.data
    assert incremental.layout == full.layout
    # Byte for byte, key order included: the JSON export of both is the same.
    assert json.dumps(incremental.data) == json.dumps(full.data)


OPTIONS = [
    {},
    {"group_by": "network"},
    {"group_by": "security"},
    {"group_by": "vpc"},
    {"group_by": "subnet"},
    {"group_by": "region"},
    {"group_by": "tag:env"},
    {"filter": "type=ec2 OR tag=env=prod"},
    {"exclude": ("ebs",)},
    {"projection": "2d", "autoconnect": False},
]


@pytest.mark.parametrize("options", OPTIONS, ids=[repr(o) for o in OPTIONS])
def test_random_changes_applied_incrementally_equal_a_full_recompose(options, monkeypatch):
    monkeypatch.setattr(compose_mod, "COLLAPSE_AT", 6)
    export = ExportOptions(**options)
    rng = random.Random(repr(options))
    current = {r.arn: r for r in grown_estate()}
    composer = Composer(export, LIVE_ACCOUNT, current.values())
    first = composer.compose("Estate", None)
    same(first, compose(current.values(), export, name="Estate", live_account=LIVE_ACCOUNT))
    layout = first.layout
    for serial in range(60):
        upserted, removed = random_change(rng, current, serial)
        composer.update(upserted, removed)
        for arn in removed:
            current.pop(arn, None)
        current.update((r.arn, r) for r in upserted)
        got = composer.compose("Estate", layout)
        same(got, compose(current.values(), export, name="Estate", live_account=LIVE_ACCOUNT, layout=layout))
        layout = got.layout


def test_an_unchanged_upsert_and_an_unknown_removal_change_nothing():
    export = ExportOptions()
    composer = Composer(export, None, e.estate())
    before = composer.compose("Estate", None)
    composer.update(e.estate(), ["arn:aws:sqs:eu-west-1:111111111111:never-seen"])
    assert composer.compose("Estate", before.layout).data == before.data


def test_a_resized_instance_keeps_every_node_in_place():
    export = ExportOptions()
    resources = grown_estate()
    composer = Composer(export, None, resources)
    before = composer.compose("Estate", None)
    i1 = next(r for r in resources if r.arn == e.I1)
    composer.update([dataclasses.replace(i1, attributes={**i1.attributes, "instanceType": "m5.4xlarge"})])
    after = composer.compose("Estate", before.layout)
    positions = {n["id"]: n["mapPos"] for n in before.data["nodes"]}
    assert {n["id"]: n["mapPos"] for n in after.data["nodes"]} == positions
    assert next(n for n in after.data["nodes"] if n["arn"] == e.I1)["instanceSize"] == "4xlarge"
