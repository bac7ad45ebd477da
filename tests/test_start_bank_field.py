"""The start form's bank field cleans every input as the ModelChoiceField it replaced did
(the same bank, the same errors), from the banks the form read instead of a query."""

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from quiz.forms import PublishedBankField, StartQuizForm
from quiz.models import Bank
from tests.factories import BankFactory, QuestionFactory

pytestmark = pytest.mark.django_db


def outcome(field, value):
    try:
        return ("bank", field.clean(value))
    except ValidationError as error:
        return ("error", error.code, error.messages)


@pytest.fixture
def banks():
    first = BankFactory(slug="first", name="First")
    second = BankFactory(slug="second", name="Second")
    hidden = BankFactory(slug="hidden", name="Hidden", is_published=False)
    return first, second, hidden


def inputs(first, second, hidden):
    pk = first.pk
    return [
        None, "", " ", str(pk), f" {pk}", f"{pk} ", f"0{pk}", f"+{pk}", f"{pk}.0", f"{pk}_0",
        str(second.pk), str(hidden.pk), "999999", str(10**30), "-1", "x", "1e0", f"{pk}\x00",
        "\x00", pk, first, [pk], "١",
    ]  # fmt: skip


@pytest.mark.parametrize("required", [False, True])
def test_the_same_bank_or_the_same_error_as_a_model_choice_field(banks, required):
    published = Bank.objects.filter(is_published=True)
    django_field = forms.ModelChoiceField(published, required=required, empty_label=None)
    field = PublishedBankField(required=required)
    field.set_banks(list(published))
    for value in inputs(*banks):
        assert outcome(field, value) == outcome(django_field, value), repr(value)


def test_the_same_options_as_a_model_choice_field(banks):
    published = Bank.objects.filter(is_published=True)
    django_field = forms.ModelChoiceField(published, required=False, empty_label=None)
    field = PublishedBankField(required=False)
    field.set_banks(list(published))
    for value in [None, banks[1].pk, str(banks[0].pk)]:
        assert field.widget.render("bank", value) == django_field.widget.render("bank", value)


def test_a_start_finds_its_bank_without_another_query():
    QuestionFactory.create_batch(12)
    bank = Bank.objects.get()
    data = {"watched_through": 0, "difficulty": "easy", "length": 10}
    # A bank chosen, and none (the first published one by name, as before).
    for chosen in [{"bank": str(bank.pk)}, {"bank": ""}, {}]:
        with CaptureQueriesContext(connection) as queries:
            form = StartQuizForm({**data, **chosen})
            assert form.is_valid(), form.errors
        assert form.cleaned_data["bank"] == bank
        banks_read = [q["sql"] for q in queries if '"quiz_bank"' in q["sql"]]
        assert len(banks_read) == 1, banks_read
