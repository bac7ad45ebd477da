"""api.php: every parameter, response codes 0, 1 and 2, only published questions."""

from __future__ import annotations

import pytest

from quiz.api import category_id
from quiz.models import Question
from tests.factories import BankFactory, QuestionFactory

URL = "/api/api.php"


@pytest.fixture(autouse=True)
def _no_rate_limit(settings):
    settings.API_RATE_LIMIT_SECONDS = 0


def ask(client, **params):
    response = client.get(URL, params)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    return response.json()


@pytest.fixture
def mixed_bank(db):
    """Every combination of difficulty, kind and two categories, at levels 0 and 3."""
    for level in (0, 3):
        for difficulty in ("easy", "medium", "hard"):
            for category in ("cast", "music"):
                QuestionFactory(difficulty=difficulty, category=category, spoiler_level=level)
                QuestionFactory(
                    difficulty=difficulty,
                    category=category,
                    spoiler_level=level,
                    kind=Question.Kind.BOOLEAN,
                )


def test_amount_questions_in_open_trivia_db_shape(client, mixed_bank):
    data = ask(client, amount=5)
    assert data["response_code"] == 0
    assert len(data["results"]) == 5
    for result in data["results"]:
        fields = "type difficulty category question correct_answer incorrect_answers"
        assert set(result) == set(fields.split())
        question = Question.objects.get(text=result["question"])
        correct = question.options.get(is_correct=True).text
        assert result["correct_answer"] == correct
        assert sorted(result["incorrect_answers"]) == sorted(
            question.options.filter(is_correct=False).values_list("text", flat=True)
        )
    assert len({r["question"] for r in data["results"]}) == 5


def test_a_boolean_question_answers_true_or_false(client, db):
    QuestionFactory(kind=Question.Kind.BOOLEAN, options=["False", "True"])
    (result,) = ask(client, amount=1, type="boolean")["results"]
    assert result["type"] == "boolean"
    assert result["correct_answer"] == "False"
    assert result["incorrect_answers"] == ["True"]


@pytest.mark.parametrize("difficulty", ["easy", "medium", "hard"])
def test_difficulty_filters(client, mixed_bank, difficulty):
    results = ask(client, amount=4, difficulty=difficulty)["results"]
    assert len(results) == 4
    assert {r["difficulty"] for r in results} == {difficulty}


@pytest.mark.parametrize("kind", ["multiple", "boolean"])
def test_type_filters(client, mixed_bank, kind):
    results = ask(client, amount=6, type=kind)["results"]
    assert len(results) == 6
    assert {r["type"] for r in results} == {kind}


def test_category_filters_by_its_numeric_id(client, mixed_bank):
    results = ask(client, amount=6, category=category_id("music"))["results"]
    assert len(results) == 6
    assert {r["category"] for r in results} == {"music"}


@pytest.mark.parametrize(
    "params",
    [
        {"encode": "default"},
        {"encode": ""},
        {"category": ""},
        {"category": "0"},
        {"category": "any"},
        {"difficulty": "any"},
        {"difficulty": ""},
        {"type": "any"},
        {"type": ""},
        {"token": ""},
        {"spoiler_level": ""},
        {"extended": "0"},
        {"_": "1732623456789"},  # a cache-buster some clients add
    ],
)
def test_values_clients_send_for_the_default_mean_the_default(client, mixed_bank, params):
    data = ask(client, amount=12, **params)
    assert data["response_code"] == 0
    assert len(data["results"]) == 12
    assert {r["category"] for r in data["results"]} <= {"cast", "music"}


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"amount": ""},
        {"amount": "Five"},
        {"amount": "0"},
        {"amount": "51"},
        {"amount": "-1"},
        {"amount": "2.5"},
        {"amount": "１"},  # a full-width digit
        {"amount": "1", "category": "cast"},
        {"amount": "1", "category": "-3"},
        {"amount": "1", "difficulty": "extreme"},
        {"amount": "1", "type": "open"},
        {"amount": "1", "encode": "rot13"},
        {"amount": "1", "spoiler_level": "7"},
        {"amount": "1", "spoiler_level": "-1"},
        {"amount": "1", "spoiler_level": "all"},
        {"amount": "1", "extended": "yes please"},
    ],
)
def test_invalid_parameters_answer_code_2(client, mixed_bank, params):
    assert ask(client, **params) == {"response_code": 2, "results": []}


def test_amount_fifty_is_the_maximum(client, db):
    for _ in range(50):
        QuestionFactory()
    assert len(ask(client, amount=50)["results"]) == 50


def test_more_than_the_bank_holds_answers_code_1(client, mixed_bank):
    # 6 questions at level 0 per category: 3 difficulties x 2 kinds.
    assert ask(client, amount=7, category=category_id("cast")) == {
        "response_code": 1,
        "results": [],
    }


def test_an_unknown_category_id_has_no_results(client, mixed_bank):
    assert ask(client, amount=1, category=9) == {"response_code": 1, "results": []}


def test_only_published_questions_in_published_banks(client, db):
    visible = QuestionFactory()
    QuestionFactory(draft=True)
    QuestionFactory(status=Question.Status.RETIRED)
    QuestionFactory(bank=BankFactory(slug="hidden", name="Hidden", is_published=False))
    results = ask(client, amount=1)["results"]
    assert [r["question"] for r in results] == [visible.text]
    assert ask(client, amount=2)["response_code"] == 1


def test_spoiler_level_defaults_to_zero(client, mixed_bank):
    results = ask(client, amount=12)["results"]
    texts = {r["question"] for r in results}
    assert texts == set(Question.objects.filter(spoiler_level=0).values_list("text", flat=True))
    assert ask(client, amount=13)["response_code"] == 1


def test_spoiler_level_opens_later_questions(client, mixed_bank):
    assert ask(client, amount=13, spoiler_level=2)["response_code"] == 1
    results = ask(client, amount=24, spoiler_level=3, extended=1)["results"]
    assert {r["spoiler_level"] for r in results} == {0, 3}


def test_extended_adds_spoiler_level_explanation_and_facts(client, db):
    question = QuestionFactory(generated=True, spoiler_level=0)
    (result,) = ask(client, amount=1, extended=1)["results"]
    assert result["spoiler_level"] == 0
    assert result["explanation"] == question.explanation
    assert result["facts"] == ["cast.anna"]
    (plain,) = ask(client, amount=1)["results"]
    assert "explanation" not in plain and "spoiler_level" not in plain and "facts" not in plain


def test_the_last_of_repeated_parameters_wins(client, mixed_bank):
    results = client.get(URL + "?amount=1&amount=3&difficulty=easy&difficulty=hard").json()
    assert len(results["results"]) == 3
    assert {r["difficulty"] for r in results["results"]} == {"hard"}


def test_a_request_costs_a_bounded_number_of_queries(
    client, mixed_bank, django_assert_max_num_queries
):
    token = client.get("/api/api_token.php", {"command": "request"}).json()["token"]
    # One query each above the draw before one fact per quiz: it reads its window's facts.
    with django_assert_max_num_queries(11):
        assert len(ask(client, amount=10, token=token)["results"]) == 10
    with django_assert_max_num_queries(6):
        assert len(ask(client, amount=10)["results"]) == 10
