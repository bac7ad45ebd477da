"""The home page builds its unbound forms only when the template's memo of their fields
misses (quiz.forms.MemoisedForm): the memo key is worked out without the form."""

import pytest
from django.core.cache import cache

from quiz import forms, templating
from quiz.forms import EpisodeQuizForm, MemoisedForm, StartQuizForm
from quiz.models import Bank
from tests.factories import BankFactory, PlayerFactory, QuestionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def built(monkeypatch):
    """How many of each form were built."""
    counts = {StartQuizForm: 0, EpisodeQuizForm: 0}
    for form_class in counts:
        original = form_class.__init__

        def counting(self, *args, _original=original, _class=form_class, **kwargs):
            counts[_class] += 1
            _original(self, *args, **kwargs)

        monkeypatch.setattr(form_class, "__init__", counting)
    monkeypatch.setattr(templating, "_memo", {})
    return counts


def test_forms_are_built_only_when_their_fields_are_not_memoised(client, built):
    QuestionFactory.create_batch(12)
    client.force_login(PlayerFactory(watched_through=2).user)
    assert client.get("/").status_code == 200
    assert built == {StartQuizForm: 1, EpisodeQuizForm: 1}
    assert client.get("/").status_code == 200
    assert built == {StartQuizForm: 1, EpisodeQuizForm: 1}
    assert client.get("/", {"difficulty": "hard"}).status_code == 200
    assert built == {StartQuizForm: 2, EpisodeQuizForm: 1}
    # The htmx refresh renders the category field alone, memoised on its own: the
    # full page's for the same choices, else built once.
    htmx = {"HX-Request": "true"}
    assert client.get("/", headers=htmx).status_code == 200
    assert built == {StartQuizForm: 2, EpisodeQuizForm: 1}
    for _ in range(2):
        assert client.get("/", {"length": 20}, headers=htmx).status_code == 200
        assert built == {StartQuizForm: 3, EpisodeQuizForm: 1}


INITIALS = [
    {},
    {"watched_through": 0},
    {"watched_through": 3, "difficulty": "easy", "length": 5},
    {"watched_through": "3", "difficulty": "easy", "length": "5"},
    {"watched_through": 3, "difficulty": "easy", "length": 5, "category": "cast"},
    {"watched_through": 3, "difficulty": "easy", "length": 5, "adaptive": "on"},
    {"watched_through": 6, "difficulty": "hard", "length": 20},
    {"watched_through": 6, "difficulty": "mixed", "length": 20, "timed": True},
    {"watched_through": "x", "length": "7", "category": "nope", "bank": "x"},
    {"bank": "2"},
]


@pytest.mark.parametrize("banks", [0, 1, 2])
def test_the_memo_key_decides_the_html(banks):
    """Two initials with the same key show the same fields; the key is the form's own."""
    if banks:
        QuestionFactory.create_batch(12, category="cast", difficulty="easy")
        QuestionFactory.create_batch(5, category="music", difficulty="hard", spoiler_level=4)
    if banks == 2:
        QuestionFactory.create_batch(3, bank=BankFactory(slug="more", name="More"))
    html = {}
    # The same choices over new counts, then a bank renamed (read again: no cache).
    for more, rename in [(0, ""), (1, ""), (9, ""), (0, "Zz")]:
        QuestionFactory.create_batch(more, category="music", difficulty="hard")
        Bank.objects.filter(slug="more").update(name=rename or "More")
        cache.clear()
        for initial in INITIALS:
            lazy = StartQuizForm.unbound(dict(initial))
            form = StartQuizForm(initial=dict(initial))
            assert lazy._form is None and lazy.memo_key == form.memo_key
            assert lazy.category_memo_key == form.category_memo_key
            fields = [str(field) for field in form]
            assert html.setdefault(lazy.memo_key, fields) == fields, initial
            category = str(form["category"])
            assert html.setdefault(lazy.category_memo_key, category) == category, initial
    assert len(html) >= 7
    for episode in [1, "1", 6, None, "x"]:
        initial = {"episode": episode}
        key = EpisodeQuizForm.unbound(initial).memo_key
        assert key == EpisodeQuizForm(initial=initial).memo_key
        html.setdefault(key, str(EpisodeQuizForm(initial=initial)))
        assert html[key] == str(EpisodeQuizForm(initial=initial))


