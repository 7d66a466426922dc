"""Domain errors become the gRPC status of their class, or of their nearest parent class."""
import grpc

from services.accounts.verification import VerificationFailed
from services.common import errors
from services.common.grpc_server import status_of


def test_a_subclass_takes_its_parents_status():
    assert status_of(errors.InvalidArgument("x")) == grpc.StatusCode.INVALID_ARGUMENT
    assert status_of(VerificationFailed("the role does not exist")) == grpc.StatusCode.INVALID_ARGUMENT
    assert status_of(errors.NotFound("x")) == grpc.StatusCode.NOT_FOUND
    assert status_of(errors.DomainError("x")) == grpc.StatusCode.FAILED_PRECONDITION
