"""The API's documentation: Swagger UI at /api/v1/docs, from our own static files, never a CDN."""

from __future__ import annotations

import re

import pytest
from django.core.management import call_command
from django.test import Client

PAGE = "/api/v1/docs"


def local_urls(html: str) -> list[str]:
    return re.findall(r'(?:src|href)="([^"]*)"', html)


def test_the_docs_page_loads_nothing_from_elsewhere(client):
    response = client.get(PAGE)

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    urls = local_urls(html)
    assert len(urls) >= 4  # stylesheet, icon, the two scripts
    for url in urls:
        assert url.startswith("/static/drf_spectacular_sidecar/swagger-ui-dist/"), url
    assert "//" not in "".join(urls)
    assert "http://" not in html and "https://" not in html  # no CDN, no online validator
    assert '"/api/v1/schema"' in html  # the schema it shows is ours, from this server
    assert '"validatorUrl": null' in html


@pytest.mark.django_db
def test_collectstatic_collects_the_docs_files_and_they_are_served(settings, tmp_path):
    """As production runs: collectstatic with the manifest storage, then WhiteNoise serves each file."""
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    call_command("collectstatic", "--noinput", verbosity=0)

    client = Client()  # a new handler: WhiteNoise looks at the new STATIC_ROOT
    html = client.get(PAGE).content.decode()
    urls = local_urls(html)
    assert urls and all(re.search(r"\.[0-9a-f]{12}\.(css|js|png)$", url) for url in urls), (
        urls
    )  # hashed names
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert b"".join(response.streaming_content)
