"""The deploy files follow the table of processes (services/common/processes.py).

Dockerfile and docker-compose.yml are written by hand; these tests keep them in step with PROCESSES
and the port plan of services/common/config.py: a process added to the table fails here until
every deploy file knows it. The Kubernetes manifests (deploy/k8s) are generated from PROCESSES and
checked in tests/unit/test_k8s.py.
"""
from __future__ import annotations

import re
import shlex
import shutil
import subprocess
from urllib.parse import urlsplit

import pytest
import yaml

from services.common.config import SERVICE_PORT_OFFSETS
from services.common.processes import PROCESSES, Process
from tests.helpers.stack import REPO

ROOT = REPO
DOCKERFILE = ROOT / "Dockerfile"
DOCKERIGNORE = ROOT / ".dockerignore"
COMPOSE_FILE = ROOT / "docker-compose.yml"

# Compose services that are not cloudsketch processes.
INFRA_SERVICES = {"rabbitmq", "postgres", "moto", "demo-seed"}
# Non-process compose services that run the cloudsketch image too.
IMAGE_SERVICES = {"moto", "demo-seed"}
METRICS_PORT = 9100
GATEWAY_PORT = 8080
HEALTHCHECK = ["python", "-m", "services.common.healthcheck"]
DATA_DIR = "/var/lib/cloudsketch"

API_PROCESSES = [p for p in PROCESSES if p.role == "api"]
WORKER_PROCESSES = [p for p in PROCESSES if p.role == "worker"]
GATEWAYS = [p for p in PROCESSES if p.role == "gateway"]

by_name = pytest.mark.parametrize("process", PROCESSES, ids=lambda p: p.name)


def api_port(service: str) -> int:
    return 50050 + SERVICE_PORT_OFFSETS[service]


def api_addr_var(service: str) -> str:
    return f"CLOUDSKETCH_{service.upper()}_API_ADDR"


def expected_api_addrs() -> dict[str, str]:
    """CLOUDSKETCH_<SERVICE>_API_ADDR -> host:port, for each api process (host = process name)."""
    return {api_addr_var(p.service): f"{p.name}:{api_port(p.service)}" for p in API_PROCESSES}


def expected_command(process: Process) -> list[str]:
    return ["python", "-m", *process.module_args]


def as_argv(command) -> list[str]:
    return shlex.split(command) if isinstance(command, str) else [str(a) for a in command]


def test_process_table_is_usable():
    # Guards the tests below against passing vacuously.
    assert PROCESSES and API_PROCESSES and GATEWAYS
    assert len({p.name for p in PROCESSES}) == len(PROCESSES)
    for p in API_PROCESSES:
        assert p.service in SERVICE_PORT_OFFSETS


# ---------------------------------------------------------------- Dockerfile and .dockerignore


def dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, with comments dropped and continuation lines joined."""
    instructions, current = [], ""
    for line in DOCKERFILE.read_text().splitlines():
        if line.strip().startswith("#"):
            continue
        current += line.rstrip()
        if current.endswith("\\"):
            current = current[:-1] + " "
            continue
        if current.strip():
            keyword, _, rest = current.strip().partition(" ")
            instructions.append((keyword.upper(), " ".join(rest.split())))
        current = ""
    return instructions


def test_dockerfile_base_install_and_user():
    instructions = dockerfile_instructions()
    froms = [args for kw, args in instructions if kw == "FROM"]
    assert froms and froms[0].split()[0] == "python:3.11-slim"
    assert any(kw == "COPY" and args.split()[0] == "." for kw, args in instructions)
    assert any(kw == "RUN" and re.search(r"\bpip install \.(\s|$)", args) for kw, args in instructions)
    users = [args for kw, args in instructions if kw == "USER"]
    assert users, "the image must not run as root"
    user = users[-1].split(":")[0]
    assert user not in ("root", "0")


def test_dockerfile_sets_container_environment():
    env = {}
    for kw, args in dockerfile_instructions():
        if kw == "ENV":
            for token in shlex.split(args):
                name, _, value = token.partition("=")
                env[name] = value
    assert env.get("CLOUDSKETCH_BIND_HOST") == "0.0.0.0"
    assert env.get("CLOUDSKETCH_DATA_DIR") == DATA_DIR


def test_dockerignore_keeps_local_state_out():
    patterns = {line.strip().removeprefix("**/").rstrip("/")
                for line in DOCKERIGNORE.read_text().splitlines()
                if line.strip() and not line.startswith("#")}
    for required in (".venv", "var", ".git", "__pycache__", ".pytest_cache", "node_modules"):
        assert required in patterns, f".dockerignore lacks {required}"


# ---------------------------------------------------------------- docker-compose.yml


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load(COMPOSE_FILE.read_text())


@pytest.fixture(scope="module")
def services(compose) -> dict:
    return compose["services"]


@pytest.fixture(scope="module")
def shared_env(compose) -> dict:
    return compose["x-cloudsketch-env"]


def depends_on(service: dict) -> dict[str, str]:
    """depends_on as {service: condition}, whichever syntax is used."""
    deps = service.get("depends_on") or {}
    if isinstance(deps, list):
        return {name: "service_started" for name in deps}
    return {name: (spec or {}).get("condition", "service_started") for name, spec in deps.items()}


@by_name
def test_each_process_is_a_compose_service_running_its_module(services, process):
    assert process.name in services, f"docker-compose.yml lacks the service {process.name}"
    assert as_argv(services[process.name]["command"]) == expected_command(process)


def test_no_compose_service_outside_the_table(services):
    assert INFRA_SERVICES <= set(services)
    unknown = set(services) - {p.name for p in PROCESSES} - INFRA_SERVICES
    assert not unknown, f"compose services that are not in PROCESSES: {sorted(unknown)}"


def test_app_services_share_one_image_from_the_one_dockerfile(services):
    app = [p.name for p in PROCESSES] + sorted(IMAGE_SERVICES)
    images = {services[name].get("image") for name in app}
    assert len(images) == 1 and None not in images, f"app services use images {images}"
    builds = [services[name].get("build") for name in app]
    assert any(builds), "nothing builds the cloudsketch image"
    for name, build in zip(app, builds, strict=False):
        if build is None:
            continue
        if isinstance(build, str):
            build = {"context": build}
        assert (ROOT / build.get("context", ".")).resolve() == ROOT, name
        dockerfile = ROOT / build.get("context", ".") / build.get("dockerfile", "Dockerfile")
        assert dockerfile.resolve() == DOCKERFILE, name
    # The infrastructure comes from upstream images, never from this Dockerfile.
    for name in INFRA_SERVICES - IMAGE_SERVICES:
        assert "build" not in services[name]
        assert services[name]["image"] not in images


@by_name
def test_each_process_has_its_healthcheck(services, process):
    check = services[process.name].get("healthcheck")
    assert check and not check.get("disable"), f"{process.name} has no healthcheck"
    test = as_argv(check["test"])
    assert test[0] == "CMD"
    if process.role == "api":
        expected = [*HEALTHCHECK, "grpc", f"127.0.0.1:{api_port(process.service)}"]
    elif process.role == "worker":
        expected = [*HEALTHCHECK, "http", f"http://127.0.0.1:{METRICS_PORT}/healthz"]
    else:
        expected = [*HEALTHCHECK, "http", f"http://127.0.0.1:{GATEWAY_PORT}/healthz"]
    assert test[1:] == expected


def test_every_app_service_has_a_healthcheck_except_the_one_shot_seed(services):
    for name in {p.name for p in PROCESSES} | {"rabbitmq", "postgres", "moto"}:
        assert services[name].get("healthcheck", {}).get("test"), f"{name} has no healthcheck"


def test_shared_env_carries_every_api_addr(shared_env):
    addrs = {k: v for k, v in shared_env.items() if re.fullmatch(r"CLOUDSKETCH_\w+_API_ADDR", k)}
    assert addrs == expected_api_addrs()


def test_shared_env_points_at_the_compose_services(shared_env, services):
    assert urlsplit(shared_env["CLOUDSKETCH_AMQP_URI"]).hostname == "rabbitmq"
    assert urlsplit(shared_env["CLOUDSKETCH_DATABASE_URL"]).hostname == "postgres"
    assert urlsplit(shared_env["AWS_ENDPOINT_URL"]).hostname == "moto"
    assert str(shared_env["CLOUDSKETCH_BIND_HOST"]) == "0.0.0.0"
    assert str(shared_env["CLOUDSKETCH_METRICS_PORT"]) == str(METRICS_PORT)
    assert shared_env["AWS_DEFAULT_REGION"]
    for addr in expected_api_addrs().values():
        assert addr.split(":")[0] in services


@pytest.mark.parametrize("name", [p.name for p in PROCESSES] + ["demo-seed"])
def test_each_process_gets_the_shared_env(services, shared_env, name):
    env = services[name]["environment"]
    assert isinstance(env, dict)
    assert {k: str(v) for k, v in shared_env.items()}.items() <= {k: str(v) for k, v in env.items()}.items()


@pytest.mark.parametrize("process", API_PROCESSES + WORKER_PROCESSES, ids=lambda p: p.name)
def test_apis_and_workers_wait_for_broker_and_database(services, process):
    deps = depends_on(services[process.name])
    assert deps.get("rabbitmq") == "service_healthy"
    assert deps.get("postgres") == "service_healthy"


@pytest.mark.parametrize("process", API_PROCESSES, ids=lambda p: p.name)
def test_apis_start_after_the_workers(services, process):
    # PROCESSES' start order: workers declare their durable queues before any api publishes.
    deps = depends_on(services[process.name])
    for worker in WORKER_PROCESSES:
        assert deps.get(worker.name) == "service_healthy"


@pytest.mark.parametrize("gateway", GATEWAYS, ids=lambda p: p.name)
def test_gateway_waits_for_every_api_and_publishes_its_port(services, gateway):
    service = services[gateway.name]
    deps = depends_on(service)
    for api in API_PROCESSES:
        assert deps.get(api.name) == "service_healthy"
    published = [str(p) for p in service.get("ports", [])]
    assert f"{GATEWAY_PORT}:{GATEWAY_PORT}" in published


def test_dependencies_exist_and_healthy_ones_can_be(services):
    for name, service in services.items():
        for dep, condition in depends_on(service).items():
            assert dep in services, f"{name} depends on unknown service {dep}"
            if condition == "service_healthy":
                assert services[dep].get("healthcheck"), f"{name} waits for {dep}, which has no healthcheck"


def test_only_the_gateway_publishes_ports(services):
    publishing = {name for name, service in services.items() if service.get("ports")}
    assert publishing == {p.name for p in GATEWAYS}


def test_infrastructure_services(compose, services):
    rabbit = services["rabbitmq"]
    assert rabbit["image"] == "rabbitmq:3.13-management"
    assert rabbit["healthcheck"]["test"]

    pg = services["postgres"]
    assert pg["image"] == "postgres:16"
    assert {pg["environment"][k] for k in ("POSTGRES_DB", "POSTGRES_USER", "POSTGRES_PASSWORD")} == {"cloudsketch"}
    assert "pg_isready" in as_argv(pg["healthcheck"]["test"])
    volumes = [v.split(":")[0] if isinstance(v, str) else v["source"] for v in pg["volumes"]]
    assert any(v in (compose.get("volumes") or {}) for v in volumes), "postgres needs a named volume"

    moto = services["moto"]
    assert as_argv(moto["command"]) == ["python", "-m", "moto.server", "-H", "0.0.0.0", "-p", "5055"]
    assert str(moto["environment"]["MOTO_IAM_LOAD_MANAGED_POLICIES"]).lower() == "true"


def test_demo_seed_runs_once_after_moto_and_the_apis(services):
    seed = services["demo-seed"]
    assert as_argv(seed["command"]) == ["cloudsketch", "seed-demo"]
    assert str(seed["restart"]) == "no"
    deps = depends_on(seed)
    assert deps.get("moto") == "service_healthy"
    assert deps.get("identity-api") == "service_healthy"
    assert deps.get("accounts-api") == "service_healthy"


def test_docker_compose_config_accepts_the_file():
    """The authoritative check: Compose itself parses and validates the file (no engine needed)."""
    docker = shutil.which("docker")
    if docker is None:
        pytest.skip("the docker CLI is not on PATH")
    version = subprocess.run([docker, "compose", "version"], capture_output=True, text=True, timeout=60)
    if version.returncode != 0:
        pytest.skip("the docker compose plugin is not installed "
                    f"(`docker compose version`: {(version.stderr or version.stdout).strip().splitlines()[0][:200]})")
    result = subprocess.run([docker, "compose", "-f", str(COMPOSE_FILE), "config", "-q"],
                            cwd=ROOT, capture_output=True, text=True, timeout=120)
    if result.returncode != 0 and "Cannot connect to the Docker daemon" in result.stderr:
        pytest.skip("docker compose config wanted a Docker engine, and none runs here")
    assert result.returncode == 0, result.stderr
