"""The export of reviewed claims from the admin: a form (newsroom, desk, period, format) whose answer is
the file, streamed as it is read (``factcheck.services.exports``).  Its URL is named
``admin:factcheck_claim_export``; query parameters fill the form, so a link can preselect a newsroom,
desk and period (the standards dashboard's links do), and with ``download`` start the download."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.contrib.admin import AdminSite
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.template.response import TemplateResponse
from django.utils import timezone

from editorial.admin import memberships_of
from editorial.models import Desk, Newsroom
from factcheck.admin.common import CHECK_ROLES
from factcheck.services import exports
from factcheck.services.exports import ExportFormat


def export_newsrooms(user: Any) -> QuerySet[Newsroom]:
    """The newsrooms whose reviewed claims ``user`` may export: where they check or edit claims."""
    if user.is_superuser:
        return Newsroom.objects.order_by("name")
    ids = {newsroom_id for newsroom_id, role in memberships_of(user) if role in CHECK_ROLES}
    return Newsroom.objects.filter(pk__in=ids).order_by("name")


class DeskChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Desk) -> str:
        return f"{obj.name} ({obj.newsroom.name})"


class ExportForm(forms.Form):
    newsroom = forms.ModelChoiceField(queryset=Newsroom.objects.none(), empty_label=None)
    desk = DeskChoiceField(
        queryset=Desk.objects.none(),
        required=False,
        empty_label="Every desk",
        help_text="Only this desk's claims.",
    )
    since = forms.DateField(
        required=False, help_text="First day of verdicts (YYYY-MM-DD), in the site's time zone."
    )
    until = forms.DateField(required=False, help_text="Last day of verdicts, included.")
    export_format = forms.ChoiceField(choices=ExportFormat.choices, label="format", initial=ExportFormat.CSV)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        newsrooms = export_newsrooms(user)
        newsroom, desk = self.fields["newsroom"], self.fields["desk"]
        assert isinstance(newsroom, forms.ModelChoiceField) and isinstance(desk, forms.ModelChoiceField)
        newsroom.queryset = newsrooms
        desk.queryset = Desk.objects.filter(newsroom__in=newsrooms).select_related("newsroom")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        newsroom, desk = cleaned.get("newsroom"), cleaned.get("desk")
        if desk is not None and newsroom is not None and desk.newsroom_id != newsroom.pk:
            self.add_error("desk", "That desk belongs to another newsroom.")
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and since > until:
            self.add_error("until", "The last day is before the first.")
        return cleaned


def _start_of(day: datetime.date | None) -> datetime.datetime | None:
    if day is None:
        return None
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


#: The fields a link may preselect without starting the download.
PRESELECTED = ("newsroom", "desk", "since", "until", "export_format")


def export_view(site: AdminSite, request: HttpRequest) -> HttpResponseBase:
    """The form, or with ``download`` among valid parameters, the file.  Without ``download``, the
    parameters are the form's initial values (a value the viewer may not choose shows as no choice)."""
    if not export_newsrooms(request.user).exists():
        raise PermissionDenied
    if "download" in request.GET:
        form = ExportForm(request.GET, user=request.user)
    else:
        initial = {name: request.GET[name] for name in PRESELECTED if request.GET.get(name)}
        form = ExportForm(initial=initial, user=request.user)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        until = data["until"] + datetime.timedelta(days=1) if data["until"] else None
        rows = exports.export(
            newsrooms=[data["newsroom"]],
            since=_start_of(data["since"]),
            until=_start_of(until),
            desk_id=data["desk"].pk if data["desk"] else None,
        )
        response = StreamingHttpResponse(
            exports.lines(rows, data["export_format"]),
            content_type=exports.MEDIA_TYPES[data["export_format"]],
        )
        name = exports.filename(
            newsroom_slug=data["newsroom"].slug,
            export_format=data["export_format"],
            today=timezone.localdate(),
        )
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    context = {
        **site.each_context(request),
        "title": "Export reviewed claims",
        "form": form,
    }
    return TemplateResponse(request, "factcheck/admin/export.html", context)
