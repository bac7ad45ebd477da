"""Ways to play in a real browser: one-tap answers, the timed countdown, the share button."""

import re

import pytest
from playwright.sync_api import expect

from quiz import play
from tests.factories import QuestionFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}


@pytest.fixture
def bank():
    QuestionFactory.create_batch(12, spoiler_level=0, difficulty="easy")


def _start(page, live_server, timed=False):
    page.goto(live_server.url + "/")
    page.select_option("#id_watched_through", "0")
    page.check("input[name=length][value='5']")
    if timed:
        page.check("#id_timed")
    page.click("text=Start quiz")
    page.wait_for_url(re.compile(r"/quiz/[0-9a-f-]+/q/1/$"))


def test_one_tap_answers_and_keyboard_confirms_with_enter(
    page, live_server, bank, console_problems
):
    _start(page, live_server)
    expect(page.locator(".key-hint")).to_be_visible()  # a mouse and keyboard: the hint shows
    url = page.url
    page.locator(".options label").nth(2).click()  # no Answer button pressed
    expect(page.locator(".feedback")).to_be_visible()
    assert page.url == url  # swapped in by htmx, no navigation
    page.click("text=Next question")
    page.locator(".progress", has_text="Question 2 of 5").wait_for()
    # htmx settles after the swap and quiz.js then moves the focus to the new
    # question: wait for that, or it takes the focus back from the option below.
    expect(page.locator("#question-heading")).to_be_focused()
    # Keyboard: arrows move between options without submitting; Enter confirms.
    page.locator("input[name=option]").first.focus()
    page.keyboard.press("ArrowDown")
    page.wait_for_timeout(300)
    assert page.locator(".feedback").count() == 0
    assert page.locator("input[name=option]").nth(1).is_checked()
    page.keyboard.press("Enter")
    expect(page.locator(".feedback")).to_be_visible()
    assert not [p for p in console_problems if "Content Security Policy" in p or "Refused" in p]


def test_touch_users_tap_once_and_never_see_the_keys_hint(browser, live_server, bank):
    context = browser.new_context(**PHONE)
    page = context.new_page()
    try:
        _start(page, live_server)
        expect(page.locator(".key-hint")).to_be_hidden()
        expect(page.locator(".options .key").first).to_be_hidden()
        page.locator(".options label").first.tap()
        expect(page.locator(".feedback")).to_be_visible()
    finally:
        context.close()


def test_without_javascript_the_answer_button_stays(page_without_js, live_server, bank):
    page = page_without_js
    _start(page, live_server)
    assert page.locator(".key-hint").is_hidden()
    page.locator(".options label").first.click()
    assert page.locator(".feedback").count() == 0  # choosing alone submits nothing
    page.click("button:text('Answer')")
    page.wait_for_url(re.compile(r"/q/1/$"))
    assert "The answer is" in page.inner_text(".feedback")


def test_the_countdown_moves_to_the_feedback_without_a_reload(page, live_server, bank, monkeypatch):
    # A few seconds instead of twenty: only the reading floor remains.
    monkeypatch.setattr(play, "TIMED_SECONDS", 0.0)
    _start(page, live_server, timed=True)
    expect(page.locator(".timer .countdown")).to_contain_text("s left")
    page.evaluate("window.__sameDocument = true")
    expect(page.locator(".feedback")).to_contain_text(
        "No answer arrived before the deadline", timeout=10_000
    )
    assert page.evaluate("window.__sameDocument") is True  # no reload happened


def test_the_share_button_copies_the_card(browser, live_server, bank):
    context = browser.new_context(permissions=["clipboard-read", "clipboard-write"])
    page = context.new_page()
    try:
        _start(page, live_server)
        for number in range(1, 6):
            page.locator(".options label").first.click()
            page.locator(".feedback").wait_for()
            page.click("text=See your results" if number == 5 else "text=Next question")
            if number < 5:
                page.locator(".progress", has_text=f"Question {number + 1} of 5").wait_for()
        page.wait_for_url(re.compile(r"/results/$"))
        page.click("button:text('Copy')")
        expect(page.locator("[data-copy-status]")).to_have_text("Copied.")
        copied = page.evaluate("navigator.clipboard.readText()")
        assert copied.startswith("HH Quiz · not started · mixed · ") and "/r/" in copied
        assert re.search(r"[🟩🟥]{5}", copied)
        public = copied.rsplit("\n", 1)[1]
        page.goto(public)
        assert "Play today" in page.inner_text("main")
    finally:
        context.close()


def test_daily_page_switches_level_in_place_and_starts(page, live_server, bank, console_problems):
    page.goto(live_server.url + "/daily/")
    page.select_option("#id_daily_watched", "0")
    page.wait_for_url(re.compile(r"/daily/\?watched_through=0$"))  # hx-push-url
    expect(page.locator("#daily-card")).to_contain_text("the same for everyone who has not started")
    page.click("text=Start daily")
    page.wait_for_url(re.compile(r"/quiz/[0-9a-f-]+/q/1/$"))
    assert "Question 1 of 10" in page.inner_text("#question-card")
    page.goto(live_server.url + "/daily/?watched_through=0")
    expect(page.locator("#daily-card")).to_contain_text("You have started today's challenge")
    assert not [p for p in console_problems if "Content Security Policy" in p or "Refused" in p]
