"""SNS topics and subscriptions: ListTopics and ListSubscriptions (the region's subscriptions of
every topic, 100 a page; neither call takes a page size).

ListTopics gives only ARNs: a topic's name is the ARN's last part, and a FIFO topic's name ends in
".fifo" (the budget prices FIFO and standard topics differently). Reading each topic's attributes
would cost a call per topic; SNS is priced per request, not per topic, so nothing more is needed.

A subscription is an item of its own (subscription -attached_to-> topic) and gives the diagram's
edge topic -triggers-> endpoint for Lambda functions and SQS queues. Its endpoint is kept only when
it is an ARN: e-mail addresses and phone numbers are personal data, and an HTTP endpoint's URL may
carry credentials. Subscriptions awaiting confirmation have no ARN yet and are left out.
"""
from __future__ import annotations

from services.collector.discovery import Context, Unit
from services.collector.discovery._shared import attributes, function_arn
from services.collector.model import Edge, Item, Scope

TRIGGERED = ("lambda", "sqs")   # protocols whose endpoint is a resource the diagram draws


def get_topics(ctx: Context) -> list[dict]:
    return ctx.paginate("list_topics", "Topics")


def transform_topics(topics: list[dict], scope: Scope) -> list[Item]:
    items = []
    for topic in topics:
        name = topic["TopicArn"].rsplit(":", 1)[-1]
        items.append(Item(arn=topic["TopicArn"], type="AWS::SNS::Topic", name=name, region=scope.region,
                          attributes={"fifo": name.endswith(".fifo")}))
    return items


def get_subscriptions(ctx: Context) -> list[dict]:
    return ctx.paginate("list_subscriptions", "Subscriptions")


def transform_subscriptions(subscriptions: list[dict], scope: Scope) -> list[Item]:
    items = []
    for subscription in subscriptions:
        arn = subscription.get("SubscriptionArn") or ""
        if not arn.startswith("arn:"):      # "PendingConfirmation" (or "Deleted")
            continue
        topic, protocol = subscription["TopicArn"], subscription.get("Protocol")
        endpoint = subscription.get("Endpoint") or ""
        edges = [Edge("attached_to", arn, topic)]
        if protocol in TRIGGERED and endpoint.startswith("arn:"):
            edges.append(Edge("triggers", topic, function_arn(endpoint)))
        items.append(Item(
            arn=arn, type="AWS::SNS::Subscription", name=arn.rsplit(":", 1)[-1], region=scope.region,
            attributes=attributes(
                protocol=protocol,
                topicArn=topic,
                endpoint=endpoint if endpoint.startswith("arn:") else None),
            edges=edges))
    return items


UNITS = [
    Unit("sns.topics", "sns", ("AWS::SNS::Topic",), get_topics, transform_topics),
    Unit("sns.subscriptions", "sns", ("AWS::SNS::Subscription",), get_subscriptions, transform_subscriptions),
]
