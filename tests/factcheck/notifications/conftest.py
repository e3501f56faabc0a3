import pytest

from tests.factcheck.notifications.builders import SITE
from tests.factcheck.notifications.smtp import SMTPServer
from tests.factories import DeskFactory


@pytest.fixture(autouse=True)
def site_url(settings):
    settings.SITE_URL = SITE


@pytest.fixture
def desk(newsroom):
    return DeskFactory(newsroom=newsroom, name="City", slug="city")


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server on loopback, and the default mailer pointed at it."""
    server = SMTPServer().start()
    settings.MAILERS = {"default": server.mailer}
    yield server
    server.stop()
