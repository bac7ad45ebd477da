"""Boards compare like with like: a result ranks only on the boards of its own format
(quiz length, clock, difficulty, watched level, mode), and shortened, one-episode and
adaptive quizzes never rank. Both backends; the results page and the leaderboard page."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from quiz import daily, leaderboard
from quiz.leaderboard import Board
from quiz.models import LeaderboardEntry, QuizAttempt
from tests.factories import FinishedAttemptFactory, PlayerFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 11, 12, 0, tzinfo=UTC)
EASY3 = {"difficulty": "easy", "watched_through": 3}
URL = "/leaderboard/"
HTMX = {"HX-Request": "true"}


def play(name, *, at=NOW - timedelta(hours=1), now=NOW, **fields):
    fields = {"score": 500, "seconds": 60.0, **EASY3, **fields}
    attempt = FinishedAttemptFactory(
        player=PlayerFactory(display_name=name), finished_at=at, **fields
    )
    leaderboard.attempt_changed(attempt, now=now)
    return attempt


def names(period="all", now=NOW, **fields):
    board = Board(period, **{"length": 10, **EASY3, **fields})
    return [e.name for e in leaderboard.top(board, now=now)]


def every_board(now=NOW, **fields):
    """The names on each period's board of one format, from the backend in use."""
    return {period: names(period, now=now, **fields) for period in leaderboard.PERIODS}


def test_a_5_question_result_never_appears_on_a_10_or_20_question_board(backend):
    play("Short", length=5, score=3000)
    play("Ten", length=10, score=300)
    play("Twenty", length=20, score=900)

    for _ in range(2):  # recorded incrementally, then rebuilt from the quizzes
        assert every_board(length=5) == {p: ["Short"] for p in leaderboard.PERIODS}
        assert every_board(length=10) == {p: ["Ten"] for p in leaderboard.PERIODS}
        assert every_board(length=20) == {p: ["Twenty"] for p in leaderboard.PERIODS}
        leaderboard.rebuild(now=NOW)


def test_the_issues_example_a_long_quiz_does_not_outrank_a_short_one(backend):
    """3,000 points from a 20-question quiz at 50 % and 300 from a 5-question quiz at 60 %."""
    long = play("Long", length=20, score=3000, correct_count=10)
    short = play("Short", length=5, score=300, correct_count=3)

    assert leaderboard.rank_for(Board.from_attempt(short), short.score, short.seconds, now=NOW) == 1
    assert leaderboard.rank_for(Board.from_attempt(long), long.score, long.seconds, now=NOW) == 1
    assert names(length=5) == ["Short"] and names(length=20) == ["Long"]


def test_timed_and_untimed_results_rank_on_separate_boards(backend):
    play("Untimed", length=10, score=300)
    play("Timed", length=10, score=900, timed=True)

    assert every_board(timed=False) == {p: ["Untimed"] for p in leaderboard.PERIODS}
    assert every_board(timed=True) == {p: ["Timed"] for p in leaderboard.PERIODS}
    leaderboard.rebuild(now=NOW)
    assert names(timed=False) == ["Untimed"] and names(timed=True) == ["Timed"]


def test_difficulty_and_watched_level_are_part_of_the_format(backend):
    play("Easy3", length=10, score=300)
    play("Hard3", length=10, score=900, difficulty="hard")
    play("Easy4", length=10, score=800, watched_through=4)

    assert names() == ["Easy3"]
    assert names(difficulty="hard") == ["Hard3"]
    assert names(watched_through=4) == ["Easy4"]


@pytest.mark.parametrize(
    "fields",
    [
        {"shortened": True, "length": 2},
        {"shortened": True, "length": 10},
        {"mode": QuizAttempt.Mode.EPISODE, "length": 10},
        {"mode": QuizAttempt.Mode.ADAPTIVE, "length": 10},
        {"length": 15},
    ],
    ids=["shortened-2", "shortened-10", "episode", "adaptive", "odd-length"],
)
def test_quizzes_of_formats_that_never_rank_are_on_no_board(backend, fields):
    attempt = play("Other", score=9999, **fields)
    play("Full", length=10, score=300)

    assert Board.from_attempt(attempt) is None
    assert leaderboard.format_not_ranked_because(attempt)
    for _ in range(2):
        assert not LeaderboardEntry.objects.filter(player=attempt.player).exists()
        for length in leaderboard.LENGTHS:
            for timed in (False, True):
                assert "Other" not in names(length=length, timed=timed)
        assert names(length=10) == ["Full"]
        leaderboard.rebuild(now=NOW)


