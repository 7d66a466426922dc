"""API Gateway: REST APIs (client "apigateway") and HTTP and WebSocket APIs (client "apigatewayv2").

The budget prices requests by API type (REST, HTTP, WEBSOCKET); the diagram draws
API -triggers-> Lambda function for each Lambda integration (API Gateway is one of Lambda's event
sources, as in model.py). Integrations cost one more paginated call per API, which no listing
answers: GetResources with embed=methods (every path's methods with their integrations) for a
REST API, GetIntegrations for an HTTP or WebSocket API. Other integrations (HTTP endpoints, VPC
links, AWS services other than Lambda) give no edge.

Read with apigateway:GET on /restapis/* and /apis/* only (declarations.py): that never reaches
API keys' values. Tags come with the listings.
"""
from __future__ import annotations

import re

from services.collector.discovery import Context, Unit
from services.collector.discovery._shared import attributes, function_arn, unless_error
from services.collector.model import Edge, Item, Scope, iso

PAGE = 500                       # GetRestApis' and GetResources' limit: at most 500
HTTP_PAGE = 500                  # GetApis' and GetIntegrations' MaxResults (a string; botocore converts)
GONE = ("NotFoundException",)    # the API was deleted after it was listed

# A Lambda integration's URI: arn:aws:apigateway:<region>:lambda:path/2015-03-31/functions/<function ARN>/invocations
INVOCATION = re.compile(r":lambda:path/[^/]+/functions/(?P<function>arn:[^/]+)/invocations")


def lambda_function(uri: str | None) -> str | None:
    """The function an integration URI invokes: the invocation URI above, or (HTTP APIs) the
    function's own ARN. None for other integrations and for a function named by a stage
    variable (${stageVariables.name}), which is only known per stage."""
    if not uri:
        return None
    match = INVOCATION.search(uri)
    arn = function_arn(match["function"] if match else uri)
    if arn.split(":")[2:3] != ["lambda"] or "${" in arn:
        return None
    return arn


def api_edges(arn: str, uris: list[str | None]) -> list[Edge]:
    functions = dict.fromkeys(f for f in map(lambda_function, uris) if f)
    return [Edge("triggers", arn, function) for function in functions]


# --- REST APIs ----------------------------------------------------------------------------------

def get_rest_apis(ctx: Context) -> list[dict]:
    apis = ctx.paginate("get_rest_apis", "items", page_size=PAGE)
    resources = ctx.map(lambda api: unless_error(GONE, ctx.paginate, "get_resources", "items", page_size=PAGE,
                                                 restApiId=api["id"], embed=["methods"]), apis)
    return [{"api": api, "resources": found} for api, found in zip(apis, resources) if found is not None]


def transform_rest_apis(raw: list[dict], scope: Scope) -> list[Item]:
    items = []
    for entry in raw:
        api = entry["api"]
        arn = scope.arn("apigateway", f"/restapis/{api['id']}", account="")   # API Gateway ARNs name no account
        endpoint = api.get("endpointConfiguration") or {}
        uris = [(method.get("methodIntegration") or {}).get("uri")
                for resource in entry["resources"] for method in (resource.get("resourceMethods") or {}).values()]
        items.append(Item(
            arn=arn, type="AWS::ApiGateway::RestApi", name=api.get("name", api["id"]), region=scope.region,
            tags=dict(api.get("tags") or {}),
            attributes=attributes(
                apiId=api["id"],
                apiType="REST",
                endpointTypes=endpoint.get("types"),             # EDGE, REGIONAL or PRIVATE
                vpcEndpointIds=endpoint.get("vpcEndpointIds") or None,
                apiKeySource=api.get("apiKeySource"),
                disableExecuteApiEndpoint=api.get("disableExecuteApiEndpoint"),
                resourceCount=len(entry["resources"]),
                created=iso(api.get("createdDate"))),
            edges=api_edges(arn, uris)))
    return items


# --- HTTP and WebSocket APIs --------------------------------------------------------------------

def get_apis(ctx: Context) -> list[dict]:
    apis = ctx.paginate("get_apis", "Items", page_size=HTTP_PAGE)
    integrations = ctx.map(lambda api: unless_error(GONE, ctx.paginate, "get_integrations", "Items",
                                                    page_size=HTTP_PAGE, ApiId=api["ApiId"]), apis)
    return [{"api": api, "integrations": found} for api, found in zip(apis, integrations) if found is not None]


def transform_apis(raw: list[dict], scope: Scope) -> list[Item]:
    items = []
    for entry in raw:
        api = entry["api"]
        arn = scope.arn("apigateway", f"/apis/{api['ApiId']}", account="")
        items.append(Item(
            arn=arn, type="AWS::ApiGatewayV2::Api", name=api.get("Name", api["ApiId"]), region=scope.region,
            tags=dict(api.get("Tags") or {}),
            attributes=attributes(
                apiId=api["ApiId"],
                apiType=api.get("ProtocolType"),                 # HTTP or WEBSOCKET
                apiEndpoint=api.get("ApiEndpoint"),
                disableExecuteApiEndpoint=api.get("DisableExecuteApiEndpoint"),
                created=iso(api.get("CreatedDate"))),
            edges=api_edges(arn, [integration.get("IntegrationUri") for integration in entry["integrations"]])))
    return items


UNITS = [
    Unit("apigateway.rest_apis", "apigateway", ("AWS::ApiGateway::RestApi",), get_rest_apis, transform_rest_apis),
    Unit("apigateway.apis", "apigatewayv2", ("AWS::ApiGatewayV2::Api",), get_apis, transform_apis),
]
