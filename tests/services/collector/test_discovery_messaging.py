"""SNS, SQS, Kinesis, EventBridge and SES discovery (services/collector/discovery/sns.py, sqs.py,
kinesis.py, eventbridge.py, ses.py): transforms against responses shaped like the API references'
examples, and get + transform against moto."""
from __future__ import annotations

import json
from types import SimpleNamespace

from services.collector.discovery import Context, eventbridge, kinesis, ses, sns, sqs
from services.collector.model import Edge, Item
from tests.services.collector.harness import CREATED, CREATED_ISO, HOSTILE, SCOPE, SECRET, check_items, run, transform

TOPICS_UNIT, SUBSCRIPTIONS_UNIT = sns.UNITS
(QUEUES_UNIT,) = sqs.UNITS
(STREAMS_UNIT,) = kinesis.UNITS
(EVENTS_UNIT,) = eventbridge.UNITS
(IDENTITIES_UNIT,) = ses.UNITS

SNS = "arn:aws:sns:us-east-1:123456789012:"
SQS = "arn:aws:sqs:us-east-1:123456789012:"
FN = "arn:aws:lambda:us-east-1:123456789012:function:"

# --- SNS ----------------------------------------------------------------------------------------

LIST_TOPICS = {"Topics": [{"TopicArn": SNS + "orders"}, {"TopicArn": SNS + "payments.fifo"}]}
LIST_SUBSCRIPTIONS = {"Subscriptions": [
    {"SubscriptionArn": SNS + "orders:80289ba6-0fd4-4079-afb4-ce8c8260f0ca", "Owner": "123456789012",
     "Protocol": "sqs", "Endpoint": SQS + "orders-fulfilment", "TopicArn": SNS + "orders"},
    {"SubscriptionArn": SNS + "orders:1f2d3c4b-5a69-4788-9a0b-1c2d3e4f5a6b", "Owner": "123456789012",
     "Protocol": "lambda", "Endpoint": FN + "orders-notify:live", "TopicArn": SNS + "orders"},
    {"SubscriptionArn": SNS + "orders:2a3b4c5d-6e7f-4809-9a1b-2c3d4e5f6a7b", "Owner": "123456789012",
     "Protocol": "email", "Endpoint": "ops@example.com", "TopicArn": SNS + "orders"},
    {"SubscriptionArn": SNS + "orders:3b4c5d6e-7f80-4910-8a2b-3c4d5e6f7a8b", "Owner": "123456789012",
     "Protocol": "https", "Endpoint": f"https://hooks:{SECRET}@hooks.example.com/sns", "TopicArn": SNS + "orders"},
    {"SubscriptionArn": "PendingConfirmation", "Owner": "123456789012", "Protocol": "email",
     "Endpoint": "new@example.com", "TopicArn": SNS + "orders"},
]}


def test_transform_topics():
    items = transform("sns.topics", LIST_TOPICS["Topics"], SCOPE)
    check_items(TOPICS_UNIT, items)
    assert items == [
        Item(arn=SNS + "orders", type="AWS::SNS::Topic", name="orders", region="us-east-1",
             attributes={"fifo": False}),
        Item(arn=SNS + "payments.fifo", type="AWS::SNS::Topic", name="payments.fifo", region="us-east-1",
             attributes={"fifo": True}),
    ]


def test_transform_subscriptions():
    items = transform("sns.subscriptions", LIST_SUBSCRIPTIONS["Subscriptions"], SCOPE)
    check_items(SUBSCRIPTIONS_UNIT, items)
    to_queue, to_function, to_email, to_https = (s["SubscriptionArn"] for s in LIST_SUBSCRIPTIONS["Subscriptions"][:4])
    assert items == [
        Item(arn=to_queue, type="AWS::SNS::Subscription", name="80289ba6-0fd4-4079-afb4-ce8c8260f0ca",
             region="us-east-1",
             attributes={"protocol": "sqs", "topicArn": SNS + "orders", "endpoint": SQS + "orders-fulfilment"},
             edges=[Edge("attached_to", to_queue, SNS + "orders"),
                    Edge("triggers", SNS + "orders", SQS + "orders-fulfilment")]),
        Item(arn=to_function, type="AWS::SNS::Subscription", name="1f2d3c4b-5a69-4788-9a0b-1c2d3e4f5a6b",
             region="us-east-1",
             attributes={"protocol": "lambda", "topicArn": SNS + "orders", "endpoint": FN + "orders-notify:live"},
             edges=[Edge("attached_to", to_function, SNS + "orders"),
                    Edge("triggers", SNS + "orders", FN + "orders-notify")]),
        # Neither the e-mail address nor the URL (with its credentials) is kept.
        Item(arn=to_email, type="AWS::SNS::Subscription", name="2a3b4c5d-6e7f-4809-9a1b-2c3d4e5f6a7b",
             region="us-east-1", attributes={"protocol": "email", "topicArn": SNS + "orders"},
             edges=[Edge("attached_to", to_email, SNS + "orders")]),
        Item(arn=to_https, type="AWS::SNS::Subscription", name="3b4c5d6e-7f80-4910-8a2b-3c4d5e6f7a8b",
             region="us-east-1", attributes={"protocol": "https", "topicArn": SNS + "orders"},
             edges=[Edge("attached_to", to_https, SNS + "orders")]),
    ]


