"""Composition benchmark (services/diagram/compose.py): a synthetic estate of N components in
realistic proportions, composed, laid out and serialised; peak memory; and 10 changed components
applied and re-laid out against the stored layout, recomposed from nothing and applied to a kept
composition (Composer.update, what diagram-api does). Prints figures; asserts nothing.

    .venv/bin/python bench/diagram_compose.py [--sizes 10000,50000] [--repeat 3]

The estate is deterministic: accounts of up to 10 VPCs over 2 regions; each VPC spans 3
availability zones with a public and a private subnet in each, an internet gateway, a NAT gateway
per zone, route tables, security groups, an ALB -> target group -> 30 instances (each with a
volume), RDS and ElastiCache in the private subnets, Lambda functions in the VPC and VPC endpoints;
outside the VPC, per VPC, Lambda functions triggered by SQS queues, SNS topics, S3 buckets,
DynamoDB tables and an API; CloudFront and Route 53 globally; each account's first VPC peers with
the next account's.
"""
from __future__ import annotations

import argparse
import dataclasses
import gc
import json
import os
import resource as rlimit
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from services.diagram import compose as compose_mod  # noqa: E402
from services.diagram.compose import compose  # noqa: E402
from services.diagram.model import Resource  # noqa: E402
from services.diagram.options import ExportOptions  # noqa: E402

REGIONS = ("eu-west-1", "us-east-1")
VPCS_PER_ACCOUNT = 10


def _r(arn, cfn, name, account, region, attributes=None, rels=(), tags=None) -> Resource:
    return Resource(arn=arn, type=cfn, aws_account_id=account, region=region, name=name,
                    tags=tags or {"Name": name, "env": "prod" if hash(name) % 3 else "staging"},
                    attributes=attributes or {}, relationships=tuple(rels))


