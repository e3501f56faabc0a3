"""The checking side: claims, their attribution flags, furniture kept out, and the audit trail."""

from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q

from editorial.models import ApiKey, Article, Desk, Newsroom
from factcheck.analysis.attribution import KIND_LABELS
from factcheck.analysis.attribution import KINDS as ATTRIBUTION_KINDS
from factcheck.analysis.types import ClaimKind, Severity
from factcheck.claimreview import default_claim_review_ratings, validate_claim_review_ratings
from factcheck.workflow import OPEN_STATES, TRANSITIONS, VERDICTS, ClaimStatus

#: What a claim is, as the analysis tells them apart (statement, quotation, opinion...).
CLAIM_KIND_CHOICES = [(kind.value, kind.value.capitalize()) for kind in ClaimKind]


#: The review queue's order as index columns (``factcheck.selectors.QUEUE_ORDER``): the article's
#: deadline, soonest first and none last, then flagged, more check-worthy, older, id.
QUEUE_INDEX_ORDER = ["deadline", "-is_flagged", "-checkworthiness", "created_at", "id"]
#: Flagged claims, read from ``Claim.flag_kinds`` (NULL without flags): a kind's filter
#: (``has_flag_kind``) implies it, so PostgreSQL walks the claim_flagged_* indexes for that filter
#: without being told "flagged" too, a condition it would take for independent of the kind.
FLAGGED = Q(flag_kinds__isnull=False)
FLAGGED_LIVE = FLAGGED & ~Q(status=ClaimStatus.SUPERSEDED)
FLAGGED_OPEN = FLAGGED & Q(status__in=sorted(OPEN_STATES))
#: Flagged live claims nobody (no person, no API key) has taken: about 3% of the claims.
FLAGGED_FREE = FLAGGED_LIVE & Q(assignee__isnull=True, assignee_key__isnull=True)


def flag_kinds_value(kinds: Iterable[str]) -> str | None:
    """``Claim.flag_kinds`` for a claim whose flags are of ``kinds``: each kind once, sorted, between
    commas (",hedge,vague_collective,"); None for none."""
    distinct = sorted(set(kinds))
    return f",{','.join(distinct)}," if distinct else None


def has_flag_kind(kind: str) -> Q:
    """Claims with a flag of ``kind``, read from ``Claim.flag_kinds`` (no kind is another's substring,
    and the commas keep it so)."""
    return Q(flag_kinds__contains=f",{kind},")


