"""gRPC round trips the way the gateway makes them, against the real api processes.

Starts the whole stack (services.common.supervisor.LocalStack: every process of
services.common.processes, and a moto server standing in for AWS) on free ports in a temporary
directory, on SQLite or (with --postgres) on a fresh database of the local PostgreSQL server,
connects one AWS account (its role in moto) as `cloudsketch demo` does, then measures:

- identity-api AuthenticateApiKey (the call the gateway makes on every /api request) with a real
  read-write key, and accounts-api GetAccount of a real account, through gateway.clients.Clients:
  the gateway's own grpcio stubs on services.common.grpc_client's shared channel (same options,
  same deadline). For each: latency of --calls sequential calls after --warmup warm-up calls
  (p50/p90/p99, and the api's own handling time from its Prometheus histogram), then throughput
  with N client threads sharing the channel (--threads, --seconds each).
- A baseline without any database work: grpc.health.v1 Check on identity-api.
- The end-to-end HTTP figure, separate from the gRPC target: GET /api/aws/account through the
  gateway (gevent -> Flask -> whatever gRPC calls the route makes; docs/performance.md names
  them) with requests.Session, sequential latency (and the gateway's own time per request from its
  /metrics) and throughput with --http-threads threads.

All traffic goes to 127.0.0.1. The script stops by itself and stops every process it started.

    .venv/bin/python bench/grpc_roundtrip.py               # SQLite
    .venv/bin/python bench/grpc_roundtrip.py --postgres    # PostgreSQL
    .venv/bin/python bench/grpc_roundtrip.py --calls 500 --seconds 1 --threads 1,8   # quick look

Target: p50 < 2 ms and >= 1,000 calls/s per gRPC call on this machine (2 cores); the
calls/s figure checked is the best over the thread counts.
"""
from __future__ import annotations

import argparse
import os
import platform
import sys
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _stack  # noqa: E402  (puts the repository on sys.path)

TARGET_P50_MS = 2.0
TARGET_CALLS_PER_S = 1000.0


@dataclass
class Result:
    name: str
    latencies_ms: list[float] = field(default_factory=list)   # sequential, sorted
    server_ms: float | None = None                             # api's mean handling time
    throughput: dict[int, tuple[float, float, float]] = field(default_factory=dict)  # threads -> (calls/s, p50, p99)

    def p(self, q: float) -> float:
        return _stack.percentile(self.latencies_ms, q)

    def best(self) -> tuple[int, float]:
        threads, (rate, _, _) = max(self.throughput.items(), key=lambda item: item[1][0])
        return threads, rate


def sequential(call: Callable[[], object], calls: int, warmup: int) -> list[float]:
    for _ in range(warmup):
        call()
    latencies = []
    clock = time.perf_counter
    for _ in range(calls):
        started = clock()
        call()
        latencies.append((clock() - started) * 1000)
    return sorted(latencies)


def concurrent(make_call: Callable[[], Callable[[], object]], threads: int, seconds: float,
               max_calls_per_thread: int = 200_000) -> tuple[float, float, float]:
    """(calls/s, p50 ms, p99 ms) of `threads` threads calling as fast as they can for `seconds`.
    make_call() is called once per thread (e.g. for a requests.Session of its own)."""
    calls = [make_call() for _ in range(threads)]
    for call in calls:
        call()
    per_thread: list[list[float]] = [[] for _ in range(threads)]
    failures: list[BaseException] = []
    barrier = threading.Barrier(threads + 1)
    deadline = [0.0]

    def run(index: int) -> None:
        call, latencies, clock = calls[index], per_thread[index], time.perf_counter
        barrier.wait()
        end = deadline[0]
        try:
            while len(latencies) < max_calls_per_thread:
                started = clock()
                if started >= end:
                    break
                call()
                latencies.append((clock() - started) * 1000)
        except BaseException as exc:  # reported below; one failed call ends the run
            failures.append(exc)

    workers = [threading.Thread(target=run, args=(i,), daemon=True) for i in range(threads)]
    for worker in workers:
        worker.start()
    started = time.perf_counter()
    deadline[0] = started + seconds
    barrier.wait()
    for worker in workers:
        worker.join(timeout=seconds + 60)
    elapsed = time.perf_counter() - started
    if failures:
        raise RuntimeError(f"a call failed under load: {failures[0]!r}") from failures[0]
    latencies = sorted(x for part in per_thread for x in part)
    return len(latencies) / elapsed, _stack.percentile(latencies, 50), _stack.percentile(latencies, 99)


