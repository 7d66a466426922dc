"""The demo estate's budget: the demo estate (services/demo_estate.py) seeded into moto and synced by
the real collector; every component it publishes gets an answer from the cost model, and none is
unpriced where the catalog has the price: the only unpriced components are of the types the
catalog does not cover (costs.UNPRICED_TYPES), each with its reason. The demo's ECS service is
priced although moto runs none of its tasks: its size is its task definition's."""
from __future__ import annotations

import uuid

import pytest

from services.budget.costs import UNPRICED_TYPES, price_all
from services.collector.discovery import all_units
from services.demo_estate import seed
from tests.services.collector.sync_harness import REGIONS, Harness

# An AWS account of this test's own on the shared moto server.
AWS_ACCOUNT = f"7{uuid.uuid4().int % 10 ** 11:011d}"


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_demo_estate_has_no_unpriced_component_the_catalog_could_price(database_url, aws_env, moto_endpoint):
    seed(moto_endpoint, accounts=(AWS_ACCOUNT,), regions=tuple(REGIONS), scale=1)
    harness = Harness(AWS_ACCOUNT, units=all_units())
    assert harness.sync()["state"] == "finished"
    resources = [resource for batch in harness.of("resources_changed") for resource in batch.upserted]
    priced = price_all(resources)
    assert len(priced) == len(resources) > 100
    by_status = {status: [p for p in priced if p.status == status] for status in ("priced", "free", "unpriced")}
    assert sum(len(items) for items in by_status.values()) == len(priced)
    could_be_priced = [(p.type, p.name, p.basis) for p in by_status["unpriced"] if p.type not in UNPRICED_TYPES]
    assert not could_be_priced, could_be_priced
    for item in by_status["unpriced"]:
        assert item.basis.startswith("unpriced: ") and len(item.basis) > len("unpriced: ")
    assert by_status["priced"] and all(p.monthly > 0 for p in by_status["priced"])
    # The estate's core is priced: its instances, databases, load balancers and NAT gateways.
    priced_types = {p.type for p in by_status["priced"]}
    assert {"AWS::EC2::Instance", "AWS::RDS::DBInstance", "AWS::ElasticLoadBalancingV2::LoadBalancer",
            "AWS::EC2::NatGateway", "AWS::ECS::Service"} <= priced_types
