"""Admin for the checking side: articles with their claims, claims with flags and history.

Article and claim text is untrusted: everything shown is escaped (``format_html``/``escape``),
and only the highlighting markup is ours.
"""

from __future__ import annotations

import uuid

from django import forms
from django.conf import settings
from django.contrib import admin
from django.db.models import Count, Q
from django.urls import reverse
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

from editorial.admin import NewsroomScopedAdmin
from editorial.models import Article, Desk, Role
from factcheck import services
from factcheck.analysis.pipeline import InputRejected, check_input
from factcheck.models import AttributionFlag, Claim, ClaimEvent, ExcludedBlock
from factcheck.workflow import ClaimStatus


def highlight(text: str, spans: list[tuple[int, int, str]], *, offset: int = 0) -> SafeString:
    """``text`` escaped, with each (start, end, title) span, in article offsets, wrapped in <mark>."""
    out: list[str] = []
    position = 0
    for start, end, title in sorted(spans):
        start, end = max(start - offset, position), min(end - offset, len(text))
        if start >= end:
            continue
        out.append(escape(text[position:start]))
        out.append(format_html('<mark title="{}">{}</mark>', title, text[start:end]))
        position = end
    out.append(escape(text[position:]))
    return mark_safe("".join(out))  # noqa: S308 - every piece above is escaped


# --- Articles ----------------------------------------------------------------------------------


class ArticleForm(forms.ModelForm):
    external_id = forms.CharField(
        max_length=200,
        required=False,
        help_text="The article's id in your CMS; left empty, one is generated.",
    )

    class Meta:
        model = Article
        fields = ["newsroom", "desk", "external_id", "title", "url", "byline", "body_format", "body"]

    def clean(self):
        cleaned = super().clean()
        desk: Desk | None = cleaned.get("desk")
        newsroom = cleaned.get("newsroom")
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


class ClaimInline(admin.TabularInline):
    model = Claim
    fields = ["ordinal", "claim_text", "kind", "checkworthiness", "status", "assignee", "flag_list"]
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
            .select_related("assignee")
            .prefetch_related("flags")
        )

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description="claim")
    def claim_text(self, claim: Claim) -> SafeString:
        spans = [(flag.start, flag.end, flag.message) for flag in claim.flags.all()]
        return highlight(claim.text, spans, offset=claim.start)

    @admin.display(description="flags")
    def flag_list(self, claim: Claim) -> str:
        return ", ".join(sorted({flag.kind for flag in claim.flags.all()})) or "—"


class ExcludedInline(admin.TabularInline):
    model = ExcludedBlock
    fields = ["reason", "text"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    verbose_name_plural = "kept out of the claims"

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Article)
class ArticleAdmin(NewsroomScopedAdmin):
    form = ArticleForm
    edit_roles = frozenset({Role.ADMIN, Role.EDITOR, Role.FACT_CHECKER})
    list_display = [
        "__str__",
        "newsroom",
        "desk",
        "analysis_status",
        "revision",
        "claim_count",
        "flagged_count",
        "created_at",
    ]
    list_filter = ["analysis_status", "newsroom", "desk", "body_format"]
    search_fields = ["title", "external_id", "byline", "url"]
    list_select_related = ["newsroom", "desk"]
    date_hierarchy = "created_at"
    inlines = [ClaimInline, ExcludedInline]
    readonly_fields = [
        "revision",
        "analysis_status",
        "analysis_error",
        "analyzed_revision",
        "highlighted_text",
        "created_at",
        "updated_at",
    ]

    def get_fieldsets(self, request, obj=None):
        submitted = [("Article", {"fields": ["newsroom", "desk", "external_id", "title", "url", "byline"]})]
        body = [
            (
                "Body",
                {"fields": ["body_format", "body"], "description": "Saving a changed body re-analyses it."},
            )
        ]
        if obj is None:
            return submitted + body
        analysis = ("Analysis", {"fields": [*self.readonly_fields]})
        return [*submitted, analysis, *body]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                live_total=Count("claims", filter=~Q(claims__status=ClaimStatus.SUPERSEDED)),
                flagged_total=Count(
                    "claims", filter=Q(claims__is_flagged=True) & ~Q(claims__status=ClaimStatus.SUPERSEDED)
                ),
            )
        )

    @admin.display(description="claims", ordering="live_total")
    def claim_count(self, article) -> int:
        return article.live_total

    @admin.display(description="flagged", ordering="flagged_total")
    def flagged_count(self, article) -> int:
        return article.flagged_total

    @admin.display(description="text with claims and cues")
    def highlighted_text(self, article: Article) -> SafeString:
        if not article.canonical_text:
            return mark_safe("<em>Not analysed yet.</em>")
        flags = AttributionFlag.objects.filter(claim__article=article).exclude(
            claim__status=ClaimStatus.SUPERSEDED
        )
        spans = [(flag.start, flag.end, flag.message) for flag in flags]
        return format_html(
            '<div style="white-space: pre-wrap; max-width: 60em; line-height: 1.5">{}</div>',
            highlight(article.canonical_text, spans),
        )

    def save_form(self, request, form, change):
        """Submit through the service (which queues the analysis); the admin then logs that article."""
        data = form.cleaned_data
        external_id = data.get("external_id") or (
            form.instance.external_id if change else f"admin-{uuid.uuid4().hex[:12]}"
        )
        return services.article_submit(
            actor=services.Actor.for_user(request.user),
            newsroom=data["newsroom"],
            external_id=external_id,
            body=data["body"],
            body_format=data["body_format"],
            title=data.get("title", ""),
            url=data.get("url", ""),
            byline=data.get("byline", ""),
            desk=data.get("desk"),
        )

    def save_model(self, request, obj, form, change):
        pass  # save_form already wrote it through the service

    def save_related(self, request, form, formsets, change):
        pass  # claims and excluded blocks are written by the analysis, never by this form


