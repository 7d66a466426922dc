"""Every discovery module together: a sync of the demo estate (services/demo_estate.py: two AWS
accounts, two regions, every kind of component) finds every resource and every relationship the
estate was built with, and the hostile strings in it come through unchanged."""
from __future__ import annotations

import uuid

import pytest

from services.collector.discovery import all_units
from services.demo_estate import seed
from tests.services.collector.sync_harness import REGIONS, Harness

# AWS accounts of this test's own on the shared moto server.
ACCOUNTS = tuple(f"{prefix}{uuid.uuid4().int % 10 ** 11:011d}" for prefix in "45")


@pytest.fixture(scope="module")
def estate(moto_endpoint):
    return seed(moto_endpoint, accounts=ACCOUNTS, regions=tuple(REGIONS), scale=1)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_sync_of_the_demo_estate_finds_every_resource_and_relationship(database_url, aws_env, estate):
    units = all_units()
    found, edges, gaps = {}, set(), []
    for aws_account_id in ACCOUNTS:
        harness = Harness(aws_account_id, units=units)
        row = harness.sync()
        assert row["state"] == "finished", row["message"]
        gaps += row["gaps"]
        for arn, resource in harness.upserted().items():
            found[arn] = resource
            edges.update((rel.type, rel.source_arn, rel.target_arn) for rel in resource.relationships)
    # moto has no Keyspaces and cannot answer DescribeServerlessCaches: gaps, as an account whose
    # role may not read them would show. Nothing else may be missing.
    assert {(gap["service"], gap["reason"]) for gap in gaps} <= {("cassandra", "error"), ("elasticache", "error")}
    assert all(gap["unit"] == "elasticache.serverless_caches" for gap in gaps if gap["service"] == "elasticache")
    # moto answers them with an error page in every region: one short line per account and
    # failure, naming every region, and no response body (that goes to the log only).
    for gap in gaps:
        assert sorted(gap["regions"]) == sorted(REGIONS), gap
        assert "\n" not in gap["message"] and "<" not in gap["message"] and len(gap["message"]) <= 300, gap
    assert any("failed in 2 regions" in gap["message"] for gap in gaps)

    missing = sorted(f"{r.type} {r.arn}" for r in estate.resources if r.arn not in found)
    assert missing == [], f"{len(missing)} of {len(estate.resources)} resources not found"
    wrong_type = sorted(f"{r.arn}: {found[r.arn].type} != {r.type}" for r in estate.resources
                        if found[r.arn].type != r.type)
    assert wrong_type == []

    from services.collector.sync import RELATIONSHIP_TYPES
    expected = {(RELATIONSHIP_TYPES[e.type], e.source, e.target) for e in estate.relationships}
    missing_edges = sorted(expected - edges)
    assert missing_edges == [], f"{len(missing_edges)} of {len(expected)} relationships not found"

    for hostile in estate.hostile_strings:
        key = hostile.where.removeprefix("tag:")
        assert {t.key: t.value for t in found[hostile.arn].tags}[key] == hostile.value
