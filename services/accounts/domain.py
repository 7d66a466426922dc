"""The AWS account registry. Returns protobuf messages, the shared vocabulary.

An account is registered only once its role verifies (services/accounts/verification.py);
verification state and time are recorded with it. A role is registered once: a second
registration of the same role ARN is refused with the existing account's id, so a client may retry
a create whose answer it never saw. Every change writes its event to the outbox in the same
transaction (services/common/outbox.py); `wake_relay` is called after such a commit.
"""
from __future__ import annotations

import base64
import json
import re
import secrets
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Protocol
from urllib.parse import urlencode

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from cloudsketch.accounts.v1 import accounts_pb2 as pb
from cloudsketch.accounts.v1 import events_pb2 as events
from services.accounts import onboarding
from services.accounts.onboarding import DEFAULT_ROLE_NAME, RequiredPermissions
from services.accounts.tables import accounts, outbox, settings
from services.common.database import insert_if_absent, read_connection
from services.common.errors import AlreadyExists, InvalidArgument, NotFound
from services.common.outbox import write_event
from services.common.timeutil import to_timestamp, utcnow

# arn:<partition>:iam::<12-digit account>:role/<optional path/><name>; names and path segments
# use IAM's character set (letters, digits and +=,.@_-), names at most 64 characters.
ROLE_ARN = re.compile(
    r"^arn:(?P<partition>aws|aws-cn|aws-us-gov):iam::(?P<account>\d{12}):"
    r"role/(?P<path>(?:[\w+=,.@-]+/)*)(?P<name>[\w+=,.@-]{1,64})$", re.ASCII)
REGION = re.compile(r"^[a-z]{2}(-gov)?-[a-z]+-\d$")
VERIFICATION = {"pending": pb.VERIFICATION_STATE_PENDING, "verified": pb.VERIFICATION_STATE_VERIFIED,
                "failed": pb.VERIFICATION_STATE_FAILED}

DEFAULT_REGION = {"aws": "us-east-1", "aws-cn": "cn-north-1", "aws-us-gov": "us-gov-west-1"}
CONSOLE = {"aws": "https://console.aws.amazon.com", "aws-cn": "https://console.amazonaws.cn",
           "aws-us-gov": "https://console.amazonaws-us-gov.com"}


# GetAccount's statement, built once (building a select() on every call cost more than running it).
_GET_ACCOUNT = sa.select(accounts).where(accounts.c.id == sa.bindparam("id"))


class Verifier(Protocol):
    trusted_account_id: str

    def __call__(self, role_arn: str, role_name: str, aws_account_id: str, external_id: str,
                 region: str) -> list[str]:
        """Warnings, or raises VerificationFailed."""

    def organization_members(self, role_arn: str, external_id: str, region: str) -> list[dict]:
        """[{"id", "name"}] of the organisation's active accounts, seen through the role."""


def parse_role_arn(role_arn: str) -> re.Match:
    match = ROLE_ARN.fullmatch(role_arn.strip())
    if match is None:
        raise InvalidArgument(
            f"malformed role ARN {role_arn[:200]!r}: expected arn:aws:iam::<12-digit account id>:role/<name>")
    return match


def _account(row, external_id: str) -> pb.Account:
    return pb.Account(
        id=row.id, name=row.name, role_arn=row.role_arn, external_id=external_id,
        aws_account_id=row.aws_account_id, regions=row.regions, read_access=row.read_access,
        write_access=row.write_access, creator_id=row.creator_id, source=row.source,
        verification_state=VERIFICATION[row.verification_state], verification_message=row.verification_message,
        verified_at=to_timestamp(row.verified_at), created_at=to_timestamp(row.created_at),
        updated_at=to_timestamp(row.updated_at))


def _contains(text: str) -> str:
    """A LIKE pattern for `text` anywhere; its own wildcards are taken literally."""
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _visible(scope: pb.AccountScope):
    """Accounts the scope's user created or that are shared with one of its teams. The team lists
    are JSON arrays of UUIDs: a team is in one when its quoted id is in the array's text (the same
    on SQLite and PostgreSQL, and a UUID holds no LIKE wildcard)."""
    columns = [accounts.c.write_access] if scope.write_only else [accounts.c.read_access, accounts.c.write_access]
    shared = [sa.cast(column, sa.Text).like(_contains(f'"{team_id}"'), escape="\\")
              for team_id in scope.team_ids for column in columns]
    return sa.or_(accounts.c.creator_id == scope.creator_id, *shared)


