"""The one page of notifications outside the admin: unsubscribing from a link in an email.

RFC 8058 one-click: the mail client POSTs ``List-Unsubscribe=One-Click`` to the link in the
``List-Unsubscribe`` header, with no cookie and no CSRF token; the signed token in the URL is the
authority.  A GET (a person clicking the link in the footer, or a scanner following it) only shows
a confirmation button: nothing changes without a POST.
"""

from __future__ import annotations

from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from editorial.models import Newsroom
from factcheck.notifications import emails
from factcheck.notifications.models import DIGEST_KIND, Event
from factcheck.notifications.services.preferences import notification_unsubscribe


@csrf_exempt  # the signed token authenticates the request; mail clients send no CSRF token
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    try:
        user_id, newsroom_id, event = emails.read_unsubscribe_token(token)
    except signing.BadSignature:
        return render(request, "notifications/unsubscribe.html", {"invalid": True}, status=400)
    newsroom = Newsroom.objects.filter(pk=newsroom_id).first()
    context = {
        "what": "the daily digest" if event == DIGEST_KIND else f"“{Event(event).label.lower()}”",
        "newsroom": newsroom,
        "settings_url": emails.settings_url(newsroom_id),
    }
    if request.method == "POST":
        done = notification_unsubscribe(user_id=user_id, newsroom_id=newsroom_id, event=event)
        status = 200 if done is not None else 404
        return render(
            request, "notifications/unsubscribe.html", {**context, "done": done is not None}, status=status
        )
    return render(request, "notifications/unsubscribe.html", context)
