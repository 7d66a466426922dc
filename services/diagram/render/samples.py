"""Synthetic blueprint documents, for the benchmark and the tests: an estate of accounts, regions,
VPCs, zones and subnets holding nodes of mixed types, with edges between them."""
from __future__ import annotations

import random

_SUBNET_TYPES = ("ec2", "ec2", "ec2", "rds", "elasticache", "lambda", "elb", "natgateway", "ebs", "efs")
_AREA_TYPES = ("s3", "dynamodb", "sqs", "sns", "cloudfront", "route53", "apigateway", "kinesisstream")


def synthetic(node_count: int, seed: int = 7, per_subnet: int = 24) -> dict:
    """About `node_count` nodes in subnets of 6 x 4 cells (two units apart), nested
    account > region > VPC > zone > subnet, plus a services area per region; one edge per node."""
    rng = random.Random(seed)
    nodes, groups, edges = [], [], []
    subnets = max(1, -(-node_count // per_subnet))
    subnets_per_zone, zones_per_vpc, vpcs_per_region = 2, 2, 2
    sub_w, sub_h = 14, 10
    zone_w, zone_h = sub_w * subnets_per_zone + 2, sub_h + 3
    vpc_w, vpc_h = zone_w + 2, zone_h * zones_per_vpc + 3
    region_w, region_h = vpc_w * vpcs_per_region + 3, vpc_h + 3
    regions = -(-subnets // (subnets_per_zone * zones_per_vpc * vpcs_per_region))
    account = {"id": "g-account", "type": "account", "name": "Production (123456789012)",
               "mapPos": [0, 0], "mapSize": [0, 0], "nodes": [], "groups": []}
    groups.append(account)
    columns = max(1, round(regions ** 0.5))
    made = 0
    for r in range(regions):
        rx, ry = 1 + (r % columns) * (region_w + 1), 1 + (r // columns) * (region_h + 1)
        region = {"id": f"g-r{r}", "type": "region", "name": f"eu-west-{r + 1}", "mapPos": [rx, ry],
                  "mapSize": [region_w, region_h], "nodes": [], "groups": [], "region": f"eu-west-{r + 1}"}
        groups.append(region)
        account["groups"].append(region["id"])
        for v in range(vpcs_per_region):
            vx, vy = rx + 1 + v * vpc_w, ry + 2
            vpc = {"id": f"g-r{r}v{v}", "type": "vpc", "name": f"vpc-{r}{v} main", "mapPos": [vx, vy],
                   "mapSize": [vpc_w - 1, vpc_h], "nodes": [], "groups": []}
            groups.append(vpc)
            region["groups"].append(vpc["id"])
            for z in range(zones_per_vpc):
                zx, zy = vx + 1, vy + 2 + z * zone_h
                zone = {"id": f"{vpc['id']}z{z}", "type": "zone", "name": f"eu-west-{r + 1}{'abc'[z]}",
                        "mapPos": [zx, zy], "mapSize": [zone_w - 2, zone_h - 1], "nodes": [], "groups": []}
                groups.append(zone)
                vpc["groups"].append(zone["id"])
                for s in range(subnets_per_zone):
                    if made >= node_count:
                        break
                    sx, sy = zx + 1 + s * sub_w, zy + 2
                    subnet = {"id": f"{zone['id']}s{s}", "type": "subnet",
                              "name": f"{'public' if s == 0 else 'private'}-{r}{v}{z}{s}",
                              "mapPos": [sx, sy], "mapSize": [sub_w - 1, sub_h - 1], "nodes": [], "groups": []}
                    groups.append(subnet)
                    zone["groups"].append(subnet["id"])
                    for n in range(min(per_subnet, node_count - made)):
                        node_type = _SUBNET_TYPES[rng.randrange(len(_SUBNET_TYPES))]
                        node = {"id": f"n{made}", "type": node_type, "region": region["region"],
                                "mapPos": [sx + 1 + (n % 6) * 2, sy + 1 + (n // 6) * 2],
                                "name": f"{node_type}-{made}"}
                        nodes.append(node)
                        subnet["nodes"].append(node["id"])
                        if made and rng.random() < 0.9:
                            edges.append({"id": f"e{made}", "from": f"n{made}",
                                          "to": f"n{rng.randrange(max(0, made - 30), made)}",
                                          "type": "routes_to", "dashed": rng.random() < 0.2})
                        made += 1
    account["mapSize"] = [columns * (region_w + 1) + 1, -(-regions // columns) * (region_h + 1) + 1]
    return {"version": 4, "name": f"Synthetic {node_count}", "grid": "infinite", "projection": "isometric",
            "theme": {"base": "light"}, "nodes": nodes, "groups": groups, "edges": edges, "text": [],
            "icons": [], "images": [], "surfaces": [], "connectors": [], "disabledLayers": []}
