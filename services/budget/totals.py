"""Totals of priced components: grouped by service, region, VPC or tag; over an hour, day, week,
month or year; in Cloudcraft's currencies; and what changed between two priced sets.

A month is 730 hours: an hour is monthly / 730, a day 24 hours, a week 168 hours, a year 12
months. Currency rates are USD -> currency multipliers (DEFAULT_RATES, approximate, of RATES_DATE);
CLOUDSKETCH_CURRENCY_RATES overrides any of them: "EUR=0.92,GBP=0.79".
"""
from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from services.budget import catalog as catalog_module
from services.budget.costs import PRICED, Priced, Usage, price

CENT = Decimal("0.01")
HOURS = Decimal(730)
PERIODS: dict[str, Decimal] = {  # hours in each period (an amount is monthly x hours / 730)
    "h": Decimal(1), "d": Decimal(24), "w": Decimal(168), "m": HOURS, "y": 12 * HOURS,
}
PERIOD_NAMES = {"h": "hour", "d": "day", "w": "week", "m": "month", "y": "year"}

# Cloudcraft's budget currencies, in units per US dollar: approximate mid-market rates of late
# November 2025, set by hand (not an official fixing). Set CLOUDSKETCH_CURRENCY_RATES for the rates
# your finance team uses.
RATES_DATE = "2025-11-28"
DEFAULT_RATES: dict[str, Decimal] = {
    "USD": Decimal("1"), "AUD": Decimal("1.5290"), "CHF": Decimal("0.8046"), "DKK": Decimal("6.4497"),
    "EUR": Decimal("0.8636"), "GBP": Decimal("0.7560"), "HKD": Decimal("7.7838"), "JPY": Decimal("156.18"),
    "NOK": Decimal("10.1330"), "NZD": Decimal("1.7470"), "SEK": Decimal("9.4680"), "ZAR": Decimal("17.1380"),
}
CURRENCIES = tuple(DEFAULT_RATES)


class BudgetError(ValueError):
    """An unknown period, currency, grouping, or a malformed rate override."""


def currency_rates(override: str | None = None) -> dict[str, Decimal]:
    """The rates: defaults, overridden by `override` or CLOUDSKETCH_CURRENCY_RATES ("EUR=0.92,GBP=0.79")."""
    text = override if override is not None else os.environ.get("CLOUDSKETCH_CURRENCY_RATES", "")
    rates = dict(DEFAULT_RATES)
    for item in filter(None, (part.strip() for part in text.split(","))):
        code, _, value = item.partition("=")
        code = code.strip().upper()
        if code not in DEFAULT_RATES or code == "USD":
            raise BudgetError(f"CLOUDSKETCH_CURRENCY_RATES: {code!r} is not one of {', '.join(CURRENCIES[1:])}")
        try:
            rate = Decimal(value.strip())
        except InvalidOperation:
            raise BudgetError(f"CLOUDSKETCH_CURRENCY_RATES: {item!r} is not CODE=NUMBER") from None
        if rate <= 0:
            raise BudgetError(f"CLOUDSKETCH_CURRENCY_RATES: the {code} rate must be positive")
        rates[code] = rate
    return rates


def convert(monthly_usd: Decimal, period: str = "m", currency: str = "USD",
            rates: Mapping[str, Decimal] | None = None) -> Decimal:
    """A monthly USD amount over `period` in `currency`, unrounded."""
    if period not in PERIODS:
        raise BudgetError(f"period {period!r} is not one of {', '.join(PERIODS)}")
    rates = rates if rates is not None else currency_rates()
    if currency not in rates:
        raise BudgetError(f"currency {currency!r} is not one of {', '.join(CURRENCIES)}")
    return monthly_usd * PERIODS[period] / HOURS * rates[currency]


def money(amount: Decimal) -> Decimal:
    """Rounded to the cent (half up), as shown and exported."""
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def group_key(item: Priced, by: str) -> str:
    if by == "service":
        return item.service
    if by == "region":
        return item.region or "global"
    if by == "vpc":
        return item.vpc or "(no VPC)"
    if by == "type":
        return item.type
    if by.startswith("tag:"):
        return item.tags.get(by[4:], "(untagged)")
    raise BudgetError(f"cannot group by {by!r}: use service, region, vpc, type or tag:<key>")


def totals(items: Iterable[Priced], by: str) -> dict[str, Decimal]:
    """Monthly USD per group, of the priced components (free ones add nothing, unpriced ones are
    left out: `unpriced()` lists them)."""
    result: dict[str, Decimal] = {}
    for item in items:
        if item.status == PRICED:
            key = group_key(item, by)
            result[key] = result.get(key, Decimal(0)) + item.monthly
    return dict(sorted(result.items()))


def total(items: Iterable[Priced]) -> Decimal:
    return sum((item.monthly for item in items if item.status == PRICED), Decimal(0))


def unpriced(items: Iterable[Priced]) -> list[Priced]:
    return [item for item in items if item.status == "unpriced"]


# --- What changed ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    arn: str
    type: str
    name: str
    before: Decimal | None   # monthly USD; None when absent or unpriced
    after: Decimal | None
    delta: Decimal
    reason: str


