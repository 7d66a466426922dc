"""Budget exports: CSV in Cloudcraft's column order, then cloudsketch's own columns; XLSX with the
same rows and a totals sheet."""
from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import IO

from services.budget.costs import FREE, PRICED, Priced
from services.budget.totals import PERIOD_NAMES, convert, currency_rates, money, totals

# Cloudcraft's budget CSV header, in its order.
CLOUDCRAFT_COLUMNS = (
    "category", "type", "region", "count", "unitPrice", "cost", "instanceType", "instanceSize", "platform", "role",
    "engine", "storage", "dataGb", "snapshots", "volume", "iops", "memory", "mRequests", "computeDuration",
    "readUnits", "writeUnits", "readConsistency", "shards", "putUnits", "extendedRetention", "emailsOut",
    "requests", "notifications", "notificationType", "cache", "apiCalls", "tier", "instance",
)
OWN_COLUMNS = ("id", "name", "currency", "period", "basis", "priced")
COLUMNS = CLOUDCRAFT_COLUMNS + OWN_COLUMNS
PRICED_FLAG = {PRICED: "yes", FREE: "free", "unpriced": "no"}


def rows(items: Iterable[Priced], currency: str = "USD", period: str = "m",
         rates: Mapping[str, Decimal] | None = None) -> list[dict]:
    """One row per component: `cost` over `period` in `currency` (to the cent), `unitPrice` as the
    catalog gives it (USD), empty when unpriced."""
    rates = rates if rates is not None else currency_rates()
    out = []
    for item in items:
        row = dict.fromkeys(COLUMNS, "")
        row.update({key: value for key, value in item.fields.items() if key in row})
        row.update({
            "region": item.region, "count": item.count,
            "unitPrice": "" if item.unit_price is None else str(item.unit_price),
            "cost": "" if item.monthly is None else str(money(convert(item.monthly, period, currency, rates))),
            "id": item.arn, "name": item.name, "currency": currency, "period": period, "basis": item.basis,
            "priced": PRICED_FLAG[item.status],
        })
        out.append(row)
    return out


def to_csv(items: Iterable[Priced], currency: str = "USD", period: str = "m",
           rates: Mapping[str, Decimal] | None = None) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows(items, currency, period, rates))
    return buffer.getvalue()


NUMERIC = ("count", "cost")


def to_xlsx(items: Iterable[Priced], target: str | IO[bytes], currency: str = "USD", period: str = "m",
            rates: Mapping[str, Decimal] | None = None) -> None:
    """Writes a workbook: sheet "Budget" (the CSV's rows, costs as numbers) and sheet "Totals"
    (by service and by region, and the grand total)."""
    from openpyxl import Workbook

    items = list(items)
    rates = rates if rates is not None else currency_rates()
    book = Workbook()
    sheet = book.active
    sheet.title = "Budget"
    sheet.append(list(COLUMNS))
    for row in rows(items, currency, period, rates):
        sheet.append([float(row[c]) if c in NUMERIC and row[c] != "" else row[c] for c in COLUMNS])
    summary = book.create_sheet("Totals")
    summary.append(["group", "key", f"cost ({currency} per {PERIOD_NAMES[period]})"])
    for by in ("service", "region"):
        for key, amount in totals(items, by).items():
            summary.append([by, key, float(money(convert(amount, period, currency, rates)))])
    grand = sum((item.monthly for item in items if item.status == PRICED), Decimal(0))
    summary.append(["total", "", float(money(convert(grand, period, currency, rates)))])
    unpriced = sum(1 for item in items if item.status == "unpriced")
    summary.append(["unpriced components", "", unpriced])
    book.save(target)
