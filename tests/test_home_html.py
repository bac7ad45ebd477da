"""The home page's HTML, byte for byte, for fixed data: signed in, anonymous, htmx,
query parameters, two banks, and the bound forms' pages (400, pool too small).

The golden files in tests/data/home_html/ were written by the code before the
home page was made cheaper (issue 17), so any change to what it sends shows up
here. Only the home template's own part of the page is compared (base.html is
not this page's), with the per-request values replaced: the CSRF token, quiz
ids in links, the daily number and the banks' primary keys. Each page is asked
for twice: the second answer comes from the memoised fragments.

After an intended change of the page: REGENERATE_HOME_HTML=1 pytest tests/test_home_html.py,
then read the diff of tests/data/home_html/ before committing it.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from django.urls import reverse

from quiz import templating
from quiz.models import Bank, QuizAttempt
from tests.factories import BankFactory, CategoryFactory, PlayerFactory, QuestionFactory
from tests.playing import start

pytestmark = pytest.mark.django_db

GOLDEN = Path(__file__).parent / "data" / "home_html"
REGENERATE = os.environ.get("REGENERATE_HOME_HTML") == "1"


@pytest.fixture(autouse=True)
def cold_memo(monkeypatch):
    """Each test's first page renders every fragment (another test may have memoised one)."""
    monkeypatch.setattr(templating, "_memo", {})


@pytest.fixture
def questions():
    CategoryFactory(slug="cast", name="Cast")
    CategoryFactory(slug="murders", name="The murders")
    QuestionFactory.create_batch(12, category="cast", spoiler_level=0, difficulty="easy")
    QuestionFactory.create_batch(6, category="murders", spoiler_level=3, difficulty="easy")
    QuestionFactory.create_batch(5, category="music", spoiler_level=0, difficulty="hard")
    QuestionFactory.create_batch(3, category="", spoiler_level=1, difficulty="medium")


def fragment(html: str) -> str:
    """The home template's content block (or the whole htmx partial), normalised."""
    start_at = html.find('<section class="card hero">')
    if start_at != -1:
        html = html[start_at : html.rindex("</section>") + len("</section>")]
    html = re.sub(
        r'name="csrfmiddlewaretoken" value="[^"]+"', 'name="csrfmiddlewaretoken" value="CSRF"', html
    )
    html = re.sub(r"/quiz/[0-9a-f-]{36}/", "/quiz/UUID/", html)
    html = re.sub(r"HH Quiz daily #\d+", "HH Quiz daily #N", html)
    banks = {str(bank.pk): f"BANK{n}" for n, bank in enumerate(Bank.objects.order_by("slug"), 1)}

    def bank_values(select):
        return re.sub(r'value="(\d+)"', lambda m: f'value="{banks[m[1]]}"', select[0])

    html = re.sub(r'<select name="bank".*?</select>', bank_values, html, flags=re.S)
    return re.sub(r'<input type="hidden" name="bank" value="\d+"', bank_values, html)


def check(name: str, response, status: int = 200) -> None:
    assert response.status_code == status, response.content[:500]
    html = fragment(response.content.decode())
    path = GOLDEN / f"{name}.html"
    if REGENERATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(html)
    assert html == path.read_text(), f"{name}: the page differs from {path}"


def twice(name: str, request, status: int = 200) -> None:
    """The page cold and again with its fragments memoised: the same HTML both times."""
    check(name, request(), status)
    check(name, request(), status)


def test_anonymous_without_questions(client):
    twice("anonymous-empty", lambda: client.get("/"))


def test_anonymous_default_choices(client, questions):
    twice("anonymous-default", lambda: client.get("/"))


def test_anonymous_with_query_parameters(client, questions):
    query = {"watched_through": 6, "difficulty": "hard", "length": 5, "category": "music"}
    twice("anonymous-query", lambda: client.get("/", query))
    twice("anonymous-adaptive", lambda: client.get("/", {**query, "adaptive": "on"}))
    twice(
        "anonymous-nonsense",
        lambda: client.get("/", {"watched_through": "x", "length": "7", "bank": "x"}),
    )


def test_anonymous_remembered_choices_and_a_quiz_to_resume(client, questions):
    assert start(client, watched=3, difficulty="easy", length=5).status_code == 302
    twice("anonymous-remembered", lambda: client.get("/"))


def test_signed_in_player_with_remembered_choices_and_quizzes(client, questions):
    player = PlayerFactory(watched_through=2, difficulty="easy", quiz_length=5)
    client.force_login(player.user)
    assert start(client, watched=2, difficulty="easy", length=5).status_code == 302
    assert start(client, watched=6, difficulty="mixed", length=10).status_code == 302
    twice("player", lambda: client.get("/"))
    html = client.get("/").content.decode()
    for attempt in QuizAttempt.objects.filter(player=player.pk):
        assert f'href="{attempt.get_absolute_url()}">Resume: ' in html
        assert f"Resume: {attempt.get_difficulty_display()}, 0 of {attempt.length} " in html


def test_signed_in_finished_viewer(client, questions):
    player = PlayerFactory(watched_through=6, difficulty="mixed", quiz_length=10)
    client.force_login(player.user)
    twice("player-finished", lambda: client.get("/"))


def test_htmx_category_refresh(client, questions):
    headers = {"HX-Request": "true"}
    query = {"watched_through": 3, "difficulty": "easy", "length": 5}
    twice("htmx-category", lambda: client.get("/", query, headers=headers))
    history = {**headers, "HX-History-Restore-Request": "true"}
    twice("htmx-history-restore", lambda: client.get("/", query, headers=history))


def test_two_banks(client, questions):
    other = BankFactory(slug="a-second-bank", name="A second bank")
    QuestionFactory.create_batch(11, bank=other, category="cast", difficulty="hard")
    BankFactory(slug="unpublished", name="Not yet", is_published=False)
    first = Bank.objects.get(slug="his-and-hers")
    twice("two-banks", lambda: client.get("/"))
    twice("two-banks-second", lambda: client.get("/", {"bank": first.pk, "difficulty": "hard"}))
    headers = {"HX-Request": "true"}
    twice("two-banks-htmx", lambda: client.get("/", {"bank": first.pk}, headers=headers))
    data = {"watched_through": 0, "difficulty": "hard", "length": 20, "bank": first.pk}
    twice("two-banks-pool-too-small", lambda: client.post(reverse("quiz:start"), data))


def test_invalid_start_is_refused_with_the_form_and_its_errors(client, questions):
    url = reverse("quiz:start")
    bad = {
        "watched_through": "9",
        "difficulty": "nope",
        "length": "7",
        "category": "x",
        "bank": "999",
    }
    twice("start-invalid", lambda: client.post(url, bad), 400)
    too_small = {"watched_through": 0, "difficulty": "mixed", "length": 10, "category": "music"}
    twice("start-category-too-small", lambda: client.post(url, too_small), 400)


def test_a_pool_too_small_offers_a_shorter_quiz(client, questions):
    url = reverse("quiz:start")
    data = {"watched_through": 0, "difficulty": "hard", "length": 10, "category": "", "timed": "on"}
    twice("start-pool-too-small", lambda: client.post(url, data))
    empty = {"watched_through": 0, "difficulty": "medium", "length": 5, "category": ""}
    twice("start-pool-empty", lambda: client.post(url, empty))


def test_invalid_episode_quiz_is_refused_with_its_error(client, questions):
    url = reverse("quiz:episode_start")
    twice("episode-invalid", lambda: client.post(url, {"episode": "9"}), 400)