def measure_grpc(name: str, call: Callable[[], object], args, env, service: str, grpc_service: str,
                 grpc_method: str) -> Result:
    """Sequential latency (with the api's own mean handling time for the same calls) and throughput."""
    print(f"  {name} ...", file=sys.stderr, flush=True)
    result = Result(name)
    for _ in range(args.warmup):
        call()
    series = (_stack.metrics_url(env, service, "api"), "grpc_server_handling_seconds")
    before = _stack.histogram(*series, grpc_service=grpc_service, grpc_method=grpc_method)
    result.latencies_ms = sequential(call, args.calls, 0)
    after = _stack.histogram(*series, grpc_service=grpc_service, grpc_method=grpc_method)
    count = after[1] - before[1]
    result.server_ms = (after[0] - before[0]) / count * 1000 if count else None
    for threads in args.threads:
        result.throughput[threads] = concurrent(lambda: call, threads, args.seconds)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--postgres", action="store_true", help="run the stack on PostgreSQL (default SQLite)")
    parser.add_argument("--calls", type=int, default=2000, help="sequential calls measured per gRPC method")
    parser.add_argument("--warmup", type=int, default=200, help="warm-up calls before measuring")
    parser.add_argument("--threads", default="1,4,8,16", help="client thread counts for throughput")
    parser.add_argument("--seconds", type=float, default=3.0, help="duration of each throughput run")
    parser.add_argument("--http-calls", type=int, default=1000, help="sequential HTTP requests measured")
    parser.add_argument("--http-threads", type=int, default=8, help="client threads for HTTP throughput")
    parser.add_argument("--no-baseline", action="store_true", help="skip the grpc.health.v1 baseline")
    args = parser.parse_args(argv)
    args.threads = [int(n) for n in args.threads.split(",") if n.strip()]
    if not args.threads or min(args.threads) < 1 or args.calls < 1 or args.seconds <= 0:
        parser.error("need at least one thread count >= 1, --calls >= 1 and --seconds > 0")

    with _stack.running_stack(postgres=args.postgres, moto=True) as env, _stack.OtherLoad() as other_load:
        import requests
        from grpc_health.v1 import health_pb2, health_pb2_grpc

        from cloudsketch.accounts.v1 import accounts_pb2
        from cloudsketch.identity.v1 import identity_pb2
        from gateway.clients import Clients
        from services.common.database import open_database
        from services.common.grpc_client import DEFAULT_TIMEOUT_SECONDS, channel
        from services.demo import ensure_account
        from services.identity.domain import Identity

        # A user and a read-write key, straight in identity's database (as `cloudsketch admin` does).
        engine = open_database("identity")
        try:
            identity = Identity(engine)
            user = identity.create_user(f"bench-{uuid.uuid4().hex[:8]}@example.com", "Bench",
                                        identity_pb2.ROLE_OWNER)
            _, secret = identity.create_api_key(user.id, "bench", identity_pb2.API_KEY_MODE_READ_WRITE)
        finally:
            engine.dispose()

        clients = Clients()  # the gateway's stubs: shared channel per address, 10 s deadline per call
        # An account connected the way a user does it (its role created in moto, then registered
        # and verified by accounts-api), as `cloudsketch demo` does.
        account = ensure_account(user.id, env["AWS_ENDPOINT_URL"])
        auth_request = identity_pb2.AuthenticateApiKeyRequest(api_key=secret)
        get_request = accounts_pb2.GetAccountRequest(id=account.id)
        health = health_pb2_grpc.HealthStub(channel(env["CLOUDSKETCH_IDENTITY_API_ADDR"]))
        health_request = health_pb2.HealthCheckRequest()

        def authenticate():
            if clients.identity.AuthenticateApiKey(auth_request).principal.user.id != user.id:
                raise RuntimeError("AuthenticateApiKey answered with another user")

        def get_account():
            if clients.accounts.GetAccount(get_request).account.id != account.id:
                raise RuntimeError("GetAccount answered with another account")

        def health_check():
            health.Check(health_request, timeout=DEFAULT_TIMEOUT_SECONDS)

        print("measuring gRPC round trips", file=sys.stderr)
        results = [
            measure_grpc("identity  AuthenticateApiKey", authenticate, args, env,
                         "identity", "cloudsketch.identity.v1.IdentityService", "AuthenticateApiKey"),
            measure_grpc("accounts  GetAccount", get_account, args, env,
                         "accounts", "cloudsketch.accounts.v1.AccountsService", "GetAccount"),
        ]
        baseline = None if args.no_baseline else measure_grpc(
            "identity  health Check (no DB)", health_check, args, env,
            "identity", "grpc.health.v1.Health", "Check")

        print("measuring the HTTP path", file=sys.stderr)
        url = f"{_stack.gateway_url(env)}/api/aws/account"
        headers = {"Authorization": f"Bearer {secret}"}

        def http_caller():
            session = requests.Session()
            session.headers.update(headers)

            def call():
                reply = session.get(url, timeout=DEFAULT_TIMEOUT_SECONDS)
                if reply.status_code != 200:
                    raise RuntimeError(f"GET /api/aws/account: {reply.status_code} {reply.text[:200]}")
            return call

        http = Result("GET /api/aws/account")
        call = http_caller()
        for _ in range(min(args.warmup, 100)):
            call()
        series = (f"http://127.0.0.1:{env['CLOUDSKETCH_METRICS_PORT_BASE']}/metrics", "http_request_duration_seconds")
        before = _stack.histogram(*series, method="GET", endpoint="api.list_accounts")
        http.latencies_ms = sequential(call, args.http_calls, 0)
        after = _stack.histogram(*series, method="GET", endpoint="api.list_accounts")
        if after[1] > before[1]:
            http.server_ms = (after[0] - before[0]) / (after[1] - before[1]) * 1000
        http.throughput[args.http_threads] = concurrent(http_caller, args.http_threads, args.seconds)

    args.other_load = other_load
    report(args, results, baseline, http)
    return 0


