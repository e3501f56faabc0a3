"""API key authentication: ``Authorization: Api-Key <key>``, or ``Authorization: Bearer <key>``.

Both schemes carry the same key.  ``Api-Key`` is the API's own; ``Bearer`` is what HTTP's standard
scheme and generated clients send by default (openapi-python-client's ``AuthenticatedClient``, an
``http``/``bearer`` security scheme in any generator), so a client made from the schema works as it is.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.http import HttpRequest
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header

from editorial.models import ApiKey, Newsroom
from editorial.services import api_key_authenticate

if TYPE_CHECKING:  # DRF imports this module while loading its views: no import of them at run time
    from drf_spectacular.openapi import AutoSchema
    from rest_framework.request import Request


KEYWORD = "Api-Key"
#: The schemes an ``Authorization`` header may name (compared without case), each followed by the key.
SCHEMES = (KEYWORD, "Bearer")
#: Where :func:`request_api_key` keeps the key it found, on the Django request.
_FOUND_ATTRIBUTE = "_factdesk_api_key"


@dataclass(frozen=True)
class ApiClient:
    """The principal behind an API request: a newsroom's integration, acting through one key."""

    api_key: ApiKey

    is_authenticated = True
    is_anonymous = False

    @property
    def newsroom(self) -> Newsroom:
        return self.api_key.newsroom

    def __str__(self) -> str:
        return str(self.api_key)


def api_key_from_header(header: bytes) -> ApiKey | None:
    """The active key an ``Authorization`` header names; None without the header.

    Raises ``AuthenticationFailed`` for any other scheme, or a key that is unknown or revoked.
    """
    if not header:
        return None
    try:
        scheme, _, raw_key = header.decode("ascii").partition(" ")
    except UnicodeDecodeError:
        raise exceptions.AuthenticationFailed("The Authorization header must be plain ASCII.") from None
    if scheme.lower() not in {name.lower() for name in SCHEMES}:
        raise exceptions.AuthenticationFailed(
            f"Use the header 'Authorization: {KEYWORD} <key>' (or 'Authorization: Bearer <key>')."
        )
    raw_key = raw_key.strip()
    if not raw_key:
        raise exceptions.AuthenticationFailed(f"No key after '{scheme}'.")
    api_key = api_key_authenticate(raw_key=raw_key)
    if api_key is None:
        raise exceptions.AuthenticationFailed("Unknown or revoked API key.")
    return api_key


def request_api_key(request: HttpRequest) -> ApiKey | None:
    """:func:`api_key_from_header` for the Django ``request``, looked up once: the key found is kept on
    the request, so that the idempotency wrapper (before the view) and DRF's authentication (in it)
    do not both look it up.  What is not found (no header, or a refused one) is parsed again."""
    api_key = getattr(request, _FOUND_ATTRIBUTE, None)
    if api_key is None:
        api_key = api_key_from_header(get_authorization_header(request))  # type: ignore[arg-type]  # reads only META
        setattr(request, _FOUND_ATTRIBUTE, api_key)
    return api_key


class ApiKeyAuthentication(BaseAuthentication):
    def authenticate(self, request: Request) -> tuple[ApiClient, ApiKey] | None:
        api_key = request_api_key(request._request)  # DRF's request wraps Django's
        if api_key is None:
            return None
        return ApiClient(api_key=api_key), api_key

    def authenticate_header(self, request: Request) -> str:
        return KEYWORD


class ApiKeySchema(OpenApiAuthenticationExtension):
    """How the OpenAPI schema describes ``ApiKeyAuthentication``: two schemes, either of which will do.

    ``BearerKey`` (``http``/``bearer``) is the one generators send on their own; ``ApiKey`` models the
    API's own header, whose whole value, ``Api-Key <key>``, a client sends as the apiKey.
    """

    target_class = ApiKeyAuthentication
    name = ["BearerKey", "ApiKey"]

    def get_security_requirement(self, auto_schema: AutoSchema) -> list[dict[str, list[Any]]]:
        return [{"BearerKey": []}, {"ApiKey": []}]

    def get_security_definition(self, auto_schema: AutoSchema) -> list[dict[str, str]]:
        return [
            {
                "type": "http",
                "scheme": "bearer",
                "description": "Send `Authorization: Bearer <key>`, the key a newsroom admin issued "
                "(`fd_<prefix>.<secret>`). Generated clients do this by default.",
            },
            {
                "type": "apiKey",
                "in": "header",
                "name": "Authorization",
                "description": f"The same key in the API's own scheme: the header's whole value is "
                f"`{KEYWORD} <key>`.",
            },
        ]
