"""ECR repositories: DescribeRepositories (one paginated call). Stored image sizes would take one
call per repository (DescribeImages) and are left out. Tags come from the sync engine's tagging
call."""
from __future__ import annotations

from services.collector.discovery import Context, Unit
from services.collector.discovery._shared import attributes
from services.collector.model import Item, Scope, iso

PAGE = 1000   # DescribeRepositories' maxResults: at most 1,000


def get_repositories(ctx: Context) -> list[dict]:
    return ctx.paginate("describe_repositories", "repositories", page_size=PAGE)


def transform_repositories(repositories: list[dict], scope: Scope) -> list[Item]:
    return [Item(
        arn=repository["repositoryArn"], type="AWS::ECR::Repository", name=repository["repositoryName"],
        region=scope.region,
        attributes=attributes(
            uri=repository.get("repositoryUri"),
            imageTagMutability=repository.get("imageTagMutability"),
            scanOnPush=(repository.get("imageScanningConfiguration") or {}).get("scanOnPush"),
            encryptionType=(repository.get("encryptionConfiguration") or {}).get("encryptionType"),
            created=iso(repository.get("createdAt"))),
    ) for repository in repositories]


UNITS = [Unit("ecr.repositories", "ecr", ("AWS::ECR::Repository",), get_repositories, transform_repositories)]