def vpc_unit(account: str, region: str, index: int) -> list[Resource]:
    """About 108 components: one VPC and the regional services around it."""
    def ec2(kind, rid):
        return f"arn:aws:ec2:{region}:{account}:{kind}/{rid}"

    out: list[Resource] = []
    tag = f"{account[-3:]}{region[-1]}{index:02}"
    vpc = ec2("vpc", f"vpc-{tag}")
    out.append(_r(vpc, "AWS::EC2::VPC", f"vpc-{tag}", account, region, {"vpcId": f"vpc-{tag}"}))
    zones = [f"{region}{letter}" for letter in "abc"]
    public, private = [], []
    for z in zones:
        zone_arn = ec2("availability-zone", z)
        for kind, bucket in (("pub", public), ("priv", private)):
            sid = f"subnet-{tag}-{kind}-{z[-1]}"
            arn = ec2("subnet", sid)
            bucket.append(arn)
            out.append(_r(arn, "AWS::EC2::Subnet", sid, account, region,
                          {"subnetId": sid, "availabilityZone": z, "mapPublicIpOnLaunch": kind == "pub"},
                          [("contains", vpc, arn), ("contains", zone_arn, arn)]))
    igw = ec2("internet-gateway", f"igw-{tag}")
    out.append(_r(igw, "AWS::EC2::InternetGateway", f"igw-{tag}", account, region, rels=[("attached_to", igw, vpc)]))
    for i, subnet in enumerate(public):
        nat = ec2("natgateway", f"nat-{tag}-{i}")
        out.append(_r(nat, "AWS::EC2::NatGateway", f"nat-{tag}-{i}", account, region, {"connectivityType": "public"},
                      [("contains", subnet, nat)]))
    for i, target in enumerate((igw, nat)):
        rt = ec2("route-table", f"rtb-{tag}-{i}")
        out.append(_r(rt, "AWS::EC2::RouteTable", f"rtb-{tag}-{i}", account, region,
                      rels=[("contains", vpc, rt), ("routes_to", rt, target)]))
    groups = [ec2("security-group", f"sg-{tag}-{name}") for name in ("web", "app", "db", "cache")]
    for g in groups:
        out.append(_r(g, "AWS::EC2::SecurityGroup", g.rsplit("/", 1)[1], account, region, rels=[("contains", vpc, g)]))
    elb = f"arn:aws:elasticloadbalancing:{region}:{account}"
    alb, tg = f"{elb}:loadbalancer/app/alb-{tag}/1", f"{elb}:targetgroup/tg-{tag}/1"
    out.append(_r(alb, "AWS::ElasticLoadBalancingV2::LoadBalancer", f"alb-{tag}", account, region,
                  {"type": "application"}, [("contains", s, alb) for s in public] + [("targets", alb, tg),
                                                                                    ("secured_by", alb, groups[0])]))
    instances = []
    for i in range(30):
        arn = ec2("instance", f"i-{tag}{i:03}")
        instances.append(arn)
        out.append(_r(arn, "AWS::EC2::Instance", f"app-{tag}-{i}", account, region,
                      {"instanceType": "m5.large", "platform": "Linux/UNIX",
                       "privateIpAddress": f"10.{index}.{i // 10}.{i}"},
                      [("contains", private[i % 3], arn), ("secured_by", arn, groups[1])]))
        volume = ec2("volume", f"vol-{tag}{i:03}")
        out.append(_r(volume, "AWS::EC2::Volume", f"vol-{tag}{i:03}", account, region,
                      {"volumeType": "gp3", "size": 100}, [("attached_to", volume, arn)]))
    out.append(_r(tg, "AWS::ElasticLoadBalancingV2::TargetGroup", f"tg-{tag}", account, region,
                  rels=[("contains", vpc, tg)] + [("targets", tg, i) for i in instances]))
    for i in range(2):
        db = f"arn:aws:rds:{region}:{account}:db:db-{tag}-{i}"
        out.append(_r(db, "AWS::RDS::DBInstance", f"db-{tag}-{i}", account, region,
                      {"engine": "postgres", "instanceClass": "db.r6g.large", "availabilityZone": zones[i]},
                      [("contains", s, db) for s in private] + [("secured_by", db, groups[2])]))
        cache = f"arn:aws:elasticache:{region}:{account}:cluster:cache-{tag}-{i}"
        out.append(_r(cache, "AWS::ElastiCache::CacheCluster", f"cache-{tag}-{i}", account, region,
                      {"cacheNodeType": "cache.r6g.large"}, [("contains", private[i], cache),
                                                             ("secured_by", cache, groups[3])]))
        endpoint = ec2("vpc-endpoint", f"vpce-{tag}-{i}")
        out.append(_r(endpoint, "AWS::EC2::VPCEndpoint", f"vpce-{tag}-{i}", account, region,
                      rels=[("contains", private[i], endpoint)]))
    for i in range(4):
        fn = f"arn:aws:lambda:{region}:{account}:function:vpcfn-{tag}-{i}"
        out.append(_r(fn, "AWS::Lambda::Function", f"vpcfn-{tag}-{i}", account, region, {"memorySize": 256},
                      [("contains", private[i % 3], fn), ("secured_by", fn, groups[1])]))
    # Regional services outside the VPC.
    for i in range(4):
        fn = f"arn:aws:lambda:{region}:{account}:function:fn-{tag}-{i}"
        queue = f"arn:aws:sqs:{region}:{account}:q-{tag}-{i}"
        mapping = f"arn:aws:lambda:{region}:{account}:event-source-mapping:{tag}-{i}"
        out.append(_r(fn, "AWS::Lambda::Function", f"fn-{tag}-{i}", account, region, {"memorySize": 512}))
        out.append(_r(mapping, "AWS::Lambda::EventSourceMapping", f"{tag}-{i}", account, region,
                      rels=[("triggers", queue, fn), ("attached_to", mapping, fn)]))
        if i < 3:
            out.append(_r(queue, "AWS::SQS::Queue", f"q-{tag}-{i}", account, region))
            out.append(_r(f"arn:aws:s3:::bucket-{tag}-{i}", "AWS::S3::Bucket", f"bucket-{tag}-{i}", account, region))
    for i in range(2):
        out.append(_r(f"arn:aws:sns:{region}:{account}:t-{tag}-{i}", "AWS::SNS::Topic", f"t-{tag}-{i}",
                      account, region))
        out.append(_r(f"arn:aws:dynamodb:{region}:{account}:table/tbl-{tag}-{i}", "AWS::DynamoDB::Table",
                      f"tbl-{tag}-{i}", account, region))
    out.append(_r(f"arn:aws:apigateway:{region}::/restapis/api{tag}", "AWS::ApiGateway::RestApi", f"api-{tag}",
                  account, region))
    if index % 2 == 0:
        dist = f"arn:aws:cloudfront::{account}:distribution/E{tag}"
        out.append(_r(dist, "AWS::CloudFront::Distribution", f"cdn-{tag}.example.com", account, "",
                      rels=[("origin_of", f"arn:aws:s3:::bucket-{tag}-0", dist)]))
    return out