def test_one_result_is_written_once_per_period_in_one_query(
    settings, django_assert_max_num_queries
):
    """Finishing writes one row per period on its own format's boards, with one multi-row insert."""
    settings.LEADERBOARD_BACKEND = "database"
    attempt = FinishedAttemptFactory(
        player=PlayerFactory(), finished_at=NOW - timedelta(hours=1), length=10, **EASY3
    )
    with django_assert_max_num_queries(8) as queries:
        leaderboard.attempt_changed(attempt, now=NOW)
    sql = [q["sql"] for q in queries.captured_queries if "SAVEPOINT" not in q["sql"]]
    # Lock the player, read their best quizzes of this format, delete, insert.
    assert len(sql) == 4
    assert len([q for q in sql if q.startswith("INSERT")]) == 1
    keys = sorted(LeaderboardEntry.objects.values_list("board", flat=True))
    assert keys == [
        "all:-:free:10:easy:3:0",
        "day:2026-03-11:free:10:easy:3:0",
        "week:2026-03-09:free:10:easy:3:0",
    ]


def test_rebuild_reproduces_the_incremental_boards(backend):
    players = [PlayerFactory(display_name=f"P{i}") for i in range(6)]
    formats = [
        {"length": length, "timed": timed, "difficulty": difficulty}
        for length in (5, 10, 20)
        for timed in (False, True)
        for difficulty in ("easy", "mixed")
    ]
    for i, fmt in enumerate(formats):
        for j, player in enumerate(players[: 2 + i % 4]):
            at = NOW - timedelta(days=(i + j) % 9, minutes=i * 7 + j)
            attempt = FinishedAttemptFactory(
                player=player,
                finished_at=at,
                score=100 + (i * 37 + j * 53) % 700,
                seconds=20.0 + j,
                watched_through=3,
                **fmt,
            )
            leaderboard.attempt_changed(attempt, now=NOW)

    def snapshot():
        return {
            (period, tuple(sorted(fmt.items()))): [
                (e.rank, e.name, e.score, e.seconds)
                for e in leaderboard.top(Board(period, watched_through=3, **fmt), now=NOW)
            ]
            for period in leaderboard.PERIODS
            for fmt in formats
        }

    incremental = snapshot()
    rows = sorted(LeaderboardEntry.objects.values_list("board", "player_id", "attempt_id"))
    assert sum(len(entries) for entries in incremental.values()) == len(rows)

    leaderboard.rebuild(now=NOW)

    assert snapshot() == incremental
    assert sorted(LeaderboardEntry.objects.values_list("board", "player_id", "attempt_id")) == rows


def test_rebuild_drops_rows_of_the_old_key_format(backend):
    attempt = play("Fan", length=10)
    LeaderboardEntry.objects.create(
        board="all:-:all:all",
        player=attempt.player,
        attempt=attempt,
        score=1,
        seconds=1,
        correct_count=1,
        length=10,
        finished_at=NOW,
        sort_key=1,
    )

    leaderboard.rebuild(now=NOW)

    assert not LeaderboardEntry.objects.filter(board="all:-:all:all").exists()
    assert names(length=10) == ["Fan"]


def test_voiding_and_unvoiding_recompute_the_formats_board_only(backend):
    fan = PlayerFactory(display_name="Fan")
    five = FinishedAttemptFactory(player=fan, score=900, length=5, finished_at=NOW, **EASY3)
    ten = FinishedAttemptFactory(player=fan, score=400, length=10, finished_at=NOW, **EASY3)
    for attempt in (five, ten):
        leaderboard.attempt_changed(attempt, now=NOW)

    five.voided = True
    five.save(update_fields=["voided"])
    leaderboard.attempt_changed(five, now=NOW)

    assert names(length=5) == []
    assert names(length=10) == ["Fan"]
    five.voided = False
    five.save(update_fields=["voided"])
    leaderboard.attempt_changed(five, now=NOW)
    assert names(length=5) == ["Fan"]


