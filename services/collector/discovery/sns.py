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

from services.collector.discovery._shared import function_arn
from services.collector.discovery._spec import Link, Spec, last_part, listing, state_name, unit

TRIGGERED = ("lambda", "sqs")   # protocols whose endpoint is a resource the diagram draws


TOPIC = Spec(
    "AWS::SNS::Topic", arn="TopicArn", name=last_part("TopicArn", ":"),
    attributes={"fifo": lambda topic, scope: topic["TopicArn"].endswith(".fifo")})


def endpoint_arn(subscription: dict, scope) -> str | None:
    endpoint = subscription.get("Endpoint") or ""
    return endpoint if endpoint.startswith("arn:") else None


def triggered(subscription: dict, scope) -> str | None:
    endpoint = endpoint_arn(subscription, scope)
    return function_arn(endpoint) if endpoint and state_name(subscription.get("Protocol")) in TRIGGERED else None


SUBSCRIPTION = Spec(
    "AWS::SNS::Subscription", arn="SubscriptionArn", name=last_part("SubscriptionArn", ":"),
    # "PendingConfirmation" (or "Deleted") where a subscription has no ARN (yet).
    where=lambda subscription, scope: (subscription.get("SubscriptionArn") or "").startswith("arn:"),
    attributes={"protocol": "Protocol", "topicArn": "TopicArn", "endpoint": endpoint_arn},
    edges=(Link("attached_to", "TopicArn"), Link("triggers", triggered, source="TopicArn")))

UNITS = [
    unit("sns.topics", "sns", listing("list_topics", "Topics"), TOPIC),
    unit("sns.subscriptions", "sns", listing("list_subscriptions", "Subscriptions"), SUBSCRIPTION),
]
