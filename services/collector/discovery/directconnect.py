"""AWS Direct Connect connections (a region's dedicated and hosted connections). Absent fields are
stored as null (keep_none, discovery/_spec.py)."""
from __future__ import annotations

from services.collector.discovery._spec import Spec, alive, arn_or_id, first_of, listing, named, tags_at, unit

CONNECTION = Spec(
    # AWS's ids look like "dxcon-fgxy1234"; moto (the demo's AWS) hands out whole ARNs as ids.
    "AWS::DirectConnect::Connection", arn=arn_or_id("connectionId", "directconnect", "dxcon/{}"),
    name=first_of("connectionName", "connectionId"), tags=tags_at("tags", "key", "value"),
    where=alive("connectionState"),   # deleted or rejected
    keep_none=True,
    attributes={
        "connectionId": "connectionId",
        "connectionState": "connectionState",
        "bandwidth": "bandwidth",  # the port-hour price depends on it ("1Gbps", "10Gbps")
        **named("location", "partnerName", "providerName", "vlan", "ownerAccount", "lagId", "hasLogicalRedundancy"),
    })

UNITS = [
    # botocore has no paginator for it: one call without maxResults returns every connection.
    unit("directconnect.connections", "directconnect", listing("describe_connections", "connections"), CONNECTION),
]
