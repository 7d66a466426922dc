"""EventBridge event buses and rules: ListEventBuses, ListRules per bus (a call lists one bus's
rules), ListTargetsByRule per rule (no call lists several rules' targets).

One unit, because rules need the bus list. The diagram draws rule -member_of-> bus and
rule -triggers-> each target (a Lambda function, queue, topic, stream, state machine, another
bus...: the target's ARN as given, a function's version or alias mapped to the function).

Never stored: a target's input, input transformer and HTTP parameters (constant input and headers
may carry secrets), nor the buses' resource policies and the rules' event patterns, which a
diagram does not need. Tags come from the sync engine's tagging call.
"""
from __future__ import annotations

from services.collector.discovery import Context
from services.collector.discovery._shared import flatten, function_arn, unless_error
from services.collector.discovery._spec import Link, Spec, arn_in, first_of, named, timestamp, unit

PAGE = 100                              # Limit of ListEventBuses, ListRules and ListTargetsByRule: at most 100
GONE = ("ResourceNotFoundException",)   # the bus or rule was deleted after it was listed


def get_event_buses(ctx: Context) -> dict:
    # botocore has no paginator for ListEventBuses: its page size goes as the API names it.
    buses = ctx.paginate("list_event_buses", "EventBuses", Limit=PAGE)
    rules = flatten(ctx.map(lambda bus: unless_error(GONE, ctx.paginate, "list_rules", "Rules", default=[],
                                                     page_size=PAGE, EventBusName=bus["Name"]), buses))
    targets = ctx.map(lambda rule: unless_error(GONE, ctx.paginate, "list_targets_by_rule", "Targets", default=[],
                                                page_size=PAGE, Rule=rule["Name"],
                                                EventBusName=rule.get("EventBusName", "default")), rules)
    return {"buses": buses,
            "rules": [{"rule": rule, "targets": found} for rule, found in zip(rules, targets, strict=False)]}


def rules(raw: dict) -> list[dict]:
    """The rules, each with "_busName", "_busArn" (where its bus is listed) and "_targets" (the
    targets' ARNs, a function's version or alias mapped to the function)."""
    bus_arns = {bus["Name"]: bus["Arn"] for bus in raw["buses"]}
    return [{**entry["rule"], "_busName": entry["rule"].get("EventBusName", "default"),
             "_busArn": bus_arns.get(entry["rule"].get("EventBusName", "default")),
             "_targets": [function_arn(target["Arn"]) for target in entry["targets"] if target.get("Arn")]}
            for entry in raw["rules"]]


EVENT_BUS = Spec(
    "AWS::Events::EventBus", arn="Arn", name="Name", records="buses",
    attributes={"description": "Description", "created": timestamp("CreationTime")})

RULE = Spec(
    "AWS::Events::Rule", arn="Arn", name="Name", records=rules,
    attributes={
        "eventBusName": "_busName",
        **named("State", "ScheduleExpression", "ManagedBy", "Description"),
    },
    edges=(Link("member_of", first_of("_busArn", arn_in("events", "event-bus/{_busName}"))),
           Link("triggers", "_targets")))

UNITS = [unit("eventbridge.event_buses", "events", get_event_buses, EVENT_BUS, RULE)]
