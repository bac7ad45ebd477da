"""The ranking rule and the leaderboard functions, run against both backends."""

from __future__ import annotations

import io
import itertools
from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import call_command
from django.db import transaction

from quiz import leaderboard
from quiz.forms import BoardForm
from quiz.leaderboard import Board
from quiz.models import LeaderboardEntry, QuizAttempt
from tests.factories import FinishedAttemptFactory, PlayerFactory, QuizAttemptFactory

pytestmark = pytest.mark.django_db

# A Wednesday: the week began on Monday 2026-03-09 and today at midnight UTC.
NOW = datetime(2026, 3, 11, 12, 0, tzinfo=UTC)
# The factories' format: 5 questions, untimed, easy, the whole series watched.
FMT = {"length": 5, "difficulty": "easy", "watched_through": 6}
ALL = Board(**FMT)


def board_for(period="all", **fields):
    return Board(period, **{**FMT, **fields})


def play(player=None, *, score=500, seconds=60.0, at=NOW - timedelta(hours=1), **fields):
    """A finished quiz, recorded on the boards the way the play flow does it."""
    fields.setdefault("player", player or PlayerFactory())
    attempt = FinishedAttemptFactory(score=score, seconds=seconds, finished_at=at, **fields)
    leaderboard.attempt_changed(attempt, now=NOW)
    return attempt


def ranking(board=ALL, **kwargs):
    return [(e.rank, e.name, e.score) for e in leaderboard.top(board, now=NOW, **kwargs)]


def test_equal_score_and_time_share_a_rank_and_the_earlier_finisher_is_listed_first(backend):
    play(PlayerFactory(display_name="Anna"), score=900, seconds=50)
    play(PlayerFactory(display_name="Late"), score=800, seconds=40, at=NOW - timedelta(minutes=5))
    play(PlayerFactory(display_name="Early"), score=800, seconds=40, at=NOW - timedelta(minutes=50))
    play(PlayerFactory(display_name="Jack"), score=700, seconds=30)

    assert ranking() == [(1, "Anna", 900), (2, "Early", 800), (2, "Late", 800), (4, "Jack", 700)]


def test_same_score_fewer_seconds_ranks_higher(backend):
    play(PlayerFactory(display_name="Slow"), score=800, seconds=41.5)
    play(PlayerFactory(display_name="Fast"), score=800, seconds=41.25)

    assert ranking() == [(1, "Fast", 800), (2, "Slow", 800)]


def test_only_a_players_best_single_quiz_counts(backend):
    fan = PlayerFactory(display_name="Fan")
    play(fan, score=400, seconds=20)
    best = play(fan, score=900, seconds=90)
    play(fan, score=900, seconds=95)

    entries = leaderboard.top(ALL, now=NOW)
    assert [(e.name, e.score, e.seconds) for e in entries] == [("Fan", 900, 90.0)]
    assert entries[0].accuracy == best.correct_count / best.length


def test_entries_carry_accuracy_and_time(backend):
    play(PlayerFactory(), score=300, seconds=12.5, correct_count=3, length=5)

    (entry,) = leaderboard.top(ALL, now=NOW)
    assert (entry.rank, entry.score, entry.accuracy, entry.seconds) == (1, 300, 0.6, 12.5)


def test_today_starts_at_midnight_utc(backend):
    midnight = datetime(2026, 3, 11, tzinfo=UTC)
    play(PlayerFactory(display_name="Yesterday"), score=900, at=midnight - timedelta(seconds=1))
    play(PlayerFactory(display_name="Today"), score=100, at=midnight + timedelta(seconds=1))

    assert ranking(board_for("today")) == [(1, "Today", 100)]
    assert ranking(board_for("week")) == [(1, "Yesterday", 900), (2, "Today", 100)]


def test_the_week_starts_on_monday_midnight_utc(backend):
    monday = datetime(2026, 3, 9, tzinfo=UTC)
    play(PlayerFactory(display_name="Sunday"), score=900, at=monday - timedelta(seconds=1))
    play(PlayerFactory(display_name="Monday"), score=100, at=monday)

    assert ranking(board_for("week")) == [(1, "Monday", 100)]
    assert ranking(board_for("all")) == [(1, "Sunday", 900), (2, "Monday", 100)]


