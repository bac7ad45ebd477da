"""The home page runs a bounded number of queries: none for the categories' counts and
names while this process's copy is under a minute old, one cache read for both otherwise."""

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from quiz import forms
from tests.factories import PlayerFactory, QuestionFactory
from tests.playing import start

pytestmark = pytest.mark.django_db(transaction=True)


def redis() -> bool:
    return "Redis" in settings.CACHES["default"]["BACKEND"]


def session_queries() -> int:
    """The session is read from its table (with Redis, from Redis)."""
    return 0 if redis() else 1


def cache_queries() -> int:
    """Without Redis the default cache is a database table: one query for both keys."""
    return 0 if redis() else 1


def home(client):
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/")
    assert response.status_code == 200
    assert "Any category (40 questions)" in response.content.decode()
    return [q["sql"] for q in queries]


def test_home_page_budget(client):
    QuestionFactory.create_batch(40)
    player = PlayerFactory()
    client.force_login(player.user)
    start(client)  # a quiz to pick up where they left off
    client.get("/")  # warms the categories' copies (shared and this process's)
    queries = home(client)
    # The user with their player and their active quizzes (one query), the banks.
    assert len(queries) == 2 + session_queries(), queries
    assert not any("hhquiz_cache" in sql for sql in queries), queries


def test_home_page_budget_with_the_shared_cache_only(client):
    """As in another process, or after the minute: one cache read for counts and names."""
    QuestionFactory.create_batch(40)
    player = PlayerFactory()
    client.force_login(player.user)
    client.get("/")
    forms.forget_kept_categories()
    queries = home(client)
    assert len(queries) == 2 + session_queries() + cache_queries(), queries
    # Then kept here: none.
    assert len(home(client)) == 2 + session_queries()


def test_anonymous_home_page_budget(client):
    QuestionFactory.create_batch(40)
    start(client)  # a session, and a quiz to pick up
    client.get("/")
    queries = home(client)
    # Their active quizzes, the banks.
    assert len(queries) == 2 + session_queries(), queries


def test_htmx_category_refresh_budget(client):
    QuestionFactory.create_batch(40)
    client.force_login(PlayerFactory().user)
    client.get("/")
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/", {"length": 20}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "Any category (40 questions)" in response.content.decode()
    # The user with their player, the banks.
    assert len(queries) == 2 + session_queries(), [q["sql"] for q in queries]
