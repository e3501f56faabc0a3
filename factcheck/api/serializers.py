"""Input and output serializers of the checking API, one per purpose (their names are schema names)."""

from __future__ import annotations

import math

from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from editorial.models import AnalysisStatus, ApiKey, Article, ArticleRevision, BodyFormat
from factcheck import selectors
from factcheck.analysis import revisions
from factcheck.analysis.attribution import KINDS as ATTRIBUTION_KINDS
from factcheck.analysis.types import Severity
from factcheck.models import (
    CLAIM_KIND_CHOICES,
    FLAG_KIND_CHOICES,
    AttributionFlag,
    Claim,
    ClaimEvent,
    ExcludedBlock,
    Passage,
    Snapshot,
    Source,
)
from factcheck.providers import SEARCH_DETAILS
from factcheck.workflow import ClaimStatus
from httpapi.outputs import ModelOutput, Output


class TextField(serializers.CharField):
    """A string field that refuses numbers and booleans instead of turning them into text."""

    default_error_messages = {"invalid": "Must be a string."}

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class AwareDateTimeField(serializers.DateTimeField):
    """An ISO 8601 date and time that names its time zone (``Z`` or an offset): a deadline read in
    the server's zone instead would be hours off for a CMS elsewhere."""

    default_error_messages = {
        "naive": "Give the time zone too: an offset or Z, e.g. 2026-05-04T18:00:00+02:00.",
        "not_string": "Must be an ISO 8601 date and time, as a string.",
    }

    def to_internal_value(self, value):
        if not isinstance(value, str):
            self.fail("not_string")
        try:
            parsed = parse_datetime(value.strip()) if len(value) <= 64 else None
        except ValueError:  # well formed, but no such day or time: DRF's own message says so
            parsed = None
        if parsed is not None and timezone.is_naive(parsed):
            self.fail("naive")
        return super().to_internal_value(value)


class StatusOrNullField(serializers.ChoiceField):
    """A claim state, or null where the event is not a move (``from_status`` of a note, say)."""

    def __init__(self, **kwargs):
        super().__init__(choices=ClaimStatus.choices, allow_null=True, **kwargs)

    def to_representation(self, value):
        return value or None


class ArticleSubmitInput(serializers.Serializer):
    external_id = serializers.CharField(max_length=200, help_text="The article's id in your CMS.")
    body = TextField(trim_whitespace=False, allow_blank=True, help_text="The article as plain text or HTML.")
    format = serializers.ChoiceField(choices=BodyFormat.choices, default=BodyFormat.TEXT)
    title = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    url = serializers.URLField(max_length=2000, required=False, allow_blank=True, default="")
    byline = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    published_on = serializers.DateField(
        required=False,
        allow_null=True,
        default=None,
        help_text="Publication date (YYYY-MM-DD). For an HTML page sent without one, the page's metadata "
        "(JSON-LD datePublished, article:published_time) fills it.",
    )
    desk = serializers.SlugField(
        required=False, allow_null=True, default=None, help_text="Slug of one of your newsroom's desks."
    )
    deadline = AwareDateTimeField(
        required=False,
        allow_null=True,
        default=None,
        help_text="When the article must be ready to publish: ISO 8601 with its time zone "
        "(2026-05-04T18:00:00+02:00 or …Z). The review queue puts its claims first as it nears, and the "
        "desk's editors are told if it is still blocked shortly before. Left out or null: no deadline "
        "(a resubmission without it removes the one set before).",
    )


class ArticleSubmitOutput(ModelOutput):
    url = serializers.SerializerMethodField(help_text="Where to GET the article and its claims.")

    class Meta:
        model = Article
        fields = ["id", "external_id", "revision", "analysis_status", "url"]

    def get_url(self, article: Article) -> str:
        return self.context["request"].build_absolute_uri(reverse("article-detail", args=[article.pk]))


class FlagOutput(ModelOutput):
    class Meta:
        model = AttributionFlag
        fields = list(selectors.FLAG_FIELDS)  # what the claims list's rows (claim_rows) give too


class AssigneeKeyOutput(ModelOutput):
    class Meta:
        model = ApiKey
        fields = ["prefix", "name"]
        extra_kwargs = {"prefix": {"help_text": "The key's public part (the start of the key)."}}


