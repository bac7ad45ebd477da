"""Who owns an attempt: one rule, QuizAttempt.objects.owned_by(user, session_key)."""

import pytest
from django.contrib.auth.models import AnonymousUser

from quiz.models import Player, QuizAttempt
from quiz.play import recently_seen_ids
from tests.factories import (
    AttemptQuestionFactory,
    PlayerFactory,
    QuestionFactory,
    QuizAttemptFactory,
)

pytestmark = pytest.mark.django_db


def owned(user, session_key):
    return set(QuizAttempt.objects.owned_by(user, session_key))


def test_a_signed_in_user_owns_their_players_attempts_only():
    mine = QuizAttemptFactory()
    QuizAttemptFactory()
    anonymous = QuizAttemptFactory(player=None, session_key="k" * 32)
    user = mine.player.user
    assert owned(user, None) == {mine}
    # Their browser's session key does not add the anonymous attempts under it.
    assert owned(user, anonymous.session_key) == {mine}


def test_an_anonymous_visitor_owns_their_sessions_unclaimed_attempts():
    theirs = QuizAttemptFactory(player=None, session_key="a" * 32)
    QuizAttemptFactory(player=None, session_key="b" * 32)
    # A claimed attempt keeps no session key, but even one that did is not theirs.
    QuizAttemptFactory(session_key="a" * 32)
    assert owned(AnonymousUser(), "a" * 32) == {theirs}
    assert owned(None, "a" * 32) == {theirs}


@pytest.mark.parametrize("session_key", [None, ""])
def test_no_session_key_owns_nothing(session_key):
    QuizAttemptFactory(player=None, session_key="")
    assert owned(AnonymousUser(), session_key) == set()


def test_recently_seen_questions_follow_the_same_rule():
    player = PlayerFactory()
    seen = AttemptQuestionFactory(attempt__player=player, question=QuestionFactory())
    AttemptQuestionFactory(question=QuestionFactory())
    anon = AttemptQuestionFactory(
        attempt__player=None, attempt__session_key="s" * 32, question=QuestionFactory()
    )
    assert recently_seen_ids(Player.objects.get(pk=player.pk), "") == {seen.question_id}
    assert recently_seen_ids(None, "s" * 32) == {anon.question_id}
    assert recently_seen_ids(None, "") == set()
