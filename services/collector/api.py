"""collector-api: the gRPC servicer for sync control (on-demand syncs and their status) and the
inventory that derived state is rebuilt from."""
from __future__ import annotations

from cloudsketch.collector.v1 import collector_pb2 as pb
from cloudsketch.collector.v1 import collector_pb2_grpc as pb_grpc
from cloudsketch.collector.v1 import events_pb2 as events
from services.collector.declarations import required_permissions
from services.collector.domain import Collector
from services.common.database import open_database
from services.common.events import EventPublisher
from services.common.timeutil import to_timestamp, utcnow


class CollectorServicer(pb_grpc.CollectorServiceServicer):
    def __init__(self, collector: Collector, publisher: EventPublisher):
        self.collector = collector
        self.publisher = publisher

    def RequestSync(self, request, context):
        # The gateway has checked that the account exists; the worker asks accounts-api again.
        sync_id, new = self.collector.request_sync(request.account_id, list(request.regions), "on_demand")
        if new:
            self.publisher.publish("sync_requested", events.SyncRequested(
                account_id=request.account_id, sync_id=sync_id, regions=request.regions, reason="on_demand",
                occurred_at=to_timestamp(utcnow())))
        return pb.RequestSyncResponse(sync_id=sync_id, queued_new=new)

    def GetSyncStatus(self, request, context):
        return pb.GetSyncStatusResponse(status=self.collector.status(request.account_id))

    def GetRequiredPermissions(self, request, context):
        return required_permissions()

    def ListInventory(self, request, context):
        yield from self.collector.inventory(request.account_id, request.page_size)


def register(server) -> list[str]:
    servicer = CollectorServicer(Collector(open_database("collector")), EventPublisher("collector"))
    pb_grpc.add_CollectorServiceServicer_to_server(servicer, server)
    return [pb.DESCRIPTOR.services_by_name["CollectorService"].full_name]
