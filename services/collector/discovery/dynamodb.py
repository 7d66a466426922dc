"""DynamoDB tables: ListTables, then DescribeTable per table (the API has no batch describe).

The budget needs the billing mode, provisioned capacity (the table's and its global secondary
indexes') and size; Lambda triggers find their table by the stream ARN kept in the attributes.
Tags come from the sync engine's tagging call.
"""
from __future__ import annotations

from services.collector.discovery import Context, Unit
from services.collector.discovery._shared import attributes, unless_error
from services.collector.model import Item, Scope, iso

PAGE = 100  # ListTables' Limit: 1 to 100
GONE = ("ResourceNotFoundException",)  # deleted between ListTables and DescribeTable


def get_tables(ctx: Context) -> list[dict]:
    names = ctx.paginate("list_tables", "TableNames", page_size=PAGE)
    described = ctx.map(lambda name: unless_error(GONE, ctx.client.describe_table, TableName=name), names)
    return [response["Table"] for response in described if response]


def transform_tables(tables: list[dict], scope: Scope) -> list[Item]:
    items = []
    for table in tables:
        throughput = table.get("ProvisionedThroughput") or {}
        indexes = table.get("GlobalSecondaryIndexes", [])
        stream_enabled = (table.get("StreamSpecification") or {}).get("StreamEnabled")
        items.append(Item(
            arn=table["TableArn"], type="AWS::DynamoDB::Table", name=table["TableName"], region=scope.region,
            attributes=attributes(
                status=table.get("TableStatus"),
                # Tables made before on-demand existed have no BillingModeSummary: provisioned.
                billingMode=(table.get("BillingModeSummary") or {}).get("BillingMode", "PROVISIONED"),
                readCapacityUnits=throughput.get("ReadCapacityUnits"),
                writeCapacityUnits=throughput.get("WriteCapacityUnits"),
                globalSecondaryIndexCount=len(indexes),
                gsiReadCapacityUnits=sum((index.get("ProvisionedThroughput") or {}).get("ReadCapacityUnits", 0)
                                      for index in indexes),
                gsiWriteCapacityUnits=sum((index.get("ProvisionedThroughput") or {}).get("WriteCapacityUnits", 0)
                                       for index in indexes),
                tableSizeBytes=table.get("TableSizeBytes"), itemCount=table.get("ItemCount"),
                tableClass=(table.get("TableClassSummary") or {}).get("TableClass", "STANDARD"),
                latestStreamArn=table.get("LatestStreamArn") if stream_enabled else None,
                streamViewType=(table.get("StreamSpecification") or {}).get("StreamViewType"),
                replicaRegions=[replica["RegionName"] for replica in table.get("Replicas", [])] or None,
                creationDateTime=iso(table.get("CreationDateTime")))))
    return items


UNITS = [Unit("dynamodb.tables", "dynamodb", ("AWS::DynamoDB::Table",), get_tables, transform_tables)]
