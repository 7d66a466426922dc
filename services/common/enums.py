"""Names for protobuf enum values, derived from the enum itself so that a contract's names are
written in one place: its .proto file."""
from __future__ import annotations

from google.protobuf.internal.enum_type_wrapper import EnumTypeWrapper


def enum_names(enum: EnumTypeWrapper, prefix: str) -> dict[str, int]:
    """The enum's values by lower-case name without `prefix`, in declaration order, leaving out the
    zero value (*_UNSPECIFIED): identity's Role with "ROLE_" gives {"owner": 1, "administrator": 2,
    "user": 3, "viewer": 4}."""
    if not all(name.startswith(prefix) for name in enum.keys()):
        raise ValueError(f"not every value of {enum.DESCRIPTOR.name} starts with {prefix!r}")
    return {name.removeprefix(prefix).lower(): value for name, value in enum.items() if value != 0}
