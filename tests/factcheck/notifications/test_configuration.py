"""How notifications are configured: the mailer from the environment, the beat schedule, the lease."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from django.conf import settings

from config.celery import app
from factcheck import tasks as factcheck_tasks  # noqa: F401 - registers the checking side's tasks
from factcheck.notifications.tasks import send_email

ROOT = Path(__file__).resolve().parents[3]


def mailers_from(tmp_path, **environment: str) -> dict:
    """settings.MAILERS as a fresh process computes it from ``environment`` alone."""
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "FACTDESK_VAR_DIR": str(tmp_path / "var"),
        **environment,
    }
    code = "import json; from django.conf import settings; print(json.dumps(settings.MAILERS))"
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_the_mailer_is_the_console_by_default_smtp_from_email_url_or_a_provider_backend(tmp_path):
    assert mailers_from(tmp_path)["default"]["BACKEND"] == "django.core.mail.backends.console.EmailBackend"

    smtp = mailers_from(tmp_path, EMAIL_URL="smtp+tls://factdesk:secret@smtp.example.org:587")["default"]
    assert smtp["BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    assert {key: smtp["OPTIONS"][key] for key in ("host", "port", "username", "use_tls")} == {
        "host": "smtp.example.org",
        "port": 587,
        "username": "factdesk",
        "use_tls": True,
    }

    provider = mailers_from(
        tmp_path,
        FACTDESK_EMAIL_BACKEND="anymail.backends.postmark.EmailBackend",
        FACTDESK_EMAIL_BACKEND_OPTIONS='{"server_token": "pm-token"}',
    )["default"]
    assert provider == {
        "BACKEND": "anymail.backends.postmark.EmailBackend",
        "OPTIONS": {"server_token": "pm-token"},
    }


def test_beat_runs_tasks_that_exist():
    schedule = settings.CELERY_BEAT_SCHEDULE
    assert {entry["task"] for entry in schedule.values()} >= {
        "notifications.recover_outbox",
        "notifications.send_digests",
    }
    assert all(entry["task"] in app.tasks for entry in schedule.values())


def test_a_live_send_ends_before_its_lease_does():
    """Else recovery could send again an email a slow but living worker is still sending."""
    assert send_email.time_limit < settings.FACTDESK_EMAIL_LEASE_SECONDS
