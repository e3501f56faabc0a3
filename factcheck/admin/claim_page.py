"""The claim page of the review queue: the sentence in its paragraph, flags, sources, history, and
the forms that move it through the workflow.

Every form posts to its own small view (``<id>/transition/``, ``<id>/assign/``, ``<id>/sources/``,
``<id>/sources/<source>/refetch/``)
that calls one service, reports success or the refusal with Django's messages, and redirects back
to the page (post/redirect/get).  The page itself only reads.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.safestring import SafeString
from django.views.decorators.http import require_GET, require_POST

from factcheck import selectors
from factcheck.actors import Actor
from factcheck.admin.common import REFUSALS, highlight_claim, refusal_text, short_title
from factcheck.admin.sources import SourceViewsMixin, source_views
from factcheck.analysis import revisions
from factcheck.models import Claim, ClaimEvent, ReviewItem
from factcheck.services.review import (
    allowed_transitions,
    claim_assign,
    claim_transition,
    needs_evidence,
    verdicts_needing_evidence,
)
from factcheck.services.sources import source_add
from factcheck.workflow import ClaimStatus, WorkflowRole

ASSIGNABLE_ROLES = ["admin", "editor", "fact_checker"]  # as ``claim_assign`` accepts them


@dataclass(frozen=True)
class Passage:
    """The claim in its paragraph: the sentence before it, the claim highlighted, the sentence after."""

    before: str
    claim: SafeString
    after: str


def passage(claim: Claim, neighbours: list[Claim]) -> Passage:
    """Cut from the article's canonical text, between the neighbouring claims of the same paragraph.

    Falls back to the claim alone when its offsets no longer match the text.
    """
    text = claim.article.canonical_text
    if text[claim.start : claim.end] != claim.text:
        return Passage("", highlight_claim(claim), "")
    previous = [n for n in neighbours if n.ordinal < claim.ordinal and n.end <= claim.start]
    following = [n for n in neighbours if n.ordinal > claim.ordinal and n.start >= claim.end]
    before = text[previous[-1].start : claim.start] if previous else ""
    after = text[claim.end : following[0].end] if following else ""
    return Passage(before, highlight_claim(claim), after)


def assignable_people(newsroom_id: int):
    return (
        get_user_model()
        .objects.filter(
            is_active=True, memberships__newsroom_id=newsroom_id, memberships__role__in=ASSIGNABLE_ROLES
        )
        .order_by("username")
    )


class ClaimPageMixin(SourceViewsMixin):
    """The review queue's change view, replaced by the claim page and its three form handlers."""

    claim_page_template = "factcheck/admin/claim_page.html"

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        views = [
            ("transition", self.transition_view),
            ("assign", self.assign_view),
            ("sources", self.source_view),
        ]
        source_views = [
            path(
                "<path:object_id>/sources/<int:source_id>/archive/",
                self.admin_site.admin_view(require_GET(self.archive_view)),
                name="{}_{}_archive".format(*info),
            ),
            path(
                "<path:object_id>/sources/<int:source_id>/refetch/",
                self.admin_site.admin_view(require_POST(self.refetch_view)),
                name="{}_{}_refetch".format(*info),
            ),
            path(
                "<path:object_id>/sources/<int:source_id>/offline/",
                self.admin_site.admin_view(require_POST(self.offline_view)),
                name="{}_{}_offline".format(*info),
            ),
        ]
        return (
            source_views
            + [
                path(
                    f"<path:object_id>/{name}/",
                    self.admin_site.admin_view(require_POST(view)),
                    name="{}_{}_{}".format(*info, name),
                )
                for name, view in views
            ]
            + super().get_urls()  # before the admin's own "<path:object_id>/" catch-all
        )

    # --- Reading ---------------------------------------------------------------------------------

    def review_item(self, request, object_id) -> ReviewItem | None:
        """The claim if the viewer's newsrooms have it in their queue, with all the page shows."""
        try:
            pk = int(unquote(object_id))
        except ValueError:
            return None
        return (
            self.get_queryset(request)
            .prefetch_related(
                selectors.sources_prefetch(),
                Prefetch("events", queryset=ClaimEvent.objects.order_by("created_at", "id")),
            )
            .filter(pk=pk)
            .first()
        )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if request.method not in ("GET", "HEAD"):
            return HttpResponseNotAllowed(["GET"])  # the forms post to their own views
        if not self.has_view_permission(request):
            raise PermissionDenied
        claim = self.review_item(request, object_id)
        if claim is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        return TemplateResponse(request, self.claim_page_template, self.claim_page_context(request, claim))

    def claim_page_context(self, request, claim: ReviewItem) -> dict:
        actor = Actor.for_user(request.user)
        role, _ = actor.workflow_role(claim)
        neighbours = list(
            selectors.live_claims()
            .filter(
                article_id=claim.article_id,
                paragraph=claim.paragraph,
                ordinal__in=[claim.ordinal - 1, claim.ordinal + 1],
            )
            .order_by("ordinal")
        )
        transitions = allowed_transitions(actor=actor, claim=claim)
        wanted = verdicts_needing_evidence(newsroom_id=claim.newsroom_id)
        can_assign = role == WorkflowRole.EDITOR
        info = self.opts.app_label, self.opts.model_name
        return {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"Claim {claim.number} of “{short_title(claim.article)}”",
            "subtitle": None,
            "has_view_permission": True,
            "claim": claim,
            "article": claim.article,
            "article_url": reverse("admin:editorial_article_change", args=[claim.article_id]),
            "passage": passage(claim, neighbours),
            # Autoescaped by the template, piece by piece (the sentence is the article's, untrusted).
            "verdict_diff": (
                revisions.diff(claim.verdict_text, claim.text) if claim.changed_since_verdict else []
            ),
            "predecessor_url": (
                reverse("admin:factcheck_reviewitem_change", args=[claim.predecessor_id])
                if claim.predecessor_id
                else None
            ),
            "successors": [
                (successor, reverse("admin:factcheck_reviewitem_change", args=[successor.pk]))
                for successor in claim.successors.all()
            ],
            "flags": list(claim.flags.all()),
            "sources": source_views(claim, info=info),
            "events": list(claim.events.all()),
            "transitions": transitions,
            "note_needed_by": [t.label for t in transitions if t.needs_note],
            "source_needed_by": [
                t.label for t in transitions if needs_evidence(claim=claim, transition=t, wanted=wanted)
            ],
            "can_assign": can_assign,
            "assignees": list(assignable_people(claim.article.newsroom_id)) if can_assign else [],
            "transition_url": reverse("admin:{}_{}_transition".format(*info), args=[claim.pk]),
            "assign_url": reverse("admin:{}_{}_assign".format(*info), args=[claim.pk]),
            "source_url": reverse("admin:{}_{}_sources".format(*info), args=[claim.pk]),
            "record_url": reverse("admin:factcheck_claim_change", args=[claim.pk]),
        }

    # --- Writing (POST only, each through one service) -------------------------------------------

    def _claim_for_post(self, request, object_id) -> ReviewItem:
        if not self.has_view_permission(request):
            raise PermissionDenied
        claim = self.get_queryset(request).filter(pk=object_id).first() if object_id.isdigit() else None
        if claim is None:
            raise Http404("No such claim in your newsrooms' queue.")  # never confirm another's claim
        return claim

    def _back_to(self, claim: Claim) -> HttpResponseRedirect:
        return HttpResponseRedirect(reverse("admin:factcheck_reviewitem_change", args=[claim.pk]))

    def transition_view(self, request, object_id):
        claim = self._claim_for_post(request, object_id)
        try:
            moved = claim_transition(
                actor=Actor.for_user(request.user),
                claim_id=claim.pk,
                to=request.POST.get("to", ""),
                note=request.POST.get("note", ""),
                expected_status=request.POST.get("expected_status") or None,
            )
        except REFUSALS as error:
            messages.error(request, refusal_text(error))
        else:
            label = ClaimStatus(moved.status).label.lower()
            messages.success(request, f"Claim {moved.number} is now {label}.")
        return self._back_to(claim)

    def assign_view(self, request, object_id):
        claim = self._claim_for_post(request, object_id)
        raw = request.POST.get("assignee", "").strip()
        if raw and not raw.isdigit():
            messages.error(request, "Choose someone from the list.")
            return self._back_to(claim)
        try:
            assigned = claim_assign(
                actor=Actor.for_user(request.user),
                claim_id=claim.pk,
                assignee_id=int(raw) if raw else None,
                note=request.POST.get("note", "").strip(),
            )
        except REFUSALS as error:
            messages.error(request, refusal_text(error))
        else:
            who = assigned.assignee.get_username() if assigned.assignee else "nobody"
            messages.success(request, f"Claim {assigned.number} is assigned to {who}.")
        return self._back_to(claim)

    def source_view(self, request, object_id):
        claim = self._claim_for_post(request, object_id)
        try:
            source = source_add(
                actor=Actor.for_user(request.user),
                claim_id=claim.pk,
                url=request.POST.get("url", ""),
                note=request.POST.get("note", ""),
                offline_note=request.POST.get("offline_note", ""),
            )
        except REFUSALS as error:
            messages.error(request, refusal_text(error))
        else:
            messages.success(request, f"Source added: {source.url or source.offline_note}")
        return self._back_to(claim)
