"""Reads for notifications: who should hear about an event, and how they want to."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import QuerySet

from editorial.models import Article, Role
from factcheck.notifications.models import DEFAULT_DELIVERY, NotificationPreferences

#: Who hears about flagged claims: the people who direct the checking (a newsroom admin acts as one).
DESK_EDITOR_ROLES = (Role.EDITOR, Role.ADMIN)


def desk_editors(*, article: Article) -> QuerySet:
    """The editors (and newsroom admins) of the article's desk; for an article without a desk, all
    of the newsroom's.  Active people with an email address only, each once."""
    membership = {"memberships__newsroom_id": article.newsroom_id, "memberships__role__in": DESK_EDITOR_ROLES}
    if article.desk_id is not None:
        membership["memberships__desks"] = article.desk_id  # the same membership row (one filter call)
    return (
        get_user_model()
        .objects.filter(is_active=True, **membership)
        .exclude(email="")
        .distinct()
        .order_by("pk")
    )


def article_reporters(*, article: Article) -> QuerySet:
    """The article's reporters who can be written to."""
    return article.reporters.filter(is_active=True).exclude(email="").order_by("pk")


def deliveries(*, user_ids: list[int], newsroom_id: int, event: str) -> dict[int, str]:
    """How each person wants to hear about ``event`` in the newsroom (the default where unset)."""
    chosen = dict(
        NotificationPreferences.objects.filter(user_id__in=user_ids, newsroom_id=newsroom_id).values_list(
            "user_id", event
        )
    )
    return {user_id: chosen.get(user_id, DEFAULT_DELIVERY[event]) for user_id in user_ids}