class ClaimOutput(ModelOutput):
    index = serializers.IntegerField(source="ordinal")
    reasons = serializers.ListField(child=serializers.CharField(), source="checkworthiness_reasons")
    flagged = serializers.BooleanField(source="is_flagged")
    assignee = serializers.SlugRelatedField(
        slug_field="username",
        read_only=True,
        allow_null=True,
        help_text="The person who has taken it (a username), or null: nobody has, or an API key has.",
    )
    assignee_key = AssigneeKeyOutput(
        read_only=True,
        allow_null=True,
        help_text="The API key that has taken it, or null. A claim is unassigned (the `assignee=none` "
        "filter) only when both `assignee` and `assignee_key` are null.",
    )
    flags = FlagOutput(many=True, read_only=True)

    class Meta:
        model = Claim
        fields = [
            "id",
            "article",
            "index",
            "text",
            "start",
            "end",
            "paragraph",
            "kind",
            "checkworthiness",
            "reasons",
            "status",
            "assignee",
            "assignee_key",
            "flagged",
            "flags",
            "updated_at",
        ]


def _timestamps():
    """What DRF's ``DateTimeField().to_representation`` gives for an aware datetime (ISO 8601 in the
    current time zone, "Z" for UTC), at a sixth of its cost: the claims list formats 50 a page."""
    zone = timezone.get_current_timezone()

    def timestamp(value):
        text = value.astimezone(zone).isoformat()
        return text[:-6] + "Z" if text.endswith("+00:00") else text

    return timestamp


def claim_rows(claims, flags: dict[int, list[dict]]) -> list[dict]:
    """What ``ClaimOutput(claims, many=True).data`` gives, built by hand for the claims list.

    The list serves pages of 50 claims many times a second, and DRF's fields cost several times what
    this does (``bench/api.py``).  ``claims``: rows with the attributes ``selectors.CLAIM_LIST_FIELDS``
    and ``selectors.CLAIM_LIST_HOLDER`` (named rows of ``selectors.claim_list``, or its claims);
    ``flags``: from ``selectors.claim_list_flags``.  ``ClaimOutput`` stays the schema, and
    ``tests/factcheck/test_api_perf.py`` checks that both give the same output.
    """
    timestamp = _timestamps()
    return [
        {
            "id": claim.id,
            "article": claim.article_id,
            "index": claim.ordinal,
            "text": claim.text,
            "start": claim.start,
            "end": claim.end,
            "paragraph": claim.paragraph,
            "kind": claim.kind,
            "checkworthiness": float(claim.checkworthiness),
            "reasons": [str(reason) for reason in claim.checkworthiness_reasons],
            "status": claim.status,
            "assignee": claim.assignee_username,
            "assignee_key": (
                {"prefix": claim.assignee_key_prefix, "name": claim.assignee_key_name}
                if claim.assignee_key_id is not None
                else None
            ),
            "flagged": claim.is_flagged,
            "flags": flags[claim.id],
            "updated_at": timestamp(claim.updated_at),
        }
        for claim in claims
    ]


class ExcludedOutput(ModelOutput):
    class Meta:
        model = ExcludedBlock
        fields = ["text", "start", "end", "reason"]


READINESS_HELP = (
    "pending (not analysed), blocked (a flagged claim is unreviewed or waits for attribution), "
    "open (check-worthy claims still being checked) or clear."
)


OVERDUE_HELP = "True when its deadline has passed and it is not clear (pending, blocked or open)."


class ArticleSummaryOutput(ModelOutput):
    desk = serializers.SlugRelatedField(
        slug_field="slug", read_only=True, allow_null=True, help_text="The desk's slug, or null for none."
    )
    readiness = serializers.SerializerMethodField(help_text=READINESS_HELP)
    overdue = serializers.SerializerMethodField(help_text=OVERDUE_HELP)
    format = serializers.ChoiceField(choices=BodyFormat.choices, source="body_format")

    class Meta:
        model = Article
        fields = [
            "id",
            "external_id",
            "title",
            "url",
            "byline",
            "published_on",
            "deadline",
            "desk",
            "format",
            "revision",
            "analysis_status",
            "analysis_error",
            "analyzed_revision",
            "readiness",
            "overdue",
            "created_at",
            "updated_at",
        ]
        extra_kwargs = {
            "deadline": {"help_text": "When it must be ready to publish, or null for no deadline."}
        }

    @extend_schema_field(serializers.ChoiceField(choices=selectors.Readiness.choices))
    def get_readiness(self, article) -> str:
        return selectors.readiness(article).value

    def get_overdue(self, article) -> bool:
        return selectors.is_overdue(article, now=self.context.get("now") or timezone.now())


