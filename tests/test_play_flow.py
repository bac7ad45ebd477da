"""A whole quiz through the test client, with and without htmx, anonymous and signed in."""

import pytest
from django.urls import reverse

from quiz.models import QuizAttempt
from tests.factories import BankFactory, PlayerFactory, QuestionFactory
from tests.playing import answer_all, latest_attempt, make_bank, option_keys, question_url, start

pytestmark = pytest.mark.django_db


def test_home_page_shows_start_form(client):
    BankFactory()
    response = client.get("/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "How far have you watched?" in html
    assert "Episode 6 — finished" in html
    assert "Content note" in html
    for n in ("5", "10", "20"):
        assert f'name="length" value="{n}"' in html


def test_start_redirects_to_first_question(client):
    make_bank(10)
    response = start(client)
    attempt = latest_attempt()
    assert response.status_code == 302
    assert response["Location"] == attempt.get_absolute_url()
    response = client.get(attempt.get_absolute_url())
    assert response["Location"] == question_url(attempt, 1)


def test_question_page_shows_progress_and_options(client):
    make_bank(10)
    start(client)
    attempt = latest_attempt()
    html = client.get(question_url(attempt, 1)).content.decode()
    assert "Question 1 of 5" in html
    assert len(option_keys(html)) == 4
    assert 'type="radio"' in html
    item = attempt.items.get(position=0)
    assert item.text in html


def test_full_quiz_without_javascript(client):
    make_bank(10)
    start(client)
    attempt = latest_attempt()
    for number in range(1, 6):
        page = client.get(question_url(attempt, number))
        assert page.status_code == 200
        key = attempt.items.get(position=number - 1).correct_key
        response = client.post(question_url(attempt, number), {"option": key})
        # POST / redirect / GET: the feedback has its own URL, reload-safe.
        assert response.status_code == 302
        assert response["Location"] == question_url(attempt, number)
        feedback = client.get(question_url(attempt, number)).content.decode()
        assert "Correct!" in feedback
    attempt.refresh_from_db()
    assert attempt.status == QuizAttempt.Status.FINISHED
    assert attempt.correct_count == 5
    assert attempt.score >= 500
    results = client.get(reverse("quiz:results", args=[attempt.public_id]))
    html = results.content.decode()
    assert results.status_code == 200
    assert "Quiz complete" in html
    assert "5 / 5" in html
    assert "Sign up to save this score" in html


def test_answer_with_htmx_returns_feedback_fragment(client):
    make_bank(10)
    start(client)
    attempt = latest_attempt()
    client.get(question_url(attempt, 1))
    item = attempt.items.get(position=0)
    wrong = next(o for o in item.options if o["key"] != item.correct_key)
    response = client.post(
        question_url(attempt, 1), {"option": wrong["key"]}, headers={"HX-Request": "true"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert 'id="question-card"' in html
    assert "Not quite." in html
    assert item.correct_text in html
    assert item.explanation in html
    assert "data-autofocus" in html and "data-announce" in html
    assert "Next question" in html
    assert response["Vary"].count("HX-Request") == 1


def test_question_page_full_vs_fragment_vs_history_restore(client):
    make_bank(10)
    start(client)
    attempt = latest_attempt()
    url = question_url(attempt, 1)
    full = client.get(url).content.decode()
    fragment = client.get(url, headers={"HX-Request": "true"}).content.decode()
    restore = client.get(
        url, headers={"HX-Request": "true", "HX-History-Restore-Request": "true"}
    ).content.decode()
    assert "<html" in full
    assert "<html" not in fragment and 'id="question-card"' in fragment
    assert "<html" in restore


def test_next_question_link_pushes_url(client):
    make_bank(10)
    start(client)
    attempt = latest_attempt()
    client.get(question_url(attempt, 1))
    key = attempt.items.get(position=0).correct_key
    html = client.post(
        question_url(attempt, 1), {"option": key}, headers={"HX-Request": "true"}
    ).content.decode()
    assert f'hx-get="{question_url(attempt, 2)}"' in html
    assert 'hx-push-url="true"' in html
    assert f'href="{question_url(attempt, 2)}"' in html


def test_skipping_ahead_redirects_to_current_question(client):
    make_bank(10)
    start(client)
    attempt = latest_attempt()
    response = client.get(question_url(attempt, 3))
    assert response.status_code == 302
    assert response["Location"] == attempt.get_absolute_url()


def test_reload_of_answered_question_shows_recorded_feedback(client):
    make_bank(10)
    start(client)
    attempt = latest_attempt()
    client.get(question_url(attempt, 1))
    item = attempt.items.get(position=0)
    client.post(question_url(attempt, 1), {"option": item.correct_key})
    for _ in range(2):
        html = client.get(question_url(attempt, 1)).content.decode()
        assert "Correct!" in html
        assert 'name="option"' not in html


def test_question_number_out_of_range_is_404(client):
    make_bank(10)
    start(client)
    attempt = latest_attempt()
    assert client.get(question_url(attempt, 0)).status_code == 404
    assert client.get(question_url(attempt, 6)).status_code == 404


def test_signed_in_player_finishes_and_sees_rank(client):
    make_bank(10)
    player = PlayerFactory()
    client.force_login(player.user)
    start(client)
    attempt = latest_attempt()
    assert attempt.player == player
    answer_all(client, attempt, htmx=True)
    assert attempt.status == QuizAttempt.Status.FINISHED
    html = client.get(reverse("quiz:results", args=[attempt.public_id])).content.decode()
    assert "#1" in html
    assert "Sign up to save this score" not in html


def test_results_before_finishing_redirect_to_quiz(client):
    make_bank(10)
    start(client)
    attempt = latest_attempt()
    response = client.get(reverse("quiz:results", args=[attempt.public_id]))
    assert response.status_code == 302


def test_watched_choice_is_remembered_for_anonymous_and_players(client):
    make_bank(10, spoiler_level=0)
    start(client, watched=3)
    html = client.get("/").content.decode()
    assert 'value="3" selected' in html
    player = PlayerFactory()
    client.force_login(player.user)
    start(client, watched=2)
    player.refresh_from_db()
    assert player.watched_through == 2
    assert 'value="2" selected' in client.get("/").content.decode()


def test_resume_and_abandon(client):
    make_bank(10)
    start(client)
    attempt = latest_attempt()
    home = client.get("/").content.decode()
    assert "Pick up where you left off" in home
    assert attempt.get_absolute_url() in home
    response = client.post(reverse("quiz:abandon", args=[attempt.public_id]))
    assert response.status_code == 302
    attempt.refresh_from_db()
    assert attempt.status == QuizAttempt.Status.ABANDONED
    assert "Pick up where you left off" not in client.get("/").content.decode()
    # An abandoned quiz takes no answers.
    item = attempt.items.get(position=0)
    rejected = client.post(question_url(attempt, 1), {"option": item.correct_key})
    assert rejected.status_code == 409
    assert "This quiz is over" in rejected.content.decode()


def test_finale_quiz_shows_content_note_before_first_question(client):
    make_bank(10)
    start(client, watched=6)
    attempt = latest_attempt()
    html = client.get(question_url(attempt, 1)).content.decode()
    assert "Content note" in html and "sexual assault" in html


def test_about_scoring_page(client):
    html = client.get(reverse("quiz:about_scoring")).content.decode()
    assert "speed bonus" in html
    assert "reading floor" in html


def test_mixed_difficulty_draws_all_difficulties(client):
    for d in ("easy", "medium", "hard"):
        QuestionFactory.create_batch(10, difficulty=d)
    start(client, difficulty="mixed", length=20)
    attempt = latest_attempt()
    assert attempt.items.count() == 20
    # 20 of 30 drawn, 10 per difficulty: missing one entirely has a chance of about 1e-7.
    assert {i.difficulty for i in attempt.items.all()} == {"easy", "medium", "hard"}
