"""The standards dashboard: how each desk, or each reporter, is doing, for editors and admins.

One page of the admin (``/admin/factcheck/standardsdashboard/``): a period and a grouping chosen in a
form, the figures of ``factcheck.standards`` drawn as SVG charts on the server (``factcheck.charts``)
and listed in a table, and the same figures as CSV (``?format=csv``).  Editors and newsroom admins
see their newsrooms; superusers every newsroom, or one they choose.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.safestring import mark_safe

from editorial.admin import NewsroomScopedAdmin, newsrooms_of
from editorial.models import Desk
from factcheck.admin.common import EDITOR_ROLES
from factcheck.admin.exports import export_newsrooms
from factcheck.charts import Row, Series, bar_chart
from factcheck.models import FLAG_KIND_CHOICES, StandardsDashboard
from factcheck.standards import (
    MAX_PERIOD_DAYS,
    VERDICT_ORDER,
    Dashboard,
    GroupBy,
    GroupFigures,
    Period,
    Spread,
    standards_dashboard,
)

#: The period shown when none is chosen: the last 30 days, today included.
DEFAULT_DAYS = 30


class DashboardForm(forms.Form):
    """What to show.  Every field is optional: the last 30 days, by desk, across the viewer's newsrooms."""

    start = forms.DateField(
        label="From", required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    end = forms.DateField(
        label="to", required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    group = forms.ChoiceField(label="by", choices=GroupBy.CHOICES, required=False)
    newsroom = forms.TypedChoiceField(label="Newsroom", coerce=int, required=False, empty_value=None)

    def __init__(self, *args: Any, newsrooms: list[tuple[int, str]], **kwargs: Any) -> None:
        default = Period.last_days(DEFAULT_DAYS)
        kwargs.setdefault("initial", {"start": default.first, "end": default.last, "group": GroupBy.DESK})
        super().__init__(*args, **kwargs)
        field = self.fields["newsroom"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [("", "All my newsrooms"), *newsrooms]
        if len(newsrooms) < 2:
            del self.fields["newsroom"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        end = data.get("end") or timezone.localdate()
        start = data.get("start") or end - timedelta(days=DEFAULT_DAYS - 1)
        try:
            data["period"] = Period(start, end)
        except ValueError as error:
            raise forms.ValidationError(
                f"{error} Choose a period of 1 to {MAX_PERIOD_DAYS} days, the first day before the last."
            ) from error
        data["group"] = data.get("group") or GroupBy.DESK
        return data


# --- Figures as text -------------------------------------------------------------------------------


def hours(value: timedelta | None) -> float | None:
    return None if value is None else value.total_seconds() / 3600


def duration_text(value: timedelta | None) -> str:
    """ "45 min", "5.5 h", "3.2 d"; "—" for no value."""
    if value is None:
        return "—"
    seconds = value.total_seconds()
    if seconds < 3600:
        return f"{seconds / 60:.0f} min"
    if seconds < 48 * 3600:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:.1f} d"


def _spread_unit(spreads: list[Spread]) -> tuple[str, float]:
    """Hours, or days when the longest 90th percentile passes three days."""
    longest = max((hours(s.p90) or 0 for s in spreads), default=0)
    return (" d", 24.0) if longest > 72 else (" h", 1.0)


def _kind_labels() -> dict[str, str]:
    return dict(FLAG_KIND_CHOICES)


# --- Charts ---------------------------------------------------------------------------------------


def _spread_chart(title: str, groups: list[GroupFigures], pick: Callable[[GroupFigures], Spread]) -> str:
    unit, per = _spread_unit([pick(group) for group in groups])

    def scaled(value: timedelta | None) -> float | None:
        h = hours(value)
        return None if h is None else h / per

    return bar_chart(
        title=title,
        series=[Series("median"), Series("90th percentile")],
        rows=[Row(g.label, (scaled(pick(g).median), scaled(pick(g).p90))) for g in groups],
        fmt=lambda value: f"{value:.1f}",
        unit=unit,
    )


def charts(dashboard: Dashboard) -> list[str]:
    """The dashboard's charts as SVG markup (every text in it escaped by ``bar_chart``)."""
    groups = dashboard.groups
    labels = _kind_labels()
    kinds = sorted({kind for group in groups for kind in group.flags}, key=lambda k: labels.get(k, k))
    flag_rows = [
        Row(g.label, tuple(1000 * g.flags[k] / g.words if g.words else None for k in kinds)) for g in groups
    ]
    return [
        bar_chart(
            title="Unnamed-source flags per 1,000 words, by kind",
            series=[Series(labels.get(kind, kind)) for kind in kinds] or [Series("flags")],
            rows=flag_rows if kinds else [Row(g.label, (0.0 if g.words else None,)) for g in groups],
            stacked=True,
            fmt=lambda value: f"{value:.2f}",
        ),
        bar_chart(
            title="Verdicts given",
            series=[Series(status.label) for status in VERDICT_ORDER],
            rows=[Row(g.label, tuple(float(g.verdicts[s.value]) for s in VERDICT_ORDER)) for g in groups],
            stacked=True,
            fmt=lambda value: f"{value:.0f}",
        ),
        _spread_chart("Time from submission to verdict", groups, lambda g: g.to_verdict),
        _spread_chart("Age of the claims open now", groups, lambda g: g.open_age),
        _spread_chart("How fast claims sent back for attribution came back", groups, lambda g: g.came_back),
    ]


# --- CSV ------------------------------------------------------------------------------------------


def _cell(value: object) -> str:
    """A CSV cell a spreadsheet will not run: text starting with = + - @ (or a tab) is quoted with '."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _hours_cell(value: timedelta | None) -> str:
    h = hours(value)
    return "" if h is None else f"{h:.2f}"


def csv_rows(dashboard: Dashboard) -> Iterator[list[str]]:
    """The figures the charts show, one row per group: the CSV download."""
    kinds = [kind for kind, _ in FLAG_KIND_CHOICES]
    yield [
        dashboard.group_by,
        "period_start",
        "period_end",
        "words",
        "flags",
        "flags_per_1000_words",
        *(f"flags_{kind}" for kind in kinds),
        *(f"verdicts_{status.value}" for status in VERDICT_ORDER),
        "verdict_hours_median",
        "verdict_hours_p90",
        "open_claims",
        "open_age_hours_median",
        "open_age_hours_p90",
        "open_age_hours_oldest",
        "sent_back",
        "came_back",
        "came_back_hours_median",
        "came_back_hours_p90",
    ]
    period = dashboard.period
    for group in dashboard.groups:
        rate = group.flags_per_1000_words
        yield [
            _cell(group.label),
            period.first.isoformat(),
            period.last.isoformat(),
            str(group.words),
            str(group.flag_total),
            "" if rate is None else f"{rate:.3f}",
            *(str(group.flags[kind]) for kind in kinds),
            *(str(group.verdicts[status.value]) for status in VERDICT_ORDER),
            _hours_cell(group.to_verdict.median),
            _hours_cell(group.to_verdict.p90),
            str(group.open_age.count),
            _hours_cell(group.open_age.median),
            _hours_cell(group.open_age.p90),
            _hours_cell(group.oldest_open),
            str(group.sent_back.count),
            str(group.came_back.count),
            _hours_cell(group.came_back.median),
            _hours_cell(group.came_back.p90),
        ]


# --- The page -------------------------------------------------------------------------------------


@admin.register(StandardsDashboard)
class StandardsDashboardAdmin(NewsroomScopedAdmin):
    """Editors' and newsroom admins' view of how the desk is doing; nothing here writes."""

    view_roles = EDITOR_ROLES

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def get_urls(self) -> list[URLPattern]:
        """The dashboard only: no claim is added, changed or shown one by one here."""
        info = self.opts.app_label, self.opts.model_name
        view = self.admin_site.admin_view(self.changelist_view)
        return [path("", view, name="{}_{}_changelist".format(*info))]

    def newsroom_choices(self, request: HttpRequest) -> list[tuple[int, str]]:
        rooms = newsrooms_of(request.user).order_by("name")
        if not request.user.is_superuser:
            rooms = rooms.filter(pk__in=self.viewable_newsroom_ids(request))
        return [(room.pk, room.name) for room in rooms.distinct()]

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        newsrooms = self.newsroom_choices(request)
        form = DashboardForm(request.GET or None, newsrooms=newsrooms)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Standards dashboard",
            "subtitle": None,
            "form": form,
            "has_view_permission": True,
        }
        if request.GET and not form.is_valid():
            return TemplateResponse(request, "factcheck/admin/standards.html", context, status=400)
        data = form.cleaned_data if request.GET else {}
        period = data.get("period") or Period.last_days(DEFAULT_DAYS)
        group_by = data.get("group") or GroupBy.DESK
        chosen = data.get("newsroom")
        ids = [chosen] if chosen else [room for room, _ in newsrooms]
        dashboard = standards_dashboard(newsroom_ids=ids, period=period, group_by=group_by)
        if request.GET.get("format") == "csv":
            response = HttpResponse(content_type="text/csv; charset=utf-8")
            response["Content-Disposition"] = (
                f'attachment; filename="standards-by-{group_by}-{period.first}-to-{period.last}.csv"'
            )
            csv.writer(response).writerows(csv_rows(dashboard))
            return response
        if request.GET.get("format") not in (None, ""):
            context["format_error"] = "Only format=csv is offered: the page shows the figures below."
            return TemplateResponse(request, "factcheck/admin/standards.html", context, status=400)
        query = request.GET.copy()
        query["format"] = "csv"
        links = export_links(request, dashboard) if group_by == GroupBy.DESK else {}
        context.update(
            dashboard=dashboard,
            # Safe: bar_chart escapes every text it draws (tests/factcheck/test_charts.py).
            charts=[mark_safe(svg) for svg in charts(dashboard)],  # noqa: S308
            verdict_labels=[status.label for status in VERDICT_ORDER],
            rows=[{**_table_row(group), "export_url": links.get(group.key)} for group in dashboard.groups],
            csv_query=query.urlencode(),
            group_label=dict(GroupBy.CHOICES)[group_by],
        )
        return TemplateResponse(request, "factcheck/admin/standards.html", context)


def export_links(request: HttpRequest, dashboard: Dashboard) -> dict[int | None, str]:
    """For each desk of the dashboard whose newsroom the viewer may export, the export page with that
    newsroom, desk and the dashboard's period preselected (the viewer still presses Download)."""
    desk_ids = [group.key for group in dashboard.groups if group.key is not None]
    desks = Desk.objects.filter(pk__in=desk_ids, newsroom__in=export_newsrooms(request.user))
    url = reverse("admin:factcheck_claim_export")
    period = {"since": dashboard.period.first.isoformat(), "until": dashboard.period.last.isoformat()}
    links: dict[int | None, str] = {}
    for desk, newsroom in desks.values_list("pk", "newsroom_id"):
        links[desk] = f"{url}?{urlencode({'newsroom': str(newsroom), 'desk': str(desk), **period})}"
    return links


def _table_row(group: GroupFigures) -> dict[str, Any]:
    rate = group.flags_per_1000_words
    labels = _kind_labels()
    return {
        "label": group.label,
        "words": group.words,
        "flags": group.flag_total,
        "rate": "—" if rate is None else f"{rate:.2f}",
        "kinds": ", ".join(f"{labels.get(k, k)} {n}" for k, n in group.flags.most_common()),
        "verdicts": [group.verdicts[status.value] for status in VERDICT_ORDER],
        "to_verdict": (duration_text(group.to_verdict.median), duration_text(group.to_verdict.p90)),
        "open": group.open_age.count,
        "open_age": (duration_text(group.open_age.median), duration_text(group.open_age.p90)),
        "oldest": duration_text(group.oldest_open),
        "sent_back": group.sent_back.count,
        "came_back": group.came_back.count,
        "came_back_time": duration_text(group.came_back.median),
    }
