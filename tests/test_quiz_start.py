"""Starting a quiz: what is stored for each drawn question, and what it costs.

start_quiz reads the drawn questions' served fields and their options with two
plain reads and writes the quiz's questions with one statement built once
(quiz.prepared.insert_new): the stored snapshot must be what the models say.
"""

import random

import pytest
from django.db import connection

from quiz import play, prepared
from quiz.models import AttemptQuestion, Bank, Option, Question
from tests.factories import BankFactory, PlayerFactory, QuestionFactory
from tests.playing import latest_attempt, start
from tests.test_query_budget import budget, per_vendor, rate_limit_queries

pytestmark = pytest.mark.django_db


@pytest.fixture
def bank():
    bank = BankFactory()
    for n in range(6):
        QuestionFactory(bank=bank, category="plot" if n % 2 else "cast", difficulty="medium")
    # Options stored out of order: the served order starts from their positions.
    odd = QuestionFactory(bank=bank, difficulty="medium", options=["Right", "Wrong B", "Wrong A"])
    for text, position in [("Right", 2), ("Wrong B", 1), ("Wrong A", 0)]:
        Option.objects.filter(question=odd, text=text).update(position=position)
    for _ in range(3):
        QuestionFactory(bank=bank, kind=Question.Kind.BOOLEAN, difficulty="medium")
    return bank


def _expected_texts(question: Question, rng: random.Random) -> list[str]:
    texts = [o.text for o in question.options.order_by("position", "id")]
    if question.kind == Question.Kind.BOOLEAN:
        return sorted(texts, key=lambda text: text != "True")
    rng.shuffle(texts)
    return texts


def test_each_item_is_its_question_as_served(bank, monkeypatch):
    monkeypatch.setattr(play.secrets, "randbits", lambda bits: 1234)
    attempt = play.start_quiz(
        bank=bank, difficulty="medium", watched_through=6, length=10, player=PlayerFactory()
    )
    items = list(attempt.items.order_by("position"))
    assert [item.position for item in items] == list(range(10))
    assert len({item.question_id for item in items}) == 10
    rng = random.Random(1234)  # the quiz's own shuffles, in draw order
    for item in items:
        question = Question.objects.get(pk=item.question_id)
        for name in ("text", "kind", "difficulty", "category", "spoiler_level", "explanation"):
            assert getattr(item, name) == getattr(question, name), name
        assert [o["text"] for o in item.options] == _expected_texts(question, rng)
        keys = [o["key"] for o in item.options]
        assert len(set(keys)) == len(keys) and all(len(key) == 12 for key in keys)
        correct = question.options.get(is_correct=True).text
        assert item.correct_text == correct
        assert item.option_text(item.correct_key) == correct
        assert (item.served_at, item.answered_at, item.chosen_key, item.points) == (
            None,
            None,
            "",
            0,
        )
        assert item.is_correct is None


def test_inserted_rows_are_what_bulk_create_stores(bank):
    attempt = play.start_quiz(
        bank=bank, difficulty="medium", watched_through=6, length=5, player=PlayerFactory()
    )
    made = list(attempt.items.order_by("position"))
    copies = [
        AttemptQuestion(
            **{
                f.attname: getattr(item, f.attname)
                for f in AttemptQuestion._meta.concrete_fields
                if not f.primary_key
            }
        )
        for item in made
    ]
    AttemptQuestion.objects.filter(attempt=attempt).delete()
    AttemptQuestion.objects.bulk_create(copies)
    by_bulk = list(attempt.items.order_by("position"))
    for mine, theirs in zip(made, by_bulk, strict=True):
        for field in AttemptQuestion._meta.concrete_fields:
            if not field.primary_key:
                assert getattr(mine, field.attname) == getattr(theirs, field.attname), field.name


def test_recently_seen_questions_are_the_last_five_quizzes(bank):
    player = PlayerFactory()
    played = []
    for _ in range(6):
        attempt = play.start_quiz(
            bank=bank, difficulty="medium", watched_through=6, length=5, player=player
        )
        played.append({item.question_id for item in attempt.items.all()})
    assert play.recently_seen_ids(player, "") == set().union(*played[1:])
    assert play.recently_seen_ids(PlayerFactory(), "") == set()


@pytest.mark.django_db(transaction=True)
def test_start_budget(client, django_assert_num_queries, monkeypatch):
    # The same draw every run (its window walk finds its window without wrapping).
    monkeypatch.setattr(play.secrets, "randbits", lambda bits: 1)
    Bank.objects.exclude(slug="his-and-hers").delete()
    QuestionFactory.create_batch(30, difficulty="easy")
    player = PlayerFactory(watched_through=6, difficulty="easy", quiz_length=5)
    client.force_login(player.user)
    start(client)
    # Session (none with Redis), user with player, the form's banks (the chosen one
    # is among them; the category counts are this process's copy, kept from the
    # first start), the rate-limit counter (Redis when configured), the recent
    # questions, the window walk and its facts, the questions and their options;
    # then in one transaction the quiz and its questions (one executemany).
    with django_assert_num_queries(
        budget(per_vendor(10, 9) + rate_limit_queries(), transactions=1)
    ) as queries:
        response = start(client)
    assert response.status_code == 302
    sqls = [q["sql"] for q in queries.captured_queries]
    # The quiz, then its five questions in one executemany.
    assert sum('INSERT INTO "quiz_quizattempt"' in sql for sql in sqls) == 1
    assert sum('INSERT INTO "quiz_attemptquestion"' in sql for sql in sqls) == 1
    assert latest_attempt().items.count() == 5
    assert connection.vendor in ("sqlite", "postgresql")
    assert prepared.RECENT_QUIZZES == play.RECENT_ATTEMPTS == 5