def report(args, results: list[Result], baseline: Result | None, http: Result) -> None:
    database = "PostgreSQL" if args.postgres else "SQLite"
    print()
    print(f"gRPC round trips, gateway-style grpcio stubs -> api processes ({database}, "
          f"{os.cpu_count()} cores, Python {platform.python_version()})")
    print(f"sequential: {args.calls} calls after {args.warmup} warm-up; throughput: {args.seconds:g} s per "
          f"thread count, client threads share one channel")
    print(args.other_load.line())
    print()
    header = f"{'call':<32}{'p50 ms':>8}{'p90 ms':>8}{'p99 ms':>8}{'server ms':>11}"
    header += "".join(f"{f'{n} thr/s':>10}" for n in args.threads)
    print(header)
    print("-" * len(header))
    for result in [*results, *([baseline] if baseline else [])]:
        line = f"{result.name:<32}{result.p(50):>8.2f}{result.p(90):>8.2f}{result.p(99):>8.2f}"
        line += f"{result.server_ms:>11.3f}" if result.server_ms is not None else f"{'-':>11}"
        line += "".join(f"{result.throughput[n][0]:>10,.0f}" for n in args.threads)
        print(line)
    print("server ms: the api's own mean handling time of the sequential calls (its grpc_server_handling_seconds);")
    print("N thr/s: calls/s with N client threads")
    print()
    print("latency under load (p50 / p99 ms per call at each thread count)")
    for result in [*results, *([baseline] if baseline else [])]:
        cells = "".join(f"{f'{result.throughput[n][1]:.2f} / {result.throughput[n][2]:.2f}':>16}"
                        for n in args.threads)
        print(f"{result.name:<32}{cells}")
    print()
    print(f"target: p50 < {TARGET_P50_MS:g} ms, >= {TARGET_CALLS_PER_S:,.0f} calls/s")
    for result in results:
        threads, rate = result.best()
        print(f"  {result.name:<32} p50 {result.p(50):6.2f} ms  {_stack.verdict(result.p(50) < TARGET_P50_MS)}"
              f"   best {rate:7,.0f} calls/s ({threads} threads)  "
              f"{_stack.verdict(rate >= TARGET_CALLS_PER_S)}")
    print()
    rate, p50, p99 = http.throughput[args.http_threads]
    print("end-to-end HTTP (not the gRPC target): requests -> gateway (gevent, Flask) -> the route's gRPC calls")
    print(f"  {http.name:<32} sequential p50 {http.p(50):.2f} ms, p90 {http.p(90):.2f} ms, "
          f"p99 {http.p(99):.2f} ms ({args.http_calls} requests)")
    if http.server_ms is not None:
        print(f"  {'':<32} gateway's own mean time per request (its /metrics): {http.server_ms:.2f} ms")
    print(f"  {'':<32} {args.http_threads} threads: {rate:,.0f} requests/s (p50 {p50:.2f} ms, p99 {p99:.2f} ms)")


if __name__ == "__main__":
    sys.exit(main())
