"""Amazon Keyspaces (for Apache Cassandra) keyspaces and tables.

ListTables takes one keyspace, so tables are listed per keyspace. Both calls need cassandra:Select
on the system keyspaces only (declarations.KEYSPACES_SCHEMA). The system keyspaces themselves are
AWS's, not the customer's: they are neither items nor listed. Tags come from the sync engine.
"""
from __future__ import annotations

from services.collector.discovery import Context, Unit
from services.collector.discovery._shared import attributes, flatten, unless_error
from services.collector.model import Edge, Item, Scope

PAGE = 1000  # maxResults: 1 to 1000
SYSTEM_KEYSPACES = frozenset({"system", "system_schema", "system_schema_mcs", "system_multiregion_info"})
GONE = ("ResourceNotFoundException",)  # a keyspace deleted since it was listed


def get_keyspaces(ctx: Context) -> dict:
    keyspaces = [keyspace for keyspace in ctx.paginate("list_keyspaces", "keyspaces", page_size=PAGE)
                 if keyspace["keyspaceName"] not in SYSTEM_KEYSPACES]
    pages = ctx.map(lambda keyspace: unless_error(GONE, ctx.paginate, "list_tables", "tables", page_size=PAGE,
                                                  keyspaceName=keyspace["keyspaceName"], default=[]), keyspaces)
    return {"keyspaces": keyspaces, "tables": flatten(pages)}


def transform_keyspaces(raw: dict, scope: Scope) -> list[Item]:
    arns = {keyspace["keyspaceName"]: keyspace["resourceArn"] for keyspace in raw["keyspaces"]}
    items = [Item(arn=keyspace["resourceArn"], type="AWS::Cassandra::Keyspace", name=keyspace["keyspaceName"],
                  region=scope.region,
                  attributes=attributes(replicationStrategy=keyspace.get("replicationStrategy"),
                                        replicationRegions=keyspace.get("replicationRegions")))
             for keyspace in raw["keyspaces"]]
    for table in raw["tables"]:
        keyspace_arn = arns.get(table["keyspaceName"])
        items.append(Item(
            arn=table["resourceArn"], type="AWS::Cassandra::Table", name=table["tableName"], region=scope.region,
            attributes={"keyspaceName": table["keyspaceName"]},
            edges=[Edge("contains", keyspace_arn, table["resourceArn"])] if keyspace_arn else []))
    return items


UNITS = [Unit("keyspaces.keyspaces", "keyspaces", ("AWS::Cassandra::Keyspace", "AWS::Cassandra::Table"),
              get_keyspaces, transform_keyspaces)]
