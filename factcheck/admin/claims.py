"""Claims as rows (every revision, superseded ones too), their flags, history and kept-out parts.

People review claims on the review queue's pages (``queue.py``); this is the record.
"""

from __future__ import annotations

from django.contrib import admin
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString

from editorial.admin import NewsroomScopedAdmin, ReadOnlyAdmin
from factcheck.actors import Actor
from factcheck.admin.common import CORRECT_ROLES, highlight_claim
from factcheck.admin.exports import export_view
from factcheck.models import (
    FLAG_KIND_CHOICES,
    AttributionFlag,
    Claim,
    ClaimEvent,
    DeadlineEscalation,
    ExcludedBlock,
)
from factcheck.services.analyses import claim_exclude, excluded_block_promote
from factcheck.workflow import ClaimStatus


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
        labels = dict(FLAG_KIND_CHOICES)
        return [("any", "Any flag"), ("none", "No flag"), *((kind, labels.get(kind, kind)) for kind in kinds)]

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
        "taken_by",
    ]
    list_filter = ["status", FlaggedFilter, "kind", "article__newsroom", "article__desk"]
    search_fields = ["text", "article__title", "article__external_id"]
    list_select_related = ["article", "assignee", "assignee_key"]
    ordering = ["-is_flagged", "-checkworthiness", "created_at"]
    inlines = [FlagInline, EventInline]
    change_list_template = "factcheck/admin/claim_change_list.html"
    fields = [
        "article",
        "highlighted",
        "review_page",
        "kind",
        "checkworthiness",
        "checkworthiness_reasons",
        "status",
        "taken_by",
        "revision",
        "number",
        "start",
        "end",
        "created_at",
        "updated_at",
    ]
    readonly_fields = fields

    actions = ["keep_out"]

    @admin.display(description="assignee", ordering="assignee__username")
    def taken_by(self, claim: Claim) -> str:
        return claim.holder or "—"

    def get_urls(self):
        export = self.admin_site.admin_view(lambda request: export_view(self.admin_site, request))
        return [path("export/", export, name="factcheck_claim_export"), *super().get_urls()]

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
            claim_exclude(actor=Actor.for_user(request.user), claim=claim)
        self.message_user(
            request, f"{len(claims)} sentence(s) kept out of the claims; their history says who did it."
        )

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # their history must stay

    @admin.display(description="number in the article")
    def number(self, claim: Claim) -> int:
        return claim.number

    @admin.display(description="claim")
    def short_text(self, claim: Claim) -> str:
        return str(claim)

    @admin.display(description="claim")
    def highlighted(self, claim: Claim) -> SafeString:
        return highlight_claim(claim)

    @admin.display(description="review")
    def review_page(self, claim: Claim) -> SafeString | str:
        """Claims are reviewed on the queue's page; a superseded one is history only."""
        if claim.status == ClaimStatus.SUPERSEDED:
            return "Superseded by a revision: nothing left to review."
        url = reverse("admin:factcheck_reviewitem_change", args=[claim.pk])
        return format_html('<a href="{}" id="review-page-link">Open the review page</a>', url)

    @admin.display(description="article", ordering="article__title")
    def article_link(self, claim: Claim) -> SafeString:
        url = reverse("admin:editorial_article_change", args=[claim.article_id])
        return format_html('<a href="{}">{}</a>', url, str(claim.article))


@admin.register(ClaimEvent)
class ClaimEventAdmin(ReadOnlyAdmin):
    """The audit trail, read-only: rows are never edited or deleted here."""

    newsroom_path = "claim__article__newsroom"
    list_display = ["created_at", "actor_name", "action", "from_status", "to_status", "claim"]
    list_filter = ["action", "actor_kind", "to_status"]
    search_fields = ["actor_name", "note", "claim__text"]
    list_select_related = ["claim"]
    date_hierarchy = "created_at"


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
            excluded_block_promote(actor=Actor.for_user(request.user), block=block)
        self.message_user(
            request, f"{len(queryset)} part(s) made claims; the claims' history says who did it."
        )


@admin.register(DeadlineEscalation)
class DeadlineEscalationAdmin(ReadOnlyAdmin):
    """Articles escalated to their desk's editors as their deadline neared, once per deadline; the
    emails are in the outbox (kind "An article on my desks is blocked close to its deadline")."""

    newsroom_path = "article__newsroom"
    list_display = ["created_at", "article", "deadline", "blocking_claims"]
    list_filter = ["article__newsroom", "article__desk"]
    search_fields = ["article__title", "article__external_id"]
    list_select_related = ["article"]
    date_hierarchy = "created_at"
