"""The home page's quizzes to pick up are read with only the columns it shows
(quiz.prepared.active_shown_of_*): the same quizzes, in the same order, as the whole rows."""

import pytest

from quiz import play, prepared
from quiz.models import Bank, Player, QuizAttempt
from tests.factories import PlayerFactory, QuestionFactory, UserFactory

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


def test_read_with_the_user_the_same_quizzes():
    """The signed-in home page reads its user with their quizzes to pick up
    (prepared.user_with_resumable): the same quizzes, in the same order, and the user
    with their player and its remembered choices."""
    QuestionFactory.create_batch(30)
    player = PlayerFactory(watched_through=3, difficulty="hard", quiz_length=20)
    other = PlayerFactory()
    for i in range(7):
        quiz(["easy", "mixed"][i % 2], [5, 10, 20][i % 3], player=player)
    quiz("easy", 5, player=other)
    first = QuizAttempt.objects.filter(player=player).order_by("-pk").first()  # the newest
    QuizAttempt.objects.filter(pk=first.pk).update(status=QuizAttempt.Status.FINISHED)
    user, resumable = prepared.user_with_resumable(player.user_id)
    assert len(resumable) == 5
    assert shown(resumable) == shown(prepared.active_of_player.all(player_id=player.pk))
    assert all(type(a) is QuizAttempt and not a._state.adding for a in resumable)
    assert user.pk == player.user_id and user.is_active
    assert user.get_session_auth_hash() == player.user.get_session_auth_hash()
    assert (user.player.pk, user.player.user_id) == (player.pk, player.user_id)
    assert (user.player.watched_through, user.player.difficulty, user.player.quiz_length) == (
        3,
        "hard",
        20,
    )


def test_read_with_the_user_none_to_pick_up():
    QuestionFactory.create_batch(30)
    player = PlayerFactory()
    QuizAttempt.objects.filter(pk=quiz("easy", 5, player=player).pk).update(
        status=QuizAttempt.Status.ABANDONED
    )
    quiz("easy", 5, session_key="s1")
    user, resumable = prepared.user_with_resumable(player.user_id)
    assert (user.pk, user.player.pk, resumable) == (player.user_id, player.pk, [])
    # A user without a player yet: none, and no player.
    lone = UserFactory()
    user, resumable = prepared.user_with_resumable(lone.pk)
    assert (user.pk, resumable) == (lone.pk, [])
    with pytest.raises(Player.DoesNotExist):
        user.player  # noqa: B018
    assert prepared.user_with_resumable(lone.pk + 1000) == (None, [])
