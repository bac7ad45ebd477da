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


@pytest.fixture
def redis_trips(monkeypatch, settings):
    """The leaderboard's round trips to Redis (commands on its keys): one per command
    outside a pipeline, one per pipeline. Sessions and caches in Redis are not counted."""
    import redis.client

    trips = []
    command, execute = redis.client.Redis.execute_command, redis.client.Pipeline.execute

    def ours(*args) -> bool:
        prefix = settings.LEADERBOARD_REDIS_PREFIX
        return any(isinstance(arg, str) and arg.startswith(prefix) for arg in args)

    def counted_command(self, *args, **options):
        if ours(*args):
            trips.append(args[0])
        return command(self, *args, **options)

    def counted_execute(self, *args, **options):
        if any(ours(*c[0]) for c in self.command_stack):
            trips.append(("pipeline", *(c[0][0] for c in self.command_stack)))
        return execute(self, *args, **options)

    monkeypatch.setattr(redis.client.Redis, "execute_command", counted_command)
    monkeypatch.setattr(redis.client.Pipeline, "execute", counted_execute)
    return trips


def session_queries() -> int:
    """The session's read: from its table, or none when Redis caches sessions."""
    from django.conf import settings

    return 0 if "cached" in settings.SESSION_ENGINE else 1


def sixty_players():
    players = [PlayerFactory() for _ in range(60)]
    for i, player in enumerate(players):
        play(player, score=1000 - i)
    return players


def test_query_budget_for_a_signed_in_player(
    client, backend, django_assert_num_queries, redis_trips
):
    """Session, then the user with their player (one query), then the board: with
    Redis the top and the player's rows in two round trips, and one query for the
    names; with the rank table the top, then the rows around the player and one
    count for their ranks."""
    players = sixty_players()
    client.force_login(players[57].user)
    client.get(URL)  # the first request stamps the session (last seen)
    redis_trips.clear()

    with django_assert_num_queries(session_queries() + (2 if backend == "redis" else 4)):
        response = client.get(URL, headers=HTMX)
    assert len(rows(response.content.decode())) == 55
    assert len(redis_trips) == (2 if backend == "redis" else 0), redis_trips


@pytest.mark.parametrize("rank", [4, 50])
def test_query_budget_for_a_signed_in_player_in_the_top(
    client, backend, django_assert_num_queries, redis_trips, rank
):
    """A player among the top rows needs no read of their own, even at the bottom
    of them (the page shows their rank, not their neighbours)."""
    players = sixty_players()
    client.force_login(players[rank - 1].user)
    client.get(URL)
    redis_trips.clear()

    # Session, user and player, then the top (with Redis: the names).
    with django_assert_num_queries(session_queries() + 2):
        response = client.get(URL, headers=HTMX)
    html = response.content.decode()
    assert len(rows(html)) == 50
    assert f"You are <strong>#{rank}</strong>" in html
    assert len(redis_trips) == (1 if backend == "redis" else 0), redis_trips


def test_query_budget_for_a_visitor(client, backend, django_assert_num_queries, redis_trips):
    for i in range(3):
        play(PlayerFactory(), score=100 * i)
    client.get(URL)  # with Redis, the first read copies the boards into it
    redis_trips.clear()

    with django_assert_num_queries(1):  # the top (with Redis: the names)
        response = client.get(URL)
    assert len(rows(response.content.decode())) == 3
    assert len(redis_trips) == (1 if backend == "redis" else 0), redis_trips


@pytest.mark.parametrize("seed", range(3))
def test_table_cells_are_what_the_template_filters_wrote(seed):
    """table_rows formats the cells once in Python: exactly as {% widthratio %} and
    floatformat:1 did, rounding halves up from the shortest decimal form."""
    import random

    from django.template import Context, Template
    from django.template.defaultfilters import floatformat

    from quiz.views.leaderboard import one_decimal, table_rows

    rng = random.Random(seed)
    values = [0.0, 0.05, 0.15, 0.25, 0.45, 2.675, 12.25, 99.95, 1234.45, 1e-7, 4294967.295]
    values += [-0.0, -0.04, -0.05, -1.25, 0.94, 0.95, 9.96, 1e-4, 5e-5, 1e15 + 0.5, 1e16, 2.5e22]
    values += [rng.uniform(0, 1) * 10.0 ** rng.randint(-6, 18) for _ in range(300)]
    values += [round(rng.uniform(0, 500), rng.choice([1, 2, 3, 6])) for _ in range(300)]
    values += [rng.uniform(0, 5000) for _ in range(300)]
    for value in values:
        assert one_decimal(value) == floatformat(value, 1), value
    ratio = Template("{% widthratio value 1 100 %}")
    for correct, length in [(0, 5), (1, 3), (2, 3), (5, 5), (7, 20), (1, 8), (3, 8), (0, 0)]:
        accuracy = correct / length if length else 0.0
        cells = (3, 42, "<b>Me</b>", 1234, correct, length, 61.25)  # a quiz.leaderboard.Page row
        (row,) = table_rows([cells], 42)
        assert row["percent"] == ratio.render(Context({"value": accuracy}))
        assert row == {
            "me": True,
            "rank": "3",
            "name": "<b>Me</b>",  # escaped by the template, as every name
            "score": "1234",
            "percent": row["percent"],
            "seconds": "61.3",
        }
        assert table_rows([cells], 7)[0]["me"] is False
        assert table_rows([cells], None)[0]["me"] is False


