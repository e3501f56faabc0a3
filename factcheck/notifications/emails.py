"""The emails themselves: subjects, plain text and HTML from templates, links, and headers.

Article titles and sentences are untrusted: the HTML templates autoescape them (only our own markup
is marked safe), the plain-text ones print them as they are, and a subject is folded onto one line.
Every link is absolute, built from ``SITE_URL``.
"""

from __future__ import annotations

import email.policy
import re
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives, make_msgid
from django.template.loader import render_to_string
from django.urls import reverse

from factcheck.notifications.models import DIGEST_KIND, Event, OutboxEmail

UNSUBSCRIBE_SALT = "factdesk.notifications.unsubscribe"
SUBJECT_TITLE_CHARS = 80
#: Headers whose value is one long URL.  Python folds a word longer than a line into RFC 2047 encoded
#: words, which mail clients do not decode in a URL: these are written on one line instead (well under
#: the 998 characters RFC 5322 allows).
UNFOLDED_HEADERS = frozenset({"list-unsubscribe"})


@dataclass(frozen=True)
class Item:
    """One event as an email shows it."""

    event: str
    payload: dict


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str
    headers: dict[str, str]


def absolute(path: str) -> str:
    return settings.SITE_URL + path


def message_id() -> str:
    """A new Message-ID, made by the outbox with each email and stored with it: the same on every
    attempt, so that mail clients fold the rare resend into one."""
    return make_msgid(idstring="factdesk", domain=urlsplit(settings.SITE_URL).hostname or "localhost")


def settings_url(newsroom_id: int) -> str:
    path = reverse("admin:notifications_notificationpreferences_mine")
    return absolute(f"{path}?{urlencode({'newsroom': newsroom_id})}")


def unsubscribe_token(*, user_id: int, newsroom_id: int, event: str) -> str:
    """A signed token naming one person, newsroom and event (``digest``: whatever goes to the digest)."""
    return signing.dumps({"u": user_id, "n": newsroom_id, "e": event}, salt=UNSUBSCRIBE_SALT, compress=True)


def read_unsubscribe_token(token: str) -> tuple[int, int, str]:
    """(user id, newsroom id, event) from a token; ``signing.BadSignature`` when it is not ours."""
    data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    try:
        user_id, newsroom_id, event = int(data["u"]), int(data["n"]), str(data["e"])
    except (KeyError, TypeError, ValueError) as error:
        raise signing.BadSignature("malformed unsubscribe token") from error
    if event not in (*Event.values, DIGEST_KIND):
        raise signing.BadSignature("unknown event in unsubscribe token")
    return user_id, newsroom_id, event


def unsubscribe_url(*, user_id: int, newsroom_id: int, event: str) -> str:
    token = unsubscribe_token(user_id=user_id, newsroom_id=newsroom_id, event=event)
    return absolute(reverse("notifications:unsubscribe", kwargs={"token": token}))


def one_line(text: str, limit: int = SUBJECT_TITLE_CHARS) -> str:
    """``text`` on one line (no header injection), cut to ``limit`` characters."""
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def subject_of(item: Item) -> str:
    title = one_line(item.payload["article"]["title"])
    if item.event == Event.CLAIMS_FLAGGED:
        return f"{_plural(len(item.payload['claims']), 'claim')} flagged in “{title}”"
    if item.event == Event.CLAIM_ASSIGNED:
        return f"A claim in “{title}” is assigned to you"
    if item.event == Event.ATTRIBUTION_REQUESTED:
        return f"Attribution needed: a claim in “{title}”"
    if item.event == Event.DEADLINE_ESCALATED:
        when = "Past its deadline" if item.payload["overdue"] else f"Deadline in {item.payload['time_left']}"
        return f"{when}: “{title}” is still blocked"
    return f"Verdict: {item.payload['verdict'].lower()} — a claim in “{title}”"