def estate(size: int) -> list[Resource]:
    """About `size` components (a whole number of VPC units)."""
    per_unit = len(vpc_unit("000000000000", REGIONS[0], 0))
    units = max(1, round(size / per_unit))
    resources: list[Resource] = []
    firsts = []
    for unit in range(units):
        account = f"{100000000000 + unit // VPCS_PER_ACCOUNT:012d}"
        region = REGIONS[unit % VPCS_PER_ACCOUNT % 2]
        block = vpc_unit(account, region, unit % VPCS_PER_ACCOUNT)
        if unit % VPCS_PER_ACCOUNT == 0:
            firsts.append(block[0])
        resources.extend(block)
    for i, (left, right) in enumerate(zip(firsts, firsts[1:], strict=False)):
        arn = f"arn:aws:ec2:{left.region}:{left.aws_account_id}:vpc-peering-connection/pcx-{i}"
        resources.append(_r(arn, "AWS::EC2::VPCPeeringConnection", f"pcx-{i}", left.aws_account_id, left.region,
                            rels=[("routes_to", arn, left.arn), ("routes_to", arn, right.arn)]))
    return resources


def ten_changes(resources: list[Resource], serial: int = 0) -> list[Resource]:
    """5 instances resized, 3 instances added, 2 queues removed (`serial` makes each round's
    changes new: another size, other new ARNs)."""
    changed, resized, removed = [], 0, 0
    size = ("m6i.xlarge", "m6i.2xlarge")[serial % 2]
    for r in resources:
        if r.type == "AWS::EC2::Instance" and resized < 5 and r.arn.endswith("007"):
            r = dataclasses.replace(r, attributes={**r.attributes, "instanceType": size})
            resized += 1
        if r.type == "AWS::SQS::Queue" and removed < 2:
            removed += 1
            continue
        changed.append(r)
    template = next(r for r in resources if r.type == "AWS::EC2::Instance")
    for i in range(3):
        changed.append(dataclasses.replace(template, arn=f"{template.arn}-new{serial}-{i}", name=f"new-{serial}-{i}"))
    return changed


def delta(before: list[Resource], after: list[Resource]) -> tuple[list[Resource], list[str]]:
    """(upserted, removed ARNs) that turn `before` into `after`: what the live model's rows say."""
    old = {r.arn: r for r in before}
    new = {r.arn: r for r in after}
    return [r for arn, r in new.items() if old.get(arn) != r], [arn for arn in old if arn not in new]


CPU: dict[str, float] = {}   # label -> best CPU time of the last `timed` call with that label


def timed(fn, repeat: int, label: str = ""):
    """Best wall-clock time of `repeat` runs (and, in CPU, the best process CPU time: on a shared
    machine the CPU time is the steadier figure)."""
    best, best_cpu, result = float("inf"), float("inf"), None
    for _ in range(repeat):
        gc.collect()
        start, start_cpu = time.perf_counter(), time.process_time()
        result = fn()
        best = min(best, time.perf_counter() - start)
        best_cpu = min(best_cpu, time.process_time() - start_cpu)
    CPU[label] = best_cpu
    return best, result


