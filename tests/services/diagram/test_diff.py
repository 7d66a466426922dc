"""services/diagram/diff.py: components added, removed and changed, between documents and between
resource sets, and the "what changed" overlay."""
from __future__ import annotations

import copy
import dataclasses

from services.diagram.compose import compose, node_id
from services.diagram.diff import diff_documents, diff_resources, overlay
from services.diagram.options import ExportOptions
from tests.services.diagram import estate as e


def changed_estate():
    resources = []
    for resource in e.estate():
        if resource.arn == e.QUEUE:                              # removed
            continue
        if resource.arn == e.I1:                                 # resized and retagged
            resource = dataclasses.replace(resource, attributes={**resource.attributes, "instanceType": "m6i.xlarge"},
                                           tags={**resource.tags, "env": "staging"})
        resources.append(resource)
    resources.append(e.res(f"arn:aws:sns:{e.REGION}:{e.A}:alerts", "AWS::SNS::Topic", "alerts"))   # added
    return resources


def test_resource_diff():
    difference = diff_resources(e.estate(), changed_estate())
    assert difference.added == [f"arn:aws:sns:{e.REGION}:{e.A}:alerts"]
    assert difference.removed == [e.QUEUE]
    # The mapping that named the queue is unchanged: its relationships are what they were.
    assert list(difference.changed) == [e.I1]
    assert difference.changed[e.I1] == {"instanceType": {"old": "m5.large", "new": "m6i.xlarge"},
                                        "tag:env": {"old": "prod", "new": "staging"}}
    assert diff_resources(e.estate(), list(reversed(e.estate()))).empty


def test_document_diff_and_overlay():
    old = compose(e.estate(), ExportOptions(), name="x")
    new = compose(changed_estate(), ExportOptions(), name="x", layout=old.layout)
    difference = diff_documents(old.data, new.data)
    assert difference.added == [f"arn:aws:sns:{e.REGION}:{e.A}:alerts"] and difference.removed == [e.QUEUE]
    assert difference.changed == {e.I1: {"instanceSize": {"old": "large", "new": "xlarge"},
                                         "instanceType": {"old": "m5", "new": "m6i"},
                                         "tag:env": {"old": "prod", "new": "staging"}}}
    snapshot = copy.deepcopy(new.data)
    result = overlay(old.data, new.data)
    assert new.data == snapshot                                  # inputs untouched
    marked = {n["name"]: n.get("diff") for n in result["nodes"]}
    assert marked["alerts"] == "added" and marked["jobs"] == "removed" and marked["app-1"] == "changed"
    assert sum(1 for value in marked.values() if value) == 3
    app = next(n for n in result["nodes"] if n["name"] == "app-1")
    assert app["changedAttributes"]["instanceType"] == {"old": "m5", "new": "m6i"}
    jobs = next(n for n in result["nodes"] if n["name"] == "jobs")
    assert jobs["id"] == node_id(e.QUEUE)
    assert jobs["mapPos"] == next(n["mapPos"] for n in old.data["nodes"] if n["name"] == "jobs")
    assert len(result["nodes"]) == len(new.data["nodes"]) + 1


def test_positions_are_not_changes():
    old = compose(e.estate(), ExportOptions(), name="x").data
    moved = copy.deepcopy(old)
    for node in moved["nodes"]:
        node["mapPos"] = [node["mapPos"][0] + 3, node["mapPos"][1]]
    assert diff_documents(old, moved).empty
    assert not any("diff" in n for n in overlay(old, moved)["nodes"])


def test_nodes_without_arn_are_matched_by_id():
    old = {"nodes": [{"id": "hand-drawn", "type": "ec2", "mapPos": [0, 0], "instanceType": "t3"}]}
    new = {"nodes": [{"id": "hand-drawn", "type": "ec2", "mapPos": [0, 0], "instanceType": "t4g"}]}
    assert diff_documents(old, new).changed == {"hand-drawn": {"instanceType": {"old": "t3", "new": "t4g"}}}
