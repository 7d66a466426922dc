"""CloudFront, Route 53 and WAF discovery (services/collector/discovery/cloudfront.py, route53.py,
wafv2.py): transforms against responses shaped like the API references' examples, and get +
transform against moto (except wafv2:ListResourcesForWebACL, which moto does not implement)."""
from __future__ import annotations

from services.collector.discovery import cloudfront, route53, wafv2
from services.collector.model import Edge, Item, Scope
from tests.services.collector.harness import (
    ACCOUNT,
    CREATED,
    CREATED_ISO,
    HOSTILE,
    SCOPE,
    SECRET,
    check_items,
    run,
    transform,
)

(DISTRIBUTIONS_UNIT,) = cloudfront.UNITS
(ZONES_UNIT,) = route53.UNITS
(WEB_ACLS_UNIT,) = wafv2.UNITS

DIST = "arn:aws:cloudfront::123456789012:distribution/"
GLOBAL_ACL = "arn:aws:wafv2:us-east-1:123456789012:global/webacl/edge/a1b2c3d4-5678-90ab-cdef-EXAMPLE11111"
REGIONAL_ACL = "arn:aws:wafv2:us-east-1:123456789012:regional/webacl/api/b2c3d4e5-6789-01bc-def0-EXAMPLE22222"
ALB = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/web/50dc6c495c0c9188"


def bucket(name: str) -> str:
    return f"arn:aws:s3:::{name}"


# --- CloudFront ---------------------------------------------------------------------------------

def origin(origin_id: str, domain: str, **fields) -> dict:
    return {"Id": origin_id, "DomainName": domain, "OriginPath": "", "CustomHeaders": {"Quantity": 0},
            "ConnectionAttempts": 3, "ConnectionTimeout": 10, "OriginShield": {"Enabled": False},
            "OriginAccessControlId": "", **fields}


def distribution(distribution_id: str, origins: list[dict], **fields) -> dict:
    return {
        "Id": distribution_id, "ARN": DIST + distribution_id, "ETag": "E2QWRUHEXAMPLE", "Status": "Deployed",
        "LastModifiedTime": CREATED, "DomainName": f"{distribution_id.lower()}.cloudfront.net",
        "Aliases": {"Quantity": 0}, "Origins": {"Quantity": len(origins), "Items": origins},
        "OriginGroups": {"Quantity": 0},
        "DefaultCacheBehavior": {"TargetOriginId": origins[0]["Id"], "ViewerProtocolPolicy": "redirect-to-https",
                                 "CachePolicyId": "658327ea-f89d-4fab-a63d-7e88639e58f6", "Compress": True},
        "CacheBehaviors": {"Quantity": 0}, "CustomErrorResponses": {"Quantity": 0}, "Comment": "",
        "PriceClass": "PriceClass_All", "Enabled": True,
        "ViewerCertificate": {"CloudFrontDefaultCertificate": True, "MinimumProtocolVersion": "TLSv1"},
        "Restrictions": {"GeoRestriction": {"RestrictionType": "none", "Quantity": 0}}, "WebACLId": "",
        "HttpVersion": "HTTP2", "IsIPV6Enabled": True, "Staging": False, **fields,
    }


LIST_DISTRIBUTIONS = {"DistributionList": {"Marker": "", "MaxItems": 100, "IsTruncated": False, "Quantity": 2,
                                           "Items": [
    distribution("EDFDVBD6EXAMPLE", [
        origin("assets", "assets.example.com.s3.amazonaws.com", S3OriginConfig={"OriginAccessIdentity": ""},
               OriginAccessControlId="E2QWRUHAPOMQZL"),
        origin("media", "media-bucket.s3.eu-west-1.amazonaws.com", S3OriginConfig={"OriginAccessIdentity": ""},
               OriginPath="/v2"),
        origin("site", "www.example.com.s3-website-us-east-1.amazonaws.com",
               CustomOriginConfig={"HTTPPort": 80, "HTTPSPort": 443, "OriginProtocolPolicy": "http-only"}),
        origin("app", "web-1234567890.us-east-1.elb.amazonaws.com",
               CustomOriginConfig={"HTTPPort": 80, "HTTPSPort": 443, "OriginProtocolPolicy": "https-only"},
               CustomHeaders={"Quantity": 1, "Items": [{"HeaderName": "X-Origin-Verify", "HeaderValue": SECRET}]}),
    ], Aliases={"Quantity": 2, "Items": ["www.example.com", "example.com"]}, Comment=HOSTILE,
        PriceClass="PriceClass_100", WebACLId=GLOBAL_ACL),
    distribution("E1LEGACYEXAMPLE", [
        origin("api", "a1b2c3d4e5.execute-api.us-east-1.amazonaws.com",
               CustomOriginConfig={"HTTPPort": 80, "HTTPSPort": 443, "OriginProtocolPolicy": "https-only"}),
    ], WebACLId="473e64fd-f30b-4765-81a0-62ad96dd167a", Enabled=False, HttpVersion="http2and3"),   # WAF Classic
]}}


