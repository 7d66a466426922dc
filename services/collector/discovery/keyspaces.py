"""Amazon Keyspaces (for Apache Cassandra) keyspaces and tables.

ListTables takes one keyspace, so tables are listed per keyspace. Both calls need cassandra:Select
on the system keyspaces only (declarations.KEYSPACES_SCHEMA). The system keyspaces themselves are
AWS's, not the customer's: they are neither items nor listed. Tags come from the sync engine.
"""
from __future__ import annotations

from services.collector.discovery import Context
from services.collector.discovery._shared import flatten, unless_error
from services.collector.discovery._spec import Spec, contained_by, unit

PAGE = 1000  # maxResults: 1 to 1000
SYSTEM_KEYSPACES = frozenset({"system", "system_schema", "system_schema_mcs", "system_multiregion_info"})
GONE = ("ResourceNotFoundException",)  # a keyspace deleted since it was listed


def get_keyspaces(ctx: Context) -> dict:
    keyspaces = [keyspace for keyspace in ctx.paginate("list_keyspaces", "keyspaces", page_size=PAGE)
                 if keyspace["keyspaceName"] not in SYSTEM_KEYSPACES]
    pages = ctx.map(lambda keyspace: unless_error(GONE, ctx.paginate, "list_tables", "tables", page_size=PAGE,
                                                  keyspaceName=keyspace["keyspaceName"], default=[]), keyspaces)
    return {"keyspaces": keyspaces, "tables": flatten(pages)}


def tables(raw: dict) -> list[dict]:
    """The tables, each with "_keyspaceArn": its listed keyspace's ARN."""
    arns = {keyspace["keyspaceName"]: keyspace["resourceArn"] for keyspace in raw["keyspaces"]}
    return [{**table, "_keyspaceArn": arns.get(table["keyspaceName"])} for table in raw["tables"]]


KEYSPACE = Spec(
    "AWS::Cassandra::Keyspace", arn="resourceArn", name="keyspaceName", records="keyspaces",
    attributes={"replicationStrategy": "replicationStrategy", "replicationRegions": "replicationRegions"})

TABLE = Spec(
    "AWS::Cassandra::Table", arn="resourceArn", name="tableName", records=tables,
    attributes={"keyspaceName": "keyspaceName"},
    edges=(contained_by("_keyspaceArn"),))

UNITS = [unit("keyspaces.keyspaces", "keyspaces", get_keyspaces, KEYSPACE, TABLE)]
