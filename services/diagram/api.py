"""diagram-api: the gRPC servicer, wiring DiagramService to the domain."""
from __future__ import annotations

from cloudsketch.diagram.v1 import diagram_pb2 as pb
from cloudsketch.diagram.v1 import diagram_pb2_grpc as pb_grpc
from services.common.database import open_database
from services.diagram.blueprints import Blueprints
from services.diagram.domain import Diagrams, Warmer


class DiagramServicer(pb_grpc.DiagramServiceServicer):
    def __init__(self, diagrams: Diagrams, blueprints: Blueprints):
        self.diagrams = diagrams
        self.blueprints = blueprints

    def GetAccountBlueprint(self, request, context):
        return self.diagrams.get_account_blueprint(request.account_id, request.region, request.format,
                                                   dict(request.options))

    def ListBlueprints(self, request, context):
        return self.blueprints.list()

    def CreateBlueprint(self, request, context):
        return pb.CreateBlueprintResponse(blueprint=self.blueprints.create(request))

    def GetBlueprint(self, request, context):
        return self.blueprints.get(request.id, request.format, dict(request.options))

    def UpdateBlueprint(self, request, context):
        return pb.UpdateBlueprintResponse(blueprint=self.blueprints.update(request))

    def DeleteBlueprint(self, request, context):
        self.blueprints.delete(request.id)
        return pb.DeleteBlueprintResponse()

    def ListBlueprintVersions(self, request, context):
        return self.blueprints.versions(request.id)

    def DiffBlueprintVersions(self, request, context):
        return self.blueprints.diff(request.id, request.from_version, request.to_version)

    def ListAccountVersions(self, request, context):
        return self.diagrams.account_versions(request.account_id)

    def DiffAccountVersions(self, request, context):
        return self.diagrams.diff_account_versions(request.account_id, request.from_version, request.to_version,
                                                    request.format, dict(request.options))


def register(server) -> list[str]:
    engine = open_database("diagram")
    diagrams = Diagrams(engine)
    pb_grpc.add_DiagramServiceServicer_to_server(DiagramServicer(diagrams, Blueprints(engine)), server)
    # The cache warms and follows the live model in the background: readiness does not wait.
    Warmer(diagrams).start()
    return [pb.DESCRIPTOR.services_by_name["DiagramService"].full_name]
