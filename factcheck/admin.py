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

from editorial.admin import NewsroomScopedAdmin, ServiceWrittenAdmin
from editorial.models import Article, Desk, Role
from factcheck import services
from factcheck.analysis.attributions import KINDS as ATTRIBUTION_KINDS
from factcheck.analysis.pipeline import InputRejected, check_input
from factcheck.analysis.types import Severity
from factcheck.models import AttributionFlag, CheckingPolicy, Claim, ClaimEvent, ExcludedBlock
from factcheck.workflow import ClaimStatus

CORRECT_ROLES = frozenset({Role.ADMIN, Role.EDITOR})


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
        fields = ["newsroom", "desk", "external_id", "title", "url", "byline", "body_format", "body"]

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
class ArticleAdmin(ServiceWrittenAdmin):
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
    list_select_related = ["newsroom", "desk__newsroom"]  # a desk's name shows its newsroom's slug
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

    def get_readonly_fields(self, request, obj=None):
        # The service finds an article by (newsroom, external_id): changing either would submit
        # another article instead of editing this one.
        if obj is None:
            return self.readonly_fields
        return ["newsroom", "external_id", *self.readonly_fields]

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
        if change:  # the article being edited, never another one
            newsroom, external_id = form.instance.newsroom, form.instance.external_id
        else:
            newsroom = data["newsroom"]
            external_id = data.get("external_id") or f"admin-{uuid.uuid4().hex[:12]}"
        return services.article_submit(
            actor=services.Actor.for_user(request.user),
            newsroom=newsroom,
            external_id=external_id,
            body=data["body"],
            body_format=data["body_format"],
            title=data.get("title", ""),
            url=data.get("url", ""),
            byline=data.get("byline", ""),
            desk=data.get("desk"),
        )

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else []


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

    actions = ["keep_out"]

    def has_add_permission(self, request) -> bool:
        return False  # claims come from the analysis

    def has_correct_permission(self, request) -> bool:
        """Editors correct the analysis (make a part a claim, or keep a sentence out)."""
        return self.has_role(request, CORRECT_ROLES)

    @admin.action(
        description="Keep the selected sentences out of the claims (furniture)", permissions=["correct"]
    )
    def keep_out(self, request, queryset):
        claims = list(queryset.select_related("article"))
        for claim in claims:
            services.claim_exclude(actor=services.Actor.for_user(request.user), claim=claim)
        self.message_user(
            request, f"{len(claims)} sentence(s) kept out of the claims; their history says who did it."
        )

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


class ReadOnlyAdmin(NewsroomScopedAdmin):
    """Rows the analysis writes: people read and filter them here, and never edit them."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(AttributionFlag)
class AttributionFlagAdmin(ReadOnlyAdmin):
    newsroom_path = "claim__article__newsroom"
    list_display = ["cue", "kind", "severity", "claim", "message"]
    list_filter = ["kind", "severity", "claim__status", "claim__article__newsroom"]
    search_fields = ["cue", "claim__text", "claim__article__title"]
    list_select_related = ["claim"]


@admin.register(ExcludedBlock)
class ExcludedBlockAdmin(ReadOnlyAdmin):
    newsroom_path = "article__newsroom"
    list_display = ["text", "reason", "article"]
    list_filter = ["reason", "article__newsroom"]
    search_fields = ["text", "article__title"]
    list_select_related = ["article"]
    actions = ["make_claims"]

    def has_correct_permission(self, request) -> bool:
        """Editors correct the analysis (make a part a claim, or keep a sentence out)."""
        return self.has_role(request, CORRECT_ROLES)

    @admin.action(
        description="Make the selected parts claims (the analysis was wrong)", permissions=["correct"]
    )
    def make_claims(self, request, queryset):
        for block in queryset.select_related("article"):
            services.excluded_block_promote(actor=services.Actor.for_user(request.user), block=block)
        self.message_user(
            request, f"{len(queryset)} part(s) made claims; the claims' history says who did it."
        )


def _kind_label(kind: str) -> str:
    return kind.replace("_", " ").capitalize()


class _CheckingPolicyForm(forms.ModelForm):
    flag_kinds = forms.MultipleChoiceField(
        label="Kinds of attribution to flag",
        choices=[(kind, _kind_label(kind)) for kind in ATTRIBUTION_KINDS],
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="A kind left unticked is never flagged (newsrooms differ on anonymous officials, for one).",
    )

    class Meta:
        model = CheckingPolicy
        fields = ["newsroom", "flag_kinds", "extra_vague_terms", "allowed_phrases"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        saved = self.instance.severities if self.instance.pk else {}
        for kind, default in ATTRIBUTION_KINDS.items():
            self.initial.setdefault(f"severity_{kind}", saved.get(kind, default.value))

    def severities(self) -> dict[str, str]:
        return {kind: self.cleaned_data[f"severity_{kind}"] for kind in ATTRIBUTION_KINDS}


# One severity field per kind of flag, declared on the class so that the admin knows them.
CheckingPolicyForm = type(
    "CheckingPolicyForm",
    (_CheckingPolicyForm,),
    {
        f"severity_{kind}": forms.ChoiceField(
            label=f"Severity: {_kind_label(kind).lower()}",
            choices=[(s.value, s.value.capitalize()) for s in Severity],
        )
        for kind in ATTRIBUTION_KINDS
    },
)


@admin.register(CheckingPolicy)
class CheckingPolicyAdmin(ServiceWrittenAdmin):
    form = CheckingPolicyForm
    list_display = ["newsroom", "kinds_flagged", "updated_at"]
    edit_roles = frozenset({Role.ADMIN, Role.EDITOR})

    def get_fields(self, request, obj=None):
        return [
            "newsroom", "flag_kinds", *(f"severity_{kind}" for kind in ATTRIBUTION_KINDS),
            "extra_vague_terms", "allowed_phrases",
        ]  # fmt: skip

    def get_readonly_fields(self, request, obj=None):
        return ["newsroom"] if obj is not None else []

    @admin.display(description="kinds flagged")
    def kinds_flagged(self, policy: CheckingPolicy) -> str:
        return ", ".join(_kind_label(kind) for kind in policy.flag_kinds) or "none"

    def save_form(self, request, form, change):
        return services.checking_policy_save(
            newsroom=form.instance.newsroom if change else form.cleaned_data["newsroom"],
            flag_kinds=form.cleaned_data["flag_kinds"],
            severities=form.severities(),
            extra_vague_terms=form.cleaned_data["extra_vague_terms"],
            allowed_phrases=form.cleaned_data["allowed_phrases"],
        )
