"""Helping a holder show a credential elsewhere: LinkedIn's "Add licence or certification"
form, filled in with the credential and a link to its public check page.

LinkedIn documents the ``/profile/add`` address and its parameters for certificate issuers; the
holder opens it signed in to their own LinkedIn account and chooses whether to save. Nothing is
sent to LinkedIn until they do.
"""

import datetime
from urllib.parse import urlencode

LINKEDIN_ADD = "https://www.linkedin.com/profile/add"


def linkedin_add_url(
    *,
    title: str,
    issuer: str,
    issued_on: datetime.date,
    expires_on: datetime.date | None,
    check_url: str,
    certificate_number: str,
) -> str:
    parameters = {
        "startTask": "CERTIFICATION_NAME",
        "name": title,
        "organizationName": issuer,
        "issueYear": issued_on.year,
        "issueMonth": issued_on.month,
    }
    if expires_on is not None:
        parameters["expirationYear"] = expires_on.year
        parameters["expirationMonth"] = expires_on.month
    parameters["certUrl"] = check_url
    parameters["certId"] = certificate_number
    return f"{LINKEDIN_ADD}?{urlencode(parameters)}"
