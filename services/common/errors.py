"""Domain errors, raised by services' domain code and turned into gRPC status codes by the api
processes (and from there into HTTP status codes by the gateway)."""


class DomainError(Exception):
    """Base: the message is safe to show to the caller."""


class InvalidArgument(DomainError):
    pass


class NotFound(DomainError):
    pass


class AlreadyExists(DomainError):
    pass


class PermissionDenied(DomainError):
    pass


class Unauthenticated(DomainError):
    pass


class FailedPrecondition(DomainError):
    pass


class RateLimited(DomainError):
    pass


class Unavailable(DomainError):
    """Another service this one needs cannot answer now; the caller may try again."""


class Stale(DomainError):
    """The change is based on an outdated version (REST If-Match): gRPC ABORTED."""
