"""The budget as answers: an account's priced components in a currency over a period, grouped,
and the latest cost changes. The live budget itself is services/budget/live.py."""
from __future__ import annotations

import io
from decimal import Decimal, InvalidOperation

from google.protobuf import json_format
from sqlalchemy.engine import Engine

from cloudsketch.budget.v1 import budget_pb2 as pb
from services.budget import catalog as catalog_module
from services.budget.blueprint import price_document
from services.budget.costs import Priced
from services.budget.export import to_csv, to_xlsx
from services.budget.live import LiveBudget
from services.budget.totals import BudgetError, convert, currency_rates, money, total, totals
from services.common.errors import InvalidArgument, NotFound
from services.common.timeutil import to_timestamp

EXPORTS = {"csv": "text/csv; charset=utf-8",
           "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
STATES = {"awaiting_scan": pb.BUDGET_STATE_AWAITING_SCAN, "ready": pb.BUDGET_STATE_READY}


def pricing_terms(currency: str, period: str, rate: str) -> tuple[str, str, dict[str, Decimal]]:
    """(currency, period, rates) from a request; `rate` overrides the currency's USD rate."""
    currency = (currency or "USD").upper()
    period = period or "m"
    try:
        rates = currency_rates()
    except BudgetError as exc:
        raise InvalidArgument(str(exc)) from None
    if rate:
        try:
            value = Decimal(rate)
        except InvalidOperation:
            raise InvalidArgument(f"rate {rate!r} is not a number") from None
        if not value.is_finite() or value <= 0:
            raise InvalidArgument("rate must be a positive number")
        rates[currency] = value
    try:
        convert(Decimal(0), period, currency, rates)
    except BudgetError as exc:
        raise InvalidArgument(str(exc)) from None
    return currency, period, rates


def line_item(item: Priced, currency: str, period: str, rates) -> pb.LineItem:
    amount = "" if item.monthly is None else str(money(convert(item.monthly, period, currency, rates)))
    return pb.LineItem(arn=item.arn, type=item.type, region=item.region, name=item.name, amount=amount,
                       basis=item.basis, status=item.status, service=item.service, vpc=item.vpc, tags=dict(item.tags),
                       monthly_usd="" if item.monthly is None else format(item.monthly, "f"))


class Budgets:
    def __init__(self, engine: Engine, catalog: catalog_module.Catalog | None = None):
        self.engine = engine
        self._catalog = catalog
        self.live = LiveBudget(engine, catalog=self.catalog)

    @property
    def catalog(self) -> catalog_module.Catalog:
        """The one given, else the catalog in use, loaded again after a `prices refresh`."""
        return self._catalog or catalog_module.current()

    def _account(self, account_id: str):
        account = self.live.account(account_id)
        if account is None:
            raise NotFound("no budget for this account")
        return account

    def get_account_budget(self, request: pb.GetAccountBudgetRequest) -> pb.GetAccountBudgetResponse:
        currency, period, rates = pricing_terms(request.currency, request.period, request.rate)
        group_by = request.group_by or "service"
        account = self._account(request.account_id)
        response = pb.GetAccountBudgetResponse(state=STATES[account.state], currency=currency, period=period,
                                               price_source=self.catalog.describe(),
                                               last_sync_id=account.last_sync_id or "")
        if account.state != "ready":
            return response
        items = self.live.components(request.account_id, "" if request.region in ("", "all") else request.region)
        try:
            groups = totals(items, group_by)
        except BudgetError as exc:
            raise InvalidArgument(str(exc)) from None
        response.priced_at.CopyFrom(to_timestamp(account.priced_at))
        response.items.extend(line_item(item, currency, period, rates) for item in items)
        response.groups.extend(pb.Total(dimension=group_by, key=key,
                                        amount=str(money(convert(amount, period, currency, rates))))
                               for key, amount in groups.items())
        response.total = str(money(convert(total(items), period, currency, rates)))
        response.unpriced_count = sum(1 for item in items if item.status == "unpriced")
        return response

    def get_budget_changes(self, account_id: str) -> pb.GetBudgetChangesResponse:
        account = self._account(account_id)
        rows = self.live.latest_changes(account_id)
        response = pb.GetBudgetChangesResponse(state=STATES[account.state])
        if rows:
            response.sync_id = rows[0].sync_id
            response.changed_at.CopyFrom(to_timestamp(rows[0].created_at))
            response.total_before_usd = rows[0].total_before_usd
            response.total_after_usd = rows[0].total_after_usd
        response.changes.extend(pb.BudgetChange(arn=r.arn, type=r.type, name=r.name, before_usd=r.before_usd or "",
                                                after_usd=r.after_usd or "", delta_usd=r.delta_usd, reason=r.reason)
                                for r in rows)
        return response

    def price_blueprint(self, request: pb.PriceBlueprintRequest) -> pb.PriceBlueprintResponse:
        """A blueprint's budget file: Cloudcraft's CSV header first, or a workbook with a totals sheet."""
        check_format(request.format)
        currency, period, rates = pricing_terms(request.currency, request.period, request.rate)
        known: dict[str, Priced] = {}
        for account_id in request.account_ids:
            known.update((item.arn, item) for item in self.live.components(account_id))
        items = price_document(json_format.MessageToDict(request.document), known, self.catalog)
        content = export_file(items, request.format, currency, period, rates)
        return pb.PriceBlueprintResponse(content=content, content_type=EXPORTS[request.format],
                                         total=str(money(convert(total(items), period, currency, rates))),
                                         unpriced_count=sum(1 for item in items if item.status == "unpriced"))

    def export_account_budget(self, request: pb.ExportAccountBudgetRequest) -> pb.ExportAccountBudgetResponse:
        """An account's live budget as the blueprint export's file (the same rows and columns)."""
        check_format(request.format)
        currency, period, rates = pricing_terms(request.currency, request.period, request.rate)
        account = self._account(request.account_id)
        if account.state != "ready":
            return pb.ExportAccountBudgetResponse(state=STATES[account.state])
        items = self.live.components(request.account_id, "" if request.region in ("", "all") else request.region)
        return pb.ExportAccountBudgetResponse(state=STATES[account.state], content_type=EXPORTS[request.format],
                                              content=export_file(items, request.format, currency, period, rates))


def check_format(fmt: str) -> None:
    if fmt not in EXPORTS:
        raise InvalidArgument(f"budget format {fmt!r} is not one of csv, xlsx")


def export_file(items: list[Priced], fmt: str, currency: str, period: str, rates) -> bytes:
    if fmt == "csv":
        return to_csv(items, currency, period, rates).encode()
    buffer = io.BytesIO()
    to_xlsx(items, buffer, currency, period, rates)
    return buffer.getvalue()
