"""Input and output serializers of the checking API, one per purpose (their names are schema names)."""

from __future__ import annotations

from rest_framework import serializers

from editorial.models import Article, BodyFormat
from factcheck import selectors
from factcheck.analysis.attributions import KINDS as ATTRIBUTION_KINDS
from factcheck.analysis.pipeline import FORMATS
from factcheck.models import AttributionFlag, Claim, ClaimEvent, ExcludedBlock, Source
from factcheck.workflow import ClaimStatus


class TextField(serializers.CharField):
    """A string field that refuses numbers and booleans instead of turning them into text."""

    default_error_messages = {"invalid": "Must be a string."}

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class ArticleSubmitInput(serializers.Serializer):
    external_id = serializers.CharField(max_length=200, help_text="The article's id in your CMS.")
    body = TextField(trim_whitespace=False, allow_blank=True, help_text="The article as plain text or HTML.")
    format = serializers.ChoiceField(choices=BodyFormat.choices, default=BodyFormat.TEXT)
    title = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    url = serializers.URLField(max_length=2000, required=False, allow_blank=True, default="")
    byline = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    desk = serializers.SlugField(
        required=False, allow_null=True, default=None, help_text="Slug of one of your newsroom's desks."
    )


class ArticleSubmitOutput(serializers.ModelSerializer):
    url = serializers.SerializerMethodField(help_text="Where to GET the article and its claims.")

    class Meta:
        model = Article
        fields = ["id", "external_id", "revision", "analysis_status", "url"]

    def get_url(self, article: Article) -> str:
        return self.context["request"].build_absolute_uri(f"/api/v1/articles/{article.pk}/")


class FlagOutput(serializers.ModelSerializer):
    class Meta:
        model = AttributionFlag
        fields = ["kind", "cue", "start", "end", "severity", "message"]


class ClaimOutput(serializers.ModelSerializer):
    index = serializers.IntegerField(source="ordinal")
    reasons = serializers.ListField(child=serializers.CharField(), source="checkworthiness_reasons")
    flagged = serializers.BooleanField(source="is_flagged")
    assignee = serializers.SlugRelatedField(slug_field="username", read_only=True)
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
            "flagged",
            "flags",
            "updated_at",
        ]


class ExcludedOutput(serializers.ModelSerializer):
    class Meta:
        model = ExcludedBlock
        fields = ["text", "start", "end", "reason"]


class ArticleOutput(serializers.ModelSerializer):
    desk = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    readiness = serializers.SerializerMethodField(
        help_text="pending (not analysed), blocked (a flagged claim is unreviewed or waits for attribution), "
        "open (check-worthy claims still being checked) or clear."
    )
    format = serializers.CharField(source="body_format")
    claims = ClaimOutput(many=True, read_only=True, source="live_claims")
    excluded = ExcludedOutput(many=True, read_only=True, source="excluded_blocks")

    class Meta:
        model = Article
        fields = [
            "id",
            "external_id",
            "title",
            "url",
            "byline",
            "desk",
            "format",
            "revision",
            "analysis_status",
            "analysis_error",
            "analyzed_revision",
            "readiness",
            "canonical_text",
            "created_at",
            "updated_at",
            "claims",
            "excluded",
        ]

    def get_readiness(self, article) -> str:
        return selectors.readiness(article).value


class ClaimListFilters(serializers.Serializer):
    article = serializers.IntegerField(required=False, min_value=1)
    flagged = serializers.BooleanField(required=False, allow_null=True, default=None)
    flag_kind = serializers.ChoiceField(
        choices=list(ATTRIBUTION_KINDS), required=False, help_text="Only claims with a flag of this kind."
    )


class AnalyzeInput(serializers.Serializer):
    text = TextField(trim_whitespace=False, allow_blank=True, help_text="The article body.")
    format = serializers.ChoiceField(choices=[(f, f) for f in FORMATS], default="text")


class AnalyzedFlagOutput(serializers.Serializer):
    kind = serializers.CharField()
    cue = serializers.CharField()
    start = serializers.IntegerField()
    end = serializers.IntegerField()
    severity = serializers.CharField()
    message = serializers.CharField()


class AnalyzedClaimOutput(serializers.Serializer):
    index = serializers.IntegerField()
    text = serializers.CharField()
    start = serializers.IntegerField()
    end = serializers.IntegerField()
    paragraph = serializers.IntegerField()
    kind = serializers.CharField()
    checkworthiness = serializers.FloatField()
    reasons = serializers.ListField(child=serializers.CharField())
    flags = AnalyzedFlagOutput(many=True)


class AnalyzedExcludedOutput(serializers.Serializer):
    text = serializers.CharField()
    start = serializers.IntegerField()
    end = serializers.IntegerField()
    reason = serializers.CharField()


class AnalyzeOutput(serializers.Serializer):
    claims = AnalyzedClaimOutput(many=True)
    excluded = AnalyzedExcludedOutput(many=True)


class SourceOutput(serializers.ModelSerializer):
    added_by = serializers.CharField(source="actor_name")

    class Meta:
        model = Source
        fields = ["id", "url", "note", "added_by", "created_at"]


class EventOutput(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor_name")

    class Meta:
        model = ClaimEvent
        fields = ["id", "created_at", "actor", "actor_kind", "action", "from_status", "to_status", "note"]


class ClaimDetailOutput(ClaimOutput):
    sources = SourceOutput(many=True, read_only=True)
    history = EventOutput(many=True, read_only=True, source="events")
    transitions = serializers.SerializerMethodField(
        help_text="The states this API key may move the claim to now."
    )

    class Meta(ClaimOutput.Meta):
        fields = [*ClaimOutput.Meta.fields, "sources", "history", "transitions"]

    def get_transitions(self, claim) -> list[str]:
        return [t.target.value for t in self.context.get("transitions", [])]


class TransitionInput(serializers.Serializer):
    to = serializers.ChoiceField(choices=ClaimStatus.choices, help_text="The state to move the claim to.")
    note = TextField(required=False, allow_blank=True, default="", max_length=5000)
    expected_status = serializers.ChoiceField(
        choices=ClaimStatus.choices,
        required=False,
        help_text="The state you saw; if the claim has moved on since, the answer is 409.",
    )


class SourceInput(serializers.Serializer):
    url = TextField(max_length=2000, help_text="An http:// or https:// address.")
    note = TextField(required=False, allow_blank=True, default="", max_length=5000)
