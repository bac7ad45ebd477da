"""The visitor's session state: watched level, anonymous quizzes and claiming them."""

import ast
from pathlib import Path

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.backends.db import SessionStore
from django.test import RequestFactory

from quiz import visitor
from quiz.models import Player, QuizAttempt
from tests.factories import PlayerFactory, QuizAttemptFactory

pytestmark = pytest.mark.django_db


def request_for(user=None):
    request = RequestFactory().get("/")
    request.session = SessionStore()
    request.session.save()
    request.user = user or AnonymousUser()
    return request


@pytest.mark.parametrize(("stored", "expected"), [(3, 3), (0, 0), (6, 6), (7, None), ("3", None)])
def test_an_anonymous_visitors_watched_level_comes_from_the_session(stored, expected):
    request = request_for()
    request.session[visitor.SESSION_WATCHED] = stored
    assert visitor.remembered_watched(request) == expected


def test_a_players_choices_are_stored_on_the_player_not_the_session():
    player = PlayerFactory(watched_through=None)
    request = request_for(player.user)
    request.session[visitor.SESSION_WATCHED] = 1
    visitor.remember_choices(request, watched=4, difficulty="hard", length=20)
    player.refresh_from_db()
    assert (player.watched_through, player.difficulty, player.quiz_length) == (4, "hard", 20)
    assert request.session[visitor.SESSION_WATCHED] == 1
    assert visitor.remembered_watched(request) == 4
    assert visitor.remembered_choices(request) == {
        "watched_through": 4,
        "difficulty": "hard",
        "length": 20,
    }


@pytest.mark.parametrize(
    ("difficulty", "length", "expected"),
    [("easy", 5, {"difficulty": "easy", "length": 5}), ("insane", 7, {}), (None, "10", {})],
)
def test_an_anonymous_visitors_difficulty_and_length_come_from_the_session(
    difficulty, length, expected
):
    request = request_for()
    request.session[visitor.SESSION_DIFFICULTY] = difficulty
    request.session[visitor.SESSION_LENGTH] = length
    assert visitor.remembered_choices(request) == expected


def test_signing_in_fills_the_players_blank_choices_from_the_session():
    request = request_for()
    visitor.remember_choices(request, watched=3, difficulty="medium", length=5)
    fresh = PlayerFactory(watched_through=None)
    visitor.keep_session_choices(request, fresh)
    fresh.refresh_from_db()
    assert (fresh.watched_through, fresh.difficulty, fresh.quiz_length) == (3, "medium", 5)
    settled = PlayerFactory(watched_through=6, difficulty="hard", quiz_length=20)
    visitor.keep_session_choices(request, settled)
    settled.refresh_from_db()
    assert (settled.watched_through, settled.difficulty, settled.quiz_length) == (6, "hard", 20)


def test_the_session_keeps_the_newest_twenty_anonymous_quizzes():
    request = request_for()
    attempts = QuizAttemptFactory.create_batch(25, player=None, session_key="x" * 32)
    for attempt in attempts:
        visitor.remember_anonymous_attempt(request, attempt)
    kept = request.session[visitor.SESSION_ANON_ATTEMPTS]
    assert kept == [str(a.public_id) for a in attempts[-visitor.ANON_ATTEMPTS_KEPT :]]
    assert len(kept) == 20


def test_claiming_gives_the_sessions_quizzes_to_the_player_once():
    request = request_for()
    mine = QuizAttemptFactory(player=None, session_key=request.session.session_key)
    visitor.remember_anonymous_attempt(request, mine)
    player = PlayerFactory()
    assert visitor.claim_session_attempts(request, player) == 1
    assert QuizAttempt.objects.get(pk=mine.pk).player == player
    assert visitor.SESSION_ANON_ATTEMPTS not in request.session
    assert visitor.claim_session_attempts(request, player) == 0


def test_the_visitor_is_a_player_only_when_signed_in():
    assert visitor.player(request_for()) is None
    user = PlayerFactory().user
    assert visitor.player(request_for(user)) == Player.objects.get(user=user)


def test_account_views_do_not_import_the_play_views():
    import quiz.views.accounts as accounts

    tree = ast.parse(Path(accounts.__file__).read_text())
    imported = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    assert "quiz.views.play" not in imported
    assert accounts.claim_session_attempts is visitor.claim_session_attempts
