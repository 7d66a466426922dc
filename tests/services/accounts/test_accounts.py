"""The AWS account registry (on SQLite and PostgreSQL) and its events, recorded and on the real bus."""
from __future__ import annotations

import json
import re
import time
import uuid
from datetime import UTC

import pytest
import sqlalchemy as sa
from google.protobuf import json_format
from kombu import Connection, Exchange, Queue

from cloudsketch.accounts.v1 import accounts_pb2 as pb
from cloudsketch.accounts.v1 import events_pb2 as events
from services.accounts.domain import Accounts
from services.accounts.tables import accounts as accounts_table
from services.accounts.tables import outbox as outbox_table
from services.common.database import open_database
from services.common.errors import InvalidArgument, NotFound
from services.common.events import EventPublisher, parse_event, to_payload
from services.common.outbox import pending_events
from services.common.timeutil import to_timestamp, utcnow
from tests.helpers.accounts import ROLE_ARN, AcceptingVerifier

EVENT_CLASSES = {"account_registered": events.AccountRegistered, "account_updated": events.AccountUpdated,
                 "account_removed": events.AccountRemoved}


class Outbox:
    """The events the registry wrote to its outbox (what the relay will publish), as messages."""

    def __init__(self, engine):
        self.engine = engine

    @property
    def events(self) -> list[tuple[str, object]]:
        return [(event_type, parse_event(payload, EVENT_CLASSES[event_type]))
                for event_type, _, payload in pending_events(self.engine, outbox_table)]

    def clear(self) -> None:
        with self.engine.begin() as conn:
            conn.execute(outbox_table.delete())


@pytest.fixture
def engine(database_url):
    engine = open_database("accounts")
    yield engine
    engine.dispose()


@pytest.fixture
def published(engine):
    return Outbox(engine)


@pytest.fixture
def registry(engine, published):
    return Accounts(engine, AcceptingVerifier())


def stored_rows(engine) -> list:
    with engine.connect() as conn:
        return conn.execute(sa.select(accounts_table)).all()


def test_create_account_registers_a_verified_account_and_publishes_it(registry, engine, published):
    before = utcnow()
    account = registry.create_account(" Production ", ROLE_ARN, "user-1",
                                      ["us-west-2", "eu-central-1", "us-west-2", "us-east-1"])
    assert account.name == "Production"
    assert account.role_arn == ROLE_ARN
    assert account.aws_account_id == "123456789012"
    assert account.regions == ["eu-central-1", "us-east-1", "us-west-2"]
    assert account.creator_id == "user-1" and account.source == "manual"
    assert account.verification_state == pb.VERIFICATION_STATE_VERIFIED
    assert before <= account.verified_at.ToDatetime(tzinfo=UTC) <= utcnow()
    assert re.fullmatch(r"[0-9a-f]{32}", account.external_id)
    assert registry.get_account(account.id) == account

    [row] = stored_rows(engine)
    assert (row.id, row.aws_account_id, row.regions, row.verification_state) == (
        account.id, "123456789012", ["eu-central-1", "us-east-1", "us-west-2"], "verified")

    [(event_type, event)] = published.events
    assert event_type == "account_registered"
    assert isinstance(event, events.AccountRegistered)
    assert (event.account_id, event.aws_account_id, event.name, list(event.regions)) == (
        account.id, "123456789012", "Production", ["eu-central-1", "us-east-1", "us-west-2"])
    assert event.occurred_at.ToDatetime() >= before.replace(tzinfo=None)
    # events carry no secrets: neither the External ID nor the role to assume
    wire = json.dumps(to_payload(event)) + event.SerializeToString().decode("latin-1")
    assert account.external_id not in wire and ROLE_ARN not in wire and "role/" not in wire
    assert {f.name for f in events.AccountRegistered.DESCRIPTOR.fields}.isdisjoint({"external_id", "role_arn"})


MALFORMED_ROLE_ARNS = [
    "arn:aws-eu:iam::123456789012:role/cloudsketch",              # no such partition
    "arn:azure:iam::123456789012:role/cloudsketch",
    "arn:aws:iam::12345678901:role/cloudsketch",                  # 11 digits
    "arn:aws:iam::1234567890123:role/cloudsketch",                # 13 digits
    "arn:aws:iam::12345678901a:role/cloudsketch",
    "arn:aws:iam::１２３456789012:role/cloudsketch",               # non-ASCII digits
    "arn:aws:iam::123456789012:cloudsketch",                      # no role/
    "arn:aws:iam::123456789012:user/cloudsketch",                 # a user, not a role
    "arn:aws:sts::123456789012:assumed-role/cloudsketch/session",  # not IAM
    "arn:aws:iam::123456789012:role/",                            # no name
    "arn:aws:iam::123456789012:role//cloudsketch",                # empty path segment
    "arn:aws:iam:us-east-1:123456789012:role/cloudsketch",        # IAM ARNs have no region
    "",
    "   ",
    "\t\n",
    "arn:aws:iam::123456789012:role/<script>alert(1)</script>",
    "arn:aws:iam::123456789012:role/a\nb",
    "arn:aws:iam::123456789012:role/a b",
    "arn:aws:iam::123456789012:role/ünïcode",
    "arn:aws:iam::123456789012:role/x'; DROP TABLE accounts; --",
    "arn:aws:iam::123456789012:role/" + "a" * 65,                 # names are at most 64 characters
    " arn:aws:iam::123456789012:role/cloudsketch extra",
    "arn:aws:iam::123456789012:role/cloudsketch" + "x" * 10_000,
]


