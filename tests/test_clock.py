"""The clock starts when a question is first shown, and only then.

No response shows a question's text or options before it is served: a 409 for
a later question, a 400 for an empty answer, a 409 report page. An answer to a
question never served is refused, so reading ahead earns nothing and a quiz
cannot be finished in 0 seconds.
"""

import pytest

from quiz import play
from quiz.models import QuizAttempt
from tests.playing import latest_attempt, make_bank, option_keys, question_url, start

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


@pytest.fixture
def attempt(client):
    make_bank(20)
    start(client, length=5)
    return latest_attempt()


def _assert_nothing_of(item, html: str) -> None:
    assert item.text not in html
    for option in item.options:
        assert option["key"] not in html
    assert option_keys(html) == []


@pytest.mark.parametrize("headers", [{}, HTMX], ids=["page", "htmx"])
def test_a_later_question_is_not_shown_by_its_409(client, attempt, headers):
    client.get(question_url(attempt, 1))
    later = attempt.items.get(position=2)
    response = client.post(
        question_url(attempt, 3), {"option": later.options[0]["key"]}, headers=headers
    )
    assert response.status_code == 409
    html = response.content.decode()
    assert "not the current question" in html
    assert "Go to your current question" in html
    _assert_nothing_of(later, html)
    later.refresh_from_db()
    assert later.served_at is None and later.answered_at is None


@pytest.mark.parametrize("headers", [{}, HTMX], ids=["page", "htmx"])
def test_an_empty_answer_to_an_unserved_question_shows_nothing(client, attempt, headers):
    first = attempt.items.get(position=0)
    response = client.post(question_url(attempt, 1), {}, headers=headers)
    assert response.status_code == 400
    _assert_nothing_of(first, response.content.decode())
    first.refresh_from_db()
    assert first.served_at is None


@pytest.mark.parametrize("position", [1, 3])
def test_a_report_on_an_unanswered_question_shows_nothing(client, attempt, position):
    item = attempt.items.get(position=position - 1)
    for headers in ({}, HTMX):
        response = client.post(
            question_url(attempt, position) + "report/", {"reason": "typo"}, headers=headers
        )
        assert response.status_code == 409
        html = response.content.decode()
        assert "Answer the question before reporting it." in html
        _assert_nothing_of(item, html)


@pytest.mark.parametrize("headers", [{}, HTMX], ids=["page", "htmx"])
def test_an_unserved_question_cannot_be_answered(client, attempt, headers):
    first = attempt.items.get(position=0)
    response = client.post(question_url(attempt, 1), {"option": first.correct_key}, headers=headers)
    assert response.status_code == 409
    assert "Open this question before answering it." in response.content.decode()
    _assert_nothing_of(first, response.content.decode())
    attempt.refresh_from_db()
    assert attempt.answered_count == 0 and attempt.score == 0
    # Once shown, it is answered as usual.
    assert client.get(question_url(attempt, 1)).status_code == 200
    client.post(question_url(attempt, 1), {"option": first.correct_key})
    attempt.refresh_from_db()
    assert attempt.answered_count == 1


def test_a_quiz_cannot_be_finished_without_loading_its_questions(client, attempt):
    """The old hole: every answer posted blind finished the quiz with seconds = 0.0."""
    for number in range(1, attempt.length + 1):
        item = attempt.items.get(position=number - 1)
        client.post(question_url(attempt, number), {"option": item.correct_key})
    attempt.refresh_from_db()
    assert attempt.status == QuizAttempt.Status.ACTIVE
    assert attempt.answered_count == 0


def test_reading_ahead_earns_no_speed_bonus(client, attempt):
    """Peeking at every later question reveals nothing to research before its clock starts."""
    for number in range(2, attempt.length + 1):
        later = attempt.items.get(position=number - 1)
        for data in ({"option": "x"}, {}):
            response = client.post(question_url(attempt, number), data)
            _assert_nothing_of(later, response.content.decode())
        response = client.post(question_url(attempt, number) + "report/", {"reason": "typo"})
        _assert_nothing_of(later, response.content.decode())


def test_the_domain_refuses_an_answer_to_an_unserved_question(attempt):
    item = attempt.items.get(position=0)
    with pytest.raises(play.AnswerRejected, match="Open this question"):
        play.answer(attempt, item, item.correct_key)
    play.mark_served(item)
    assert play.answer(attempt, item, item.correct_key).recorded_now