def test_a_memoised_form_is_its_form_to_a_template():
    QuestionFactory.create_batch(12)
    QuestionFactory.create_batch(3, bank=BankFactory(slug="more", name="More"))
    initial = {"watched_through": 3, "difficulty": "easy", "length": 5}
    lazy, form = StartQuizForm.unbound(initial), StartQuizForm(initial=initial)
    assert not lazy.is_bound and not lazy.non_field_errors()
    assert lazy._form is None  # none of the above built it
    assert isinstance(lazy, MemoisedForm)
    assert [str(field) for field in lazy] == [str(field) for field in form]
    assert str(lazy["category"]) == str(form["category"])
    assert lazy.show_bank is form.show_bank is True
    assert str(lazy.non_field_errors()) == str(form.non_field_errors()) == ""
    with pytest.raises(AttributeError):
        lazy._no_such_thing  # noqa: B018


def test_the_offer_is_read_once_per_form(monkeypatch):
    QuestionFactory.create_batch(12)
    reads = []
    original = StartQuizForm.offer.__func__

    def counting(cls, *args):
        reads.append(args)
        return original(cls, *args)

    monkeypatch.setattr(StartQuizForm, "offer", classmethod(counting))
    lazy = StartQuizForm.unbound({})
    str(lazy["category"])
    assert len(reads) == 1
    assert forms.StartQuizForm(data={}).is_bound and len(reads) == 2


@pytest.mark.parametrize("name", ["adaptive", "timed"])
def test_a_crafted_query_cannot_change_what_other_visitors_are_shown(client, name, monkeypatch):
    """?adaptive=None ticks the box (any non-empty text does) and must not be memoised
    under the key of a visitor with no such parameter (str(None) == "None")."""
    QuestionFactory.create_batch(12)
    monkeypatch.setattr(templating, "_memo", {})
    crafted = StartQuizForm.unbound({name: "None"}).memo_key
    assert crafted != StartQuizForm.unbound({}).memo_key
    for value in (True, False):
        key = StartQuizForm.unbound({name: value}).memo_key
        assert key != StartQuizForm.unbound({name: str(value)}).memo_key
    if name == "adaptive":  # one of the query parameters the home page reads
        crafted_html = client.get("/", {"adaptive": "None"}).content.decode()
        assert 'id="id_adaptive" checked' in crafted_html
        html = client.get("/").content.decode()
        assert 'id="id_adaptive">' in html and 'id="id_adaptive" checked' not in html


RAW_VALUES = [None, "", 1, True, 1.0, "1", " 1", False, 0, "0", 6, "6", 7, "x", "easy", "on",
              "false", "False", [3], 10, "10", 20]  # fmt: skip


@pytest.mark.parametrize("name", ["watched_through", "difficulty", "length", "adaptive"])
def test_a_choice_is_cleaned_as_the_field_cleans_it(name):
    """StartQuizForm._chosen keeps each (field, value)'s cleaned value: 1, True and 1.0
    are kept apart (equal in a dict), unhashable values are cleaned every time."""
    field = StartQuizForm.base_fields[name]
    for _ in range(2):  # cleaned, then kept
        for raw in RAW_VALUES:
            try:
                expected = field.clean(raw)
            except forms.ValidationError:
                expected = None
            for data, initial in [(None, {name: raw}), ({name: raw}, {})]:
                got = StartQuizForm._chosen(name, data, initial)
                assert (got, type(got)) == (expected, type(expected)), raw


def test_new_counts_give_new_category_choices(monkeypatch):
    QuestionFactory.create_batch(12)
    bank = Bank.objects.get()
    first = StartQuizForm.offer(None, {}).category_choices
    assert StartQuizForm.offer(None, {}).category_choices is first  # made once
    QuestionFactory.create_batch(2)  # drops this process's copies of the counts
    cache.clear()
    assert StartQuizForm.offer(None, {}).category_choices == (
        ("", "Any category (14 questions)"),
        ("cast", "Cast (14 questions)"),
    )
    assert bank.pk and first[0] == ("", "Any category (12 questions)")


def test_the_kept_choices_and_cleaned_values_are_bounded(monkeypatch):
    QuestionFactory.create_batch(3)
    monkeypatch.setattr(forms, "_KEPT_ENTRIES", 3)
    monkeypatch.setattr(forms, "_CLEANED_ENTRIES", 3)
    monkeypatch.setattr(forms, "_CHOICES", {})
    monkeypatch.setattr(forms, "_CLEANED", {})
    for watched in range(7):
        StartQuizForm.offer(None, {"watched_through": watched, "length": str(watched)})
        assert len(forms._CHOICES) <= 3 and len(forms._CLEANED) <= 3
    assert forms._CHOICES and forms._CLEANED
    forms._CLEANED.clear()
    assert StartQuizForm._chosen("difficulty", {"difficulty": "x" * 33}, {}) is None
    assert not forms._CLEANED