class ArticleOutput(ArticleSummaryOutput):
    claims = ClaimOutput(
        many=True,
        read_only=True,
        source="live_claims",
        help_text=f"The live claims in reading order: the first {selectors.ARTICLE_PAGE_CLAIMS} of them. "
        "`claims_count` says how many there are, and `claims_url` lists them all, page by page.",
    )
    claims_count = serializers.IntegerField(source="live_total", help_text="How many live claims it has.")
    claims_url = serializers.SerializerMethodField(
        help_text="The claims list of this article (`/claims?article=`), paginated: every live claim."
    )
    excluded = ExcludedOutput(
        many=True,
        read_only=True,
        source="first_excluded",
        help_text=f"The parts kept out of the claims, in order: the first {selectors.ARTICLE_PAGE_CLAIMS}.",
    )
    excluded_count = serializers.IntegerField(
        source="excluded_total", help_text="How many parts were kept out of the claims."
    )

    class Meta(ArticleSummaryOutput.Meta):
        fields = [
            *ArticleSummaryOutput.Meta.fields[:-2],
            "canonical_text",
            "created_at",
            "updated_at",
            "claims",
            "claims_count",
            "claims_url",
            "excluded",
            "excluded_count",
        ]

    def get_claims_url(self, article) -> str:
        path = f"{reverse('claim-list')}?article={article.pk}"
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path


class ScoreField(serializers.FloatField):
    """A check-worthiness bound: a number from 0 to 1 (not NaN, not infinite)."""

    def __init__(self, **kwargs):
        super().__init__(min_value=0, max_value=1, **kwargs)

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        if not math.isfinite(value):
            self.fail("invalid")
        return value


#: The orders a list can be read in: ``name`` for the query, and the order itself (ending with the id).
CLAIM_ORDERINGS = {
    "id": ("id",),
    "-id": ("-id",),
    "updated_at": ("updated_at", "id"),
    "-updated_at": ("-updated_at", "-id"),
    "checkworthiness": ("checkworthiness", "id"),
    "-checkworthiness": ("-checkworthiness", "-id"),
}
ARTICLE_ORDERINGS = {
    "id": ("id",),
    "-id": ("-id",),
    "updated_at": ("updated_at", "id"),
    "-updated_at": ("-updated_at", "-id"),
}
UPDATED_SINCE_HELP = "Only what changed at or after this time (ISO 8601), for incremental sync."


class ClaimListFilters(serializers.Serializer):
    article = serializers.IntegerField(required=False, min_value=1, help_text="An article's id.")
    status = serializers.ChoiceField(
        choices=ClaimStatus.choices,
        required=False,
        help_text="Only claims in this state. Superseded claims are listed only when asked for.",
    )
    flagged = serializers.BooleanField(required=False, allow_null=True, default=None)
    flag_kind = serializers.ChoiceField(
        choices=list(ATTRIBUTION_KINDS), required=False, help_text="Only claims with a flag of this kind."
    )
    desk = serializers.SlugField(required=False, help_text="Only claims of this desk's articles (its slug).")
    assignee = serializers.RegexField(
        r"^(none|[1-9][0-9]{0,17})$",
        required=False,
        help_text="A person's id (see /api/v1/people), or `none` for claims nobody has taken. "
        "(An API key is not a person, so there is no `me`.)",
        error_messages={"invalid": "A person's id, or none."},
    )
    checkworthiness_min = ScoreField(required=False, help_text="Only claims scoring at least this (0 to 1).")
    checkworthiness_max = ScoreField(required=False, help_text="Only claims scoring at most this (0 to 1).")
    updated_since = serializers.DateTimeField(required=False, help_text=UPDATED_SINCE_HELP)
    ordering = serializers.ChoiceField(
        choices=list(CLAIM_ORDERINGS),
        default="id",
        help_text="The order of the list; `-` first: descending. Ties are broken by id.",
    )

    def validate(self, attrs):
        low, high = attrs.get("checkworthiness_min"), attrs.get("checkworthiness_max")
        if low is not None and high is not None and low > high:
            raise serializers.ValidationError(
                {"checkworthiness_min": ["Must not be more than checkworthiness_max."]}
            )
        return attrs


