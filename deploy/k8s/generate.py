"""Write the per-process Kubernetes manifests of the kustomize base from the process table.

    python deploy/k8s/generate.py            # writes deploy/k8s/base/processes.yaml and api-addrs.env
    python deploy/k8s/generate.py --out DIR  # writes them into DIR (the drift test compares)

Every process of services/common/processes.py (PROCESSES) gets a Deployment and a
PodDisruptionBudget; api processes and the gateway also get a Service; autoscaled workers get a
HorizontalPodAutoscaler. A process added to the table needs no edit here: run this script and
commit its output. What differs between processes is in the tables below (resources measured as
docs/operations.md describes).
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import yaml

BASE_DIR = Path(__file__).resolve().parent / "base"
REPO_ROOT = BASE_DIR.parents[2]
sys.path.insert(0, str(REPO_ROOT))

from services.common.config import SERVICE_PORT_OFFSETS  # noqa: E402
from services.common.processes import PROCESSES, Process  # noqa: E402

IMAGE = "cloudsketch:latest"
UID = 10001
METRICS_PORT = 9100
GATEWAY_PORT = 8080
DATA_DIR = "/var/lib/cloudsketch"
PART_OF = {"app.kubernetes.io/part-of": "cloudsketch"}

# Services whose processes call AWS themselves: the collector (every sync), accounts (verifying a
# connected role) and budget (the price catalog). Only their pods carry the label that the
# NetworkPolicy `allow-aws-egress` lets out to port 443 outside the cluster.
AWS_SERVICES = {"collector", "accounts", "budget"}
AWS_EGRESS_LABEL = "cloudsketch.io/aws-egress"

# Requests and limits, from the measurement in docs/operations.md ("Sizing"): memory requests a
# little above the steady RSS, memory limits about 2.5 times the largest peak seen, CPU requests
# near the busy average and CPU limits so that one busy pod can't starve a node. A process not
# named in RESOURCES_BY_NAME gets its role's figures.
RESOURCES_BY_ROLE = {
    "api": {"requests": {"cpu": "50m", "memory": "160Mi"}, "limits": {"cpu": "500m", "memory": "384Mi"}},
    "worker": {"requests": {"cpu": "50m", "memory": "160Mi"}, "limits": {"cpu": "500m", "memory": "384Mi"}},
    "gateway": {"requests": {"cpu": "50m", "memory": "128Mi"}, "limits": {"cpu": "500m", "memory": "256Mi"}},
}
RESOURCES_BY_NAME = {
    # A worker runs up to 10 syncs at once (nameko's max_workers), each with up to 32 AWS calls in
    # flight and boto3 clients of its own: bench/collector_scale.py measured 340 MiB peak RSS per
    # replica at full concurrency over 1,000 accounts, and one replica kept a core busy (0.8 of it
    # for the worker). Larger estates hold more in memory during a sync: the limit leaves them 3x.
    "collector-worker": {"requests": {"cpu": "500m", "memory": "512Mi"},
                         "limits": {"cpu": "1", "memory": "1536Mi"}},
}

# Workers scaled by a HorizontalPodAutoscaler (their Deployment leaves `replicas` to it). The KEDA
# component (deploy/k8s/components/keda) replaces the HPA with a ScaledObject on queue depth.
AUTOSCALED = {"collector-worker": {"min": 1, "max": 4, "cpu_percent": 70}}


def api_port(process: Process) -> int:
    return 50050 + SERVICE_PORT_OFFSETS[process.service]


def labels(process: Process) -> dict:
    return {"app.kubernetes.io/name": process.name, "app.kubernetes.io/component": process.role, **PART_OF}


def metadata(process: Process) -> dict:
    return {"name": process.name, "labels": labels(process)}


def secret_env(name: str, secret: str, key: str) -> dict:
    return {"name": name, "valueFrom": {"secretKeyRef": {"name": secret, "key": key}}}


def probe(check: dict, liveness: bool) -> dict:
    # Liveness waits longer and tolerates more: a process should ride out a short outage of the
    # broker or the database rather than be restarted for it.
    timing = ({"initialDelaySeconds": 15, "periodSeconds": 20, "timeoutSeconds": 5, "failureThreshold": 3}
              if liveness else {"periodSeconds": 10, "timeoutSeconds": 5, "failureThreshold": 3})
    return {**check, **timing}


def container(process: Process) -> dict:
    if process.role == "api":
        ports = [{"name": "grpc", "containerPort": api_port(process)},
                 {"name": "metrics", "containerPort": METRICS_PORT}]
        check = {"grpc": {"port": api_port(process)}}
    elif process.role == "worker":
        ports = [{"name": "metrics", "containerPort": METRICS_PORT}]
        check = {"httpGet": {"path": "/healthz", "port": METRICS_PORT}}
    else:
        # /metrics and /readyz are on the metrics port, off the public one (gateway/observability.py).
        ports = [{"name": "http", "containerPort": GATEWAY_PORT},
                 {"name": "metrics", "containerPort": METRICS_PORT}]
        check = {"httpGet": {"path": "/healthz", "port": GATEWAY_PORT}}
    return {
        "name": process.name,
        "image": IMAGE,
        "imagePullPolicy": "IfNotPresent",
        "command": ["python", "-m", *process.module_args],
        "envFrom": [{"configMapRef": {"name": "cloudsketch-config"}}],
        # Anything secret comes from a Secret, never from the ConfigMap.
        "env": [secret_env("CLOUDSKETCH_DATABASE_URL", "cloudsketch-db", "url"),
                secret_env("CLOUDSKETCH_AMQP_URI", "cloudsketch-amqp", "uri"),
                # sent on every gRPC call and required by every api (docs/security.md)
                secret_env("CLOUDSKETCH_INTERNAL_TOKEN", "cloudsketch-internal", "token")],
        "ports": ports,
        "readinessProbe": probe(check, liveness=False),
        "livenessProbe": probe(check, liveness=True),
        "resources": RESOURCES_BY_NAME.get(process.name, RESOURCES_BY_ROLE[process.role]),
        "securityContext": {"allowPrivilegeEscalation": False, "readOnlyRootFilesystem": True,
                            "capabilities": {"drop": ["ALL"]}},
        "volumeMounts": [{"name": "data", "mountPath": DATA_DIR}, {"name": "tmp", "mountPath": "/tmp"}],
    }


def deployment(process: Process) -> dict:
    pod_labels = labels(process)
    if process.service in AWS_SERVICES:
        pod_labels[AWS_EGRESS_LABEL] = "true"
    # The Deployment carries the pod's labels too, so that overlays can patch by label selector.
    meta = {"name": process.name, "labels": dict(pod_labels)}
    spec = {}
    if process.name not in AUTOSCALED:
        spec["replicas"] = 1 if process.role == "worker" else 2
    pod_spec = {
        # Processes that call AWS get their AWS identity (IRSA, EKS Pod Identity) through this account.
        "serviceAccountName": "cloudsketch-aws" if process.service in AWS_SERVICES else "cloudsketch",
        "automountServiceAccountToken": False,
        "securityContext": {"runAsNonRoot": True, "runAsUser": UID, "runAsGroup": UID, "fsGroup": UID,
                            "seccompProfile": {"type": "RuntimeDefault"}},
        "containers": [container(process)],
        # The root filesystem is read-only: the data directory and /tmp are the only writable paths.
        "volumes": [{"name": "data", "emptyDir": {"sizeLimit": "256Mi"}},
                    {"name": "tmp", "emptyDir": {"sizeLimit": "64Mi"}}],
    }
    spec.update({
        "selector": {"matchLabels": {"app.kubernetes.io/name": process.name}},
        "template": {
            "metadata": {
                "labels": pod_labels,
                "annotations": {"prometheus.io/scrape": "true", "prometheus.io/port": str(METRICS_PORT),
                                "prometheus.io/path": "/metrics"},
            },
            "spec": pod_spec,
        },
    })
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": meta, "spec": spec}


def service(process: Process) -> dict:
    if process.role == "api":
        # Headless: DNS returns every ready pod, and the clients' round_robin policy
        # (services/common/grpc_client.py) spreads calls over them instead of pinning one
        # long-lived HTTP/2 connection to one replica through a virtual IP.
        spec = {"clusterIP": "None",
                "ports": [{"name": "grpc", "port": api_port(process), "targetPort": "grpc", "appProtocol": "grpc"}]}
    else:
        spec = {"ports": [{"name": "http", "port": GATEWAY_PORT, "targetPort": "http", "appProtocol": "http"}]}
    spec["selector"] = {"app.kubernetes.io/name": process.name}
    return {"apiVersion": "v1", "kind": "Service", "metadata": metadata(process), "spec": spec}


def pod_disruption_budget(process: Process) -> dict:
    # One pod at a time: with two replicas one keeps serving, and a single worker can still be
    # evicted when a node drains (its queue holds the messages meanwhile).
    return {"apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": metadata(process),
            "spec": {"maxUnavailable": 1, "selector": {"matchLabels": {"app.kubernetes.io/name": process.name}}}}


def autoscaler(process: Process) -> dict:
    scale = AUTOSCALED[process.name]
    return {"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler", "metadata": metadata(process),
            "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": process.name},
                     "minReplicas": scale["min"], "maxReplicas": scale["max"],
                     "metrics": [{"type": "Resource", "resource": {
                         "name": "cpu",
                         "target": {"type": "Utilization", "averageUtilization": scale["cpu_percent"]}}}]}}


def objects(process: Process) -> list[dict]:
    result = [deployment(process)]
    if process.role in ("api", "gateway"):
        result.append(service(process))
    result.append(pod_disruption_budget(process))
    if process.name in AUTOSCALED:
        result.append(autoscaler(process))
    return result


class Dumper(yaml.SafeDumper):
    """Plain YAML: no &anchors and *aliases for the dicts that several objects share."""

    def ignore_aliases(self, data) -> bool:
        return True


HEADER = "# Generated by deploy/k8s/generate.py from services/common/processes.py: do not edit, rerun it.\n"


def render_processes() -> str:
    docs = [yaml.dump(obj, Dumper=Dumper, sort_keys=False, width=120) for p in PROCESSES for obj in objects(p)]
    return HEADER + "---\n".join(docs)


def render_api_addrs() -> str:
    """CLOUDSKETCH_<SERVICE>_API_ADDR for the ConfigMap: each api's Service, named as its process."""
    lines = [f"CLOUDSKETCH_{p.service.upper()}_API_ADDR={p.name}:{api_port(p)}" for p in PROCESSES if p.role == "api"]
    return HEADER + "\n".join(lines) + "\n"


def generate(out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    files = {out / "processes.yaml": render_processes(), out / "api-addrs.env": render_api_addrs()}
    for path, text in files.items():
        path.write_text(text)
    return sorted(files)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=BASE_DIR)
    for path in generate(parser.parse_args(argv).out):
        print(path)


if __name__ == "__main__":
    main()
