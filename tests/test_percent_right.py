"""After an answer: "n % of players got this right", from the answers in finished quizzes."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.urls import reverse

from quiz.models import AttemptQuestion, Question, QuizAttempt
from tests.factories import PlayerFactory, QuestionFactory
from tests.playing import latest_attempt, question_url, start
from tests.rated import finished_quiz

pytestmark = pytest.mark.django_db

SENTENCE = "of players got this right"


@pytest.fixture
def bank():
    return QuestionFactory.create_batch(5)


def history(questions, quizzes: int, right_every: int = 3):
    """`quizzes` finished quizzes of these questions; every right_every-th answer wrong."""
    for n in range(quizzes):
        finished_quiz([(q, (n + i) % right_every != 0) for i, q in enumerate(questions)])


def stored_percent(question_id: int) -> int:
    answers = AttemptQuestion.objects.filter(
        question_id=question_id,
        attempt__status=QuizAttempt.Status.FINISHED,
        answered_at__isnull=False,
    )
    return round(100 * answers.filter(is_correct=True).count() / answers.count())


def answer(client, attempt, number, *, htmx=False):
    headers = {"HX-Request": "true"} if htmx else {}
    client.get(question_url(attempt, number), headers=headers)
    item = attempt.items.get(position=number - 1)
    response = client.post(
        question_url(attempt, number), {"option": item.correct_key}, headers=headers, follow=True
    )
    return item, response.content.decode()


def test_no_percentage_below_twenty_answers(client, bank):
    history(bank, Question.PERCENT_RIGHT_MIN_ANSWERS - 1)
    start(client, length=5)
    attempt = latest_attempt()
    for number in range(1, 5):
        _, html = answer(client, attempt, number)
        assert "Correct!" in html
        assert SENTENCE not in html


def test_percentage_from_twenty_answers_matches_the_stored_answers(client, bank):
    history(bank, Question.PERCENT_RIGHT_MIN_ANSWERS)
    start(client, length=5)
    attempt = latest_attempt()
    for number in range(1, 6):
        item, html = answer(client, attempt, number, htmx=True)
        assert f"{stored_percent(item.question_id)} % {SENTENCE}" in html
    # The last answer finished the quiz: the feedback it swaps in counts it already.
    question = Question.objects.get(pk=item.question_id)
    assert question.answer_count == Question.PERCENT_RIGHT_MIN_ANSWERS + 1
    assert f"{stored_percent(question.pk)} % {SENTENCE}" in html


def test_the_htmx_feedback_shows_the_percentage(client, bank):
    history(bank, 25, right_every=5)
    start(client, length=5)
    attempt = latest_attempt()
    item, html = answer(client, attempt, 1, htmx=True)
    assert "<html" not in html
    assert f"{stored_percent(item.question_id)} % {SENTENCE}" in html
    assert stored_percent(item.question_id) == 80


def test_the_percentage_never_shows_before_answering(client, bank):
    history(bank, 30)
    start(client, length=5)
    attempt = latest_attempt()
    html = client.get(question_url(attempt, 1)).content.decode()
    assert SENTENCE not in html


def test_only_finished_quizzes_count(client, bank):
    player = PlayerFactory()
    client.force_login(player.user)
    start(client, length=5)
    attempt = latest_attempt()
    for number in range(1, 5):
        answer(client, attempt, number)
    assert sum(Question.objects.values_list("answer_count", flat=True)) == 0
    client.post(reverse("quiz:abandon", args=[attempt.public_id]))
    assert latest_attempt().status == QuizAttempt.Status.ABANDONED
    finished_quiz([(bank[0], True)], status=QuizAttempt.Status.ABANDONED)
    finished_quiz([(bank[0], True)], status=QuizAttempt.Status.ACTIVE)
    assert sum(Question.objects.values_list("answer_count", flat=True)) == 0
    start(client, length=5)
    attempt = latest_attempt()
    for number in range(1, 6):
        answer(client, attempt, number)
    counts = Question.objects.values_list("answer_count", "correct_count")
    assert sorted(counts) == [(1, 1)] * 5


def test_a_deleted_question_shows_no_percentage(client, bank):
    history(bank, 30)
    start(client, length=5)
    attempt = latest_attempt()
    client.get(question_url(attempt, 1))
    item = attempt.items.get(position=0)
    Question.objects.filter(pk=item.question_id).delete()
    html = client.post(question_url(attempt, 1), {"option": item.correct_key}, follow=True)
    assert "Correct!" in html.content.decode()
    assert SENTENCE not in html.content.decode()


def test_the_migration_recounts_from_finished_quizzes(bank):
    history(bank, 4)
    finished_quiz([(bank[0], True)], status=QuizAttempt.Status.ACTIVE)
    finished_quiz([(bank[1], False)], status=QuizAttempt.Status.ABANDONED)
    expected = sorted(Question.objects.values_list("pk", "answer_count", "correct_count"))
    Question.objects.update(answer_count=99, correct_count=42)
    migration = importlib.import_module("quiz.migrations.0013_calibration")
    migration.recount(apps, None)
    assert sorted(Question.objects.values_list("pk", "answer_count", "correct_count")) == expected
    assert expected[0][1] == 4
