"""diagram-api: the gRPC servicer, wiring DiagramService to the domain."""
from __future__ import annotations

from cloudsketch.diagram.v1 import diagram_pb2 as pb
from cloudsketch.diagram.v1 import diagram_pb2_grpc as pb_grpc
from services.common.database import open_database
from services.diagram.domain import Diagrams


class DiagramServicer(pb_grpc.DiagramServiceServicer):
    def __init__(self, diagrams: Diagrams):
        self.diagrams = diagrams

    def GetAccountBlueprint(self, request, context):
        return self.diagrams.get_account_blueprint(request.account_id, request.region, request.format,
                                                   dict(request.options))


def register(server) -> list[str]:
    pb_grpc.add_DiagramServiceServicer_to_server(DiagramServicer(Diagrams(open_database("diagram"))), server)
    return [pb.DESCRIPTOR.services_by_name["DiagramService"].full_name]
