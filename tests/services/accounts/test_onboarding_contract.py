"""accounts-api renders the onboarding documents from what collector-api says the collector needs:
both real grpcio servers, accounts asking the collector with a grpcio client and keeping the
answer for the life of its process."""
from __future__ import annotations

import json

import grpc
import pytest
from prometheus_client import REGISTRY

from cloudsketch.accounts.v1 import accounts_pb2 as pb
from cloudsketch.accounts.v1 import accounts_pb2_grpc as pb_grpc
from cloudsketch.collector.v1 import collector_pb2, collector_pb2_grpc
from services.accounts.api import AccountsServicer
from services.accounts.domain import Accounts
from services.accounts.onboarding import Onboarding
from services.collector.api import CollectorServicer
from services.collector.declarations import iam_actions, resource_scopes, services
from services.common import config
from services.common.database import open_database
from services.common.grpc_server import build_server
from tests.helpers.aws import collector_permissions

TRUSTED = "111122223333"


class Verifier:
    trusted_account_id = TRUSTED


def _serve(register):
    server, _, port = build_server("test", register, listen_addr="127.0.0.1:0")
    server.start()
    return server, port


@pytest.fixture
def collector_api(monkeypatch):
    """collector-api's servicer (GetRequiredPermissions needs neither its database nor the bus)."""
    def register(server):
        collector_pb2_grpc.add_CollectorServiceServicer_to_server(CollectorServicer(None), server)
        return [collector_pb2.DESCRIPTOR.services_by_name["CollectorService"].full_name]

    server, port = _serve(register)
    monkeypatch.setenv("CLOUDSKETCH_COLLECTOR_API_ADDR", f"127.0.0.1:{port}")
    yield server
    server.stop(grace=None).wait()


@pytest.fixture
def accounts_api(tmp_path, monkeypatch):
    monkeypatch.setenv("CLOUDSKETCH_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("CLOUDSKETCH_DATABASE_URL", "")
    engine = open_database("accounts")
    accounts = Accounts(engine, Verifier())

    def register(server):
        pb_grpc.add_AccountsServiceServicer_to_server(AccountsServicer(accounts), server)
        return [pb.DESCRIPTOR.services_by_name["AccountsService"].full_name]

    server, port = _serve(register)
    with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
        yield pb_grpc.AccountsServiceStub(channel), accounts
    server.stop(grace=None).wait()
    engine.dispose()


def asked_collector() -> float:
    return REGISTRY.get_sample_value("grpc_server_handled_total", {
        "grpc_service": "cloudsketch.collector.v1.CollectorService", "grpc_method": "GetRequiredPermissions",
        "grpc_code": "OK"}) or 0.0


def test_collector_api_hands_out_its_declarations(collector_api):
    with grpc.insecure_channel(config.api_addr("collector")) as channel:
        reply = collector_pb2_grpc.CollectorServiceStub(channel).GetRequiredPermissions(
            collector_pb2.GetRequiredPermissionsRequest(), timeout=10)
    assert [a.action for a in reply.actions] == iam_actions()
    assert {a.action: tuple(a.resources) for a in reply.actions} == resource_scopes()
    assert list(reply.services) == services()
    assert [a.resources for a in reply.actions if a.action == "iam:GetRole"] == [
        ["arn:{partition}:iam::*:role/{role_name}"]]


def test_accounts_renders_the_minimal_policy_from_the_collectors_answer_and_keeps_it(collector_api, accounts_api):
    stub, accounts = accounts_api
    before = asked_collector()
    request = pb.GetOnboardingDocumentRequest(document=pb.ONBOARDING_DOCUMENT_MINIMAL_POLICY)
    reply = stub.GetOnboardingDocument(request, timeout=10)
    expected = Onboarding(TRUSTED, accounts.external_id(), collector_permissions()).minimal_policy()
    assert reply.content_type == "application/json"
    assert reply.content == json.dumps(expected, separators=(",", ":")) + "\n"
    assert json.loads(reply.content) == expected

    collector_api.stop(grace=None).wait()  # the answer is kept: collector-api is not asked again
    assert stub.GetOnboardingDocument(request, timeout=10).content == reply.content
    assert asked_collector() - before == 1


def test_without_collector_api_the_documents_are_unavailable(accounts_api, monkeypatch):
    monkeypatch.setenv("CLOUDSKETCH_COLLECTOR_API_ADDR", "127.0.0.1:1")  # nothing listens there
    stub, _ = accounts_api
    with pytest.raises(grpc.RpcError) as raised:
        stub.GetOnboardingDocument(pb.GetOnboardingDocumentRequest(document=pb.ONBOARDING_DOCUMENT_TRUST_POLICY),
                                   timeout=30)
    assert raised.value.code() == grpc.StatusCode.UNAVAILABLE
    assert "collector-api cannot say which IAM actions the collector needs" in raised.value.details()


@pytest.mark.parametrize("fields,message", [
    (dict(role_name=""), "role name"),
    (dict(partition="aws-mars"), "partition must be one of aws, aws-cn, aws-us-gov"),
    (dict(policy="admin"), "unknown policy 'admin'; choose one of: readonly, minimal"),
])
def test_bad_parameters_are_invalid_arguments(collector_api, accounts_api, fields, message):
    stub, _ = accounts_api
    with pytest.raises(grpc.RpcError) as raised:
        stub.GetOnboardingDocument(pb.GetOnboardingDocumentRequest(
            document=pb.ONBOARDING_DOCUMENT_TERRAFORM, **fields), timeout=10)
    assert raised.value.code() == grpc.StatusCode.INVALID_ARGUMENT and message in raised.value.details()


def test_terraform_is_plain_text_with_the_default_role_name(collector_api, accounts_api):
    stub, _ = accounts_api
    parameters = stub.GetIamParameters(pb.GetIamParametersRequest(), timeout=10)
    reply = stub.GetOnboardingDocument(pb.GetOnboardingDocumentRequest(
        document=pb.ONBOARDING_DOCUMENT_TERRAFORM, policy="minimal"), timeout=10)
    assert reply.content_type == "text/plain"
    assert f'name                 = "{parameters.role_name}"' in reply.content
    assert f"roleName={parameters.role_name}" in parameters.aws_console_url
