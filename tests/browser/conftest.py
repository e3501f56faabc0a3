"""Headless Chromium for the browser tests: Debian's chromium, driven by Playwright's sync API.

The browser is the system's (``make setup-browser`` installs it; ``playwright install`` downloads a
build of its own, which these machines cannot fetch).  Without it, or without the playwright package,
the tests are skipped with the reason — unless ``FACTDESK_REQUIRE_BROWSER=1`` (CI) makes that a failure.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import pytest

CHROMIUM = Path(os.environ.get("FACTDESK_CHROMIUM", "/usr/bin/chromium"))
#: As root, in a closed network: no sandbox (needs user namespaces), no GPU, and none of Chromium's
#: own connections (updates, sync, field trials), which this machine's network refuses.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT = {"width": 1400, "height": 900}
#: ``FACTDESK_SCREENSHOTS=1`` writes the README's screenshots to docs/ (tracked files: not in CI).
SCREENSHOTS = os.environ.get("FACTDESK_SCREENSHOTS") == "1"
DOCS = Path(__file__).resolve().parents[2] / "docs"


def _unavailable(reason: str) -> None:
    if os.environ.get("FACTDESK_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{reason} (FACTDESK_REQUIRE_BROWSER=1)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture
def browser(live_server, tmp_path):
    """``with browser() as page:`` a page in a fresh headless Chromium (its own empty profile), 1400x900,
    with ``live_server`` as its base URL.

    A context manager rather than a page fixture: Playwright's sync API runs an event loop in this
    thread, and Django refuses ORM calls while it runs, so a test reads the database before and after.
    """
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("playwright is not installed: `make setup` installs requirements.txt")
    if not os.access(CHROMIUM, os.X_OK):
        _unavailable(f"no Chromium at {CHROMIUM}: `make setup-browser` (as root) installs Debian's chromium")

    @contextmanager
    def open_page() -> Iterator:
        with sync_playwright() as playwright:
            context = playwright.chromium.launch_persistent_context(
                str(tmp_path / "chromium-profile"),  # --user-data-dir, new for every test
                executable_path=str(CHROMIUM),
                headless=True,  # --headless
                args=CHROMIUM_ARGS,
                viewport=VIEWPORT,
                base_url=live_server.url,
                locale="en-GB",
                timezone_id="Europe/London",
            )
            context.set_default_timeout(15_000)
            page = context.pages[0] if context.pages else context.new_page()
            try:
                yield page
            except Exception:
                failure = tmp_path / "failure.png"
                with suppress(Exception):  # the test's own error is the one to report
                    page.screenshot(path=str(failure), full_page=True)
                    print(f"The page when the test failed: {page.url}, screenshot {failure}")
                raise
            finally:
                context.close()

    return open_page


@pytest.fixture
def screenshot():
    """``screenshot(page, "name")``: docs/name.png, only when ``FACTDESK_SCREENSHOTS=1``."""

    def take(page, name: str, *, full_page: bool = False) -> None:
        if SCREENSHOTS:
            DOCS.mkdir(exist_ok=True)
            sidebar = page.locator("#nav-sidebar")
            if sidebar.is_visible():  # give the page the width: the admin remembers this per browser
                page.locator("#toggle-nav-sidebar").click()
                sidebar.wait_for(state="hidden")
                page.evaluate("window.scrollTo(0, 0)")  # the click scrolled its button into view
            page.screenshot(path=str(DOCS / f"{name}.png"), full_page=full_page, animations="disabled")

    return take
