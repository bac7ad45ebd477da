"""Playwright driving Debian's Chromium against the live test server."""

import os

import pytest

from tests.conftest import CHROMIUM

# Playwright's sync API runs an event loop in this thread; Django's async-safety
# check would refuse ORM calls made from the test body otherwise.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

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
    page.on("console", lambda m: console_problems.append(m.text) if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: console_problems.append(str(e)))
    yield page
    context.close()


@pytest.fixture
def page_without_js(browser, console_problems):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    yield page
    context.close()
