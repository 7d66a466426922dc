"""Live status end to end: from a state change made in moto to the `status` event at a connected
client. Target (issue 14): within the poll interval plus 1 s. Prints figures; asserts nothing.

    .venv/bin/python bench/live_latency.py [--changes 10] [--interval 5]

A whole stack (bench/_stack.py, SQLite, with a moto server) seeded with the demo estate
(services/demo.seed_demo: its EC2 instances among the rest), the demo production account
connected and synced. The collector polls at --interval seconds (default 5 s instead of the
product's 15 s, to keep the run short: the target scales with the interval, the figure's shape
does not). One SSE client reads GET /api/aws/account/{id}/live from the gateway, as the browser
does. Then, --changes times, at a random moment (uniform within one interval, so the changes fall
anywhere in the poll cycle), an instance is stopped or started in moto, and the time from the
moment moto answered the call to the arrival of that instance's `status` event carrying the new
state is measured. Expected: the wait for the next poll (0 to one interval, about half on
average) plus the poll itself (one DescribeInstanceStatus per region) and the bus and stream hops.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import requests  # noqa: E402
from _stack import OtherLoad, gateway_url, percentile, running_stack, verdict  # noqa: E402

from services.demo_estate import DEMO_AWS_ACCOUNT, account_client  # noqa: E402


class Client(threading.Thread):
    """One SSE client: every event with its arrival time (monotonic)."""

    def __init__(self, url: str, auth: dict):
        super().__init__(daemon=True)
        self.url, self.auth = url, auth
        self.events: list[tuple[float, str, dict]] = []
        self.lock = threading.Condition()

    def run(self) -> None:
        with requests.get(self.url, headers=self.auth, stream=True, timeout=(5, 60)) as reply:
            reply.raise_for_status()
            event = "message"
            for line in reply.iter_lines(decode_unicode=True):
                if line.startswith("event: "):
                    event = line[7:]
                elif line.startswith("data: "):
                    arrived = time.monotonic()
                    with self.lock:
                        self.events.append((arrived, event, json.loads(line[6:])))
                        self.lock.notify_all()
                elif line == "":
                    event = "message"

    def statuses(self):
        """(arrival, status dict) of every status seen, snapshots' included."""
        with self.lock:
            events = list(self.events)
        for arrived, event, data in events:
            for status in (data["statuses"] if event == "snapshot" else [data]):
                yield arrived, event, status

    def wait_for(self, predicate, timeout: float):
        deadline = time.monotonic() + timeout
        with self.lock:
            while True:
                for arrived, event, data in self.events:
                    if predicate(arrived, event, data):
                        return arrived
                left = deadline - time.monotonic()
                if left <= 0:
                    return None
                self.lock.wait(left)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--changes", type=int, default=10)
    parser.add_argument("--interval", type=float, default=5.0)
    args = parser.parse_args()
    os.environ["CLOUDSKETCH_LIVE_STATUS_INTERVAL_SECONDS"] = str(args.interval)   # the stack inherits it

    with running_stack(moto=True) as env:
        from services.demo import ensure_account, seed_demo
        endpoint = env["AWS_ENDPOINT_URL"]
        login = seed_demo(endpoint)
        auth = {"Authorization": f"Bearer {login.api_key}"}
        base = gateway_url(env)
        account = {"id": ensure_account(login.user_id, endpoint).id}   # connected by seed_demo: found
        for _ in range(600):    # the first sync: live status polls the components it found
            sync = requests.get(f"{base}/api/aws/account/{account['id']}/sync", headers=auth, timeout=30)
            if sync.status_code == 200 and sync.json()["state"] in ("finished", "failed"):
                break
            time.sleep(1)
        print(f"demo account synced: {sync.json()['state']}", file=sys.stderr)

        clients, instances = {}, []
        for region in ("us-east-1", "eu-west-1"):
            clients[region] = account_client("ec2", endpoint, DEMO_AWS_ACCOUNT, region)
            for reservation in clients[region].describe_instances()["Reservations"]:
                for instance in reservation["Instances"]:
                    if instance["State"]["Name"] in ("running", "stopped"):
                        arn = f"arn:aws:ec2:{region}:{DEMO_AWS_ACCOUNT}:instance/{instance['InstanceId']}"
                        instances.append((region, instance["InstanceId"], arn))

        client = Client(f"{base}/api/aws/account/{account['id']}/live", auth)
        client.start()
        arns = {arn for _, _, arn in instances}
        def snapshotted() -> set[str]:
            return arns & {s["arn"] for _, e, s in client.statuses() if e == "snapshot"}
        for _ in range(240):     # a snapshot per region
            if snapshotted() == arns:
                break
            time.sleep(0.5)
        if not snapshotted():
            raise SystemExit("no snapshot with the demo's instances on the stream")
        state = {s["arn"]: s["state"] for _, _, s in client.statuses()}
        print(f"{len(instances)} instances in moto, {len(arns & set(state))} of them in the first snapshot",
              file=sys.stderr)

        latencies, missed = [], 0
        with OtherLoad() as load:
            for n in range(args.changes):
                time.sleep(random.uniform(0, args.interval))
                region, instance_id, arn = random.choice(instances)
                if state.get(arn) == "stopped":
                    clients[region].start_instances(InstanceIds=[instance_id])
                    wanted = {"running", "pending"}
                else:
                    clients[region].stop_instances(InstanceIds=[instance_id])
                    wanted = {"stopped", "stopping"}
                changed = time.monotonic()
                def arrives(a, e, d, t=changed, arn=arn, wanted=wanted):
                    return a >= t and e == "status" and d["arn"] == arn and d["state"] in wanted
                arrived = client.wait_for(arrives, 3 * args.interval + 10)
                if arrived is None:
                    missed += 1
                    print(f"  change {n + 1}: {arn} -> {'/'.join(sorted(wanted))} never arrived", file=sys.stderr)
                    continue
                state[arn] = "stopped" if "stopped" in wanted else "running"
                latencies.append(arrived - changed)
                print(f"  change {n + 1}: {instance_id} {state[arn]:<8} {arrived - changed:.2f} s", file=sys.stderr)
        latencies.sort()
        target = args.interval + 1
        worst = latencies[-1] if latencies else float("nan")
        print(f"live status end to end: 1 gateway (gevent), 1 SSE client, collector polling every {args.interval:g} s "
              f"(the product's default is 15 s); {args.changes} EC2 stop/start changes in moto at random moments")
        print(f"  moto change -> status event at the client: p50 {percentile(latencies, 50):.2f} s, "
              f"p99 {percentile(latencies, 99):.2f} s, max {worst:.2f} s, mean "
              f"{sum(latencies) / max(1, len(latencies)):.2f} s; never arrived: {missed}")
        print(f"  target: within the interval + 1 s = {target:g} s: "
              f"{verdict(missed == 0 and bool(latencies) and worst <= target)}")
        print(f"  {load.line()}")


if __name__ == "__main__":
    main()
