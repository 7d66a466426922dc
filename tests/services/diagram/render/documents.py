"""Blueprint documents written by hand after docs/blueprint-format.md."""
from __future__ import annotations

HOSTILE = [
    "<script>alert(1)</script>",
    "quote \" and ' apostrophe",
    "cdata ]]> end",
    "amp & &amp; &#x3c;",
    "rtl \u202eevil\u202c mark",
    "x" * 10_000,
]


def realistic() -> dict:
    """One account, one region, a VPC with two zones and four subnets (public and private), a
    security group inside a subnet, a services area outside the VPC, a collapsed group, edges,
    diff marks, live status, a free text, a peering drawn to the VPC: 31 nodes."""
    nodes, edges = [], []

    def node(node_id, node_type, x, y, name, **extra):
        nodes.append({"id": node_id, "type": node_type, "mapPos": [x, y], "region": "eu-west-1",
                      "name": name, "accountId": "123456789012", **extra})
        return node_id

    def edge(a, b, kind="routes_to", dashed=False):
        edges.append({"id": f"e-{a}-{b}", "from": a, "to": b, "type": kind, "dashed": dashed})

    igw = node("igw", "internetgateway", 6, 3, "igw-main", awsType="AWS::EC2::InternetGateway")
    subnets = {}
    zone_nodes = {}
    for z, zone in enumerate("ab"):
        zx = 3 + z * 16
        pub = [node(f"alb-{zone}", "elb", zx + 2, 9, f"alb-{zone}", elbType="application", status="ok"),
               node(f"nat-{zone}", "natgateway", zx + 6, 9, f"nat-{zone}")]
        app = [node(f"web-{zone}{i}", "ec2", zx + 2 + (i % 3) * 4, 15 + (i // 3) * 3, f"web-{zone}{i}",
                    instanceType="m5", instanceSize="large", platform="linux", status="ok")
               for i in range(6)]
        db = [node(f"db-{zone}", "rds", zx + 2, 24, f"orders-db-{zone}", engine="postgres"),
              node(f"cache-{zone}", "elasticache", zx + 6, 24, f"sessions-{zone}")]
        subnets[f"pub-{zone}"] = (zx + 1, 8, 9, 3, pub)
        subnets[f"app-{zone}"] = (zx + 1, 13, 13, 8, [])
        subnets[f"data-{zone}"] = (zx + 1, 23, 9, 3, db)
        zone_nodes[zone] = app
        for web in app:
            edge(f"alb-{zone}", web, "targets")
            edge(web, f"db-{zone}")
        edge(igw, f"alb-{zone}")
        edge(f"web-{zone}0", f"cache-{zone}", dashed=True)
    lam = node("fn", "lambda", 40, 8, "resize-images", awsType="AWS::Lambda::Function")
    queue = node("q", "sqs", 40, 12, "jobs")
    bucket = node("bucket", "s3", 44, 8, "assets-bucket")
    table = node("table", "dynamodb", 44, 12, "sessions-table")
    node("cdn", "cloudfront", 44, 3, "cdn")
    edge(queue, lam, "triggers")
    edge(lam, bucket)
    edge(lam, table, dashed=True)
    edge("cdn", bucket, "origin_of")
    nodes[-3]["diff"] = "added"
    nodes[-1]["diff"] = "changed"
    nodes[-1]["changedAttributes"] = ["priceClass"]
    node("old", "ec2", 40, 16, "legacy-worker", diff="removed", status="stopped")
    node("mystery", "quantumcomputer", 44, 16, "unknown-type", status="critical")
    node("warn", "ebs", 48, 16, "data-volume", status="warning")
    node("pend", "ec2", 48, 12, "booting", status="pending")
    # A VPC peering connection is drawn to its VPC, a group (docs/blueprint-format.md "Edge").
    node("pcx", "vpcpeering", 48, 8, "peering-to-shared", awsType="AWS::EC2::VPCPeeringConnection")
    edges.append({"id": "e-pcx-vpc", "from": "pcx", "to": "vpc", "type": "peers_with", "dashed": False})
    nodes[nodes.index(next(n for n in nodes if n["id"] == "cdn"))]["color"] = {"2d": "#A03", "isometric": "#AA0033"}

    groups = []

    def group(group_id, group_type, name, x, y, w, h, children=(), members=(), **extra):
        groups.append({"id": group_id, "type": group_type, "name": name, "mapPos": [x, y], "mapSize": [w, h],
                       "nodes": list(members), "groups": list(children), **extra})

    for zone in "ab":
        for key in ("pub", "app", "data"):
            x, y, w, h, members = subnets[f"{key}-{zone}"]
            kind = "public" if key == "pub" else "private"
            children = [f"sg-web-{zone}"] if key == "app" else []
            group(f"{key}-{zone}", "subnet", f"{kind}-{key}-{zone} 10.0.{ord(zone)}.0/24", x, y, w, h,
                  children, members)
        x, y, w, h, _ = subnets[f"app-{zone}"]
        group(f"sg-web-{zone}", "sg", "sg-web", x + 0.5, y + 1.5, w - 1, h - 2, (), zone_nodes[zone])
        zx = 3 + (0 if zone == "a" else 16)
        group(f"az-{zone}", "zone", f"eu-west-1{zone}", zx, 6, 15, 22, [f"pub-{zone}", f"app-{zone}", f"data-{zone}"])
    group("vpc", "vpc", "production-vpc", 2, 2, 33, 28, ["az-a", "az-b"], ["igw"], color={"2d": "#1166BB",
                                                                                          "isometric": "#1166BB"})
    group("services", "area", "Regional services", 38, 1, 13, 18, [], ["fn", "q", "bucket", "table", "cdn",
                                                                        "old", "mystery", "warn", "pend", "pcx"])
    group("batch", "custom", "team: batch", 38, 21, 13, 9, [],
          collapsed={"count": 57, "types": {"ec2": 40, "ebs": 12, "lambda": 5}})
    group("region", "region", "eu-west-1", 1, 0, 51, 31, ["vpc", "services", "batch"])
    group("account", "account", "Production 123456789012", 0, -1, 53, 33, ["region"])
    return {"version": 4, "name": "Demo production", "grid": "infinite", "projection": "isometric",
            "theme": {"base": "light"}, "nodes": nodes, "groups": groups, "edges": edges,
            "text": [{"id": "t1", "text": "Checkout stack", "mapPos": [2, 31], "textSize": 18}],
            "icons": [], "images": [], "surfaces": [], "connectors": [], "disabledLayers": [],
            "liveAccount": {"id": "acc-1", "awsAccountId": "123456789012", "name": "Production"}}


def cloudcraft_export() -> dict:
    """The shape of a blueprint exported from Cloudcraft itself: nodes with only id, type, mapPos and
    region, no names, no groups, no edges field."""
    types = ["ec2", "ec2", "rds", "elb", "s3", "lambda", "sqs", "dynamodb", "ebs", "natgateway"]
    return {"version": 4, "grid": "standard", "name": "Exported from Cloudcraft",
            "nodes": [{"id": f"c6f0{i:04d}-1d2e-4a5b-8c9d-00000000000{i % 10}", "type": node_type,
                       "mapPos": [i % 5 * 3, i // 5 * 3], "region": "us-east-1"}
                      for i, node_type in enumerate(types)]}


def hostile() -> dict:
    """Every hostile string as a node name, a group name, a tag, a text and the document's name."""
    data = realistic()
    for i, name in enumerate(HOSTILE):
        data["nodes"][i]["name"] = name
        data["nodes"][i]["tags"] = {name: name}
        data["groups"][i]["name"] = name
    data["nodes"][len(HOSTILE)]["type"] = HOSTILE[0]
    data["nodes"][len(HOSTILE)]["id"] = HOSTILE[1]
    data["edges"].append({"id": HOSTILE[2], "from": HOSTILE[1], "to": data["nodes"][0]["id"], "type": HOSTILE[0]})
    data["text"].append({"id": "t2", "text": HOSTILE[0], "mapPos": [0, 34]})
    data["name"] = HOSTILE[0]
    data["groups"][0]["color"] = {"2d": "red;fill:url(javascript:alert(1))", "isometric": "\"/><script>"}
    return data
