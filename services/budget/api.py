"""budget-api: the gRPC servicer, wiring BudgetService to the domain. budget-worker writes and
relays the `budget_changed` events (docs/budget.md, "The service")."""
from __future__ import annotations

from cloudsketch.budget.v1 import budget_pb2 as pb
from cloudsketch.budget.v1 import budget_pb2_grpc as pb_grpc
from services.budget.domain import Budgets
from services.common.database import open_database


class BudgetServicer(pb_grpc.BudgetServiceServicer):
    def __init__(self, budgets: Budgets):
        self.budgets = budgets

    def GetAccountBudget(self, request, context):
        return self.budgets.get_account_budget(request)

    def GetBudgetChanges(self, request, context):
        return self.budgets.get_budget_changes(request.account_id)

    def PriceBlueprint(self, request, context):
        return self.budgets.price_blueprint(request)

    def ExportAccountBudget(self, request, context):
        return self.budgets.export_account_budget(request)


def register(server) -> list[str]:
    pb_grpc.add_BudgetServiceServicer_to_server(BudgetServicer(Budgets(open_database("budget"))), server)
    return [pb.DESCRIPTOR.services_by_name["BudgetService"].full_name]
