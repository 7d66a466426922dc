"""One gateway process holding 1,000 live-status streams: fan-out latency and memory.

Starts one real `python -m gateway` (gevent, docs/architecture.md) on free ports, with stand-ins
for identity-api and accounts-api served by grpcio in this process (they allow every key and
know every account: the benchmark measures the gateway, not them), on a fresh RabbitMQ vhost when
rabbitmqctl is available. Then:

1. RSS of the gateway before any stream;
2. --clients SSE clients (default 1,000, asyncio sockets in this process, one TCP connection
   each) open GET /api/aws/account/{id}/live on one account (the worst case: every event goes to
   every stream); RSS with them all open;
3. --events status_changed events (default 60), published as the collector publishes them
   (services.common.events.EventPublisher("collector"): nameko's format, publisher confirms), one
   every --interval seconds, each carrying its publish time; every client records when it read
   each event. Fan-out latency = read time - publish time (same clock), over every (event,
   client) pair: RabbitMQ, the gateway's one consumer, the in-memory fan-out to 1,000 queues,
   1,000 greenlets writing their sockets and this process reading 1,000 sockets (which makes the
   figure an upper bound);
4. RSS after the events, and after every client closed.

    .venv/bin/python bench/live_stream.py
    .venv/bin/python bench/live_stream.py --clients 2000 --events 100

Target (issue 14): p99 under 250 ms with 1,000 clients, memory bounded.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from concurrent import futures
from pathlib import Path

import grpc

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from bench._stack import LOCAL_AMQP, _vhost  # noqa: E402
from cloudsketch.accounts.v1 import accounts_pb2, accounts_pb2_grpc  # noqa: E402
from cloudsketch.collector.v1 import events_pb2  # noqa: E402
from cloudsketch.identity.v1 import identity_pb2, identity_pb2_grpc  # noqa: E402
from services.common.events import EventPublisher  # noqa: E402
from services.common.supervisor import free_port_block  # noqa: E402

ACCOUNT = "bench-live-account"


class Identity(identity_pb2_grpc.IdentityServiceServicer):
    def AuthenticateApiKey(self, request, context):
        return identity_pb2.AuthenticateApiKeyResponse(principal=identity_pb2.Principal(
            user=identity_pb2.User(id="bench-user"), key_mode=identity_pb2.API_KEY_MODE_READ_WRITE))

    def Authorize(self, request, context):
        return identity_pb2.AuthorizeResponse(decision=identity_pb2.DECISION_ALLOW)


class Accounts(accounts_pb2_grpc.AccountsServiceServicer):
    def GetAccount(self, request, context):
        return accounts_pb2.GetAccountResponse(account=accounts_pb2.Account(id=request.id, name="bench"))


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")   # utime + stime


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def client(port: int, opened: asyncio.Event, counter: list, received: list, done: asyncio.Event):
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(f"GET /api/aws/account/{ACCOUNT}/live HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                 "Authorization: Bearer bench\r\nAccept: text/event-stream\r\n\r\n".encode())
    await writer.drain()
    status = await reader.readline()
    if b" 200 " not in status:
        raise RuntimeError(f"stream refused: {status!r}")
    counter[0] += 1
    if counter[0] == counter[1]:
        opened.set()
    try:
        rest = b""
        while not done.is_set():
            chunk = await reader.read(65536)     # one read per wake-up, however many events came
            if not chunk:
                break
            now = time.time()
            chunk = rest + chunk
            start = chunk.find(b'"sent ')         # each event's detail carries its publish time
            while start >= 0:
                end = chunk.find(b'"', start + 6)
                if end < 0:
                    break
                received.append(now - float(chunk[start + 6:end]))
                start = chunk.find(b'"sent ', end)
            rest = chunk[start:] if start >= 0 else b""
    finally:
        writer.close()


async def run(port: int, amqp: str, clients: int, events: int, interval: float, pid: int) -> dict:
    opened, done = asyncio.Event(), asyncio.Event()
    counter, received = [0, clients], []
    figures = {"rss_before": rss_mib(pid)}
    started = time.monotonic()
    tasks = []
    for _ in range(clients):
        tasks.append(asyncio.create_task(client(port, opened, counter, received, done)))
        await asyncio.sleep(0)
    await asyncio.wait_for(opened.wait(), timeout=120)
    figures["connect_seconds"] = time.monotonic() - started
    await asyncio.sleep(2)       # the hub's consumer is bound by the first stream; let it settle
    figures["rss_open"] = rss_mib(pid)
    publisher = EventPublisher("collector", amqp)
    loop = asyncio.get_running_loop()
    cpu_before, own_before = cpu_seconds(pid), cpu_seconds(os.getpid())
    for n in range(events):
        message = events_pb2.StatusChanged(account_id=ACCOUNT, arn=f"arn:aws:ec2:us-east-1:1:instance/i-{n % 7}",
                                           status=events_pb2.RESOURCE_STATUS_OK, state="running",
                                           metric=events_pb2.StatusMetric(name="CPUUtilization", value=n,
                                                                          unit="Percent", source="bench"))
        message.detail = f"sent {time.time():.6f}"
        await loop.run_in_executor(None, publisher.publish, "status_changed", message)
        await asyncio.sleep(interval)
    deadline = time.monotonic() + 30
    while len(received) < clients * events and time.monotonic() < deadline:
        await asyncio.sleep(0.1)
    figures["cpu_per_event_ms"] = (cpu_seconds(pid) - cpu_before) / events * 1000
    figures["client_cpu_per_event_ms"] = (cpu_seconds(os.getpid()) - own_before) / events * 1000
    figures["rss_after_events"] = rss_mib(pid)
    done.set()
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    await asyncio.sleep(3)
    figures["rss_closed"] = rss_mib(pid)
    figures["received"] = len(received)
    figures["expected"] = clients * events
    figures["latencies"] = sorted(received)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=1000)
    parser.add_argument("--events", type=int, default=60)
    parser.add_argument("--interval", type=float, default=0.25, help="seconds between events")
    args = parser.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, max(soft, 4 * args.clients + 256)), hard))

    base = free_port_block(320)
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=8))
    identity_pb2_grpc.add_IdentityServiceServicer_to_server(Identity(), server)
    accounts_pb2_grpc.add_AccountsServiceServicer_to_server(Accounts(), server)
    server.add_insecure_port(f"127.0.0.1:{base + 11}")
    server.add_insecure_port(f"127.0.0.1:{base + 12}")
    server.start()
    with _vhost(LOCAL_AMQP) as amqp, tempfile.TemporaryDirectory() as data:
        env = {**os.environ, "CLOUDSKETCH_AMQP_URI": amqp, "CLOUDSKETCH_DATA_DIR": data,
               "CLOUDSKETCH_GATEWAY_PORT": str(base), "CLOUDSKETCH_METRICS_PORT": str(base + 100),
               "CLOUDSKETCH_IDENTITY_API_ADDR": f"127.0.0.1:{base + 11}",
               "CLOUDSKETCH_ACCOUNTS_API_ADDR": f"127.0.0.1:{base + 12}", "CLOUDSKETCH_LOG_LEVEL": "WARNING"}
        gateway = subprocess.Popen([sys.executable, "-m", "gateway"], cwd=REPO, env=env)
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    urllib.request.urlopen(f"http://127.0.0.1:{base}/healthz", timeout=2).read()
                    break
                except OSError:
                    if gateway.poll() is not None or time.monotonic() > deadline:
                        raise SystemExit("the gateway did not start") from None
                    time.sleep(0.2)
            figures = asyncio.run(run(base, amqp, args.clients, args.events, args.interval, gateway.pid))
        finally:
            gateway.terminate()
            gateway.wait(timeout=30)
            server.stop(0)
    latencies = figures["latencies"]

    def pct(p: float) -> float:
        return latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000 if latencies else float("nan")
    print(f"live stream fan-out: 1 gateway process (gevent), {args.clients} SSE clients on one account, "
          f"{args.events} status_changed events every {args.interval} s")
    print(f"  clients connected in {figures['connect_seconds']:.1f} s")
    print(f"  events received     {figures['received']} of {figures['expected']}")
    print(f"  publish -> client   p50 {pct(0.5):.1f} ms   p90 {pct(0.9):.1f} ms   p99 {pct(0.99):.1f} ms   "
          f"max {latencies[-1] * 1000 if latencies else float('nan'):.1f} ms   mean "
          f"{statistics.fmean(latencies) * 1000 if latencies else float('nan'):.1f} ms")
    print(f"  gateway CPU         {figures['cpu_per_event_ms']:.1f} ms per event fanned out to every client "
          f"(user + system; the load-independent cost); this client {figures['client_cpu_per_event_ms']:.1f} ms")
    print(f"  machine load        {os.getloadavg()[0]:.1f} (1-minute average, {os.cpu_count()} cores)")
    print(f"  gateway RSS         before {figures['rss_before']:.1f} MiB   {args.clients} streams open "
          f"{figures['rss_open']:.1f} MiB   after the events {figures['rss_after_events']:.1f} MiB   "
          f"all closed {figures['rss_closed']:.1f} MiB")
    print(f"  target: p99 < 250 ms: {'met' if pct(0.99) < 250 else 'NOT met'}")


if __name__ == "__main__":
    main()
