"""Writes on the newsroom side.  Keyword-only, run in a transaction, named ``<entity>_<verb>``."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify

from editorial import keycache
from editorial.models import (
    AnalysisStatus,
    ApiKey,
    Article,
    ArticleRevision,
    BodyFormat,
    Desk,
    Membership,
    Newsroom,
    Role,
)

KEY_PREFIX_LENGTH = 12
LAST_USED_RESOLUTION = timedelta(minutes=1)


def newsroom_create(*, name: str, slug: str) -> Newsroom:
    newsroom = Newsroom(name=name, slug=slug)
    newsroom.full_clean()
    newsroom.save()
    return newsroom


def desk_create(*, newsroom: Newsroom, name: str, slug: str) -> Desk:
    desk = Desk(newsroom=newsroom, name=name, slug=slug)
    desk.full_clean()
    desk.save()
    return desk


@transaction.atomic
def member_add(
    *, newsroom: Newsroom, user, role: str, desks: list[Desk] | tuple = (), only_these_desks: bool = False
) -> Membership:
    """Give ``user`` a role in ``newsroom`` (or change it), on the given desks of that newsroom.

    The desks are added to those the person already has, or replace them with ``only_these_desks``.
    """
    if role not in Role.values:
        raise ValidationError({"role": f"Unknown role {role!r}; choose one of {', '.join(Role.values)}."})
    foreign = [desk for desk in desks if desk.newsroom_id != newsroom.pk]
    if foreign:
        raise ValidationError({"desks": f"Desk {foreign[0]} belongs to another newsroom."})
    membership, _ = Membership.objects.update_or_create(newsroom=newsroom, user=user, defaults={"role": role})
    if only_these_desks:
        membership.desks.set(desks)
    elif desks:
        membership.desks.add(*desks)
    return membership


def user_create(*, username: str, email: str = "", password: str | None = None, staff: bool = True):
    """Create a login for a newsroom person (staff, so they can use the admin)."""
    user_model = get_user_model()
    user = user_model(username=username, email=email, is_staff=staff)
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    return user


# --- Operators' setup (management commands and the demo) -------------------------------------


@dataclass(frozen=True)
class NewsroomEnsured:
    newsroom: Newsroom
    created: bool
    desks_created: tuple[Desk, ...]


@transaction.atomic
def newsroom_ensure(*, name: str, slug: str, desk_names: Sequence[str] = ()) -> NewsroomEnsured:
    """The newsroom with ``slug`` (created with ``name`` if there is none), with a desk for each name.

    Idempotent: an existing newsroom is reused as it is (not renamed) and only missing desks are added;
    a desk's slug is ``slugify(name)``.
    """
    newsroom = Newsroom.objects.filter(slug=slug).first()
    created = newsroom is None
    if newsroom is None:
        newsroom = newsroom_create(name=name, slug=slug)
    existing = set(newsroom.desks.values_list("slug", flat=True))
    desks_created = []
    for desk_name in desk_names:
        desk_slug = slugify(desk_name)
        if not desk_slug:
            raise ValidationError({"desks": f"Desk name {desk_name!r} has no letter or digit for a slug."})
        if desk_slug in existing:
            continue
        desks_created.append(desk_create(newsroom=newsroom, name=desk_name.strip(), slug=desk_slug))
        existing.add(desk_slug)
    return NewsroomEnsured(newsroom=newsroom, created=created, desks_created=tuple(desks_created))


@transaction.atomic
def user_update(
    *,
    user,
    email: str | None = None,
    password: str | None = None,
    staff: bool | None = None,
    superuser: bool | None = None,
):
    """Change what is given (``None`` leaves a field alone); a new password must pass the validators."""
    if email is not None:
        user.email = email
    if staff is not None:
        user.is_staff = staff
    if superuser is not None:
        user.is_superuser = superuser
    user.full_clean(exclude=["password"], validate_unique=False)
    if password is not None:
        password_validation.validate_password(password, user)
        user.set_password(password)
    user.save()
    return user


@dataclass(frozen=True)
class MemberUpserted:
    membership: Membership
    user_created: bool


@transaction.atomic
def member_upsert(
    *,
    newsroom: Newsroom,
    username: str,
    role: str,
    email: str | None = None,
    password: str | None = None,
    desks: Sequence[Desk] = (),
) -> MemberUpserted:
    """Create the login ``username`` or update it, and give it ``role`` in ``newsroom`` on ``desks``.

    An existing user keeps their password unless ``password`` is given, and their email unless
    ``email`` is given.  All or nothing: a bad role or desk leaves no new user behind.
    """
    user = get_user_model().objects.filter(username=username).first()
    user_created = user is None
    if user is None:
        if password is not None:
            candidate = get_user_model()(username=username, email=email or "")
            password_validation.validate_password(password, candidate)
        user = user_create(username=username, email=email or "", password=password)
    elif email is not None or password is not None:
        user = user_update(user=user, email=email, password=password)
    membership = member_add(newsroom=newsroom, user=user, role=role, desks=list(desks))
    return MemberUpserted(membership=membership, user_created=user_created)


# --- API keys --------------------------------------------------------------------------------


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass(frozen=True)
class IssuedKey:
    api_key: ApiKey
    raw_key: str  # shown once; never stored


def api_key_create(*, newsroom: Newsroom, name: str, role: str = Role.EDITOR, created_by=None) -> IssuedKey:
    """Issue a key.  The raw key ``fd_<prefix>.<secret>`` is returned once and stored only as a digest."""
    if role not in Role.values:
        raise ValidationError({"role": f"Unknown role {role!r}; choose one of {', '.join(Role.values)}."})
    for _ in range(5):
        prefix = secrets.token_hex(KEY_PREFIX_LENGTH // 2)
        secret = secrets.token_urlsafe(32)
        api_key = ApiKey(
            newsroom=newsroom,
            name=name,
            prefix=prefix,
            hashed_secret=_digest(secret),
            role=role,
            created_by=created_by,
        )
        try:
            with transaction.atomic():
                api_key.save()
        except IntegrityError:  # a prefix collision: astronomically rare, try another
            continue
        return IssuedKey(api_key=api_key, raw_key=f"fd_{prefix}.{secret}")
    raise RuntimeError("Could not generate a unique API key prefix.")


@transaction.atomic
def api_key_revoke(*, api_key: ApiKey) -> ApiKey:
    if api_key.revoked_at is None:
        api_key.revoked_at = timezone.now()
        api_key.save(update_fields=["revoked_at"])
        keycache.forget([api_key.prefix], revoked=True)
    return api_key


@transaction.atomic
def api_key_revoke_all(*, newsroom: Newsroom, name: str) -> int:
    """Revoke every active key of ``newsroom`` called ``name``; returns how many were revoked."""
    active = ApiKey.objects.select_for_update().filter(newsroom=newsroom, name=name, revoked_at=None)
    prefixes = list(active.values_list("prefix", flat=True))
    revoked = ApiKey.objects.filter(prefix__in=prefixes).update(revoked_at=timezone.now())
    keycache.forget(prefixes, revoked=True)
    return revoked


def api_key_authenticate(*, raw_key: str) -> ApiKey | None:
    """The active key for ``raw_key``, or None.  Records the use (at most once a minute)."""
    if not raw_key.startswith("fd_") or "." not in raw_key:
        return None
    prefix, _, secret = raw_key[3:].partition(".")
    if len(prefix) != KEY_PREFIX_LENGTH or not secret:
        return None
    api_key = keycache.cached(prefix)
    if api_key == keycache.REVOKED:
        return None
    if api_key is None:
        api_key = ApiKey.objects.select_related("newsroom").filter(prefix=prefix, revoked_at=None).first()
        if api_key is None:
            return None
        keycache.remember(api_key)
    if not hmac.compare_digest(api_key.hashed_secret, _digest(secret)):
        return None
    # The use is recorded at most once a minute per key, whichever process serves it.
    if keycache.first_use_in(prefix, LAST_USED_RESOLUTION.total_seconds()):
        now = timezone.now()
        ApiKey.objects.filter(pk=api_key.pk).update(last_used_at=now)
        api_key.last_used_at = now
    return api_key


# --- Articles --------------------------------------------------------------------------------


def body_digest(*, body: str, body_format: str) -> str:
    return hashlib.sha256(f"{body_format}\0{body}".encode()).hexdigest()


@dataclass(frozen=True)
class Upserted:
    article: Article
    created: bool
    body_changed: bool


def article_upsert(
    *,
    newsroom: Newsroom,
    external_id: str,
    body: str,
    body_format: str = BodyFormat.TEXT,
    title: str = "",
    url: str = "",
    byline: str = "",
    published_on: date | None = None,
    desk: Desk | None = None,
    deadline: datetime | None = None,
    sent_by: SentBy | None = None,
) -> Upserted:
    """Create the article with this ``external_id``, or update it; a changed body starts a new revision.

    Must run inside a transaction (the caller's): the existing row is locked so that two
    submissions of the same article cannot both bump the revision.  Each new body is kept as an
    ``ArticleRevision``, with who sent it (``sent_by``; None: Factdesk itself).
    """
    sent_by = sent_by or SentBy(name="Factdesk")
    if desk is not None and desk.newsroom_id != newsroom.pk:
        raise ValidationError({"desk": "That desk belongs to another newsroom."})
    if deadline is not None and timezone.is_naive(deadline):
        raise ValidationError({"deadline": "Give the deadline's time zone (e.g. 2026-05-04T18:00:00+02:00)."})
    digest = body_digest(body=body, body_format=body_format)
    fields = {
        "title": title,
        "url": url,
        "byline": byline,
        "published_on": published_on,
        "desk": desk,
        "deadline": deadline,
    }
    article = Article.objects.select_for_update().filter(newsroom=newsroom, external_id=external_id).first()
    if article is None:
        article = Article(
            newsroom=newsroom,
            external_id=external_id,
            body=body,
            body_format=body_format,
            body_hash=digest,
            **fields,
        )
        article.full_clean(exclude=["canonical_text"], validate_unique=False)
        try:
            with transaction.atomic():
                article.save()
        except IntegrityError:
            # Another submission of the same external_id won the race: update that one instead.
            return article_upsert(
                newsroom=newsroom,
                external_id=external_id,
                body=body,
                body_format=body_format,
                sent_by=sent_by,
                **fields,
            )
        _revision_record(article, sent_by)
        return Upserted(article=article, created=True, body_changed=True)

    for name, value in fields.items():
        setattr(article, name, value)
    changed = digest != article.body_hash
    update_fields = [*fields, "updated_at"]
    if changed:
        article.body, article.body_format, article.body_hash = body, body_format, digest
        article.revision += 1
        article.analysis_status, article.analysis_error = AnalysisStatus.RECEIVED, ""
        update_fields += ["body", "body_format", "body_hash", "revision", "analysis_status", "analysis_error"]
    article.full_clean(exclude=["canonical_text"], validate_unique=False)
    article.save(update_fields=update_fields)
    if changed:
        _revision_record(article, sent_by)
    return Upserted(article=article, created=False, body_changed=changed)


@dataclass(frozen=True)
class SentBy:
    """Who sent an article's body: a person, an API key, or neither (Factdesk itself, a command)."""

    name: str
    user: Any = None
    api_key: ApiKey | None = None


def _revision_record(article: Article, sent_by: SentBy) -> ArticleRevision:
    return ArticleRevision.objects.create(
        article=article,
        number=article.revision,
        body=article.body,
        body_format=article.body_format,
        body_hash=article.body_hash,
        sent_by_user=sent_by.user,
        sent_by_api_key=sent_by.api_key,
        sent_by_name=sent_by.name[:200],
    )