def test_sns_against_moto(aws):
    client = aws.client("sns")
    topic = client.create_topic(Name="orders")["TopicArn"]
    client.create_topic(Name="payments.fifo", Attributes={"FifoTopic": "true"})
    queue = aws.client("sqs").create_queue(QueueName="orders-fulfilment")["QueueUrl"]
    queue_arn = SQS + "orders-fulfilment"
    to_queue = client.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn)["SubscriptionArn"]
    client.subscribe(TopicArn=topic, Protocol="email", Endpoint="ops@example.com")
    assert queue

    topics, actions = run(TOPICS_UNIT, client)
    assert actions == ["sns:ListTopics"]
    assert {arn: item.attributes["fifo"] for arn, item in topics.items()} == {topic: False, SNS + "payments.fifo": True}

    subscriptions, actions = run(SUBSCRIPTIONS_UNIT, client)
    assert actions == ["sns:ListSubscriptions"]
    assert len(subscriptions) == 2
    assert subscriptions[to_queue].edges == [Edge("attached_to", to_queue, topic), Edge("triggers", topic, queue_arn)]
    assert "ops@example.com" not in json.dumps([item.attributes for item in subscriptions.values()])


# --- SQS ----------------------------------------------------------------------------------------

QUEUES = [   # ListQueues' URLs, each with its GetQueueAttributes(All) answer
    {"QueueUrl": "https://sqs.us-east-1.amazonaws.com/123456789012/orders", "Attributes": {
        "QueueArn": SQS + "orders", "ApproximateNumberOfMessages": "17", "ApproximateNumberOfMessagesNotVisible": "2",
        "ApproximateNumberOfMessagesDelayed": "0", "CreatedTimestamp": "1709648527",
        "LastModifiedTimestamp": "1709648600", "VisibilityTimeout": "60", "MaximumMessageSize": "262144",
        "MessageRetentionPeriod": "345600", "DelaySeconds": "0", "ReceiveMessageWaitTimeSeconds": "20",
        "RedrivePolicy": json.dumps({"deadLetterTargetArn": SQS + "orders-dlq", "maxReceiveCount": 5}),
        "SqsManagedSseEnabled": "true",
        "Policy": json.dumps({"Version": "2012-10-17", "Statement": []})}},
    {"QueueUrl": "https://sqs.us-east-1.amazonaws.com/123456789012/payments.fifo", "Attributes": {
        "QueueArn": SQS + "payments.fifo", "ApproximateNumberOfMessages": "0", "CreatedTimestamp": "1709648527",
        "LastModifiedTimestamp": "1709648527", "VisibilityTimeout": "30", "MaximumMessageSize": "262144",
        "MessageRetentionPeriod": "1209600", "DelaySeconds": "0", "ReceiveMessageWaitTimeSeconds": "0",
        "FifoQueue": "true", "ContentBasedDeduplication": "true", "DeduplicationScope": "messageGroup",
        "FifoThroughputLimit": "perMessageGroupId", "KmsMasterKeyId": "alias/aws/sqs",
        "KmsDataKeyReusePeriodSeconds": "300", "SqsManagedSseEnabled": "false"}},
]