def test_malformed_role_arns_are_rejected_and_nothing_is_stored_or_published(registry, engine, published):
    for role_arn in MALFORMED_ROLE_ARNS:
        with pytest.raises(InvalidArgument) as caught:
            registry.create_account("Production", role_arn, "user-1", ["us-east-1"])
        message = str(caught.value)
        assert message.startswith("malformed role ARN "), (role_arn, message)
        assert "expected arn:aws:iam::<12-digit account id>:role/<name>" in message
        # the caller's text is quoted, on one line, and bounded
        assert "\n" not in message and len(message) < 400, (role_arn, message)
    assert stored_rows(engine) == []
    assert published.events == []


@pytest.mark.parametrize("role_arn, partition_account", [
    ("arn:aws:iam::123456789012:role/team/ops/cloudsketch", "123456789012"),
    ("arn:aws-cn:iam::210987654321:role/cloudsketch", "210987654321"),
    ("arn:aws-us-gov:iam::000000000001:role/cloud+sketch=,.@_-1", "000000000001"),
    ("arn:aws:iam::123456789012:role/" + "a" * 64, "123456789012"),
    ("  arn:aws:iam::123456789012:role/cloudsketch\n", "123456789012"),
])
def test_valid_role_arns_are_accepted(registry, published, role_arn, partition_account):
    account = registry.create_account("Production", role_arn, "user-1", [])
    assert account.aws_account_id == partition_account
    assert account.role_arn == role_arn.strip()
    assert [t for t, _ in published.events] == ["account_registered"]


@pytest.mark.parametrize("region", [
    "", "us-east", "US-EAST-1", "us-east-1a", "useast1", "us-east-10", "us_east_1", " us-east-1",
    "us-east-1 ", "<script>", "us-east-1\x00",
    "us-east-1\n",
])
def test_bad_region_codes_are_rejected(registry, engine, published, region):
    with pytest.raises(InvalidArgument, match="not an AWS region code"):
        registry.create_account("Production", ROLE_ARN, "user-1", ["us-east-1", region])
    assert stored_rows(engine) == [] and published.events == []


def test_real_region_codes_are_accepted(registry):
    regions = ["us-gov-west-1", "cn-north-1", "ap-southeast-5", "il-central-1", "mx-central-1", "eu-west-3"]
    assert registry.create_account("All", ROLE_ARN, "user-1", regions).regions == sorted(regions)


def test_account_names_are_validated(registry, engine, published):
    for name in ("", "   ", "x" * 201):
        with pytest.raises(InvalidArgument, match="a name of 1 to 200 characters"):
            registry.create_account(name, ROLE_ARN, "user-1", [])
    assert stored_rows(engine) == [] and published.events == []
    assert registry.create_account("x" * 200, ROLE_ARN, "user-1", []).name == "x" * 200


def test_external_id_is_generated_once_and_stable(registry, engine, published, database_url):
    external_id = registry.external_id()
    assert re.fullmatch(r"[0-9a-f]{32}", external_id)
    assert registry.external_id() == external_id
    first = registry.create_account("One", ROLE_ARN, "user-1", [])
    second = registry.create_account("Two", "arn:aws:iam::210987654321:role/cloudsketch", "user-1", [])
    assert first.external_id == second.external_id == external_id
    # another process opening the same database sees the same External ID
    other_engine = open_database("accounts")
    try:
        assert Accounts(other_engine, AcceptingVerifier()).external_id() == external_id
    finally:
        other_engine.dispose()


def test_get_list_and_delete(registry, published):
    beta = registry.create_account("Beta", ROLE_ARN, "user-1", ["us-east-1"])
    alpha = registry.create_account("Alpha", "arn:aws:iam::210987654321:role/cloudsketch", "user-2", [])
    assert [a.id for a in registry.list_accounts([])] == [alpha.id, beta.id]  # by name
    assert [a.id for a in registry.list_accounts([beta.id, "no-such-id"])] == [beta.id]
    assert registry.get_account(alpha.id) == alpha
    with pytest.raises(NotFound, match="no such account"):
        registry.get_account("no-such-id")

    published.clear()
    before = utcnow()
    registry.delete_account(beta.id)
    [(event_type, event)] = published.events
    assert event_type == "account_removed" and isinstance(event, events.AccountRemoved)
    assert (event.account_id, event.aws_account_id) == (beta.id, "123456789012")
    assert event.occurred_at.ToDatetime() >= before.replace(tzinfo=None)
    with pytest.raises(NotFound):
        registry.get_account(beta.id)
    assert [a.id for a in registry.list_accounts([])] == [alpha.id]

    published.clear()
    with pytest.raises(NotFound, match="no such account"):
        registry.delete_account(beta.id)
    with pytest.raises(NotFound):
        registry.delete_account("no-such-id")
    assert published.events == []