class Claim(models.Model):
    """One sentence of an article that a fact-checker may have to check."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="claims")
    newsroom = models.ForeignKey(
        Newsroom,
        on_delete=models.CASCADE,
        related_name="+",
        editable=False,
        help_text="The article's newsroom, kept on the claim so that the review queue is one index scan.",
    )
    desk = models.ForeignKey(
        Desk,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
        help_text="The article's desk, kept on the claim (and moved with it) for the queue's desk filter.",
    )
    deadline = models.DateTimeField(
        "article deadline",
        null=True,
        blank=True,
        editable=False,
        help_text="The article's publication deadline, kept on the claim (and moved with it) for the queue.",
    )
    revision = models.PositiveIntegerField(
        "article revision",
        help_text=(
            "The latest article revision the sentence appears in. A claim whose sentence a revision leaves "
            "as it is, or edits (docs/revisions.md), keeps its review state and history; one the revision "
            "removes or rewrites is superseded."
        ),
    )
    ordinal = models.PositiveIntegerField(
        "position",
        help_text="Position of the claim in the article, from 0 (the API's index); people read it from 1.",
    )
    text = models.TextField("claim", help_text="The sentence exactly as it stands in the article.")
    start = models.PositiveIntegerField(
        "start", help_text="Offset of the first character in the article text."
    )
    end = models.PositiveIntegerField("end", help_text="Offset just past the last character.")
    paragraph = models.PositiveIntegerField("paragraph", default=0)
    kind = models.CharField("kind", max_length=20, choices=CLAIM_KIND_CHOICES)
    checkworthiness = models.FloatField(
        "check-worthiness",
        default=0.0,
        help_text="0 to 1: how much the sentence looks like a checkable factual claim (0.5 and up: yes).",
    )
    checkworthiness_reasons = models.JSONField("why", default=list, blank=True)
    sources_searched_at = models.DateTimeField(
        "sources searched",
        null=True,
        blank=True,
        editable=False,
        help_text="When the newsroom's search providers were last asked about this claim.",
    )
    sources_search_due_at = models.DateTimeField(
        "sources search due",
        null=True,
        blank=True,
        editable=False,
        help_text=(
            "While a search is queued and not done: when it is presumed lost (its message never arrived, "
            "or its worker died) and is queued again by the sweep."
        ),
    )
    status = models.CharField(
        "review status", max_length=20, choices=ClaimStatus.choices, default=ClaimStatus.UNREVIEWED
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_claims",
        verbose_name="assignee",
        help_text="The person who has taken the claim; empty when nobody has, or when an API key has.",
    )
    assignee_key = models.ForeignKey(
        ApiKey,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_claims",
        editable=False,
        verbose_name="taken by API key",
        help_text=(
            "The API key that took the claim (an integration working on it), when no person holds it. "
            "A claim held by a key is taken: it is not in the unassigned queue. Taking it as a person, "
            "or assigning it, releases the key."
        ),
    )
    verdict_at = models.DateTimeField(
        "verdict given",
        null=True,
        blank=True,
        editable=False,
        help_text=(
            "When the claim got the verdict it has now (verified, misleading, false or unverifiable); "
            "empty while it has none, and again once it is reopened or superseded."
        ),
    )
    is_flagged = models.BooleanField(
        "flagged", default=False, help_text="Carries at least one vague or uncredited attribution."
    )
    # NULL, not "", without flags (so DJ001 does not apply): the claim_flagged_* indexes are built on
    # "flag_kinds IS NOT NULL", which a kind's LIKE implies, so the kind filter needs no is_flagged.
    flag_kinds = models.TextField(  # noqa: DJ001
        "flag kinds",
        null=True,
        blank=True,
        editable=False,
        help_text=(
            "The kinds of its attribution flags, each once, sorted and between commas "
            '(",hedge,vague_collective,"; none without flags): written with the flags, in the same '
            "transaction, so that the queue's flag-kind filter reads the claim's own row."
        ),
    )
    verdict_text = models.TextField(
        "sentence at the verdict",
        blank=True,
        editable=False,
        help_text=(
            "The sentence as it stood when its verdict (or dismissal) was given. A revision that edits "
            "the sentence only in style keeps the verdict and its sources, and the claim page shows what "
            "changed since; one that changes a number, a name, a negation or the attribution sends the "
            "claim back to review (docs/revisions.md)."
        ),
    )
    predecessor = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="successors",
        editable=False,
        verbose_name="rewrite of",
        help_text=(
            "The claim this one replaces: a sentence waiting for attribution that a revision rewrote to "
            "credit its source. The earlier claim is answered and superseded."
        ),
    )
    created_at = models.DateTimeField("created", auto_now_add=True)
    updated_at = models.DateTimeField("updated", auto_now=True)

    class Meta:
        ordering = ["article_id", "ordinal"]
        constraints = [
            models.UniqueConstraint(
                fields=["article", "ordinal"],
                condition=~Q(status=ClaimStatus.SUPERSEDED),
                name="claim_unique_live_ordinal",
            ),
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="claim_span_not_empty"),
            # One holder at most: a person or an API key.
            models.CheckConstraint(
                condition=Q(assignee__isnull=True) | Q(assignee_key__isnull=True), name="claim_one_holder"
            ),
            models.CheckConstraint(
                condition=Q(checkworthiness__gte=0) & Q(checkworthiness__lte=1), name="claim_score_in_range"
            ),
            models.CheckConstraint(condition=Q(status__in=ClaimStatus.values), name="claim_status_valid"),
            # Flagged exactly when it has flag kinds: the queue filters flagged claims on either.
            models.CheckConstraint(
                condition=Q(is_flagged=True, flag_kinds__isnull=False)
                | Q(is_flagged=False, flag_kinds__isnull=True),
                name="claim_flag_kinds_iff_flagged",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=[k.value for k in ClaimKind]), name="claim_kind_valid"
            ),
        ]
        # The review queue's first page is one ordered index walk whatever the filters: every queue
        # index ends with the queue order (deadline, flagged, check-worthiness, age, id: see
        # ``selectors.QUEUE_ORDER``; PostgreSQL puts an ascending index's NULLs last, as the
        # queue puts claims without a deadline) and leaves superseded
        # claims out (never in the queue, and about a third of all claims); the claim_newsroom_*
        # ones serve people (review_queue filters their newsroom), the others superusers and the
        # assignee filters.  bench/review_queue.py times every filter combination on a million claims.
        indexes = [
            models.Index(
                fields=["sources_search_due_at"],
                name="claim_search_due",
                condition=Q(sources_searched_at__isnull=True, sources_search_due_at__isnull=False),
            ),
            models.Index(
                fields=["newsroom", "status", *QUEUE_INDEX_ORDER],
                condition=~Q(status=ClaimStatus.SUPERSEDED),
                name="claim_newsroom_queue",
            ),
            models.Index(
                fields=["newsroom", *QUEUE_INDEX_ORDER],
                condition=~Q(status=ClaimStatus.SUPERSEDED),
                name="claim_newsroom_any_state",
            ),
            # "Mine", whatever the state.
            models.Index(
                fields=["assignee", *QUEUE_INDEX_ORDER],
                condition=~Q(status=ClaimStatus.SUPERSEDED),
                name="claim_assignee_any_state",
            ),
            # The most common working view: open claims nobody (no person, no API key) has taken yet.
            models.Index(
                fields=["newsroom", *QUEUE_INDEX_ORDER],
                condition=Q(status__in=sorted(OPEN_STATES), assignee__isnull=True, assignee_key__isnull=True),
                name="claim_newsroom_open_free",
            ),
            models.Index(
                fields=[*QUEUE_INDEX_ORDER],
                condition=Q(status__in=sorted(OPEN_STATES), assignee__isnull=True, assignee_key__isnull=True),
                name="claim_open_free",
            ),
            models.Index(
                fields=["desk", "status", *QUEUE_INDEX_ORDER],
                condition=~Q(status=ClaimStatus.SUPERSEDED),
                name="claim_desk_queue",
            ),
            models.Index(
                fields=["desk", *QUEUE_INDEX_ORDER],
                condition=~Q(status=ClaimStatus.SUPERSEDED),
                name="claim_desk_any_state",
            ),
            models.Index(
                fields=["newsroom", *QUEUE_INDEX_ORDER],
                condition=Q(status__in=sorted(OPEN_STATES)),
                name="claim_newsroom_open",
            ),
            models.Index(
                fields=["status", *QUEUE_INDEX_ORDER],
                condition=~Q(status=ClaimStatus.SUPERSEDED),
                name="claim_queue",
            ),
            models.Index(
                fields=[*QUEUE_INDEX_ORDER],
                condition=~Q(status=ClaimStatus.SUPERSEDED),
                name="claim_queue_any_state",
            ),
            models.Index(
                fields=[*QUEUE_INDEX_ORDER],
                condition=Q(status__in=sorted(OPEN_STATES)),
                name="claim_queue_open",
            ),
            models.Index(
                fields=["assignee", "status", *QUEUE_INDEX_ORDER],
                condition=~Q(status=ClaimStatus.SUPERSEDED),
                name="claim_assignee_queue",
            ),
            # The same walks over flagged claims only, for the flag-kind filters: with the deadline
            # first in the order, flagged claims no longer come first in the indexes above, and a
            # rare kind would walk the unflagged ones too.  Their condition is ``FLAGGED`` (flag_kinds
            # is not NULL), which a kind's LIKE implies.  About 15% of the claims each.
            *(
                models.Index(fields=[*prefix, *QUEUE_INDEX_ORDER], condition=condition, name=name)
                for prefix, condition, name in [
                    (["newsroom", "status"], FLAGGED_LIVE, "claim_flagged_newsroom_state"),
                    (["newsroom"], FLAGGED_LIVE, "claim_flagged_newsroom"),
                    (["newsroom"], FLAGGED_OPEN, "claim_flagged_newsroom_open"),
                    (["desk", "status"], FLAGGED_LIVE, "claim_flagged_desk_state"),
                    (["desk"], FLAGGED_LIVE, "claim_flagged_desk"),
                    (["status"], FLAGGED_LIVE, "claim_flagged_state"),
                    ([], FLAGGED_LIVE, "claim_flagged"),
                    ([], FLAGGED_OPEN, "claim_flagged_open"),
                    (["assignee"], FLAGGED_LIVE, "claim_flagged_assignee"),
                    # A state, a kind and an assignee ("mine", or nobody) make a rare set: without
                    # these the planner ANDs a bitmap of every claim of the state with one of every
                    # claim of the assignee (or every unassigned one: 37% of the claims) and sorts.
                    (["assignee", "status"], FLAGGED_LIVE, "claim_flagged_assignee_state"),
                    (["newsroom", "status"], FLAGGED_FREE, "claim_flagfree_newsroom_state"),
                    (["desk", "status"], FLAGGED_FREE, "claim_flagfree_desk_state"),
                    (["status"], FLAGGED_FREE, "claim_flagfree_state"),
                ]
            ),
            models.Index(fields=["article", "status"], name="claim_article_status"),
            # The standards dashboard (factcheck/standards.py, timed by bench/dashboard.py): claims
            # joined to the period's audit rows, to its articles' flags, and the open claims' ages, each
            # read from an index alone (PostgreSQL; SQLite builds them without the INCLUDE columns).
            models.Index(
                fields=["newsroom", "verdict_at"],
                include=["desk", "article", "status", "created_at"],
                condition=Q(verdict_at__isnull=False),
                name="claim_verdicts",
            ),
            models.Index(
                fields=["id"], include=["newsroom", "desk", "article", "created_at"], name="claim_dashboard"
            ),
            models.Index(
                fields=["article"],
                include=["id", "status", "newsroom", "desk"],
                condition=Q(is_flagged=True),
                name="claim_flagged_by_article",
            ),
            models.Index(
                fields=["newsroom", "desk", "created_at"],
                include=["article", "id"],
                condition=Q(status__in=sorted(OPEN_STATES)),
                name="claim_open_age",
            ),
            models.Index(fields=["updated_at"], name="claim_updated"),
            # The API's claims list by check-worthiness (either way: the index is walked backwards for
            # -checkworthiness, -id); without it each page sorts the whole newsroom.  bench/api.py.
            models.Index(
                fields=["newsroom", "checkworthiness", "id"],
                condition=~Q(status=ClaimStatus.SUPERSEDED),
                name="claim_newsroom_checkworthiness",
            ),
        ]

    def __str__(self) -> str:
        return self.text if len(self.text) <= 80 else self.text[:79] + "…"

    @property
    def changed_since_verdict(self) -> bool:
        """A revision edited the sentence after its verdict (or dismissal) was given."""
        return bool(self.verdict_text) and self.verdict_text != self.text

    @property
    def number(self) -> int:
        """The claim's number as people read it, from 1 (the admin, the demo's report, emails)."""
        return self.ordinal + 1

    @property
    def holder(self) -> str:
        """Who has taken the claim, as the admin shows it: a username, "API key <name>", or ""."""
        if self.assignee_id is not None and self.assignee is not None:
            return self.assignee.get_username()
        if self.assignee_key_id is not None and self.assignee_key is not None:
            return f"API key {self.assignee_key.name}"
        return ""


#: The kinds of attribution flag: the analysis's table of them (``factcheck.analysis.attribution.KINDS``).
FLAG_KIND_CHOICES = [(kind, KIND_LABELS[kind]) for kind in ATTRIBUTION_KINDS]


class AttributionFlag(models.Model):
    """A vague or uncredited attribution found in a claim, with what is missing."""

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="flags")
    kind = models.CharField(
        "kind",
        max_length=40,
        choices=FLAG_KIND_CHOICES,
        help_text="What is vague or missing in the attribution, one of the analysis's kinds.",
    )
    cue = models.CharField("cue", max_length=300, help_text="The words that triggered the flag.")
    start = models.PositiveIntegerField("start", help_text="Offset of the cue in the article text.")
    end = models.PositiveIntegerField("end")
    severity = models.CharField(
        "severity", max_length=10, choices=[(s.value, s.value.capitalize()) for s in Severity]
    )
    message = models.TextField("what is missing")

    class Meta:
        ordering = ["claim_id", "start"]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="flag_span_not_empty"),
            models.CheckConstraint(
                condition=Q(severity__in=[s.value for s in Severity]), name="flag_severity_valid"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=[kind for kind, _ in FLAG_KIND_CHOICES]), name="flag_kind_valid"
            ),
        ]
        indexes = [models.Index(fields=["kind", "claim"], name="flag_kind")]

    def __str__(self) -> str:
        return f"{self.kind}: {self.cue}"


class ExcludedBlock(models.Model):
    """A part of the article kept out of the claims (a heading, a credit, a caption, a bio...)."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="excluded_blocks")
    revision = models.PositiveIntegerField("article revision")
    text = models.TextField("text")
    start = models.PositiveIntegerField("start")
    end = models.PositiveIntegerField("end")
    reason = models.CharField("why it is not a claim", max_length=100)

    class Meta:
        ordering = ["article_id", "start"]
        constraints = [
            models.UniqueConstraint(fields=["article", "revision", "start"], name="excluded_unique_start"),
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="excluded_span_not_empty"),
        ]

    def __str__(self) -> str:
        return f"{self.reason}: {self.text[:60]}"


