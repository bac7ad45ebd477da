"""Helpers for the rating tests: finished quizzes with chosen answers, rated as play rates them."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from quiz import rating
from quiz.models import QuizAttempt
from tests.factories import AttemptQuestionFactory, QuizAttemptFactory


def finished_quiz(answers, player=None, *, status=QuizAttempt.Status.FINISHED) -> QuizAttempt:
    """A quiz of `answers` ((question, right) pairs) by `player` (None: anonymous).

    A finished one is rated by quiz.rating.rate_quiz, the function play.answer
    calls in the finishing transaction.
    """
    finished = status == QuizAttempt.Status.FINISHED
    attempt = QuizAttemptFactory(
        player=player,
        session_key="" if player else "browser",
        status=status,
        finished_at=timezone.now() if finished else None,
        length=len(answers),
        answered_count=len(answers),
        rated_for_player=finished and player is not None,
    )
    for position, (question, right) in enumerate(answers):
        AttemptQuestionFactory(
            attempt=attempt,
            position=position,
            question=question,
            answered_at=timezone.now(),
            chosen_key="k1" if right else "k2",
            is_correct=right,
        )
    if finished:
        with transaction.atomic():
            rating.rate_quiz(attempt)
    return attempt


def ratings_snapshot(questions=None, players=None) -> dict:
    """Every stored rating and count, exactly (floats compared with ==)."""
    from quiz.models import Player, Question

    return {
        "questions": sorted(
            Question.objects.values_list(
                "pk", "rating", "rated_answers", "answer_count", "correct_count"
            )
        ),
        "players": sorted(Player.objects.values_list("pk", "rating", "rated_answers")),
    }