def test_a_user_without_a_player_sees_the_board_and_gets_no_player(
    client, django_assert_num_queries
):
    """The player comes with the user (quiz.auth.PlayerBackend): a user who has
    none yet (made by createsuperuser) sees the board, and a GET creates none."""
    from quiz.models import Player
    from tests.factories import UserFactory

    play(PlayerFactory(display_name="Anna"), score=900)
    user = UserFactory()
    client.force_login(user)
    client.get(URL)

    # Session, user (with no player), the top.
    with django_assert_num_queries(session_queries() + 2):
        html = client.get(URL).content.decode()
    assert "You are <strong>" not in html
    assert rows(html) == ["Anna"]
    assert not Player.objects.filter(user=user).exists()


def test_the_filters_default_to_the_signed_in_players_last_choices(client):
    me = PlayerFactory(watched_through=3, difficulty="hard", quiz_length=20)
    client.force_login(me.user)

    html = client.get(URL).content.decode()

    assert "20 questions · Untimed · Hard" in html
    me.refresh_from_db()
    assert (me.watched_through, me.difficulty, me.quiz_length) == (3, "hard", 20)


def test_invalid_filters_show_their_own_choices_every_time(client):
    """The filters' HTML is memoized only for valid choices: two invalid queries
    that differ in a valid filter each show theirs."""
    for difficulty in ("hard", "easy", "hard"):
        response = client.get(URL, {"length": "99", "difficulty": difficulty})
        assert response.status_code == 400
        html = response.content.decode()
        assert f'<option value="{difficulty}" selected>' in html
        assert "Unknown quiz length “99”" in html


@pytest.mark.parametrize(
    "query",
    [
        {},
        {"period": "week", "length": "20", "difficulty": "hard", "watched": "0", "timed": "1"},
        {"period": "today", "length": "5", "timed": "0"},
        {"period": "month"},
        {"length": "15"},
        {"length": "10 "},
        {"difficulty": "HARD"},
        {"watched": "7"},
        {"watched": "-1"},
        {"timed": "true"},
        {"timed": ""},
        {"length": ""},
    ],
)
@pytest.mark.parametrize(
    "defaults",
    [
        {},
        {"watched": 3, "difficulty": "easy", "length": 20},
        {"watched": None, "difficulty": "", "length": 15},
        {"watched": "9", "difficulty": "mixed", "length": "5"},
    ],
)
def test_valid_board_agrees_with_the_form(query, defaults):
    """The view's form-free path gives the board and memo key the form gives, and
    None exactly when the form is invalid."""
    from django.http import QueryDict

    from quiz.forms import BoardForm

    data = QueryDict(mutable=True)
    data.update(query)
    form = BoardForm(data, defaults=defaults)
    fast = BoardForm.valid_board(data, defaults=defaults)
    if form.is_valid():
        assert fast == (form.board(), form.memo_key)
    else:
        assert fast is None


def test_valid_board_keeps_only_valid_choices():
    """valid_board remembers its answers for valid choices only, so its memory is
    bounded by the filters' choices however many invalid queries come in; a
    remembered answer is the one the form gives."""
    from django.http import QueryDict

    from quiz.forms import BoardForm

    choices = 3 * 3 * 4 * 7 * 2  # period, length, difficulty, watched level, clock
    for i in range(2 * choices):
        assert BoardForm.valid_board(QueryDict(f"length={i + 21}&difficulty=x{i}")) is None
    assert len(BoardForm._valid) <= choices
    data = QueryDict("period=week&length=5&difficulty=hard&watched=2&timed=1")
    first, again = BoardForm.valid_board(data), BoardForm.valid_board(data)
    form = BoardForm(data)
    assert form.is_valid()
    assert first == again == (form.board(), form.memo_key)