LABELS = {  # how a new component is named in a reason
    "AWS::EC2::Instance": "EC2 instance", "AWS::EC2::Volume": "EBS volume", "AWS::EC2::NatGateway": "NAT gateway",
    "AWS::RDS::DBInstance": "RDS instance", "AWS::RDS::DBCluster": "Aurora cluster",
    "AWS::ElasticLoadBalancingV2::LoadBalancer": "load balancer", "AWS::ElasticLoadBalancing::LoadBalancer":
    "classic load balancer", "AWS::EC2::VPCEndpoint": "VPC endpoint", "AWS::Lambda::Function": "Lambda function",
    "AWS::DynamoDB::Table": "DynamoDB table", "AWS::S3::Bucket": "S3 bucket", "AWS::EKS::Cluster": "EKS cluster",
    "AWS::ECS::Task": "Fargate task", "AWS::EC2::TransitGatewayAttachment": "transit gateway attachment",
}


def _label(cfn_type: str) -> str:
    return LABELS.get(cfn_type) or cfn_type.split("::")[-1]


def _reason(before: Priced, after: Priced) -> str:
    if before.status != after.status:  # started, stopped, became priceable or not
        why = after.basis if after.status != PRICED else before.basis
        return f"{before.status} -> {after.status} ({why.split(': ', 1)[-1]})"
    old, new = dict(before.drivers), dict(after.drivers)
    if before.type == "AWS::EC2::Volume" and old.get("volumeType") == new.get("volumeType") \
            and old.get("size") != new.get("size"):
        return f"{new['volumeType']} {old.get('size')} -> {new.get('size')} GiB"
    moved = [key for key in dict.fromkeys([*old, *new]) if old.get(key) != new.get(key)]
    if len(moved) == 1 and moved[0] in ("instanceType", "instanceClass", "nodeType", "cacheNodeType"):
        return f"{old.get(moved[0])} -> {new.get(moved[0])}"
    if moved:
        return ", ".join(f"{key} {old.get(key)} -> {new.get(key)}" for key in moved)
    if before.unit_price != after.unit_price:
        return f"unit price {before.unit_price} -> {after.unit_price}"
    return "usage or price changed"


def _amount(item: Priced | None) -> Decimal | None:
    return item.monthly if item is not None and item.status != "unpriced" else None


def changes(before: Mapping[str, Priced], after: Mapping[str, Priced]) -> list[Change]:
    """Each component (by ARN) whose monthly cost moved, by how much and why, largest move first."""
    found = []
    for arn in dict.fromkeys([*before, *after]):
        old, new = before.get(arn), after.get(arn)
        old_amount, new_amount = _amount(old), _amount(new)
        if old is not None and new is not None and old_amount == new_amount and old.status == new.status:
            continue
        if old is None:
            if new_amount == 0 and new.status != "unpriced":
                continue  # a new free component changes nothing
            reason = f"new {_label(new.type)}"
        elif new is None:
            if old_amount == 0 and old.status != "unpriced":
                continue
            reason = "removed"
        else:
            reason = _reason(old, new)
        item = new or old
        delta = (new_amount or Decimal(0)) - (old_amount or Decimal(0))
        found.append(Change(arn, item.type, item.name, old_amount, new_amount, delta, reason))
    return sorted(found, key=lambda change: (-abs(change.delta), change.arn))


# --- A budget kept up to date --------------------------------------------------------------------


class Budget:
    """Priced components by ARN with running totals, updated one change at a time (a collector
    batch re-prices only the resources it names)."""

    def __init__(self, usage: Usage | None = None, catalog: catalog_module.Catalog | None = None):
        self.usage = usage
        self.catalog = catalog or catalog_module.default()
        self.items: dict[str, Priced] = {}
        self.total = Decimal(0)
        self.by_service: dict[str, Decimal] = {}
        self.by_region: dict[str, Decimal] = {}

    def _add(self, item: Priced, sign: int) -> None:
        if item.status != PRICED:
            return
        amount = item.monthly * sign
        self.total += amount
        self.by_service[item.service] = self.by_service.get(item.service, Decimal(0)) + amount
        region = item.region or "global"
        self.by_region[region] = self.by_region.get(region, Decimal(0)) + amount

    def put(self, component) -> Priced:
        item = price(component, self.usage, self.catalog)
        old = self.items.get(item.arn)
        if old is not None:
            self._add(old, -1)
        self.items[item.arn] = item
        self._add(item, 1)
        return item

    def remove(self, arn: str) -> None:
        old = self.items.pop(arn, None)
        if old is not None:
            self._add(old, -1)

    def apply(self, changed: Iterable = (), removed: Iterable[str] = ()) -> list[Change]:
        """Re-prices the changed components, drops the removed ARNs; returns what changed."""
        before: dict[str, Priced] = {}
        after: dict[str, Priced] = {}
        for component in changed:
            if component.arn in self.items:
                before[component.arn] = self.items[component.arn]
            after[component.arn] = self.put(component)
        for arn in removed:
            if arn in self.items:
                before[arn] = self.items[arn]
                self.remove(arn)
        return changes(before, after)
