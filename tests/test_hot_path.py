"""The hot path's shortcuts (quiz.prepared, quiz.auth, quiz.sessions) keep Django's behaviour."""

import time
from importlib import import_module

import pytest
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

from quiz.middleware import LAST_SEEN_KEY
from tests.factories import PlayerFactory

pytestmark = pytest.mark.django_db


def _session_for(client, user, backend: str):
    session = client.session
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = backend
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session[LAST_SEEN_KEY] = int(time.time())
    session.save()
    client.cookies["sessionid"] = session.session_key
    return session.session_key


def test_a_session_from_before_the_player_backend_stays_signed_in(client):
    player = PlayerFactory()
    key = _session_for(client, player.user, "django.contrib.auth.backends.ModelBackend")
    assert client.get(reverse("profile")).status_code == 200
    data = Session.objects.get(session_key=key).get_decoded()
    assert data[BACKEND_SESSION_KEY] == "quiz.auth.PlayerBackend"


def test_a_changed_password_still_ends_other_sessions(client):
    player = PlayerFactory()
    _session_for(client, player.user, "quiz.auth.PlayerBackend")
    player.user.set_password("a whole new password")
    player.user.save()
    response = client.get(reverse("profile"))
    assert response.status_code == 302


def test_an_inactive_user_is_signed_out(client):
    player = PlayerFactory()
    _session_for(client, player.user, "quiz.auth.PlayerBackend")
    player.user.is_active = False
    player.user.save()
    assert client.get(reverse("profile")).status_code == 302


def test_an_expired_session_is_not_read(client):
    player = PlayerFactory()
    key = _session_for(client, player.user, "quiz.auth.PlayerBackend")
    Session.objects.filter(session_key=key).update(
        expire_date=timezone.now() - timezone.timedelta(seconds=1)
    )
    store = import_module(settings.SESSION_ENGINE).SessionStore(session_key=key)
    if hasattr(store, "cache_key"):  # cached_db: the copy in Redis goes too
        store._cache.delete(store.cache_key)
    assert client.get(reverse("profile")).status_code == 302


def test_a_page_that_needs_no_user_loads_only_the_session(client, django_assert_max_num_queries):
    player = PlayerFactory()
    client.force_login(player.user)
    client.get("/bench/baseline")
    # The session row (none with Redis, which holds a copy): never the user.
    with django_assert_max_num_queries(1):
        assert client.get("/bench/baseline").status_code == 200


def test_the_user_comes_with_their_player(client, django_assert_num_queries):
    from quiz.auth import PlayerBackend

    player = PlayerFactory()
    with django_assert_num_queries(1):
        user = PlayerBackend().get_user(player.user.pk)
        assert user.player.display_name == player.display_name
    assert PlayerBackend().get_user(987654) is None


def test_the_compiled_item_query_reads_what_the_orm_reads():
    """quiz.prepared's question-of-a-quiz read: the item and its attempt whole, the
    question only for the counters the feedback and rating need (its text, options,
    facts and explanation are the item's own copies: the question's are not read)."""
    from quiz import prepared
    from quiz.models import AttemptQuestion
    from tests.factories import AttemptQuestionFactory, QuestionFactory, QuizAttemptFactory

    attempt = QuizAttemptFactory(player=PlayerFactory())
    question = QuestionFactory(answer_count=40, correct_count=30)
    item = AttemptQuestionFactory(
        attempt=attempt, question=question, position=0, served_at=timezone.now(), points=7
    )

    got = prepared.item_of_player.first(
        public_id=attempt.public_id, position=0, player_id=attempt.player_id
    )
    want = AttemptQuestion.objects.select_related("attempt", "question").get(pk=item.pk)
    for field in AttemptQuestion._meta.concrete_fields:
        assert getattr(got, field.attname) == getattr(want, field.attname), field.name
    for field in type(attempt)._meta.concrete_fields:
        assert getattr(got.attempt, field.attname) == getattr(want.attempt, field.attname)
    assert got.question.percent_right == 75
    assert {"text", "explanation", "facts", "mentions"} <= got.question.get_deferred_fields()
    # Another player's quiz, or another position: nothing.
    assert (
        prepared.item_of_player.first(
            public_id=attempt.public_id, position=0, player_id=attempt.player_id + 1
        )
        is None
    )
    assert (
        prepared.item_of_player.first(
            public_id=attempt.public_id, position=1, player_id=attempt.player_id
        )
        is None
    )


