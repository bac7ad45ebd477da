"""Playwright driving Debian's Chromium against the live test server."""

import pytest

from tests.conftest import CHROMIUM

LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture(scope="module")
def browser():
    """One Chromium per test module, closed after it.

    Playwright's sync API runs an event loop in this thread while it lives;
    Django's async-safety check would refuse the test body's ORM calls, so it
    is relaxed for exactly that span (and the loop is gone for other modules).
    """
    from playwright.sync_api import sync_playwright

    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS)
            yield browser
            browser.close()


@pytest.fixture
def console_problems():
    return []


@pytest.fixture
def page(browser, console_problems):
    context = browser.new_context()
    page = context.new_page()
    page.on(
        "console",
        lambda m: console_problems.append(m.text) if m.type in ("error", "warning") else None,
    )
    page.on("pageerror", lambda e: console_problems.append(str(e)))
    yield page
    context.close()


@pytest.fixture
def page_without_js(browser, console_problems):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    yield page
    context.close()
