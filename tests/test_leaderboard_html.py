"""The leaderboard page's HTML, byte for byte, against files recorded from the page.

Each case sets up a board (hostile, hidden and non-ASCII names, shared ranks,
times and accuracies that round at a half, a viewer in and out of the top 50),
requests the page as a visitor, a player or a user without a player, in full
and as the htmx partial, with valid and invalid filters, and compares the
leaderboard's part of the response with tests/data/leaderboard_html/<case>.html:
the whole response for a partial, from the leaderboard's <section> to </main>
for a full page (the rest is base.html's). Both backends must give the same bytes.

The files were recorded before the page's rows were memoised (speed-board) and
pin what the page showed then. To record them again after a deliberate change
to the page: LEADERBOARD_HTML_RECORD=1 pytest tests/test_leaderboard_html.py,
then read the diff.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from quiz import leaderboard
from tests.factories import FinishedAttemptFactory, PlayerFactory, UserFactory

pytestmark = pytest.mark.django_db

URL = "/leaderboard/"
HTMX = {"HX-Request": "true"}
DATA = Path(__file__).parent / "data" / "leaderboard_html"
RECORD = os.environ.get("LEADERBOARD_HTML_RECORD") == "1"
DEFAULT_FORMAT = {"length": 10, "difficulty": "mixed", "watched_through": 6, "timed": False}

HOSTILE = [
    "<script>alert(1)</script>",
    '"><b hx-get="/x">x</b>',
    'Tom & Jerry\'s "pub"',
    "{{ 7*7 }} {% x %}",
    "Zoë 💥 <i>",
]


def play(player, score, seconds, correct=7, minutes_ago=5, **fields):
    fields = {**DEFAULT_FORMAT, **fields}
    attempt = FinishedAttemptFactory(
        player=player,
        score=score,
        seconds=seconds,
        correct_count=correct,
        finished_at=timezone.now() - timedelta(minutes=minutes_ago),
        **fields,
    )
    leaderboard.attempt_changed(attempt)
    return attempt


def mixed_board() -> dict:
    """Twelve players: hostile and hidden names, ties, half-way roundings; returns them by name."""
    players = {}
    specs = [
        # name, score, seconds, correct, minutes ago
        (HOSTILE[0], 990, 61.25, 10, 50),
        (HOSTILE[1], 990, 61.25, 9, 40),  # tied with the first, finished later
        ("Anna", 990, 61.2501, 9, 30),
        (HOSTILE[2], 800, 0.05, 8, 20),
        ("Hidden", 800, 12.25, 1, 20),
        (HOSTILE[3], 700, 99.95, 3, 10),
        ("Jack", 700, 99.95, 3, 10),  # same score, time and finish: by player id
        (HOSTILE[4], 650, 1234.45, 0, 9),
        ("Slow", 600, 4294967.295, 7, 8),
        ("Zero", 0, 0.0, 0, 7),
        ("Third", 500, 2.675, 5, 6),
        ("Eighth", 400, 0.45, 8, 6),
    ]
    for name, score, seconds, correct, ago in specs:
        player = PlayerFactory(display_name=name[:30], display_name_hidden=name == "Hidden")
        play(player, score, seconds, correct, minutes_ago=ago)
        players[name] = player
    # A result on another format, and a worse one of Anna's: neither shows.
    play(PlayerFactory(display_name="Elsewhere"), 999, 1.0, difficulty="hard")
    play(players["Anna"], 10, 500.0)
    return players


def long_board() -> dict:
    """55 players, #50 and #51 tied: the top 50 and the rows around a player below it."""
    players = {}
    for i in range(1, 56):
        score = 1000 - i if i != 51 else 1000 - 50
        player = PlayerFactory(display_name=f"P{i:02d} <{i}>")
        play(player, score, 30.0 + i / 8, correct=i % 11)
        players[i] = player
    return players


def part(response) -> str:
    html = response.content.decode()
    if "<html" not in html:
        return html
    start = html.index('<section class="card" aria-labelledby="leaderboard-heading">')
    return html[start : html.index("</main>")]


def check(case: str, response, status=200):
    """Recording writes the database backend's HTML; the Redis backend's is compared with it."""
    assert response.status_code == status
    got = part(response)
    path = DATA / f"{case}.html"
    if RECORD and settings.LEADERBOARD_BACKEND == "database":
        DATA.mkdir(parents=True, exist_ok=True)
        path.write_text(got)
    assert got == path.read_text(), case


def cases(client, prefix: str, query=None):
    check(f"{prefix}-full", client.get(URL, query or {}))
    check(f"{prefix}-htmx", client.get(URL, query or {}, headers=HTMX))


def test_mixed_board_as_a_visitor(client, backend):
    mixed_board()
    cases(client, "mixed-visitor")


def test_mixed_board_as_players_in_the_top(client, backend):
    players = mixed_board()
    for name in ("Anna", HOSTILE[1], "Hidden", "Jack", "Eighth"):
        client.force_login(players[name].user)
        case = "mixed-" + "".join(c for c in name.lower() if c.isalnum())[:12]
        cases(client, case)
        client.logout()


def test_mixed_board_as_a_player_not_on_it_and_a_user_without_a_player(client, backend):
    mixed_board()
    client.force_login(PlayerFactory(display_name="Newcomer").user)
    cases(client, "mixed-newcomer")
    client.logout()
    client.force_login(UserFactory())
    cases(client, "mixed-no-player")


@pytest.mark.parametrize("rank", [1, 3, 48, 49, 50, 51, 53, 55])
def test_long_board_as_a_player(client, backend, rank):
    players = long_board()
    client.force_login(players[rank].user)
    cases(client, f"long-rank{rank}")


def test_long_board_as_a_visitor(client, backend):
    long_board()
    cases(client, "long-visitor")


def test_empty_boards(client, backend):
    mixed_board()
    cases(client, "empty-visitor", {"period": "today", "length": "5"})
    client.force_login(PlayerFactory().user)
    cases(client, "empty-player", {"period": "week", "timed": "1"})


def test_other_filters_and_a_players_last_choices(client, backend):
    players = mixed_board()
    play(players["Jack"], 300, 45.5, correct=12, length=20, difficulty="hard", watched_through=0)
    play(players["Zero"], 350, 45.5, correct=20, length=20, difficulty="hard", watched_through=0)
    query = {"period": "all", "length": "20", "difficulty": "hard", "watched": "0"}
    cases(client, "filters-visitor", query)
    me = PlayerFactory(display_name="Me", watched_through=0, difficulty="hard", quiz_length=20)
    play(me, 350, 45.5, correct=20, length=20, difficulty="hard", watched_through=0)
    client.force_login(me.user)
    cases(client, "filters-last-choices")


@pytest.mark.parametrize(
    ("case", "query"),
    [
        ("invalid-length", {"length": "15", "difficulty": "hard"}),
        ("invalid-many", {"period": "month", "difficulty": "<script>", "timed": "yes"}),
    ],
)
def test_invalid_filters(client, backend, case, query):
    mixed_board()
    check(f"{case}-full", client.get(URL, query), status=400)
    check(f"{case}-htmx", client.get(URL, query, headers=HTMX), status=400)