def test_compiled_queries_name_their_placeholders_in_order():
    from quiz.prepared import _named_placeholders

    sql = "SELECT a FROM t WHERE a = %s AND b LIKE '%%s' AND c IN (%s, %s)"
    assert _named_placeholders(sql, 3) == (
        "SELECT a FROM t WHERE a = %(p0)s AND b LIKE '%%s' AND c IN (%(p1)s, %(p2)s)"
    )
    with pytest.raises(ValueError):
        _named_placeholders(sql, 2)
    with pytest.raises(ValueError):
        _named_placeholders(sql, 4)


@pytest.mark.parametrize("literal", ["50%", "%s", "100%%"])
def test_a_compiled_query_with_a_percent_in_a_value_finds_the_row(literal):
    """Values stay parameters: a % or a %s inside one is data, never a placeholder."""
    from quiz import prepared
    from tests.factories import QuizAttemptFactory

    attempt = QuizAttemptFactory(player=None, session_key=f"key-{literal}")
    got = prepared.active_of_session.all(session_key=f"key-{literal}")
    assert [a.pk for a in got] == [attempt.pk]


# --- a question page reads its item and the session's user in one query --------


def _playing(client):
    """A signed-in player with a started quiz, its first question served."""
    from tests.factories import QuestionFactory
    from tests.playing import latest_attempt, question_url, start

    QuestionFactory.create_batch(12)
    player = PlayerFactory()
    _session_for(client, player.user, "quiz.auth.PlayerBackend")
    start(client)
    attempt = latest_attempt()
    url = question_url(attempt, 1)
    assert client.get(url).status_code == 200
    return player, url


def test_the_question_page_reads_the_user_with_the_question(client, django_assert_num_queries):
    player, url = _playing(client)
    session = 0 if settings.SESSION_ENGINE.endswith("cached_db") else 1
    with django_assert_num_queries(session + 1):
        response = client.get(url, headers={"HX-Request": "true"})
    assert response.status_code == 200
    user = response.wsgi_request.user
    assert user.pk == player.user.pk and user.is_authenticated
    with django_assert_num_queries(0):  # what the checks and the page read came with the row
        assert (user.is_active, user.password) == (True, player.user.password)
        assert user.player.pk == player.pk
    # Only that: any other field is read on first use, and is the stored one.
    with django_assert_num_queries(1):
        assert user.player.display_name == player.display_name
    with django_assert_num_queries(1):
        assert user.username == player.user.username


def test_a_changed_password_ends_the_session_on_a_question_page(client):
    player, url = _playing(client)
    player.user.set_password("a whole new password")
    player.user.save()
    response = client.get(url)
    assert response.status_code == 404
    assert not response.wsgi_request.user.is_authenticated
    assert SESSION_KEY not in client.session  # flushed, as django.contrib.auth does


def test_an_inactive_user_gets_no_question(client):
    player, url = _playing(client)
    player.user.is_active = False
    player.user.save()
    assert client.get(url).status_code == 404


def test_another_players_question_is_not_found_with_the_user_still_signed_in(client):
    _, url = _playing(client)
    other = PlayerFactory()
    _session_for(client, other.user, "quiz.auth.PlayerBackend")
    response = client.get(url)
    assert response.status_code == 404
    assert response.wsgi_request.user.pk == other.user.pk


def test_a_supplied_user_stands_in_only_for_its_own_id(django_assert_num_queries):
    from quiz.auth import PlayerBackend, supplying

    player, other = PlayerFactory(), PlayerFactory()
    with supplying(player.user):
        with django_assert_num_queries(0):
            assert PlayerBackend().get_user(player.user.pk) is player.user
        with django_assert_num_queries(1):
            assert PlayerBackend().get_user(other.user.pk).pk == other.user.pk
    with django_assert_num_queries(1):
        assert PlayerBackend().get_user(player.user.pk) is not player.user


def test_the_item_with_its_user_reads_what_the_two_reads_read():
    from django.contrib.auth import get_user_model

    from quiz import prepared
    from tests.factories import AttemptQuestionFactory, QuizAttemptFactory

    attempt = QuizAttemptFactory(player=PlayerFactory())
    AttemptQuestionFactory(attempt=attempt, position=0, served_at=timezone.now())
    user = attempt.player.user
    got = prepared.item_with_user.first(public_id=attempt.public_id, position=0, user_id=user.pk)
    want = prepared.item_of_player.first(
        public_id=attempt.public_id, position=0, player_id=attempt.player_id
    )
    for field in type(want)._meta.concrete_fields:
        assert getattr(got, field.attname) == getattr(want, field.attname), field.name
    for field in type(want.attempt)._meta.concrete_fields:
        assert getattr(got.attempt, field.attname) == getattr(want.attempt, field.attname)
    read = got.attempt.player.user
    # The user's columns that Django's checks read, and the ids; the rest on first use.
    loaded = {f.attname for f in read._meta.concrete_fields} - read.get_deferred_fields()
    assert loaded == {"id", "password", "is_active"}
    assert not got.attempt.player.get_deferred_fields() & {"id", "user_id"}
    stored = get_user_model().objects.get(pk=user.pk)
    for field in stored._meta.concrete_fields:  # deferred ones read now: the same values
        assert getattr(read, field.attname) == getattr(stored, field.attname), field.name
    assert read.player is got.attempt.player
    other = PlayerFactory()
    assert (
        prepared.item_with_user.first(
            public_id=attempt.public_id, position=0, user_id=other.user.pk
        )
        is None
    )


