"""API views of the newsroom side: desks and people (read), and API keys (a newsroom admin's key).

Everything is the requesting key's newsroom's; another newsroom's objects answer 404.
"""

from __future__ import annotations

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.generics import ListAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from editorial import services
from editorial.api import serializers as s
from editorial.models import ApiKey, Desk, Membership
from httpapi.handlers import error
from httpapi.lookups import desk_by_slug, first_or_404
from httpapi.permissions import HasAdminKey

FILTER_ERROR = error(
    "A filter or `page_size` is invalid, or a filter names a desk your newsroom does not have."
)
ADMIN_ONLY = {403: error("The key is not a newsroom admin's: only those manage API keys.")}


def _desks(request) -> QuerySet[Desk]:
    return Desk.objects.filter(newsroom=request.auth.newsroom)


def _people(request) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(newsroom=request.auth.newsroom)
        .select_related("user")
        .prefetch_related("desks")
    )


class DeskListView(ListAPIView):
    serializer_class = s.DeskOutput

    @extend_schema(operation_id="desk_list", summary="Your newsroom's desks.")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return _desks(self.request)


class DeskDetailView(APIView):
    @extend_schema(operation_id="desk_get", responses={200: s.DeskOutput}, summary="One desk.")
    def get(self, request, desk_id: int):
        desk = first_or_404(_desks(request).filter(pk=desk_id), "No such desk in your newsroom.")
        return Response(s.DeskOutput(desk).data)


class PersonListView(ListAPIView):
    serializer_class = s.PersonOutput

    @extend_schema(
        operation_id="person_list",
        parameters=[s.PersonListFilters],
        responses={200: s.PersonOutput(many=True), 400: FILTER_ERROR},
        summary="The people of your newsroom, with their role and desks.",
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        filters = s.PersonListFilters(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        people = _people(self.request)
        if role := filters.validated_data.get("role"):
            people = people.filter(role=role)
        if slug := filters.validated_data.get("desk"):
            people = people.filter(desks=desk_by_slug(self.request.auth.newsroom, slug))
        return people


class PersonDetailView(APIView):
    @extend_schema(
        operation_id="person_get",
        responses={200: s.PersonOutput},
        summary="One person of your newsroom, by the id the claims' assignee filter takes.",
    )
    def get(self, request, person_id: int):
        person = first_or_404(_people(request).filter(user_id=person_id), "No such person in your newsroom.")
        return Response(s.PersonOutput(person).data)


class ApiKeysView(ListAPIView):
    serializer_class = s.ApiKeyOutput
    permission_classes = [HasAdminKey]

    @extend_schema(
        operation_id="api_key_list",
        responses={200: s.ApiKeyOutput(many=True), **ADMIN_ONLY},
        summary="Your newsroom's API keys, revoked ones included (never the secrets).",
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return ApiKey.objects.filter(newsroom=self.request.auth.newsroom)

    @extend_schema(
        operation_id="api_key_create",
        request=s.ApiKeyCreateInput,
        responses={201: s.ApiKeyCreatedOutput, **ADMIN_ONLY},
        summary="Issue an API key for your newsroom; the answer is the only time the key is shown.",
    )
    def post(self, request):
        data = s.ApiKeyCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        issued = services.api_key_create(
            newsroom=request.auth.newsroom,
            name=data.validated_data["name"],
            role=data.validated_data["role"],
        )
        output = s.ApiKeyCreatedOutput(issued.api_key, context={"raw_key": issued.raw_key})
        return Response(output.data, status=status.HTTP_201_CREATED)


class ApiKeyRevokeView(APIView):
    permission_classes = [HasAdminKey]

    @extend_schema(
        operation_id="api_key_revoke",
        request=None,
        responses={200: s.ApiKeyOutput, **ADMIN_ONLY},
        summary="Revoke an API key of your newsroom: it is refused from now on, and cannot be restored. "
        "Revoking a revoked key changes nothing.",
    )
    def post(self, request, key_id: int):
        api_key = first_or_404(
            ApiKey.objects.filter(newsroom=request.auth.newsroom, pk=key_id),
            "No such API key in your newsroom.",
        )
        return Response(s.ApiKeyOutput(services.api_key_revoke(api_key=api_key)).data)