class ActorKind(models.TextChoices):
    USER = "user", "Person"
    API_KEY = "api_key", "API key"
    SYSTEM = "system", "Factdesk"


class AuditAction(models.TextChoices):
    """What a row of a claim's audit trail records: a transition of the workflow (by its name in
    ``factcheck.workflow.TRANSITIONS``), or one of the other things that happen to a claim."""

    CREATED = "created", "Created by the analysis"
    TAKE = "take", "Take"
    VERIFY = "verify", "Verified"
    MARK_MISLEADING = "mark_misleading", "Misleading"
    MARK_FALSE = "mark_false", "False"
    MARK_UNVERIFIABLE = "mark_unverifiable", "Unverifiable"
    REQUEST_ATTRIBUTION = "request_attribution", "Send back for attribution"
    ANSWER_ATTRIBUTION = "answer_attribution", "Answer with the source"
    DISMISS = "dismiss", "Dismiss as not checkable"
    REOPEN = "reopen", "Reopen"
    SUPERSEDE = "supersede", "Superseded by a revision"
    REVISED = "revised", "Edited by a revision"
    ASSIGN = "assign", "Assign"
    NOTE = "note", "Note"
    SOURCE_ADDED = "source_added", "Source added"
    SOURCES_FOUND = "sources_found", "Sources found"
    SOURCE_REFETCHED = "source_refetched", "Source fetched again"
    SOURCE_OFFLINE = "source_offline", "Source marked as offline"


