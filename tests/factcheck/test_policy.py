"""Per-newsroom checking policy: which attributions are flagged, how severely, house terms."""

import pytest
from django.core.exceptions import ValidationError

from factcheck import selectors, services
from factcheck.analysis.attribution import DEFAULT_POLICY, KINDS
from factcheck.models import AttributionFlag, CheckingPolicy
from tests.factories import ArticleFactory

OFFICIAL = (
    "A senior official, speaking on condition of anonymity, said the budget would be cut by $2 million."
)
EXPERTS = "Experts warn that the dam could fail within a decade."
HOUSE = "Longtime residents say the merger will cost 400 jobs."
ALLOWED = "People familiar with the matter said the deal was signed on Friday."


def analysed(newsroom, body: str):
    article = ArticleFactory(newsroom=newsroom, body=body)
    services.article_analyze(article_id=article.pk)
    return {flag.kind: flag for flag in AttributionFlag.objects.filter(claim__article=article)}


def save_policy(newsroom, **changes):
    values = {
        "flag_kinds": list(KINDS),
        "severities": {kind: severity.value for kind, severity in KINDS.items()},
        "extra_vague_terms": "",
        "allowed_phrases": "",
    } | changes
    return services.checking_policy_save(newsroom=newsroom, **values)


@pytest.mark.django_db
def test_a_newsroom_without_a_policy_gets_the_defaults(newsroom):
    assert selectors.attribution_policy(newsroom=newsroom) is DEFAULT_POLICY
    flags = analysed(newsroom, f"{OFFICIAL}\n\n{EXPERTS}")
    assert {"anonymous_official", "anonymous_experts"} <= set(flags)


@pytest.mark.django_db
def test_a_kind_turned_off_is_not_flagged_and_others_still_are(newsroom):
    save_policy(newsroom, flag_kinds=[kind for kind in KINDS if kind != "anonymous_official"])
    flags = analysed(newsroom, f"{OFFICIAL}\n\n{EXPERTS}")
    assert "anonymous_official" not in flags
    assert "anonymous_experts" in flags


@pytest.mark.django_db
def test_severity_overrides_apply_and_only_differences_are_stored(newsroom):
    severities = {kind: severity.value for kind, severity in KINDS.items()} | {"anonymous_experts": "low"}
    policy = save_policy(newsroom, severities=severities)
    assert policy.severities == {"anonymous_experts": "low"}
    assert analysed(newsroom, EXPERTS)["anonymous_experts"].severity == "low"


@pytest.mark.django_db
def test_house_terms_are_flagged_and_allowed_phrases_are_not(newsroom, other_newsroom):
    assert not analysed(other_newsroom, HOUSE)
    assert "anonymous_official" in analysed(other_newsroom, ALLOWED)

    save_policy(
        newsroom,
        extra_vague_terms="longtime residents\n\n",
        allowed_phrases="people familiar with the matter",
    )
    assert analysed(newsroom, HOUSE)
    assert not analysed(newsroom, ALLOWED)


@pytest.mark.django_db
def test_the_analyze_preview_uses_the_key_newsrooms_policy(newsroom, api):
    save_policy(newsroom, flag_kinds=["anonymous_experts"])
    response = api.post("/api/v1/analyze", {"text": f"{OFFICIAL} {EXPERTS}"}, format="json")
    assert response.status_code == 200
    kinds = {flag["kind"] for claim in response.json()["claims"] for flag in claim["flags"]}
    assert kinds == {"anonymous_experts"}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"flag_kinds": ["made_up"]}, "flag_kinds"),
        ({"severities": {"anonymous_experts": "extreme"}}, "severities"),
    ],
)
def test_unknown_kinds_and_severities_are_refused(newsroom, changes, field):
    with pytest.raises(ValidationError) as error:
        save_policy(newsroom, **changes)
    assert field in error.value.message_dict
    assert not CheckingPolicy.objects.exists()


@pytest.mark.django_db
def test_the_admin_form_saves_the_policy_through_the_service(admin_client, newsroom):
    form = {
        "newsroom": newsroom.pk,
        "flag_kinds": ["hedge", "unnamed_report"],
        "extra_vague_terms": "insiders",
        "allowed_phrases": "",
        **{f"severity_{kind}": severity.value for kind, severity in KINDS.items()},
        "severity_hedge": "high",
    }
    response = admin_client.post("/admin/factcheck/checkingpolicy/add/", form)
    assert response.status_code == 302, response.content.decode()[:2000]
    policy = CheckingPolicy.objects.get(newsroom=newsroom)
    assert policy.flag_kinds == ["unnamed_report", "hedge"]
    assert policy.severities == {"hedge": "high"}
    assert policy.extra_vague_terms == "insiders"
