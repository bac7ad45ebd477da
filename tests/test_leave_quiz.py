"""Leaving a quiz asks first: the link leads to a confirmation page, only its POST ends the quiz."""

import pytest
from django.urls import reverse

from quiz.models import QuizAttempt
from tests.playing import answer_all, latest_attempt, make_bank, question_url, start

pytestmark = pytest.mark.django_db


@pytest.fixture
def attempt(client):
    make_bank(10)
    start(client)
    return latest_attempt()


def test_question_page_links_to_a_confirmation_instead_of_leaving(client, attempt):
    html = client.get(question_url(attempt, 1)).content.decode()
    abandon_url = reverse("quiz:abandon", args=[attempt.public_id])
    assert f'href="{abandon_url}"' in html
    assert f'action="{abandon_url}"' not in html  # no one-tap leave form on the question
    # The leave link is apart from the Answer button: after it, in its own block.
    assert html.index('class="leave"') > html.index(">Answer</button>")


@pytest.mark.parametrize("htmx", [False, True])
def test_confirmation_page_changes_nothing(client, attempt, htmx):
    headers = {"HX-Request": "true"} if htmx else {}
    response = client.get(reverse("quiz:abandon", args=[attempt.public_id]), headers=headers)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Leave this quiz for good?" in html
    assert 'class="danger"' in html and "Keep playing" in html
    assert attempt.get_absolute_url() in html
    attempt.refresh_from_db()
    assert attempt.status == QuizAttempt.Status.ACTIVE


def test_confirming_leaves_the_quiz(client, attempt):
    response = client.post(reverse("quiz:abandon", args=[attempt.public_id]), follow=True)
    assert "Quiz abandoned" in response.content.decode()
    attempt.refresh_from_db()
    assert attempt.status == QuizAttempt.Status.ABANDONED


def test_resume_list_asks_too(client, attempt):
    html = client.get("/").content.decode()
    assert reverse("quiz:abandon", args=[attempt.public_id]) in html
    assert "Leave this quiz…" in html
    assert 'action="' + reverse("quiz:abandon", args=[attempt.public_id]) not in html


def test_no_confirmation_for_a_finished_quiz(client, attempt):
    answer_all(client, attempt)
    response = client.get(reverse("quiz:abandon", args=[attempt.public_id]))
    assert response.status_code == 302
    assert response["Location"] == attempt.get_absolute_url()


def test_someone_elses_quiz_is_404(client, attempt):
    client.cookies.clear()
    assert client.get(reverse("quiz:abandon", args=[attempt.public_id])).status_code == 404
