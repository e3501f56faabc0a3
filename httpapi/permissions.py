from __future__ import annotations

from typing import TYPE_CHECKING

from rest_framework.exceptions import NotAuthenticated
from rest_framework.permissions import BasePermission

from editorial.models import ApiKey, Role

if TYPE_CHECKING:  # DRF imports this module while loading its views: no import of them at run time
    from rest_framework.request import Request
    from rest_framework.views import APIView


class HasNewsroomKey(BasePermission):
    """The request carries an active API key; everything it sees is scoped to that key's newsroom."""

    message = "An API key is required: send 'Authorization: Api-Key <key>'."

    def has_permission(self, request: Request, view: APIView) -> bool:
        if request.auth is None:
            raise NotAuthenticated(self.message)  # 401 with the challenge, and a message that says how
        return isinstance(request.auth, ApiKey)


class HasAdminKey(HasNewsroomKey):
    """The key is a newsroom admin's: it manages the newsroom's API keys (403 for any other role)."""

    message = "Only an API key with the newsroom admin role manages API keys."

    def has_permission(self, request: Request, view: APIView) -> bool:
        api_key = request.auth
        return (
            super().has_permission(request, view)
            and isinstance(api_key, ApiKey)
            and api_key.role == Role.ADMIN
        )
