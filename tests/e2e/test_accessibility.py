"""axe-core on every player page: 0 critical and 0 serious violations, light and dark, desktop and phone."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from quiz import leaderboard
from tests.e2e.axe import violations
from tests.e2e.journeys import DESKTOP, PHONE, answer_current, start_quiz
from tests.factories import CategoryFactory, FinishedAttemptFactory, PlayerFactory, QuestionFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
# The board of the quizzes in the bank fixture.
BOARD_QUERY = "?length=5&difficulty=easy&watched=3"

VIEWPORTS = {"desktop": DESKTOP, "phone": PHONE}


@pytest.fixture
def bank():
    CategoryFactory(slug="cast", name="Cast")
    for level in range(7):
        QuestionFactory.create_batch(3, spoiler_level=level, difficulty="easy")
    # Someone on the board (5 questions, easy, episode 3), so the leaderboard shows its table.
    for attempt in FinishedAttemptFactory.create_batch(2, difficulty="easy", watched_through=3):
        leaderboard.attempt_changed(attempt)


def check(page, where, problems):
    for v in violations(page):
        problems.append(f"{where}: {v['impact']} {v['id']} ({v['help']}): {v['nodes']}")


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_player_pages_have_no_serious_violations(browser, live_server, bank, scheme, device):
    context = browser.new_context(color_scheme=scheme, **VIEWPORTS[device])
    page = context.new_page()
    problems = []
    url = live_server.url
    try:
        page.goto(url + "/")
        check(page, "home", problems)
        start_quiz(page, url, length="5")
        check(page, "question", problems)
        for number in range(1, 6):
            answer_current(page)
            if number == 1:
                page.click("summary")  # the report form is part of the feedback
                check(page, "feedback", problems)
            page.click("text=See your results" if number == 5 else "text=Next question")
            if number < 5:
                page.wait_for_url(re.compile(rf"/q/{number + 1}/$"))
        page.wait_for_url(re.compile(r"/results/$"))
        check(page, "results", problems)
        for name, path in [
            ("leaderboard", reverse("quiz:leaderboard") + BOARD_QUERY),
            ("about", reverse("quiz:about_scoring")),
            ("sign-up", reverse("signup")),
            ("log-in", reverse("login")),
        ]:
            page.goto(url + path)
            check(page, name, problems)
        # Sign-up with errors, then for real; the profile of a player who has played.
        page.goto(url + reverse("signup"))
        page.fill("#id_username", "x")
        page.click("button:text('Create account')")
        check(page, "sign-up with errors", problems)
        player = PlayerFactory(display_name=f"Axe {scheme} {device}")
        player.user.set_password("a long enough passphrase 42")
        player.user.save()
        page.goto(url + reverse("login"))
        page.fill("#id_username", player.user.username)
        page.fill("#id_password", "a long enough passphrase 42")
        page.click("main button:text('Log in')")
        page.goto(url + reverse("profile"))
        check(page, "profile", problems)
        page.goto(url + reverse("quiz:leaderboard") + BOARD_QUERY)
        check(page, "leaderboard (signed in)", problems)
    finally:
        context.close()
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_the_chosen_theme_overrides_the_system_and_passes_too(browser, live_server, bank, theme):
    """The manual toggle: a dark system with the light theme chosen, and the reverse."""
    context = browser.new_context(color_scheme="dark" if theme == "light" else "light")
    page = context.new_page()
    try:
        page.goto(live_server.url + "/")
        # quiz.js applies it at once and remembers it with the form's POST in the
        # background: reload only once the server has answered that POST (its cookie).
        with page.expect_response(
            lambda r: r.request.method == "POST" and r.url.endswith("/theme/")
        ):
            page.click(f"footer button[value={theme}]")
        expect(page.locator("html")).to_have_attribute("data-theme", theme)
        page.reload()  # remembered by the server, not by the script
        assert page.evaluate("document.documentElement.dataset.theme") == theme
        problems = []
        check(page, f"home ({theme} chosen)", problems)
        start_quiz(page, live_server.url, length="5")
        answer_current(page)
        check(page, f"feedback ({theme} chosen)", problems)
    finally:
        context.close()
    assert not problems, "\n".join(problems)


def test_the_harness_sees_a_violation(page):
    """A page with grey-on-grey text and an unlabelled input fails: the check can fail."""
    page.set_content(
        "<html lang=en><title>t</title><main><p style='color:#777;background:#888'>faint</p>"
        "<input type=text></main></html>"
    )
    found = {v["id"] for v in violations(page)}
    assert {"color-contrast", "label"} <= found


def test_admin_question_form_has_no_critical_violations(page, live_server, admin_user):
    CategoryFactory(slug="cast", name="Cast")
    page.goto(live_server.url + reverse("admin:login"))
    page.fill("#id_username", admin_user.username)
    page.fill("#id_password", "password")
    page.click("input[type=submit]")
    page.goto(live_server.url + reverse("admin:quiz_question_add"))
    assert page.locator("#options-group input[name$='-text']").count() >= 2  # and the template row
    critical = violations(page, impacts=("critical",))
    assert not critical, critical


def test_descriptions_reach_the_fields(page, live_server, bank):
    """What axe cannot see: the spoiler promise and the password rules are the fields' descriptions."""
    page.goto(live_server.url + "/")
    expect(page.locator("#id_watched_through")).to_have_accessible_description(
        re.compile(r"^Nothing from a later episode will reach you")
    )
    page.goto(live_server.url + reverse("signup"))
    expect(page.locator("#id_password1")).to_have_accessible_description(
        re.compile(r"Your password must contain at least \d+ characters")
    )