class ClaimEvent(models.Model):
    """The append-only audit trail of a claim.

    Rows survive the deletion of the person or key who acted: the link is set to NULL and
    ``actor_name`` keeps who it was.
    """

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="events")
    actor_kind = models.CharField("actor kind", max_length=10, choices=ActorKind.choices)
    actor_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_api_key = models.ForeignKey(
        ApiKey, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_name = models.CharField("who", max_length=200, help_text="Who acted, as they were named then.")
    action = models.CharField("action", max_length=40, choices=AuditAction.choices)
    from_status = models.CharField("from", max_length=20, blank=True, choices=ClaimStatus.choices)
    to_status = models.CharField("to", max_length=20, blank=True, choices=ClaimStatus.choices)
    note = models.TextField("note", blank=True)
    created_at = models.DateTimeField("when", auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["claim_id", "created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(actor_kind__in=ActorKind.values), name="event_actor_kind_valid"
            ),
            models.CheckConstraint(condition=Q(action__in=AuditAction.values), name="event_action_valid"),
        ]
        # The standards dashboard reads the verdicts and requests for attribution of a period.
        indexes = [
            models.Index(fields=["action", "created_at"], include=["claim"], name="event_action_when"),
            # The first answer after each request for attribution (the standards dashboard).
            models.Index(
                fields=["claim", "created_at"],
                condition=Q(action="answer_attribution"),
                name="event_attribution_answers",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.actor_name}: {self.get_action_display()}"


class DeadlineEscalation(models.Model):
    """An article still blocked close to its deadline, escalated to its desk's editors: once per
    article and deadline (a moved deadline may be escalated again).

    Written by ``factcheck.services.deadlines.deadlines_escalate`` with the emails and the webhook
    deliveries, in one transaction; the unique constraint makes a second escalation of the same
    deadline (a beat task run twice, two workers at once) fail rather than email twice.
    """

    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="deadline_escalations", verbose_name="article"
    )
    deadline = models.DateTimeField("deadline", help_text="The article's deadline when it was escalated.")
    blocking_claims = models.PositiveIntegerField(
        "blocking claims", help_text="Flagged claims unreviewed or waiting for attribution at that moment."
    )
    created_at = models.DateTimeField("escalated", auto_now_add=True)

    class Meta:
        verbose_name = "deadline escalation"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["article", "deadline"], name="deadline_escalation_once"),
        ]

    def __str__(self) -> str:
        return f"{self.article} (deadline {self.deadline:%Y-%m-%d %H:%M %Z})"


