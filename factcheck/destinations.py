"""Where Factdesk may send a request: the one check of an address that people or newsrooms give us.

Sources, search providers and webhook endpoints are all checked here when they are saved, with the
allowlist of ``settings.FACTDESK_FETCH["allow_networks"]``; the fetcher and the webhook poster check
again, on the address they connect to.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

from factcheck.web.netguard import Refused, check_url

MAX_URL = 2000
_url = URLValidator(schemes=["http", "https"])


def allowed_networks() -> tuple:
    """The networks fetched although private (``FACTDESK_FETCH_ALLOW_NETWORKS``: tests, intranets)."""
    return tuple(
        ipaddress.ip_network(network, strict=False)
        for network in settings.FACTDESK_FETCH.get("allow_networks", ())
    )


def checked_url(url: str) -> str:
    """``url`` stripped and checked, or a ValidationError on ``url`` an editor can act on.

    The destination first, so that an address refused for where it points (``http://0x7f000001/``)
    says so, rather than only that it is not an address of the usual form.
    """
    url = (url or "").strip()
    if len(url) > MAX_URL:
        raise ValidationError({"url": "The address is longer than 2,000 characters."})
    try:
        check_url(url, allow=allowed_networks())
    except Refused as refused:
        raise ValidationError({"url": refused.reason}) from None
    try:
        _url(url)
    except ValidationError:
        raise ValidationError({"url": "Enter a full http:// or https:// address."}) from None
    return url
