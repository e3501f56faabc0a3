"""The messages: plain text and HTML from templates, untrusted text escaped, absolute links, subjects
and the list headers (factcheck/notifications/emails.py and its templates)."""

from __future__ import annotations

import email.policy
import re

import pytest
from django.core import signing
from hypothesis import given
from hypothesis import strategies as st

from editorial.models import Role
from factcheck.notifications import emails
from factcheck.notifications.models import DIGEST_KIND, Event, OutboxEmail
from tests.factcheck.notifications.builders import ANALYSTS, SITE, analysed, person

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert('pwned')</script>"


def only_email() -> OutboxEmail:
    [email] = OutboxEmail.objects.all()
    return email


def test_untrusted_article_text_is_escaped_in_html_and_kept_as_written_in_text(newsroom, desk):
    person(newsroom, Role.EDITOR, "edna", desks=[desk])
    sentence = f"Analysts say {SCRIPT} the plan & the <b>budget</b> will fail."
    analysed(newsroom, desk=desk, title=f"Budget {SCRIPT}", body=f"{sentence}\n\nThe council met on Tuesday.")

    email = only_email()
    assert "<script>" not in email.body_html
    assert "<b>budget</b>" not in email.body_html
    assert "&lt;script&gt;alert(&#x27;pwned&#x27;)&lt;/script&gt;" in email.body_html
    assert "the plan &amp; the &lt;b&gt;budget&lt;/b&gt; will fail." in email.body_html
    assert sentence in email.body_text  # plain text is not HTML: shown exactly as written
    assert f"“Budget {SCRIPT}”" in email.body_text
    assert email.subject == f"1 claim flagged in “Budget {SCRIPT}”"


def test_a_title_cannot_break_out_of_the_subject_line(newsroom, desk):
    person(newsroom, Role.EDITOR, "edna", desks=[desk])
    analysed(newsroom, desk=desk, title="Budget\r\nBcc: everyone@example.org " + "x" * 200, body=ANALYSTS)

    email = only_email()
    assert "\n" not in email.subject and "\r" not in email.subject
    assert email.subject.startswith("1 claim flagged in “Budget Bcc: everyone@example.org xxx")
    assert email.subject.endswith("x…”")
    assert len(email.subject) < 120
    message = emails.message_of(email).message()
    assert message["Bcc"] is None


def test_links_are_absolute_from_site_url_and_every_email_leads_to_the_settings(newsroom, desk, settings):
    editor = person(newsroom, Role.EDITOR, "edna", desks=[desk])
    article = analysed(newsroom, desk=desk)

    email = only_email()
    settings_link = f"{SITE}/admin/notifications/notificationpreferences/mine/?newsroom={newsroom.pk}"
    article_link = f"{SITE}/admin/editorial/article/{article.pk}/change/"
    for part in (email.body_text, email.body_html):
        assert settings_link in part
        assert article_link in part
        links = re.findall(r"https?://[^\s\"<>]+", part)
        assert links and all(link.startswith(SITE + "/") for link in links), links
    assert email.to == editor.email


def test_every_email_carries_one_click_unsubscribe_headers_and_a_stable_message_id(newsroom, desk):
    editor = person(newsroom, Role.EDITOR, "edna", desks=[desk])
    analysed(newsroom, desk=desk)
    email = only_email()

    first, again = emails.message_of(email).message(), emails.message_of(email).message()

    assert first["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    [url] = re.fullmatch(r"<(.+)>", first["List-Unsubscribe"]).groups()
    assert url.startswith(f"{SITE}/notifications/unsubscribe/")
    token = url.removeprefix(f"{SITE}/notifications/unsubscribe/").rstrip("/")
    assert emails.read_unsubscribe_token(token) == (editor.pk, newsroom.pk, Event.CLAIMS_FLAGGED)
    assert url in email.body_text and url in email.body_html
    assert first["Message-ID"] == again["Message-ID"] == email.headers["Message-ID"]
    assert first["Message-ID"].endswith("@factdesk.example.org>")
    assert first["Auto-Submitted"] == "auto-generated"
    assert first.get_content_type() == "multipart/alternative"
    assert [part.get_content_type() for part in first.iter_parts()] == ["text/plain", "text/html"]


@pytest.mark.parametrize("policy", [email.policy.default, email.policy.SMTP], ids=["console", "smtp"])
def test_the_unsubscribe_header_is_one_plain_url_however_a_backend_renders_the_email(newsroom, desk, policy):
    person(newsroom, Role.EDITOR, "edna", desks=[desk])
    analysed(newsroom, desk=desk, title="A title long enough to be folded across lines " * 3)
    row = only_email()

    raw = emails.message_of(row).message(policy=policy).as_bytes()

    header = row.headers["List-Unsubscribe"]
    assert len(header) > 100  # longer than a folded line: Python alone would encode it
    assert f"\nList-Unsubscribe: {header}{policy.linesep}".encode() in raw
    subject = next(line for line in raw.split(b"\n") if line.startswith(b"Subject:"))
    assert len(subject) <= 78  # other headers are still folded as usual
    assert b"=?utf-8?" in subject


def test_a_token_signed_for_another_purpose_or_altered_is_refused(newsroom):
    token = emails.unsubscribe_token(user_id=1, newsroom_id=newsroom.pk, event=DIGEST_KIND)
    assert emails.read_unsubscribe_token(token) == (1, newsroom.pk, DIGEST_KIND)
    other_purpose = signing.dumps({"u": 1, "n": newsroom.pk, "e": DIGEST_KIND}, compress=True)
    altered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    for bad in (other_purpose, altered, signing.dumps({"u": 1}, salt=emails.UNSUBSCRIBE_SALT)):
        with pytest.raises(signing.BadSignature):
            emails.read_unsubscribe_token(bad)
    unknown_event = signing.dumps({"u": 1, "n": 1, "e": "everything"}, salt=emails.UNSUBSCRIBE_SALT)
    with pytest.raises(signing.BadSignature):
        emails.read_unsubscribe_token(unknown_event)


@given(st.text(max_size=300))
def test_reading_any_string_as_a_token_either_fails_cleanly_or_gives_ids(token):
    try:
        user_id, newsroom_id, event = emails.read_unsubscribe_token(token)
    except signing.BadSignature:
        return
    raise AssertionError(f"an unsigned string was accepted: {token!r} -> {(user_id, newsroom_id, event)}")


@given(
    text=st.text(min_size=1, max_size=60),
    spans=st.lists(st.tuples(st.integers(0, 70), st.integers(0, 70)), max_size=5),
)
def test_cutting_a_sentence_around_its_cues_keeps_every_character_once(text, spans):
    flags = [{"at": [min(a, b), max(a, b)], "message": "m"} for a, b in spans]
    pieces = emails.segments(text, flags)
    assert "".join(piece["text"] for piece in pieces) == text
    assert all(piece["text"] for piece in pieces)
    position = 0
    for piece in pieces:
        start, end = position, position + len(piece["text"])
        if piece["cue"]:
            assert any(a <= start and end <= b for a, b in (flag["at"] for flag in flags)), (piece, flags)
        else:
            assert not any(a <= start < b for a, b in (flag["at"] for flag in flags)), (piece, flags)
        position = end
