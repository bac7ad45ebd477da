"""The question admin shows labelled and calibrated difficulty side by side, filters the
questions whose label disagrees with the players, and re-labels selected questions in bulk."""

from __future__ import annotations

import math

import pytest
from django.urls import reverse

from quiz import rating
from quiz.models import Question
from tests.factories import PlayerFactory, QuestionFactory

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:quiz_question_changelist")
ENOUGH = rating.CALIBRATED_MIN_ANSWERS


@pytest.fixture
def bank():
    """Six calibrated questions (two per label) and one with too few answers.

    By rating the players put `hard_looking_easy` among the hardest and
    `easy_looking_hard` among the easiest: their labels disagree.
    """
    q = {
        "easy": QuestionFactory(text="Easy and easy?", difficulty="easy", rating=-300.0),
        "easy_looking_hard": QuestionFactory(
            text="Labelled hard, found easy?", difficulty="hard", rating=-250.0, generated=True
        ),
        "medium": QuestionFactory(text="Medium and medium?", difficulty="medium", rating=0.0),
        "medium2": QuestionFactory(text="Medium too?", difficulty="medium", rating=20.0),
        "hard_looking_easy": QuestionFactory(
            text="Labelled easy, found hard?", difficulty="easy", rating=280.0
        ),
        "hard": QuestionFactory(text="Hard and hard?", difficulty="hard", rating=350.0),
    }
    Question.objects.update(rated_answers=ENOUGH + 5)
    q["new"] = QuestionFactory(
        text="Barely answered?", difficulty="hard", rating=-900.0, rated_answers=ENOUGH - 1
    )
    return q


def listed(response) -> set[str]:
    return {str(q) for q in response.context["cl"].result_list}


def test_bands_cut_the_rating_order_in_the_labels_proportions():
    bands = rating.bands_from([-3.0, -2.0, -1.0, 0.0, 1.0, 2.0], 6, easy=2, hard=1)
    assert [bands.of(v) for v in (-3.0, -2.0, -1.0, 0.0, 1.0, 2.0)] == [
        "easy",
        "easy",
        "medium",
        "medium",
        "medium",
        "hard",
    ]
    everything_easy = rating.bands_from([1.0, 2.0], 2, easy=2, hard=0)
    assert everything_easy == rating.Bands(math.inf, 2.0)


def test_calibrated_bands_come_from_the_calibrated_questions(bank):
    bands = rating.calibrated_bands()
    assert bands.of(-250.0) == "easy"
    assert bands.of(0.0) == bands.of(20.0) == "medium"
    assert bands.of(280.0) == "hard"
    bank["hard_looking_easy"].refresh_from_db()
    assert rating.calibrated_difficulty(bank["hard_looking_easy"], bands) == "hard"
    assert rating.calibrated_difficulty(bank["new"], bands) is None
    assert rating.calibrated_difficulty(bank["new"], None) is None


def test_no_bands_before_any_question_is_calibrated():
    QuestionFactory(rated_answers=ENOUGH - 1)
    assert rating.calibrated_bands() is None


def test_the_list_shows_labelled_and_calibrated_side_by_side(admin_client, bank):
    response = admin_client.get(CHANGELIST)
    html = response.content.decode()
    assert "Labelled" in html and "Calibrated" in html
    assert "Hard ≠ label" in html
    assert f"— ({ENOUGH - 1} of {ENOUGH} answers)" in html


def test_the_filter_lists_the_questions_whose_label_disagrees(admin_client, bank):
    response = admin_client.get(CHANGELIST, {"calibration": "disagrees"})
    assert response.status_code == 200
    assert listed(response) == {"Labelled hard, found easy?", "Labelled easy, found hard?"}
    agrees = listed(admin_client.get(CHANGELIST, {"calibration": "agrees"}))
    assert agrees == {"Easy and easy?", "Medium and medium?", "Medium too?", "Hard and hard?"}
    assert listed(admin_client.get(CHANGELIST, {"calibration": "too-few"})) == {"Barely answered?"}


def test_relabel_selected_questions_to_a_chosen_difficulty(admin_client, bank):
    chosen = [bank["easy_looking_hard"].pk, bank["medium"].pk]
    response = admin_client.post(
        CHANGELIST, {"action": "label_easy", "_selected_action": chosen}, follow=True
    )
    assert "Re-labelled 2 question(s) Easy." in response.content.decode()
    relabelled = Question.objects.filter(pk__in=chosen)
    assert set(relabelled.values_list("difficulty", flat=True)) == {"easy"}
    # A generated question the admin re-labels is the admin's: the generator leaves it.
    assert Question.objects.get(pk=bank["easy_looking_hard"].pk).edited_by_admin
    assert Question.objects.get(pk=bank["hard"].pk).difficulty == "hard"


def test_adopt_the_calibrated_difficulty(admin_client, bank):
    selected = [q.pk for q in bank.values()]
    response = admin_client.post(
        CHANGELIST, {"action": "adopt_calibrated", "_selected_action": selected}, follow=True
    )
    html = response.content.decode()
    assert "Re-labelled 2 question(s) with their calibrated difficulty." in html
    assert "1 had too few answers to be calibrated and keep their label." in html
    labels = dict(Question.objects.values_list("text", "difficulty"))
    assert labels["Labelled hard, found easy?"] == "easy"
    assert labels["Labelled easy, found hard?"] == "hard"
    assert labels["Barely answered?"] == "hard"
    assert labels["Easy and easy?"] == "easy"
    assert not admin_client.get(CHANGELIST, {"calibration": "disagrees"}).context["cl"].result_count


def test_the_change_form_shows_the_rating(admin_client, bank):
    url = reverse("admin:quiz_question_change", args=[bank["hard_looking_easy"].pk])
    html = admin_client.get(url).content.decode()
    assert f"+280 from {ENOUGH + 5} answers in finished quizzes" in html
    assert "Hard ≠ label" in html


def test_a_bank_labelled_all_easy_is_all_calibrated_easy(admin_client):
    QuestionFactory.create_batch(3, difficulty="easy", rated_answers=ENOUGH)
    QuestionFactory(difficulty="easy", rated_answers=ENOUGH, rating=500.0)
    response = admin_client.get(CHANGELIST, {"calibration": "agrees"})
    assert response.context["cl"].result_count == 4


def test_the_player_form_shows_the_players_rating(admin_client):
    player = PlayerFactory(rating=123.5, rated_answers=40)
    html = admin_client.get(reverse("admin:quiz_player_change", args=[player.pk])).content.decode()
    assert "123.5" in html and "40" in html
