"""The results page: whose quiz it shows, what its review holds, and its query budget.

The page reads the quiz, then (once it is finished) its questions, with SQL
compiled once (quiz.prepared) and the same ownership rule as every quiz page
(QuizAttemptQuerySet.owned_by).
"""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from quiz import leaderboard
from tests.factories import (
    AttemptQuestionFactory,
    FinishedAttemptFactory,
    PlayerFactory,
    QuizAttemptFactory,
    UserFactory,
)
from tests.test_query_budget import budget, per_vendor

pytestmark = pytest.mark.django_db(transaction=True)

AT = dt.datetime(2026, 3, 11, 12, 0, tzinfo=dt.UTC)


def url(attempt) -> str:
    return reverse("quiz:results", args=[attempt.public_id])


def finished(player=None, session_key="", **fields):
    fields.setdefault("share_token", f"t{dt.datetime.now().timestamp()}")
    fields.setdefault("length", 5)
    attempt = FinishedAttemptFactory(
        player=player, session_key=session_key, correct_count=1, finished_at=AT, **fields
    )
    answered = {"answered_at": AT, "is_correct": False}
    AttemptQuestionFactory(
        attempt=attempt,
        position=0,
        text="First <b>",
        chosen_key="k1",
        is_correct=True,
        points=250,
        answered_at=AT,
        explanation="Because <i>so</i>",
    )
    AttemptQuestionFactory(attempt=attempt, position=2, text="Third", chosen_key="", **answered)
    AttemptQuestionFactory(attempt=attempt, position=1, text="Second", chosen_key="k2", **answered)
    return attempt


def anonymous_client() -> Client:
    client = Client()
    session = client.session
    session["seen"] = True
    session.save()
    return client


def test_the_review_lists_every_question_in_order_with_what_happened(client):
    me = PlayerFactory()
    attempt = finished(me)
    client.force_login(me.user)

    html = client.get(url(attempt)).content.decode()

    first, second, third = (html.index(t) for t in ("First &lt;b&gt;", "Second", "Third"))
    assert first < second < third
    assert "✔ Correct" in html and "250 points" in html
    assert "Because &lt;i&gt;so&lt;/i&gt;" in html
    assert "✘ You answered Poppy Liu</span> — the answer is <strong>Tessa Thompson" in html
    assert "✘ Time ran out" in html
    # The card's squares follow the questions' order: right, wrong, wrong.
    assert "Answers in order: right, wrong, wrong" in html


def test_only_the_owner_sees_a_result(client):
    me, other = PlayerFactory(), PlayerFactory()
    mine, theirs = finished(me), finished(other)
    client.force_login(me.user)
    assert client.get(url(mine)).status_code == 200
    assert client.get(url(theirs)).status_code == 404

    anonymous = anonymous_client()
    assert anonymous.get(url(mine)).status_code == 404
    own = finished(session_key=anonymous.session.session_key)
    assert anonymous.get(url(own)).status_code == 200
    assert client.get(url(own)).status_code == 404  # a player never opens a session's quiz
    # A quiz a player claimed is no longer the browser's.
    claimed = finished(player=me, session_key=anonymous.session.session_key)
    assert anonymous.get(url(claimed)).status_code == 404
    assert Client().get(url(own)).status_code == 404  # no session, no quiz

    no_player = Client()
    no_player.force_login(UserFactory())
    assert no_player.get(url(mine)).status_code == 404


def test_an_unfinished_quiz_is_not_reviewed_and_its_questions_are_not_read(
    client, django_assert_num_queries
):
    me = PlayerFactory()
    attempt = QuizAttemptFactory(player=me, length=3)
    AttemptQuestionFactory(attempt=attempt, position=0, text="Unanswered question")
    client.force_login(me.user)
    client.get("/")  # the first request stamps the session (last seen)

    # The session (none with Redis), the quiz with the user and their player.
    with django_assert_num_queries(budget(per_vendor(2, 1))) as queries:
        response = client.get(url(attempt))

    assert response.status_code == 302
    assert "Unanswered question" not in response.content.decode()
    assert not [q for q in queries.captured_queries if "attemptquestion" in q["sql"]]


def test_a_quiz_without_questions_still_shows_its_result(client):
    """Play never makes one, but the admin can."""
    me = PlayerFactory()
    attempt = FinishedAttemptFactory(player=me, share_token="empty", finished_at=AT)
    client.force_login(me.user)

    response = client.get(url(attempt))

    assert response.status_code == 200
    assert 'aria-label="Answers in order: "' in response.content.decode()
    assert (
        client.get(
            reverse("quiz:results", args=["6c1b4a7e-0000-4000-8000-000000000000"])
        ).status_code
        == 404
    )


def test_results_budget(client, django_assert_num_queries):
    """Session, the quiz with the user and their player, its questions, the rank
    (the session and the rank from Redis when configured)."""
    me = PlayerFactory()
    attempt = finished(me)
    for score in (100, 900):
        other = FinishedAttemptFactory(player=PlayerFactory(), score=score, finished_at=AT)
        leaderboard.attempt_changed(other)
    leaderboard.attempt_changed(attempt)
    client.force_login(me.user)
    client.get(url(attempt))

    with django_assert_num_queries(budget(per_vendor(4, 2))):
        html = client.get(url(attempt)).content.decode()
    assert "ranks <strong>#2</strong>" in html


def test_anonymous_results_budget(django_assert_num_queries):
    """Session (from Redis when configured), the quiz, its questions: nothing is
    ranked without an account."""
    anonymous = anonymous_client()
    attempt = finished(session_key=anonymous.session.session_key)

    with django_assert_num_queries(budget(per_vendor(3, 2))):
        html = anonymous.get(url(attempt)).content.decode()
    assert "Sign up to save this score" in html
