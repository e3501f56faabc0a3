"""Sources behind claims: adding them, and recording what the workers fetched."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction

from config.errors import Forbidden
from factcheck.models import Source
from factcheck.services.actors import Actor
from factcheck.services.review import _locked_claim

_url = URLValidator(schemes=["http", "https"])


def source_add(*, actor: Actor, claim_id: int, url: str, note: str = "") -> Source:
    """Attach a web source to a claim (fetching and archiving it is the workers' job)."""
    url = (url or "").strip()
    try:
        _url(url)
    except ValidationError:
        raise ValidationError({"url": "Enter a full http:// or https:// address."}) from None
    if len(url) > 2000:
        raise ValidationError({"url": "The address is longer than 2,000 characters."})
    with transaction.atomic():
        claim = _locked_claim(claim_id)
        role, _ = actor.workflow_role(claim)
        if role is None:
            raise Forbidden("Only people of the claim's newsroom add its sources.")
        try:
            with transaction.atomic():
                source = Source.objects.create(
                    claim=claim, url=url, note=note.strip(), actor_user=actor.user, actor_name=actor.name
                )
        except IntegrityError:
            raise ValidationError({"url": "That source is already attached to this claim."}) from None
        actor.event(
            claim=claim, action="source_added", from_status=claim.status, to_status=claim.status, note=url
        ).save()
    return source


__all__ = ["source_add"]
