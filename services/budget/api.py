"""budget-api: the gRPC servicer, wiring BudgetService to the domain, and the outbox relay that
publishes the `budget_changed` events budget-worker writes (docs/budget.md, "The service")."""
from __future__ import annotations

from cloudsketch.budget.v1 import budget_pb2 as pb
from cloudsketch.budget.v1 import budget_pb2_grpc as pb_grpc
from services.budget.domain import Budgets
from services.budget.tables import outbox
from services.common.database import open_database
from services.common.events import EventPublisher
from services.common.outbox import RELAY_RETRY_POLICY, OutboxRelay

# budget-worker writes the events and cannot wake this relay (another process): it polls often.
RELAY_POLL_SECONDS = 1.0


class BudgetServicer(pb_grpc.BudgetServiceServicer):
    def __init__(self, budgets: Budgets):
        self.budgets = budgets

    def GetAccountBudget(self, request, context):
        return self.budgets.get_account_budget(request)

    def GetBudgetChanges(self, request, context):
        return self.budgets.get_budget_changes(request.account_id)

    def PriceBlueprint(self, request, context):
        return self.budgets.price_blueprint(request)


def register(server) -> list[str]:
    engine = open_database("budget")
    relay = OutboxRelay(engine, outbox, "budget", EventPublisher("budget", retry_policy=RELAY_RETRY_POLICY)
                        .publish_payload, poll_seconds=RELAY_POLL_SECONDS).start()
    relay.wake()
    pb_grpc.add_BudgetServiceServicer_to_server(BudgetServicer(Budgets(engine)), server)
    return [pb.DESCRIPTOR.services_by_name["BudgetService"].full_name]