# --- Claims ------------------------------------------------------------------------------------


class FlagInline(admin.TabularInline):
    model = AttributionFlag
    fields = ["kind", "cue", "severity", "message"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


class EventInline(admin.TabularInline):
    model = ClaimEvent
    fields = ["created_at", "actor_name", "action", "from_status", "to_status", "note"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    verbose_name_plural = "history"

    def has_add_permission(self, request, obj=None) -> bool:
        return False


class FlaggedFilter(admin.SimpleListFilter):
    title = "flag kind"
    parameter_name = "flag_kind"

    def lookups(self, request, model_admin):
        kinds = AttributionFlag.objects.values_list("kind", flat=True).distinct().order_by("kind")
        return [("any", "Any flag"), ("none", "No flag"), *((kind, kind) for kind in kinds)]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "any":
            return queryset.filter(is_flagged=True)
        if value == "none":
            return queryset.filter(is_flagged=False)
        if value:
            return queryset.filter(flags__kind=value).distinct()
        return queryset


@admin.register(Claim)
class ClaimAdmin(NewsroomScopedAdmin):
    newsroom_path = "article__newsroom"
    list_display = [
        "short_text",
        "article_link",
        "status",
        "kind",
        "checkworthiness",
        "is_flagged",
        "assignee",
    ]
    list_filter = ["status", FlaggedFilter, "kind", "article__newsroom", "article__desk"]
    search_fields = ["text", "article__title", "article__external_id"]
    list_select_related = ["article", "assignee"]
    ordering = ["-is_flagged", "-checkworthiness", "created_at"]
    inlines = [FlagInline, EventInline]
    fields = [
        "article",
        "highlighted",
        "kind",
        "checkworthiness",
        "checkworthiness_reasons",
        "status",
        "assignee",
        "revision",
        "ordinal",
        "start",
        "end",
        "created_at",
        "updated_at",
    ]
    readonly_fields = fields

    def has_add_permission(self, request) -> bool:
        return False  # claims come from the analysis

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # their history must stay

    @admin.display(description="claim")
    def short_text(self, claim: Claim) -> str:
        return str(claim)

    @admin.display(description="claim")
    def highlighted(self, claim: Claim) -> SafeString:
        spans = [(flag.start, flag.end, flag.message) for flag in claim.flags.all()]
        return highlight(claim.text, spans, offset=claim.start)

    @admin.display(description="article", ordering="article__title")
    def article_link(self, claim: Claim) -> SafeString:
        url = reverse("admin:editorial_article_change", args=[claim.article_id])
        return format_html('<a href="{}">{}</a>', url, str(claim.article))


@admin.register(ClaimEvent)
class ClaimEventAdmin(NewsroomScopedAdmin):
    """The audit trail, read-only: rows are never edited or deleted here."""

    newsroom_path = "claim__article__newsroom"
    list_display = ["created_at", "actor_name", "action", "from_status", "to_status", "claim"]
    list_filter = ["action", "actor_kind", "to_status"]
    search_fields = ["actor_name", "note", "claim__text"]
    list_select_related = ["claim"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