def test_transform_queues():
    items = transform("sqs.queues", QUEUES, SCOPE)
    check_items(QUEUES_UNIT, items)
    assert items == [
        Item(arn=SQS + "orders", type="AWS::SQS::Queue", name="orders", region="us-east-1",
             attributes={"url": "https://sqs.us-east-1.amazonaws.com/123456789012/orders", "fifo": False,
                         "visibilityTimeout": 60, "messageRetentionPeriod": 345600, "delaySeconds": 0,
                         "maximumMessageSize": 262144, "receiveMessageWaitTimeSeconds": 20, "sqsManagedSse": True,
                         "deadLetterTargetArn": SQS + "orders-dlq", "maxReceiveCount": 5,
                         "created": "2024-03-05T14:22:07+00:00"},
             edges=[Edge("routes_to", SQS + "orders", SQS + "orders-dlq")]),
        Item(arn=SQS + "payments.fifo", type="AWS::SQS::Queue", name="payments.fifo", region="us-east-1",
             attributes={"url": "https://sqs.us-east-1.amazonaws.com/123456789012/payments.fifo", "fifo": True,
                         "contentBasedDeduplication": True, "fifoThroughputLimit": "perMessageGroupId",
                         "visibilityTimeout": 30, "messageRetentionPeriod": 1209600, "delaySeconds": 0,
                         "maximumMessageSize": 262144, "receiveMessageWaitTimeSeconds": 0, "sqsManagedSse": False,
                         "kmsMasterKeyId": "alias/aws/sqs", "created": "2024-03-05T14:22:07+00:00"}),
    ]


def test_queues_against_moto(aws):
    client = aws.client("sqs")
    dlq = client.create_queue(QueueName="orders-dlq")["QueueUrl"]
    client.create_queue(QueueName="orders", Attributes={
        "VisibilityTimeout": "60",
        "RedrivePolicy": json.dumps({"deadLetterTargetArn": SQS + "orders-dlq", "maxReceiveCount": "5"})})
    client.create_queue(QueueName="payments.fifo", Attributes={"FifoQueue": "true"})
    items, actions = run(QUEUES_UNIT, client)
    assert sorted(actions) == ["sqs:GetQueueAttributes"] * 3 + ["sqs:ListQueues"]
    assert set(items) == {SQS + "orders", SQS + "orders-dlq", SQS + "payments.fifo"}
    orders = items[SQS + "orders"]
    assert (orders.name, orders.attributes["fifo"], orders.attributes["visibilityTimeout"],
            orders.attributes["maxReceiveCount"]) == ("orders", False, 60, 5)
    assert orders.edges == [Edge("routes_to", SQS + "orders", SQS + "orders-dlq")]
    assert items[SQS + "payments.fifo"].attributes["fifo"] is True
    assert dlq


def test_queue_deleted_after_listing_is_left_out(aws):
    client = aws.client("sqs")
    client.create_queue(QueueName="orders")
    doomed = client.create_queue(QueueName="doomed")["QueueUrl"]

    def delete_then_map(fn, urls):   # the queue disappears between ListQueues and GetQueueAttributes
        client.delete_queue(QueueUrl=doomed)
        return [fn(url) for url in urls]

    raw = QUEUES_UNIT.get(Context(client, SCOPE, map=delete_then_map))
    assert [queue["Attributes"]["QueueArn"] for queue in raw] == [SQS + "orders"]


# --- Kinesis ------------------------------------------------------------------------------------

KINESIS = "arn:aws:kinesis:us-east-1:123456789012:stream/"
STREAMS = [   # DescribeStreamSummary's StreamDescriptionSummary per listed stream
    {"StreamName": "clicks", "StreamARN": KINESIS + "clicks", "StreamStatus": "ACTIVE",
     "StreamModeDetails": {"StreamMode": "PROVISIONED"}, "RetentionPeriodHours": 48,
     "StreamCreationTimestamp": CREATED, "EnhancedMonitoring": [{"ShardLevelMetrics": []}],
     "EncryptionType": "KMS", "KeyId": "alias/aws/kinesis", "OpenShardCount": 4, "ConsumerCount": 1},
    {"StreamName": "legacy", "StreamARN": KINESIS + "legacy", "StreamStatus": "ACTIVE", "RetentionPeriodHours": 24,
     "StreamCreationTimestamp": CREATED, "EnhancedMonitoring": [], "EncryptionType": "NONE", "OpenShardCount": 1,
     "ConsumerCount": 0},
]


def test_transform_streams():
    items = transform("kinesis.streams", STREAMS, SCOPE)
    check_items(STREAMS_UNIT, items)
    assert items == [
        Item(arn=KINESIS + "clicks", type="AWS::Kinesis::Stream", name="clicks", region="us-east-1",
             attributes={"streamMode": "PROVISIONED", "openShardCount": 4, "retentionPeriodHours": 48,
                         "consumerCount": 1, "encryptionType": "KMS", "status": "ACTIVE", "created": CREATED_ISO}),
        Item(arn=KINESIS + "legacy", type="AWS::Kinesis::Stream", name="legacy", region="us-east-1",
             attributes={"streamMode": "PROVISIONED", "openShardCount": 1, "retentionPeriodHours": 24,
                         "consumerCount": 0, "encryptionType": "NONE", "status": "ACTIVE", "created": CREATED_ISO}),
    ]