# --- the real bus ----------------------------------------------------------------------------

def test_events_travel_as_protobuf_json_on_the_accounts_exchange(amqp_uri):
    exchange = Exchange("accounts.events", type="topic", durable=True)
    queue = Queue(f"test-accounts-{uuid.uuid4().hex}", exchange=exchange, routing_key="account_registered",
                  exclusive=True, auto_delete=True)
    event = events.AccountRegistered(account_id=str(uuid.uuid4()), aws_account_id="123456789012",
                                     name="Production", regions=["eu-west-1", "us-east-1"],
                                     occurred_at=to_timestamp(utcnow()))
    with Connection(amqp_uri, connect_timeout=5) as conn:
        bound = queue(conn.default_channel)
        bound.declare()
        publisher = EventPublisher("accounts", amqp_uri)
        # another event type is routed elsewhere, not to this queue
        publisher.publish("account_removed", events.AccountRemoved(account_id="other", aws_account_id="1" * 12))
        publisher.publish("account_registered", event)

        deadline = time.monotonic() + 10
        message = None
        while message is None and time.monotonic() < deadline:
            message = bound.get(no_ack=True, accept=["json"])
            if message is None:
                time.sleep(0.02)
        assert message is not None, "account_registered did not arrive"
        assert message.delivery_info["exchange"] == "accounts.events"
        assert message.delivery_info["routing_key"] == "account_registered"
        assert message.content_type == "application/json"
        assert message.properties.get("delivery_mode") == 2  # persistent
        body = json.loads(message.body)
        assert body == json_format.MessageToDict(event)
        assert body["accountId"] == event.account_id and body["regions"] == ["eu-west-1", "us-east-1"]
        assert parse_event(body, events.AccountRegistered) == event
        assert bound.get(no_ack=True) is None  # the account_removed event did not come here


def test_parse_event_ignores_unknown_fields():
    event = events.AccountRemoved(account_id="a1", aws_account_id="123456789012",
                                  occurred_at=to_timestamp(utcnow()))
    payload = {**to_payload(event), "addedInV2": "x", "nested": {"anything": [1, 2]}}
    assert parse_event(payload, events.AccountRemoved) == event
    # both JSON spellings of field names are understood
    assert parse_event({"account_id": "a1"}, events.AccountRemoved).account_id == "a1"


def test_search_matches_name_account_id_and_role_arn_literally(registry):
    registry.create_account("Payments Prod", ROLE_ARN, "user-1", [])
    registry.create_account("payments_100%", "arn:aws:iam::210987654321:role/finance-reader", "user-1", [])
    registry.create_account("Search", "arn:aws:iam::345678901234:role/cloudsketch", "user-1", [])
    names = lambda text: [a.name for a in registry.list_accounts([], text)]  # noqa: E731
    assert names("PAYMENTS") == ["Payments Prod", "payments_100%"]
    assert names("2109876") == ["payments_100%"]
    assert names("finance-reader") == ["payments_100%"]
    assert names("_100%") == ["payments_100%"]     # wildcards match themselves only
    assert names("s_1") == ["payments_100%"]
    assert names("%") == ["payments_100%"]
    assert names("nothing like it") == []
    assert len(names("  ")) == 3


def test_a_list_is_filtered_to_what_a_user_may_see_and_paged_in_name_order(registry):
    team, other_team = str(uuid.uuid4()), str(uuid.uuid4())
    made = {}
    for i, name in enumerate(["e", "d", "c", "b", "a", "a"]):
        made[name, i] = registry.create_account(name, f"arn:aws:iam::{210987654300 + i}:role/cloudsketch",
                                                "user-1" if i == 0 else "owner", [])
    registry.update_account(made["d", 1].id, "owner", read_access=[team])
    registry.update_account(made["c", 2].id, "owner", write_access=[team, other_team])
    registry.update_account(made["b", 3].id, "owner", read_access=[other_team])

    def names(visible_to=None, **paging):
        found, cursor = registry.list_accounts_page([], "", visible_to, **paging)
        return [a.name for a in found], cursor
    assert names(pb.AccountScope(creator_id="user-1", team_ids=[team])) == (["c", "d", "e"], "")
    assert names(pb.AccountScope(creator_id="user-1", team_ids=[team], write_only=True)) == (["c", "e"], "")
    assert names(pb.AccountScope(creator_id="nobody")) == ([], "")
    # pages of two, in (name, id) order, the two "a"s split across a page boundary
    ids = [a.id for a in registry.list_accounts([])]
    seen, cursor = [], ""
    for _ in range(3):
        page, cursor = registry.list_accounts_page([], "", None, 2, cursor)
        seen += [a.id for a in page]
        assert len(page) == 2 and bool(cursor) == (len(seen) < 6)
    assert seen == ids
    assert names(pb.AccountScope(creator_id="user-1", team_ids=[team]), limit=1)[1] != ""
    for bad in (dict(limit=-1), dict(limit=2, cursor="not-a-cursor")):
        with pytest.raises(InvalidArgument):
            registry.list_accounts_page([], "", None, **bad)
