"""Every generated question that touches a held-back fact agrees with the article.

The held-back facts (tests/data/held_back_facts.toml) were typed from the
article separately from the fact base, so a mistake in fixtures/facts shows up
here as a disagreement.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from quiz.generator import build_questions
from quiz.models import Question

HELD_BACK = Path(__file__).parent / "data" / "held_back_facts.toml"
FACTS = tomllib.loads(HELD_BACK.read_text(encoding="utf-8"))["fact"]


@pytest.fixture(scope="module")
def specs():
    return build_questions()


def test_there_are_about_twenty_held_back_facts():
    assert len(FACTS) >= 20


@pytest.mark.parametrize("fact", FACTS, ids=[f["quote"][:40] for f in FACTS])
def test_generated_questions_agree_with_the_held_back_fact(specs, fact):
    pattern = re.compile(fact["pattern"], re.IGNORECASE)
    touching = [spec for spec in specs if pattern.search(spec.text)]
    assert touching, f"no generated question touches: {fact['quote']}"
    for spec in touching:
        if spec.kind == Question.Kind.MULTIPLE:
            assert spec.correct in fact["answers"], (spec.text, spec.correct)
        else:
            names_answer = any(answer in spec.text for answer in fact["answers"])
            assert (spec.correct == "True") == names_answer, (spec.text, spec.correct)
