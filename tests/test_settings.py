"""The production settings, loaded the way production loads them: in a fresh process, from the environment."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def clean_env(tmp_path: Path, **values: str) -> dict[str, str]:
    """A minimal environment: nothing from this test process (settings_test sets SECRET_KEY, HTTPS...)."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "LANG": "C.UTF-8",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        # An empty var dir: no local secret key file, no SQLite file of a developer.
        "FACTDESK_VAR_DIR": str(tmp_path / "var"),
    }
    env.update(values)
    return env


def run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False
    )


def test_production_settings_pass_the_deploy_checks(tmp_path):
    secret_key = secrets.token_urlsafe(45)
    assert len(secret_key) == 60
    env = clean_env(
        tmp_path,
        SECRET_KEY=secret_key,
        ALLOWED_HOSTS="factdesk.example.org",
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/factdesk",
        CELERY_BROKER_URL="redis://127.0.0.1:6379/0",
        EMAIL_URL="smtp+tls://factdesk:secret@smtp.example.org:587",
    )
    result = run(env, "manage.py", "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, f"check --deploy failed:\n{result.stdout}\n{result.stderr}"
    assert "System check identified no issues" in result.stdout


def test_deploy_checks_do_fail_on_an_insecure_configuration(tmp_path):
    """The check above can fail: turning HTTPS off is reported."""
    env = clean_env(
        tmp_path,
        SECRET_KEY=secrets.token_urlsafe(45),
        ALLOWED_HOSTS="factdesk.example.org",
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/factdesk",
        HTTPS="false",
    )
    result = run(env, "manage.py", "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode != 0
    assert "security.W008" in result.stderr + result.stdout  # SECURE_SSL_REDIRECT is off


def test_the_wsgi_application_refuses_to_start_without_a_secret_key(tmp_path):
    env = clean_env(tmp_path, ALLOWED_HOSTS="factdesk.example.org")
    result = run(env, "-c", "import config.wsgi")
    assert result.returncode != 0
    last_line = result.stderr.strip().splitlines()[-1]
    assert last_line.startswith("django.core.exceptions.ImproperlyConfigured:"), result.stderr
    assert "SECRET_KEY" in last_line
    assert "environment variable" in last_line


def test_the_wsgi_application_loads_with_a_secret_key(tmp_path):
    env = clean_env(tmp_path, SECRET_KEY=secrets.token_urlsafe(45), ALLOWED_HOSTS="factdesk.example.org")
    result = run(
        env,
        "-c",
        "import config.wsgi as w; a = w.application; print(type(a).__name__, type(a.application).__name__)",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ChunkedBodies WSGIHandler"  # Django's, behind the chunked-body reader
