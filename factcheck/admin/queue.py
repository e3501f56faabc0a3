"""The review queue: the claims editors and fact-checkers work through, most urgent first.

The list is ``selectors.review_queue`` (live claims of the viewer's newsrooms, by priority), open
claims unless another status is chosen.  Bulk actions move each selected claim through the
services and report, claim by claim, what was refused and why.  The claim page is ``claim_page.py``.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString

from editorial.admin import NewsroomScopedAdmin, newsrooms_of
from editorial.models import Desk
from factcheck.actors import Actor
from factcheck.admin.claim_page import ASSIGNABLE_ROLES, ClaimPageMixin
from factcheck.admin.common import (
    CHECK_ROLES,
    EDITOR_ROLES,
    REFUSALS,
    age,
    highlight_claim,
    refusal_text,
    short_title,
    time_left,
)
from factcheck.models import FLAG_KIND_CHOICES, FLAGGED, ReviewItem
from factcheck.selectors import QUEUE_ORDER, QueueFilters, narrow_queue, review_queue
from factcheck.services.review import claim_assign, claim_transition
from factcheck.workflow import BY_NAME, OPEN_STATES, ClaimStatus, Transition

#: Refusals listed one by one in a bulk action's message; beyond, only counted.
LISTED_REFUSALS = 10
#: The article column shows titles up to this long (the whole title on hover).
ARTICLE_TITLE_LENGTH = 48


def checkers_of(user) -> QuerySet:
    """People who may be given claims in ``user``'s newsrooms (one query, each person once)."""
    return (
        get_user_model()
        .objects.filter(
            is_active=True,
            memberships__newsroom__in=newsrooms_of(user),
            memberships__role__in=ASSIGNABLE_ROLES,
        )
        .distinct()
        .order_by("username")
    )


# --- Filters -----------------------------------------------------------------------------------


class StatusFilter(admin.SimpleListFilter):
    """Open claims by default; any one state, or all of them, on request."""

    title = "status"
    parameter_name = "status"

    def lookups(self, request, model_admin):
        states = [(s.value, s.label) for s in ClaimStatus if s != ClaimStatus.SUPERSEDED]
        return [*states, ("all", "All states")]

    def choices(self, changelist):
        yield {
            "selected": self.value() is None,
            "query_string": changelist.get_query_string(remove=[self.parameter_name]),
            "display": "Open (default)",
        }
        for value, label in self.lookup_choices:
            yield {
                "selected": self.value() == value,
                "query_string": changelist.get_query_string({self.parameter_name: value}),
                "display": label,
            }

    def queryset(self, request, queryset):
        value = self.value()
        if value is None:
            return queryset.filter(status__in=OPEN_STATES)
        if value == "all":
            return queryset
        return narrow_queue(queryset, viewer=request.user, filters=QueueFilters(status=value))


class FlagKindFilter(admin.SimpleListFilter):
    title = "flag kind"
    parameter_name = "flag_kind"

    def lookups(self, request, model_admin):
        kinds = sorted(FLAG_KIND_CHOICES, key=lambda choice: choice[1])
        return [("any", "Any flag"), ("none", "No flag"), *kinds]

    def queryset(self, request, queryset):
        value = self.value()
        if value in (None, ""):
            return queryset
        if value == "any":
            return queryset.filter(FLAGGED)  # the claim_flagged_* indexes' condition
        if value == "none":
            return queryset.exclude(FLAGGED)
        return narrow_queue(queryset, viewer=request.user, filters=QueueFilters(flag_kind=value))


