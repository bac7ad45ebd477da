"""The draw keeps one question per fact in a quiz, and no question that gives
away another's answer (quiz.play.pick_distinct, draw_question_ids)."""

from __future__ import annotations

import random
from collections import Counter

import pytest

from quiz import play
from quiz.generator import generate_bank
from quiz.models import AttemptQuestion, Bank, Question
from tests.factories import QuestionFactory

ROWS = [
    (1, ["a"], []),
    (2, ["a"], []),
    (3, ["b"], ["a"]),  # mentions a: never beside 1 or 2
    (4, ["c"], []),
    (5, ["d"], ["c"]),
    (6, [], []),  # hand-written: no facts, no conflicts
]


def conflicts(rows, picked):
    chosen = [r for r in rows if r[0] in picked]
    asked = Counter(f for r in chosen for f in r[1])
    if any(n > 1 for n in asked.values()):
        return True
    return any(set(r[2]) & (asked.keys() - set(r[1])) for r in chosen)


def test_pick_distinct_never_repeats_a_fact_nor_hands_over_an_answer():
    rng = random.Random(5)
    seen = Counter()
    for _ in range(2000):
        picked = play.pick_distinct(ROWS, 6, rng=rng)
        assert not conflicts(ROWS, picked)
        assert len(picked) == len(set(picked))
        seen.update(picked)
    # Every question can be drawn; the widest possible quiz here has 4 questions.
    assert set(seen) == {1, 2, 3, 4, 5, 6}
    assert all(len(play.pick_distinct(ROWS, 6, rng=rng)) >= 3 for _ in range(50))


def test_pick_distinct_prefers_fresh_questions_and_stops_at_length():
    rows = [(n, [f"f{n}"], []) for n in range(10)]
    for seed in range(20):
        picked = play.pick_distinct(rows, 4, avoid={0, 1, 2, 3, 4, 5}, rng=random.Random(seed))
        assert sorted(picked) == [6, 7, 8, 9]
    assert len(play.pick_distinct(rows, 8, avoid={0, 1, 2, 3, 4, 5}, rng=random.Random(1))) == 8


def test_pick_distinct_is_uniform_among_fitting_questions():
    rows = [(n, [f"f{n // 2}"], []) for n in range(20)]  # ten facts, two questions each
    counts = Counter()
    rng = random.Random(9)
    for _ in range(4000):
        picked = play.pick_distinct(rows, 5, rng=rng)
        assert len({n // 2 for n in picked}) == 5
        counts.update(picked)
    expected = 4000 * 5 / 20
    assert all(0.85 * expected <= c <= 1.15 * expected for c in counts.values()), counts


@pytest.mark.django_db
def test_the_draw_widens_its_window_until_the_quiz_is_full():
    bank = QuestionFactory(facts=["same"]).bank
    QuestionFactory.create_batch(40, facts=["same"], bank=bank)
    unique = [QuestionFactory(bank=bank, facts=[f"unique-{n}"]) for n in range(4)]
    candidates = play.candidate_questions(bank, "easy", 6)
    for seed in range(10):
        ids = play.draw_question_ids(candidates, 5, rng=random.Random(seed))
        # The first window (20 keys) is mostly "same": the draw reads on.
        assert len(ids) == 5
        assert {q.id for q in unique} <= set(ids)
        facts = Counter(f for q in Question.objects.filter(id__in=ids) for f in q.facts)
        assert max(facts.values()) == 1


@pytest.mark.django_db
def test_a_quiz_from_the_generated_bank_keeps_facts_apart():
    generate_bank()
    bank = Bank.objects.get(slug="his-and-hers")
    bank.is_published = True
    bank.save()
    for watched in (0, 3, 6):
        for _ in range(5):
            attempt = play.start_quiz(
                bank=bank, difficulty="mixed", watched_through=watched, length=20, session_key="s"
            )
            questions = [
                item.question
                for item in AttemptQuestion.objects.filter(attempt=attempt).select_related(
                    "question"
                )
            ]
            assert len(questions) == 20
            asked = Counter(f for q in questions for f in q.facts)
            assert max(asked.values()) == 1
            for q in questions:
                others = {f for other in questions if other is not q for f in other.mentions}
                assert not set(q.facts) & others, q.source_key
