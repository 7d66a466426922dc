"""Configuration: defaults that work on one machine, overrides from the environment, and a
documentation table that lists every variable."""
from __future__ import annotations

from pathlib import Path

from services.common import config
from tests.helpers.stack import REPO

DOC = (REPO / "docs" / "configuration.md").read_text()


def test_every_setting_is_documented_with_its_default():
    assert config.markdown_table() in DOC, "regenerate: python docs/generate.py"
    for setting in config.SETTINGS:
        assert f"| `{setting.name}` |" in DOC, setting.name


def test_defaults(monkeypatch):
    for setting in config.SETTINGS:
        monkeypatch.delenv(setting.name, raising=False)
    monkeypatch.delenv("CLOUDSKETCH_DIAGRAM_API_ADDR", raising=False)
    assert config.amqp_uri() == "amqp://guest:guest@127.0.0.1:5672/"
    assert config.gateway_port() == 8080
    assert config.api_addr("diagram") == "127.0.0.1:50054"
    assert config.metrics_port("diagram", "api") == 9104
    assert config.metrics_port("diagram", "worker") == 9204
    assert config.data_dir() == Path("./var").resolve()


def test_overrides_and_empty_values(monkeypatch):
    monkeypatch.setenv("CLOUDSKETCH_DIAGRAM_API_ADDR", "diagram-api:7000")
    monkeypatch.setenv("CLOUDSKETCH_BIND_HOST", "0.0.0.0")
    assert config.api_listen_addr("diagram") == "0.0.0.0:7000"
    monkeypatch.setenv("CLOUDSKETCH_METRICS_PORT", "9100")
    assert config.metrics_port("identity", "api") == config.metrics_port("diagram", "worker") == 9100
    monkeypatch.setenv("CLOUDSKETCH_METRICS_PORT", "")
    monkeypatch.setenv("CLOUDSKETCH_METRICS_PORT_BASE", "20000")
    assert config.metrics_port("accounts", "worker") == 20102
    monkeypatch.setenv("CLOUDSKETCH_GATEWAY_PORT", "")  # empty means default, not an error
    assert config.gateway_port() == 8080


def test_redact_url():
    assert config.redact_url("amqp://guest:guest@host:5672/") == "amqp://guest:***@host:5672/"
    assert config.redact_url("postgresql://u@h/db") == "postgresql://u@h/db"
    assert config.redact_url("sqlite:////var/x.db") == "sqlite:////var/x.db"
