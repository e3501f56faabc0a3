"""What the checking side's admin pages share: highlighting untrusted text, roles, refusals, ages.

Article and claim text is untrusted: everything shown is escaped (``format_html``/``escape``),
and only the highlighting markup is ours.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

from editorial.models import Article, Role
from factcheck.models import Claim
from httpapi.errors import DomainError

#: Editors correct the analysis (make a part a claim, or keep a sentence out).
CORRECT_ROLES = frozenset({Role.ADMIN, Role.EDITOR})
#: People who check claims: they take them and give verdicts.
CHECK_ROLES = frozenset({Role.ADMIN, Role.EDITOR, Role.FACT_CHECKER})
#: People who direct the checking: they assign and dismiss claims.
EDITOR_ROLES = frozenset({Role.ADMIN, Role.EDITOR})

#: What a service may refuse with: the admin shows the message and changes nothing.
REFUSALS = (DomainError, ValidationError)

#: Two subtle backgrounds that alternate from claim to claim (readable in light and dark themes).
CLAIM_BACKGROUNDS = ("rgba(66, 133, 244, 0.13)", "rgba(251, 188, 5, 0.16)")


def refusal_text(error: Exception) -> str:
    """The message a refused service call gives the person who asked."""
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return getattr(error, "message", str(error))


def highlight(text: str, spans: list[tuple[int, int, str]], *, offset: int = 0) -> SafeString:
    """``text`` escaped, with each (start, end, title) span, in article offsets, wrapped in <mark>."""
    out: list[str] = []
    position = 0
    for start, end, title in sorted(spans):
        start, end = max(start - offset, position), min(end - offset, len(text))
        if start >= end:
            continue
        out.append(escape(text[position:start]))
        out.append(format_html('<mark title="{}">{}</mark>', title, text[start:end]))
        position = end
    out.append(escape(text[position:]))
    return mark_safe("".join(out))  # noqa: S308 - every piece above is escaped


def cue_spans(claim: Claim) -> list[tuple[int, int, str]]:
    """The claim's flag cues as spans for :func:`highlight` (uses prefetched ``flags``)."""
    return [(flag.start, flag.end, flag.message) for flag in claim.flags.all()]


def highlight_claim(claim: Claim) -> SafeString:
    return highlight(claim.text, cue_spans(claim), offset=claim.start)


def highlight_claims(text: str, claims: Iterable[Claim], *, url_of: Callable[[Claim], str]) -> SafeString:
    """The whole article ``text`` escaped, each claim a link on an alternating background, cues marked.

    A claim whose offsets no longer match the text (an analysis of an older revision) is left plain.
    """
    out: list[str] = []
    position = 0
    shown = 0
    for claim in sorted(claims, key=lambda claim: claim.start):
        if claim.start < position or text[claim.start : claim.end] != claim.text:
            continue
        out.append(escape(text[position : claim.start]))
        out.append(
            format_html(
                '<a href="{}" class="claim" id="claim-{}" data-status="{}" title="{}" '
                'style="background: {}; color: inherit; text-decoration: none">{}</a>',
                url_of(claim),
                claim.pk,
                claim.status,
                f"{claim.get_status_display()}: open its review page",
                CLAIM_BACKGROUNDS[shown % 2],
                highlight_claim(claim),
            )
        )
        shown += 1
        position = claim.end
    out.append(escape(text[position:]))
    return mark_safe("".join(out))  # noqa: S308 - every piece above is escaped


def time_left(deadline: datetime | None, now: datetime) -> SafeString:
    """A deadline as the admin's lists show it: "—" for none, "3 h" to go, or "overdue 12 min" (in
    a span whose ``data-overdue`` a style sheet or test can find), its exact time as the title."""
    if deadline is None:
        return format_html("{}", "—")
    passed = deadline <= now
    span = age(now, deadline) if not passed else age(deadline, now)
    return format_html(
        '<span class="time-left" data-overdue="{}" title="{}"{}>{}</span>',
        "true" if passed else "false",
        timezone.localtime(deadline).strftime("%Y-%m-%d %H:%M %Z"),
        mark_safe(' style="color:#b42318;font-weight:bold"') if passed else "",
        f"overdue {span}" if passed else span,
    )


def shorten(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters at most, an ellipsis marking the cut."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def short_title(article: Article, limit: int = 60) -> str:
    return shorten(str(article), limit)


def age(since: datetime, now: datetime) -> str:
    """How long ago, in the largest unit that reads well: "12 min", "3 h", "2 d"."""
    seconds = max(0, int((now - since).total_seconds()))
    if seconds < 3600:
        return f"{seconds // 60} min"
    if seconds < 2 * 86400:
        return f"{seconds // 3600} h"
    return f"{seconds // 86400} d"