def all_flag_kinds() -> list[str]:
    return list(ATTRIBUTION_KINDS)


def default_verdicts_needing_source() -> list[str]:
    """The verdicts whose transition in the workflow table needs a source (verified)."""
    return [str(t.target) for t in TRANSITIONS if t.needs_source and t.target in VERDICTS]


def validate_verdicts_needing_source(value: object) -> None:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ValidationError('A list of verdicts, e.g. ["verified", "false"].')
    unknown = sorted(set(value) - {str(v) for v in VERDICTS})
    if unknown:
        raise ValidationError(
            f"Not verdicts: {', '.join(unknown)}; verdicts are {', '.join(sorted(str(v) for v in VERDICTS))}."
        )


class CheckingPolicy(models.Model):
    """A newsroom's house rules for the analysis: which vague attributions to flag, and how hard.

    Applies to articles analysed after it is saved; submit an article again to re-analyse it.
    A newsroom without a policy gets the defaults: every kind flagged at its default severity.
    """

    newsroom = models.OneToOneField(
        Newsroom, on_delete=models.CASCADE, related_name="checking_policy", verbose_name="newsroom"
    )
    flag_kinds = models.JSONField(
        "kinds of attribution to flag",
        default=all_flag_kinds,
        blank=True,
        help_text="The kinds of vague or uncredited attribution to flag; a kind left out is never flagged.",
    )
    severities = models.JSONField(
        "severities",
        default=dict,
        blank=True,
        help_text="Severity per kind, where the newsroom's differs from the default.",
    )
    extra_vague_terms = models.TextField(
        "house terms to treat as vague",
        blank=True,
        help_text="One per line, e.g. 'market watchers': flagged when used as the source of a claim.",
    )
    allowed_phrases = models.TextField(
        "phrases to allow",
        blank=True,
        help_text=(
            "One per line, e.g. 'people familiar with the matter': never flagged in a sentence that uses it."
        ),
    )
    checkworthiness_threshold = models.FloatField(
        "check-worthiness threshold",
        default=0.5,
        help_text=(
            "An article is clear for publication when none of its claims scoring at least this much is "
            "unresolved; flagged claims block it until reviewed whatever their score."
        ),
    )
    verdicts_needing_source = models.JSONField(
        "verdicts that need a source",
        default=default_verdicts_needing_source,
        blank=True,
        validators=[validate_verdicts_needing_source],
        help_text=(
            "The verdicts given only on evidence: at least one source fetched and archived, or marked by "
            "a person as an offline source with a note. The API and the admin refuse such a verdict "
            "otherwise. Default: verified."
        ),
    )
    claim_review_ratings = models.JSONField(
        "ClaimReview ratings",
        default=default_claim_review_ratings,
        validators=[validate_claim_review_ratings],
        help_text=(
            "How verdicts are published as schema.org ClaimReview: the ends of the numeric scale, and for "
            "each verdict published its rating on that scale and the name readers see. A verdict left "
            "out is not published (unverifiable, by default: it is not a point on a scale of truth)."
        ),
    )
    updated_at = models.DateTimeField("updated", auto_now=True)

    class Meta:
        verbose_name = "checking policy"
        verbose_name_plural = "checking policies"
        constraints = [
            models.CheckConstraint(
                condition=Q(checkworthiness_threshold__gte=0) & Q(checkworthiness_threshold__lte=1),
                name="policy_threshold_in_range",
            )
        ]

    def __str__(self) -> str:
        return f"Checking policy of {self.newsroom}"


