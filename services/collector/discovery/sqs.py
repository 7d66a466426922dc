"""SQS queues: ListQueues, then GetQueueAttributes per queue (no call describes several queues).

The budget prices requests, FIFO and standard differently; the diagram draws a queue's dead-letter
queue as queue -routes_to-> dead-letter queue (messages that fail move there). The approximate
message counts are left out: they change by the second, and live status comes from metrics.
The queue policy is left out too. Tags come from the sync engine's tagging call.
"""
from __future__ import annotations

import json
from datetime import UTC, datetime

from services.collector.discovery import Context
from services.collector.discovery._shared import unless_error
from services.collector.discovery._spec import Link, Spec, last_part, only_if, unit, value

PAGE = 1000   # ListQueues' MaxResults: at most 1,000
# The queue was deleted after it was listed (the query-compatible code, and the JSON protocol's).
GONE = ("AWS.SimpleQueueService.NonExistentQueue", "QueueDoesNotExist")


def get_queues(ctx: Context) -> list[dict]:
    urls = ctx.paginate("list_queues", "QueueUrls", page_size=PAGE)

    def describe(url: str) -> dict | None:
        response = unless_error(GONE, ctx.client.get_queue_attributes, QueueUrl=url, AttributeNames=["All"])
        return {"QueueUrl": url, "Attributes": response.get("Attributes", {})} if response else None

    return [queue for queue in ctx.map(describe, urls) if queue]


def number(path: str):
    """SQS answers every attribute as a string ("30"; a redrive policy's count may be a number)."""
    get = value(path)

    def parsed(queue: dict, scope) -> int | None:
        found = get(queue, scope)
        return int(float(found)) if found not in (None, "") else None
    return parsed


def flag(path: str):
    """SQS's booleans are the strings "true" and "false"."""
    get = value(path)
    return lambda queue, scope: get(queue, scope) == "true"


def redrive(queue: dict, scope) -> dict:
    policy = queue["Attributes"].get("RedrivePolicy")
    return json.loads(policy) if policy else {}


def dead_letter_queue(queue: dict, scope) -> str | None:
    return redrive(queue, scope).get("deadLetterTargetArn")


def created(queue: dict, scope) -> str | None:
    seconds = number("Attributes.CreatedTimestamp")(queue, scope)   # epoch seconds
    return datetime.fromtimestamp(seconds, UTC).isoformat() if seconds is not None else None


FIFO = flag("Attributes.FifoQueue")

QUEUE = Spec(
    "AWS::SQS::Queue", arn="Attributes.QueueArn", name=last_part("QueueUrl", "/"),
    attributes={
        "url": "QueueUrl",
        "fifo": FIFO,
        "contentBasedDeduplication": only_if(FIFO, flag("Attributes.ContentBasedDeduplication")),
        "fifoThroughputLimit": "Attributes.FifoThroughputLimit",
        "visibilityTimeout": number("Attributes.VisibilityTimeout"),
        "messageRetentionPeriod": number("Attributes.MessageRetentionPeriod"),
        "delaySeconds": number("Attributes.DelaySeconds"),
        "maximumMessageSize": number("Attributes.MaximumMessageSize"),
        "receiveMessageWaitTimeSeconds": number("Attributes.ReceiveMessageWaitTimeSeconds"),
        "sqsManagedSse": flag("Attributes.SqsManagedSseEnabled"),
        "kmsMasterKeyId": "Attributes.KmsMasterKeyId",
        "deadLetterTargetArn": dead_letter_queue,
        "maxReceiveCount": number(lambda queue, scope: redrive(queue, scope).get("maxReceiveCount")),
        "created": created,
    },
    edges=(Link("routes_to", dead_letter_queue),))

UNITS = [unit("sqs.queues", "sqs", get_queues, QUEUE)]
