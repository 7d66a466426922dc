"""AWS Direct Connect connections (a region's dedicated and hosted connections)."""
from __future__ import annotations

from services.collector.discovery import Context, Unit
from services.collector.discovery._shared import gone, make_item
from services.collector.model import Item, Scope, tags_of


def get_connections(ctx: Context) -> list[dict]:
    # botocore has no paginator for it: one call without maxResults returns every connection.
    return ctx.paginate("describe_connections", "connections")


def transform_connections(connections: list[dict], scope: Scope) -> list[Item]:
    items = []
    for connection in connections:
        if gone(connection.get("connectionState")):  # deleted or rejected
            continue
        connection_id = connection["connectionId"]
        attributes = {
            "connectionId": connection_id,
            "connectionState": connection.get("connectionState"),
            "bandwidth": connection.get("bandwidth"),  # the port-hour price depends on it ("1Gbps", "10Gbps")
            "location": connection.get("location"),
            "partnerName": connection.get("partnerName"),
            "providerName": connection.get("providerName"),
            "vlan": connection.get("vlan"),
            "ownerAccount": connection.get("ownerAccount"),
            "lagId": connection.get("lagId"),
            "hasLogicalRedundancy": connection.get("hasLogicalRedundancy"),
        }
        # AWS's ids look like "dxcon-fgxy1234"; moto (the demo's AWS) hands out whole ARNs as ids.
        arn = (connection_id if connection_id.startswith("arn:")
               else scope.arn("directconnect", f"dxcon/{connection_id}"))
        items.append(make_item(scope, arn, "AWS::DirectConnect::Connection",
                               connection.get("connectionName") or connection_id,
                               tags_of(connection.get("tags"), key="key", value="value"), attributes))
    return items


UNITS = [
    Unit("directconnect.connections", "directconnect", ("AWS::DirectConnect::Connection",), get_connections,
         transform_connections),
]