def test_a_best_score_from_an_earlier_period_does_not_hide_this_periods_best(backend):
    fan = PlayerFactory(display_name="Fan")
    play(fan, score=900, at=NOW - timedelta(days=20))
    play(fan, score=300, at=NOW - timedelta(hours=2))

    assert ranking(board_for("today")) == [(1, "Fan", 300)]
    assert ranking(board_for("all")) == [(1, "Fan", 900)]


def test_boards_slice_by_difficulty_and_spoiler_level(backend):
    play(PlayerFactory(display_name="Easy3"), score=900, difficulty="easy", watched_through=3)
    play(PlayerFactory(display_name="Hard6"), score=500, difficulty="hard", watched_through=6)

    assert ranking(board_for(difficulty="easy", watched_through=3)) == [(1, "Easy3", 900)]
    assert ranking(board_for(difficulty="hard", watched_through=6)) == [(1, "Hard6", 500)]
    assert ranking(board_for(difficulty="easy", watched_through=6)) == []
    assert ranking(board_for(difficulty="mixed", watched_through=3)) == []


def test_top_is_limited_to_fifty_by_default(backend):
    for score in range(55):
        play(score=score * 10)

    entries = leaderboard.top(ALL, now=NOW)
    assert len(entries) == 50
    assert [e.rank for e in entries] == list(range(1, 51))
    assert entries[0].score == 540
    assert len(leaderboard.top(ALL, limit=3, now=NOW)) == 3


def test_own_rank_far_outside_the_top_fifty_with_neighbours(backend):
    players = [PlayerFactory(display_name=f"P{rank:02d}") for rank in range(1, 61)]
    for rank, player in enumerate(players, start=1):
        play(player, score=1000 - rank)

    own = leaderboard.standing(ALL, players[54], now=NOW)

    assert own.rank == 55
    assert own.entry.name == "P55"
    assert [(e.rank, e.name) for e in own.above] == [(53, "P53"), (54, "P54")]
    assert [(e.rank, e.name) for e in own.below] == [(56, "P56"), (57, "P57")]
    assert [e.rank for e in own.entries] == [53, 54, 55, 56, 57]


def test_neighbours_share_ranks_when_tied(backend):
    leader = PlayerFactory(display_name="Leader")
    play(leader, score=900)
    tied = [PlayerFactory(display_name=f"Tied{i}") for i in range(3)]
    for i, player in enumerate(tied):
        play(player, score=800, seconds=40, at=NOW - timedelta(minutes=30 - i))
    last = PlayerFactory(display_name="Last")
    play(last, score=100)

    own = leaderboard.standing(ALL, tied[2], now=NOW)
    assert own.rank == 2
    assert [(e.rank, e.name) for e in own.entries] == [
        (2, "Tied0"),
        (2, "Tied1"),
        (2, "Tied2"),
        (5, "Last"),
    ]
    first = leaderboard.standing(ALL, leader, now=NOW)
    assert first.above == [] and [e.rank for e in first.entries] == [1, 2, 2]
    bottom = leaderboard.standing(ALL, last.pk, now=NOW)
    assert bottom.below == [] and [e.rank for e in bottom.entries] == [2, 2, 5]


def test_a_player_with_no_quizzes_has_no_standing(backend):
    play(score=500)
    newcomer = PlayerFactory()

    assert leaderboard.standing(ALL, newcomer, now=NOW) is None
    assert leaderboard.standing(board_for("today"), newcomer, now=NOW) is None


def test_anonymous_and_unfinished_quizzes_do_not_count(backend):
    anonymous = FinishedAttemptFactory(player=None, session_key="abc", finished_at=NOW)
    active = QuizAttemptFactory(score=900)
    leaderboard.attempt_changed(anonymous, now=NOW)
    leaderboard.attempt_changed(active, now=NOW)

    assert leaderboard.top(ALL, now=NOW) == []


