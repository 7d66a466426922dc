"""Timestream for LiveAnalytics databases and tables (client "timestream-write").

The client discovers the account's cell endpoint first (DescribeEndpoints, which boto3 makes and
caches by itself). ListTables without a database name lists every database's tables, so two
listings cover both types. Tags come from the sync engine's tagging call.
"""
from __future__ import annotations

from services.collector.discovery import Context
from services.collector.discovery._spec import Spec, arn_in, contained_by, timestamp, unit

PAGE = 20  # MaxResults: 1 to 20


def get_timestream(ctx: Context) -> dict:
    # Timestream's listings page with NextToken, but botocore has no paginator for them: their
    # page size goes as the API names it.
    return {"databases": ctx.paginate("list_databases", "Databases", MaxResults=PAGE),
            "tables": ctx.paginate("list_tables", "Tables", MaxResults=PAGE)}


DATABASE = Spec(
    "AWS::Timestream::Database", arn="Arn", name="DatabaseName", records="databases",
    attributes={"tableCount": "TableCount", "creationTime": timestamp("CreationTime")})

TABLE = Spec(
    "AWS::Timestream::Table", arn="Arn", name="TableName", records="tables",
    attributes={
        "databaseName": "DatabaseName", "status": "TableStatus",
        "memoryStoreRetentionPeriodInHours": "RetentionProperties.MemoryStoreRetentionPeriodInHours",
        "magneticStoreRetentionPeriodInDays": "RetentionProperties.MagneticStoreRetentionPeriodInDays",
        "creationTime": timestamp("CreationTime"),
    },
    edges=(contained_by(arn_in("timestream", "database/{DatabaseName}")),))

UNITS = [unit("timestream.databases", "timestream-write", get_timestream, DATABASE, TABLE)]
