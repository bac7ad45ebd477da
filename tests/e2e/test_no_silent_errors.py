"""In the browser: leaving asks first, errors show in place, categories follow the choices, the theme sticks."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.journeys import answer_current, start_quiz
from tests.factories import CategoryFactory, QuestionFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def bank():
    CategoryFactory(slug="cast", name="Cast")
    CategoryFactory(slug="murders", name="Murders")
    for level in range(7):
        QuestionFactory.create_batch(3, spoiler_level=level, difficulty="easy", category="cast")
    QuestionFactory.create_batch(6, spoiler_level=4, difficulty="easy", category="murders")


def test_leaving_asks_first_without_javascript(page_without_js, live_server, bank):
    page = page_without_js
    start_quiz(page, live_server.url)
    question_url = page.url
    page.click("text=Leave this quiz for good…")
    expect(page.locator("h1")).to_have_text("Leave this quiz for good?")
    page.click("text=Keep playing")
    page.wait_for_url(question_url)
    page.click("text=Leave this quiz for good…")
    page.click("button:text('Leave the quiz')")
    page.wait_for_url(live_server.url + "/")
    assert "Quiz abandoned" in page.inner_text("main")


def test_report_without_a_reason_shows_its_error_in_place(page, live_server, bank):
    start_quiz(page, live_server.url)
    answer_current(page)
    url = page.url
    page.click("summary")
    assert not page.locator("input[name=reason]:checked").count()
    page.click("button:text('Send report')")
    # The browser itself refuses first (the reason is required) ...
    assert page.eval_on_selector("input[name=reason]", "e => !e.validity.valid")
    assert "Thank you" not in page.inner_text("#report")
    # ... and without that check the server's 400 is swapped in with its message.
    page.eval_on_selector(".report-form", "f => { f.noValidate = true; }")
    page.click("button:text('Send report')")
    error = page.locator("#report [role=alert]")
    expect(error).to_have_text("Choose what is wrong with the question.")
    assert page.url == url and page.locator(".feedback").is_visible()  # the page is still there
    page.check("input[name=reason][value=typo]")
    page.click("button:text('Send report')")
    expect(page.locator("#report")).to_contain_text("Thank you")


def test_signing_up_in_another_tab_then_answering_still_works(page, live_server, bank):
    """The page's CSRF token went stale; the answer is sent again with the fresh one."""
    start_quiz(page, live_server.url)
    other = page.context.new_page()
    other.goto(live_server.url + "/accounts/signup/")
    other.fill("#id_username", "tabfan")
    other.fill("#id_display_name", "Tab Fan")
    other.fill("#id_password1", "a long enough passphrase 42")
    other.fill("#id_password2", "a long enough passphrase 42")
    other.click("button:text('Create account')")
    other.wait_for_url(live_server.url + "/")
    other.close()
    statuses = []
    page.on("response", lambda r: statuses.append(r.status) if r.request.method == "POST" else None)
    answer_current(page)
    assert "The answer is" in page.inner_text(".feedback")
    assert statuses == [403, 200]
    assert page.inner_text("#htmx-alert") == ""


def test_a_lost_session_says_what_to_do(page, live_server, bank):
    """No fresh token to be had (the cookies are gone): a clear message with a reload link."""
    start_quiz(page, live_server.url)
    page.context.clear_cookies()
    page.locator(".options label").first.click()  # one tap sends the answer
    alert = page.locator("#htmx-alert")
    expect(alert).to_contain_text("Please try again. This form was out of date")
    assert page.locator("form.question-form").is_visible()  # nothing was swapped away
    expect(alert.locator("a", has_text="Reload the page")).to_have_attribute("href", page.url)


def test_a_server_error_is_reported_not_swallowed(page, live_server, bank):
    start_quiz(page, live_server.url)
    page.route(
        re.compile(r"/q/1/$"),
        lambda route: (
            route.fulfill(status=500, body="<h1>boom</h1>")
            if route.request.method == "POST"
            else route.continue_()
        ),
    )
    page.locator(".options label").first.click()  # one tap sends the answer
    expect(page.locator("#htmx-alert")).to_contain_text(
        "Something went wrong on our side (error 500)"
    )
    assert "boom" not in page.inner_text("main")
    assert page.locator("#htmx-alert a", has_text="Reload the page").count() == 1


def test_categories_follow_the_watched_level(page, live_server, bank):
    page.goto(live_server.url + "/")
    category = page.locator("#id_category")
    page.check("input[name=difficulty][value=easy]")
    page.check("input[name=length][value='5']")
    page.select_option("#id_watched_through", "0")
    expect(category.locator("option")).to_have_text(
        ["Any category (3 questions)"]
    )  # too few for cast
    page.select_option("#id_watched_through", "4")
    expect(category.locator("option")).to_have_text(
        ["Any category (21 questions)", "Cast (15 questions)", "Murders (6 questions)"]
    )
    page.select_option("#id_category", "murders")
    page.check("input[name=length][value='10']")
    expect(category.locator("option")).to_have_text(
        ["Any category (21 questions)", "Cast (15 questions)"]
    )


def test_theme_choice_without_javascript(page_without_js, live_server, bank):
    page = page_without_js
    page.goto(live_server.url + "/leaderboard/")
    page.click("footer button[value=dark]")
    page.wait_for_url(live_server.url + "/leaderboard/")
    assert page.get_attribute("html", "data-theme") == "dark"
    assert page.get_attribute("footer button[value=dark]", "aria-pressed") == "true"


def test_feedback_animates_and_counts_up_unless_motion_is_reduced(browser, live_server, bank):
    for motion, animated in [("no-preference", True), ("reduce", False)]:
        context = browser.new_context(reduced_motion=motion)
        page = context.new_page()
        try:
            start_quiz(page, live_server.url)
            answer_current(page)
            name = page.eval_on_selector(".feedback", "e => getComputedStyle(e).animationName")
            assert (name != "none") is animated, name
            points = page.locator(".feedback .points b")
            expect(page.locator("#announcer")).to_contain_text("Points:")
            final = re.search(r"Points: (\d+)", page.locator("#announcer").inner_text()).group(1)
            expect(points).to_have_text(final)
        finally:
            context.close()
