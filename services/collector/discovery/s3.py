"""S3 buckets: one ListBuckets per account (global unit), then per bucket its tags and its event
notifications (S3 has no listing that answers either).

A paginated ListBuckets (MaxBuckets given) returns each bucket's region, so GetBucketLocation is
called only where it is missing (older endpoints, moto). Each item's region is its bucket's, so
the diagram places buckets in their regions. Bucket sizes are not listed (CloudWatch's daily
BucketSizeBytes is the only source), so the budget has none.
"""
from __future__ import annotations

from services.collector.discovery import Context, Unit
from services.collector.discovery._shared import attributes, function_arn, unless_error
from services.collector.model import Edge, Item, Scope, iso, tags_of

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


def bucket_region(bucket: dict) -> str:
    if bucket.get("BucketRegion"):
        return bucket["BucketRegion"]
    constraint = bucket.get("LocationConstraint")
    return LEGACY_LOCATIONS.get(constraint, constraint)


def transform_buckets(buckets: list[dict], scope: Scope) -> list[Item]:
    items = []
    for bucket in buckets:
        arn = f"arn:{scope.partition}:s3:::{bucket['Name']}"
        region = bucket_region(bucket)
        notification = bucket.get("Notification") or {}
        targets = ([config["TopicArn"] for config in notification.get("TopicConfigurations", [])]
                   + [config["QueueArn"] for config in notification.get("QueueConfigurations", [])]
                   + [function_arn(config["LambdaFunctionArn"])
                      for config in notification.get("LambdaFunctionConfigurations", [])])
        if "EventBridgeConfiguration" in notification:  # S3 sends every event to the default bus
            targets.append(scope.arn("events", "event-bus/default", region=region))
        items.append(Item(
            arn=arn, type="AWS::S3::Bucket", name=bucket["Name"], region=region, tags=tags_of(bucket.get("TagSet")),
            attributes=attributes(creationDate=iso(bucket.get("CreationDate"))),
            # One edge per target, however many event types or filters lead there.
            edges=[Edge("triggers", arn, target) for target in dict.fromkeys(targets)]))
    return items


UNITS = [Unit("s3.buckets", "s3", ("AWS::S3::Bucket",), get_buckets, transform_buckets, global_=True)]
