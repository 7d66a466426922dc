"""S3 Glacier vaults (the original vault API; CloudFormation has no type for them, hence the
pseudo type AWS::Glacier::Vault). Tags come from the sync engine's tagging call."""
from __future__ import annotations

from services.collector.discovery import Context, Unit
from services.collector.discovery._shared import attributes
from services.collector.model import Item, Scope

PAGE = 1000  # limit: 1 to 1000 (default 10)


def get_vaults(ctx: Context) -> list[dict]:
    return ctx.paginate("list_vaults", "VaultList", page_size=PAGE)  # boto3 fills accountId "-"


def transform_vaults(vaults: list[dict], scope: Scope) -> list[Item]:
    return [Item(arn=vault["VaultARN"], type="AWS::Glacier::Vault", name=vault["VaultName"], region=scope.region,
                 attributes=attributes(
                     # Dates are already ISO 8601 strings in this API; the inventory is daily at best.
                     sizeInBytes=vault.get("SizeInBytes"), numberOfArchives=vault.get("NumberOfArchives"),
                     creationDate=vault.get("CreationDate"), lastInventoryDate=vault.get("LastInventoryDate")))
            for vault in vaults]


UNITS = [Unit("glacier.vaults", "glacier", ("AWS::Glacier::Vault",), get_vaults, transform_vaults)]
