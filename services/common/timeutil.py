"""Time in one convention: aware UTC datetimes in code, google.protobuf.Timestamp on the wire."""
from __future__ import annotations

from datetime import UTC, datetime

from google.protobuf.timestamp_pb2 import Timestamp


def utcnow() -> datetime:
    return datetime.now(UTC)


def as_utc(value: datetime) -> datetime:
    # SQLite returns naive datetimes; everything cloudsketch stores is UTC.
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def to_timestamp(value: datetime | None) -> Timestamp | None:
    if value is None:
        return None
    stamp = Timestamp()
    stamp.FromDatetime(as_utc(value))
    return stamp


def iso(stamp: Timestamp) -> str | None:
    """RFC 3339 with milliseconds, as Cloudcraft's API writes times; None when unset."""
    if not stamp.seconds and not stamp.nanos:
        return None
    return stamp.ToDatetime(tzinfo=UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
