"""Admin of notifications: each person's settings, the newsrooms' digest times, and the outbox.

- A person sees and changes their own settings; a newsroom admin also those of the newsroom's people.
  Every email links to ``mine/``, which opens the reader's own settings (made with the defaults the
  first time).
- A newsroom admin sets the newsroom's digest time and time zone, and sees its outbox: what was sent,
  what waits, what failed and why, with "Send again" for the failed ones.
Writes go through ``factcheck.notifications.services``.
"""

from __future__ import annotations

import zoneinfo

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.http import HttpResponseRedirect
from django.urls import path, reverse

from editorial.admin import NewsroomScopedAdmin, ServiceWrittenAdmin
from editorial.models import Membership, Newsroom, Role
from factcheck.notifications.models import (
    DigestSchedule,
    Event,
    NotificationPreferences,
    OutboxEmail,
    OutboxState,
)
from factcheck.notifications.services.outbox import email_retry
from factcheck.notifications.services.preferences import (
    digest_schedule_save,
    notification_preferences_ensure,
    notification_preferences_save,
)
from factcheck.outbox_rows import shortened


class NotificationPreferencesForm(forms.ModelForm):
    class Meta:
        model = NotificationPreferences
        fields = ["user", "newsroom", *Event.values]

    def clean(self):
        data = super().clean()
        user, newsroom = data.get("user"), data.get("newsroom")
        if user and newsroom and not Membership.objects.filter(user=user, newsroom=newsroom).exists():
            self.add_error("user", f"{user} is not a member of {newsroom}.")
        return data


@admin.register(NotificationPreferences)
class NotificationPreferencesAdmin(ServiceWrittenAdmin):
    form = NotificationPreferencesForm
    list_display = ["user", "newsroom", *Event.values]
    list_filter = ["newsroom"]
    search_fields = ["user__username", "user__email", "user__first_name", "user__last_name"]
    list_select_related = ["user", "newsroom"]
    fields = ["user", "newsroom", *Event.values]

    def get_urls(self):
        mine = path(
            "mine/",
            self.admin_site.admin_view(self.mine_view),
            name=f"{self.opts.app_label}_{self.opts.model_name}_mine",
        )
        return [mine, *super().get_urls()]

    def mine_view(self, request):
        """The reader's own settings in the newsroom named by ``?newsroom=`` (else their first one)."""
        newsrooms = Newsroom.objects.filter(memberships__user=request.user).order_by("name")
        wanted = request.GET.get("newsroom", "")
        newsroom = (newsrooms.filter(pk=wanted).first() if wanted.isdigit() else None) or newsrooms.first()
        if newsroom is None:
            messages.info(request, "You are not a member of any newsroom, so Factdesk sends you no email.")
            return HttpResponseRedirect(reverse("admin:index"))
        preferences = notification_preferences_ensure(user=request.user, newsroom=newsroom)
        info = self.opts.app_label, self.opts.model_name
        return HttpResponseRedirect(reverse("admin:{}_{}_change".format(*info), args=[preferences.pk]))

    def get_queryset(self, request):
        queryset = admin.ModelAdmin.get_queryset(self, request)
        if request.user.is_superuser:
            return queryset
        return queryset.filter(Q(user=request.user) | Q(newsroom_id__in=self.writable_newsroom_ids(request)))

    def has_change_permission(self, request, obj=None) -> bool:
        if not self.has_module_permission(request):
            return False
        if obj is None or request.user.is_superuser:
            return True  # everyone may change their own; the queryset shows only what they may see
        return obj.user_id == request.user.pk or obj.newsroom_id in self.writable_newsroom_ids(request)

    def get_readonly_fields(self, request, obj=None):
        return ["user", "newsroom"] if obj is not None else []

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "user":
            kwargs["queryset"] = (
                get_user_model()
                .objects.filter(memberships__newsroom__in=self.writable_newsrooms(request))
                .distinct()
                .order_by("username")
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_form(self, request, form, change):
        data = form.cleaned_data
        return notification_preferences_save(
            user=form.instance.user if change else data["user"],
            newsroom=form.instance.newsroom if change else data["newsroom"],
            deliveries={event: data[event] for event in Event.values},
        )


class DigestScheduleForm(forms.ModelForm):
    time_zone = forms.ChoiceField(
        label="time zone",
        choices=[(name, name) for name in sorted(zoneinfo.available_timezones())],
        help_text=DigestSchedule._meta.get_field("time_zone").help_text,
    )

    class Meta:
        model = DigestSchedule
        fields = ["newsroom", "send_at", "time_zone"]


@admin.register(DigestSchedule)
class DigestScheduleAdmin(ServiceWrittenAdmin):
    form = DigestScheduleForm
    list_display = ["newsroom", "send_at", "time_zone", "updated_at"]
    list_select_related = ["newsroom"]

    def get_readonly_fields(self, request, obj=None):
        return ["newsroom"] if obj is not None else []

    def save_form(self, request, form, change):
        data = form.cleaned_data
        return digest_schedule_save(
            newsroom=form.instance.newsroom if change else data["newsroom"],
            send_at=data["send_at"],
            time_zone=data["time_zone"],
        )


@admin.register(OutboxEmail)
class OutboxEmailAdmin(NewsroomScopedAdmin):
    """The outbox, read-only: newsroom admins see their newsroom's emails (they hold others' work)."""

    list_display = ["created_at", "to", "subject", "kind", "state", "attempts", "sent_at", "short_error"]
    list_filter = ["state", "kind", "newsroom"]
    search_fields = ["to", "subject"]
    list_select_related = ["newsroom"]
    date_hierarchy = "created_at"
    view_roles = frozenset({Role.ADMIN})
    actions = ["send_again"]
    fields = [
        "newsroom", "user", "to", "kind", "subject", "state", "attempts", "last_error", "next_attempt_at",
        "lease_expires_at", "created_at", "sent_at", "headers", "body_text", "body_html",
    ]  # fmt: skip
    readonly_fields = fields

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description="last error")
    def short_error(self, email) -> str:
        return shortened(email.last_error, 80)

    def has_resend_permission(self, request) -> bool:
        return self.has_role(request, self.edit_roles)

    @admin.action(description="Send the selected failed emails again", permissions=["resend"])
    def send_again(self, request, queryset):
        queued = sum(email_retry(email=email) for email in queryset.filter(state=OutboxState.FAILED))
        self.message_user(request, f"{queued} email(s) queued to be sent again.", messages.SUCCESS)