def test_a_claimed_quiz_joins_the_board(backend, django_capture_on_commit_callbacks):
    attempt = FinishedAttemptFactory(player=None, session_key="abc", score=700, finished_at=NOW)
    player = PlayerFactory(display_name="Newcomer")
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        QuizAttempt.objects.filter(pk=attempt.pk).update(player=player, session_key="")
        attempt.refresh_from_db()
        transaction.on_commit(lambda: leaderboard.attempt_changed(attempt, now=NOW))

    assert ranking() == [(1, "Newcomer", 700)]


def test_rank_for_is_the_rank_a_result_earns(backend):
    play(score=900, seconds=50)
    play(score=800, seconds=40)
    play(score=800, seconds=40)

    assert leaderboard.rank_for(ALL, 1000, 99, now=NOW) == 1
    assert leaderboard.rank_for(ALL, 900, 50, now=NOW) == 1
    assert leaderboard.rank_for(ALL, 800, 40, now=NOW) == 2
    assert leaderboard.rank_for(ALL, 800, 39.5, now=NOW) == 2
    assert leaderboard.rank_for(ALL, 800, 41, now=NOW) == 4
    assert leaderboard.rank_for(board_for("today", difficulty="hard"), 10, 500, now=NOW) == 1


def test_a_voided_best_quiz_drops_out_and_the_next_best_counts(backend):
    fan = PlayerFactory(display_name="Fan")
    play(fan, score=400)
    best = play(fan, score=900)

    best.voided = True
    best.save(update_fields=["voided"])
    leaderboard.attempt_changed(best, now=NOW)
    assert ranking() == [(1, "Fan", 400)]

    best.voided = False
    best.save(update_fields=["voided"])
    leaderboard.attempt_changed(best, now=NOW)
    assert ranking() == [(1, "Fan", 900)]


def test_a_voided_only_quiz_leaves_the_board(backend):
    attempt = play(PlayerFactory(display_name="Cheat"), score=999)
    other = play(PlayerFactory(display_name="Honest"), score=10)

    attempt.voided = True
    attempt.save(update_fields=["voided"])
    leaderboard.attempt_changed(attempt, now=NOW)

    assert ranking() == [(1, "Honest", 10)]
    assert leaderboard.standing(ALL, attempt.player, now=NOW) is None
    assert leaderboard.standing(ALL, other.player, now=NOW).rank == 1


def test_a_hidden_display_name_shows_as_hidden_player(backend):
    offender = PlayerFactory(display_name="Rude name")
    play(offender, score=500)
    offender.display_name_hidden = True
    offender.save(update_fields=["display_name_hidden"])

    assert ranking() == [(1, "Hidden player", 500)]
    assert leaderboard.standing(ALL, offender, now=NOW).entry.name == "Hidden player"


def test_a_deleted_account_leaves_the_board(backend, django_capture_on_commit_callbacks):
    leaving = PlayerFactory(display_name="Leaving")
    play(leaving, score=900)
    play(PlayerFactory(display_name="Staying"), score=100)

    player_id = leaving.pk
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        leaving.user.delete()
        transaction.on_commit(lambda: leaderboard.player_removed(player_id))

    assert ranking() == [(1, "Staying", 100)]
    assert leaderboard.rank_for(ALL, 100, 60, now=NOW) == 1
    assert leaderboard.standing(ALL, player_id, now=NOW) is None


def test_rebuild_reproduces_the_boards_from_the_database(backend):
    fan = PlayerFactory(display_name="Fan")
    play(fan, score=400, at=NOW - timedelta(days=3))
    play(fan, score=300, at=NOW - timedelta(hours=3), difficulty="hard", watched_through=2)
    play(PlayerFactory(display_name="Rival"), score=300, seconds=30, at=NOW - timedelta(hours=1))
    voided = play(PlayerFactory(display_name="Voided"), score=999)
    QuizAttempt.objects.filter(pk=voided.pk).update(voided=True)  # not yet recorded
    boards = [
        Board(period, length=length, difficulty=difficulty, watched_through=watched)
        for period in ("today", "week", "all")
        for length in (5, 10)
        for difficulty in ("hard", "easy")
        for watched in (2, 6)
    ]
    before = {board: [e[1:] for e in ranking(board) if e[1] != "Voided"] for board in boards}

    assert leaderboard.rebuild(now=NOW) > 0

    after = {board: ranking(board) for board in boards}
    assert {board: [e[1:] for e in rows] for board, rows in after.items()} == before
    assert after[board_for("today")] == [(1, "Rival", 300)]
    assert after[board_for("all")] == [(1, "Fan", 400), (2, "Rival", 300)]
    assert after[board_for("today", difficulty="hard", watched_through=2)] == [(1, "Fan", 300)]


