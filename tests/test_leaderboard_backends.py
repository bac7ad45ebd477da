"""The leaderboard package: one public API, two backends that meet one contract."""

import inspect
import random
from datetime import UTC, datetime, timedelta

import pytest

from quiz import leaderboard
from quiz.leaderboard import Board
from quiz.leaderboard.base import Backend
from quiz.leaderboard.database import DatabaseBackend
from quiz.leaderboard.mirror import MirroredBackend
from quiz.leaderboard.redis_backend import RedisBackend
from quiz.models import LeaderboardEntry
from tests.factories import FinishedAttemptFactory, PlayerFactory

CONTRACT = [name for name in vars(Backend) if not name.startswith("_")]


def test_the_contract_has_the_seven_operations():
    assert sorted(CONTRACT) == sorted(
        ["top", "window", "count_better", "record", "improve", "remove_player", "rebuild"]
    )


@pytest.mark.parametrize("backend", [DatabaseBackend, RedisBackend, MirroredBackend])
@pytest.mark.parametrize("name", CONTRACT)
def test_each_backend_meets_the_contract(backend, name):
    expected = list(inspect.signature(getattr(Backend, name)).parameters)
    # RedisBackend.rebuild may take extra keyword arguments with defaults.
    actual = inspect.signature(getattr(backend, name)).parameters
    assert list(actual)[: len(expected)] == expected
    assert all(p.default is not p.empty for p in list(actual.values())[len(expected) :])


def test_the_public_api_is_importable_from_the_package():
    for name in leaderboard.__all__:
        assert hasattr(leaderboard, name), name


@pytest.mark.parametrize(
    ("setting", "expected"), [("database", DatabaseBackend), ("redis", MirroredBackend)]
)
def test_the_setting_picks_the_backend(settings, redis_url, setting, expected):
    settings.LEADERBOARD_BACKEND = setting
    settings.REDIS_URL = redis_url  # a client is made, no connection
    assert isinstance(leaderboard._backend(), expected)


def test_an_unknown_backend_is_a_clear_error(settings):
    settings.LEADERBOARD_BACKEND = "memcached"
    with pytest.raises(ValueError, match="LEADERBOARD_BACKEND must be database or redis"):
        leaderboard._backend()


# --- the reads give the same boards on every backend ----------------------------

NOW = datetime(2026, 3, 11, 12, 0, tzinfo=UTC)
FORMAT = {"length": 5, "difficulty": "easy", "watched_through": 6}


def _crowded_board(n: int = 40, seed: int = 17) -> list:
    """A board thick with ties: few scores and times, and whole seconds of finishing
    time shared by several players (so the player id decides the order)."""
    rng = random.Random(seed)
    players = []
    for _ in range(n):
        player = PlayerFactory()
        FinishedAttemptFactory(
            player=player,
            score=rng.choice([300, 500, 500, 800]),
            seconds=rng.choice([30.0, 30.0, 41.5]),
            finished_at=NOW - timedelta(minutes=rng.choice([5, 5, 9])),
            **FORMAT,
        )
        players.append(player)
    leaderboard.rebuild(now=NOW)
    return players


def _oracle(key: str) -> list[tuple]:
    """The board computed from the rank table by brute force: (rank, player id) in order."""
    entries = sorted(
        LeaderboardEntry.objects.filter(board=key).values_list(
            "sort_key", "finished_at", "player_id"
        )
    )
    board = []
    for position, (sort_key, _, player_id) in enumerate(entries):
        smaller = sum(1 for other in entries if other[0] < sort_key)
        board.append((smaller + 1, player_id))
        assert smaller <= position
    return board


def _ranked(rows) -> list[tuple]:
    return [(row.rank, row.player_id) for row in rows]


def _backends(backend: str, settings) -> list:
    found = [DatabaseBackend()]
    if backend == "redis":
        found.append(RedisBackend(settings.REDIS_URL, settings.LEADERBOARD_REDIS_PREFIX))
    return found


