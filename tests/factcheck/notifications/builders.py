"""What the notification tests build on: a story with vague attributions, people, analysed articles."""

import html
from functools import partial

from django.utils.html import strip_tags

from editorial import services as editorial_services
from tests import factories
from tests.factories import UserFactory

BUDGET = "The council approved a budget of $4.2 million on Tuesday, the largest in a decade."
ANALYSTS = "Analysts say the budget is too small to repair the bridge."
BELIEVED = "It is believed that the mayor will resign."
HOSPITAL = "The new hospital will open in 2027, according to the health ministry."
#: Two flagged sentences (anonymous experts, agentless passive) and two clean ones.
VAGUE_BODY = f"{BUDGET}\n\n{ANALYSTS} {BELIEVED}\n\n{HOSPITAL}"
TITLE = "Council approves the new budget"
SITE = "https://factdesk.example.org"


def visible(markup: str) -> str:
    """What a reader of an HTML part sees: the text without tags, entities decoded."""
    return html.unescape(strip_tags(markup))


def person(newsroom, role: str, username: str, *, desks=(), email: str | None = None):
    """A member of ``newsroom`` with ``role`` on ``desks``, with an address unless told otherwise."""
    user = UserFactory(username=username, email=f"{username}@example.org" if email is None else email)
    editorial_services.member_add(newsroom=newsroom, user=user, role=role, desks=list(desks))
    return user


#: An article of a newsroom, analysed by the real service: the story above unless told otherwise.
analysed = partial(factories.analysed, body=VAGUE_BODY, title=TITLE)
