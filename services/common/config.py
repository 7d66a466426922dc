"""Configuration: CLOUDSKETCH_* environment variables with working defaults.

One place reads the environment. Every default lets `cloudsketch up` run on one machine with the
local RabbitMQ and SQLite files under ./var; docker-compose and Kubernetes override the addresses.
The table in docs/configuration.md is checked against SETTINGS by a test.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

# Every service with a contract in protos/ (the one list of them); processes.py says which run.
SERVICES = ("identity", "accounts", "collector", "diagram", "budget")
# Fixed port plan for one-machine runs: gRPC api 5005N, metrics 910N (api) and 920N (worker).
SERVICE_PORT_OFFSETS = {service: n for n, service in enumerate(SERVICES, start=1)}


@dataclass(frozen=True)
class Setting:
    name: str
    default: str
    help: str


SETTINGS = [
    Setting("CLOUDSKETCH_AMQP_URI", "amqp://guest:guest@127.0.0.1:5672/", "RabbitMQ URL of the event bus."),
    Setting("CLOUDSKETCH_AMQP_HEARTBEAT_SECONDS", "20",
            "AMQP heartbeat of every consumer's broker connection: a network partition that leaves the "
            "connection open is noticed within about twice this, and the consumer reconnects. A publish "
            "waits for the broker's confirm at most twice this too, then fails and is retried."),
    Setting("CLOUDSKETCH_DATA_DIR", "./var", "Where SQLite databases and process logs live."),
    Setting("CLOUDSKETCH_DATABASE_URL", "",
            "PostgreSQL URL (postgresql://user@host/db); each service uses its own schema in it. "
            "Empty: one SQLite file per service under the data directory."),
    Setting("CLOUDSKETCH_BIND_HOST", "127.0.0.1", "Interface every server listens on (0.0.0.0 in containers)."),
    Setting("CLOUDSKETCH_GATEWAY_PORT", "8080", "HTTP port of the gateway (web UI, REST API, live stream)."),
    Setting("CLOUDSKETCH_GATEWAY_CONNECTIONS", "2000",
            "Connections the gateway serves at once (requests and open live streams, each a greenlet); "
            "more wait to be accepted."),
    Setting("CLOUDSKETCH_<SERVICE>_API_ADDR", "127.0.0.1:5005N",
            "host:port of a service's gRPC api (N: "
            + ", ".join(f"{service} {n}" for service, n in SERVICE_PORT_OFFSETS.items()) + "). "
            "The api listens on its port; clients connect to the address."),
    Setting("CLOUDSKETCH_METRICS_PORT", "",
            "Port of this process's Prometheus /metrics (and /healthz for workers; /readyz and /healthz "
            "for the gateway); for one process per host, as in containers. Empty: derived from "
            "CLOUDSKETCH_METRICS_PORT_BASE."),
    Setting("CLOUDSKETCH_METRICS_PORT_BASE", "9100",
            "With no CLOUDSKETCH_METRICS_PORT: api processes use base+N, workers base+100+N, the gateway base."),
    Setting("CLOUDSKETCH_GRPC_THREADS", "16", "Thread pool size of each gRPC api process."),
    Setting("CLOUDSKETCH_INTERNAL_TOKEN", "",
            "Shared secret every cloudsketch process sends on its gRPC calls and every api requires "
            "(all but grpc.health.v1). Required unless every api listens on 127.0.0.1. Comma-separated: "
            "the first is sent, all are accepted (rotation, docs/operations.md)."),
    Setting("CLOUDSKETCH_GRPC_REFLECTION", "false",
            "true: apis answer gRPC server reflection (for grpcurl while debugging; it needs the token too)."),
    Setting("CLOUDSKETCH_LOG_LEVEL", "INFO", "Log level of every process."),
    Setting("CLOUDSKETCH_LOG_FORMAT", "json", "json (one object per line) or text."),
    Setting("CLOUDSKETCH_SECURE_COOKIES", "true",
            "Mark session cookies Secure (sent over HTTPS only; browsers also allow http://localhost). "
            "Set false only behind plain HTTP on a trusted network."),
    Setting("CLOUDSKETCH_TRUSTED_PROXIES", "",
            "Comma-separated addresses or CIDRs of the reverse proxies in front of the gateway. Only a "
            "peer inside them may name the client in CLOUDSKETCH_FORWARDED_HEADER (used for sign-in "
            "throttling). Empty: no forwarded header is believed; the client is the TCP peer."),
    Setting("CLOUDSKETCH_FORWARDED_HEADER", "X-Forwarded-For",
            "The header your trusted proxies append the client's address to: X-Forwarded-For or Forwarded "
            "(RFC 7239). Name the one they set, so a header they pass through unchanged is never read."),
    Setting("CLOUDSKETCH_AUTH_CACHE_SECONDS", "5",
            "How long a gateway process reuses a verified API key or session before asking identity "
            "again (revocations through the same gateway apply at once)."),
    Setting("CLOUDSKETCH_AWS_ACCOUNT_ID", "",
            "The AWS account cloudsketch runs as, which connected roles must trust. Empty: the account "
            "of cloudsketch's own AWS credentials (sts:GetCallerIdentity)."),
    Setting("CLOUDSKETCH_SYNC_INTERVAL_SECONDS", "3600",
            "How often the collector syncs each account on its own; on-demand syncs come on top."),
    Setting("CLOUDSKETCH_ACCESS_BACKOFF_MAX_SECONDS", "21600",
            "The longest wait between scheduled attempts on an account whose access is lost: the wait doubles "
            "from twice the sync interval after each failed attempt, with jitter, up to this."),
    Setting("CLOUDSKETCH_SYNC_HISTORY_DAYS", "7",
            "How long the collector keeps ended syncs (finished or failed), counted from their start; "
            "each account's latest sync, latest ended and latest finished sync stay whatever their age. "
            "0: keep every sync (docs/operations.md, \"Sync history\")."),
    Setting("CLOUDSKETCH_SYNC_CONCURRENCY", "32", "AWS API calls in flight per account during a sync."),
    Setting("CLOUDSKETCH_SYNC_SERVICE_CONCURRENCY", "8",
            "AWS API calls in flight per account, AWS service and region (AWS's rate limits are per API)."),
    Setting("CLOUDSKETCH_LIVE_STATUS_INTERVAL_SECONDS", "15",
            "How often the collector polls the live status of an account-region while someone watches the "
            "account (docs/live-status.md); nobody watching: no calls at all."),
    Setting("CLOUDSKETCH_DIAGRAM_GAP_SECONDS", "30",
            "How long diagram-worker waits for a finished sync's late resources_changed batches before it "
            "treats them as missed and rebuilds the account from collector-api's inventory."),
    Setting("CLOUDSKETCH_BUDGET_GAP_SECONDS", "30",
            "How long budget-worker waits for a finished sync's late resources_changed batches before it "
            "treats them as missed and rebuilds the account's budget from collector-api's inventory."),
    Setting("CLOUDSKETCH_LIVE_WATCH_TTL_SECONDS", "45",
            "How long the collector keeps polling an account's live status after the gateway's last "
            "status_watched heartbeat for it; the gateway sends one every third of this while someone streams it."),
    Setting("CLOUDSKETCH_DEMO_MOTO_PORT", "5055", "Port of the moto server `cloudsketch demo` starts."),
    Setting("AWS_ENDPOINT_URL", "", "AWS's own variable: send every AWS call to this endpoint (a moto server)."),
]


_DEFAULTS = {s.name: s.default for s in SETTINGS}


def env(name: str, default: str | None = None) -> str:
    """The variable's value; empty or unset means its default (from SETTINGS unless given)."""
    value = os.environ.get(name, "")
    return value if value != "" else (_DEFAULTS[name] if default is None else default)


