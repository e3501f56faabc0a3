"""Newsrooms' checking policies: which vague attributions to flag, and how hard; which verdicts need
evidence; how verdicts are published as ClaimReview."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import transaction

from editorial.admin import ServiceWrittenAdmin
from editorial.models import Role
from factcheck.analysis.attribution import KIND_LABELS
from factcheck.analysis.attribution import KINDS as ATTRIBUTION_KINDS
from factcheck.analysis.types import Severity
from factcheck.claimreview import (
    NAME_MAX_LENGTH,
    VERDICT_ORDER,
    default_claim_review_ratings,
    rating_scale,
)
from factcheck.models import CheckingPolicy, default_verdicts_needing_source
from factcheck.services.checking_policies import (
    checking_policy_save,
    claim_review_ratings_save,
    verdicts_needing_source_save,
)
from factcheck.workflow import ClaimStatus


def _kind_label(kind: str) -> str:
    return KIND_LABELS.get(kind, kind)


class _CheckingPolicyForm(forms.ModelForm):
    flag_kinds = forms.MultipleChoiceField(
        label="Kinds of attribution to flag",
        choices=[(kind, _kind_label(kind)) for kind in ATTRIBUTION_KINDS],
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="A kind left unticked is never flagged (newsrooms differ on anonymous officials, for one).",
    )
    verdicts_needing_source = forms.MultipleChoiceField(
        label="Verdicts that need a source",
        choices=[(verdict, ClaimStatus(verdict).label) for verdict in VERDICT_ORDER],
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=CheckingPolicy._meta.get_field("verdicts_needing_source").help_text,
    )

    class Meta:
        model = CheckingPolicy
        fields = ["newsroom", "flag_kinds", "extra_vague_terms", "allowed_phrases", "verdicts_needing_source"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        saved = self.instance.severities if self.instance.pk else {}
        for kind, default in ATTRIBUTION_KINDS.items():
            self.initial.setdefault(f"severity_{kind}", saved.get(kind, default.value))

        if not self.instance.pk:
            self.initial.setdefault("verdicts_needing_source", default_verdicts_needing_source())
        ratings = self.instance.claim_review_ratings if self.instance.pk else default_claim_review_ratings()
        self.initial.setdefault("claim_review_worst", ratings["worst"])
        self.initial.setdefault("claim_review_best", ratings["best"])
        for verdict in VERDICT_ORDER:
            entry = ratings["verdicts"].get(verdict, {})
            self.initial.setdefault(f"claim_review_rating_{verdict}", entry.get("rating"))
            self.initial.setdefault(f"claim_review_name_{verdict}", entry.get("name", ""))

    def severities(self) -> dict[str, str]:
        return {kind: self.cleaned_data[f"severity_{kind}"] for kind in ATTRIBUTION_KINDS}

    def clean(self):
        cleaned = super().clean()
        defaults = default_claim_review_ratings()
        worst, best = cleaned.get("claim_review_worst"), cleaned.get("claim_review_best")
        ratings = {
            "worst": defaults["worst"] if worst is None else worst,
            "best": defaults["best"] if best is None else best,
            "verdicts": {},
        }
        for verdict in VERDICT_ORDER:
            rating = cleaned.get(f"claim_review_rating_{verdict}")
            name = cleaned.get(f"claim_review_name_{verdict}", "")
            if rating is None:
                if name:
                    self.add_error(
                        f"claim_review_rating_{verdict}", "Give the rating too, or clear the name."
                    )
                continue
            ratings["verdicts"][verdict] = {"rating": rating, "name": name or ClaimStatus(verdict).label}
        try:
            rating_scale(ratings)
        except ValidationError as error:
            self.add_error(None, error)
        self.claim_review_ratings = ratings
        return cleaned


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
    }
    | {
        "claim_review_worst": forms.IntegerField(
            label="ClaimReview: worst rating",
            required=False,
            help_text="The bottom of the published scale (worstRating); blank: 1.",
        ),
        "claim_review_best": forms.IntegerField(
            label="ClaimReview: best rating",
            required=False,
            help_text="The top of the published scale (bestRating); blank: 5.",
        ),
    }
    | {
        f"claim_review_rating_{verdict}": forms.IntegerField(
            label=f"ClaimReview rating: {ClaimStatus(verdict).label.lower()}",
            required=False,
            help_text="Its value on the scale (ratingValue). Blank: claims with this verdict are not "
            "published as ClaimReview.",
        )
        for verdict in VERDICT_ORDER
    }
    | {
        f"claim_review_name_{verdict}": forms.CharField(
            label=f"ClaimReview name: {ClaimStatus(verdict).label.lower()}",
            required=False,
            max_length=NAME_MAX_LENGTH,
            help_text="What readers see (alternateName), e.g. 'False'. Blank: the verdict's name.",
        )
        for verdict in VERDICT_ORDER
    },
)

CLAIM_REVIEW_FIELDS = [
    "claim_review_worst",
    "claim_review_best",
    *(f"claim_review_{part}_{verdict}" for verdict in VERDICT_ORDER for part in ("rating", "name")),
]


@admin.register(CheckingPolicy)
class CheckingPolicyAdmin(ServiceWrittenAdmin):
    form = CheckingPolicyForm
    list_display = ["newsroom", "kinds_flagged", "updated_at"]
    edit_roles = frozenset({Role.ADMIN, Role.EDITOR})

    def get_fields(self, request, obj=None):
        return [
            "newsroom", "flag_kinds", *(f"severity_{kind}" for kind in ATTRIBUTION_KINDS),
            "extra_vague_terms", "allowed_phrases", "verdicts_needing_source", *CLAIM_REVIEW_FIELDS,
        ]  # fmt: skip

    def get_readonly_fields(self, request, obj=None):
        return ["newsroom"] if obj is not None else []

    @admin.display(description="kinds flagged")
    def kinds_flagged(self, policy: CheckingPolicy) -> str:
        return ", ".join(_kind_label(kind) for kind in policy.flag_kinds) or "none"

    def save_form(self, request, form, change):
        newsroom = form.instance.newsroom if change else form.cleaned_data["newsroom"]
        with transaction.atomic():
            checking_policy_save(
                newsroom=newsroom,
                flag_kinds=form.cleaned_data["flag_kinds"],
                severities=form.severities(),
                extra_vague_terms=form.cleaned_data["extra_vague_terms"],
                allowed_phrases=form.cleaned_data["allowed_phrases"],
            )
            verdicts_needing_source_save(
                newsroom=newsroom, verdicts=form.cleaned_data["verdicts_needing_source"]
            )
            return claim_review_ratings_save(newsroom=newsroom, ratings=form.claim_review_ratings)