class DeskFilter(admin.SimpleListFilter):
    """The desks of the viewer's newsrooms, in one query however many there are."""

    title = "desk"
    parameter_name = "desk"

    def lookups(self, request, model_admin):
        desks = list(
            Desk.objects.filter(newsroom__in=newsrooms_of(request.user))
            .select_related("newsroom")
            .order_by("newsroom__name", "name")
        )
        several = len({desk.newsroom_id for desk in desks}) > 1
        return [
            (str(desk.pk), f"{desk.name} ({desk.newsroom.name})" if several else desk.name) for desk in desks
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if not value:
            return queryset
        if not value.isdigit():
            return queryset.none()
        return narrow_queue(queryset, viewer=request.user, filters=QueueFilters(desk_id=int(value)))


class AssigneeFilter(admin.SimpleListFilter):
    title = "assignee"
    parameter_name = "assignee"

    def lookups(self, request, model_admin):
        people = [(str(person.pk), person.get_username()) for person in checkers_of(request.user)]
        return [("mine", "Mine"), ("unassigned", "Unassigned"), *people]

    def queryset(self, request, queryset):
        value = self.value()
        if not value:
            return queryset
        if value not in ("mine", "unassigned") and not value.isdigit():
            return queryset.none()
        assignee = value if value in ("mine", "unassigned") else int(value)
        return narrow_queue(queryset, viewer=request.user, filters=QueueFilters(assignee=assignee))


# --- Bulk actions ------------------------------------------------------------------------------


class ReviewActionForm(helpers.ActionForm):
    """The action bar, with whom to assign the claims to and the note the workflow may ask for.

    The changelist narrows ``assignee`` to the viewer's newsrooms' checkers (and shows it to editors
    only); the service checks each claim's newsroom in any case.
    """

    assignee = forms.ModelChoiceField(
        label="Assign to",
        queryset=get_user_model().objects.filter(memberships__role__in=ASSIGNABLE_ROLES).distinct(),
        required=False,
        empty_label="—",
    )
    note = forms.CharField(
        label="Note",
        required=False,
        max_length=2000,
        widget=forms.TextInput(
            attrs={"size": 40, "placeholder": "Why (dismissing and most verdicts need one)"}
        ),
    )


def _verb(transition: Transition) -> str:
    return {"take": "taken", "dismiss": "dismissed"}.get(transition.name) or (
        f"marked {transition.target.label.lower()}"
    )


def _transition_action(name: str):
    """A bulk action making the workflow's ``name`` transition on each selected claim."""
    transition = BY_NAME[name]
    permission = "editor" if name == "dismiss" else "check"
    description = {"take": "Take the selected claims", "dismiss": "Dismiss as not checkable"}.get(
        name, f"Verdict: {transition.label.lower()}"
    )

    @admin.action(description=description, permissions=[permission])
    def action(modeladmin, request, queryset):
        modeladmin.run_transition(request, queryset, transition)

    action.__name__ = name
    return action


@admin.register(ReviewItem)
class ReviewItemAdmin(ClaimPageMixin, NewsroomScopedAdmin):
    newsroom_path = "article__newsroom"
    # Five dense columns, readable without a sideways scroll at 1,366 px (laptops): the flags sit under
    # the claim, the desk under the article's shortened title (the full one on hover), the assignee
    # beside the status, the claim's age under the time left before its article's deadline.  tests/browser
    # checks the width.
    list_display = ["claim_text", "article_link", "status_and_assignee", "score", "deadline_and_age"]
    list_display_links = ["claim_text"]
    list_filter = [StatusFilter, FlagKindFilter, DeskFilter, AssigneeFilter]
    search_fields = ["text", "article__title"]
    search_help_text = "Words of the claim or of its article's title."
    ordering = QUEUE_ORDER
    list_per_page = 100
    action_form = ReviewActionForm
    actions = [
        _transition_action("take"),
        "assign",
        _transition_action("dismiss"),
        _transition_action("verify"),
        _transition_action("mark_misleading"),
        _transition_action("mark_false"),
        _transition_action("mark_unverifiable"),
    ]

    def get_queryset(self, request):
        return review_queue(viewer=request.user, model=ReviewItem)

    def has_add_permission(self, request) -> bool:
        return False  # claims come from the analysis

    def has_change_permission(self, request, obj=None) -> bool:
        return False  # nothing is edited as a form: the claim page's forms call the services

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def has_check_permission(self, request) -> bool:
        return self.has_role(request, CHECK_ROLES)

    def has_editor_permission(self, request) -> bool:
        return self.has_role(request, EDITOR_ROLES)

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, {"title": "Review queue", **(extra_context or {})})
        action_form = getattr(response, "context_data", {}).get("action_form")
        if action_form is not None and self.has_editor_permission(request):
            action_form.fields["assignee"].queryset = checkers_of(request.user)
        elif action_form is not None:
            del action_form.fields["assignee"]  # only editors assign
        return response

    # --- Columns -----------------------------------------------------------------------------

    @admin.display(description="claim")
    def claim_text(self, claim: ReviewItem) -> SafeString:
        kinds = sorted({flag.get_kind_display() for flag in claim.flags.all()})
        return format_html(
            '<span class="queue-claim" style="display: block; min-width: 16em; max-width: 46em">{}</span>{}',
            highlight_claim(claim),
            format_html('<span class="queue-flags help" style="display: block">{}</span>', " · ".join(kinds))
            if kinds
            else "",
        )

    @admin.display(description="article", ordering="article__title")
    def article_link(self, claim: ReviewItem) -> SafeString:
        url = reverse("admin:editorial_article_change", args=[claim.article_id])
        desk = claim.article.desk.name if claim.article.desk else ""
        return format_html(
            '<a href="{}" class="queue-article" title="{}" style="display: block; min-width: 9em">{}</a>{}',
            url,
            str(claim.article),
            short_title(claim.article, ARTICLE_TITLE_LENGTH),
            format_html('<span class="queue-desk help">{}</span>', desk) if desk else "",
        )

    @admin.display(description="status", ordering="status")
    def status_and_assignee(self, claim: ReviewItem) -> SafeString:
        return format_html(
            '<span class="queue-status" style="white-space: nowrap">{}</span>'
            '<span class="queue-assignee help" style="display: block">{}</span>',
            claim.get_status_display(),
            claim.holder or "unassigned",
        )

    @admin.display(description="score", ordering="checkworthiness")
    def score(self, claim: ReviewItem) -> SafeString:
        return format_html('<span title="check-worthiness, 0 to 1">{}</span>', f"{claim.checkworthiness:.2f}")

    @admin.display(description="time left", ordering="deadline")
    def deadline_left(self, claim: ReviewItem) -> SafeString:
        return time_left(claim.deadline, timezone.now())

    @admin.display(description="age", ordering="created_at")
    def age(self, claim: ReviewItem) -> str:
        return age(claim.created_at, timezone.now())

    @admin.display(description="due · age", ordering="deadline")
    def deadline_and_age(self, claim: ReviewItem) -> SafeString:
        now = timezone.now()
        return format_html(
            '{}<span class="queue-age help" style="display: block">{}</span>',
            time_left(claim.deadline, now),
            age(claim.created_at, now),
        )

    # --- Actions -----------------------------------------------------------------------------

    def run_transition(self, request, queryset, transition: Transition) -> None:
        note = request.POST.get("note", "").strip()
        if transition.needs_note and not note:
            self.message_user(
                request,
                f"{transition.label} needs a note saying why: write it in the note box next to the action. "
                "Nothing was changed.",
                messages.ERROR,
            )
            return
        actor = Actor.for_user(request.user)
        done, refused = 0, []
        for claim in queryset:
            if claim.status not in transition.sources:
                sources = " or ".join(sorted(s.label.lower() for s in transition.sources))
                refused.append((claim, f"{transition.label} is only for claims that are {sources}."))
                continue
            try:
                claim_transition(
                    actor=actor,
                    claim_id=claim.pk,
                    to=transition.target,
                    note=note,
                    expected_status=claim.status,
                )
            except REFUSALS as error:
                refused.append((claim, refusal_text(error)))
            else:
                done += 1
        self.report(request, done, _verb(transition), refused)

    @admin.action(description="Assign to… (choose whom next to the action)", permissions=["editor"])
    def assign(self, request, queryset):
        raw = request.POST.get("assignee", "").strip()
        if not raw.isdigit():
            self.message_user(
                request,
                "Choose whom to assign the claims to, next to the action. Nothing was changed.",
                messages.ERROR,
            )
            return
        assignee = checkers_of(request.user).filter(pk=int(raw)).first()
        actor = Actor.for_user(request.user)
        note = request.POST.get("note", "").strip()
        done, refused = 0, []
        for claim in queryset:
            try:
                claim_assign(actor=actor, claim_id=claim.pk, assignee_id=int(raw), note=note)
            except REFUSALS as error:
                refused.append((claim, refusal_text(error)))
            else:
                done += 1
        who = assignee.get_username() if assignee else f"person #{raw}"
        self.report(request, done, f"assigned to {who}", refused)

    def report(self, request, done: int, verb: str, refused: list) -> None:
        """One message: how many were done, then each refusal with its claim and the reason."""
        message = f"{done} {verb}"
        if refused:
            reasons = " ".join(
                f"#{claim.pk} ({claim.get_status_display().lower()}): {why}"
                for claim, why in refused[:LISTED_REFUSALS]
            )
            more = len(refused) - LISTED_REFUSALS
            message += f"; {len(refused)} refused: {reasons}" + (f" …and {more} more." if more > 0 else "")
        else:
            message += "."
        level = messages.SUCCESS if not refused else messages.WARNING if done else messages.ERROR
        self.message_user(request, message, level)