class ArrangeTimer:
    """Times services/diagram/layout.arrange inside compose (the re-layout alone)."""
    def __init__(self):
        self.original = compose_mod.layout_mod.arrange
        self.last = 0.0

    def __enter__(self):
        def timed_arrange(*args, **kwargs):
            start = time.perf_counter()
            result = self.original(*args, **kwargs)
            self.last = time.perf_counter() - start
            return result
        compose_mod.layout_mod.arrange = timed_arrange
        return self

    def __exit__(self, *exc):
        compose_mod.layout_mod.arrange = self.original


def run(size: int, repeat: int, expanded: bool) -> None:
    compose_mod.COLLAPSE_AT = 10 ** 9 if expanded else 50
    resources = estate(size)
    options = ExportOptions()
    compose_s, first = timed(lambda: compose(resources, options, name="bench"), repeat, "first")
    dumps_s, text = timed(lambda: json.dumps(first.data), repeat, "dumps")
    changed = ten_changes(resources)
    arrange_times = []
    with ArrangeTimer() as timer:
        def recompose():
            result = compose(changed, options, name="bench", layout=first.layout)
            arrange_times.append(timer.last)
            return result
        relayout_s, second = timed(recompose, repeat, "changes")
    upserted, removed = delta(resources, changed)
    incremental: list[tuple[float, float]] = []
    for _ in range(repeat):
        composer = compose_mod.Composer(options, None, resources)
        composer.compose("bench", {})
        gc.collect()
        start, start_cpu = time.perf_counter(), time.process_time()
        composer.update(upserted, removed)
        composer.compose("bench", first.layout)
        incremental.append((time.perf_counter() - start, time.process_time() - start_cpu))
    with_layout_s, _ = timed(lambda: compose(resources, options, name="bench", layout=first.layout), repeat, "stored")
    tracemalloc.start()
    compose(resources, options, name="bench")
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    collapsed = sum(1 for g in first.data["groups"] if "collapsed" in g)
    print(f"{len(resources):>7,} resources ({'all expanded' if expanded else 'collapse at 50'}): "
          f"{len(first.data['nodes']):,} nodes, {len(first.data['groups']):,} groups ({collapsed} collapsed), "
          f"{len(first.data['edges']):,} edges, {len(text) / 2**20:.1f} MiB JSON")
    print(f"    compose + layout, first time   {compose_s * 1000:8.0f} ms wall {CPU['first'] * 1000:8.0f} ms CPU")
    print(f"    compose + layout, stored map   {with_layout_s * 1000:8.0f} ms wall {CPU['stored'] * 1000:8.0f} ms CPU")
    print(f"    json.dumps                     {dumps_s * 1000:8.0f} ms wall {CPU['dumps'] * 1000:8.0f} ms CPU")
    print(f"    10 changes, recomposed         {relayout_s * 1000:8.0f} ms wall {CPU['changes'] * 1000:8.0f} ms CPU")
    print(f"    10 changes, re-layout alone    {min(arrange_times) * 1000:8.0f} ms")
    print(f"    10 changes, incremental        {min(w for w, _ in incremental) * 1000:8.0f} ms wall "
          f"{min(c for _, c in incremental) * 1000:8.0f} ms CPU  (Composer.update + compose)")
    print(f"    peak traced memory (compose)   {peak / 2**20:8.0f} MiB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,50000")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(f"Python {sys.version.split()[0]}, {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} "
          f"at the start; wall-clock times, best of {args.repeat}")
    for size in (int(s) for s in args.sizes.split(",")):
        for expanded in (False, True):
            run(size, args.repeat, expanded)
    print(f"process max RSS {rlimit.getrusage(rlimit.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")


if __name__ == "__main__":
    main()
