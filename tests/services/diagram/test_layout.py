"""services/diagram/layout.py through compose: stable across syncs (a component keeps its place,
new ones fill free cells, a removed one moves nothing) and deterministic."""
from __future__ import annotations

import json

from services.diagram.compose import compose
from services.diagram.layout import Box, arrange
from services.diagram.options import ExportOptions
from tests.services.diagram import estate as e
from tests.services.diagram.helpers import check_geometry


def positions(data: dict) -> dict[str, list]:
    return {n["id"]: n["mapPos"] for n in data["nodes"]} | {g["id"]: g["mapPos"] + g["mapSize"] for g in data["groups"]}


def instance(i: int, subnet: str) -> object:
    return e.instance(e.ec2("instance", f"i-new{i}"), f"new-{i}", subnet, [e.SG_APP])


def test_removing_components_moves_nothing_else():
    first = compose(e.estate(), ExportOptions(), name="x")
    kept = [r for r in e.estate() if r.arn not in (e.I1, e.V1, e.QUEUE, e.V2)]
    second = compose(kept, ExportOptions(), name="x", layout=first.layout)
    before, after = positions(first.data), positions(second.data)
    assert len(after) == len(before) - 4
    for key, value in after.items():
        assert before[key] == value
    check_geometry(second.data)


def test_new_components_fill_free_cells_and_the_rest_keep_their_place():
    first = compose(e.estate(), ExportOptions(), name="x")
    queue = e.res(f"arn:aws:sqs:{e.REGION}:{e.A}:more", "AWS::SQS::Queue", "more")
    grown = e.estate() + [instance(1, e.PRIVATE_B), queue]
    second = compose(grown, ExportOptions(), name="x", layout=first.layout)
    before, after = positions(first.data), positions(second.data)
    moved = {key for key in before if before[key] != after[key]}
    names = {n["id"]: n["name"] for n in second.data["nodes"]} | {g["id"]: g["name"] for g in second.data["groups"]}
    # Only the groups that needed room grew (same corner, larger size); no node moved.
    assert not moved & {n["id"] for n in first.data["nodes"]}
    for key in moved:
        assert after[key][:2] == before[key][:2], f"{names[key]} moved"
    check_geometry(second.data)
    # Removed components free their cells; the next new one takes the first free cell (row by
    # row: the volume's, first in its subnet) and nothing else moves.
    third = compose([r for r in grown if r.arn not in (e.I2, e.V2)] + [instance(2, e.PRIVATE_B)], ExportOptions(),
                    name="x", layout=second.layout)
    vol2_cell = next(n["mapPos"] for n in second.data["nodes"] if n["name"] == "vol-2")
    assert next(n["mapPos"] for n in third.data["nodes"] if n["name"] == "new-2") == vol2_cell
    for node in third.data["nodes"]:
        if node["name"] != "new-2":
            assert node["mapPos"] == after[node["id"]]
    check_geometry(third.data)


def relative_positions(data: dict) -> dict[str, tuple]:
    """Node id -> (group id, position relative to the group's corner)."""
    nodes = {n["id"]: n["mapPos"] for n in data["nodes"]}
    return {nid: (g["id"], nodes[nid][0] - g["mapPos"][0], nodes[nid][1] - g["mapPos"][1])
            for g in data["groups"] for nid in g["nodes"]}


def test_many_syncs_keep_every_component_in_its_place_in_its_group():
    resources = e.estate()
    result = compose(resources, ExportOptions(), name="x")
    original = relative_positions(result.data)
    for step in range(30):
        resources = resources + [instance(step, [e.PRIVATE_A, e.PRIVATE_B, e.PUBLIC_A][step % 3])]
        result = compose(resources, ExportOptions(), name="x", layout=result.layout)
        check_geometry(result.data)
        now = relative_positions(result.data)
        for node_id, where in original.items():
            assert now[node_id] == where
        original = now


def test_a_layout_from_another_order_of_the_same_input_is_byte_identical():
    first = compose(e.estate(), ExportOptions(), name="x")
    again = compose(list(reversed(e.estate())), ExportOptions(), name="x", layout=first.layout)
    assert json.dumps(again.data) == json.dumps(first.data)


def test_garbage_in_the_layout_map_is_ignored():
    first = compose(e.estate(), ExportOptions(), name="x")
    garbage = (["x", None], {"a": 1}, "12", None, [1.5], 7)
    broken = {key: garbage[i % len(garbage)] for i, key in enumerate(sorted(first.layout))} | {"unknown": [1, 2]}
    again = compose(e.estate(), ExportOptions(), name="x", layout=broken)
    assert json.dumps(again.data) == json.dumps(first.data)
    assert "unknown" not in again.layout


def test_conflicting_stored_positions_are_resolved_without_overlap():
    boxes = [Box(id="g", nodes=["a", "b", "c"])]
    nodes, groups, layout = arrange(boxes, {"a": [1, 2], "b": [1, 2], "c": [1, 2]})
    cells = {nodes[n] for n in "abc"}
    assert len(cells) == 3 and nodes["a"] == (1, 2)
    assert layout["a"] == [1, 2] and layout["g"][2:] == list(groups["g"][2:])


def test_groups_never_shrink_so_neighbours_stay():
    boxes = [Box(id="r", children=[Box(id="s1", nodes=[f"n{i}" for i in range(9)]), Box(id="s2", nodes=["m"])])]
    _, groups, layout = arrange(boxes)
    smaller = [Box(id="r", children=[Box(id="s1", nodes=["n0"]), Box(id="s2", nodes=["m"])])]
    _, groups_after, _ = arrange(smaller, layout)
    assert groups_after == groups
