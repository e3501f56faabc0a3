import pytest

from tests.factcheck.notifications.builders import SITE
from tests.factories import DeskFactory


@pytest.fixture(autouse=True)
def site_url(settings):
    settings.SITE_URL = SITE


@pytest.fixture
def desk(newsroom):
    return DeskFactory(newsroom=newsroom, name="City", slug="city")
