"""Nothing in a question (wording, any option, explanation) is above its spoiler level.

The mechanism is structural: a question's level is the maximum level of the
facts it draws on, recomputed here for the whole bank. The reveal-term scan is
a second net, with the terms kept in the fact base (fixtures/facts/reveal.toml).
"""

from __future__ import annotations

import random
import re

import pytest

from quiz.facts import load_fact_base
from quiz.generator import BANK_SLUG, build_questions, generate_bank
from quiz.models import Question


@pytest.fixture(scope="module")
def fact_base():
    return load_fact_base()


@pytest.fixture
def bank(db):
    generate_bank()
    return list(
        Question.objects.filter(bank__slug=BANK_SLUG).prefetch_related("options").order_by("id")
    )


def everything_shown(question: Question) -> str:
    options = " | ".join(o.text for o in question.options.all())
    return f"{question.text} | {options} | {question.explanation}"


def test_every_level_is_the_maximum_of_its_facts(bank, fact_base):
    specs = {s.source_key: s for s in build_questions(fact_base)}
    wrong = {
        q.source_key: q.spoiler_level
        for q in bank
        if q.spoiler_level
        != fact_base.level_of([*q.facts, *q.mentions, *specs[q.source_key].option_facts])
    }
    assert not wrong


def test_no_question_contains_a_term_revealed_later(bank, fact_base):
    patterns = {
        level: [re.compile(rf"(?<!\w){re.escape(term)}(?!\w)", re.IGNORECASE) for term in terms]
        for level, terms in fact_base.reveal_terms.items()
    }
    leaks = []
    for question in bank:
        shown = everything_shown(question)
        for level, level_patterns in patterns.items():
            if level <= question.spoiler_level:
                continue
            leaks += [
                (question.source_key, question.spoiler_level, p.pattern)
                for p in level_patterns
                if p.search(shown)
            ]
    assert not leaks


def test_the_reveal_terms_are_live(bank, fact_base):
    """Each level's terms actually occur at that level: the scan is not checking dead words."""
    for level, terms in fact_base.reveal_terms.items():
        at_level = " ".join(
            everything_shown(q) for q in bank if q.spoiler_level == level
        ).casefold()
        assert any(term.casefold() in at_level for term in terms), level


def test_a_false_statement_naming_a_later_victim_is_at_that_victims_level(bank):
    for question in bank:
        if "Zoe Harper" in question.text and "victim" in question.text:
            assert question.spoiler_level >= 5, question.text
        if "Helen Wang" in question.text and "victim" in question.text:
            assert question.spoiler_level >= 2, question.text


def test_cast_questions_stay_at_level_zero_and_explain_nothing_later(bank):
    cast = [q for q in bank if q.source_key.startswith("cast.")]
    assert cast and all(q.spoiler_level == 0 for q in cast)
    alice = next(q for q in cast if q.source_key == "cast.alice:who-plays")
    assert "Crystal Fox" in alice.explanation
    assert "kill" not in alice.explanation.casefold()
    helen = next(q for q in cast if q.source_key == "cast.helen:who-plays")
    assert "victim" not in helen.explanation


def test_the_twist_is_only_asked_at_level_six(bank):
    killer = [q for q in bank if q.source_key.startswith("ending.killer:")]
    assert killer and all(q.spoiler_level == 6 for q in killer)
    for fact_id in ("book.assault-victim", "book.evidence", "book.certainty"):
        asked = [q for q in bank if q.source_key.startswith(f"{fact_id}:")]
        assert asked and all(q.spoiler_level == 6 for q in asked), fact_id


def test_players_see_nothing_above_what_they_watched(bank):
    for watched in range(7):
        shown = Question.objects.published().up_to_episode(watched)
        assert not shown.filter(spoiler_level__gt=watched).exists()
        assert shown.exists()


# Answers that are people or episodes recur in many wordings by nature; the
# mention rule covers them through each fact's draws_on.
PEOPLE_KINDS = {"actor", "character", "credited_actor", "episode", "boolean", "victim_order"}


def test_no_question_gives_away_the_answer_of_one_it_may_share_a_quiz_with():
    """A value answer ("WSK TV News", "Atlanta") appears in no other question's
    wording, shown options or explanation unless that question asks or
    mentions the fact, which keeps the two out of one quiz."""
    specs = build_questions()
    leaks = []
    for asked in specs:
        if asked.kind != "multiple" or asked.option_kind in PEOPLE_KINDS | {"event"}:
            continue
        answer = re.compile(rf"(?<!\w){re.escape(asked.correct)}(?!\w)", re.IGNORECASE)
        for other in specs:
            if other is asked or set(asked.facts) & {*other.facts, *other.mentions}:
                continue
            shown = [other.text, other.explanation]
            if other.option_kind == "event":
                shown += [text for text, _ in other.options]  # events shown are true
            if any(answer.search(text) for text in shown):
                leaks.append((asked.source_key, other.source_key))
    assert leaks == []


def test_one_quiz_never_holds_a_question_beside_one_that_reveals_its_answer():
    """The draw's rule on real questions: a question mentioning a fact never
    shares a quiz with one asking it (quiz.play.pick_distinct)."""
    from quiz.play import pick_distinct

    specs = build_questions()
    station = next(s for s in specs if s.source_key == "premise.station:mc")
    giveaways = [s for s in specs if "premise.station" in s.mentions]
    assert giveaways  # e.g. "What brings Anna back…" explains she reports for WSK TV News
    rows = [(s.source_key, s.facts, s.mentions) for s in [station, *giveaways]]
    for seed in range(50):
        picked = pick_distinct(rows, len(rows), rng=random.Random(seed))
        # Either the station question alone, or only questions that mention it.
        assert picked == ["premise.station:mc"] or "premise.station:mc" not in picked
