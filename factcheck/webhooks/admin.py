"""Admin of webhooks: newsroom admins register endpoints (the secret is shown once, in a message after
the endpoint is saved, and never on its page), send a test event, re-enable a disabled endpoint, and
read the deliveries and their attempts.

What receivers answered is untrusted: the admin shows it as escaped text, never as markup.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.html import format_html

from editorial.admin import ReadOnlyAdmin, ServiceWrittenAdmin
from editorial.models import Role
from factcheck.destinations import checked_url
from factcheck.outbox_rows import shortened
from factcheck.webhooks.models import SUBSCRIBABLE, WebhookAttempt, WebhookDelivery, WebhookEndpoint
from factcheck.webhooks.services.endpoints import (
    endpoint_create,
    endpoint_delete,
    endpoint_enable,
    endpoint_ping,
)

ERROR_CHARS = 120


class WebhookEndpointCreateForm(forms.ModelForm):
    events = forms.MultipleChoiceField(
        choices=SUBSCRIBABLE, widget=forms.CheckboxSelectMultiple, help_text="The events sent to it."
    )

    class Meta:
        model = WebhookEndpoint
        fields = ["newsroom", "url", "description", "events"]

    def clean_url(self):
        try:
            return checked_url(self.cleaned_data["url"])
        except ValidationError as error:
            raise ValidationError(error.message_dict["url"]) from None


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(ServiceWrittenAdmin):
    list_display = [
        "__str__", "newsroom", "url", "event_list", "active", "consecutive_failures", "disabled_at",
        "created_at",
    ]  # fmt: skip
    list_filter = ["active", "newsroom"]
    search_fields = ["url", "description", "newsroom__name"]
    list_select_related = ["newsroom"]
    readonly_fields = [
        "newsroom", "url", "description", "event_list", "active", "disabled_at", "disabled_reason",
        "consecutive_failures", "disabled_notice_sent_at", "created_by_name", "created_at", "deliveries_link",
    ]  # fmt: skip
    view_roles = edit_roles = frozenset({Role.ADMIN})  # as the API: webhooks are the admins' only
    actions = ["send_test_event", "enable"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = WebhookEndpointCreateForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj is not None else []

    def get_fields(self, request, obj=None):
        return ["newsroom", "url", "description", "events"] if obj is None else self.readonly_fields

    def save_form(self, request, form, change):
        if change:
            return form.instance  # an endpoint is not edited: remove it and register another
        registered = endpoint_create(
            newsroom=form.cleaned_data["newsroom"],
            url=form.cleaned_data["url"],
            events=form.cleaned_data["events"],
            description=form.cleaned_data["description"],
            actor_name=request.user.get_username(),
        )
        self.message_user(
            request,
            f"The signing secret of this endpoint is {registered.secret} — copy it to the receiver now: "
            "it will not be shown again.",
            messages.WARNING,
        )
        return registered.endpoint

    def has_delete_permission(self, request, obj=None) -> bool:
        return self.has_change_permission(request, obj)

    def delete_model(self, request, obj):
        endpoint_delete(endpoint=obj)

    def delete_queryset(self, request, queryset):
        for endpoint in queryset.filter(newsroom__in=self.writable_newsrooms(request)):
            endpoint_delete(endpoint=endpoint)

    @admin.display(description="events")
    def event_list(self, endpoint) -> str:
        return ", ".join(endpoint.events)

    @admin.display(description="deliveries")
    def deliveries_link(self, endpoint):
        url = reverse("admin:webhooks_webhookdelivery_changelist") + f"?endpoint__id__exact={endpoint.pk}"
        return format_html('<a href="{}">Deliveries and their attempts</a>', url)

    @admin.action(description="Send a test event to the selected endpoints", permissions=["change"])
    def send_test_event(self, request, queryset):
        sent = 0
        for endpoint in queryset.filter(newsroom__in=self.writable_newsrooms(request)):
            try:
                endpoint_ping(endpoint=endpoint, actor_name=request.user.get_username())
            except ValidationError as error:
                self.message_user(request, f"{endpoint}: {' '.join(error.messages)}", messages.ERROR)
            else:
                sent += 1
        if sent:
            self.message_user(
                request,
                f"A test event is on its way to {sent} endpoint(s): see their deliveries.",
                messages.SUCCESS,
            )

    @admin.action(description="Re-enable the selected endpoints", permissions=["change"])
    def enable(self, request, queryset):
        enabled = 0
        for endpoint in queryset.filter(newsroom__in=self.writable_newsrooms(request), active=False):
            endpoint_enable(endpoint=endpoint)
            enabled += 1
        self.message_user(request, f"{enabled} endpoint(s) re-enabled.", messages.SUCCESS)


class WebhookAttemptInline(admin.TabularInline):
    model = WebhookAttempt
    extra = 0
    can_delete = False
    fields = ["number", "started_at", "duration_ms", "outcome", "http_status", "error", "response_excerpt"]
    readonly_fields = fields

    def has_view_permission(self, request, obj=None) -> bool:
        return True  # whoever may see the delivery (its admin checks the newsroom) sees its attempts

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnlyAdmin):
    """Each event on its way to an endpoint, with every attempt: read-only, written by the workers."""

    newsroom_path = "endpoint__newsroom"
    view_roles = frozenset({Role.ADMIN})  # payloads and receivers' answers: the admins' only, as in the API
    list_display = ["created_at", "endpoint", "event", "state", "attempts", "next_attempt_at", "short_error"]
    list_filter = ["state", "event", "endpoint__newsroom"]
    search_fields = ["event_id", "endpoint__url", "last_error"]
    list_select_related = ["endpoint"]
    date_hierarchy = "created_at"
    fields = [
        "endpoint", "event", "event_id", "state", "attempts", "next_attempt_at", "lease_until", "last_error",
        "created_at", "delivered_at", "payload",
    ]  # fmt: skip
    readonly_fields = fields
    inlines = [WebhookAttemptInline]

    @admin.display(description="last error")
    def short_error(self, delivery) -> str:
        return shortened(delivery.last_error, ERROR_CHARS)
