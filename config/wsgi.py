"""The WSGI entry point.  Refuses to start without a secret key rather than serve unsigned sessions."""

import os

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

try:
    settings.SECRET_KEY  # noqa: B018  (Django raises ImproperlyConfigured when it is empty)
except ImproperlyConfigured as error:
    raise ImproperlyConfigured(
        "SECRET_KEY is not set: Factdesk will not serve requests without it. Set the SECRET_KEY "
        "environment variable to a long random value (or run `make setup` to write a local key file)."
    ) from error

django_application = get_wsgi_application()

# Imported once Django is set up (it imports DRF).  Chunked request bodies are read, up to the body
# limit, and given to Django with their length.
from httpapi.bodies import ChunkedBodies  # noqa: E402

application = ChunkedBodies(django_application)