def test_transform_distributions():
    items = transform("cloudfront.distributions", LIST_DISTRIBUTIONS["DistributionList"]["Items"], SCOPE)
    check_items(DISTRIBUTIONS_UNIT, items)
    assert items == [
        Item(arn=DIST + "EDFDVBD6EXAMPLE", type="AWS::CloudFront::Distribution", name="www.example.com", region="",
             attributes={
                 "id": "EDFDVBD6EXAMPLE", "domainName": "edfdvbd6example.cloudfront.net",
                 "aliases": ["www.example.com", "example.com"], "comment": HOSTILE, "status": "Deployed",
                 "enabled": True, "priceClass": "PriceClass_100", "httpVersion": "HTTP2", "ipv6Enabled": True,
                 "webAclId": GLOBAL_ACL, "lastModified": CREATED_ISO,
                 "origins": [
                     {"id": "assets", "domainName": "assets.example.com.s3.amazonaws.com",
                      "s3Bucket": "assets.example.com"},
                     {"id": "media", "domainName": "media-bucket.s3.eu-west-1.amazonaws.com", "originPath": "/v2",
                      "s3Bucket": "media-bucket"},
                     {"id": "site", "domainName": "www.example.com.s3-website-us-east-1.amazonaws.com",
                      "s3Bucket": "www.example.com"},
                     # A load balancer is known by its DNS name only; its header's secret is not kept.
                     {"id": "app", "domainName": "web-1234567890.us-east-1.elb.amazonaws.com"}]},
             edges=[Edge("origin_of", bucket("assets.example.com"), DIST + "EDFDVBD6EXAMPLE"),
                    Edge("origin_of", bucket("media-bucket"), DIST + "EDFDVBD6EXAMPLE"),
                    Edge("origin_of", bucket("www.example.com"), DIST + "EDFDVBD6EXAMPLE"),
                    Edge("attached_to", GLOBAL_ACL, DIST + "EDFDVBD6EXAMPLE")]),
        Item(arn=DIST + "E1LEGACYEXAMPLE", type="AWS::CloudFront::Distribution",
             name="e1legacyexample.cloudfront.net", region="",
             attributes={
                 "id": "E1LEGACYEXAMPLE", "domainName": "e1legacyexample.cloudfront.net", "aliases": [],
                 "status": "Deployed", "enabled": False, "priceClass": "PriceClass_All", "httpVersion": "http2and3",
                 "ipv6Enabled": True, "webAclId": "473e64fd-f30b-4765-81a0-62ad96dd167a", "lastModified": CREATED_ISO,
                 "origins": [{"id": "api", "domainName": "a1b2c3d4e5.execute-api.us-east-1.amazonaws.com"}]}),
    ]


def test_s3_origin_domains():
    assert [cloudfront.s3_bucket(domain) for domain in (
        "logs.s3.amazonaws.com", "logs.s3.us-east-1.amazonaws.com", "logs.s3-us-west-2.amazonaws.com",
        "logs.s3.dualstack.ap-southeast-2.amazonaws.com", "logs.s3-website.eu-central-1.amazonaws.com",
        "a.s3.b.s3.amazonaws.com", "logs.s3.cn-north-1.amazonaws.com.cn",
        "ap-123456789012.s3-accesspoint.us-east-1.amazonaws.com", "web.us-east-1.elb.amazonaws.com",
        "s3.amazonaws.com", "example.com",
    )] == ["logs", "logs", "logs", "logs", "logs", "a.s3.b", "logs", None, None, None, None]


