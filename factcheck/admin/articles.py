"""Articles: submitted through the service, shown with their readiness and every claim highlighted."""

from __future__ import annotations

import uuid

from django import forms
from django.conf import settings
from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.db.models import Count, Q
from django.forms.models import BaseInlineFormSet
from django.http import Http404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_GET

from editorial.admin import ServiceWrittenAdmin
from editorial.models import Article, Desk, Role
from factcheck import selectors
from factcheck.actors import Actor
from factcheck.admin.common import highlight_claim, highlight_claims, time_left
from factcheck.analysis.pipeline import InputRejected, check_input
from factcheck.models import Claim, ExcludedBlock
from factcheck.services.articles import article_submit
from factcheck.workflow import ClaimStatus


class ArticleForm(forms.ModelForm):
    body = forms.CharField(
        widget=forms.Textarea, strip=False, help_text="Plain text (blank lines between paragraphs) or HTML."
    )
    external_id = forms.CharField(
        max_length=200,
        required=False,
        help_text="The article's id in your CMS; left empty, one is generated.",
    )

    class Meta:
        model = Article
        fields = [
            "newsroom",
            "desk",
            "external_id",
            "title",
            "url",
            "byline",
            "published_on",
            "deadline",
            "body_format",
            "body",
        ]

    def clean(self):
        cleaned = super().clean()
        desk: Desk | None = cleaned.get("desk")
        # On the change page the newsroom is read-only (not a field): the article's own counts.
        newsroom = cleaned.get("newsroom") if "newsroom" in self.fields else self.instance.newsroom
        if desk is not None and newsroom is not None and desk.newsroom_id != newsroom.pk:
            self.add_error("desk", "That desk belongs to another newsroom.")
        if "body" in cleaned and "body_format" in cleaned:
            try:
                check_input(
                    cleaned["body"], fmt=cleaned["body_format"], max_chars=settings.FACTDESK_MAX_ARTICLE_CHARS
                )
            except InputRejected as error:
                self.add_error("body", str(error))
        return cleaned

    def _post_clean(self):
        pass  # the service validates and writes; the form only parses


class FirstRowsFormSet(BaseInlineFormSet):
    """The inline's first ``selectors.ARTICLE_PAGE_CLAIMS`` rows only, so that no article makes its page
    unbounded; the article's ``page_note`` says how many there are and where to see them all."""

    def get_queryset(self):
        if not hasattr(self, "_first_rows"):
            self._first_rows = super().get_queryset()[: selectors.ARTICLE_PAGE_CLAIMS]
        return self._first_rows


class ClaimInline(admin.TabularInline):
    model = Claim
    formset = FirstRowsFormSet
    fields = ["number", "claim_text", "kind", "checkworthiness", "status", "taken_by", "flag_list"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True
    verbose_name_plural = "claims (current revision)"

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .exclude(status=ClaimStatus.SUPERSEDED)
            .select_related("assignee", "assignee_key")
            .prefetch_related("flags")
            .order_by("ordinal")
        )

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description="no.")
    def number(self, claim: Claim) -> int:
        return claim.number

    @admin.display(description="claim")
    def claim_text(self, claim: Claim) -> SafeString:
        return highlight_claim(claim)

    @admin.display(description="assignee")
    def taken_by(self, claim: Claim) -> str:
        return claim.holder or "—"

    @admin.display(description="flags")
    def flag_list(self, claim: Claim) -> str:
        return ", ".join(sorted({flag.get_kind_display() for flag in claim.flags.all()})) or "—"


