"""Kinesis data streams: ListStreams, then DescribeStreamSummary per stream (the listing has no
shard count, and no call describes several streams).

The budget prices a provisioned stream by its open shards and an on-demand stream by its mode;
enhanced fan-out consumers and retention beyond 24 hours cost extra. Tags come from the sync
engine's tagging call.
"""
from __future__ import annotations

from services.collector.discovery import Context
from services.collector.discovery._shared import unless_error
from services.collector.discovery._spec import Spec, at, named, timestamp, unit

PAGE = 10000   # ListStreams' Limit: at most 10,000 (AWS may answer fewer)
GONE = ("ResourceNotFoundException",)


def get_streams(ctx: Context) -> list[dict]:
    names = ctx.paginate("list_streams", "StreamNames", page_size=PAGE)
    described = ctx.map(lambda name: unless_error(GONE, ctx.client.describe_stream_summary, StreamName=name), names)
    return [response["StreamDescriptionSummary"] for response in described if response]


STREAM = Spec(
    "AWS::Kinesis::Stream", arn="StreamARN", name="StreamName",
    attributes={
        # Streams made before on-demand existed report no mode: provisioned.
        "streamMode": at("StreamModeDetails.StreamMode", "PROVISIONED"),
        **named("OpenShardCount", "RetentionPeriodHours", "ConsumerCount", "EncryptionType"),
        "status": "StreamStatus",
        "created": timestamp("StreamCreationTimestamp"),
    })

UNITS = [unit("kinesis.streams", "kinesis", get_streams, STREAM)]
