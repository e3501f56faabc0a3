"""Newsrooms' checking policies: which vague attributions to flag, and how hard."""

from __future__ import annotations

from django import forms
from django.contrib import admin

from editorial.admin import ServiceWrittenAdmin
from editorial.models import Role
from factcheck import services
from factcheck.analysis.attributions import KINDS as ATTRIBUTION_KINDS
from factcheck.analysis.types import Severity
from factcheck.models import CheckingPolicy


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