def test_rebuild_drops_boards_of_ended_periods(backend):
    play(score=500, at=NOW - timedelta(hours=1))
    later = NOW + timedelta(days=8)

    leaderboard.rebuild(now=later)

    assert leaderboard.top(board_for("today"), now=NOW) == []
    assert leaderboard.top(board_for("week"), now=NOW) == []
    assert [e.score for e in leaderboard.top(ALL, now=later)] == [500]


def test_rebuild_command_and_generator(backend):
    call_command(
        "generate_leaderboard_data", players=30, attempts=200, seed=7, stdout=io.StringIO()
    )

    assert QuizAttempt.objects.counted().count() == 200
    busiest = Board(length=10, difficulty="mixed", watched_through=6)
    board = leaderboard.top(busiest)
    assert 0 < len(board) <= 30
    call_command("rebuild_leaderboards", stdout=io.StringIO())
    assert leaderboard.top(busiest) == board


def test_database_backend_keeps_one_row_per_player_and_board(settings):
    settings.LEADERBOARD_BACKEND = "database"
    fan = PlayerFactory()
    play(fan, score=100, difficulty="easy", watched_through=1)
    play(fan, score=200, difficulty="easy", watched_through=1)

    # One board per period for the quiz's format, one row each.
    assert LeaderboardEntry.objects.filter(player=fan).count() == 3
    assert set(LeaderboardEntry.objects.values_list("score", flat=True)) == {200}


DEFAULT = Board("all", length=10, difficulty="mixed", watched_through=6)


@pytest.mark.parametrize(
    ("params", "board"),
    [
        ({}, DEFAULT),
        (
            {"period": "week", "length": "5", "difficulty": "hard", "watched": "3"},
            Board("week", length=5, difficulty="hard", watched_through=3),
        ),
        (
            {"period": "today", "length": "20", "watched": "0", "timed": "1"},
            Board("today", length=20, difficulty="mixed", watched_through=0, timed=True),
        ),
        ({"period": "", "length": "", "difficulty": "", "watched": "", "timed": ""}, DEFAULT),
    ],
)
def test_board_form_reads_filters(params, board):
    form = BoardForm(params)
    assert form.is_valid(), form.errors
    assert form.board() == board


def test_board_form_defaults_to_the_viewers_last_choices_and_ignores_stale_ones():
    last = {"length": 5, "difficulty": "hard", "watched": 2}
    form = BoardForm({"length": "20"}, defaults=last)
    assert form.is_valid()
    assert form.board() == Board(length=20, difficulty="hard", watched_through=2)
    stale = BoardForm({}, defaults={"length": 15, "difficulty": "", "watched": None})
    assert stale.is_valid()
    assert stale.board() == DEFAULT


