"""Each quiz request runs a bounded number of SQL queries, whatever the bank size and history.

Counted in total for a signed-in player: session and user lookups included.
The tests run in real transactions (transaction=True) so that, as in
production, transaction.atomic() costs no SAVEPOINT queries.
"""

import pytest
from django.db import connection

from tests.factories import PlayerFactory, QuestionFactory
from tests.playing import answer_all, latest_attempt, question_url, start

pytestmark = pytest.mark.django_db(transaction=True)


def budget(queries: int, transactions: int = 0, savepoints: int = 0) -> int:
    """The budget in SQL statements, plus the transaction control that gets logged.

    SQLite in IMMEDIATE mode and psycopg 3 both log "BEGIN"/"COMMIT" as
    queries, and nested atomic blocks log SAVEPOINT/RELEASE: those are added
    on top, never counted against the budget.
    """
    return queries + 2 * transactions + 2 * savepoints


def per_vendor(sqlite: int, postgresql: int) -> int:
    """An exact count on each database CI runs: SQLite alone, or PostgreSQL with
    Redis (which then holds the sessions, rate-limit counters and boards)."""
    return postgresql if connection.vendor == "postgresql" else sqlite


def rate_limit_queries() -> int:
    """One atomic upsert per counted request when the counters live in the database (no Redis)."""
    from django.conf import settings

    return 0 if settings.CACHES["ratelimit"]["BACKEND"].endswith("RedisCache") else 1


@pytest.fixture
def playing(client):
    QuestionFactory.create_batch(40)
    player = PlayerFactory()
    client.force_login(player.user)
    # History: earlier quizzes must not make later requests cost more.
    for _ in range(3):
        start(client)
        answer_all(client, latest_attempt())
    start(client)
    return client, latest_attempt()


def test_question_page_budget(playing, django_assert_num_queries):
    client, attempt = playing
    # The session (from Redis when configured), the question with its quiz and the
    # signed-in user with their player (one read: quiz.auth.supplying), its clock started.
    session = 0 if connection.vendor == "postgresql" else 1
    with django_assert_num_queries(budget(session + 2)):
        response = client.get(question_url(attempt, 1), headers={"HX-Request": "true"})
    assert response.status_code == 200
    # Seen again: its clock runs already.
    with django_assert_num_queries(budget(session + 1)):
        response = client.get(question_url(attempt, 1), headers={"HX-Request": "true"})
    assert response.status_code == 200


def test_answer_budget(playing, django_assert_num_queries):
    client, attempt = playing
    client.get(question_url(attempt, 1))
    key = attempt.items.get(position=0).correct_key
    if connection.vendor == "postgresql":
        # The question with its quiz and the user with their player (one read),
        # then the two guarded UPDATEs as one statement, with no transaction
        # around it (the session comes from Redis).
        expected = budget(2 + rate_limit_queries())
    else:
        # Session, the question with its quiz and the user with their player (one
        # read), the two guarded UPDATEs in a transaction.
        expected = budget(4 + rate_limit_queries(), transactions=1)
    with django_assert_num_queries(expected):
        response = client.post(
            question_url(attempt, 1), {"option": key}, headers={"HX-Request": "true"}
        )
    assert response.status_code == 200
    item = attempt.items.get(position=0)
    assert item.is_answered and item.is_correct
    attempt.refresh_from_db()
    assert (attempt.answered_count, attempt.correct_count) == (1, 1)


def test_finishing_answer_budget(
    playing, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    client, attempt = playing
    for number in range(1, attempt.length):
        client.get(question_url(attempt, number))
        client.post(
            question_url(attempt, number),
            {"option": attempt.items.get(position=number - 1).correct_key},
        )
    client.get(question_url(attempt, attempt.length))
    key = attempt.items.get(position=attempt.length - 1).correct_key
    # 10: the answer's 4 (session, the item with the user, two guarded UPDATEs), then
    # rating the quiz in the same transaction (quiz.rating.rate_quiz: the
    # questions with the quiz's answers and the player, both locked, then one
    # UPDATE each; the questions' also counts the answers), then after commit
    # the player's lock and one upsert for all of the format's boards
    # (leaderboard.result_finished): nothing that grows with the history.
    with (
        django_assert_max_num_queries(budget(10 + rate_limit_queries(), transactions=2)),
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = client.post(
            question_url(attempt, attempt.length), {"option": key}, headers={"HX-Request": "true"}
        )
    assert response.status_code == 200
    attempt.refresh_from_db()
    assert attempt.is_finished


@pytest.mark.postgres
def test_an_answer_on_postgresql_is_one_statement_outside_a_transaction(playing, monkeypatch):
    """No BEGIN and COMMIT round trips around it (psycopg sends those itself, so the
    query log above cannot see them); a finishing answer keeps its transaction,
    which also rates the quiz and queues the leaderboard write."""
    from django.test.utils import CaptureQueriesContext

    from quiz import prepared

    client, attempt = playing
    seen = []
    claim = prepared.claim_answer

    def watching(*args, **kwargs):
        with CaptureQueriesContext(connection) as queries:
            claimed = claim(*args, **kwargs)
        seen.append((connection.in_atomic_block, [q["sql"] for q in queries], claimed))
        return claimed

    monkeypatch.setattr(prepared, "claim_answer", watching)
    for number in range(1, attempt.length + 1):
        client.get(question_url(attempt, number))
        key = attempt.items.get(position=number - 1).correct_key
        client.post(question_url(attempt, number), {"option": key}, headers={"HX-Request": "true"})
    assert len(seen) == attempt.length
    for in_transaction, statements, claimed in seen[:-1]:
        assert claimed and not in_transaction
        assert len(statements) == 1 and statements[0].startswith("WITH advanced AS (UPDATE")
    assert seen[-1][0] is True  # the finishing answer
    attempt.refresh_from_db()
    assert attempt.is_finished and attempt.correct_count == attempt.length
