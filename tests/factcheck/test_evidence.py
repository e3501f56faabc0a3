"""A verdict stands on evidence: a source fetched and archived, or one a person marked as an offline
source with a note; which verdicts need it is the newsroom's checking policy; the service, the API
and the admin refuse the same way."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from editorial.models import Role
from factcheck.actors import Actor
from factcheck.models import CheckingPolicy, FetchStatus, Source
from factcheck.services.checking_policies import verdicts_needing_source_save
from factcheck.services.fetching import fetch_begin
from factcheck.services.review import claim_transition
from factcheck.services.sources import source_add, source_mark_offline
from factcheck.workflow import ClaimStatus
from httpapi.errors import Forbidden
from tests.factories import ArchivedSourceFactory, api_key_for, claim_of, client_for, member, with_claims

pytestmark = pytest.mark.django_db

URL = "https://example.org/council-minutes"
CALL = "Phone call with the council treasurer, 3 May; notes on file in the Politics desk folder."


@pytest.fixture
def checker(newsroom):
    return Actor.for_user(member(newsroom, Role.FACT_CHECKER, "checker"))


@pytest.fixture
def claim(newsroom, checker):
    claim = claim_of(with_claims(newsroom))
    claim_transition(actor=checker, claim_id=claim.pk, to="in_review")
    return claim


def verify(actor, claim, to="verified"):
    return claim_transition(actor=actor, claim_id=claim.pk, to=to, note="Checked.")


def refusal(actor, claim, to="verified") -> str:
    with pytest.raises(ValidationError) as caught:
        verify(actor, claim, to)
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.IN_REVIEW
    return caught.value.message_dict["sources"][0]


@pytest.mark.parametrize(
    ("status", "why"),
    [
        (FetchStatus.PENDING, "still waiting to be fetched"),
        (FetchStatus.FETCHING, "still waiting to be fetched"),
        (FetchStatus.FAILED, "could not be fetched"),
        (FetchStatus.MATCHED, "no source fetched and archived"),
    ],
)
def test_a_verdict_is_refused_on_an_unfetched_source_without_an_offline_note(claim, checker, status, why):
    Source.objects.create(claim=claim, url=URL, status=status, actor_name="x")
    message = refusal(checker, claim)
    assert why in message and "offline" in message


def test_a_fetched_and_archived_source_backs_a_verdict(claim, checker):
    ArchivedSourceFactory(claim=claim)
    assert verify(checker, claim).status == ClaimStatus.VERIFIED


def test_fetched_without_an_archived_copy_is_no_evidence(claim, checker):
    Source.objects.create(claim=claim, url=URL, status=FetchStatus.FETCHED, actor_name="x")
    refusal(checker, claim)


def test_an_offline_source_with_a_note_backs_a_verdict(claim, checker):
    source = source_add(actor=checker, claim_id=claim.pk, offline_note=CALL)
    assert (source.status, source.url, source.offline_note) == (FetchStatus.OFFLINE, "", CALL)
    assert claim.events.filter(action="source_offline", note=CALL).exists()
    assert verify(checker, claim).status == ClaimStatus.VERIFIED


def test_a_failed_source_marked_offline_with_a_note_backs_a_verdict(claim, checker):
    source = Source.objects.create(claim=claim, url=URL, status=FetchStatus.FAILED, actor_name="x")
    with pytest.raises(ValidationError):
        source_mark_offline(actor=checker, source_id=source.pk, offline_note="  ")
    refusal(checker, claim)
    source_mark_offline(actor=checker, source_id=source.pk, offline_note=CALL)
    assert verify(checker, claim).status == ClaimStatus.VERIFIED


def test_a_pending_source_marked_offline_is_not_fetched(claim, checker):
    source = source_add(actor=checker, claim_id=claim.pk, url=URL)
    source_mark_offline(actor=checker, source_id=source.pk, offline_note=CALL)
    assert fetch_begin(source_id=source.pk) is None
    source.refresh_from_db()
    assert source.status == FetchStatus.OFFLINE


def test_only_a_person_vouches_and_never_without_a_note(claim, checker):
    with pytest.raises(Forbidden):
        source_add(actor=Actor.system(), claim_id=claim.pk, offline_note=CALL)
    with pytest.raises(ValidationError) as caught:
        source_add(actor=checker, claim_id=claim.pk)
    assert "offline_note" in caught.value.message_dict["url"][0]
    with pytest.raises(IntegrityError), transaction.atomic():  # the database holds the rule too
        Source.objects.create(claim=claim, url=URL, status=FetchStatus.OFFLINE, actor_name="x")
    with pytest.raises(IntegrityError), transaction.atomic():
        Source.objects.create(claim=claim, url="", status=FetchStatus.PENDING, actor_name="x")


def test_the_newsroom_policy_says_which_verdicts_need_evidence(newsroom, claim, checker):
    assert verify(checker, claim, "false").status == ClaimStatus.FALSE  # by default only verified

    policy = verdicts_needing_source_save(newsroom=newsroom, verdicts=["false", "verified"])
    assert policy.verdicts_needing_source == ["verified", "false"]
    other = claim_of(with_claims(newsroom))
    claim_transition(actor=checker, claim_id=other.pk, to="in_review")
    assert "False needs evidence" in refusal(checker, other, "false")

    verdicts_needing_source_save(newsroom=newsroom, verdicts=[])
    assert verify(checker, other).status == ClaimStatus.VERIFIED  # this newsroom's call


def test_the_policy_refuses_what_is_not_a_verdict(newsroom):
    with pytest.raises(ValidationError) as caught:
        verdicts_needing_source_save(newsroom=newsroom, verdicts=["verified", "in_review"])
    assert "in_review" in caught.value.message_dict["verdicts_needing_source"][0]
    assert not CheckingPolicy.objects.filter(newsroom=newsroom).exists()


# --- The API and the admin refuse the same way ----------------------------------------------------


def test_the_api_refuses_a_verdict_on_a_pending_source_and_takes_an_offline_one(newsroom, claim):
    api = client_for(api_key_for(newsroom, role=Role.FACT_CHECKER)[1])
    added = api.post(f"/api/v1/claims/{claim.pk}/sources", {"url": URL}, format="json")
    assert added.status_code == 201 and added.json()["status"] == "pending"

    refused = api.post(f"/api/v1/claims/{claim.pk}/transitions", {"to": "verified"}, format="json")
    assert refused.status_code == 400
    assert "still waiting to be fetched" in refused.json()["errors"]["sources"][0]

    marked = api.post(f"/api/v1/sources/{added.json()['id']}/offline", {"offline_note": CALL}, format="json")
    assert marked.status_code == 200, marked.content
    assert (marked.json()["status"], marked.json()["offline_note"]) == ("offline", CALL)
    done = api.post(f"/api/v1/claims/{claim.pk}/transitions", {"to": "verified"}, format="json")
    assert done.status_code == 200 and done.json()["status"] == "verified"


def test_the_api_takes_an_offline_source_without_an_address_and_refuses_an_empty_one(newsroom, claim):
    api = client_for(api_key_for(newsroom, role=Role.FACT_CHECKER)[1])
    empty = api.post(f"/api/v1/claims/{claim.pk}/sources", {"note": "x"}, format="json")
    assert empty.status_code == 400 and list(empty.json()["errors"]) == ["url"]
    offline = api.post(f"/api/v1/claims/{claim.pk}/sources", {"offline_note": CALL}, format="json")
    assert offline.status_code == 201, offline.content
    assert (offline.json()["url"], offline.json()["status"]) == ("", "offline")
    blank = api.post(f"/api/v1/sources/{offline.json()['id']}/offline", {"offline_note": ""}, format="json")
    assert blank.status_code == 400


def test_another_newsrooms_source_is_a_404_to_mark_offline(newsroom, other_newsroom, claim):
    source = Source.objects.create(claim=claim, url=URL, status=FetchStatus.FAILED, actor_name="x")
    theirs = client_for(api_key_for(other_newsroom)[1])
    response = theirs.post(f"/api/v1/sources/{source.pk}/offline", {"offline_note": CALL}, format="json")
    assert response.status_code == 404
    source.refresh_from_db()
    assert source.status == FetchStatus.FAILED


def test_the_admin_refuses_with_the_same_words_and_marks_a_source_offline(client, newsroom, claim):
    client.force_login(member(newsroom, Role.FACT_CHECKER, "admin-checker"))
    page = reverse("admin:factcheck_reviewitem_change", args=[claim.pk])
    source = Source.objects.create(claim=claim, url=URL, status=FetchStatus.FAILED, actor_name="x")

    verify_url = reverse("admin:factcheck_reviewitem_transition", args=[claim.pk])
    html = client.post(verify_url, {"to": "verified", "note": "ok"}, follow=True).content.decode()
    assert "its sources could not be fetched" in html
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.IN_REVIEW

    offline_url = reverse("admin:factcheck_reviewitem_offline", args=[claim.pk, source.pk])
    assert f'action="{offline_url}"' in client.get(page).content.decode()
    client.post(offline_url, {"offline_note": CALL})
    source.refresh_from_db()
    assert (source.status, source.offline_note) == (FetchStatus.OFFLINE, CALL)
    assert CALL in client.get(page).content.decode()
    client.post(verify_url, {"to": "verified", "note": "ok"})
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.VERIFIED
