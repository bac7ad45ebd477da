"""The start form offers only categories that can make a quiz of the chosen length, with counts."""

import re

import pytest

from quiz.models import Category
from tests.factories import CategoryFactory, QuestionFactory
from tests.playing import start

pytestmark = pytest.mark.django_db


@pytest.fixture
def questions():
    CategoryFactory(slug="cast", name="Cast")
    CategoryFactory(slug="murders", name="The murders")
    QuestionFactory.create_batch(12, category="cast", spoiler_level=0, difficulty="easy")
    QuestionFactory.create_batch(6, category="murders", spoiler_level=3, difficulty="easy")
    QuestionFactory.create_batch(5, category="music", spoiler_level=0, difficulty="hard")


def category_options(html: str) -> dict[str, str]:
    select = re.search(r'<select name="category".*?</select>', html, flags=re.S).group(0)
    return dict(re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', select))


def test_home_lists_categories_with_counts_for_the_default_choices(client, questions):
    # Default: not started, mixed, 10 questions — only cast has 10 or more.
    options = category_options(client.get("/").content.decode())
    assert options == {"": "Any category (17 questions)", "cast": "Cast (12 questions)"}


@pytest.mark.parametrize(
    ("choices", "expected"),
    [
        (
            {"watched_through": 3, "difficulty": "easy", "length": 5},
            {
                "": "Any category (18 questions)",
                "cast": "Cast (12 questions)",
                "murders": "The murders (6 questions)",
            },
        ),
        # A category the managed list does not know yet still gets a readable name.
        (
            {"watched_through": 0, "difficulty": "hard", "length": 5},
            {"": "Any category (5 questions)", "music": "Music (5 questions)"},
        ),
    ],
)
def test_query_parameters_change_the_offer(client, questions, choices, expected):
    assert category_options(client.get("/", choices).content.decode()) == expected


def test_htmx_refresh_returns_just_the_category_field(client, questions):
    response = client.get(
        "/",
        {"watched_through": 3, "difficulty": "easy", "length": 5, "category": "murders"},
        headers={"HX-Request": "true"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html and html.strip().startswith(
        '<div class="field" id="category-field">'
    )
    assert '<option value="murders" selected>' in html
    assert "HX-Request" in response["Vary"]


def test_home_form_asks_for_a_refresh_on_change(client, questions):
    html = client.get("/").content.decode()
    assert 'hx-get="/" hx-trigger="change"' in html
    assert 'hx-target="#category-field"' in html


def test_too_small_category_is_refused_on_submit_without_javascript(client, questions):
    response = start(client, watched=0, difficulty="easy", length=10, category="murders")
    html = response.content.decode()
    assert response.status_code == 400
    assert "That category has too few questions for these choices" in html
    assert "murders" not in category_options(html)


def test_a_category_that_fits_starts_a_full_quiz(client, questions):
    response = start(client, watched=3, difficulty="easy", length=5, category="murders")
    assert response.status_code == 302


def test_ensure_for_questions_adds_missing_categories(questions):
    assert Category.objects.ensure_for_questions() == 1
    assert Category.objects.get(slug="music").name == "Music"
    assert Category.objects.ensure_for_questions() == 0