def segments(text: str, flags: list[dict]) -> list[dict]:
    """The sentence cut into plain pieces and flagged cues (``at``: offsets in the sentence)."""
    pieces, position = [], 0
    for flag in sorted(flags, key=lambda flag: flag["at"][0]):
        start, end = max(flag["at"][0], position), min(flag["at"][1], len(text))
        if start >= end:
            continue
        if start > position:
            pieces.append({"text": text[position:start], "cue": False})
        pieces.append({"text": text[start:end], "cue": True, "title": flag["message"]})
        position = end
    if position < len(text):
        pieces.append({"text": text[position:], "cue": False})
    return pieces


def _with_segments(payload: dict) -> dict:
    """The payload as the HTML templates use it: each claim's sentence cut around its cues."""
    claims = payload.get("claims") or ([payload["claim"]] if "claim" in payload else [])
    for claim in claims:
        claim["segments"] = segments(claim["text"], claim["flags"])
    return payload


def render(*, items: list[Item], user, newsroom, digest: bool = False) -> Rendered:
    """Subject, plain text, HTML and list headers of an email about ``items`` for ``user`` (the
    outbox adds its Message-ID)."""
    assert items, "an email is about something"
    event = DIGEST_KIND if digest else items[0].event
    unsubscribe = unsubscribe_url(user_id=user.pk, newsroom_id=newsroom.pk, event=event)
    context = {
        "recipient": user.get_full_name() or user.get_username(),
        "newsroom": newsroom.name,
        "items": [
            {
                "event": item.event,
                "template": f"notifications/email/items/{item.event}",
                **_with_segments(item.payload),
            }
            for item in items
        ],
        "digest": digest,
        "site_url": settings.SITE_URL,
        "settings_url": settings_url(newsroom.pk),
        "unsubscribe_url": unsubscribe,
        "unsubscribe_what": "the daily digest" if digest else f"“{Event(event).label.lower()}”",
    }
    if digest:
        subject = f"Factdesk digest for {one_line(newsroom.name, 60)}: {_plural(len(items), 'update')}"
    else:
        subject = subject_of(items[0])
    text = render_to_string("notifications/email/message.txt", context)
    text = re.sub(r"[ \t]+\n", "\n", text)
    text = re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"
    html = render_to_string("notifications/email/message.html", context)
    headers = {
        "List-Unsubscribe": f"<{unsubscribe}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",  # RFC 8058: one POST, no page to visit
        "Auto-Submitted": "auto-generated",  # RFC 3834: no vacation replies
    }
    return Rendered(subject=subject, text=text, html=html, headers=headers)


class _UnfoldedListHeaders(email.policy.EmailPolicy):
    """The policy it is given, except that ``UNFOLDED_HEADERS`` are written whole."""

    def fold(self, name, value):
        if name.lower() in UNFOLDED_HEADERS and str(value).isascii():
            return f"{name}: {value}{self.linesep}"
        return super().fold(name, value)

    def fold_binary(self, name, value):
        if name.lower() in UNFOLDED_HEADERS and str(value).isascii():
            return f"{name}: {value}{self.linesep}".encode("ascii")
        return super().fold_binary(name, value)


class OutboxMessage(EmailMultiAlternatives):
    """An email of the outbox: whatever policy a mail backend renders it with (SMTP's, the console's),
    its List-Unsubscribe header stays a plain ``<URL>``."""

    def message(self, *, policy=email.policy.default):
        return super().message(policy=_UnfoldedListHeaders().clone(**vars(policy)))


def message_of(email_row: OutboxEmail) -> EmailMultiAlternatives:
    """The outbox row as a Django email, plain text with an HTML alternative (the same on every attempt)."""
    message = OutboxMessage(
        subject=email_row.subject,
        body=email_row.body_text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[email_row.to],
        headers=dict(email_row.headers),
    )
    message.attach_alternative(email_row.body_html, "text/html")
    return message
