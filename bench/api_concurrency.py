"""1,000 concurrent API clients on GET /api/aws/account, through the gateway as `python -m gateway`
serves it (gevent, a greenlet per connection, at most CLOUDSKETCH_GATEWAY_CONNECTIONS at once).

Starts the whole stack (bench/_stack.py), stores --accounts accounts straight into the accounts
database (bench/accounts_scale.py's seed: an Owner, a User and a team), then opens --clients
HTTP/1.1 keep-alive connections at once, each an API client with the Owner's key sending
--requests requests one after another (a client waits for its answer before the next). The load
generator is one asyncio process with plain sockets (no client library: its own cost stays
small), on the same machine. It prints the latency of every request from the moment the client
sends it (connection set-up counts in the first), percentiles, throughput and errors.

    .venv/bin/python bench/api_concurrency.py                   # 1,000 clients x 5 requests
    .venv/bin/python bench/api_concurrency.py --clients 100
    .venv/bin/python bench/api_concurrency.py --think 5         # each client pauses 5 s between requests

Without --think every client sends its next request the moment an answer arrives (a closed loop:
1,000 clients then need 5,000 answers a second for a 200 ms p99). With --think, a client pauses
that long (exponentially distributed, so the clients do not march in step) after each answer and
starts at a random moment within the first pause: 1,000 clients polling every 5 s offer about 200
requests a second, which is what 1,000 scripts and dashboards polling an account list look like.

Target: p99 < 200 ms with 1,000 concurrent clients.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import random
import sys
import time
from urllib.parse import urlsplit

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _stack  # noqa: E402  (puts the repository on sys.path)
from accounts_scale import seed  # noqa: E402

TARGET_P99_MS = 200.0


async def client(host: str, port: int, request: bytes, count: int, start: asyncio.Event,
                 latencies: list[float], errors: list[str], think: float = 0.0) -> None:
    await start.wait()
    if think:
        await asyncio.sleep(random.uniform(0, think))
    sent = time.perf_counter()
    try:
        reader, writer = await asyncio.open_connection(host, port)
    except OSError as exc:
        errors.append(f"connect: {exc}")
        return
    try:
        for index in range(count):
            if think and index:
                await asyncio.sleep(random.expovariate(1 / think))
                sent = time.perf_counter()
            writer.write(request)
            await writer.drain()
            status = await reader.readline()
            length = 0
            while (line := await reader.readline()) not in (b"\r\n", b""):
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value)
            await reader.readexactly(length)
            now = time.perf_counter()
            if not status.startswith(b"HTTP/1.1 200"):
                errors.append(status.decode(errors="replace").strip() or "connection closed")
            else:
                latencies.append((now - sent) * 1000)
            sent = now
    except (OSError, asyncio.IncompleteReadError, ValueError) as exc:
        errors.append(f"{type(exc).__name__}: {exc}")
    finally:
        writer.close()


async def load(url: str, key: str, clients: int, requests: int,
               think: float = 0.0) -> tuple[list[float], list[str], float]:
    parts = urlsplit(url)
    request = (f"GET {parts.path} HTTP/1.1\r\nHost: {parts.netloc}\r\nAuthorization: Bearer {key}\r\n"
               "Accept: application/json\r\n\r\n").encode()
    latencies: list[float] = []
    errors: list[str] = []
    start = asyncio.Event()
    tasks = [asyncio.create_task(client(parts.hostname or "127.0.0.1", parts.port or 80, request, requests, start,
                                        latencies, errors, think)) for _ in range(clients)]
    await asyncio.sleep(0.2)          # every client waiting on the same start
    began = time.perf_counter()
    start.set()
    await asyncio.gather(*tasks)
    return sorted(latencies), errors, time.perf_counter() - began


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=1000)
    parser.add_argument("--requests", type=int, default=5, help="requests per client, one after another")
    parser.add_argument("--accounts", type=int, default=20, help="accounts in the list")
    parser.add_argument("--think", type=float, default=0.0,
                        help="mean seconds a client pauses after each answer (0: the next request at once)")
    args = parser.parse_args()
    if args.clients > 1000:
        import resource
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, args.clients * 2 + 256), hard))

    with _stack.running_stack() as env:
        owner_key, _ = seed(args.accounts)
        url = _stack.gateway_url(env) + "/api/aws/account"
        asyncio.run(load(url, owner_key, 20, 5))        # warm-up: connections to the services, caches
        with _stack.OtherLoad() as other:
            latencies, errors, seconds = asyncio.run(load(url, owner_key, args.clients, args.requests, args.think))

    connections = os.environ.get("CLOUDSKETCH_GATEWAY_CONNECTIONS", "2000")
    pacing = f"pausing {args.think:g} s on average between requests" if args.think else "no pause between requests"
    print(f"\n{args.clients:,} concurrent API clients x {args.requests} requests ({pacing}): GET /api/aws/account "
          f"({args.accounts} accounts), Owner API key, SQLite, {os.cpu_count()} cores, gateway = gevent "
          f"serving up to {connections} connections (gateway/server.py)")
    print(other.line())
    answered = len(latencies)
    print(f"answered 200: {answered:,} of {args.clients * args.requests:,} in {seconds:.1f} s "
          f"({answered / seconds:,.0f} requests/s); errors: {len(errors)}")
    for error in sorted(set(errors))[:5]:
        print(f"  {errors.count(error)} x {error}")
    if latencies:
        p99 = _stack.percentile(latencies, 99)
        print(f"latency ms: p50 {_stack.percentile(latencies, 50):.0f}  p90 {_stack.percentile(latencies, 90):.0f}  "
              f"p99 {p99:.0f}  max {latencies[-1]:.0f}")
        print(f"target p99 < {TARGET_P99_MS:.0f} ms: {_stack.verdict(p99 < TARGET_P99_MS and not errors)}")


if __name__ == "__main__":
    main()