class AnalysisOverride(models.Model):
    """An editor's correction of the analysis, kept across revisions of the article.

    ``as_claim`` true: a part the analysis kept out (a line taken for a heading, say) is a claim.
    False: a sentence the analysis took for a claim is furniture and stays out of the claims.
    Matched by text (white space folded), so it holds wherever the text stands in later revisions.
    """

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="overrides")
    text = models.TextField("text", help_text="The sentence or line, with white space folded.")
    text_digest = models.CharField("digest", max_length=64, editable=False, help_text="SHA-256 of the text.")
    as_claim = models.BooleanField(
        "treat as a claim",
        help_text="Ticked: always a claim. Unticked: never a claim, whatever the analysis says.",
    )
    reason = models.CharField("why", max_length=300, blank=True)
    actor_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_name = models.CharField("who", max_length=200)
    created_at = models.DateTimeField("when", auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["article", "text_digest"], name="override_one_per_text"),
        ]

    def __str__(self) -> str:
        return f"{'claim' if self.as_claim else 'not a claim'}: {self.text[:60]}"


class SourceOrigin(models.TextChoices):
    CITED = "cited", "Cited in the article"
    EDITOR = "editor", "Added by a person"
    API = "api", "Added over the API"
    SEARCH = "search", "Found by a search provider"
    ARCHIVE = "archive", "Earlier verdict in our archive"


class FetchStatus(models.TextChoices):
    PENDING = "pending", "Waiting to be fetched"
    FETCHING = "fetching", "Being fetched"
    FETCHED = "fetched", "Fetched and archived"
    FAILED = "failed", "Could not be fetched"
    MATCHED = "matched", "Matched in our archive (not fetched)"
    OFFLINE = "offline", "Offline source (a person vouches for it)"


class Snapshot(models.Model):
    """What a fetch brought back, stored once per content (its SHA-256), however many sources share it.

    ``raw`` is the body as received, zlib-compressed; ``text`` is its readable main text, extracted
    when it was archived, so the evidence stays readable when the page changes or disappears.
    """

    content_hash = models.CharField("SHA-256", max_length=64, unique=True)
    content_type = models.CharField("content type", max_length=100)
    size = models.PositiveIntegerField("bytes")
    raw = models.BinaryField("body (zlib)")
    title = models.CharField("title", max_length=500, blank=True)
    text = models.TextField("main text", blank=True)
    excerpt = models.CharField("excerpt", max_length=400, blank=True)
    extraction_error = models.CharField("extraction error", max_length=500, blank=True)
    first_url = models.URLField("first fetched from", max_length=2000)
    created_at = models.DateTimeField("archived", auto_now_add=True)

    class Meta:
        verbose_name = "archived copy"
        verbose_name_plural = "archived copies"

    def __str__(self) -> str:
        return self.title or self.first_url


