"""Browser-test fixtures, a pytest plugin: Debian's Chromium driven by Playwright.

Chromium comes from the distribution (`make browser`), never from `playwright install`.
Without it the tests are skipped on a developer's machine but fail in CI (CI=true),
where the Makefile is expected to have installed it.
"""

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright
from pytest_django.live_server_helper import LiveServer

CHROMIUM = Path(os.environ.get("ANJU_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Snappy failures: an element that does not show up in 5 s is a bug, not a slow machine.
TIMEOUT_MS = 5_000


def _chromium_or_skip() -> None:
    if os.access(CHROMIUM, os.X_OK):
        return
    reason = f"Chromium not found at {CHROMIUM}: run `make browser` (apt-get install chromium)"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{reason}; CI must have it, the Makefile installs it", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    _chromium_or_skip()
    # Playwright's sync API keeps an asyncio loop running in the test thread for as long as
    # it lives; Django would then refuse every ORM call from that thread (factories,
    # flushes) as async-unsafe. Allowed exactly while the browser is up, then restored.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            yield chromium
            chromium.close()
    finally:
        if previous is None:
            del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def new_page(
    browser: Browser, live_server: LiveServer, transactional_db: None
) -> Iterator[Callable[..., Page]]:
    """new_page(locale="zh-CN"): a page in a fresh context (own cookies) on the live server."""
    contexts: list[BrowserContext] = []

    def make(locale: str = "zh-CN") -> Page:
        context = browser.new_context(
            base_url=live_server.url, locale=locale, viewport={"width": 1366, "height": 900}
        )
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()
