"""DynamoDB tables: ListTables, then DescribeTable per table (the API has no batch describe).

The budget needs the billing mode, provisioned capacity (the table's and its global secondary
indexes') and size; Lambda triggers find their table by the stream ARN kept in the attributes.
Tags come from the sync engine's tagging call.
"""
from __future__ import annotations

from services.collector.discovery import Context
from services.collector.discovery._shared import unless_error
from services.collector.discovery._spec import Spec, at, count, each, nonempty, only_if, timestamp, unit

PAGE = 100  # ListTables' Limit: 1 to 100
GONE = ("ResourceNotFoundException",)  # deleted between ListTables and DescribeTable


def get_tables(ctx: Context) -> list[dict]:
    names = ctx.paginate("list_tables", "TableNames", page_size=PAGE)
    described = ctx.map(lambda name: unless_error(GONE, ctx.client.describe_table, TableName=name), names)
    return [response["Table"] for response in described if response]


def index_capacity(units: str):
    """The provisioned `units` of the table's global secondary indexes, summed."""
    return lambda table, scope: sum((index.get("ProvisionedThroughput") or {}).get(units, 0)
                                    for index in table.get("GlobalSecondaryIndexes", []))


TABLE = Spec(
    "AWS::DynamoDB::Table", arn="TableArn", name="TableName",
    attributes={
        "status": "TableStatus",
        # Tables made before on-demand existed have no BillingModeSummary: provisioned.
        "billingMode": at("BillingModeSummary.BillingMode", "PROVISIONED"),
        "readCapacityUnits": "ProvisionedThroughput.ReadCapacityUnits",
        "writeCapacityUnits": "ProvisionedThroughput.WriteCapacityUnits",
        "globalSecondaryIndexCount": count("GlobalSecondaryIndexes"),
        "gsiReadCapacityUnits": index_capacity("ReadCapacityUnits"),
        "gsiWriteCapacityUnits": index_capacity("WriteCapacityUnits"),
        "tableSizeBytes": "TableSizeBytes", "itemCount": "ItemCount",
        "tableClass": at("TableClassSummary.TableClass", "STANDARD"),
        "latestStreamArn": only_if("StreamSpecification.StreamEnabled", "LatestStreamArn"),
        "streamViewType": "StreamSpecification.StreamViewType",
        "replicaRegions": nonempty(each("Replicas", "RegionName")),
        "creationDateTime": timestamp("CreationDateTime"),
    })

UNITS = [unit("dynamodb.tables", "dynamodb", get_tables, TABLE)]
