"""A whole quiz with the keyboard alone; focus, title and the live region follow every swap."""

import re

import pytest
from playwright.sync_api import expect

from tests.factories import QuestionFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def bank():
    for level in range(7):
        QuestionFactory.create_batch(3, spoiler_level=level, difficulty="easy")


def focused(page) -> str:
    return page.evaluate(
        "() => { const e = document.activeElement; return e.tagName + '#' + e.id + '.' + e.className"
        " + '|' + (e.getAttribute('name') || '') + '|' + e.textContent.trim().slice(0, 40); }"
    )


def tab_to(page, predicate, limit=25) -> int:
    """Press Tab until the focused element matches; how many presses it took."""
    for presses in range(1, limit + 1):
        page.keyboard.press("Tab")
        if predicate(focused(page)):
            return presses
    raise AssertionError(f"not reached in {limit} Tabs; focus is on {focused(page)}")


def test_play_a_whole_quiz_with_the_keyboard_only(page, live_server, bank):
    page.goto(live_server.url + "/")
    tab_to(page, lambda f: f.startswith("SELECT#id_watched_through"))
    page.keyboard.press("ArrowDown")  # Episode 1
    page.keyboard.press("ArrowDown")  # Episode 2
    tab_to(page, lambda f: "|difficulty|" in f)
    page.keyboard.press("ArrowLeft")  # from Mixed back to Hard, Medium, Easy
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowLeft")
    assert page.locator("input[name=difficulty][value=easy]").is_checked()
    tab_to(page, lambda f: "|length|" in f)
    page.keyboard.press("ArrowLeft")  # 10 -> 5
    assert page.locator("input[name=length][value='5']").is_checked()
    tab_to(page, lambda f: f.startswith("BUTTON") and "Start quiz" in f)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/q/1/$"))

    for number in range(1, 6):
        expect(page).to_have_title(f"Question {number} of 5 · HH Quiz")
        if number > 1:
            # The new question has the focus and was announced; one Tab reaches the options.
            expect(page.locator("#question-heading")).to_be_focused()
            expect(page.locator("#announcer")).to_have_text(
                re.compile(rf"^Question {number} of 5: \S")
            )
            assert tab_to(page, lambda f: f.startswith("INPUT#") and "|option|" in f, limit=1) == 1
        else:
            tab_to(page, lambda f: f.startswith("INPUT#") and "|option|" in f)
        page.keyboard.press("Space")
        page.keyboard.press("Enter")  # submits the form
        expect(page.locator(".feedback")).to_be_focused()
        expect(page.locator("#announcer")).to_have_text(
            re.compile(r"^(Correct!|Not quite\.) .*Points: \d+")
        )
        label = "See your results" if number == 5 else "Next question"
        assert tab_to(page, lambda f, label=label: f.startswith("A") and label in f, limit=1) == 1
        page.keyboard.press("Enter")
        if number < 5:
            page.wait_for_url(re.compile(rf"/q/{number + 1}/$"))
            page.locator(".progress", has_text=f"Question {number + 1} of 5").wait_for()
    page.wait_for_url(re.compile(r"/results/$"))
    assert "Quiz complete" in page.inner_text("main")
