"""Kinesis data streams: ListStreams, then DescribeStreamSummary per stream (the listing has no
shard count, and no call describes several streams).

The budget prices a provisioned stream by its open shards and an on-demand stream by its mode;
enhanced fan-out consumers and retention beyond 24 hours cost extra. Tags come from the sync
engine's tagging call.
"""
from __future__ import annotations

from services.collector.discovery import Context, Unit
from services.collector.discovery._shared import attributes, unless_error
from services.collector.model import Item, Scope, iso

PAGE = 10000   # ListStreams' Limit: at most 10,000 (AWS may answer fewer)
GONE = ("ResourceNotFoundException",)


def get_streams(ctx: Context) -> list[dict]:
    names = ctx.paginate("list_streams", "StreamNames", page_size=PAGE)
    described = ctx.map(lambda name: unless_error(GONE, ctx.client.describe_stream_summary, StreamName=name), names)
    return [response["StreamDescriptionSummary"] for response in described if response]


def transform_streams(streams: list[dict], scope: Scope) -> list[Item]:
    return [Item(
        arn=stream["StreamARN"], type="AWS::Kinesis::Stream", name=stream["StreamName"], region=scope.region,
        attributes=attributes(
            # Streams made before on-demand existed report no mode: provisioned.
            streamMode=(stream.get("StreamModeDetails") or {}).get("StreamMode", "PROVISIONED"),
            openShardCount=stream.get("OpenShardCount"),
            retentionPeriodHours=stream.get("RetentionPeriodHours"),
            consumerCount=stream.get("ConsumerCount"),
            encryptionType=stream.get("EncryptionType"),
            status=stream.get("StreamStatus"),
            created=iso(stream.get("StreamCreationTimestamp"))),
    ) for stream in streams]


UNITS = [Unit("kinesis.streams", "kinesis", ("AWS::Kinesis::Stream",), get_streams, transform_streams)]