class Source(models.Model):
    """A source attached to a claim: a web page that bears on it, fetched and archived by the workers.

    ``status`` is the fetch's state.  ``lease_token`` and ``lease_until`` say which task run owns a
    fetch in progress, so that a redelivered or duplicated task never fetches a source twice at once
    and a worker that died mid-fetch is taken over once its lease runs out.
    """

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="sources")
    url = models.URLField(
        "URL", max_length=2000, blank=True, help_text="http or https only; empty only for an offline source."
    )
    note = models.TextField("note", blank=True, help_text="What the source shows, in the checker's words.")
    offline_note = models.TextField(
        "offline source",
        blank=True,
        help_text=(
            "For a source that cannot be fetched (a phone call, a document on file): what it is and where "
            "the record is kept. A person marks a source offline with this note; only then can it back a "
            "verdict without an archived copy."
        ),
    )
    origin = models.CharField(
        "origin", max_length=10, choices=SourceOrigin.choices, default=SourceOrigin.EDITOR
    )
    provider = models.CharField(
        "found by", max_length=100, blank=True, help_text="The search provider that found it."
    )
    provider_data = models.JSONField(
        "provider's details",
        default=dict,
        blank=True,
        help_text="What the provider said of it (title, publisher, rating, ...), as given.",
    )
    related_claim = models.ForeignKey(
        Claim,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="For an archive match: the earlier claim with a verdict.",
    )
    status = models.CharField(
        "fetch status", max_length=10, choices=FetchStatus.choices, default=FetchStatus.PENDING
    )
    failure = models.TextField("why it failed", blank=True)
    tries = models.PositiveSmallIntegerField(
        "tries", default=0, help_text="Fetch attempts since it was added or last refetched."
    )
    next_attempt_at = models.DateTimeField("next attempt", null=True, blank=True)
    lease_token = models.UUIDField(null=True, blank=True, editable=False)
    lease_until = models.DateTimeField(null=True, blank=True, editable=False)
    snapshot = models.ForeignKey(
        Snapshot, null=True, blank=True, on_delete=models.PROTECT, related_name="sources"
    )
    final_url = models.URLField("final URL", max_length=2000, blank=True)
    fetched_at = models.DateTimeField("fetched", null=True, blank=True)
    actor_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_name = models.CharField("added by", max_length=200)
    created_at = models.DateTimeField("added", auto_now_add=True)
    updated_at = models.DateTimeField("updated", auto_now=True)

    class Meta:
        ordering = ["claim_id", "created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["claim", "url"], condition=~Q(url=""), name="source_unique_url_per_claim"
            ),
            models.CheckConstraint(condition=Q(origin__in=SourceOrigin.values), name="source_origin_valid"),
            models.CheckConstraint(condition=Q(status__in=FetchStatus.values), name="source_status_valid"),
            models.CheckConstraint(
                condition=~Q(status=FetchStatus.OFFLINE) | ~Q(offline_note=""), name="source_offline_has_note"
            ),
            models.CheckConstraint(
                condition=~Q(url="") | Q(status=FetchStatus.OFFLINE), name="source_url_unless_offline"
            ),
        ]
        indexes = [
            # The sweeper's question: which sources are waiting, or held by a lease that ran out?
            models.Index(
                fields=["status", "next_attempt_at"],
                name="source_waiting",
                condition=Q(status__in=[FetchStatus.PENDING, FetchStatus.FETCHING]),
            ),
        ]

    def __str__(self) -> str:
        return self.url


#: Sources that can back a verdict: one the workers fetched and archived, or one a person marked as an
#: offline source with a note saying what it is.  A link still waiting, one that could not be fetched,
#: or an archive match is not enough, whoever attached it.
EVIDENCE = Q(status=FetchStatus.FETCHED, snapshot__isnull=False) | (
    Q(status=FetchStatus.OFFLINE) & ~Q(offline_note="")
)


def is_evidence(source: Source) -> bool:
    """``EVIDENCE`` for a source in memory (one of a claim's prefetched sources)."""
    if source.status == FetchStatus.OFFLINE:
        return bool(source.offline_note)
    return source.status == FetchStatus.FETCHED and source.snapshot_id is not None


