"""On a phone: the nav on one line, Start quiz above the fold, Answer / Next at one place, no key hints, no sideways scroll."""

import re

import pytest
from django.urls import reverse

from quiz import leaderboard
from tests.e2e.journeys import PHONE, answer_current, start_quiz
from tests.factories import FinishedAttemptFactory, PlayerFactory, QuestionFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def bank():
    for level in range(7):
        QuestionFactory.create_batch(3, spoiler_level=level, difficulty="easy")
    QuestionFactory(
        spoiler_level=0,
        difficulty="easy",
        text="A much longer question, to move things about: which of these people, "
        "in the order the series shows them, came back to Dahlonega first and why?",
    )


@pytest.fixture
def phone(browser):
    context = browser.new_context(**PHONE)
    yield context.new_page()
    context.close()


def box(page, selector):
    return page.locator(selector).first.bounding_box()


def test_nav_fits_on_one_line_and_start_is_above_the_fold(phone, live_server, bank):
    phone.goto(live_server.url + "/")
    tops = {
        round(b["y"])
        for b in phone.locator(".site-header li").evaluate_all(
            "els => els.filter(e => e.offsetParent).map(e => e.getBoundingClientRect())"
        )
    }
    assert len(tops) == 1, tops
    start = box(phone, "button:text('Start quiz')")
    assert start["y"] + start["height"] <= 844


def test_answer_and_next_stay_at_one_place_and_no_key_hints(phone, live_server, bank):
    start_quiz(phone, live_server.url, watched="1", length="5")
    places = []
    for number in range(1, 5):
        assert not phone.locator(".key-hint").is_visible()
        assert not phone.locator(".options .key").first.is_visible()
        places.append(round(box(phone, "button:text('Answer')")["y"]))
        answer_current(phone)
        places.append(round(box(phone, "text=Next question")["y"]))
        phone.click("text=Next question")
        phone.wait_for_url(re.compile(rf"/q/{number + 1}/$"))
    assert len(set(places)) == 1, places
    assert places[0] + 44 <= 844  # on screen, not below it


def test_key_hints_on_a_desktop(page, live_server, bank):
    start_quiz(page, live_server.url)
    assert page.locator(".key-hint").is_visible()


def test_no_sideways_scroll_at_320_px(browser, live_server, bank):
    for n in range(5):
        # Long unbreakable names and big numbers: the widest a board gets.
        attempt = FinishedAttemptFactory(
            player=PlayerFactory(display_name=f"Lexysbiggestfannumber{n}xyzab"),
            difficulty="easy",
            watched_through=0,
            length=20,
            score=6000 - n,
            correct_count=20,
            seconds=1234.567,
        )
        leaderboard.attempt_changed(attempt)
    context = browser.new_context(
        viewport={"width": 320, "height": 640}, has_touch=True, is_mobile=True
    )
    page = context.new_page()
    try:
        wide = {}
        for path in [
            "/",
            reverse("quiz:leaderboard") + "?length=20&difficulty=easy&watched=0",
            reverse("quiz:about_scoring"),
            reverse("signup"),
        ]:
            page.goto(live_server.url + path)
            wide[path] = page.evaluate("document.documentElement.scrollWidth")
            if path == reverse("quiz:leaderboard"):
                assert page.locator("td", has_text="Lexysbiggestfannumber0").count() == 1
        start_quiz(page, live_server.url, watched="1")
        wide["question"] = page.evaluate("document.documentElement.scrollWidth")
        answer_current(page)
        wide["feedback"] = page.evaluate("document.documentElement.scrollWidth")
    finally:
        context.close()
    assert all(width <= 320 for width in wide.values()), wide
