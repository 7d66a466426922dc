"""Lambda functions and event source mappings: one paginated listing each.

The budget prices a function by its memory size and architecture (arm64 costs less than x86_64)
and its ephemeral storage above the free 512 MB. A function attached to a VPC is contained by
each of its subnets and secured by its security groups.

Never stored: environment variables (ListFunctions returns them, and they often hold secrets),
the image configuration's command and entry point, nor anything from the code itself. Tags come
from the sync engine's tagging call (ListFunctions returns none).

An event source mapping is an item of its own and gives the edge the diagram needs:
source -triggers-> function, where the source is the SQS queue, Kinesis stream, DynamoDB table
(a DynamoDB stream's ARN is mapped to its table's, the item the diagram draws), or the MSK
cluster, MQ broker or DocumentDB cluster as given; and mapping -attached_to-> function.
"""
from __future__ import annotations

from services.collector.discovery import Context, Unit
from services.collector.discovery._shared import attributes, function_arn, placement
from services.collector.model import Edge, Item, Scope, iso

# ListFunctions answers at most 50 functions a call, ListEventSourceMappings at most 100, whatever
# MaxItems asks for.
FUNCTIONS_PAGE = 50
MAPPINGS_PAGE = 100


def get_functions(ctx: Context) -> list[dict]:
    return ctx.paginate("list_functions", "Functions", page_size=FUNCTIONS_PAGE)


def transform_functions(functions: list[dict], scope: Scope) -> list[Item]:
    items = []
    for function in functions:
        arn = function["FunctionArn"]
        vpc = function.get("VpcConfig") or {}
        items.append(Item(
            arn=arn, type="AWS::Lambda::Function", name=function["FunctionName"], region=scope.region,
            attributes=attributes(
                runtime=function.get("Runtime"),             # absent for container images
                handler=function.get("Handler"),
                memorySize=function.get("MemorySize"),
                timeout=function.get("Timeout"),
                # Functions made before arm64 existed report no architecture: x86_64.
                architectures=function.get("Architectures") or ["x86_64"],
                packageType=function.get("PackageType") or "Zip",
                ephemeralStorageSize=(function.get("EphemeralStorage") or {}).get("Size"),
                codeSize=function.get("CodeSize"),
                vpcId=vpc.get("VpcId") or None,              # "" when not attached to a VPC
                lastModified=function.get("LastModified")),
            edges=placement(scope, arn, vpc.get("SubnetIds") or [], vpc.get("SecurityGroupIds") or [])))
    return items


def get_event_source_mappings(ctx: Context) -> list[dict]:
    return ctx.paginate("list_event_source_mappings", "EventSourceMappings", page_size=MAPPINGS_PAGE)


def event_source(arn: str | None) -> str | None:
    """The item a mapping's EventSourceArn stands for: a DynamoDB stream
    (arn:aws:dynamodb:region:account:table/name/stream/label) is drawn as its table."""
    if arn and arn.split(":")[2:3] == ["dynamodb"] and "/stream/" in arn:
        return arn.split("/stream/", 1)[0]
    return arn


def transform_event_source_mappings(mappings: list[dict], scope: Scope) -> list[Item]:
    items = []
    for mapping in mappings:
        arn = mapping.get("EventSourceMappingArn") or scope.arn("lambda", f"event-source-mapping:{mapping['UUID']}")
        function = function_arn(mapping["FunctionArn"])
        source = event_source(mapping.get("EventSourceArn"))
        kafka = ((mapping.get("SelfManagedEventSource") or {}).get("Endpoints") or {}).get("KAFKA_BOOTSTRAP_SERVERS")
        edges = [Edge("triggers", source, function)] if source else []   # self-managed Kafka has no ARN
        items.append(Item(
            arn=arn, type="AWS::Lambda::EventSourceMapping", name=mapping["UUID"], region=scope.region,
            attributes=attributes(
                uuid=mapping["UUID"],
                eventSourceArn=mapping.get("EventSourceArn"),
                functionArn=mapping["FunctionArn"],          # as given: it may name an alias
                state=mapping.get("State"),
                batchSize=mapping.get("BatchSize"),
                maximumBatchingWindowInSeconds=mapping.get("MaximumBatchingWindowInSeconds"),
                startingPosition=mapping.get("StartingPosition"),
                topics=mapping.get("Topics"),                # Kafka
                queues=mapping.get("Queues"),                # Amazon MQ
                kafkaBootstrapServers=kafka,
                lastModified=iso(mapping.get("LastModified"))),
            edges=edges + [Edge("attached_to", arn, function)]))
    return items


UNITS = [
    Unit("lambda.functions", "lambda", ("AWS::Lambda::Function",), get_functions, transform_functions),
    Unit("lambda.event_source_mappings", "lambda", ("AWS::Lambda::EventSourceMapping",),
         get_event_source_mappings, transform_event_source_mappings),
]
