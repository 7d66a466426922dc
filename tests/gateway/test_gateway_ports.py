"""The gateway's public port serves the app and a minimal /healthz only; /metrics and /readyz
(which names every upstream service) are on its metrics port, which only Prometheus and the
kubelet reach (docs/security.md, "Private internal ports"). A real `python -m gateway`."""
from __future__ import annotations

import os
import subprocess
import sys
import time

import requests

from cloudsketch.identity.v1 import identity_pb2 as identity_pb
from gateway import create_app
from services.common.supervisor import free_port_block


class Identity:
    def GetSetupState(self, request):
        return identity_pb.GetSetupStateResponse(needs_first_owner=False)


class Clients:
    identity = Identity()


def test_the_landing_page_links_nothing_of_the_metrics_port():
    reply = create_app(Clients()).test_client().get("/")
    assert reply.status_code == 200
    assert 'href="/metrics"' not in reply.get_data(as_text=True)


def test_metrics_and_readiness_are_off_the_public_port(tmp_path):
    base = free_port_block(320)
    env = {**os.environ, "CLOUDSKETCH_DATA_DIR": str(tmp_path), "CLOUDSKETCH_GATEWAY_PORT": str(base),
           "CLOUDSKETCH_METRICS_PORT_BASE": str(base + 100), "CLOUDSKETCH_METRICS_PORT": "",
           **{f"CLOUDSKETCH_{s.upper()}_API_ADDR": f"127.0.0.1:{base + 10 + n}"
              for n, s in enumerate(("identity", "accounts", "collector", "diagram", "budget"), start=1)}}
    gateway = subprocess.Popen([sys.executable, "-m", "gateway"], env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    public, internal = f"http://127.0.0.1:{base}", f"http://127.0.0.1:{base + 100}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                requests.get(f"{public}/healthz", timeout=2)
                requests.get(f"{internal}/healthz", timeout=2)
                break
            except requests.ConnectionError:
                assert gateway.poll() is None and time.monotonic() < deadline, "the gateway did not come up"
                time.sleep(0.2)
        healthz = requests.get(f"{public}/healthz", timeout=5)
        assert (healthz.status_code, healthz.json()) == (200, {"status": "ok"})
        for path in ("/metrics", "/readyz"):
            assert requests.get(f"{public}{path}", timeout=5).status_code == 404, path
        metrics = requests.get(f"{internal}/metrics", timeout=5)
        assert metrics.status_code == 200 and "http_requests_total" in metrics.text
        ready = requests.get(f"{internal}/readyz", timeout=10)
        assert ready.status_code == 503 and ready.json()["upstreams"]["identity"] == "unavailable"
    finally:
        gateway.terminate()
        gateway.wait(timeout=30)
