"""The spoiler filter over the whole generated bank: at every level, nothing above it, in any field."""

from __future__ import annotations

import html
import re

import pytest

from quiz.facts import load_fact_base
from quiz.generator import generate_bank
from quiz.models import Question


@pytest.fixture(autouse=True)
def _no_rate_limit(settings):
    settings.API_RATE_LIMIT_SECONDS = 0


@pytest.fixture(scope="module")
def fact_base():
    return load_fact_base()


def decoded(result: dict) -> dict:
    """The default encoding is HTML entities: scan what a reader would see."""
    return {
        key: html.unescape(value)
        if isinstance(value, str)
        else [html.unescape(v) for v in value]
        if key == "incorrect_answers"
        else value
        for key, value in result.items()
    }


def drain(client, level: int) -> list[dict]:
    """Every question the API serves at `level`: one token, 50 at a time, then one at a time."""
    token = client.get("/api/api_token.php", {"command": "request"}).json()["token"]
    results, amount = [], 50
    for _ in range(200):
        params = {"amount": amount, "token": token, "spoiler_level": level, "extended": 1}
        data = client.get("/api/api.php", params).json()
        if data["response_code"] == 4:
            if amount == 1:
                return results
            amount = 1
            continue
        assert data["response_code"] == 0, data
        results += [decoded(r) for r in data["results"]]
    raise AssertionError("the token never ran out")


@pytest.mark.parametrize("level", range(7))
def test_nothing_above_the_level_asked_in_any_field(client, db, fact_base, level):
    generate_bank()
    served = drain(client, level)
    expected = Question.objects.published().filter(spoiler_level__lte=level)
    assert sorted(r["question"] for r in served) == sorted(expected.values_list("text", flat=True))
    later_terms = [
        re.compile(rf"(?<!\w){re.escape(term)}(?!\w)", re.IGNORECASE)
        for term_level, terms in fact_base.reveal_terms.items()
        if term_level > level
        for term in terms
    ]
    for result in served:
        assert result["spoiler_level"] <= level
        assert fact_base.level_of(result["facts"]) <= level, result["question"]
        shown = " | ".join(
            [
                result["question"],
                result["correct_answer"],
                *result["incorrect_answers"],
                result["explanation"],
                result["category"],
            ]
        )
        leaks = [p.pattern for p in later_terms if p.search(shown)]
        assert not leaks, (result["question"], leaks)
