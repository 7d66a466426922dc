"""AWS WAF (v2) web ACLs: ListWebACLs for the REGIONAL scope in every region, and for the
CLOUDFRONT scope in us-east-1, where CloudFront's web ACLs live (declarations.py); then
ListResourcesForWebACL per regional web ACL.

Edge: web ACL -attached_to-> the resource it protects (model.py: the attached thing -> what it is
attached to, as a volume -> its instance). ListResourcesForWebACL answers for one resource type
per call (application load balancers if none is named): cloudsketch asks for the two types it
discovers, application load balancers and API Gateway REST API stages (drawn as their REST API),
so two calls per regional web ACL. It does not answer for CloudFront: cloudfront.py draws those
edges from each distribution's WebACLId.

Rule counts (the budget's per-rule price) would need GetWebACL per web ACL and are left out.
"""
from __future__ import annotations

from services.collector.discovery import Context
from services.collector.discovery._shared import flatten, unless_error
from services.collector.discovery._spec import Link, Spec, nonempty, state_name, unit

PAGE = 100                                           # ListWebACLs' Limit: at most 100
CLOUDFRONT_REGION = "us-east-1"                      # CLOUDFRONT-scoped web ACLs are listed only here
PROTECTED_TYPES = ("APPLICATION_LOAD_BALANCER", "API_GATEWAY")
GONE = ("WAFNonexistentItemException",)              # the web ACL was deleted after it was listed


def get_web_acls(ctx: Context) -> list[dict]:
    waf_scopes = ["REGIONAL"] + (["CLOUDFRONT"] if ctx.scope.region == CLOUDFRONT_REGION else [])
    # botocore has no paginator for ListWebACLs (it continues with NextMarker): its page size goes
    # as the API names it.
    acls = [{"scope": waf_scope, "acl": acl} for waf_scope in waf_scopes
            for acl in ctx.paginate("list_web_acls", "WebACLs", Scope=waf_scope, Limit=PAGE)]

    def resources(entry: dict) -> list[str]:
        if state_name(entry["scope"]) != "regional":
            return []
        answers = [unless_error(GONE, ctx.client.list_resources_for_web_acl, default={},
                                WebACLArn=entry["acl"]["ARN"], ResourceType=resource_type)
                   for resource_type in PROTECTED_TYPES]
        return flatten(answer.get("ResourceArns", []) for answer in answers)

    return [{**entry, "resources": found} for entry, found in zip(acls, ctx.map(resources, acls), strict=False)]


def protected(arn: str) -> str:
    """An API Gateway stage (arn:aws:apigateway:region::/restapis/<id>/stages/<stage>) is drawn as
    its REST API; a load balancer's ARN is its item's."""
    return arn.split("/stages/", 1)[0] if ":apigateway:" in arn else arn


WEB_ACL = Spec(
    "AWS::WAFv2::WebACL", arn="acl.ARN", name="acl.Name",
    attributes={"id": "acl.Id", "scope": "scope", "description": nonempty("acl.Description")},
    edges=(Link("attached_to", lambda entry, scope: [protected(arn) for arn in entry["resources"]]),))

UNITS = [unit("wafv2.web_acls", "wafv2", get_web_acls, WEB_ACL)]
