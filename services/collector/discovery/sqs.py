"""SQS queues: ListQueues, then GetQueueAttributes per queue (no call describes several queues).

The budget prices requests, FIFO and standard differently; the diagram draws a queue's dead-letter
queue as queue -routes_to-> dead-letter queue (messages that fail move there). The approximate
message counts are left out: they change by the second, and live status comes from metrics.
The queue policy is left out too. Tags come from the sync engine's tagging call.
"""
from __future__ import annotations

import json
from datetime import datetime, timezone

from services.collector.discovery import Context, Unit
from services.collector.discovery._shared import attributes, unless_error
from services.collector.model import Edge, Item, Scope

PAGE = 1000   # ListQueues' MaxResults: at most 1,000
# The queue was deleted after it was listed (the query-compatible code, and the JSON protocol's).
GONE = ("AWS.SimpleQueueService.NonExistentQueue", "QueueDoesNotExist")


def get_queues(ctx: Context) -> list[dict]:
    urls = ctx.paginate("list_queues", "QueueUrls", page_size=PAGE)

    def describe(url: str) -> dict | None:
        response = unless_error(GONE, ctx.client.get_queue_attributes, QueueUrl=url, AttributeNames=["All"])
        return {"QueueUrl": url, "Attributes": response.get("Attributes", {})} if response else None

    return [queue for queue in ctx.map(describe, urls) if queue]


def number(value: str | int | None) -> int | None:
    """SQS answers every attribute as a string ("30"; a redrive policy's count may be a number)."""
    return int(float(value)) if value not in (None, "") else None


def transform_queues(queues: list[dict], scope: Scope) -> list[Item]:
    items = []
    for queue in queues:
        values = queue["Attributes"]
        arn = values["QueueArn"]
        redrive = json.loads(values["RedrivePolicy"]) if values.get("RedrivePolicy") else {}
        dead_letter = redrive.get("deadLetterTargetArn")
        fifo = values.get("FifoQueue") == "true"
        created = number(values.get("CreatedTimestamp"))   # epoch seconds
        items.append(Item(
            arn=arn, type="AWS::SQS::Queue", name=queue["QueueUrl"].rsplit("/", 1)[-1], region=scope.region,
            attributes=attributes(
                url=queue["QueueUrl"],
                fifo=fifo,
                contentBasedDeduplication=values.get("ContentBasedDeduplication") == "true" if fifo else None,
                fifoThroughputLimit=values.get("FifoThroughputLimit"),
                visibilityTimeout=number(values.get("VisibilityTimeout")),
                messageRetentionPeriod=number(values.get("MessageRetentionPeriod")),
                delaySeconds=number(values.get("DelaySeconds")),
                maximumMessageSize=number(values.get("MaximumMessageSize")),
                receiveMessageWaitTimeSeconds=number(values.get("ReceiveMessageWaitTimeSeconds")),
                sqsManagedSse=values.get("SqsManagedSseEnabled") == "true",
                kmsMasterKeyId=values.get("KmsMasterKeyId"),
                deadLetterTargetArn=dead_letter,
                maxReceiveCount=number(redrive.get("maxReceiveCount")),
                created=datetime.fromtimestamp(created, timezone.utc).isoformat() if created is not None else None),
            edges=[Edge("routes_to", arn, dead_letter)] if dead_letter else []))
    return items


UNITS = [Unit("sqs.queues", "sqs", ("AWS::SQS::Queue",), get_queues, transform_queues)]
