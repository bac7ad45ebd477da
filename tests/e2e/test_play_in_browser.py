"""Whole quizzes in a real browser: with htmx, and with JavaScript off."""

import re

import pytest
from playwright.sync_api import expect

from tests.factories import QuestionFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def bank():
    for level in range(7):
        QuestionFactory.create_batch(4, spoiler_level=level, difficulty="easy")


def _start(page, live_server, watched="3"):
    page.goto(live_server.url + "/")
    page.select_option("#id_watched_through", watched)
    page.check("input[name=difficulty][value=easy]")
    page.check("input[name=length][value='5']")
    page.click("text=Start quiz")
    page.wait_for_url(re.compile(r"/quiz/[0-9a-f-]+/q/1/$"))


def test_play_whole_quiz_with_htmx(page, live_server, bank, console_problems):
    _start(page, live_server)
    for number in range(1, 6):
        card = page.locator("#question-card")
        assert f"Question {number} of 5" in card.inner_text()
        # Number keys pick options: "2" checks the second radio.
        page.keyboard.press("2")
        assert page.locator("input[name=option]").nth(1).is_checked()
        url_before = page.url
        page.click("button:text('Answer')")
        feedback = page.locator(".feedback")
        feedback.wait_for()
        assert page.url == url_before  # swapped in place by htmx, no navigation
        expect(feedback).to_be_focused()
        assert "The answer is" in feedback.inner_text()
        if number < 5:
            page.click("text=Next question")
            page.wait_for_url(re.compile(rf"/q/{number + 1}/$"))  # hx-push-url
            page.locator(".progress", has_text=f"Question {number + 1} of 5").wait_for()
    page.click("text=See your results")
    page.wait_for_url(re.compile(r"/results/$"))
    assert "Quiz complete" in page.content()
    # A reload of a pushed URL lands on a full page, not a fragment.
    page.go_back()
    page.reload()
    assert "<html" in page.content() and "Question 5 of 5" in page.content()
    assert not [p for p in console_problems if "Content Security Policy" in p or "Refused" in p]


def test_play_whole_quiz_without_javascript(page_without_js, live_server, bank):
    page = page_without_js
    _start(page, live_server, watched="6")
    assert "Content note" in page.content()
    for number in range(1, 6):
        assert f"Question {number} of 5" in page.inner_text("#question-card")
        page.check("input[name=option] >> nth=0")
        page.click("button:text('Answer')")
        page.wait_for_url(re.compile(rf"/q/{number}/$"))
        assert "The answer is" in page.inner_text(".feedback")
        if number < 5:
            page.click("text=Next question")
        else:
            page.click("text=See your results")
    page.wait_for_url(re.compile(r"/results/$"))
    text = page.inner_text("main")
    assert "Quiz complete" in text
    assert "Sign up to save this score" in text
