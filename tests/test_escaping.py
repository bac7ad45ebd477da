"""Question text, options, explanations and display names render inert everywhere."""

import re

import pytest
from django.urls import reverse

from tests.factories import PlayerFactory, QuestionFactory, QuizAttemptFactory
from tests.playing import answer_all, latest_attempt, question_url, start

pytestmark = pytest.mark.django_db

HOSTILE = '<script>alert(1)</script><a hx-get="/admin/" hx-trigger="load">x</a>'


def assert_inert(html: str):
    assert "<script>alert(1)</script>" not in html
    assert '<a hx-get="/admin/"' not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def assert_inside_hx_disable(html: str):
    """Every piece of question content sits inside an hx-disable region."""
    regions = re.findall(r"<div[^>]*\bhx-disable\b[^>]*>(.*?)</div>", html, flags=re.S)
    inside = sum(region.count("&lt;script&gt;") for region in regions)
    assert inside == html.count("&lt;script&gt;") > 0


@pytest.fixture
def hostile_bank():
    for n in range(5):
        QuestionFactory(
            text=f"{HOSTILE} question {n}?",
            explanation=f"{HOSTILE} explanation {n}",
            options=[f"{HOSTILE} right {n}", f"{HOSTILE} wrong {n}", f"wrong {n}", f"other {n}"],
        )


def test_question_page_and_feedback_escape_everything(client, hostile_bank):
    start(client)
    attempt = latest_attempt()
    for headers in ({}, {"HX-Request": "true"}):
        html = client.get(question_url(attempt, 1), headers=headers).content.decode()
        assert_inert(html)
        assert_inside_hx_disable(html)
    item = attempt.items.get(position=0)
    html = client.post(
        question_url(attempt, 1), {"option": item.correct_key}, headers={"HX-Request": "true"}
    ).content.decode()
    assert_inert(html)
    assert_inside_hx_disable(html)


def test_results_page_escapes_everything(client, hostile_bank):
    start(client)
    attempt = answer_all(client, latest_attempt())
    html = client.get(reverse("quiz:results", args=[attempt.public_id])).content.decode()
    assert_inert(html)


def test_display_names_escaped_on_profile_and_leaderboard(client):
    player = PlayerFactory(display_name=HOSTILE[:30])
    QuizAttemptFactory(player=player, finished=True)
    from quiz import leaderboard

    leaderboard.rebuild()
    client.force_login(player.user)
    board = reverse("quiz:leaderboard") + "?length=5&difficulty=easy&watched=6"
    for url in (reverse("profile"), board):
        html = client.get(url).content.decode()
        assert "<script>alert(1)</scr" not in html
        assert "&lt;script&gt;alert(1)&lt;/scr" in html