def amqp_uri() -> str:
    return env("CLOUDSKETCH_AMQP_URI")


def _positive_seconds(name: str, kind: type = float):
    value = kind(env(name))
    if value <= 0:
        raise ValueError(f"{name} must be a positive number of seconds")
    return value


def amqp_heartbeat_seconds() -> int:
    return _positive_seconds("CLOUDSKETCH_AMQP_HEARTBEAT_SECONDS", int)


def publish_confirm_timeout_seconds() -> float:
    """How long a publish waits for the broker's confirm: a partition can swallow the publish or its
    confirm, and without a bound the publisher would wait forever."""
    return 2.0 * amqp_heartbeat_seconds()


def data_dir() -> Path:
    return Path(env("CLOUDSKETCH_DATA_DIR")).resolve()


def database_url() -> str:
    return env("CLOUDSKETCH_DATABASE_URL")


def bind_host() -> str:
    return env("CLOUDSKETCH_BIND_HOST")


def gateway_port() -> int:
    return int(env("CLOUDSKETCH_GATEWAY_PORT"))


def gateway_connections() -> int:
    return int(env("CLOUDSKETCH_GATEWAY_CONNECTIONS"))


def grpc_threads() -> int:
    return int(env("CLOUDSKETCH_GRPC_THREADS"))


def api_addr(service: str) -> str:
    """Where clients reach a service's gRPC api."""
    default = f"127.0.0.1:{50050 + SERVICE_PORT_OFFSETS[service]}"
    return env(f"CLOUDSKETCH_{service.upper()}_API_ADDR", default)


