"""Forms built on every page copy their fields cheaply (quiz.forms.fields_copied_cheaply),
with the same result as Django's deep copy for everything a form instance may change."""

import copy

import pytest

from quiz.forms import (
    AnswerForm,
    BoardForm,
    DailyForm,
    EpisodeQuizForm,
    RaiseWatchedForm,
    StartQuizForm,
    _CheaplyCopiedFields,
)
from tests.factories import QuestionFactory

pytestmark = pytest.mark.django_db

FORMS = [StartQuizForm, EpisodeQuizForm, DailyForm, RaiseWatchedForm, AnswerForm, BoardForm]
BAD_INPUT = {"watched_through": "9", "option": "", "period": "nope", "length": "7"}


def build(form_class, data=None):
    if form_class is BoardForm:
        return BoardForm(data or {})
    return form_class(data=data) if data is not None else form_class()


@pytest.mark.parametrize("form_class", FORMS)
def test_each_form_has_its_own_fields_widgets_and_attrs(form_class):
    assert isinstance(form_class.base_fields, _CheaplyCopiedFields)
    one, two = build(form_class), build(form_class)
    for name, base in form_class.base_fields.items():
        a, b = one.fields[name], two.fields[name]
        assert a is not b and a is not base
        assert a.widget is not b.widget and a.widget is not base.widget
        assert a.widget.attrs is not b.widget.attrs
        assert a.error_messages is not b.error_messages
        assert a.validators is not b.validators
        a.widget.attrs["data-x"] = "1"
        a.error_messages["required"] = "changed"
        a.validators.append(len)
        assert "data-x" not in b.widget.attrs and "data-x" not in base.widget.attrs
        assert b.error_messages.get("required") != "changed"
        assert len not in base.validators


def test_new_choices_for_one_form_leave_the_others_alone():
    QuestionFactory.create_batch(12)
    one, two = StartQuizForm(), StartQuizForm()
    one.fields["category"].choices = [("x", "X only")]
    assert list(two.fields["category"].choices) != [("x", "X only")]
    assert list(StartQuizForm.base_fields["category"].choices) != [("x", "X only")]
    assert list(two.fields["category"].widget.choices) == list(two.fields["category"].choices)


def test_each_start_form_gets_its_own_banks():
    QuestionFactory.create_batch(3)
    one, two = StartQuizForm(), StartQuizForm()
    assert one.fields["bank"].banks is not two.fields["bank"].banks
    assert one.fields["bank"].choices is not two.fields["bank"].choices
    assert StartQuizForm.base_fields["bank"].banks == {}


@pytest.mark.parametrize("form_class", FORMS)
def test_the_html_is_the_same_as_with_djangos_deep_copy(form_class, monkeypatch):
    QuestionFactory.create_batch(12)
    cheap = str(build(form_class))
    bound_cheap = str(build(form_class, BAD_INPUT))
    monkeypatch.setattr(form_class, "base_fields", dict(form_class.base_fields))
    assert copy.deepcopy(form_class.base_fields).keys() == form_class.base_fields.keys()
    assert str(build(form_class)) == cheap
    assert str(build(form_class, BAD_INPUT)) == bound_cheap
