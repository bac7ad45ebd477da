"""Seed a question bank of any size for the benchmarks.

Questions go in with bulk_create (so every field default, random_key included,
is the model's own); their four options go in with one INSERT ... SELECT per
option position, which is what makes a million questions (four million options)
take seconds rather than minutes.
"""

from __future__ import annotations

import random

from django.db import connection, transaction

from quiz.models import Bank, Difficulty, Question

CATEGORIES = ["cast", "characters", "episodes", "production", "music"]
BATCH = 5000


def seed_bank(size: int, *, seed: int = 7, progress=None) -> Bank:
    """A published bank of `size` published questions, spread evenly over
    difficulty, spoiler level 0-6 and five categories, each with four options."""
    rng = random.Random(seed)
    bank, _ = Bank.objects.get_or_create(
        slug="his-and-hers", defaults={"name": "HIS & HERS — the series", "is_published": True}
    )
    difficulties = list(Difficulty.values)
    made = 0
    while made < size:
        n = min(BATCH, size - made)
        with transaction.atomic():
            Question.objects.bulk_create(
                Question(
                    bank=bank,
                    kind=Question.Kind.MULTIPLE,
                    text=f"Benchmark question {made + i}: who said it in episode {rng.randint(1, 6)}?",
                    explanation=f"Explanation of benchmark question {made + i}.",
                    category=rng.choice(CATEGORIES),
                    difficulty=rng.choice(difficulties),
                    spoiler_level=rng.randint(0, 6),
                    status=Question.Status.PUBLISHED,
                    random_key=rng.random(),
                    # About three questions per fact, as in the generated bank:
                    # the draw keeps one question per fact in a quiz.
                    facts=[f"bench.fact-{rng.randrange(max(1, size // 3))}"],
                )
                for i in range(n)
            )
        made += n
        if progress:
            progress(made)
    with transaction.atomic(), connection.cursor() as cursor:
        for position, label in enumerate(["Right", "Wrong A", "Wrong B", "Wrong C"]):
            cursor.execute(
                "INSERT INTO quiz_option (question_id, text, is_correct, position) "
                "SELECT q.id, %s || CAST(q.id AS TEXT), %s, %s FROM quiz_question q "
                "WHERE q.bank_id = %s AND NOT EXISTS "
                "(SELECT 1 FROM quiz_option o WHERE o.question_id = q.id AND o.position = %s)",
                [f"{label} ", position == 0, position, bank.pk, position],
            )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE quiz_question")
            cursor.execute("VACUUM ANALYZE quiz_option")
    else:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return bank