def api_listen_addr(service: str) -> str:
    """Where a service's api process listens: the bind host and the port of its address."""
    port = api_addr(service).rsplit(":", 1)[1]
    return f"{bind_host()}:{port}"


def metrics_port(service: str, role: str) -> int:
    """The port of a process's /metrics: api base+N, worker base+100+N, the gateway base itself."""
    explicit = env("CLOUDSKETCH_METRICS_PORT")
    if explicit:
        return int(explicit)
    base = int(env("CLOUDSKETCH_METRICS_PORT_BASE"))
    if role == "gateway":
        return base
    return base + (0 if role == "api" else 100) + SERVICE_PORT_OFFSETS[service]


def internal_tokens() -> list[str]:
    """CLOUDSKETCH_INTERNAL_TOKEN's comma-separated values: the first is sent, all are accepted."""
    return [token.strip() for token in env("CLOUDSKETCH_INTERNAL_TOKEN").split(",") if token.strip()]


def internal_token() -> str:
    """The token this process sends ("" when unset)."""
    tokens = internal_tokens()
    return tokens[0] if tokens else ""


def grpc_reflection() -> bool:
    return env("CLOUDSKETCH_GRPC_REFLECTION").strip().lower() in ("1", "true", "yes")


def log_level() -> str:
    return env("CLOUDSKETCH_LOG_LEVEL").upper()


def log_format() -> str:
    return env("CLOUDSKETCH_LOG_FORMAT")


def secure_cookies() -> bool:
    return env("CLOUDSKETCH_SECURE_COOKIES").lower() not in ("false", "0", "no")


def trusted_proxies() -> str:
    return env("CLOUDSKETCH_TRUSTED_PROXIES")


def forwarded_header() -> str:
    header = env("CLOUDSKETCH_FORWARDED_HEADER").strip().lower()
    if header not in ("x-forwarded-for", "forwarded"):
        raise ValueError("CLOUDSKETCH_FORWARDED_HEADER must be X-Forwarded-For or Forwarded")
    return header


def auth_cache_seconds() -> float:
    return float(env("CLOUDSKETCH_AUTH_CACHE_SECONDS"))


def sync_interval_seconds() -> float:
    return float(env("CLOUDSKETCH_SYNC_INTERVAL_SECONDS"))


def access_backoff_max_seconds() -> float:
    return float(env("CLOUDSKETCH_ACCESS_BACKOFF_MAX_SECONDS"))


def sync_history_days() -> float:
    """How many days of ended syncs the collector keeps; 0 keeps them all."""
    value = float(env("CLOUDSKETCH_SYNC_HISTORY_DAYS"))
    if value < 0:
        raise ValueError("CLOUDSKETCH_SYNC_HISTORY_DAYS must be 0 (keep every sync) or a positive number of days")
    return value


def sync_concurrency() -> tuple[int, int]:
    """(calls in flight per account, per account-service-region) during a sync."""
    return int(env("CLOUDSKETCH_SYNC_CONCURRENCY")), int(env("CLOUDSKETCH_SYNC_SERVICE_CONCURRENCY"))


def live_status_interval_seconds() -> float:
    return _positive_seconds("CLOUDSKETCH_LIVE_STATUS_INTERVAL_SECONDS")


def diagram_gap_seconds() -> float:
    return float(env("CLOUDSKETCH_DIAGRAM_GAP_SECONDS"))


def budget_gap_seconds() -> float:
    return float(env("CLOUDSKETCH_BUDGET_GAP_SECONDS"))


def live_watch_ttl_seconds() -> int:
    return int(env("CLOUDSKETCH_LIVE_WATCH_TTL_SECONDS"))


def demo_moto_port() -> int:
    return int(env("CLOUDSKETCH_DEMO_MOTO_PORT"))


def redact_url(url: str) -> str:
    """A URL fit for messages and logs: the password replaced by ***."""
    scheme, sep, rest = url.partition("://")
    if not sep or "@" not in rest:
        return url
    creds, _, host = rest.rpartition("@")
    user = creds.split(":", 1)[0]
    return f"{scheme}://{user}:***@{host}" if ":" in creds else url


def markdown_table() -> str:
    """The table docs/configuration.md carries (`python -m services.common.config` prints it)."""
    rows = ["| Variable | Default | Meaning |", "|---|---|---|"]
    rows += [f"| `{s.name}` | {f'`{s.default}`' if s.default else '(empty)'} | {s.help} |" for s in SETTINGS]
    return "\n".join(rows)


if __name__ == "__main__":
    print(markdown_table())