class ExcludedInline(admin.TabularInline):
    model = ExcludedBlock
    formset = FirstRowsFormSet
    ordering = ["start"]
    fields = ["reason", "text"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    verbose_name_plural = "kept out of the claims"

    def has_add_permission(self, request, obj=None) -> bool:
        return False


def _chosen(raw: str | None, numbers: list[int], default_index: int) -> int | None:
    """The revision number ``raw`` names if the article has it; without ``raw``, the one at
    ``default_index`` of ``numbers`` (None if there are too few); anything else is None."""
    if raw in (None, ""):
        return numbers[default_index] if len(numbers) >= abs(default_index) and numbers else None
    if not raw.isdigit() or int(raw) not in numbers:
        return None
    return int(raw)


def review_url(claim: Claim) -> str:
    return reverse("admin:factcheck_reviewitem_change", args=[claim.pk])


@admin.register(Article)
class ArticleAdmin(ServiceWrittenAdmin):
    form = ArticleForm
    edit_roles = frozenset({Role.ADMIN, Role.EDITOR, Role.FACT_CHECKER})
    list_display = [
        "__str__",
        "newsroom",
        "desk",
        "readiness_badge",
        "deadline_left",
        "analysis_status",
        "revision",
        "claim_count",
        "flagged_count",
        "created_at",
    ]
    list_filter = ["analysis_status", "newsroom", "desk", "body_format"]
    search_fields = ["title", "external_id", "byline", "url"]
    list_select_related = ["newsroom", "desk__newsroom"]  # a desk's name shows its newsroom's slug
    date_hierarchy = "created_at"
    inlines = [ClaimInline, ExcludedInline]
    readonly_fields = [
        "revision",
        "analysis_status",
        "analysis_error",
        "analyzed_revision",
        "revisions_link",
        "page_note",
        "highlighted_text",
        "created_at",
        "updated_at",
    ]
    revisions_template = "factcheck/admin/article_revisions.html"

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "<path:object_id>/revisions/",
                self.admin_site.admin_view(require_GET(self.revisions_view)),
                name="{}_{}_revisions".format(*info),
            ),
            *super().get_urls(),  # before the admin's own "<path:object_id>/" catch-all
        ]

    def revisions_view(self, request, object_id):
        """The article's revisions, and the difference between any two (``?older=&newer=``)."""
        article = self.get_object(request, unquote(object_id))
        if article is None or not self.has_view_permission(request, article):
            raise Http404("No such article in your newsrooms.")
        rows = list(selectors.article_body_revisions(article=article))
        numbers = [row.number for row in rows]
        older, newer = (
            _chosen(request.GET.get("older"), numbers, -2),
            _chosen(request.GET.get("newer"), numbers, -1),
        )
        diff = None
        if older is not None and newer is not None and older != newer:
            diff = selectors.article_body_diff(article=article, older=older, newer=newer)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"Revisions of {article}",
            "subtitle": None,
            "has_view_permission": True,
            "article": article,
            "article_url": reverse("admin:editorial_article_change", args=[article.pk]),
            "revisions": rows,
            "older": older,
            "newer": newer,
            "diff": diff,
            "bad_choice": any(
                request.GET.get(name) not in (None, "") and _chosen(request.GET.get(name), numbers, 0) is None
                for name in ("older", "newer")
            ),
        }
        return TemplateResponse(request, self.revisions_template, context)

    @admin.display(description="revisions")
    def revisions_link(self, article) -> SafeString:
        count = article.revisions.count()
        return format_html(
            '<a href="{}" id="article-revisions-link">{} revision{} kept: compare any two</a>',
            reverse("admin:editorial_article_revisions", args=[article.pk]),
            count,
            "" if count == 1 else "s",
        )

    def get_readonly_fields(self, request, obj=None):
        # The service finds an article by (newsroom, external_id): changing either would submit
        # another article instead of editing this one.
        if obj is None:
            return self.readonly_fields
        return ["readiness_label", "newsroom", "external_id", *self.readonly_fields]

    def get_fieldsets(self, request, obj=None):
        submitted = [
            (
                "Article",
                {
                    "fields": [
                        "newsroom",
                        "desk",
                        "external_id",
                        "title",
                        "url",
                        "byline",
                        "published_on",
                        "deadline",
                    ]
                },
            )
        ]
        body = [
            (
                "Body",
                {"fields": ["body_format", "body"], "description": "Saving a changed body re-analyses it."},
            )
        ]
        if obj is None:
            return submitted + body
        readiness = ("Readiness", {"fields": ["readiness_label"]})
        analysis = ("Analysis", {"fields": [*self.readonly_fields]})
        return [readiness, *submitted, analysis, *body]

    def get_queryset(self, request):
        return selectors.with_readiness(super().get_queryset(request)).annotate(
            live_total=Count("claims", filter=~Q(claims__status=ClaimStatus.SUPERSEDED)),
            flagged_total=Count(
                "claims", filter=Q(claims__is_flagged=True) & ~Q(claims__status=ClaimStatus.SUPERSEDED)
            ),
        )

    @admin.display(description="readiness")
    def readiness_badge(self, article) -> SafeString:
        readiness = selectors.readiness(article)
        return format_html(
            '<span class="readiness" data-readiness="{}" title="{}">{}</span>',
            readiness.value,
            readiness.label,
            readiness.value,
        )

    @admin.display(description="readiness")
    def readiness_label(self, article) -> SafeString:
        readiness = selectors.readiness(article)
        return format_html(
            '<strong id="article-readiness" data-readiness="{}">{}</strong>', readiness.value, readiness.label
        )

    @admin.display(description="time left", ordering="deadline")
    def deadline_left(self, article) -> SafeString:
        return time_left(article.deadline, timezone.now())

    @admin.display(description="claims", ordering="live_total")
    def claim_count(self, article) -> int:
        return article.live_total

    @admin.display(description="flagged", ordering="flagged_total")
    def flagged_count(self, article) -> int:
        return article.flagged_total

    @admin.display(description="claims shown")
    def page_note(self, article) -> SafeString:
        live = article.live_total  # counted by get_queryset, which the change page's object comes from
        excluded = ExcludedBlock.objects.filter(article=article).count()
        first = selectors.ARTICLE_PAGE_CLAIMS
        if live <= first and excluded <= first:
            return format_html("All {} claims and {} parts kept out are listed below.", live, excluded)
        return format_html(
            'The first {} of {} claims (and of {} parts kept out) are listed below; <a href="{}?article={}">'
            "the claims list</a> has every claim.",
            first,
            live,
            excluded,
            reverse("admin:factcheck_claim_changelist"),
            article.pk,
        )

    @admin.display(description="text with claims and cues")
    def highlighted_text(self, article: Article) -> SafeString:
        if not article.canonical_text:
            return mark_safe("<em>Not analysed yet.</em>")
        claims = selectors.live_claims().filter(article=article).prefetch_related("flags")
        return format_html(
            '<div id="article-text" style="white-space: pre-wrap; max-width: 60em; line-height: 1.6">'
            "{}</div>",
            highlight_claims(article.canonical_text, claims, url_of=review_url),
        )

    def save_form(self, request, form, change):
        """Submit through the service (which queues the analysis); the admin then logs that article."""
        data = form.cleaned_data
        if change:  # the article being edited, never another one
            newsroom, external_id = form.instance.newsroom, form.instance.external_id
        else:
            newsroom = data["newsroom"]
            external_id = data.get("external_id") or f"admin-{uuid.uuid4().hex[:12]}"
        return article_submit(
            actor=Actor.for_user(request.user),
            newsroom=newsroom,
            external_id=external_id,
            body=data["body"],
            body_format=data["body_format"],
            title=data.get("title", ""),
            url=data.get("url", ""),
            byline=data.get("byline", ""),
            published_on=data.get("published_on"),
            desk=data.get("desk"),
            deadline=data.get("deadline"),
        )

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else []