def test_valid_board_without_filters_answers_as_the_form_for_every_default_and_is_bounded(
    monkeypatch,
):
    """valid_board answers a request without filters by the defaults alone: the
    same board and memo key as the form, for valid, stale and missing defaults
    (each asked twice: the second from its table), and never more entries than
    its bound."""
    from django.http import QueryDict

    monkeypatch.setattr(BoardForm, "_by_defaults", {})
    monkeypatch.setattr(BoardForm, "BY_DEFAULTS_ENTRIES", 20)
    defaults = [
        {"watched": watched, "difficulty": difficulty, "length": length}
        for watched in (None, 0, 3, 6, 9)
        for difficulty in (None, "", "hard", "mixed", "insane")
        for length in (None, 5, 15)
    ]
    for _ in range(2):
        for last in defaults:
            form = BoardForm(QueryDict(""), defaults=last)
            assert form.is_valid()
            assert BoardForm.valid_board(QueryDict(""), defaults=last) == (
                form.board(),
                form.memo_key,
            ), last
    assert len(BoardForm._by_defaults) == 20
    # With filters, the filters count: never an answer kept for the defaults alone.
    week = BoardForm.valid_board(QueryDict("period=week"), defaults=defaults[0])
    assert week[0] == Board("week", length=10, difficulty="mixed", watched_through=6)


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"period": "month"}, "period"),
        ({"length": "15"}, "length"),
        ({"length": "x"}, "length"),
        ({"difficulty": "impossible"}, "difficulty"),
        ({"difficulty": "all"}, "difficulty"),
        ({"watched": "7"}, "watched"),
        ({"watched": "-1"}, "watched"),
        ({"watched": "all"}, "watched"),
        ({"watched": "x" * 500}, "watched"),
        ({"timed": "true"}, "timed"),
    ],
)
def test_board_form_rejects_unknown_filters(params, field):
    form = BoardForm(params)
    assert not form.is_valid()
    assert "Unknown" in form.errors[field][0]


def test_board_from_attempt_is_the_board_of_its_format():
    attempt = QuizAttemptFactory.build(
        difficulty="hard", watched_through=4, length=20, timed=True, finished=True
    )
    attempt.player_id = 1
    assert Board.from_attempt(attempt) == Board(
        "all", length=20, difficulty="hard", watched_through=4, timed=True
    )
    assert Board.from_attempt(attempt, period="week").key(NOW) == "week:2026-03-09:free:20:hard:4:1"
    assert board_for("today").key(NOW) == "day:2026-03-11:free:5:easy:6:0"


def test_board_refuses_unknown_values():
    with pytest.raises(ValueError, match="period"):
        Board("month", **FMT)
    with pytest.raises(ValueError, match="spoiler level"):
        board_for(watched_through=9)
    with pytest.raises(ValueError, match="length"):
        board_for(length=15)
    with pytest.raises(ValueError, match="difficulty"):
        board_for(difficulty="all")
    with pytest.raises(ValueError, match="mode"):
        board_for(mode="episode")
    with pytest.raises(TypeError):
        Board("all")  # a board is always one format


def test_best_per_board_with_a_long_history(backend):
    """A player's many quizzes across formats: each board shows that format's best quiz."""
    import random

    rng = random.Random(7)
    player = PlayerFactory(display_name="Regular")
    played = []
    for n in range(40):
        difficulty = rng.choice(["easy", "hard", "mixed"])
        watched = rng.choice([0, 6])
        length = rng.choice([5, 10])
        timed = rng.random() < 0.3
        at = NOW - timedelta(days=rng.choice([0, 0, 1, 3, 9, 30]), minutes=n + 1)
        score = rng.randrange(0, 3000, 50)
        seconds = rng.choice([20.0, 35.5, 60.0])
        played.append(
            play(
                player,
                score=score,
                seconds=seconds,
                at=at,
                difficulty=difficulty,
                watched_through=watched,
                length=length,
                timed=timed,
            )
        )
    for period in ("all", "week", "today"):
        start = leaderboard.period_bounds(period, NOW)
        for fmt in itertools.product((5, 10), ("easy", "hard", "mixed"), (0, 6), (False, True)):
            length, difficulty, watched, timed = fmt
            board = Board(
                period, length=length, difficulty=difficulty, watched_through=watched, timed=timed
            )
            counted = [
                a
                for a in played
                if (start is None or start[0] <= a.finished_at < start[1])
                and (a.length, a.difficulty, a.watched_through, a.timed) == fmt
            ]
            entries = leaderboard.top(board, now=NOW)
            if not counted:
                assert entries == []
                continue
            best = min(counted, key=lambda a: (-a.score, a.seconds, a.finished_at))
            assert [(e.score, e.seconds) for e in entries] == [(best.score, best.seconds)], board
