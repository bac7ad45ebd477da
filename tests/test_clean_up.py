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
