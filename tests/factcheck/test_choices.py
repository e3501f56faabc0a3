"""Audit actions and attribution-flag kinds are declared choices, and the database holds them to those
(factcheck/models.py, migration 0016, which checks the existing rows before adding the constraints)."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.db import IntegrityError, transaction

from factcheck.analysis.attribution import KINDS as ATTRIBUTION_KINDS
from factcheck.models import FLAG_KIND_CHOICES, ActorKind, AttributionFlag, AuditAction, Claim, ClaimEvent
from factcheck.workflow import TRANSITIONS
from tests.factories import analysed, claim_of

MIGRATION = importlib.import_module("factcheck.migrations.0016_declared_audit_actions_and_flag_kinds")
#: The latest migration that declares the audit actions (it adds those of revisions and evidence).
ACTIONS_MIGRATION = importlib.import_module("factcheck.migrations.0019_claim_revisions_and_evidence")


def test_every_transition_is_an_audit_action_with_the_same_label():
    assert {t.name: t.label for t in TRANSITIONS}.items() <= {a.value: a.label for a in AuditAction}.items()


def test_the_flag_kinds_are_the_analysis_kinds():
    assert [kind for kind, _ in FLAG_KIND_CHOICES] == list(ATTRIBUTION_KINDS)


def test_the_migration_declares_what_the_models_declare():
    assert AuditAction.values == ACTIONS_MIGRATION.AUDIT_ACTIONS
    assert list(ATTRIBUTION_KINDS) == MIGRATION.FLAG_KINDS


@pytest.fixture
def claim(newsroom):
    return claim_of(analysed(newsroom))


@pytest.mark.django_db
def test_the_database_refuses_an_undeclared_action_or_kind(claim):
    with pytest.raises(IntegrityError), transaction.atomic():
        ClaimEvent.objects.create(
            claim=claim, actor_kind=ActorKind.SYSTEM, actor_name="x", action="frobnicate"
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        AttributionFlag.objects.create(
            claim=claim, kind="vague_feeling", cue="c", start=0, end=1, severity="low"
        )
    ClaimEvent.objects.create(
        claim=claim, actor_kind=ActorKind.SYSTEM, actor_name="x", action=AuditAction.NOTE
    )


@pytest.mark.django_db
def test_the_migration_stops_on_rows_outside_the_choices_and_names_them(claim, monkeypatch):
    """What the migration does on a database whose rows hold a value it does not declare; here the
    declared lists are narrowed, as the constraints keep such rows out of the test database."""
    ClaimEvent.objects.create(
        claim=claim, actor_kind=ActorKind.SYSTEM, actor_name="x", action=AuditAction.NOTE
    )
    MIGRATION.check_existing_rows(apps, None)  # every row declared: passes

    monkeypatch.setattr(MIGRATION, "AUDIT_ACTIONS", [a for a in AuditAction.values if a != AuditAction.NOTE])
    notes = ClaimEvent.objects.filter(action=AuditAction.NOTE).count()
    with pytest.raises(RuntimeError, match=rf"ClaimEvent\.action: 'note' \({notes} rows\)"):
        MIGRATION.check_existing_rows(apps, None)


@pytest.mark.django_db
def test_the_revisions_migration_stops_on_rows_its_constraints_would_refuse(claim, monkeypatch):
    """Migration 0017 checks the rows before adding its constraints (an action outside the choices
    here, the declared list narrowed as above; a source without an address is kept out by the
    constraint itself), and fills the sentence a decided claim was decided on."""
    ACTIONS_MIGRATION.check_existing_rows(apps, None)  # every row as the constraints want: passes
    monkeypatch.setattr(
        ACTIONS_MIGRATION, "AUDIT_ACTIONS", [a for a in AuditAction.values if a != AuditAction.CREATED]
    )
    with pytest.raises(RuntimeError, match="undeclared actions: 'created'"):
        ACTIONS_MIGRATION.check_existing_rows(apps, None)

    Claim.objects.filter(pk=claim.pk).update(status="verified", verdict_text="")
    ACTIONS_MIGRATION.keep_decided_sentences(apps, None)
    claim.refresh_from_db()
    assert claim.verdict_text == claim.text
