"""Abandoned and stale quizzes are cleaned up with expired sessions."""

from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.utils import timezone

from quiz.models import QuizAttempt
from tests.factories import QuizAttemptFactory

pytestmark = pytest.mark.django_db


def test_clean_up_command():
    now = timezone.now()
    stale = QuizAttemptFactory(started_at=now - timedelta(days=8))
    fresh = QuizAttemptFactory(started_at=now - timedelta(hours=2))
    abandoned = QuizAttemptFactory(status=QuizAttempt.Status.ABANDONED)
    finished = QuizAttemptFactory(finished=True, started_at=now - timedelta(days=30))
    Session.objects.create(session_key="old", session_data="x", expire_date=now - timedelta(days=1))
    Session.objects.create(session_key="new", session_data="x", expire_date=now + timedelta(days=1))
    out = StringIO()
    call_command("clean_up_quizzes", stdout=out)
    assert "Abandoned 1 stale quiz(zes), deleted 2 abandoned quiz(zes)" in out.getvalue()
    remaining = set(QuizAttempt.objects.values_list("pk", flat=True))
    assert remaining == {fresh.pk, finished.pk}
    assert stale.pk not in remaining and abandoned.pk not in remaining
    assert list(Session.objects.values_list("session_key", flat=True)) == ["new"]


def test_a_quiz_played_today_is_not_stale_however_long_ago_it_started():
    """The old clean-up measured a week from the start and deleted a quiz answered seconds earlier."""
    from tests.factories import AttemptQuestionFactory

    now = timezone.now()
    playing = QuizAttemptFactory(started_at=now - timedelta(days=8))
    AttemptQuestionFactory(
        attempt=playing,
        position=0,
        served_at=now - timedelta(minutes=2),
        answered_at=now - timedelta(seconds=30),
    )
    idle = QuizAttemptFactory(started_at=now - timedelta(days=9))
    AttemptQuestionFactory(attempt=idle, position=0, served_at=now - timedelta(days=8))
    out = StringIO()
    call_command("clean_up_quizzes", stdout=out)
    assert "Abandoned 1 stale quiz(zes)" in out.getvalue()
    assert set(QuizAttempt.objects.values_list("pk", flat=True)) == {playing.pk}


def test_expired_rate_limit_counters_are_cleared():
    from quiz.models import Counter

    Counter.objects.create(key="hhquiz:1:rl:old", value=3, expires_at=0.0)
    Counter.objects.create(key="hhquiz:1:rl:live", value=3, expires_at=4_000_000_000.0)
    out = StringIO()
    call_command("clean_up_quizzes", stdout=out)
    assert "and 1 expired counter(s)" in out.getvalue()
    assert list(Counter.objects.values_list("key", flat=True)) == ["hhquiz:1:rl:live"]
