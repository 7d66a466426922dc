"""SES email identities (domains and addresses): ListEmailIdentities of the SES v2 API (client
"sesv2", IAM action ses:ListEmailIdentities). SES is priced per message, so the identities are for
the diagram. SES gives no ARN in the listing; an identity's is
arn:<partition>:ses:<region>:<account>:identity/<name>.
"""
from __future__ import annotations

from services.collector.discovery._spec import Spec, arn_in, listing, unit

PAGE = 1000   # ListEmailIdentities' PageSize: at most 1,000


EMAIL_IDENTITY = Spec(
    "AWS::SES::EmailIdentity", arn=arn_in("ses", "identity/{IdentityName}"), name="IdentityName",
    attributes={
        "identityType": "IdentityType",            # DOMAIN, EMAIL_ADDRESS or MANAGED_DOMAIN
        "sendingEnabled": "SendingEnabled",
        "verificationStatus": "VerificationStatus",
    })

UNITS = [
    # botocore has no paginator for ListEmailIdentities: its page size goes as the API names it.
    unit("ses.email_identities", "sesv2", listing("list_email_identities", "EmailIdentities", PageSize=PAGE),
         EMAIL_IDENTITY),
]
