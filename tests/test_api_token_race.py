"""Concurrent requests with one token never get the same question (real database, threads)."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import close_old_connections, connection

from quiz import api
from tests.factories import QuestionFactory

THREADS = 8


def _race(token: str) -> list[api.Answer]:
    """THREADS requests with one token, released together, each on its own connection."""
    barrier = threading.Barrier(THREADS)

    def ask() -> api.Answer:
        try:
            barrier.wait(timeout=10)
            return api.get_questions(api.QuestionQuery(amount=1, token=token))
        finally:
            close_old_connections()
            connection.close()

    with ThreadPoolExecutor(THREADS) as pool:
        futures = [pool.submit(ask) for _ in range(THREADS)]
        return [future.result(timeout=60) for future in futures]


def _assert_no_question_twice():
    """Two questions, eight simultaneous requests: two get one each, six get code 4."""
    for _ in range(2):
        QuestionFactory()
    token = api.request_token().token
    answers = _race(token)
    assert sorted(a.response_code for a in answers) == [0, 0] + [4] * (THREADS - 2)
    texts = [a.results[0]["question"] for a in answers if a.results]
    assert len(set(texts)) == 2


@pytest.mark.django_db(transaction=True)
def test_threads_with_one_token_never_share_a_question():
    """The file-based SQLite test database (or PostgreSQL in that pass)."""
    _assert_no_question_twice()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_threads_with_one_token_never_share_a_question_postgres():
    assert connection.vendor == "postgresql"
    _assert_no_question_twice()
