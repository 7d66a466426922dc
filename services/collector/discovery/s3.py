"""S3 buckets: one ListBuckets per account (global unit), then per bucket its tags and its event
notifications (S3 has no listing that answers either).

A paginated ListBuckets (MaxBuckets given) returns each bucket's region, so GetBucketLocation is
called only where it is missing (older endpoints, moto). Each item's region is its bucket's, so
the diagram places buckets in their regions. Bucket sizes are not listed (CloudWatch's daily
BucketSizeBytes is the only source), so the budget has none.
"""
from __future__ import annotations

from services.collector.discovery import Context
from services.collector.discovery._shared import function_arn, unless_error
from services.collector.discovery._spec import Link, Spec, tags_at, timestamp, unit
from services.collector.model import Scope

PAGE = 10000  # MaxBuckets: 1 to 10000
GONE = ("NoSuchBucket",)  # deleted since it was listed: the bucket is left out
NOTIFICATIONS = ("TopicConfigurations", "QueueConfigurations", "LambdaFunctionConfigurations",
                 "EventBridgeConfiguration")
# GetBucketLocation's legacy answers: no constraint is us-east-1, "EU" is eu-west-1.
LEGACY_LOCATIONS = {None: "us-east-1", "": "us-east-1", "EU": "eu-west-1"}


def describe_bucket(client, bucket: dict) -> dict | None:
    name = bucket["Name"]
    described = {"Name": name, "CreationDate": bucket.get("CreationDate"), "BucketRegion": bucket.get("BucketRegion")}
    if not described["BucketRegion"]:
        location = unless_error(GONE, client.get_bucket_location, Bucket=name)
        if location is None:
            return None
        described["LocationConstraint"] = location.get("LocationConstraint")
    # A bucket without tags answers NoSuchTagSet.
    tagging = unless_error(GONE + ("NoSuchTagSet",), client.get_bucket_tagging, Bucket=name, default={})
    notification = unless_error(GONE, client.get_bucket_notification_configuration, Bucket=name)
    if notification is None:
        return None
    described["TagSet"] = tagging.get("TagSet", [])
    described["Notification"] = {key: notification[key] for key in NOTIFICATIONS if key in notification}
    return described


def get_buckets(ctx: Context) -> list[dict]:
    buckets = ctx.paginate("list_buckets", "Buckets", page_size=PAGE)
    return [bucket for bucket in ctx.map(lambda bucket: describe_bucket(ctx.client, bucket), buckets) if bucket]


def bucket_region(bucket: dict, scope: Scope | None = None) -> str:
    if bucket.get("BucketRegion"):
        return bucket["BucketRegion"]
    constraint = bucket.get("LocationConstraint")
    return LEGACY_LOCATIONS.get(constraint, constraint)


def notified(bucket: dict, scope: Scope) -> list[str]:
    """What the bucket's event notifications go to: one edge per target, however many event types
    or filters lead there."""
    notification = bucket.get("Notification") or {}
    targets = ([config["TopicArn"] for config in notification.get("TopicConfigurations", [])]
               + [config["QueueArn"] for config in notification.get("QueueConfigurations", [])]
               + [function_arn(config["LambdaFunctionArn"])
                  for config in notification.get("LambdaFunctionConfigurations", [])])
    if "EventBridgeConfiguration" in notification:  # S3 sends every event to the default bus
        targets.append(scope.arn("events", "event-bus/default", region=bucket_region(bucket)))
    return targets


BUCKET = Spec(
    "AWS::S3::Bucket", arn=lambda bucket, scope: f"arn:{scope.partition}:s3:::{bucket['Name']}", name="Name",
    region=bucket_region, tags=tags_at("TagSet"),
    attributes={"creationDate": timestamp("CreationDate")},
    edges=(Link("triggers", notified),))

UNITS = [unit("s3.buckets", "s3", get_buckets, BUCKET, global_=True)]
