"""API views of webhooks: a newsroom admin's key registers, lists, removes and re-enables the newsroom's
endpoints, and reads their deliveries.  Every operation takes an admin's key, reads included: an
endpoint's address and the receivers' answers are integration settings, like the API keys.

Everything is the requesting key's newsroom's; another newsroom's endpoints answer 404.
"""

from __future__ import annotations

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.generics import ListAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from factcheck.actors import Actor
from factcheck.webhooks.api import serializers as s
from factcheck.webhooks.models import WebhookDelivery, WebhookEndpoint
from factcheck.webhooks.services.endpoints import (
    endpoint_create,
    endpoint_delete,
    endpoint_enable,
    endpoint_ping,
)
from httpapi.handlers import error
from httpapi.lookups import first_or_404
from httpapi.permissions import HasAdminKey

ADMIN_ONLY = {403: error("The key is not a newsroom admin's: only those manage webhooks.")}
NOT_FOUND = {404: error("No such webhook endpoint in your newsroom.")}


class HasWebhookAdminKey(HasAdminKey):
    message = "Only an API key with the newsroom admin role manages webhooks."


def _endpoints(request) -> QuerySet[WebhookEndpoint]:
    return WebhookEndpoint.objects.filter(newsroom=request.auth.newsroom)


def _endpoint(request, webhook_id: int) -> WebhookEndpoint:
    return first_or_404(
        _endpoints(request).filter(pk=webhook_id), "No such webhook endpoint in your newsroom."
    )


def _actor_name(request) -> str:
    return Actor.for_api_key(request.auth).name


class WebhooksView(ListAPIView):
    serializer_class = s.WebhookEndpointOutput
    permission_classes = [HasWebhookAdminKey]

    @extend_schema(
        operation_id="webhook_list",
        responses={200: s.WebhookEndpointOutput(many=True), **ADMIN_ONLY},
        summary="Your newsroom's webhook endpoints, disabled ones included (never their secrets).",
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return _endpoints(self.request)

    @extend_schema(
        operation_id="webhook_create",
        request=s.WebhookEndpointCreateInput,
        responses={
            201: s.WebhookEndpointCreatedOutput,
            400: error(
                "Invalid input: not an http(s) address, a refused destination (private, loopback, "
                "link-local...) with the reason, or an unknown event."
            ),
            **ADMIN_ONLY,
        },
        summary="Register an endpoint for some of your newsroom's events; the answer is the only time its "
        "signing secret is shown.",
    )
    def post(self, request):
        data = s.WebhookEndpointCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        registered = endpoint_create(
            newsroom=request.auth.newsroom,
            url=data.validated_data["url"],
            events=data.validated_data["events"],
            description=data.validated_data["description"],
            actor_name=_actor_name(request),
        )
        output = s.WebhookEndpointCreatedOutput(registered.endpoint, context={"secret": registered.secret})
        return Response(output.data, status=status.HTTP_201_CREATED)


class WebhookDetailView(APIView):
    permission_classes = [HasWebhookAdminKey]

    @extend_schema(
        operation_id="webhook_get",
        responses={200: s.WebhookEndpointOutput, **ADMIN_ONLY, **NOT_FOUND},
        summary="One webhook endpoint (never its secret).",
    )
    def get(self, request, webhook_id: int):
        return Response(s.WebhookEndpointOutput(_endpoint(request, webhook_id)).data)

    @extend_schema(
        operation_id="webhook_delete",
        responses={204: None, **ADMIN_ONLY, **NOT_FOUND},
        summary="Remove an endpoint, with its deliveries and their log: nothing more is sent to it.",
    )
    def delete(self, request, webhook_id: int):
        endpoint_delete(endpoint=_endpoint(request, webhook_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class WebhookEnableView(APIView):
    permission_classes = [HasWebhookAdminKey]

    @extend_schema(
        operation_id="webhook_enable",
        request=None,
        responses={200: s.WebhookEndpointOutput, **ADMIN_ONLY, **NOT_FOUND},
        summary="Send to a disabled endpoint again (its count of failures starts from zero). Events from "
        "while it was disabled are not sent. Enabling an active endpoint changes nothing.",
    )
    def post(self, request, webhook_id: int):
        endpoint = endpoint_enable(endpoint=_endpoint(request, webhook_id))
        return Response(s.WebhookEndpointOutput(endpoint).data)


class WebhookPingView(APIView):
    permission_classes = [HasWebhookAdminKey]

    @extend_schema(
        operation_id="webhook_ping",
        request=None,
        responses={
            202: s.WebhookDeliveryOutput,
            400: error("The endpoint is disabled: re-enable it first."),
            **ADMIN_ONLY,
            **NOT_FOUND,
        },
        summary="Send a test event (`ping`) to the endpoint; its delivery is in the endpoint's deliveries.",
    )
    def post(self, request, webhook_id: int):
        delivery = endpoint_ping(endpoint=_endpoint(request, webhook_id), actor_name=_actor_name(request))
        delivery = WebhookDelivery.objects.prefetch_related("attempt_log").get(pk=delivery.pk)
        return Response(s.WebhookDeliveryOutput(delivery).data, status=status.HTTP_202_ACCEPTED)


class WebhookDeliveriesView(ListAPIView):
    serializer_class = s.WebhookDeliveryOutput
    permission_classes = [HasWebhookAdminKey]

    @extend_schema(
        operation_id="webhook_delivery_list",
        parameters=[s.WebhookDeliveryFilters],
        responses={
            200: s.WebhookDeliveryOutput(many=True),
            400: error("`state` or `page_size` is invalid."),
            **ADMIN_ONLY,
            **NOT_FOUND,
        },
        summary="The endpoint's deliveries, most recent first, each with every attempt and what the "
        "endpoint answered.",
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def cursor_ordering(self) -> tuple[str, ...]:
        return ("-id",)

    def get_queryset(self):
        endpoint = _endpoint(self.request, self.kwargs["webhook_id"])
        filters = s.WebhookDeliveryFilters(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        deliveries = WebhookDelivery.objects.filter(endpoint=endpoint).prefetch_related("attempt_log")
        if state := filters.validated_data.get("state"):
            deliveries = deliveries.filter(state=state)
        return deliveries
