"""The home page's quizzes to pick up are read with only the columns it shows
(quiz.prepared.active_shown_of_*): the same quizzes, in the same order, as the whole rows."""

import pytest

from quiz import play, prepared
from quiz.models import Bank, QuizAttempt
from tests.factories import PlayerFactory, QuestionFactory

pytestmark = pytest.mark.django_db

SHOWN = ("pk", "public_id", "difficulty", "answered_count", "length")


def quiz(difficulty, length, **owner):
    return play.start_quiz(
        bank=Bank.objects.get(), difficulty=difficulty, watched_through=6, length=length, **owner
    )


def shown(attempts):
    return [tuple(getattr(a, name) for name in SHOWN) for a in attempts]


def test_the_same_quizzes_as_the_whole_rows():
    QuestionFactory.create_batch(30)
    player, other = PlayerFactory(), PlayerFactory()
    for i in range(7):
        quiz(["easy", "mixed"][i % 2], [5, 10, 20][i % 3], player=player)
    quiz("easy", 5, player=other)
    first = QuizAttempt.objects.filter(player=player).order_by("-pk").first()  # the newest
    QuizAttempt.objects.filter(pk=first.pk).update(status=QuizAttempt.Status.FINISHED)
    for _ in range(3):
        quiz("mixed", 10, session_key="s1")
    quiz("mixed", 10, session_key="s2")
    whole = prepared.active_of_player.all(player_id=player.pk)
    assert len(whole) == 5
    assert shown(prepared.active_shown_of_player.all(player_id=player.pk)) == shown(whole)
    whole = prepared.active_of_session.all(session_key="s1")
    assert len(whole) == 3
    assert shown(prepared.active_shown_of_session.all(session_key="s1")) == shown(whole)