@pytest.mark.django_db
def test_every_backend_reads_the_board_the_brute_force_ranking_gives(backend, settings):
    players = _crowded_board()
    key = Board(**FORMAT).key(NOW)
    expected = _oracle(key)
    assert len(expected) == len(players)
    assert len({rank for rank, _ in expected}) < len(expected)  # ties to share ranks
    for store in _backends(backend, settings):
        assert _ranked(store.top(key, 50)) == expected, store
        assert _ranked(store.top(key, 7)) == expected[:7], store
        for position, (rank, player_id) in enumerate(expected):
            window = store.window(key, player_id, 2)
            assert _ranked(window) == expected[max(position - 2, 0) : position + 3], store
            sort_key = next(r.sort_key for r in window if r.player_id == player_id)
            assert store.count_better(key, sort_key) == rank - 1, store
        assert store.window(key, PlayerFactory().pk, 2) is None
        assert store.window("all:-:free:5:hard:6:0", players[0].pk, 2) is None
        assert store.count_better(key, -(10**15)) == 0
        assert store.count_better(key, 10**15) == len(expected)


@pytest.mark.django_db
def test_database_rows_carry_what_the_page_shows(settings):
    settings.LEADERBOARD_BACKEND = "database"
    shown = PlayerFactory(display_name="Shown")
    hidden = PlayerFactory(display_name="Secret", display_name_hidden=True)
    attempt = FinishedAttemptFactory(
        player=shown, score=700, seconds=12.5, correct_count=4, finished_at=NOW, **FORMAT
    )
    FinishedAttemptFactory(player=hidden, score=600, finished_at=NOW, **FORMAT)
    leaderboard.rebuild(now=NOW)
    key = Board(**FORMAT).key(NOW)

    first, second = DatabaseBackend().top(key, 10)
    assert (first.player_id, first.attempt_id, first.score, first.seconds) == (
        shown.pk,
        attempt.pk,
        700,
        12.5,
    )
    assert (first.correct_count, first.length, first.finished_at) == (4, 5, NOW)
    assert (first.name, second.name) == ("Shown", leaderboard.HIDDEN_NAME)
    assert [r.name for r in DatabaseBackend().window(key, hidden.pk, 2)] == [
        "Shown",
        leaderboard.HIDDEN_NAME,
    ]


@pytest.mark.django_db
def test_a_page_cuts_the_standing_from_the_top_rows_when_it_can(backend, settings, monkeypatch):
    """A player in the top (with their neighbours below also there, or the whole
    board shown) costs no window read; one further down does, with the same result."""
    players = _crowded_board(12)
    board = Board(**FORMAT)
    key = board.key(NOW)
    expected = _oracle(key)
    reads = []
    for cls in (DatabaseBackend, MirroredBackend):
        original = cls.window

        def counted(self, *args, _original=original):
            reads.append(args)
            return _original(self, *args)

        monkeypatch.setattr(cls, "window", counted)

    for limit in (50, 6):
        for position, (_, player_id) in enumerate(expected):
            reads.clear()
            entries, own = leaderboard.board_page(board, player_id, limit=limit, now=NOW)
            assert [(e.rank, e.player_id) for e in entries] == expected[:limit]
            around = expected[max(position - 2, 0) : position + 3]
            assert [(e.rank, e.player_id) for e in own.entries] == around
            assert own.rank == expected[position][0]
            cut = limit > len(expected) or position + 2 < limit
            assert len(reads) == (0 if cut else 1), (limit, position)
    reads.clear()
    assert leaderboard.board_page(board, PlayerFactory(), now=NOW)[1] is None
    assert reads == []  # the whole board was read: nobody else is on it
    assert len(players) == 12


@pytest.mark.django_db
def test_a_rebuild_puts_a_result_on_the_day_it_finished_to_the_microsecond(settings):
    """The rebuild's period bounds compare with the stored times as the ORM does: a
    result at exactly midnight is the new day's, not the day before's."""
    settings.LEADERBOARD_BACKEND = "database"
    midnight = datetime(2026, 3, 11, 0, 0, tzinfo=UTC)
    at_midnight = FinishedAttemptFactory(player=PlayerFactory(), finished_at=midnight, **FORMAT)
    before = FinishedAttemptFactory(
        player=PlayerFactory(), finished_at=midnight - timedelta(microseconds=1), **FORMAT
    )
    leaderboard.rebuild(now=NOW)
    today = Board(period="today", **FORMAT).key(NOW)
    on_today = set(LeaderboardEntry.objects.filter(board=today).values_list("player_id", flat=True))
    assert on_today == {at_midnight.player_id}
    assert before.player_id not in on_today
    assert {row.player_id for row in DatabaseBackend().top(today, 10)} == on_today
