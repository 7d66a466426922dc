"""S3 Glacier vaults (the original vault API; CloudFormation has no type for them, hence the
pseudo type AWS::Glacier::Vault). Tags come from the sync engine's tagging call."""
from __future__ import annotations

from services.collector.discovery._spec import Spec, listing, unit

PAGE = 1000  # limit: 1 to 1000 (default 10)

VAULT = Spec(
    "AWS::Glacier::Vault", arn="VaultARN", name="VaultName",
    # Dates are already ISO 8601 strings in this API; the inventory is daily at best.
    attributes={"sizeInBytes": "SizeInBytes", "numberOfArchives": "NumberOfArchives",
                "creationDate": "CreationDate", "lastInventoryDate": "LastInventoryDate"})

# boto3 fills accountId "-".
UNITS = [unit("glacier.vaults", "glacier", listing("list_vaults", "VaultList", page_size=PAGE), VAULT)]