class ArticleListFilters(serializers.Serializer):
    external_id = serializers.CharField(
        required=False, max_length=200, help_text="The article with this id in your CMS."
    )
    desk = serializers.SlugField(required=False, help_text="Only this desk's articles (its slug).")
    analysis_status = serializers.ChoiceField(choices=AnalysisStatus.choices, required=False)
    readiness = serializers.ChoiceField(
        choices=selectors.Readiness.choices, required=False, help_text=READINESS_HELP
    )
    overdue = serializers.BooleanField(
        required=False,
        allow_null=True,
        default=None,
        help_text=f"true: only overdue articles; false: only the others. {OVERDUE_HELP}",
    )
    updated_since = serializers.DateTimeField(
        required=False,
        help_text=f"{UPDATED_SINCE_HELP} An article counts as changed when one of its claims does, "
        "since that can change its readiness.",
    )
    ordering = serializers.ChoiceField(
        choices=list(ARTICLE_ORDERINGS),
        default="id",
        help_text="The order of the list; `-` first: descending. Ties are broken by id.",
    )


class NoteInput(serializers.Serializer):
    note = TextField(max_length=5000, help_text="What to write in the claim's history.")


class RevisionChangeOutput(ModelOutput):
    actor = serializers.CharField(source="actor_name")
    from_status = StatusOrNullField(help_text="The state before, or null: the event made the claim.")
    to_status = StatusOrNullField(help_text="The state after, or null where the event moved nothing.")
    claim_text = serializers.CharField(source="claim.text")

    class Meta:
        model = ClaimEvent
        fields = [
            "id",
            "created_at",
            "claim",
            "claim_text",
            "action",
            "from_status",
            "to_status",
            "note",
            "actor",
            "actor_kind",
        ]
        extra_kwargs = {
            "action": {
                "help_text": "created: the sentence became a claim; supersede: a revision removed or "
                "rewrote it (or an editor kept it out); answer_attribution: a revision answered a "
                "request for attribution."
            },
            "note": {"help_text": "Which revision, or the editor's reason."},
        }


class AnalyzeInput(serializers.Serializer):
    text = TextField(
        trim_whitespace=False,
        allow_blank=True,
        help_text="The article body: at most `FACTDESK_ANALYZE_MAX_CHARS` characters (100,000 by default) "
        "and `FACTDESK_MAX_CLAIMS_PER_ARTICLE` claims (5,000); submit a longer article instead, and it is "
        "analysed in the background.",
    )
    format = serializers.ChoiceField(choices=BodyFormat.choices, default=BodyFormat.TEXT)


SEVERITY_CHOICES = [(severity.value, severity.value.capitalize()) for severity in Severity]


class AnalyzedFlagOutput(Output):
    kind = serializers.ChoiceField(choices=FLAG_KIND_CHOICES)
    cue = serializers.CharField()
    start = serializers.IntegerField()
    end = serializers.IntegerField()
    severity = serializers.ChoiceField(choices=SEVERITY_CHOICES)
    message = serializers.CharField()


class AnalyzedClaimOutput(Output):
    index = serializers.IntegerField()
    text = serializers.CharField()
    start = serializers.IntegerField()
    end = serializers.IntegerField()
    paragraph = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=CLAIM_KIND_CHOICES)
    checkworthiness = serializers.FloatField()
    reasons = serializers.ListField(child=serializers.CharField())
    flags = AnalyzedFlagOutput(many=True)


class AnalyzedExcludedOutput(Output):
    text = serializers.CharField()
    start = serializers.IntegerField()
    end = serializers.IntegerField()
    reason = serializers.CharField()


class AnalyzeOutput(Output):
    claims = AnalyzedClaimOutput(many=True)
    excluded = AnalyzedExcludedOutput(many=True)


class PassageOutput(ModelOutput):
    highlights = serializers.ListField(
        source="terms",
        child=serializers.ListField(child=serializers.IntegerField(), min_length=2, max_length=2),
        help_text="[start, end] of each word that matches the claim, within `text`.",
    )

    class Meta:
        model = Passage
        fields = ["rank", "text", "start", "end", "score", "relevance", "highlights"]
        extra_kwargs = {
            "start": {"help_text": "Offset in the archived main text."},
            "relevance": {
                "help_text": "0 to 1: how well the passage's words match the claim. Not a verdict."
            },
        }


class ArchivedCopyOutput(ModelOutput):
    archived_at = serializers.DateTimeField(source="created_at")

    class Meta:
        model = Snapshot
        fields = ["content_hash", "content_type", "size", "title", "excerpt", "archived_at"]