def test_distributions_against_moto(aws):
    client = aws.client("cloudfront")
    created = client.create_distribution(DistributionConfig={
        "CallerReference": "site", "Comment": "site", "Enabled": True,
        "Aliases": {"Quantity": 1, "Items": ["www.example.com"]},
        "Origins": {"Quantity": 2, "Items": [
            {"Id": "assets", "DomainName": "assets-bucket.s3.us-east-1.amazonaws.com",
             "S3OriginConfig": {"OriginAccessIdentity": ""}},
            {"Id": "app", "DomainName": "web-1234567890.us-east-1.elb.amazonaws.com",
             "CustomOriginConfig": {"HTTPPort": 80, "HTTPSPort": 443, "OriginProtocolPolicy": "https-only"},
             "CustomHeaders": {"Quantity": 1, "Items": [{"HeaderName": "X-Origin-Verify", "HeaderValue": SECRET}]}}]},
        "DefaultCacheBehavior": {"TargetOriginId": "assets", "ViewerProtocolPolicy": "allow-all", "MinTTL": 0,
                                 "ForwardedValues": {"QueryString": False, "Cookies": {"Forward": "none"}}},
        "WebACLId": GLOBAL_ACL})["Distribution"]
    items, actions = run(DISTRIBUTIONS_UNIT, client)
    assert actions == ["cloudfront:ListDistributions"]
    item = items[created["ARN"]]
    assert (item.type, item.name, item.region, item.attributes["domainName"]) == (
        "AWS::CloudFront::Distribution", "www.example.com", "", created["DomainName"])
    assert item.edges == [Edge("origin_of", bucket("assets-bucket"), item.arn),
                          Edge("attached_to", GLOBAL_ACL, item.arn)]


# --- Route 53 -----------------------------------------------------------------------------------

ZONE = "arn:aws:route53:::hostedzone/"
HOSTED_ZONES = [   # ListHostedZones' zones, each with ListResourceRecordSets' records
    {"zone": {"Id": "/hostedzone/Z1D633PJN98FT9", "Name": "example.com.", "CallerReference": "2024-03-05",
              "Config": {"Comment": HOSTILE, "PrivateZone": False}, "ResourceRecordSetCount": 6},
     "records": [
         {"Name": "example.com.", "Type": "NS", "TTL": 172800,
          "ResourceRecords": [{"Value": "ns-2048.awsdns-64.com."}, {"Value": "ns-2049.awsdns-65.net."}]},
         {"Name": "example.com.", "Type": "TXT", "TTL": 300,
          "ResourceRecords": [{"Value": f'"google-site-verification={SECRET}"'}]},
         {"Name": "www.example.com.", "Type": "A",
          "AliasTarget": {"HostedZoneId": "Z2FDTNDATAQYW2", "DNSName": "d111111abcdef8.cloudfront.net.",
                          "EvaluateTargetHealth": False}},
         {"Name": "static.example.com.", "Type": "A",
          "AliasTarget": {"HostedZoneId": "Z3AQBSTGFYJSTF", "DNSName": "s3-website-us-east-1.amazonaws.com.",
                          "EvaluateTargetHealth": False}},
         {"Name": "api.example.com.", "Type": "CNAME", "TTL": 300, "SetIdentifier": "blue", "Weight": 90,
          "HealthCheckId": "abcdef11-2222-3333-4444-555555fedcba",
          "ResourceRecords": [{"Value": "web-1234567890.us-east-1.elb.amazonaws.com"}]},
         {"Name": "\\052.example.com.", "Type": "A", "SetIdentifier": "eu", "Region": "eu-west-1",
          "AliasTarget": {"HostedZoneId": "Z32O12XQLNTSW2",
                          "DNSName": "dualstack.web-1234567890.eu-west-1.elb.amazonaws.com.",
                          "EvaluateTargetHealth": True}},
     ]},
    {"zone": {"Id": "/hostedzone/Z2PRIVATE0001", "Name": "internal.example.com.", "CallerReference": "p",
              "Config": {"PrivateZone": True}, "ResourceRecordSetCount": 1},
     "records": [{"Name": "db.internal.example.com.", "Type": "A", "TTL": 60, "Failover": "PRIMARY",
                  "SetIdentifier": "primary", "ResourceRecords": [{"Value": "10.0.1.23"}]}]},
]


