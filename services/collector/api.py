"""collector-api: the gRPC servicer for sync control (on-demand syncs and their status) and the
inventory that derived state is rebuilt from."""
from __future__ import annotations

from cloudsketch.collector.v1 import collector_pb2 as pb
from cloudsketch.collector.v1 import collector_pb2_grpc as pb_grpc
from services.collector.declarations import required_permissions
from services.collector.domain import Collector
from services.collector.tables import outbox
from services.common.database import open_database
from services.common.outbox import start_relay


class CollectorServicer(pb_grpc.CollectorServiceServicer):
    def __init__(self, collector: Collector):
        self.collector = collector

    def RequestSync(self, request, context):
        # The gateway has checked that the account exists; the worker asks accounts-api again.
        # A new sync's sync_requested event goes out through the outbox (Collector.request_sync).
        sync_id, new = self.collector.request_sync(request.account_id, list(request.regions), "on_demand")
        return pb.RequestSyncResponse(sync_id=sync_id, queued_new=new)

    def GetSyncStatus(self, request, context):
        return pb.GetSyncStatusResponse(status=self.collector.status(request.account_id))

    def GetRequiredPermissions(self, request, context):
        return required_permissions()

    def ListInventory(self, request, context):
        yield from self.collector.inventory(request.account_id, request.page_size)


def register(server) -> list[str]:
    engine = open_database("collector")
    # This process relays the collector's outbox (so does the worker, for the syncs it requests):
    # docs/architecture.md, "The outbox relay".
    relay = start_relay(engine, outbox, "collector")
    pb_grpc.add_CollectorServiceServicer_to_server(CollectorServicer(Collector(engine, relay.wake)), server)
    return [pb.DESCRIPTOR.services_by_name["CollectorService"].full_name]