def test_streams_against_moto(aws):
    client = aws.client("kinesis")
    client.create_stream(StreamName="clicks", ShardCount=3)
    client.create_stream(StreamName="events", StreamModeDetails={"StreamMode": "ON_DEMAND"})
    items, actions = run(STREAMS_UNIT, client)
    assert sorted(actions) == ["kinesis:DescribeStreamSummary"] * 2 + ["kinesis:ListStreams"]
    clicks = items[KINESIS + "clicks"]
    assert (clicks.name, clicks.attributes["streamMode"], clicks.attributes["openShardCount"]) == (
        "clicks", "PROVISIONED", 3)
    assert items[KINESIS + "events"].attributes["streamMode"] == "ON_DEMAND"


# --- EventBridge --------------------------------------------------------------------------------

EVENTS = "arn:aws:events:us-east-1:123456789012:"
EVENT_BUSES = {
    "buses": [{"Name": "default", "Arn": EVENTS + "event-bus/default"},
              {"Name": "orders", "Arn": EVENTS + "event-bus/orders", "Description": HOSTILE,
               "Policy": json.dumps({"Version": "2012-10-17", "Statement": []}),
               "CreationTime": CREATED, "LastModifiedTime": CREATED}],
    "rules": [
        {"rule": {"Name": "nightly-report", "Arn": EVENTS + "rule/nightly-report", "State": "ENABLED",
                  "ScheduleExpression": "cron(0 2 * * ? *)", "EventBusName": "default"},
         "targets": [{"Id": "report", "Arn": FN + "report:live", "Input": json.dumps({"token": SECRET})}]},
        {"rule": {"Name": "order-placed", "Arn": EVENTS + "rule/orders/order-placed", "State": "ENABLED",
                  "EventPattern": json.dumps({"source": ["shop"], "detail-type": ["OrderPlaced"]}),
                  "Description": "fan out new orders", "EventBusName": "orders"},
         "targets": [{"Id": "queue", "Arn": SQS + "orders"},
                     {"Id": "flow", "Arn": "arn:aws:states:us-east-1:123456789012:stateMachine:fulfil",
                      "RoleArn": "arn:aws:iam::123456789012:role/events",
                      "InputTransformer": {"InputPathsMap": {"id": "$.detail.id"},
                                           "InputTemplate": f'{{"id": <id>, "key": "{SECRET}"}}'}},
                     {"Id": "hook", "Arn": EVENTS + "api-destination/hook/1a2b",
                      "HttpParameters": {"HeaderParameters": {"Authorization": SECRET}}}]},
    ],
}


def test_transform_event_buses_and_rules():
    items = transform("eventbridge.event_buses", EVENT_BUSES, SCOPE)
    check_items(EVENTS_UNIT, items)
    nightly, placed = EVENTS + "rule/nightly-report", EVENTS + "rule/orders/order-placed"
    assert items == [
        Item(arn=EVENTS + "event-bus/default", type="AWS::Events::EventBus", name="default", region="us-east-1"),
        Item(arn=EVENTS + "event-bus/orders", type="AWS::Events::EventBus", name="orders", region="us-east-1",
             attributes={"description": HOSTILE, "created": CREATED_ISO}),
        Item(arn=nightly, type="AWS::Events::Rule", name="nightly-report", region="us-east-1",
             attributes={"eventBusName": "default", "state": "ENABLED", "scheduleExpression": "cron(0 2 * * ? *)"},
             edges=[Edge("member_of", nightly, EVENTS + "event-bus/default"),
                    Edge("triggers", nightly, FN + "report")]),
        Item(arn=placed, type="AWS::Events::Rule", name="order-placed", region="us-east-1",
             attributes={"eventBusName": "orders", "state": "ENABLED", "description": "fan out new orders"},
             edges=[Edge("member_of", placed, EVENTS + "event-bus/orders"),
                    Edge("triggers", placed, SQS + "orders"),
                    Edge("triggers", placed, "arn:aws:states:us-east-1:123456789012:stateMachine:fulfil"),
                    Edge("triggers", placed, EVENTS + "api-destination/hook/1a2b")]),
    ]


