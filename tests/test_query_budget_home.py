"""The home page runs a bounded number of queries, the categories' counts and names in one cache read."""

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import PlayerFactory, QuestionFactory
from tests.playing import start

pytestmark = pytest.mark.django_db(transaction=True)


def session_and_cache_queries() -> int:
    """Without Redis the default cache is a database table: one query for both keys,
    and the session is read from its table (with Redis, from Redis)."""
    return 0 if "Redis" in settings.CACHES["default"]["BACKEND"] else 2


def test_home_page_budget(client):
    QuestionFactory.create_batch(40)
    player = PlayerFactory()
    client.force_login(player.user)
    start(client)  # a quiz to pick up where they left off
    client.get("/")  # warms the categories' cache
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/")
    assert response.status_code == 200
    assert "Any category (40 questions)" in response.content.decode()
    # The user with their player, their active quizzes, the banks.
    assert len(queries) == 3 + session_and_cache_queries(), [q["sql"][:80] for q in queries]
