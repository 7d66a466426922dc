"""accounts-api: the gRPC servicer, wiring AccountsService to the domain."""
from __future__ import annotations

from cloudsketch.accounts.v1 import accounts_pb2 as pb
from cloudsketch.accounts.v1 import accounts_pb2_grpc as pb_grpc
from services.accounts.domain import Accounts
from services.accounts.tables import outbox
from services.accounts.verification import RoleVerifier
from services.common.database import open_database
from services.common.outbox import start_relay


class AccountsServicer(pb_grpc.AccountsServiceServicer):
    def __init__(self, accounts: Accounts):
        self.accounts = accounts

    def GetIamParameters(self, request, context):
        return self.accounts.iam_parameters()

    def GetOnboardingDocument(self, request, context):
        return self.accounts.onboarding_document(
            request.document, role_name=request.role_name if request.HasField("role_name") else None,
            partition=request.partition if request.HasField("partition") else None,
            policy=request.policy if request.HasField("policy") else None)

    def CreateAccount(self, request, context):
        return pb.CreateAccountResponse(account=self.accounts.create_account(
            request.name, request.role_arn, request.creator_id, list(request.regions), request.region))

    def GetAccount(self, request, context):
        return pb.GetAccountResponse(account=self.accounts.get_account(request.id))

    def ListAccounts(self, request, context):
        found, next_cursor = self.accounts.list_accounts_page(
            list(request.ids), request.search, request.visible_to if request.HasField("visible_to") else None,
            request.limit, request.cursor)
        return pb.ListAccountsResponse(accounts=found, next_cursor=next_cursor)

    def UpdateAccount(self, request, context):
        return pb.UpdateAccountResponse(account=self.accounts.update_account(
            request.id, request.actor_id,
            name=request.name if request.HasField("name") else None,
            role_arn=request.role_arn if request.HasField("role_arn") else None,
            read_access=list(request.read_access.ids) if request.HasField("read_access") else None,
            write_access=list(request.write_access.ids) if request.HasField("write_access") else None,
            region=request.region))

    def OnboardOrganization(self, request, context):
        return self.accounts.onboard_organization(request.role_arn, request.member_role_name, request.creator_id,
                                                  request.region)

    def DeleteAccount(self, request, context):
        self.accounts.delete_account(request.id, request.actor_id)
        return pb.DeleteAccountResponse()


def register(server) -> list[str]:
    engine = open_database("accounts")
    # The outbox relay runs in this process (accounts has no worker): woken after each commit that
    # wrote an event, and polling for the rest (docs/architecture.md, "The outbox relay").
    relay = start_relay(engine, outbox, "accounts")
    accounts = Accounts(engine, RoleVerifier(), relay.wake)
    pb_grpc.add_AccountsServiceServicer_to_server(AccountsServicer(accounts), server)
    return [pb.DESCRIPTOR.services_by_name["AccountsService"].full_name]