class FetchAttempt(models.Model):
    """One attempt at fetching a source, as it went: the archive's log."""

    class Outcome(models.TextChoices):
        RUNNING = "running", "Running"
        OK = "ok", "Fetched"
        TRANSIENT = "transient", "Failed, will retry"
        PERMANENT = "permanent", "Failed for good"
        INTERRUPTED = "interrupted", "Interrupted (the worker stopped)"

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="attempts")
    token = models.UUIDField("lease", unique=True, editable=False)
    url = models.URLField("URL", max_length=2000)
    final_url = models.URLField("final URL", max_length=2000, blank=True)
    hops = models.JSONField("redirects", default=list, blank=True)
    http_status = models.PositiveSmallIntegerField("HTTP status", null=True, blank=True)
    content_type = models.CharField("content type", max_length=100, blank=True)
    size = models.PositiveIntegerField("bytes", null=True, blank=True)
    content_hash = models.CharField("SHA-256", max_length=64, blank=True)
    started_at = models.DateTimeField("started")
    duration_ms = models.PositiveIntegerField("duration (ms)", null=True, blank=True)
    outcome = models.CharField("outcome", max_length=12, choices=Outcome.choices, default=Outcome.RUNNING)
    error = models.TextField("error", blank=True)

    class Meta:
        ordering = ["source_id", "started_at", "id"]

    def __str__(self) -> str:
        return f"{self.url} at {self.started_at:%Y-%m-%d %H:%M:%S}: {self.get_outcome_display()}"


class Passage(models.Model):
    """A passage of a source's archived text that bears on the claim, ranked by BM25.

    Relevance, not a verdict: it says where to read, not what the source shows.
    """

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="passages")
    rank = models.PositiveSmallIntegerField("rank")
    start = models.PositiveIntegerField("start")
    end = models.PositiveIntegerField("end")
    text = models.TextField("passage")
    score = models.FloatField("BM25 score")
    relevance = models.FloatField("relevance", help_text="0 to 1, relative to the best possible match.")
    terms = models.JSONField(
        "matched words", default=list, help_text="[start, end] of each matched word within the passage."
    )

    class Meta:
        ordering = ["source_id", "rank"]
        constraints = [models.UniqueConstraint(fields=["source", "rank"], name="passage_unique_rank")]

    def __str__(self) -> str:
        return f"#{self.rank + 1} ({self.relevance:.0%})"


class SearchProvider(models.Model):
    """A place Factdesk searches for sources of a newsroom's check-worthy claims.

    ``archive``: the newsroom's own earlier claims with a verdict (claim matching).
    ``http_json``: any search API that answers JSON, described by a URL template and field paths;
    Google Fact Check Tools' ``claims:search`` is the documented example (README).
    """

    class Kind(models.TextChoices):
        ARCHIVE = "archive", "Our archive of verdicts"
        HTTP_JSON = "http_json", "HTTP JSON search API"

    newsroom = models.ForeignKey(Newsroom, on_delete=models.CASCADE, related_name="search_providers")
    name = models.CharField("name", max_length=100)
    kind = models.CharField("kind", max_length=10, choices=Kind.choices)
    enabled = models.BooleanField("enabled", default=True)
    max_results = models.PositiveSmallIntegerField("results per claim", default=3)
    min_checkworthiness = models.FloatField(
        "search claims scoring at least",
        default=0.5,
        help_text="Only claims at least this check-worthy are searched (0 to 1).",
    )
    url_template = models.CharField(
        "URL template",
        max_length=2000,
        blank=True,
        help_text="With {query} for the claim and {secret} for the secret below, both URL-encoded.",
    )
    secret = models.CharField(
        "secret", max_length=500, blank=True, help_text="An API key for the search API, put into {secret}."
    )
    results_path = models.CharField(
        "results path", max_length=200, blank=True, help_text="Dotted path of the result list, e.g. claims."
    )
    fields = models.JSONField(
        "field paths",
        default=dict,
        blank=True,
        help_text=(
            "Dotted paths within one result: url (required), title, snippet, rating, publisher; "
            'e.g. {"url": "claimReview.0.url"}.'
        ),
    )
    created_at = models.DateTimeField("created", auto_now_add=True)

    class Meta:
        ordering = ["newsroom_id", "name"]
        constraints = [
            models.UniqueConstraint(fields=["newsroom", "name"], name="search_provider_unique_name"),
            models.CheckConstraint(
                condition=Q(kind__in=["archive", "http_json"]), name="search_provider_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ReviewItem(Claim):
    """The review queue: claims as editors and fact-checkers work through them (an admin entry)."""

    class Meta:
        proxy = True
        verbose_name = "claim to review"
        verbose_name_plural = "review queue"


class StandardsDashboard(Claim):
    """The standards dashboard: how desks and reporters are doing (an admin entry, no table)."""

    class Meta:
        proxy = True
        verbose_name = "standards dashboard"
        verbose_name_plural = "standards dashboard"
