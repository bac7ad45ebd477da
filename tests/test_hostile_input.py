"""Generated hostile input at every public endpoint: never a 5xx, no change when rejected."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from quiz.models import AttemptQuestion, Player, QuizAttempt, Report
from tests.factories import QuestionFactory
from tests.playing import latest_attempt, question_url, start

pytestmark = pytest.mark.django_db

# Any text a browser could send (no lone surrogates: they cannot be encoded).
TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=300)
HUGE = st.builds(
    lambda c, n: c * n, st.sampled_from(["a", "9", "<", "\x00", "é"]), st.integers(1000, 20000)
)
VALUE = st.one_of(
    TEXT,
    HUGE,
    st.integers(-(10**20), 10**20).map(str),
    st.sampled_from(["", "6", "7", "-1", "mixed", "null", "[]"]),
)
FORM = st.dictionaries(
    st.sampled_from(
        [
            "watched_through",
            "difficulty",
            "length",
            "category",
            "bank",
            "allow_shorter",
            "option",
            "reason",
            "note",
            "username",
            "password",
            "password1",
            "password2",
            "display_name",
            "email",
            "period",
            "watched",
            "next",
        ]
    ),
    VALUE,
    max_size=8,
)
FUZZ = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def snapshot():
    return (
        QuizAttempt.objects.count(),
        AttemptQuestion.objects.filter(answered_at__isnull=False).count(),
        get_user_model().objects.count(),
        Player.objects.count(),
        Report.objects.count(),
    )


def check(response, before):
    assert response.status_code < 500, response.content[:500]
    if 400 <= response.status_code < 500:
        assert snapshot() == before


@pytest.fixture
def quiz_client():
    QuestionFactory.create_batch(12)
    client = Client()
    start(client)
    attempt = latest_attempt()
    client.get(question_url(attempt, 1))
    return client, attempt


@pytest.fixture
def bank():
    QuestionFactory.create_batch(12)


@FUZZ
@given(data=FORM)
def test_start_quiz(client, bank, data):
    before = snapshot()
    check(client.post("/quiz/start/", data), before)


@FUZZ
@given(data=FORM, position=st.integers(-5, 30))
def test_answer(quiz_client, data, position):
    client, attempt = quiz_client
    before = snapshot()
    url = f"/quiz/{attempt.public_id}/q/{position}/"
    check(client.post(url, data, headers={"HX-Request": "true"}), before)
    check(client.post(url + "report/", data), before)


@FUZZ
@given(data=FORM)
def test_accounts(client, data):
    for url in ("/accounts/signup/", "/accounts/login/", "/accounts/password/reset/"):
        before = snapshot()
        check(client.post(url, data), before)


@FUZZ
@given(params=FORM)
def test_get_pages_with_any_query(client, params):
    for url in ("/", "/leaderboard/", "/about/scoring/", "/accounts/login/", "/healthz"):
        before = snapshot()
        response = client.get(url, params)
        check(response, before)
        response = client.get(url, params, headers={"HX-Request": "true"})
        check(response, before)


@FUZZ
@given(path=st.text(alphabet="abcdef0123456789-/%.", max_size=60))
def test_unknown_urls(client, path):
    check(client.get(f"/quiz/{path}"), snapshot())


@pytest.mark.parametrize(
    "body",
    [b"\xff\xfe\xfd", b"option=%ff%fe", b"watched_through=\xc3\x28&difficulty=%00", b"a" * 200_000],
)
def test_bad_encodings_and_oversized_bodies(quiz_client, body):
    client, attempt = quiz_client
    before = snapshot()
    for url in ("/quiz/start/", question_url(attempt, 1), "/accounts/signup/"):
        response = client.generic(
            "POST", url, body, content_type="application/x-www-form-urlencoded"
        )
        check(response, before)