def test_transform_hosted_zones():
    items = transform("route53.hosted_zones", HOSTED_ZONES, SCOPE)
    check_items(ZONES_UNIT, items)
    zone, private = ZONE + "Z1D633PJN98FT9", ZONE + "Z2PRIVATE0001"
    record = lambda suffix: f"{zone}/recordset/{suffix}"   # noqa: E731
    assert items == [
        Item(arn=zone, type="AWS::Route53::HostedZone", name="example.com", region="",
             attributes={"zoneId": "Z1D633PJN98FT9", "privateZone": False, "recordCount": 6}),
        Item(arn=record("example.com/NS"), type="AWS::Route53::RecordSet", name="example.com", region="",
             attributes={"hostedZoneId": "Z1D633PJN98FT9", "recordType": "NS", "ttl": 172800},
             edges=[Edge("contains", zone, record("example.com/NS"))]),
        Item(arn=record("example.com/TXT"), type="AWS::Route53::RecordSet", name="example.com", region="",
             attributes={"hostedZoneId": "Z1D633PJN98FT9", "recordType": "TXT", "ttl": 300},
             edges=[Edge("contains", zone, record("example.com/TXT"))]),
        # CloudFront's DNS name gives no distribution ARN: kept for the engine.
        Item(arn=record("www.example.com/A"), type="AWS::Route53::RecordSet", name="www.example.com", region="",
             attributes={"hostedZoneId": "Z1D633PJN98FT9", "recordType": "A",
                         "aliasTarget": {"dnsName": "d111111abcdef8.cloudfront.net.", "hostedZoneId": "Z2FDTNDATAQYW2",
                                         "evaluateTargetHealth": False}},
             edges=[Edge("contains", zone, record("www.example.com/A"))]),
        # An S3 website alias: the bucket is named like the record.
        Item(arn=record("static.example.com/A"), type="AWS::Route53::RecordSet", name="static.example.com",
             region="",
             attributes={"hostedZoneId": "Z1D633PJN98FT9", "recordType": "A",
                         "aliasTarget": {"dnsName": "s3-website-us-east-1.amazonaws.com.",
                                         "hostedZoneId": "Z3AQBSTGFYJSTF", "evaluateTargetHealth": False}},
             edges=[Edge("contains", zone, record("static.example.com/A")),
                    Edge("alias_of", record("static.example.com/A"), bucket("static.example.com"))]),
        Item(arn=record("api.example.com/CNAME/blue"), type="AWS::Route53::RecordSet", name="api.example.com",
             region="",
             attributes={"hostedZoneId": "Z1D633PJN98FT9", "recordType": "CNAME", "ttl": 300, "setIdentifier": "blue",
                         "weight": 90, "healthCheckId": "abcdef11-2222-3333-4444-555555fedcba",
                         "values": ["web-1234567890.us-east-1.elb.amazonaws.com"]},
             edges=[Edge("contains", zone, record("api.example.com/CNAME/blue"))]),
        Item(arn=record("\\052.example.com/A/eu"), type="AWS::Route53::RecordSet", name="\\052.example.com",
             region="",
             attributes={"hostedZoneId": "Z1D633PJN98FT9", "recordType": "A", "setIdentifier": "eu",
                         "latencyRegion": "eu-west-1",
                         "aliasTarget": {"dnsName": "dualstack.web-1234567890.eu-west-1.elb.amazonaws.com.",
                                         "hostedZoneId": "Z32O12XQLNTSW2", "evaluateTargetHealth": True}},
             edges=[Edge("contains", zone, record("\\052.example.com/A/eu"))]),
        Item(arn=private, type="AWS::Route53::HostedZone", name="internal.example.com", region="",
             attributes={"zoneId": "Z2PRIVATE0001", "privateZone": True, "recordCount": 1}),
        Item(arn=f"{private}/recordset/db.internal.example.com/A/primary", type="AWS::Route53::RecordSet",
             name="db.internal.example.com", region="",
             attributes={"hostedZoneId": "Z2PRIVATE0001", "recordType": "A", "ttl": 60, "setIdentifier": "primary",
                         "failover": "PRIMARY", "values": ["10.0.1.23"]},
             edges=[Edge("contains", private, f"{private}/recordset/db.internal.example.com/A/primary")]),
    ]


def test_hosted_zones_against_moto(aws):
    client = aws.client("route53")
    zone_id = client.create_hosted_zone(Name="example.com", CallerReference="1")["HostedZone"]["Id"].rsplit("/")[-1]
    client.create_hosted_zone(Name="example.org", CallerReference="2")
    client.change_resource_record_sets(HostedZoneId=zone_id, ChangeBatch={"Changes": [
        {"Action": "CREATE", "ResourceRecordSet": {
            "Name": "www.example.com", "Type": "A",
            "AliasTarget": {"HostedZoneId": "Z2FDTNDATAQYW2", "DNSName": "d111111abcdef8.cloudfront.net",
                            "EvaluateTargetHealth": False}}},
        {"Action": "CREATE", "ResourceRecordSet": {
            "Name": "static.example.com", "Type": "A",
            "AliasTarget": {"HostedZoneId": "Z3AQBSTGFYJSTF", "DNSName": "s3-website-us-east-1.amazonaws.com",
                            "EvaluateTargetHealth": False}}},
        {"Action": "CREATE", "ResourceRecordSet": {"Name": "api.example.com", "Type": "CNAME", "TTL": 300,
                                                   "ResourceRecords": [{"Value": "api.example.net"}]}},
    ]})
    items, actions = run(ZONES_UNIT, client)
    # One zone listing, then one record listing per zone.
    assert sorted(actions) == ["route53:ListHostedZones"] + ["route53:ListResourceRecordSets"] * 2
    zone = ZONE + zone_id
    assert (items[zone].type, items[zone].name, items[zone].region) == ("AWS::Route53::HostedZone", "example.com", "")
    www, static, api = (f"{zone}/recordset/{name}" for name in ("www.example.com/A", "static.example.com/A",
                                                                 "api.example.com/CNAME"))
    assert items[www].attributes["aliasTarget"]["dnsName"].rstrip(".") == "d111111abcdef8.cloudfront.net"
    assert items[www].edges == [Edge("contains", zone, www)]
    assert items[static].edges == [Edge("contains", zone, static),
                                   Edge("alias_of", static, bucket("static.example.com"))]
    assert items[api].attributes["values"] == ["api.example.net"]
    assert {item.type for item in items.values()} == {"AWS::Route53::HostedZone", "AWS::Route53::RecordSet"}


