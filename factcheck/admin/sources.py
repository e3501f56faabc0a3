"""Sources on the claim page: status, excerpt, matched passages, the archived copy, refetch.

Everything a source brings is untrusted (its address, its title, its text): it is escaped, and only
the <mark> of matched words is ours.  Passages are ranked by how well their words match the claim:
relevance, not a verdict — the page says so.
"""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.contrib import admin, messages
from django.http import Http404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

from editorial.admin import ServiceWrittenAdmin
from editorial.models import Role
from factcheck import selectors
from factcheck.actors import Actor
from factcheck.admin.common import REFUSALS, refusal_text
from factcheck.models import FetchAttempt, FetchStatus, Passage, SearchProvider, Source
from factcheck.services.searches import search_provider_errors, search_provider_save
from factcheck.services.sources import source_mark_offline, source_refetch


def mark_terms(text: str, terms: list[list[int]] | list[tuple[int, int]]) -> SafeString:
    """``text`` escaped, with each ``[start, end]`` (offsets within ``text``) wrapped in <mark>."""
    out: list[str] = []
    position = 0
    for start, end in sorted((int(start), int(end)) for start, end in terms):
        start, end = max(start, position), min(end, len(text))
        if start >= end:
            continue
        out.append(escape(text[position:start]))
        out.append(format_html("<mark>{}</mark>", text[start:end]))
        position = end
    out.append(escape(text[position:]))
    return mark_safe("".join(out))  # noqa: S308 - every piece above is escaped


def safe_href(url: str) -> str | None:
    """Only web addresses become links (the service accepts no other, but the page does not rely on it)."""
    return url if url.lower().startswith(("http://", "https://")) else None


@dataclass(frozen=True)
class SourceView:
    source: Source
    href: str | None
    passages: list[tuple[Passage, SafeString]]
    archive_url: str | None
    refetch_url: str | None
    offline_url: str | None


def source_views(claim, *, info: tuple[str, str]) -> list[SourceView]:
    """What the claim page shows of each source (uses the prefetched sources)."""
    views = []
    for source in claim.sources.all():
        views.append(
            SourceView(
                source=source,
                href=safe_href(source.url),
                passages=[
                    (passage, mark_terms(passage.text, passage.terms)) for passage in source.passages.all()
                ],
                archive_url=(
                    reverse("admin:{}_{}_archive".format(*info), args=[claim.pk, source.pk])
                    if source.snapshot_id
                    else None
                ),
                refetch_url=(
                    reverse("admin:{}_{}_refetch".format(*info), args=[claim.pk, source.pk])
                    if source.origin != "archive" and source.url
                    else None
                ),
                offline_url=(
                    reverse("admin:{}_{}_offline".format(*info), args=[claim.pk, source.pk])
                    if source.origin != "archive" and source.status != FetchStatus.OFFLINE
                    else None
                ),
            )
        )
    return views


class SourceViewsMixin:
    """The claim page's source views: the archived copy (GET), refetch and mark offline (POST)."""

    def archive_view(self, request, object_id, source_id):
        claim = self._claim_for_post(request, object_id)
        source = selectors.sources_queryset(with_text=True).filter(claim=claim, pk=source_id).first()
        if source is None or source.snapshot is None:
            raise Http404("This source has no archived copy.")
        text = source.snapshot.text
        spans = []
        for passage in source.passages.all():
            if text[passage.start : passage.end] == passage.text:
                spans.extend((passage.start + start, passage.start + end) for start, end in passage.terms)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"Archived copy of source #{source.pk}",
            "claim": claim,
            "source": source,
            "snapshot": source.snapshot,
            "href": safe_href(source.url),
            "final_href": safe_href(source.final_url),
            "text": mark_terms(text, spans),
            "attempts": list(FetchAttempt.objects.filter(source=source).order_by("-started_at", "-id")[:20]),
            "back_url": reverse("admin:factcheck_reviewitem_change", args=[claim.pk]),
        }
        return TemplateResponse(request, "factcheck/admin/source_archive.html", context)

    def refetch_view(self, request, object_id, source_id):
        claim = self._claim_for_post(request, object_id)
        if not Source.objects.filter(claim=claim, pk=source_id).exists():
            raise Http404("No such source on this claim.")
        try:
            source = source_refetch(actor=Actor.for_user(request.user), source_id=source_id)
        except REFUSALS as error:
            messages.error(request, refusal_text(error))
        else:
            messages.success(request, f"{source.url} will be fetched again.")
        return self._back_to(claim)

    def offline_view(self, request, object_id, source_id):
        claim = self._claim_for_post(request, object_id)
        if not Source.objects.filter(claim=claim, pk=source_id).exists():
            raise Http404("No such source on this claim.")
        try:
            source = source_mark_offline(
                actor=Actor.for_user(request.user),
                source_id=source_id,
                offline_note=request.POST.get("offline_note", ""),
            )
        except REFUSALS as error:
            messages.error(request, refusal_text(error))
        else:
            messages.success(request, f"{source.url or 'The source'} is marked as an offline source.")
        return self._back_to(claim)


class SearchProviderForm(forms.ModelForm):
    secret = forms.CharField(
        label="Secret",
        required=False,
        strip=True,
        widget=forms.PasswordInput(render_value=False),
        help_text="An API key put into {secret}. Never shown again; leave blank to keep the one saved.",
    )

    class Meta:
        model = SearchProvider
        fields = [
            "newsroom", "name", "kind", "enabled", "min_checkworthiness", "max_results",
            "url_template", "secret", "results_path", "fields",
        ]  # fmt: skip

    def clean(self):
        data = super().clean()
        if all(name in data for name in ("kind", "min_checkworthiness", "max_results")):
            errors = search_provider_errors(
                kind=data["kind"],
                min_checkworthiness=data["min_checkworthiness"],
                max_results=data["max_results"],
                url_template=data.get("url_template") or "",
                fields=data.get("fields") or {},
            )
            for field, message in errors.items():
                self.add_error(field, message)
        return data


@admin.register(SearchProvider)
class SearchProviderAdmin(ServiceWrittenAdmin):
    """Where the newsroom's check-worthy claims are searched for sources."""

    form = SearchProviderForm
    list_display = ["name", "newsroom", "kind", "enabled", "min_checkworthiness", "max_results"]
    list_filter = ["kind", "enabled"]
    view_roles = edit_roles = frozenset({Role.ADMIN})  # URL templates and secrets: the admins' only
    fieldsets = [
        (None, {"fields": ["newsroom", "name", "kind", "enabled", "min_checkworthiness", "max_results"]}),
        (
            "HTTP JSON search API",
            {
                "fields": ["url_template", "secret", "results_path", "fields"],
                "description": (
                    "For Google Fact Check Tools: URL template https://factchecktools.googleapis.com"
                    "/v1alpha1/claims:search?query={query}&key={secret}, "
                    'results path "claims", field paths {"url": "claimReview.0.url", '
                    '"title": "claimReview.0.title", "rating": "claimReview.0.textualRating", '
                    '"publisher": "claimReview.0.publisher.name", "snippet": "text"}.'
                ),
            },
        ),
    ]

    def get_readonly_fields(self, request, obj=None):
        return ["newsroom"] if obj is not None else []

    def save_form(self, request, form, change):
        data = dict(form.cleaned_data)
        data["newsroom"] = form.instance.newsroom if change else data["newsroom"]
        return search_provider_save(provider_id=form.instance.pk, **data)