def test_the_quiz_link_and_results_read_the_user_with_the_quiz(client, django_assert_num_queries):
    player, url = _playing(client)
    quiz_url = url.rsplit("/q/", 1)[0] + "/"
    session = 0 if settings.SESSION_ENGINE.endswith("cached_db") else 1
    with django_assert_num_queries(session + 1):
        response = client.get(quiz_url)
    assert response.status_code == 302 and response["Location"] == url
    assert response.wsgi_request.user.pk == player.user.pk
    player.user.set_password("a whole new password")
    player.user.save()
    assert client.get(quiz_url).status_code == 404
    assert client.get(quiz_url + "results/").status_code == 404


def _home_with_a_quiz_to_resume(client):
    from quiz import play
    from quiz.models import Bank
    from tests.factories import QuestionFactory

    QuestionFactory.create_batch(10)
    player = PlayerFactory(watched_through=2)
    attempt = play.start_quiz(
        bank=Bank.objects.get(), difficulty="mixed", watched_through=2, length=5, player=player
    )
    _session_for(client, player.user, "quiz.auth.PlayerBackend")
    return player, attempt


def test_the_home_page_reads_the_user_with_the_quizzes_to_resume(client, django_assert_num_queries):
    player, attempt = _home_with_a_quiz_to_resume(client)
    client.get("/")  # the category counts kept
    # The session (from the cache with Redis), the user with their player and quizzes
    # to resume, the banks.
    session = 0 if settings.SESSION_ENGINE.endswith("cached_db") else 1
    with django_assert_num_queries(session + 2):
        response = client.get("/")
    assert response.wsgi_request.user.pk == player.user_id
    assert f'href="{attempt.get_absolute_url()}">Resume: ' in response.content.decode()
    assert 'value="2" selected' in response.content.decode()  # the player's remembered level


def test_a_changed_password_ends_the_session_on_the_home_page(client):
    player, attempt = _home_with_a_quiz_to_resume(client)
    player.user.set_password("a whole new password")
    player.user.save()
    response = client.get("/")
    assert response.status_code == 200
    assert not response.wsgi_request.user.is_authenticated
    assert SESSION_KEY not in client.session  # flushed, as django.contrib.auth does
    assert "Resume: " not in response.content.decode()


def test_an_inactive_user_has_nothing_to_resume_on_the_home_page(client):
    player, attempt = _home_with_a_quiz_to_resume(client)
    player.user.is_active = False
    player.user.save()
    response = client.get("/")
    assert not response.wsgi_request.user.is_authenticated
    assert "Resume: " not in response.content.decode()


def test_a_question_page_reads_the_attempt_columns_it_shows_and_the_answer_all():
    from quiz import prepared
    from tests.factories import AttemptQuestionFactory, QuizAttemptFactory

    attempt = QuizAttemptFactory(player=PlayerFactory())
    AttemptQuestionFactory(attempt=attempt, position=0, served_at=timezone.now())
    user = attempt.player.user
    full = prepared.item_with_user.first(public_id=attempt.public_id, position=0, user_id=user.pk)
    readings = {
        "with user": prepared.shown_item_with_user.first(
            public_id=attempt.public_id, position=0, user_id=user.pk
        ),
        "of player": prepared.shown_item_of_player.first(
            public_id=attempt.public_id, position=0, player_id=attempt.player_id
        ),
    }
    attempt.player, attempt.session_key = None, "s" * 32
    attempt.save()
    readings["of session"] = prepared.shown_item_of_session.first(
        public_id=attempt.public_id, position=0, session_key="s" * 32
    )
    shown = {type(attempt)._meta.get_field(name).attname for name in prepared.SHOWN_ATTEMPT_FIELDS}
    assert not full.attempt.get_deferred_fields()
    for how, item in readings.items():
        assert item is not None, how
        read = item.attempt
        assert {f.attname for f in read._meta.concrete_fields} - read.get_deferred_fields() == shown
        for field in type(full)._meta.concrete_fields:
            assert getattr(item, field.attname) == getattr(full, field.attname), (how, field.name)
        for name in shown - {"player_id", "session_key"}:
            assert getattr(read, name) == getattr(full.attempt, name), (how, name)
