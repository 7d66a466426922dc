"""SES email identities (domains and addresses): ListEmailIdentities of the SES v2 API (client
"sesv2", IAM action ses:ListEmailIdentities). SES is priced per message, so the identities are for
the diagram. SES gives no ARN in the listing; an identity's is
arn:<partition>:ses:<region>:<account>:identity/<name>.
"""
from __future__ import annotations

from services.collector.discovery import Context, Unit
from services.collector.discovery._shared import attributes
from services.collector.model import Item, Scope

PAGE = 1000   # ListEmailIdentities' PageSize: at most 1,000


def get_email_identities(ctx: Context) -> list[dict]:
    # botocore has no paginator for ListEmailIdentities: its page size goes as the API names it.
    return ctx.paginate("list_email_identities", "EmailIdentities", PageSize=PAGE)


def transform_email_identities(identities: list[dict], scope: Scope) -> list[Item]:
    return [Item(
        arn=scope.arn("ses", f"identity/{identity['IdentityName']}"), type="AWS::SES::EmailIdentity",
        name=identity["IdentityName"], region=scope.region,
        attributes=attributes(
            identityType=identity.get("IdentityType"),            # DOMAIN, EMAIL_ADDRESS or MANAGED_DOMAIN
            sendingEnabled=identity.get("SendingEnabled"),
            verificationStatus=identity.get("VerificationStatus")),
    ) for identity in identities]


UNITS = [Unit("ses.email_identities", "sesv2", ("AWS::SES::EmailIdentity",), get_email_identities,
              transform_email_identities)]
