"""Finishing a quiz costs the same whatever the player's history: a new result goes on
its format's boards with one upsert (where it beats the player's best), never by
re-reading and rewriting the player's past quizzes. Both backends."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from quiz import leaderboard
from quiz.leaderboard import Board
from quiz.models import LeaderboardEntry
from tests.factories import FinishedAttemptFactory, PlayerFactory, QuestionFactory
from tests.playing import latest_attempt, question_url, start

NOW = datetime(2026, 3, 11, 12, 0, tzinfo=UTC)
FORMAT = {"length": 10, "difficulty": "easy", "watched_through": 3}


def finish(player, score, *, seconds=60.0, at=NOW - timedelta(hours=1)):
    attempt = FinishedAttemptFactory(
        player=player, score=score, seconds=seconds, finished_at=at, **FORMAT
    )
    leaderboard.result_finished(attempt, now=NOW)
    return attempt


def on_boards(player):
    """(attempt id on each period's board as the backend in use reads it, rank table rows)."""
    shown = {}
    for period in leaderboard.PERIODS:
        standing = leaderboard.standing(Board(period, **FORMAT), player, now=NOW)
        shown[period] = standing.entry.score if standing else None
    stored = set(
        LeaderboardEntry.objects.filter(player=player).values_list("attempt_id", flat=True)
    )
    return shown, stored


@pytest.mark.django_db
def test_a_better_result_replaces_the_best_and_a_worse_one_changes_nothing(backend):
    player = PlayerFactory()
    first = finish(player, 500)
    assert on_boards(player) == (dict.fromkeys(leaderboard.PERIODS, 500), {first.pk})
    finish(player, 400)
    assert on_boards(player) == (dict.fromkeys(leaderboard.PERIODS, 500), {first.pk})
    better = finish(player, 700)
    assert on_boards(player) == (dict.fromkeys(leaderboard.PERIODS, 700), {better.pk})


@pytest.mark.django_db
def test_a_tie_keeps_the_earlier_result(backend):
    player = PlayerFactory()
    first = finish(player, 500, seconds=30.0, at=NOW - timedelta(hours=2))
    finish(player, 500, seconds=30.0, at=NOW - timedelta(hours=1))
    assert on_boards(player)[1] == {first.pk}
    # The same score a millisecond faster is better.
    faster = finish(player, 500, seconds=29.9)
    assert on_boards(player)[1] == {faster.pk}


@pytest.mark.django_db
def test_a_result_beats_each_period_on_its_own(backend):
    """Last week's best is not this week's: a modest result tops the new week only."""
    player = PlayerFactory()
    old = finish(player, 900, at=NOW - timedelta(days=8))
    new = finish(player, 300)
    shown, stored = on_boards(player)
    assert shown == {"today": 300, "week": 300, "all": 900}
    assert stored == {old.pk, new.pk}


@pytest.mark.django_db
def test_a_deleted_player_is_put_on_no_board(backend):
    attempt = FinishedAttemptFactory(player=PlayerFactory(), finished_at=NOW, **FORMAT)
    player = attempt.player
    player.delete()
    attempt.player_id = player.pk  # the in-memory attempt the finishing callback holds
    leaderboard.result_finished(attempt, now=NOW)
    assert not LeaderboardEntry.objects.exists()


@pytest.mark.django_db
def test_incremental_results_match_a_rebuild(backend):
    players = PlayerFactory.create_batch(3)
    for score, player in zip([300, 800, 500, 900, 100, 650], players * 2, strict=True):
        finish(player, score)
    incremental = sorted(LeaderboardEntry.objects.values_list("board", "player_id", "attempt_id"))
    shown = [
        [e.score for e in leaderboard.top(Board(p, **FORMAT), now=NOW)] for p in leaderboard.PERIODS
    ]
    leaderboard.rebuild(now=NOW)
    assert (
        sorted(LeaderboardEntry.objects.values_list("board", "player_id", "attempt_id"))
        == incremental
    )
    assert shown == [
        [e.score for e in leaderboard.top(Board(p, **FORMAT), now=NOW)] for p in leaderboard.PERIODS
    ]
    assert shown[0] == [900, 800, 650]


def finishing_statements(client) -> list[str]:
    """Play a 5-question quiz; the SQL of its last (finishing) answer, callbacks included."""
    start(client, length=5)
    attempt = latest_attempt()
    for number in range(1, 6):
        client.get(question_url(attempt, number))
        item = attempt.items.get(position=number - 1)
        if number == 5:
            with CaptureQueriesContext(connection) as queries:
                client.post(question_url(attempt, number), {"option": item.correct_key})
        else:
            client.post(question_url(attempt, number), {"option": item.correct_key})
    return [q["sql"] for q in queries.captured_queries]


@pytest.mark.django_db(transaction=True)
def test_finishing_costs_the_same_after_many_quizzes(client, backend):
    QuestionFactory.create_batch(12, difficulty="easy")
    player = PlayerFactory()
    client.force_login(player.user)
    first = finishing_statements(client)
    for _ in range(6):
        later = finishing_statements(client)
    assert len(later) == len(first)
    # No statement reads the player's past quizzes or deletes board rows.
    board_sql = [q for q in later if "leaderboardentry" in q.lower()]
    assert len(board_sql) == 1 and board_sql[0].startswith("INSERT")
    assert not any(q.startswith("DELETE") for q in later)


@pytest.mark.django_db
@pytest.mark.redis
@pytest.mark.parametrize("kind", ["database", "redis"])
def test_each_backends_improve_writes_only_where_the_result_is_better(kind, redis_url):
    """The raw backends' improve(): the rank table's upsert and Redis's script agree."""
    import uuid

    import redis

    from quiz.leaderboard.database import DatabaseBackend
    from quiz.leaderboard.ranking import Row
    from quiz.leaderboard.redis_backend import RedisBackend

    prefix = f"test:improve:{uuid.uuid4().hex}"
    store = DatabaseBackend() if kind == "database" else RedisBackend(redis_url, prefix)
    player = PlayerFactory()
    keys = ["all:-:free:10:easy:3:0", "week:2026-03-09:free:10:easy:3:0"]

    def row(attempt, score, seconds=60.0, at=NOW):
        return Row(player.pk, attempt.pk, score, seconds, 8, 10, at)

    attempts = [FinishedAttemptFactory(player=player, **FORMAT) for _ in range(4)]
    try:
        assert store.improve(player.pk, keys, row(attempts[0], 500), NOW) == keys
        assert store.improve(player.pk, keys, row(attempts[1], 400), NOW) == []
        # Same score and time, finished later: the earlier result stays.
        later = NOW + timedelta(minutes=5)
        assert store.improve(player.pk, keys, row(attempts[2], 500, at=later), NOW) == []
        # Better on one board only (the other already holds a better row).
        store.record(player.pk, {keys[0]: row(attempts[0], 900)}, NOW)
        assert store.improve(player.pk, keys, row(attempts[3], 700), NOW) == [keys[1]]
        assert [r.score for r in store.top(keys[0], 10)] == [900]
        assert [r.score for r in store.top(keys[1], 10)] == [700]
    finally:
        client = redis.Redis.from_url(redis_url)
        for key in client.scan_iter(match=f"{prefix}*"):
            client.delete(key)
