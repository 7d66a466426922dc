"""The processes cloudsketch runs: one table that `cloudsketch up`, docker-compose.yml, the
Kubernetes manifests and the docs follow (tests check the deploy files against it).

A service gets a process here only once it has real work for it.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Process:
    name: str          # e.g. "diagram-worker"; also the compose service and k8s Deployment name
    service: str       # "diagram", or "gateway"
    role: str          # "api" (grpcio), "worker" (nameko) or "gateway" (Flask)

    @property
    def module_args(self) -> list[str]:
        """Arguments after `python -m`."""
        if self.role == "gateway":
            return ["gateway"]
        return [f"services.{self.service}", self.role]


# Start order matters: workers declare their durable event queues before any api publishes,
# and the gateway comes last, when everything it calls is up.
PROCESSES = [
    Process("identity-worker", "identity", "worker"),
    Process("diagram-worker", "diagram", "worker"),
    Process("budget-worker", "budget", "worker"),
    Process("collector-worker", "collector", "worker"),
    Process("identity-api", "identity", "api"),
    Process("accounts-api", "accounts", "api"),
    Process("collector-api", "collector", "api"),
    Process("diagram-api", "diagram", "api"),
    Process("budget-api", "budget", "api"),
    Process("gateway", "gateway", "gateway"),
]

# The services that run, in start order: each has a database and at least one process.
RUNNING_SERVICES = tuple(dict.fromkeys(p.service for p in PROCESSES if p.role != "gateway"))