# --- the results page -------------------------------------------------------


def results(client, attempt):
    client.force_login(attempt.player.user)
    return client.get(f"/quiz/{attempt.public_id}/results/").content.decode()


def test_the_rank_on_the_results_page_is_on_the_board_of_its_format(client, backend):
    now = timezone.now()
    at = now - timedelta(minutes=5)
    for score in (900, 800):  # two better 10-question results
        play(f"Ten{score}", length=10, score=score, at=at, now=now)
    play("Twenty", length=20, score=5000, at=at, now=now)
    mine = play("Me", length=10, score=700, at=at, now=now)

    html = results(client, mine)

    assert "ranks <strong>#3</strong> on the all-time board of 10-question untimed quizzes" in html
    assert "easy, watched up to episode 3" in html
    assert "period=all&amp;length=10&amp;difficulty=easy&amp;watched=3&amp;timed=0" in html
    board = client.get(f"{URL}?period=all&length=10&difficulty=easy&watched=3&timed=0")
    assert "You are <strong>#3</strong>" in board.content.decode()


def test_a_timed_result_ranks_on_the_timed_board(client, backend):
    at = timezone.now() - timedelta(minutes=5)
    play("Untimed", length=10, score=900, at=at, now=timezone.now())
    mine = play("Me", length=10, score=300, timed=True, at=at, now=timezone.now())

    html = results(client, mine)

    assert "ranks <strong>#1</strong> on the all-time board of 10-question timed quizzes" in html
    assert "timed=1" in html


@pytest.mark.parametrize(
    ("fields", "why"),
    [
        ({"shortened": True, "length": 2}, "shortened quizzes are not ranked"),
        ({"mode": QuizAttempt.Mode.EPISODE}, "One-episode quizzes are not ranked"),
        ({"mode": QuizAttempt.Mode.ADAPTIVE}, "Adaptive quizzes are not ranked"),
        ({"voided": True}, "voided by an admin"),
    ],
    ids=["shortened", "episode", "adaptive", "voided"],
)
def test_a_result_that_does_not_rank_announces_no_rank_and_says_why(client, fields, why):
    attempt = play("Other", at=timezone.now(), now=timezone.now(), **fields)

    html = results(client, attempt)

    assert "ranks <strong>#" not in html
    assert "Leaderboard</span>" not in html
    assert why in html


def test_an_anonymous_shortened_quiz_is_not_promised_a_place_on_the_boards(client):
    attempt = FinishedAttemptFactory(player=None, session_key="", shortened=True, length=2)
    session = client.session
    session.save()
    QuizAttempt.objects.filter(pk=attempt.pk).update(session_key=session.session_key)

    html = client.get(f"/quiz/{attempt.public_id}/results/").content.decode()

    assert "shortened quizzes are not ranked" in html
    assert "not on the leaderboards yet" not in html


def test_a_shortened_daily_challenge_is_not_on_the_days_board(client):
    day = daily.today()
    full = FinishedAttemptFactory(
        player=PlayerFactory(display_name="Full"),
        mode=QuizAttempt.Mode.DAILY,
        daily_date=day,
        difficulty="mixed",
        length=10,
        score=100,
    )
    short = FinishedAttemptFactory(
        player=PlayerFactory(display_name="Short"),
        mode=QuizAttempt.Mode.DAILY,
        daily_date=day,
        difficulty="mixed",
        length=4,
        shortened=True,
        score=900,
        watched_through=full.watched_through,
    )

    assert [row.name for row in daily.board(day, full.watched_through)] == ["Full"]
    assert daily.rank_of(full) == 1
    assert daily.rank_of(short) is None
    html = results(client, short)
    assert "Today's board" not in html
    assert "shortened quizzes are not ranked" in html


# --- the leaderboard page ---------------------------------------------------


def rows(html: str) -> list[str]:
    return re.findall(r"<tr[^>]*><td class=\"num\">\d+</td><td>(.*?)</td>", html)


def recent(name, **fields):
    return play(name, at=timezone.now() - timedelta(minutes=5), now=timezone.now(), **fields)