class ProviderDataOutput(Output):
    """What a search provider said of a source, as given: the keys it gave, no others.  An archive
    match gives ``verdict``, ``claim``, ``article``, ``overlap`` and ``score``; a search provider some of
    ``title``, ``snippet``, ``rating`` and ``publisher``; a source added by hand, none."""

    verdict = serializers.ChoiceField(
        choices=ClaimStatus.choices, required=False, help_text="Archive: the earlier claim's verdict."
    )
    claim = serializers.CharField(required=False, help_text="Archive: the earlier claim's text.")
    article = serializers.CharField(required=False, help_text="Archive: the earlier claim's article title.")
    overlap = serializers.FloatField(
        required=False, help_text="Archive: the share of the claim's distinctive words it shares (0 to 1)."
    )
    score = serializers.FloatField(required=False, help_text="Archive: its BM25 rank score.")

    def get_fields(self):
        fields = super().get_fields()
        for name in SEARCH_DETAILS:
            fields[name] = serializers.CharField(required=False, help_text=f"Search: the result's {name}.")
        return fields


class SourceOutput(ModelOutput):
    added_by = serializers.CharField(source="actor_name")
    provider_data = ProviderDataOutput(
        help_text="What the provider that found it said of it: empty otherwise."
    )
    archived = ArchivedCopyOutput(source="snapshot", read_only=True, allow_null=True)
    passages = PassageOutput(many=True, read_only=True)

    class Meta:
        model = Source
        fields = [
            "id", "url", "note", "offline_note", "origin", "provider", "provider_data", "related_claim",
            "status", "failure", "tries", "next_attempt_at", "final_url", "fetched_at", "archived",
            "passages", "added_by", "created_at",
        ]  # fmt: skip
        extra_kwargs = {
            "status": {
                "help_text": "pending, fetching, fetched, failed; matched for an archive match; offline "
                "for a source a person vouches for (offline_note says what it is)."
            },
            "failure": {"help_text": "Why the last attempt failed (empty once fetched)."},
        }


class EventOutput(ModelOutput):
    actor = serializers.CharField(source="actor_name")
    from_status = StatusOrNullField(help_text="The state before the move, or null: not a move.")
    to_status = StatusOrNullField(help_text="The state after the move, or null: not a move.")

    class Meta:
        model = ClaimEvent
        fields = ["id", "created_at", "actor", "actor_kind", "action", "from_status", "to_status", "note"]


class DiffOp(models.TextChoices):
    EQUAL = "equal", "In both"
    DELETE = "delete", "Only in the older text"
    INSERT = "insert", "Only in the newer text"


class DiffPieceOutput(Output):
    op = serializers.ChoiceField(choices=DiffOp.choices, help_text="equal, delete (gone) or insert (new).")
    text = serializers.CharField(trim_whitespace=False)


class BlockedTransitionOutput(Output):
    to = serializers.ChoiceField(choices=ClaimStatus.choices, help_text="The state the move leads to.")
    reason = serializers.CharField(
        help_text="The guard that fails, in the words the move would be refused with (a 400)."
    )


class ClaimDetailOutput(ClaimOutput):
    sources = SourceOutput(many=True, read_only=True)
    history = EventOutput(many=True, read_only=True, source="events")
    transitions = serializers.SerializerMethodField(
        help_text="The states this API key may move the claim to now: the moves its role is allowed "
        "whose guards pass (a move to verified is listed only once the claim has evidence; until then "
        "it is in `blocked_transitions`). A move "
        "that needs a note (see the workflow) takes one in `note`."
    )
    blocked_transitions = serializers.SerializerMethodField(
        help_text="The moves this API key's role allows from the claim's state but a guard on the claim "
        "blocks now, each with the guard's message (a verdict that needs evidence, while no source is "
        "archived). Not in `transitions`."
    )
    verdict_text = serializers.CharField(
        help_text="The sentence as it stood when its verdict (or dismissal) was given; empty before one."
    )
    changed_since_verdict = serializers.BooleanField(
        help_text="A revision edited the sentence after its verdict: the verdict and its sources carried "
        "over (a style edit), or the claim went back to review (docs/revisions.md)."
    )
    diff_since_verdict = serializers.SerializerMethodField(
        help_text="The word-level change from `verdict_text` to `text`; empty when unchanged."
    )
    predecessor = serializers.PrimaryKeyRelatedField(
        read_only=True,
        allow_null=True,
        help_text="The claim this one rewrites to credit its source (answered and superseded), or null.",
    )

    class Meta(ClaimOutput.Meta):
        fields = [
            *ClaimOutput.Meta.fields,
            "verdict_text",
            "changed_since_verdict",
            "diff_since_verdict",
            "predecessor",
            "sources",
            "history",
            "transitions",
            "blocked_transitions",
        ]

    @extend_schema_field(serializers.ListField(child=serializers.ChoiceField(choices=ClaimStatus.choices)))
    def get_transitions(self, claim) -> list[str]:
        return [t.target.value for t in self.context.get("transitions", [])]

    @extend_schema_field(BlockedTransitionOutput(many=True))
    def get_blocked_transitions(self, claim) -> list[dict]:
        return [
            {"to": t.target.value, "reason": reason}
            for t, reason in self.context.get("blocked_transitions", [])
        ]

    @extend_schema_field(DiffPieceOutput(many=True))
    def get_diff_since_verdict(self, claim) -> list[dict]:
        if not claim.changed_since_verdict:
            return []
        return [{"op": op, "text": text} for op, text in revisions.diff(claim.verdict_text, claim.text)]