def test_event_buses_against_moto(aws):
    client = aws.client("events")
    client.create_event_bus(Name="orders")
    client.put_rule(Name="order-placed", EventBusName="orders", EventPattern=json.dumps({"source": ["shop"]}))
    client.put_targets(Rule="order-placed", EventBusName="orders",
                       Targets=[{"Id": "fn", "Arn": FN + "fulfil"}, {"Id": "queue", "Arn": SQS + "orders"}])
    client.put_rule(Name="nightly-report", ScheduleExpression="rate(1 day)")
    items, actions = run(EVENTS_UNIT, client)
    # One bus listing, one rule listing per bus (default and orders), one target listing per rule.
    assert sorted(actions) == ["events:ListEventBuses"] + ["events:ListRules"] * 2 + ["events:ListTargetsByRule"] * 2
    placed = items[EVENTS + "rule/orders/order-placed"]
    assert placed.type == "AWS::Events::Rule"
    assert placed.edges == [Edge("member_of", placed.arn, EVENTS + "event-bus/orders"),
                            Edge("triggers", placed.arn, FN + "fulfil"), Edge("triggers", placed.arn, SQS + "orders")]
    nightly = items[EVENTS + "rule/nightly-report"]
    assert nightly.attributes["scheduleExpression"] == "rate(1 day)"
    assert nightly.edges == [Edge("member_of", nightly.arn, EVENTS + "event-bus/default")]
    assert items[EVENTS + "event-bus/orders"].type == "AWS::Events::EventBus"


# --- SES ----------------------------------------------------------------------------------------

SES = "arn:aws:ses:us-east-1:123456789012:identity/"
LIST_EMAIL_IDENTITIES = {"EmailIdentities": [
    {"IdentityType": "DOMAIN", "IdentityName": "example.com", "SendingEnabled": True,
     "VerificationStatus": "SUCCESS"},
    {"IdentityType": "EMAIL_ADDRESS", "IdentityName": "noreply@example.com", "SendingEnabled": False,
     "VerificationStatus": "PENDING"},
]}


def test_transform_email_identities():
    items = transform("ses.email_identities", LIST_EMAIL_IDENTITIES["EmailIdentities"], SCOPE)
    check_items(IDENTITIES_UNIT, items)
    assert items == [
        Item(arn=SES + "example.com", type="AWS::SES::EmailIdentity", name="example.com", region="us-east-1",
             attributes={"identityType": "DOMAIN", "sendingEnabled": True, "verificationStatus": "SUCCESS"}),
        Item(arn=SES + "noreply@example.com", type="AWS::SES::EmailIdentity", name="noreply@example.com",
             region="us-east-1",
             attributes={"identityType": "EMAIL_ADDRESS", "sendingEnabled": False, "verificationStatus": "PENDING"}),
    ]


def test_email_identities_against_moto(aws):
    client = aws.client("sesv2")
    client.create_email_identity(EmailIdentity="example.com")
    client.create_email_identity(EmailIdentity="noreply@example.com")
    items, actions = run(IDENTITIES_UNIT, client)
    assert actions == ["ses:ListEmailIdentities"]
    assert {arn: item.attributes["identityType"] for arn, item in items.items()} == {
        SES + "example.com": "DOMAIN", SES + "noreply@example.com": "EMAIL_ADDRESS"}


def test_paginate_follows_the_token_botocore_cannot():
    """ListEventBuses, ListWebACLs and ListEmailIdentities have no botocore paginator."""
    calls = []

    def list_email_identities(**params):
        calls.append(params)
        return ({"EmailIdentities": [1, 2], "NextToken": "t1"} if "NextToken" not in params
                else {"EmailIdentities": [3]})

    client = SimpleNamespace(can_paginate=lambda operation: False, list_email_identities=list_email_identities)
    assert Context(client, SCOPE).paginate("list_email_identities", "EmailIdentities", PageSize=1000) == [1, 2, 3]
    assert calls == [{"PageSize": 1000}, {"PageSize": 1000, "NextToken": "t1"}]


def test_paginate_calls_an_operation_without_paginator_or_token_once():
    """DescribeAvailabilityZones, DescribeVpnGateways, ListDomainNames: neither has a next page."""
    calls = []

    def describe_vpn_gateways(**params):
        calls.append(params)
        return {"VpnGateways": [1, 2], "ResponseMetadata": {"HTTPStatusCode": 200}}

    client = SimpleNamespace(can_paginate=lambda operation: False, describe_vpn_gateways=describe_vpn_gateways)
    assert Context(client, SCOPE).paginate("describe_vpn_gateways", "VpnGateways", Filters=[]) == [1, 2]
    assert calls == [{"Filters": []}]
