"""The /leaderboard/ page: full page and htmx partial, filters, escaping, query budget."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from quiz import leaderboard
from tests.factories import FinishedAttemptFactory, PlayerFactory

pytestmark = pytest.mark.django_db

URL = "/leaderboard/"
HTMX = {"HX-Request": "true"}
# The board a viewer with no remembered choices sees: 10 questions, untimed,
# mixed difficulty, the whole series watched.
DEFAULT_FORMAT = {"length": 10, "difficulty": "mixed", "watched_through": 6, "timed": False}


def play(player, score=500, seconds=60.0, **fields):
    """A finished quiz in the page's default format unless told otherwise."""
    fields = {**DEFAULT_FORMAT, **fields}
    attempt = FinishedAttemptFactory(
        player=player,
        score=score,
        seconds=seconds,
        finished_at=timezone.now() - timedelta(minutes=5),
        **fields,
    )
    leaderboard.attempt_changed(attempt)
    return attempt


def rows(html: str) -> list[str]:
    """The player names in the table rows, in order."""
    return re.findall(r"<tr[^>]*><td class=\"num\">\d+</td><td>(.*?)</td>", html)


def test_url_name_and_nav_link(client):
    assert reverse("quiz:leaderboard") == URL
    html = client.get("/").content.decode()
    assert f'href="{URL}"' in html


def test_plain_get_returns_the_full_page_with_filters_and_rules(client, backend):
    play(PlayerFactory(display_name="Anna"), score=900)
    play(PlayerFactory(display_name="Jack"), score=300)

    response = client.get(URL)

    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" in html
    assert rows(html) == ["Anna", "Jack"]
    assert '<form class="filters" method="get" action="/leaderboard/"' in html
    assert 'hx-get="/leaderboard/"' in html and 'hx-push-url="true"' in html
    assert 'hx-target="#board"' in html and 'hx-trigger="change' in html
    assert "share a rank" in html and "UTC" in html
    assert response.headers["Vary"].count("HX-Request") == 1


def test_htmx_request_gets_only_the_board_partial(client, backend):
    play(PlayerFactory(display_name="Anna"), score=900, difficulty="hard", watched_through=2)
    play(PlayerFactory(display_name="Easy"), score=950, difficulty="easy")

    response = client.get(URL, {"difficulty": "hard", "watched": "2"}, headers=HTMX)

    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html and "<form" not in html
    assert html.lstrip().startswith('<div id="board"')
    assert rows(html) == ["Anna"]
    assert "Vary" in response.headers and "HX-Request" in response.headers["Vary"]


def test_history_restore_request_gets_the_full_page(client):
    response = client.get(URL, headers={**HTMX, "HX-History-Restore-Request": "true"})
    assert "<html" in response.content.decode()


@pytest.mark.parametrize(
    "params",
    [
        {"period": "month"},
        {"difficulty": "<script>"},
        {"difficulty": "all"},
        {"watched": "9"},
        {"watched": "two"},
        {"watched": "all"},
        {"length": "15"},
        {"length": "ten"},
        {"timed": "yes"},
    ],
)
def test_bad_filters_answer_400_with_a_message(client, params):
    response = client.get(URL, params)

    html = response.content.decode()
    assert response.status_code == 400
    assert "That leaderboard does not exist" in html
    assert "Unknown" in html
    assert "<script>" not in html


def test_bad_filters_in_an_htmx_request_answer_400_partial(client):
    response = client.get(URL, {"period": "month"}, headers=HTMX)
    assert response.status_code == 400
    assert "<html" not in response.content.decode()
    assert "Unknown period" in response.content.decode()


def test_post_is_not_allowed(client):
    assert client.post(URL).status_code == 405


def test_filters_are_kept_in_the_form(client):
    html = client.get(
        URL, {"period": "week", "difficulty": "medium", "watched": "4"}
    ).content.decode()
    assert '<option value="week" selected>' in html
    assert '<option value="medium" selected>' in html
    assert '<option value="4" selected>' in html
    assert "This week · 10 questions · Untimed · Medium · Episode 4" in html


@pytest.mark.parametrize("name", ["<script>alert(1)</script>", '"><b hx-get="/x">x</b>'])
def test_hostile_display_names_are_rendered_inert(client, backend, name):
    play(PlayerFactory(display_name=name[:30]), score=900)

    html = client.get(URL).content.decode()

    assert "<script>alert(1)</script>" not in html
    assert 'hx-get="/x"' not in html
    assert "&lt;" in html
    board = html[html.index('<div id="board"') :]
    assert board.index("<div hx-disable>") < board.index("&lt;")


def test_hidden_display_name_is_not_shown(client, backend):
    play(PlayerFactory(display_name="Offensive", display_name_hidden=True), score=900)

    html = client.get(URL).content.decode()
    assert "Offensive" not in html
    assert rows(html) == ["Hidden player"]


def test_signed_in_player_sees_own_rank_and_neighbours_outside_the_top(client, backend):
    players = [PlayerFactory(display_name=f"P{i:02d}") for i in range(1, 56)]
    for i, player in enumerate(players, start=1):
        play(player, score=1000 - i)
    me = players[52]
    client.force_login(me.user)

    html = client.get(URL).content.decode()

    assert "You are <strong>#53</strong>" in html
    assert '<caption class="muted">Your rank and the players around you</caption>' in html
    assert '<caption class="muted">Top 50</caption>' in html
    assert rows(html)[:5] == ["P51", "P52", "P53", "P54", "P55"]
    assert len(rows(html)) == 55  # 5 around me + the top 50
    assert re.search(
        r'<tr class="me" aria-current="true"><td class="num">53</td><td>P53</td>', html
    )


def test_signed_in_player_in_the_top_is_highlighted(client, backend):
    me = PlayerFactory(display_name="Me")
    play(me, score=900)
    play(PlayerFactory(display_name="Other"), score=100)
    client.force_login(me.user)

    html = client.get(URL).content.decode()

    assert "You are <strong>#1</strong>" in html
    assert rows(html) == ["Me", "Other"]


def test_signed_in_player_without_a_quiz_is_told_so(client, backend):
    client.force_login(PlayerFactory().user)
    html = client.get(URL, {"period": "today"}).content.decode()
    assert "You have no quiz on this board yet" in html


def test_empty_board_invites_to_play(client, backend):
    html = client.get(URL).content.decode()
    assert "Nobody has finished a quiz on this board yet" in html


def test_query_budget_for_a_signed_in_player(client, backend, django_assert_max_num_queries):
    """Session, user and player lookups, then the board: Redis 4 in all, the rank table 8."""
    players = [PlayerFactory() for _ in range(60)]
    for i, player in enumerate(players):
        play(player, score=1000 - i)
    client.force_login(players[57].user)
    client.get(URL)  # the first request stamps the session (last seen)

    with django_assert_max_num_queries(4 if backend == "redis" else 8):
        response = client.get(URL, headers=HTMX)
    assert len(rows(response.content.decode())) == 55


def test_query_budget_for_a_visitor(client, backend, django_assert_max_num_queries):
    for i in range(3):
        play(PlayerFactory(), score=100 * i)
    client.get(URL)  # with Redis, the first read copies the boards into it

    with django_assert_max_num_queries(1):
        response = client.get(URL)
    assert len(rows(response.content.decode())) == 3
