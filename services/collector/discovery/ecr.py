"""ECR repositories: DescribeRepositories (one paginated call). Stored image sizes would take one
call per repository (DescribeImages) and are left out. Tags come from the sync engine's tagging
call."""
from __future__ import annotations

from services.collector.discovery._spec import Spec, listing, named, timestamp, unit

PAGE = 1000   # DescribeRepositories' maxResults: at most 1,000


REPOSITORY = Spec(
    "AWS::ECR::Repository", arn="repositoryArn", name="repositoryName",
    attributes={
        "uri": "repositoryUri",
        **named("imageTagMutability", "imageScanningConfiguration.scanOnPush",
                "encryptionConfiguration.encryptionType"),
        "created": timestamp("createdAt"),
    })

UNITS = [unit("ecr.repositories", "ecr", listing("describe_repositories", "repositories", page_size=PAGE), REPOSITORY)]