@pytest.mark.parametrize("htmx", [False, True], ids=["full-page", "htmx"])
def test_the_page_filters_by_length_and_clock(client, backend, htmx):
    recent("Five", length=5, score=3000)
    recent("Ten", length=10, score=300)
    recent("TenTimed", length=10, score=600, timed=True)
    headers = HTMX if htmx else {}
    query = {"difficulty": "easy", "watched": "3"}

    five = client.get(URL, {**query, "length": "5"}, headers=headers).content.decode()
    ten = client.get(URL, {**query, "length": "10", "timed": "0"}, headers=headers).content.decode()
    timed = client.get(URL, {**query, "length": "10", "timed": "1"}, headers=headers)

    assert rows(five) == ["Five"]
    assert rows(ten) == ["Ten"]
    assert '<caption class="muted">Top 1</caption>' in ten
    assert rows(timed.content.decode()) == ["TenTimed"]
    assert ("<html" in ten) is not htmx
    assert (
        "Best score per player in 10-question untimed quizzes, easy, watched up to episode 3, "
        "of all time." in ten
    )
    assert "Best score per player in 10-question timed quizzes" in timed.content.decode()


def test_the_form_shows_the_board_that_is_shown(client):
    html = client.get(URL, {"length": "20", "timed": "1", "period": "week"}).content.decode()

    assert '<option value="20" selected>' in html
    assert '<option value="1" selected>Timed</option>' in html
    assert '<option value="mixed" selected>' in html  # the default difficulty
    assert "This week · 20 questions · Timed · Mixed" in html
    assert "20-question timed quizzes, mixed difficulty" in html


def test_a_player_sees_the_board_of_their_last_chosen_format_by_default(client, backend):
    me = recent("Me", length=20, difficulty="hard", watched_through=2)
    recent("Other", length=10)
    me.player.quiz_length, me.player.difficulty, me.player.watched_through = 20, "hard", 2
    me.player.save()
    client.force_login(me.player.user)

    html = client.get(URL).content.decode()

    assert rows(html) == ["Me"]
    assert "You are <strong>#1</strong>" in html
    assert "20-question untimed quizzes, hard, watched up to episode 2" in html


def test_a_visitors_remembered_choices_pick_the_default_board(client, backend):
    recent("Short", length=5)
    recent("Ten", length=10)
    session = client.session
    session.update({"watched_through": 3, "difficulty": "easy", "length": 5})
    session.save()

    assert rows(client.get(URL).content.decode()) == ["Short"]


@pytest.mark.parametrize(
    "params",
    [{"length": "15"}, {"length": "<b>"}, {"timed": "maybe"}, {"difficulty": "all"}],
)
@pytest.mark.parametrize("htmx", [False, True], ids=["full-page", "htmx"])
def test_bad_format_filters_answer_400_not_500(client, params, htmx):
    response = client.get(URL, params, headers=HTMX if htmx else {})

    html = response.content.decode()
    assert response.status_code == 400
    assert "That leaderboard does not exist" in html and "Unknown" in html
    assert "<b>" not in html


# --- the upgrade ---------------------------------------------------------------


def test_the_migration_replaces_old_boards_by_format_boards(settings):
    """0012 deletes rows under the old keys (boards across lengths) and rebuilds the rank table."""
    import importlib
    from types import SimpleNamespace

    from django.apps import apps
    from django.db import connection

    settings.LEADERBOARD_BACKEND = "database"
    migration = importlib.import_module("quiz.migrations.0012_board_formats")
    attempt = FinishedAttemptFactory(
        player=PlayerFactory(display_name="Fan"), length=10, finished_at=timezone.now(), **EASY3
    )
    for key in ("all:-:all:all", "all:-:easy:3", "week:2026-03-09:easy:all"):
        LeaderboardEntry.objects.create(
            board=key,
            player=attempt.player,
            attempt=attempt,
            score=attempt.score,
            seconds=attempt.seconds,
            correct_count=attempt.correct_count,
            length=attempt.length,
            finished_at=attempt.finished_at,
            sort_key=0,
        )

    migration.to_board_formats(apps, SimpleNamespace(connection=connection))

    boards = set(LeaderboardEntry.objects.values_list("board", flat=True))
    assert boards == {
        Board(period, length=10, **EASY3).key() for period in ("all", "week", "today")
    }
    assert [e.name for e in leaderboard.top(Board(length=10, **EASY3))] == ["Fan"]
    migration.drop_board_formats(apps, SimpleNamespace(connection=connection))
    assert not LeaderboardEntry.objects.exists()


