"""The start form's category counts and names: kept per process, never older than a minute.

quiz.forms keeps what it read from the shared cache (or computed) until a minute
after the value was computed, so most home pages read no cache at all; a
copy or a shared pair a minute old is computed again, so what a page shows
is never staler than with the shared cache alone. Saving a bank, category or
question drops this process's copies.
"""

import pytest
from django.core.cache import cache

from quiz import forms
from quiz.models import Question
from tests.factories import CategoryFactory, QuestionFactory

pytestmark = pytest.mark.django_db


class Clock:
    def __init__(self, now: float):
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch):
    import time

    clock = Clock(time.time())
    monkeypatch.setattr(forms.time, "time", clock)
    return clock


class SpyCache:
    """The shared cache, counting reads."""

    def __init__(self):
        self.reads = 0

    def get_many(self, keys, **kwargs):
        self.reads += 1
        return cache.get_many(keys, **kwargs)

    def set(self, *args, **kwargs):
        return cache.set(*args, **kwargs)


@pytest.fixture
def spy(monkeypatch):
    spy = SpyCache()
    monkeypatch.setattr(forms, "cache", spy)
    return spy


@pytest.fixture
def questions():
    forms.forget_kept_categories()
    CategoryFactory(slug="cast", name="Cast")
    QuestionFactory.create_batch(12, category="cast")


def any_category(client) -> str:
    html = client.get("/").content.decode()
    return html.split('<option value="" selected>', 1)[1].split("<", 1)[0]


def test_the_shared_cache_is_read_once_while_the_copy_is_fresh(client, questions, spy, clock):
    assert any_category(client) == "Any category (12 questions)"
    assert spy.reads == 1
    clock.now += 30
    for _ in range(3):
        assert any_category(client) == "Any category (12 questions)"
    assert spy.reads == 1


def test_never_older_than_a_minute(client, questions, clock):
    assert any_category(client) == "Any category (12 questions)"
    # An edit that sends no signal (as one in another process): seen within the minute.
    Question.objects.filter(pk__in=Question.objects.all()[:2].values("pk")).update(
        status=Question.Status.DRAFT
    )
    clock.now += 59.9
    assert any_category(client) == "Any category (12 questions)"
    clock.now += 0.1  # the shared cache still holds the pair: it is a minute old
    assert any_category(client) == "Any category (10 questions)"


def test_a_pair_another_process_computed_is_kept_only_until_its_minute(client, questions, clock):
    bank = Question.objects.first().bank
    key = f"category-counts:{bank.pk}:mixed:0"
    version = forms.CATEGORIES_CACHE_VERSION
    cache.set(key, (clock.now - 50, {"cast": 99}), 60, version=version)
    assert any_category(client) == "Any category (99 questions)"
    clock.now += 9.9
    assert any_category(client) == "Any category (99 questions)"
    clock.now += 0.1
    assert any_category(client) == "Any category (12 questions)"
    computed_at, counts = cache.get(key, version=version)
    assert (computed_at, counts) == (clock.now, {"cast": 12})


def test_saving_in_this_process_drops_its_copies(client, questions, spy, clock):
    """The shared cache answers again (a test's rollback empties the database cache
    with the rows, so no copy outlives the rows it was computed from)."""
    assert any_category(client) == "Any category (12 questions)"
    QuestionFactory(category="cast")
    assert any_category(client) == "Any category (12 questions)"  # the shared pair, < 1 min
    assert spy.reads == 2
    QuestionFactory(category="cast")
    cache.clear()  # as a rollback of the database cache
    assert any_category(client) == "Any category (14 questions)"
    CategoryFactory(slug="cast").delete()
    CategoryFactory(slug="cast", name="The cast")
    cache.clear()
    assert "The cast (14 questions)" in client.get("/").content.decode()
    assert spy.reads == 4


def test_the_copies_are_bounded(monkeypatch, questions):
    monkeypatch.setattr(forms, "_KEPT_ENTRIES", 3)
    bank = Question.objects.first().bank
    for watched in range(7):
        forms.category_counts_and_names(bank, "mixed", watched)
        assert len(forms._kept) <= 3
