"""The admin for editors: a managed category list, options near the top, reports that show the answers."""

import re

import pytest
from django.urls import reverse

from quiz.models import Category, Question
from tests.factories import BankFactory, CategoryFactory, QuestionFactory
from tests.playing import latest_attempt, make_bank, start
from tests.test_admin_questions import ADD_URL, question_form

pytestmark = pytest.mark.django_db


def test_category_is_picked_from_the_managed_list(admin_client):
    bank = BankFactory()
    CategoryFactory(slug="cast", name="Cast")
    page = admin_client.get(ADD_URL).content.decode()
    assert re.search(r'<select name="category"[^>]*>', page)
    assert '<option value="cast">Cast</option>' in page
    # A typo cannot reach the players' list.
    options = [("Rebecca Rittenhouse", True), ("Poppy Liu", False)]
    response = admin_client.post(ADD_URL, question_form(bank, options, category="Charcters"))
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not Question.objects.exists()


def test_categories_have_their_own_admin_with_counts(admin_client):
    CategoryFactory(slug="cast", name="Cast")
    QuestionFactory.create_batch(3, category="cast")
    page = admin_client.get(reverse("admin:quiz_category_changelist")).content.decode()
    assert "Cast" in page and re.search(r'class="field-question_count">3<', page)
    response = admin_client.post(
        reverse("admin:quiz_category_add"), {"slug": "book-vs-series", "name": "Book vs series"}
    )
    assert response.status_code == 302
    assert Category.objects.filter(slug="book-vs-series").exists()


def test_a_generated_category_not_yet_listed_stays_selectable(admin_client):
    question = QuestionFactory(category="reveal")
    page = admin_client.get(
        reverse("admin:quiz_question_change", args=[question.pk])
    ).content.decode()
    assert '<option value="reveal" selected>Reveal</option>' in page


def test_the_bank_is_preselected_when_there_is_only_one(admin_client):
    bank = BankFactory()
    form = admin_client.get(ADD_URL).context["adminform"].form
    assert form.initial["bank"] == bank.pk
    BankFactory(name="Fan-made questions", slug="fan-made")
    form = admin_client.get(ADD_URL).context["adminform"].form
    assert "bank" not in form.initial


def test_options_come_before_origin_and_every_option_input_is_labelled(admin_client):
    BankFactory()
    page = admin_client.get(ADD_URL).content.decode()
    assert page.index('id="options-group"') < page.index(">Preview<")
    assert page.index('id="options-group"') < page.index(">Origin<")
    for name in ("text", "is_correct", "position"):
        inputs = re.findall(rf'<input[^>]*name="options-\d+-{name}"[^>]*>', page)
        assert len(inputs) == 2
        assert all("aria-label=" in tag for tag in inputs), inputs
    assert 'aria-label="Option 1: text"' in page


def test_a_report_shows_the_question_the_players_answer_and_the_correct_one(client, admin_client):
    make_bank(10)
    start(client)
    attempt = latest_attempt()
    item = attempt.items.get(position=0)
    wrong = next(o for o in item.options if o["key"] != item.correct_key)
    url = reverse("quiz:question", args=[attempt.public_id, 1])
    client.get(url)
    client.post(url, {"option": wrong["key"]})
    client.post(reverse("quiz:report", args=[attempt.public_id, 1]), {"reason": "wrong_answer"})
    report = item.reports.get()
    page = admin_client.get(reverse("admin:quiz_report_change", args=[report.pk])).content.decode()
    assert item.text in page
    assert re.search(r"player&#x27;s answer.*?" + re.escape(wrong["text"]), page, flags=re.S | re.I)
    assert re.search(r"correct answer.*?" + re.escape(item.correct_text), page, flags=re.S | re.I)
    assert "#0" not in page