# --- through the play flow ------------------------------------------------------


def test_a_quiz_played_short_for_lack_of_questions_never_ranks(
    client, backend, django_capture_on_commit_callbacks
):
    """A 10-question quiz accepted with only 3 questions: no rank, on no board, and it says so."""
    from tests.playing import answer_all, latest_attempt, make_bank, start

    player = PlayerFactory(display_name="Short")
    client.force_login(player.user)
    make_bank(3)
    with django_capture_on_commit_callbacks(execute=True):
        start(client, length=10, allow_shorter="on")
        attempt = answer_all(client, latest_attempt())

    assert (attempt.status, attempt.length, attempt.shortened) == ("finished", 3, True)
    assert not LeaderboardEntry.objects.exists()
    html = client.get(f"/quiz/{attempt.public_id}/results/").content.decode()
    assert "ranks <strong>#" not in html
    assert "this quiz had only 3: shortened quizzes are not ranked" in html


def test_a_full_quiz_played_through_ranks_on_its_own_formats_board(
    client, backend, django_capture_on_commit_callbacks
):
    from tests.playing import answer_all, latest_attempt, make_bank, start

    player = PlayerFactory(display_name="Full")
    client.force_login(player.user)
    make_bank(10)
    with django_capture_on_commit_callbacks(execute=True):
        start(client, length=5, watched=6, difficulty="easy")
        attempt = answer_all(client, latest_attempt())

    assert set(LeaderboardEntry.objects.values_list("board", flat=True)) == {
        Board(period, length=5, difficulty="easy", watched_through=6).key()
        for period in leaderboard.PERIODS
    }
    html = client.get(f"/quiz/{attempt.public_id}/results/").content.decode()
    assert "ranks <strong>#1</strong> on the all-time board of 5-question untimed quizzes" in html
    # The player's last choices (5, easy, 6) pick the board the page shows.
    assert rows(client.get(URL).content.decode()) == ["Full"]


@pytest.mark.parametrize("backend", [pytest.param("redis", marks=pytest.mark.redis)], indirect=True)
def test_a_redis_copy_written_by_older_code_is_never_read(backend, settings, redis_url):
    """The old copy's marker says "complete" for old keys: the new code ignores it and rebuilds."""
    import redis

    client = redis.Redis.from_url(redis_url, decode_responses=True)
    prefix = settings.LEADERBOARD_REDIS_PREFIX
    client.set(f"{prefix}~generation", "old")
    client.zadd(f"{prefix}:all:-:easy:3", {"0000000000000:000000000001:1:5:1.0": -1})
    fan = play("Fan", length=10).player

    assert names(length=10) == ["Fan"]  # served from the rank table, the copy rebuilt
    assert client.exists(f"{prefix}~generation~formats")
    assert not client.exists(f"{prefix}~generation", f"{prefix}:all:-:easy:3")
    assert client.hget(f"{prefix}:{Board(length=10, **EASY3).key(NOW)}:p", fan.pk)
    assert names(length=10) == ["Fan"]  # now from Redis


@pytest.mark.parametrize("backend", [pytest.param("redis", marks=pytest.mark.redis)], indirect=True)
def test_the_redis_copy_is_rebuilt_with_the_long_timeout(backend, monkeypatch):
    """After the deploy the first read rebuilds the copy: whole boards move in one command."""
    from quiz.leaderboard import mirror
    from quiz.leaderboard.redis_backend import RedisBackend

    timeouts = []
    rebuild = RedisBackend.rebuild

    def spy(self, *args, **kwargs):
        timeouts.append(self.client.connection_pool.connection_kwargs["socket_timeout"])
        return rebuild(self, *args, **kwargs)

    monkeypatch.setattr(RedisBackend, "rebuild", spy)
    play("Fan", length=10)

    assert names(length=10) == ["Fan"]
    assert timeouts == [mirror.REBUILD_TIMEOUT]
