"""Timestream for LiveAnalytics databases and tables (client "timestream-write").

The client discovers the account's cell endpoint first (DescribeEndpoints, which boto3 makes and
caches by itself). ListTables without a database name lists every database's tables, so two
listings cover both types. Tags come from the sync engine's tagging call.
"""
from __future__ import annotations

from services.collector.discovery import Context, Unit
from services.collector.discovery._shared import attributes
from services.collector.model import Edge, Item, Scope, iso

PAGE = 20  # MaxResults: 1 to 20


def get_timestream(ctx: Context) -> dict:
    # Timestream's listings page with NextToken, but botocore has no paginator for them: their
    # page size goes as the API names it.
    return {"databases": ctx.paginate("list_databases", "Databases", MaxResults=PAGE),
            "tables": ctx.paginate("list_tables", "Tables", MaxResults=PAGE)}


def transform_timestream(raw: dict, scope: Scope) -> list[Item]:
    items = [Item(arn=database["Arn"], type="AWS::Timestream::Database", name=database["DatabaseName"],
                  region=scope.region,
                  attributes=attributes(tableCount=database.get("TableCount"),
                                        creationTime=iso(database.get("CreationTime"))))
             for database in raw["databases"]]
    for table in raw["tables"]:
        retention = table.get("RetentionProperties") or {}
        database_arn = scope.arn("timestream", f"database/{table['DatabaseName']}")
        items.append(Item(
            arn=table["Arn"], type="AWS::Timestream::Table", name=table["TableName"], region=scope.region,
            attributes=attributes(
                databaseName=table["DatabaseName"], status=table.get("TableStatus"),
                memoryStoreRetentionPeriodInHours=retention.get("MemoryStoreRetentionPeriodInHours"),
                magneticStoreRetentionPeriodInDays=retention.get("MagneticStoreRetentionPeriodInDays"),
                creationTime=iso(table.get("CreationTime"))),
            edges=[Edge("contains", database_arn, table["Arn"])]))
    return items


UNITS = [Unit("timestream.databases", "timestream-write", ("AWS::Timestream::Database", "AWS::Timestream::Table"),
              get_timestream, transform_timestream)]
