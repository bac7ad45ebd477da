"""Leaderboards through a Redis outage: served from the database while Redis is away or
stale, right again without a manual step when it returns, and a rebuild racing live
results converges on the database's truth (both backends)."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from django.db import close_old_connections, connection

from quiz import leaderboard
from quiz.leaderboard import Board, ranking
from quiz.leaderboard.database import DatabaseBackend
from quiz.models import LeaderboardEntry, Player
from tests.factories import FinishedAttemptFactory, PlayerFactory


def recently() -> datetime:
    """Five minutes ago, but never before today began (UTC): a result then is on
    today's and this week's boards too, whatever the time the tests run at."""
    now = datetime.now(UTC)
    today = now.replace(hour=0, minute=0, second=0, microsecond=0)
    return max(now - timedelta(minutes=5), today + timedelta(milliseconds=1))


# The factories' format: 5 questions, untimed, easy, the whole series watched.
FMT = {"length": 5, "difficulty": "easy", "watched_through": 6}
ALL = Board(**FMT)


def play(player=None, *, score=500, at=None):
    attempt = FinishedAttemptFactory(
        player=player or PlayerFactory(), score=score, finished_at=at or recently()
    )
    leaderboard.attempt_changed(attempt)
    return attempt


def names(board=ALL) -> list[str]:
    return [e.name for e in leaderboard.top(board)]


def in_redis(server, player) -> bool:
    return server.client().hget(f"outage-test:lb:{ALL.key()}:p", player.pk) is not None


pytestmark = pytest.mark.redis


@pytest.mark.django_db
def test_results_during_an_outage_are_on_the_board_then_and_after(own_redis):
    before = play(PlayerFactory(display_name="Before"), score=300)
    assert names() == ["Before"]  # copied into Redis on the first read
    assert in_redis(own_redis, before.player)

    own_redis.kill()
    during = play(PlayerFactory(display_name="During"), score=400)
    assert names() == ["During", "Before"]  # served from the database
    assert leaderboard.standing(ALL, during.player).rank == 1

    own_redis.start()  # back, empty, and nobody runs rebuild_leaderboards
    assert names() == ["During", "Before"]
    assert in_redis(own_redis, during.player)
    assert own_redis.client().exists("outage-test:lb~generation~formats")


@pytest.mark.django_db
def test_a_copy_left_stale_by_an_outage_is_not_served(own_redis):
    """Redis hung while a result came in and then came back with its old data."""
    play(PlayerFactory(display_name="Old"), score=300)
    assert names() == ["Old"]
    own_redis.pause()
    try:
        play(PlayerFactory(display_name="New"), score=900)
    finally:
        own_redis.resume()
    assert names() == ["New", "Old"]
    assert leaderboard.rank_for(ALL, 600, 60.0) == 2


@pytest.mark.django_db
def test_a_restored_database_never_shows_a_deleted_players_entry(own_redis):
    gone = play(PlayerFactory(display_name="Gone"), score=800)
    assert names() == ["Gone"]
    # The database is restored without that player; a newcomer gets the same id.
    player_id = gone.player_id
    Player.objects.filter(pk=player_id).delete()
    PlayerFactory(pk=player_id, display_name="Newcomer")
    assert names() == []
    assert leaderboard.standing(ALL, player_id) is None
    # The copy was found out and rebuilt from the database.
    assert not own_redis.client().hget(f"outage-test:lb:{ALL.key()}:p", player_id)


@pytest.mark.django_db
def test_a_redis_rebuild_keeps_results_recorded_while_it_runs(own_redis, monkeypatch):
    play(PlayerFactory(display_name="Early"), score=300)
    late = PlayerFactory(display_name="Late")
    entry_rows = DatabaseBackend.entry_rows

    def rows_then_a_new_result(self, batch, player_id=None):
        yield from entry_rows(self, batch, player_id)
        if player_id is None:
            play(late, score=700)  # lands on the live keys the swap replaces

    monkeypatch.setattr(DatabaseBackend, "entry_rows", rows_then_a_new_result)
    leaderboard.rebuild()
    monkeypatch.setattr(DatabaseBackend, "entry_rows", entry_rows)

    assert names() == ["Late", "Early"]
    for board in (Board("today", **FMT), Board("week", **FMT), Board("all", **FMT)):
        assert "Late" in names(board)
    assert in_redis(own_redis, late)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("backend", ["database"], indirect=True)
def test_a_database_rebuild_converges_with_a_concurrent_first_result(backend, monkeypatch):
    """On PostgreSQL the old rebuild aborted with a duplicate key when a new player finished."""
    play(PlayerFactory(display_name="Early"), score=300)
    late = PlayerFactory(display_name="Late")
    statements = ranking.best_rows_sql
    finisher = threading.Thread(target=lambda: _finish_in_own_connection(late))

    def statements_with_a_result_in_between(now):
        for i, statement in enumerate(statements(now)):
            if i == 1:
                finisher.start()
                # PostgreSQL: it commits now. SQLite: it waits for the rebuild's lock.
                finisher.join(timeout=2 if connection.vendor == "postgresql" else 0.2)
            yield statement

    monkeypatch.setattr(
        "quiz.leaderboard.database.best_rows_sql", statements_with_a_result_in_between
    )
    leaderboard.rebuild()
    finisher.join(timeout=30)

    assert names() == ["Late", "Early"]
    assert LeaderboardEntry.objects.filter(player=late).count() == 3


def _finish_in_own_connection(player):
    try:
        play(player, score=700)
    finally:
        close_old_connections()
        connection.close()


@pytest.mark.django_db
def test_the_redis_backend_alone_rebuilds_from_the_quizzes(own_redis):
    """RedisBackend.rebuild without a source reads every player's best from the attempts."""
    from quiz.leaderboard.redis_backend import RedisBackend

    play(PlayerFactory(display_name="Solo"), score=420)
    backend = RedisBackend(own_redis.url, "outage-test:lb")
    assert backend.rebuild(datetime.now(UTC)) == 3  # one board per period for its format
    rows = backend.top(ALL.key(), 10, current_only=True)
    assert [(row.score, row.player_id) for row in rows] == [(420, Player.objects.get().pk)]
