"""Lambda and API Gateway discovery (services/collector/discovery/lambda_.py, apigateway.py):
transforms against responses shaped like the API references' examples, and get + transform
against moto."""
from __future__ import annotations

import io
import json
import zipfile

from services.collector.discovery import apigateway, lambda_
from services.collector.model import Edge, Item
from tests.services.collector.harness import (
    CREATED,
    CREATED_ISO,
    HOSTILE,
    SCOPE,
    SECRET,
    check_items,
    run,
    sg_arn,
    subnet_arn,
    transform,
)

FUNCTIONS_UNIT, MAPPINGS_UNIT = lambda_.UNITS
REST_UNIT, HTTP_UNIT = apigateway.UNITS
FN = "arn:aws:lambda:us-east-1:123456789012:function:"


def lambda_role(aws) -> str:
    """moto's CreateFunction needs the execution role to exist."""
    return aws.client("iam").create_role(
        RoleName="fn", AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": []}))["Role"]["Arn"]


def lambda_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("app.py", "def handler(event, context):\n    return event\n")
    return buffer.getvalue()


# --- Lambda functions ---------------------------------------------------------------------------

LIST_FUNCTIONS = {"Functions": [
    {
        "FunctionName": "orders-worker", "FunctionArn": FN + "orders-worker", "Runtime": "python3.12",
        "Role": "arn:aws:iam::123456789012:role/orders-worker", "Handler": "app.handler", "CodeSize": 5797206,
        "Description": HOSTILE, "Timeout": 30, "MemorySize": 1024, "LastModified": "2024-03-05T14:22:07.312+0000",
        "CodeSha256": "YFgDgEKG3ugvF1+pX64gV6tu9qNuIYNUdgJm8nCxsm4=", "Version": "$LATEST",
        "VpcConfig": {"SubnetIds": ["subnet-0aaa1111", "subnet-0bbb2222"], "SecurityGroupIds": ["sg-0fn11111"],
                      "VpcId": "vpc-0a1b2c3d", "Ipv6AllowedForDualStack": False},
        "Environment": {"Variables": {"DB_PASSWORD": SECRET}},
        "TracingConfig": {"Mode": "Active"}, "RevisionId": "4b3a5f2c-1a7e-4f0e-9d4a-0c8d1b2e3f4a",
        "Layers": [{"Arn": "arn:aws:lambda:us-east-1:123456789012:layer:deps:3", "CodeSize": 1024}],
        "State": "Active", "LastUpdateStatus": "Successful", "PackageType": "Zip", "Architectures": ["arm64"],
        "EphemeralStorage": {"Size": 1024}, "SnapStart": {"ApplyOn": "None", "OptimizationStatus": "Off"},
        "LoggingConfig": {"LogFormat": "Text", "LogGroup": "/aws/lambda/orders-worker"},
    },
    {   # a container image made before arm64 existed: no runtime, handler or architectures
        "FunctionName": "thumbnailer", "FunctionArn": FN + "thumbnailer",
        "Role": "arn:aws:iam::123456789012:role/thumbnailer", "CodeSize": 0, "Description": "", "Timeout": 900,
        "MemorySize": 3008, "LastModified": "2020-11-02T09:00:00.000+0000", "CodeSha256": "abc=",
        "Version": "$LATEST", "VpcConfig": {"SubnetIds": [], "SecurityGroupIds": [], "VpcId": ""},
        "PackageType": "Image",
        "ImageConfigResponse": {"ImageConfig": {"Command": [f"--token={SECRET}"]}},
    },
]}


def test_transform_functions():
    items = transform("lambda.functions", LIST_FUNCTIONS["Functions"], SCOPE)
    check_items(FUNCTIONS_UNIT, items)
    assert items == [
        Item(arn=FN + "orders-worker", type="AWS::Lambda::Function", name="orders-worker", region="us-east-1",
             attributes={"runtime": "python3.12", "handler": "app.handler", "memorySize": 1024, "timeout": 30,
                         "architectures": ["arm64"], "packageType": "Zip", "ephemeralStorageSize": 1024,
                         "codeSize": 5797206, "vpcId": "vpc-0a1b2c3d",
                         "lastModified": "2024-03-05T14:22:07.312+0000"},
             edges=[Edge("contains", subnet_arn("subnet-0aaa1111"), FN + "orders-worker"),
                    Edge("contains", subnet_arn("subnet-0bbb2222"), FN + "orders-worker"),
                    Edge("secured_by", FN + "orders-worker", sg_arn("sg-0fn11111"))]),
        Item(arn=FN + "thumbnailer", type="AWS::Lambda::Function", name="thumbnailer", region="us-east-1",
             attributes={"memorySize": 3008, "timeout": 900, "architectures": ["x86_64"], "packageType": "Image",
                         "codeSize": 0, "lastModified": "2020-11-02T09:00:00.000+0000"}),
    ]


def test_functions_against_moto(aws, vpc):
    client = aws.client("lambda")
    client.create_function(
        FunctionName="orders-worker", Runtime="python3.12", Role=lambda_role(aws), Handler="app.handler",
        Code={"ZipFile": lambda_zip()}, MemorySize=512, Timeout=20, Architectures=["arm64"],
        Environment={"Variables": {"DB_PASSWORD": SECRET}},
        VpcConfig={"SubnetIds": vpc.subnets, "SecurityGroupIds": [vpc.group]})
    items, actions = run(FUNCTIONS_UNIT, client)
    assert actions == ["lambda:ListFunctions"]
    function = items[FN + "orders-worker"]
    assert function.type == "AWS::Lambda::Function" and function.name == "orders-worker"
    assert {key: function.attributes[key] for key in ("runtime", "memorySize", "architectures", "packageType",
                                                      "timeout")} == {
        "runtime": "python3.12", "memorySize": 512, "architectures": ["arm64"], "packageType": "Zip", "timeout": 20}
    assert function.edges == [*(Edge("contains", subnet_arn(s), function.arn) for s in vpc.subnets),
                              Edge("secured_by", function.arn, sg_arn(vpc.group))]


# --- Lambda event source mappings ---------------------------------------------------------------

ESM = "arn:aws:lambda:us-east-1:123456789012:event-source-mapping:"
TABLE = "arn:aws:dynamodb:us-east-1:123456789012:table/orders"
LIST_EVENT_SOURCE_MAPPINGS = {"EventSourceMappings": [
    {   # an SQS-triggered function
        "UUID": "a1b2c3d4-5678-90ab-cdef-11111EXAMPLE", "BatchSize": 10, "MaximumBatchingWindowInSeconds": 0,
        "EventSourceArn": "arn:aws:sqs:us-east-1:123456789012:orders", "FunctionArn": FN + "orders-worker",
        "LastModified": CREATED, "State": "Enabled", "StateTransitionReason": "USER_INITIATED",
        "FunctionResponseTypes": ["ReportBatchItemFailures"],
        "EventSourceMappingArn": ESM + "a1b2c3d4-5678-90ab-cdef-11111EXAMPLE",
    },
    {   # a DynamoDB stream, invoking an alias; an older response without EventSourceMappingArn
        "UUID": "b2c3d4e5-6789-01bc-def0-22222EXAMPLE", "StartingPosition": "LATEST", "BatchSize": 100,
        "MaximumBatchingWindowInSeconds": 5, "ParallelizationFactor": 1,
        "EventSourceArn": TABLE + "/stream/2024-03-05T14:22:07.312",
        "FunctionArn": FN + "orders-audit:live", "LastModified": CREATED, "LastProcessingResult": "OK",
        "State": "Enabled", "StateTransitionReason": "User action",
        "DestinationConfig": {"OnFailure": {"Destination": "arn:aws:sqs:us-east-1:123456789012:audit-dlq"}},
        "MaximumRecordAgeInSeconds": -1, "BisectBatchOnFunctionError": False, "MaximumRetryAttempts": -1,
    },
    {   # self-managed Kafka: no source ARN; its credentials are a secret's ARN, not stored either
        "UUID": "c3d4e5f6-7890-12cd-ef01-33333EXAMPLE", "StartingPosition": "TRIM_HORIZON", "BatchSize": 500,
        "FunctionArn": FN + "clickstream", "LastModified": CREATED, "State": "Disabled",
        "StateTransitionReason": "USER_INITIATED", "Topics": ["clicks"],
        "SelfManagedEventSource": {"Endpoints": {"KAFKA_BOOTSTRAP_SERVERS": ["b-1.kafka.example.com:9092"]}},
        "SourceAccessConfigurations": [{"Type": "BASIC_AUTH",
                                        "URI": "arn:aws:secretsmanager:us-east-1:123456789012:secret:kafka"}],
        "EventSourceMappingArn": ESM + "c3d4e5f6-7890-12cd-ef01-33333EXAMPLE",
    },
]}


def test_transform_event_source_mappings():
    items = transform("lambda.event_source_mappings", LIST_EVENT_SOURCE_MAPPINGS["EventSourceMappings"], SCOPE)
    check_items(MAPPINGS_UNIT, items)
    sqs_mapping, stream_mapping, kafka_mapping = (ESM + "a1b2c3d4-5678-90ab-cdef-11111EXAMPLE",
                                                  ESM + "b2c3d4e5-6789-01bc-def0-22222EXAMPLE",
                                                  ESM + "c3d4e5f6-7890-12cd-ef01-33333EXAMPLE")
    assert items == [
        Item(arn=sqs_mapping, type="AWS::Lambda::EventSourceMapping", name="a1b2c3d4-5678-90ab-cdef-11111EXAMPLE",
             region="us-east-1",
             attributes={"uuid": "a1b2c3d4-5678-90ab-cdef-11111EXAMPLE",
                         "eventSourceArn": "arn:aws:sqs:us-east-1:123456789012:orders",
                         "functionArn": FN + "orders-worker", "state": "Enabled", "batchSize": 10,
                         "maximumBatchingWindowInSeconds": 0, "lastModified": CREATED_ISO},
             edges=[Edge("triggers", "arn:aws:sqs:us-east-1:123456789012:orders", FN + "orders-worker"),
                    Edge("attached_to", sqs_mapping, FN + "orders-worker")]),
        Item(arn=stream_mapping, type="AWS::Lambda::EventSourceMapping", name="b2c3d4e5-6789-01bc-def0-22222EXAMPLE",
             region="us-east-1",
             attributes={"uuid": "b2c3d4e5-6789-01bc-def0-22222EXAMPLE",
                         "eventSourceArn": TABLE + "/stream/2024-03-05T14:22:07.312",
                         "functionArn": FN + "orders-audit:live", "state": "Enabled", "batchSize": 100,
                         "maximumBatchingWindowInSeconds": 5, "startingPosition": "LATEST",
                         "lastModified": CREATED_ISO},
             # The stream is drawn as its table; the alias as its function.
             edges=[Edge("triggers", TABLE, FN + "orders-audit"),
                    Edge("attached_to", stream_mapping, FN + "orders-audit")]),
        Item(arn=kafka_mapping, type="AWS::Lambda::EventSourceMapping", name="c3d4e5f6-7890-12cd-ef01-33333EXAMPLE",
             region="us-east-1",
             attributes={"uuid": "c3d4e5f6-7890-12cd-ef01-33333EXAMPLE", "functionArn": FN + "clickstream",
                         "state": "Disabled", "batchSize": 500, "startingPosition": "TRIM_HORIZON",
                         "topics": ["clicks"], "kafkaBootstrapServers": ["b-1.kafka.example.com:9092"],
                         "lastModified": CREATED_ISO},
             edges=[Edge("attached_to", kafka_mapping, FN + "clickstream")]),
    ]


def test_event_source_mappings_against_moto(aws):
    """An SQS-triggered function and a DynamoDB-stream-triggered one."""
    client = aws.client("lambda")
    function = client.create_function(FunctionName="orders-worker", Runtime="python3.12", Role=lambda_role(aws),
                                       Handler="app.handler", Code={"ZipFile": lambda_zip()})["FunctionArn"]
    sqs = aws.client("sqs")
    queue = sqs.get_queue_attributes(QueueUrl=sqs.create_queue(QueueName="orders")["QueueUrl"],
                                     AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    table = aws.client("dynamodb").create_table(
        TableName="orders", KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}], BillingMode="PAY_PER_REQUEST",
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"})["TableDescription"]
    from_queue = client.create_event_source_mapping(EventSourceArn=queue, FunctionName="orders-worker", BatchSize=5)
    from_stream = client.create_event_source_mapping(EventSourceArn=table["LatestStreamArn"], FunctionName=function,
                                                     StartingPosition="LATEST")
    items, actions = run(MAPPINGS_UNIT, client)
    assert actions == ["lambda:ListEventSourceMappings"]
    queue_mapping = items[from_queue["EventSourceMappingArn"]]
    assert queue_mapping.type == "AWS::Lambda::EventSourceMapping" and queue_mapping.attributes["batchSize"] == 5
    assert Edge("triggers", queue, function) in queue_mapping.edges
    assert Edge("triggers", table["TableArn"], function) in items[from_stream["EventSourceMappingArn"]].edges


# --- API Gateway --------------------------------------------------------------------------------

REST = "arn:aws:apigateway:us-east-1::/restapis/"
HTTP = "arn:aws:apigateway:us-east-1::/apis/"
INVOKE = "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/{}/invocations"

REST_APIS = [
    {"api": {"id": "fugvjdxtri", "name": HOSTILE, "description": "Orders API", "createdDate": CREATED,
             "version": "1", "apiKeySource": "HEADER", "endpointConfiguration": {"types": ["REGIONAL"]},
             "tags": {"team": HOSTILE}, "disableExecuteApiEndpoint": False, "rootResourceId": "3kzxbg5sa2"},
     "resources": [   # GetResources with embed=methods
         {"id": "3kzxbg5sa2", "path": "/"},
         {"id": "47rxl6", "parentId": "3kzxbg5sa2", "pathPart": "orders", "path": "/orders", "resourceMethods": {
             "GET": {"httpMethod": "GET", "authorizationType": "NONE", "apiKeyRequired": False,
                     "methodIntegration": {"type": "AWS_PROXY", "httpMethod": "POST",
                                           "uri": INVOKE.format(FN + "orders-api"),
                                           "passthroughBehavior": "WHEN_NO_MATCH", "timeoutInMillis": 29000,
                                           "cacheNamespace": "47rxl6", "cacheKeyParameters": []}},
             "POST": {"httpMethod": "POST", "authorizationType": "AWS_IAM", "apiKeyRequired": False,
                      "methodIntegration": {"type": "AWS_PROXY", "httpMethod": "POST",
                                            "uri": INVOKE.format(FN + "orders-api:live")}}}},
         {"id": "9qx2ab", "parentId": "3kzxbg5sa2", "pathPart": "health", "path": "/health", "resourceMethods": {
             "GET": {"httpMethod": "GET", "authorizationType": "NONE",
                     "methodIntegration": {"type": "HTTP_PROXY", "httpMethod": "GET",
                                           "uri": "https://status.example.com/health"}}}},
         {"id": "0zz9yy", "parentId": "3kzxbg5sa2", "pathPart": "v", "path": "/v", "resourceMethods": {
             "ANY": {"httpMethod": "ANY", "authorizationType": "NONE",   # the function is chosen per stage
                     "methodIntegration": {"type": "AWS_PROXY", "httpMethod": "POST",
                                           "uri": INVOKE.format(FN + "${stageVariables.fn}")}}}},
     ]},
    {"api": {"id": "pr1v4te", "name": "internal", "createdDate": CREATED, "apiKeySource": "HEADER",
             "endpointConfiguration": {"types": ["PRIVATE"], "vpcEndpointIds": ["vpce-0abc1234"]}},
     "resources": [{"id": "r00t", "path": "/"}]},
]

HTTP_APIS = [
    {"api": {"ApiEndpoint": "https://a1b2c3d4e5.execute-api.us-east-1.amazonaws.com", "ApiId": "a1b2c3d4e5",
             "ApiKeySelectionExpression": "$request.header.x-api-key", "CreatedDate": CREATED,
             "DisableExecuteApiEndpoint": False, "Name": "checkout", "ProtocolType": "HTTP",
             "RouteSelectionExpression": "$request.method $request.path", "Tags": {"env": "prod"}},
     "integrations": [
         {"ConnectionType": "INTERNET", "IntegrationId": "abc123", "IntegrationMethod": "POST",
          "IntegrationType": "AWS_PROXY", "IntegrationUri": FN + "checkout", "PayloadFormatVersion": "2.0",
          "TimeoutInMillis": 30000},
         {"ConnectionType": "VPC_LINK", "ConnectionId": "vl1234", "IntegrationId": "def456",
          "IntegrationMethod": "ANY", "IntegrationType": "HTTP_PROXY",
          "IntegrationUri": "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/web/50dc6c495c0c9188/"
                            "0467ef3c8400ae65", "PayloadFormatVersion": "1.0"}]},
    {"api": {"ApiEndpoint": "wss://w5x6y7z8.execute-api.us-east-1.amazonaws.com", "ApiId": "w5x6y7z8",
             "CreatedDate": CREATED, "Name": "chat", "ProtocolType": "WEBSOCKET",
             "RouteSelectionExpression": "$request.body.action", "Tags": {}},
     "integrations": [{"IntegrationId": "ws1", "IntegrationType": "AWS_PROXY",
                       "IntegrationUri": INVOKE.format(FN + "chat-connect")}]},
]


def test_transform_rest_apis():
    items = transform("apigateway.rest_apis", REST_APIS, SCOPE)
    check_items(REST_UNIT, items)
    assert items == [
        Item(arn=REST + "fugvjdxtri", type="AWS::ApiGateway::RestApi", name=HOSTILE, region="us-east-1",
             tags={"team": HOSTILE},
             attributes={"apiId": "fugvjdxtri", "apiType": "REST", "endpointTypes": ["REGIONAL"],
                         "apiKeySource": "HEADER", "disableExecuteApiEndpoint": False, "resourceCount": 4,
                         "created": CREATED_ISO},
             edges=[Edge("triggers", REST + "fugvjdxtri", FN + "orders-api")]),
        Item(arn=REST + "pr1v4te", type="AWS::ApiGateway::RestApi", name="internal", region="us-east-1",
             attributes={"apiId": "pr1v4te", "apiType": "REST", "endpointTypes": ["PRIVATE"],
                         "vpcEndpointIds": ["vpce-0abc1234"], "apiKeySource": "HEADER", "resourceCount": 1,
                         "created": CREATED_ISO}),
    ]


def test_transform_http_and_websocket_apis():
    items = transform("apigateway.apis", HTTP_APIS, SCOPE)
    check_items(HTTP_UNIT, items)
    assert items == [
        Item(arn=HTTP + "a1b2c3d4e5", type="AWS::ApiGatewayV2::Api", name="checkout", region="us-east-1",
             tags={"env": "prod"},
             attributes={"apiId": "a1b2c3d4e5", "apiType": "HTTP",
                         "apiEndpoint": "https://a1b2c3d4e5.execute-api.us-east-1.amazonaws.com",
                         "disableExecuteApiEndpoint": False, "created": CREATED_ISO},
             edges=[Edge("triggers", HTTP + "a1b2c3d4e5", FN + "checkout")]),
        Item(arn=HTTP + "w5x6y7z8", type="AWS::ApiGatewayV2::Api", name="chat", region="us-east-1",
             attributes={"apiId": "w5x6y7z8", "apiType": "WEBSOCKET",
                         "apiEndpoint": "wss://w5x6y7z8.execute-api.us-east-1.amazonaws.com", "created": CREATED_ISO},
             edges=[Edge("triggers", HTTP + "w5x6y7z8", FN + "chat-connect")]),
    ]


def test_rest_apis_against_moto(aws):
    client = aws.client("apigateway")
    api = client.create_rest_api(name="orders", endpointConfiguration={"types": ["REGIONAL"]}, tags={"team": "a"})
    root = client.get_resources(restApiId=api["id"])["items"][0]["id"]
    resource = client.create_resource(restApiId=api["id"], parentId=root, pathPart="orders")
    client.put_method(restApiId=api["id"], resourceId=resource["id"], httpMethod="GET", authorizationType="NONE")
    client.put_integration(restApiId=api["id"], resourceId=resource["id"], httpMethod="GET", type="AWS_PROXY",
                           integrationHttpMethod="POST", uri=INVOKE.format(FN + "orders-api"))
    client.create_rest_api(name="empty")
    items, actions = run(REST_UNIT, client)
    assert actions == ["apigateway:GET"] * 3   # GetRestApis, then GetResources per API
    rest = items[REST + api["id"]]
    assert (rest.type, rest.name, rest.tags, rest.attributes["apiType"], rest.attributes["endpointTypes"]) == (
        "AWS::ApiGateway::RestApi", "orders", {"team": "a"}, "REST", ["REGIONAL"])
    assert rest.edges == [Edge("triggers", rest.arn, FN + "orders-api")]
    assert len(items) == 2


def test_http_apis_against_moto(aws):
    client = aws.client("apigatewayv2")
    http = client.create_api(Name="checkout", ProtocolType="HTTP", Tags={"env": "prod"})
    client.create_integration(ApiId=http["ApiId"], IntegrationType="AWS_PROXY", IntegrationUri=FN + "checkout",
                              PayloadFormatVersion="2.0")
    socket = client.create_api(Name="chat", ProtocolType="WEBSOCKET", RouteSelectionExpression="$request.body.action")
    items, actions = run(HTTP_UNIT, client)
    assert actions == ["apigateway:GET"] * 3   # GetApis, then GetIntegrations per API
    assert items[HTTP + http["ApiId"]].attributes["apiType"] == "HTTP"
    assert items[HTTP + http["ApiId"]].edges == [Edge("triggers", HTTP + http["ApiId"], FN + "checkout")]
    assert items[HTTP + socket["ApiId"]].attributes["apiType"] == "WEBSOCKET"
    assert items[HTTP + socket["ApiId"]].type == "AWS::ApiGatewayV2::Api"
