"""SQLite without the sqlite3 module's type detection: every read still gives Python types.

hhquiz.env turns detect_types off (it cost about 1,400 instructions per column
per statement); Django's converters then do the conversion for ORM reads, and
the project's plain-SQL reads convert what they use.
"""

from __future__ import annotations

import datetime

import pytest
from django.core.cache import cache
from django.db import connection
from django.db.models import Max
from django.utils import timezone

from quiz import prepared
from quiz.leaderboard import Board
from quiz.models import AttemptQuestion, QuizAttempt
from tests.factories import (
    AttemptQuestionFactory,
    FinishedAttemptFactory,
    PlayerFactory,
    QuizAttemptFactory,
)

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's driver setting"),
]


def test_the_connection_detects_no_types():
    connection.ensure_connection()
    assert connection.get_connection_params()["detect_types"] == 0
    with connection.cursor() as cursor:
        cursor.execute("SELECT %s", [timezone.now()])
        assert isinstance(cursor.fetchone()[0], str)  # the driver converts nothing


def test_orm_reads_give_aware_datetimes_dates_and_booleans():
    now = timezone.now().replace(microsecond=0)
    attempt = QuizAttemptFactory(
        player=PlayerFactory(), mode="daily", daily_date=datetime.date(2026, 11, 27), voided=False
    )
    QuizAttempt.objects.filter(pk=attempt.pk).update(finished_at=now)
    item = AttemptQuestionFactory(attempt=attempt, position=0, served_at=now, is_correct=True)

    read = QuizAttempt.objects.get(pk=attempt.pk)
    assert read.finished_at == now and timezone.is_aware(read.finished_at)
    assert read.daily_date == datetime.date(2026, 11, 27)
    assert read.voided is False and read.timed is False
    assert AttemptQuestion.objects.values_list("is_correct", flat=True).get(pk=item.pk) is True
    assert QuizAttempt.objects.aggregate(last=Max("finished_at"))["last"] == now

    compiled = prepared.item_of_player.first(
        public_id=attempt.public_id, position=0, player_id=attempt.player_id
    )
    assert compiled.served_at == now and timezone.is_aware(compiled.served_at)
    assert compiled.is_correct is True and compiled.attempt.voided is False


def test_the_shared_cache_still_expires_entries():
    cache.set("sqlite-types", "kept", 60)
    assert cache.get("sqlite-types") == "kept"
    cache.set("sqlite-types", "gone", -1)
    assert cache.get("sqlite-types") is None


def test_board_rows_read_in_plain_sql_carry_aware_datetimes():
    from quiz import leaderboard

    attempt = FinishedAttemptFactory(difficulty="easy", length=5, watched_through=6)
    leaderboard.result_finished(attempt)
    entries = leaderboard.top(Board(length=5, difficulty="easy", watched_through=6))
    assert [e.player_id for e in entries] == [attempt.player_id]
    assert entries[0].finished_at == QuizAttempt.objects.get(pk=attempt.pk).finished_at
    assert timezone.is_aware(entries[0].finished_at)