def _encode_cursor(name: str, account_id: str) -> str:
    return base64.urlsafe_b64encode(json.dumps([name, account_id]).encode()).decode().rstrip("=")


def _decode_cursor(cursor: str) -> tuple[str, str]:
    try:
        name, account_id = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if isinstance(name, str) and isinstance(account_id, str):
            return name, account_id
    except (ValueError, TypeError):
        pass
    raise InvalidArgument(f"cursor {cursor[:40]!r} is not one this list gave: start again without it")


class Accounts:
    def __init__(self, engine: Engine, verify: Verifier, wake_relay: Callable[[], None] = lambda: None,
                 required_permissions: Callable[[], RequiredPermissions] = onboarding.permissions_from_collector):
        self.engine = engine
        self.verify = verify
        self.wake_relay = wake_relay
        self._external_id: str | None = None
        self._fetch_permissions = required_permissions
        self._permissions: RequiredPermissions | None = None

    def iam_parameters(self) -> pb.GetIamParametersResponse:
        account_id, external_id = self.verify.trusted_account_id, self.external_id()
        query = urlencode({"trustedEntityType": "AWS_ACCOUNT", "awsAccount": account_id, "isThirdParty": "true",
                           "externalId": external_id, "roleName": DEFAULT_ROLE_NAME,
                           "policies": "arn:aws:iam::aws:policy/ReadOnlyAccess"})
        return pb.GetIamParametersResponse(account_id=account_id, external_id=external_id,
                                           aws_console_url=f"{CONSOLE['aws']}/iam/home#/roles/create?{query}",
                                           role_name=DEFAULT_ROLE_NAME)

    def required_permissions(self) -> RequiredPermissions:
        """What the collector needs a role to allow, asked once per process: it changes only with a
        new collector release, which restarts the processes."""
        if self._permissions is None:
            self._permissions = self._fetch_permissions()
        return self._permissions

    def onboarding_document(self, kind: int, role_name: str | None = None, partition: str | None = None,
                            policy: str | None = None) -> pb.GetOnboardingDocumentResponse:
        """One piece of onboarding material for this installation (services/accounts/onboarding.py);
        unset (None) parameters take their defaults."""
        parameters = self.iam_parameters()
        try:
            return onboarding.document(parameters.account_id, parameters.external_id, self.required_permissions(),
                                       kind, role_name, partition, policy)
        except ValueError as exc:
            raise InvalidArgument(str(exc)) from None

    def _verified(self, role_arn: str, region: str) -> dict:
        """Verification columns for a role that verifies; raises VerificationFailed otherwise."""
        match = parse_role_arn(role_arn)
        region = region or DEFAULT_REGION[match["partition"]]
        if not REGION.fullmatch(region):
            raise InvalidArgument(f"not an AWS region code: {region[:50]!r}")
        warnings = self.verify(role_arn=role_arn.strip(), role_name=match["name"], aws_account_id=match["account"],
                               external_id=self.external_id(), region=region)
        return dict(role_arn=role_arn.strip(), aws_account_id=match["account"], verification_state="verified",
                    verification_message="; ".join(f"warning: {w}" for w in warnings), verified_at=utcnow())

    def external_id(self) -> str:
        """The organisation's External ID, generated once (128 random bits) and never chosen by a user.
        It never changes once stored, so each process reads it once."""
        if self._external_id is None:
            self._external_id = self._stored_external_id()
        return self._external_id

    def _stored_external_id(self) -> str:
        with self.engine.begin() as conn:
            row = conn.execute(sa.select(settings.c.value).where(settings.c.key == "external_id")).first()
            if row:
                return row.value
            value = secrets.token_hex(16)
            # Two first callers at once: the first insert wins and both return the stored value.
            conn.execute(insert_if_absent(conn, settings, key="external_id", value=value))
            return conn.execute(sa.select(settings.c.value).where(settings.c.key == "external_id")).scalar_one()

    def create_account(self, name: str, role_arn: str, creator_id: str, regions: list[str],
                       region: str = "", source: str = "manual") -> pb.Account:
        """Registers the account once its role verifies (in `region`); nothing is stored otherwise."""
        name = name.strip()
        if not name or len(name) > 200:
            raise InvalidArgument("an account needs a name of 1 to 200 characters")
        parse_role_arn(role_arn)
        bad = [r for r in regions if not REGION.fullmatch(r)]
        if bad:
            raise InvalidArgument(f"not an AWS region code: {bad[0][:50]!r}")
        self._refuse_registered_role(role_arn.strip())  # before asking STS
        verified = self._verified(role_arn, region)
        now = utcnow()
        row = dict(id=str(uuid.uuid4()), name=name, regions=sorted(set(regions)), creator_id=creator_id,
                   source=source, created_at=now, updated_at=now, **verified)
        try:
            with self.engine.begin() as conn:
                conn.execute(accounts.insert().values(**row))
                write_event(conn, outbox, "account_registered", events.AccountRegistered(
                    account_id=row["id"], aws_account_id=row["aws_account_id"], name=name, regions=row["regions"],
                    occurred_at=to_timestamp(now), actor_id=creator_id), row["id"])
        except sa.exc.IntegrityError:  # the unique role ARN decides between concurrent registrations
            self._refuse_registered_role(row["role_arn"])
            raise
        self.wake_relay()
        return self.get_account(row["id"])

    def _refuse_registered_role(self, role_arn: str, account_id: str = "") -> None:
        """AlreadyExists naming the account that has this role (other than `account_id`)."""
        with read_connection(self.engine) as conn:
            existing = conn.execute(sa.select(accounts.c.id).where(accounts.c.role_arn == role_arn,
                                                                    accounts.c.id != account_id)).scalar()
        if existing is not None:
            raise AlreadyExists(f"role {role_arn} is already registered as account {existing}")

    def onboard_organization(self, role_arn: str, member_role_name: str, creator_id: str,
                             region: str = "") -> pb.OnboardOrganizationResponse:
        """Registers every member account of the organisation whose member role verifies."""
        match = parse_role_arn(role_arn)
        member_role_name = member_role_name.strip() or DEFAULT_ROLE_NAME
        if not ROLE_ARN.fullmatch(f"arn:aws:iam::000000000000:role/{member_role_name}"):
            raise InvalidArgument(f"not a role name: {member_role_name[:80]!r}")
        region = region or DEFAULT_REGION[match["partition"]]
        self._verified(role_arn, region)  # the management role itself must be sound
        members = self.verify.organization_members(role_arn.strip(), self.external_id(), region)
        connected = {a.aws_account_id for a in self.list_accounts([])}
        reply = pb.OnboardOrganizationResponse()
        todo = []
        for member in members:
            if member["id"] in connected:
                reply.already_connected.append(member["id"])
            else:
                todo.append(member)

        def onboard(member):
            member_arn = f"arn:{match['partition']}:iam::{member['id']}:role/{member_role_name}"
            try:
                return self.create_account(member["name"] or member["id"], member_arn, creator_id, [], region,
                                           source="organizations")
            except AlreadyExists:  # connected meanwhile, by another call
                return member["id"]
            except InvalidArgument as exc:  # VerificationFailed included: report it, go on
                return pb.OnboardingFailure(aws_account_id=member["id"], name=member["name"], reason=str(exc))

        # Each verification waits on AWS a few times: verify members side by side.
        with ThreadPoolExecutor(max_workers=8, thread_name_prefix="onboard") as pool:
            for result in pool.map(onboard, todo):
                if isinstance(result, str):
                    reply.already_connected.append(result)
                else:
                    (reply.onboarded if isinstance(result, pb.Account) else reply.failed).append(result)
        return reply

    def get_account(self, account_id: str) -> pb.Account:
        with read_connection(self.engine) as conn:
            row = conn.execute(_GET_ACCOUNT, {"id": account_id}).first()
        if row is None:
            raise NotFound("no such account")
        return _account(row, self.external_id())

    def list_accounts(self, ids: list[str], search: str = "") -> list[pb.Account]:
        return self.list_accounts_page(ids, search)[0]

    def list_accounts_page(self, ids: list[str], search: str = "", visible_to: pb.AccountScope | None = None,
                           limit: int = 0, cursor: str = "") -> tuple[list[pb.Account], str]:
        """Accounts in name order, filtered and paged in SQL: (a page, the next page's cursor or "")."""
        if limit < 0:
            raise InvalidArgument("limit must be a positive number (or 0 for every account)")
        query = sa.select(accounts).order_by(accounts.c.name, accounts.c.id)
        if ids:
            query = query.where(accounts.c.id.in_(ids))
        if search.strip():
            query = query.where(sa.or_(*(sa.func.lower(column).like(_contains(search.strip().lower()), escape="\\")
                                         for column in (accounts.c.name, accounts.c.aws_account_id,
                                                        accounts.c.role_arn))))
        if visible_to is not None:
            query = query.where(_visible(visible_to))
        if cursor:
            name, account_id = _decode_cursor(cursor)
            query = query.where(sa.or_(accounts.c.name > name,
                                       sa.and_(accounts.c.name == name, accounts.c.id > account_id)))
        if limit:
            query = query.limit(limit + 1)   # one more says whether there is a next page
        external_id = self.external_id()
        with read_connection(self.engine) as conn:
            rows = conn.execute(query).all()
        following = ""
        if limit and len(rows) > limit:
            rows = rows[:limit]
            following = _encode_cursor(rows[-1].name, rows[-1].id)
        return [_account(row, external_id) for row in rows], following

    def update_account(self, account_id: str, actor_id: str, name: str | None = None, role_arn: str | None = None,
                       read_access: list[str] | None = None, write_access: list[str] | None = None,
                       region: str = "") -> pb.Account:
        """Unset (None) fields keep their value. Team ids are checked by the caller (the gateway
        asks identity), as this service does not know teams."""
        before = self.get_account(account_id)
        values = {}
        if name is not None and name.strip() != before.name:
            values["name"] = name.strip()
            if not values["name"] or len(values["name"]) > 200:
                raise InvalidArgument("an account needs a name of 1 to 200 characters")
        if role_arn is not None and role_arn.strip() != before.role_arn:
            parse_role_arn(role_arn)
            self._refuse_registered_role(role_arn.strip(), account_id)
            values.update(self._verified(role_arn, region))  # a new role verifies, or nothing changes
        for field, team_ids in (("read_access", read_access), ("write_access", write_access)):
            if team_ids is not None and sorted(set(team_ids)) != sorted(getattr(before, field)):
                values[field] = sorted(set(team_ids))
        if not values:
            return before
        now = utcnow()
        changed = sorted(k for k in values if k in ("name", "role_arn", "read_access", "write_access"))
        try:
            with self.engine.begin() as conn:
                done = conn.execute(accounts.update().where(accounts.c.id == account_id)
                                    .values(**values, updated_at=now))
                if done.rowcount == 0:
                    raise NotFound("no such account")
                # The event describes the row as this transaction left it (its update holds the row lock).
                row = conn.execute(_GET_ACCOUNT, {"id": account_id}).one()
                write_event(conn, outbox, "account_updated", events.AccountUpdated(
                    account_id=row.id, aws_account_id=row.aws_account_id, name=row.name, regions=row.regions,
                    occurred_at=to_timestamp(now), actor_id=actor_id, changed=changed,
                    read_access=row.read_access, write_access=row.write_access), account_id)
        except sa.exc.IntegrityError:
            self._refuse_registered_role(values["role_arn"], account_id)
            raise
        self.wake_relay()
        return self.get_account(account_id)

    def delete_account(self, account_id: str, actor_id: str = "") -> None:
        with self.engine.begin() as conn:
            row = conn.execute(accounts.delete().where(accounts.c.id == account_id)
                               .returning(accounts.c.aws_account_id, accounts.c.name)).first()
            if row is None:
                raise NotFound("no such account")
            write_event(conn, outbox, "account_removed", events.AccountRemoved(
                account_id=account_id, aws_account_id=row.aws_account_id, occurred_at=to_timestamp(utcnow()),
                actor_id=actor_id, name=row.name), account_id)
        self.wake_relay()
