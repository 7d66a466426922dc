# syntax=docker/dockerfile:1
#
# One image for every cloudsketch process (see services/common/processes.py): docker-compose.yml and
# deploy/k8s/ start each process from this image with its own command, e.g.
#   python -m services.diagram worker    python -m services.identity api    python -m gateway
# The image also carries moto's server for the demo (`python -m moto.server`) and the `cloudsketch`
# console script (`cloudsketch seed-demo`).
#
# Build: docker build -t cloudsketch:local .     (docker compose build does the same)

FROM python:3.11-slim

# PYTHONDONTWRITEBYTECODE: the code is owned by root and read-only for the app user (and the whole
# root filesystem is read-only on Kubernetes), so don't try to write .pyc files at run time.
# CLOUDSKETCH_BIND_HOST: containers are reached over their network interface, not loopback.
ENV PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore \
    CLOUDSKETCH_BIND_HOST=0.0.0.0 \
    CLOUDSKETCH_DATA_DIR=/var/lib/cloudsketch

# A fixed numeric uid/gid, so Kubernetes' runAsNonRoot can verify the user without a passwd lookup
# and the manifests can name it (runAsUser: 10001).
RUN groupadd --system --gid 10001 cloudsketch \
 && useradd --system --uid 10001 --gid 10001 --no-create-home \
        --home-dir /var/lib/cloudsketch --shell /usr/sbin/nologin cloudsketch \
 && install -d -o 10001 -g 10001 -m 0750 /var/lib/cloudsketch

WORKDIR /app

# The whole repository (less .dockerignore), then the project and its dependencies from
# pyproject.toml. The pip cache lives in a BuildKit cache mount: rebuilds after a code change don't
# download the dependencies again, and the cache never lands in a layer.
COPY . .
RUN --mount=type=cache,target=/root/.cache/pip \
    pip install .

USER 10001:10001

# Documentation only: gateway 8080, metrics (and worker /healthz) 9100, gRPC apis 50051-50055,
# moto 5055 (demo).
EXPOSE 8080 9100 50051-50055 5055

# No HEALTHCHECK here: it differs per process; docker-compose.yml and the Kubernetes probes set it.
CMD ["cloudsketch", "--help"]
