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

from services.collector.discovery._shared import function_arn
from services.collector.discovery._spec import (
    Link,
    Spec,
    arn_in,
    first_of,
    listing,
    named,
    nonempty,
    placed,
    timestamp,
    unit,
)

# ListFunctions answers at most 50 functions a call, ListEventSourceMappings at most 100, whatever
# MaxItems asks for.
FUNCTIONS_PAGE = 50
MAPPINGS_PAGE = 100

FUNCTION = Spec(
    "AWS::Lambda::Function", arn="FunctionArn", name="FunctionName",
    attributes={
        "runtime": "Runtime",             # absent for container images
        **named("Handler", "MemorySize", "Timeout"),
        # Functions made before arm64 existed report no architecture: x86_64.
        "architectures": nonempty("Architectures", ["x86_64"]),
        "packageType": nonempty("PackageType", "Zip"),
        "ephemeralStorageSize": "EphemeralStorage.Size",
        "codeSize": "CodeSize",
        "vpcId": nonempty("VpcConfig.VpcId"),    # "" when not attached to a VPC
        "lastModified": "LastModified",
    },
    edges=placed("VpcConfig.SubnetIds", "VpcConfig.SecurityGroupIds"))


def event_source(mapping: dict, scope) -> str | None:
    """The item a mapping's EventSourceArn stands for: a DynamoDB stream
    (arn:aws:dynamodb:region:account:table/name/stream/label) is drawn as its table. Self-managed
    Kafka has no ARN."""
    arn = mapping.get("EventSourceArn")
    if arn and arn.split(":")[2:3] == ["dynamodb"] and "/stream/" in arn:
        return arn.split("/stream/", 1)[0]
    return arn


def mapped_function(mapping: dict, scope) -> str:
    return function_arn(mapping["FunctionArn"])


EVENT_SOURCE_MAPPING = Spec(
    "AWS::Lambda::EventSourceMapping", name="UUID",
    arn=first_of("EventSourceMappingArn", arn_in("lambda", "event-source-mapping:{UUID}")),
    attributes={
        "uuid": "UUID",
        "eventSourceArn": "EventSourceArn",
        "functionArn": "FunctionArn",          # as given: it may name an alias
        **named("State", "BatchSize", "MaximumBatchingWindowInSeconds", "StartingPosition"),
        "topics": "Topics",                # Kafka
        "queues": "Queues",                # Amazon MQ
        "kafkaBootstrapServers": "SelfManagedEventSource.Endpoints.KAFKA_BOOTSTRAP_SERVERS",
        "lastModified": timestamp("LastModified"),
    },
    edges=(Link("triggers", mapped_function, source=event_source), Link("attached_to", mapped_function)))

UNITS = [
    unit("lambda.functions", "lambda", listing("list_functions", "Functions", page_size=FUNCTIONS_PAGE), FUNCTION),
    unit("lambda.event_source_mappings", "lambda",
         listing("list_event_source_mappings", "EventSourceMappings", page_size=MAPPINGS_PAGE), EVENT_SOURCE_MAPPING),
]