class TransitionInput(serializers.Serializer):
    to = serializers.ChoiceField(choices=ClaimStatus.choices, help_text="The state to move the claim to.")
    note = TextField(required=False, allow_blank=True, default="", max_length=5000)
    expected_status = serializers.ChoiceField(
        choices=ClaimStatus.choices,
        required=False,
        help_text="The state you saw; if the claim has moved on since, the answer is 409.",
    )


class SourceInput(serializers.Serializer):
    url = TextField(
        max_length=2000,
        required=False,
        allow_blank=True,
        default="",
        help_text="An http:// or https:// address; may be left out for an offline source.",
    )
    note = TextField(required=False, allow_blank=True, default="", max_length=5000)
    offline_note = TextField(
        required=False,
        allow_blank=True,
        default="",
        max_length=5000,
        help_text="For an offline source (a phone call, a document on file): what it is and where its "
        "record is kept. Such a source is not fetched, and backs a verdict on your word.",
    )

    def validate(self, attrs):
        if not attrs["url"].strip() and not attrs["offline_note"].strip():
            raise serializers.ValidationError(
                {"url": ["Give the source's address, or describe an offline source in offline_note."]}
            )
        return attrs


class SourceOfflineInput(serializers.Serializer):
    offline_note = TextField(
        max_length=5000,
        help_text="What the source is and where its record is kept (a phone call, a document on file).",
    )


class ArticleRevisionOutput(ModelOutput):
    revision = serializers.IntegerField(source="number", help_text="1 for the first body, and so on.")
    format = serializers.ChoiceField(source="body_format", choices=BodyFormat.choices)
    sent_by = serializers.CharField(
        source="sent_by_name", help_text="The person or API key that sent it, as named then."
    )
    received_at = serializers.DateTimeField(source="created_at")

    class Meta:
        model = ArticleRevision
        fields = ["revision", "format", "body_hash", "sent_by", "received_at"]


class ArticleRevisionDetailOutput(ArticleRevisionOutput):
    body = serializers.CharField(trim_whitespace=False, help_text="The body exactly as it was sent.")

    class Meta(ArticleRevisionOutput.Meta):
        fields = [*ArticleRevisionOutput.Meta.fields, "body"]


class ArticleDiffQuery(serializers.Serializer):
    older = serializers.IntegerField(
        min_value=1,
        required=False,
        help_text="The revision to compare from; default: the one before `newer`.",
    )
    newer = serializers.IntegerField(
        min_value=1, required=False, help_text="The revision to compare to; default: the latest."
    )


class DiffLineOutput(Output):
    op = serializers.ChoiceField(choices=DiffOp.choices, help_text="equal, delete (gone) or insert (new).")
    line = serializers.CharField(trim_whitespace=False)


class ArticleDiffOutput(Output):
    older = ArticleRevisionOutput()
    newer = ArticleRevisionOutput()
    added = serializers.IntegerField(help_text="Lines only in the newer body.")
    removed = serializers.IntegerField(help_text="Lines only in the older body.")
    unified = serializers.CharField(
        trim_whitespace=False,
        help_text="The difference as a unified diff (`diff -u`), three lines of context.",
    )
    lines = DiffLineOutput(many=True, help_text="Every line of both bodies, in order, marked.")
