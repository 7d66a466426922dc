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

from services.collector.discovery import Context, Unit
from services.collector.discovery._shared import attributes, flatten, function_arn, unless_error
from services.collector.model import Edge, Item, Scope, iso

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
    return {"buses": buses, "rules": [{"rule": rule, "targets": found} for rule, found in zip(rules, targets)]}


def transform_event_buses(raw: dict, scope: Scope) -> list[Item]:
    items = []
    bus_arns = {}
    for bus in raw["buses"]:
        bus_arns[bus["Name"]] = bus["Arn"]
        items.append(Item(
            arn=bus["Arn"], type="AWS::Events::EventBus", name=bus["Name"], region=scope.region,
            attributes=attributes(description=bus.get("Description"), created=iso(bus.get("CreationTime")))))
    for entry in raw["rules"]:
        rule = entry["rule"]
        bus_name = rule.get("EventBusName", "default")
        bus = bus_arns.get(bus_name) or scope.arn("events", f"event-bus/{bus_name}")
        targets = dict.fromkeys(function_arn(target["Arn"]) for target in entry["targets"] if target.get("Arn"))
        items.append(Item(
            arn=rule["Arn"], type="AWS::Events::Rule", name=rule["Name"], region=scope.region,
            attributes=attributes(
                eventBusName=bus_name,
                state=rule.get("State"),
                scheduleExpression=rule.get("ScheduleExpression"),
                managedBy=rule.get("ManagedBy"),
                description=rule.get("Description")),
            edges=[Edge("member_of", rule["Arn"], bus)]
                  + [Edge("triggers", rule["Arn"], target) for target in targets]))
    return items


UNITS = [Unit("eventbridge.event_buses", "events", ("AWS::Events::EventBus", "AWS::Events::Rule"),
              get_event_buses, transform_event_buses)]