# --- WAF ----------------------------------------------------------------------------------------

WEB_ACLS = [   # ListWebACLs' summaries with their scope and ListResourcesForWebACL's ARNs
    {"scope": "REGIONAL", "acl": {"Name": "api", "Id": "b2c3d4e5-6789-01bc-def0-EXAMPLE22222", "Description": HOSTILE,
                                  "LockToken": "6fdd5c5c-1b7e-4b2e-a1bb-3d1c7a1e1d2f", "ARN": REGIONAL_ACL},
     "resources": [ALB, "arn:aws:apigateway:us-east-1::/restapis/fugvjdxtri/stages/prod",
                   "arn:aws:apigateway:us-east-1::/restapis/fugvjdxtri/stages/beta"]},
    {"scope": "CLOUDFRONT", "acl": {"Name": "edge", "Id": "a1b2c3d4-5678-90ab-cdef-EXAMPLE11111", "Description": "",
                                    "LockToken": "7aee6d6d-2c8f-4c3f-b2cc-4e2d8b2f2e3a", "ARN": GLOBAL_ACL},
     "resources": []},
]


def test_transform_web_acls():
    items = transform("wafv2.web_acls", WEB_ACLS, SCOPE)
    check_items(WEB_ACLS_UNIT, items)
    assert items == [
        Item(arn=REGIONAL_ACL, type="AWS::WAFv2::WebACL", name="api", region="us-east-1",
             attributes={"id": "b2c3d4e5-6789-01bc-def0-EXAMPLE22222", "scope": "REGIONAL", "description": HOSTILE},
             # Two stages of one REST API make one edge to the API.
             edges=[Edge("attached_to", REGIONAL_ACL, ALB),
                    Edge("attached_to", REGIONAL_ACL, "arn:aws:apigateway:us-east-1::/restapis/fugvjdxtri")]),
        # CloudFront's associations come from the distributions (cloudfront.py).
        Item(arn=GLOBAL_ACL, type="AWS::WAFv2::WebACL", name="edge", region="us-east-1",
             attributes={"id": "a1b2c3d4-5678-90ab-cdef-EXAMPLE11111", "scope": "CLOUDFRONT"}),
    ]


def create_web_acl(client, name: str, scope: str) -> str:
    return client.create_web_acl(
        Name=name, Scope=scope, DefaultAction={"Allow": {}}, Rules=[],
        VisibilityConfig={"SampledRequestsEnabled": False, "CloudWatchMetricsEnabled": False, "MetricName": name},
    )["Summary"]["ARN"]


def test_web_acls_against_moto(aws):
    """moto does not implement ListResourcesForWebACL, which every REGIONAL web ACL needs: this
    runs the CLOUDFRONT scope of us-east-1 (the regional association is tested by the transform)."""
    client = aws.client("wafv2")
    edge = create_web_acl(client, "edge", "CLOUDFRONT")
    items, actions = run(WEB_ACLS_UNIT, client)
    assert actions == ["wafv2:ListWebACLs"] * 2   # REGIONAL (none) and CLOUDFRONT
    assert (items[edge].type, items[edge].name, items[edge].attributes["scope"]) == (
        "AWS::WAFv2::WebACL", "edge", "CLOUDFRONT")


def test_web_acls_outside_us_east_1_list_the_regional_scope_only(aws):
    client = aws.client("wafv2", region_name="eu-west-1")
    items, actions = run(WEB_ACLS_UNIT, client, Scope("aws", ACCOUNT, "eu-west-1"))
    assert (items, actions) == ({}, ["wafv2:ListWebACLs"])
