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

from services.collector.discovery import Context
from services.collector.discovery._shared import function_arn, unless_error
from services.collector.discovery._spec import Link, Spec, const, count, first_of, nonempty, tag_map, timestamp, unit
from services.collector.model import Scope

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


def invoked(uris: list[str | None]) -> list[str]:
    """The Lambda functions that integrations with these URIs invoke (API -triggers-> function)."""
    return [function for function in map(lambda_function, uris) if function]


# --- REST APIs ----------------------------------------------------------------------------------

def get_rest_apis(ctx: Context) -> list[dict]:
    apis = ctx.paginate("get_rest_apis", "items", page_size=PAGE)
    resources = ctx.map(lambda api: unless_error(GONE, ctx.paginate, "get_resources", "items", page_size=PAGE,
                                                 restApiId=api["id"], embed=["methods"]), apis)
    return [{"api": api, "resources": found} for api, found in zip(apis, resources, strict=False) if found is not None]


def rest_api_functions(entry: dict, scope: Scope) -> list[str]:
    return invoked([(method.get("methodIntegration") or {}).get("uri") for resource in entry["resources"]
                    for method in (resource.get("resourceMethods") or {}).values()])


REST_API = Spec(
    "AWS::ApiGateway::RestApi", name=first_of("api.name", "api.id"), tags=tag_map("api.tags"),
    arn=lambda entry, scope: scope.arn("apigateway", f"/restapis/{entry['api']['id']}", account=""),  # no account
    attributes={
        "apiId": "api.id",
        "apiType": const("REST"),
        "endpointTypes": "api.endpointConfiguration.types",             # EDGE, REGIONAL or PRIVATE
        "vpcEndpointIds": nonempty("api.endpointConfiguration.vpcEndpointIds"),
        "apiKeySource": "api.apiKeySource",
        "disableExecuteApiEndpoint": "api.disableExecuteApiEndpoint",
        "resourceCount": count("resources"),
        "created": timestamp("api.createdDate"),
    },
    edges=(Link("triggers", rest_api_functions),))


# --- HTTP and WebSocket APIs --------------------------------------------------------------------

def get_apis(ctx: Context) -> list[dict]:
    apis = ctx.paginate("get_apis", "Items", page_size=HTTP_PAGE)
    integrations = ctx.map(lambda api: unless_error(GONE, ctx.paginate, "get_integrations", "Items",
                                                    page_size=HTTP_PAGE, ApiId=api["ApiId"]), apis)
    return [{"api": api, "integrations": found}
            for api, found in zip(apis, integrations, strict=False) if found is not None]


API = Spec(
    "AWS::ApiGatewayV2::Api", name=first_of("api.Name", "api.ApiId"), tags=tag_map("api.Tags"),
    arn=lambda entry, scope: scope.arn("apigateway", f"/apis/{entry['api']['ApiId']}", account=""),
    attributes={
        "apiId": "api.ApiId",
        "apiType": "api.ProtocolType",                 # HTTP or WEBSOCKET
        "apiEndpoint": "api.ApiEndpoint",
        "disableExecuteApiEndpoint": "api.DisableExecuteApiEndpoint",
        "created": timestamp("api.CreatedDate"),
    },
    edges=(Link("triggers", lambda entry, scope: invoked([integration.get("IntegrationUri")
                                                          for integration in entry["integrations"]])),))

UNITS = [
    unit("apigateway.rest_apis", "apigateway", get_rest_apis, REST_API),
    unit("apigateway.apis", "apigatewayv2", get_apis, API),
]
