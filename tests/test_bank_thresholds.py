"""The generated bank meets the thresholds of the question-bank issue.

These run on the generator's output (no database), so a fact-base or
generator change that breaks one fails CI. `manage.py bank_report` prints the
same figures (quiz/bank_stats.py) for the bank in the database.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
from django.conf import settings

from quiz.bank_stats import (
    DIFFICULTIES,
    LEVELS,
    children_in_crime_options,
    from_specs,
    mismatches,
    pool,
    repeated_fact_rate,
)
from quiz.facts import load_fact_base
from quiz.generator import STORY_CATEGORIES, build_questions
from tests.test_fact_base import ARTICLE, require_article

# Fewer than bank_report's 10,000 per cell to keep the suite fast; the rule is
# structural (quiz.play.pick_distinct), the simulation checks it end to end.
SIMULATED_QUIZZES = 300


@pytest.fixture(scope="module")
def generated():
    """(fact base, specs, rows): the generator's output, built once."""
    facts = load_fact_base()
    built = build_questions(facts)
    return facts, built, from_specs(built)


@pytest.fixture(scope="module")
def fact_base(generated):
    return generated[0]


@pytest.fixture(scope="module")
def specs(generated):
    return generated[1]


@pytest.fixture(scope="module")
def bank(generated):
    return generated[2]


@pytest.mark.parametrize("level", LEVELS)
def test_at_least_65_percent_multiple_choice_at_every_level(bank, level):
    at_level = [q for q in bank if q.spoiler_level == level]
    shown = pool(bank, level, "mixed")  # what a player at this level draws from
    for questions in (at_level, shown):
        share = sum(q.kind == "multiple" for q in questions) / len(questions)
        assert share >= 0.65, (level, share)


@pytest.mark.parametrize("episode", [1, 2, 3, 4, 5])
def test_every_early_episode_is_told(bank, fact_base, episode):
    first_revealed = [q for q in bank if q.spoiler_level == episode]
    facts = {q.fact_id for q in first_revealed if fact_base.facts[q.fact_id].level == episode}
    assert len(facts) >= 6, facts
    assert len(first_revealed) >= 18
    by_difficulty = Counter(q.difficulty for q in first_revealed)
    assert all(by_difficulty[d] >= 4 for d in ("easy", "medium", "hard")), by_difficulty


@pytest.mark.parametrize("watched", [3, 4, 5, 6])
def test_a_mixed_quiz_after_three_episodes_is_mostly_about_the_story(bank, watched):
    shown = pool(bank, watched, "mixed")
    share = sum(q.category in STORY_CATEGORIES for q in shown) / len(shown)
    assert share >= 0.35, share


def test_at_least_160_distinct_facts_are_asked(bank):
    assert len({q.fact_id for q in bank}) >= 160


def test_true_false_is_balanced_and_credits_are_a_tenth_at_most(bank):
    booleans = [q for q in bank if q.kind == "boolean"]
    true_share = sum(dict(q.options)["True"] for q in booleans) / len(booleans)
    assert 0.40 <= true_share <= 0.60, true_share
    assert sum(q.category == "credits" for q in bank) / len(bank) <= 0.10


def test_no_true_false_family_is_always_true(specs):
    families = {}
    for spec in specs:
        if spec.kind == "boolean":
            families.setdefault(spec.fact_id.split(".")[0], []).append(spec.correct)
    for family, answers in families.items():
        if len(answers) >= 4:
            assert "False" in answers and "True" in answers, family


@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize("difficulty", DIFFICULTIES)
def test_no_simulated_quiz_repeats_a_fact_or_gives_an_answer_away(bank, level, difficulty):
    faults, short = repeated_fact_rate(bank, level, difficulty, SIMULATED_QUIZZES)
    assert faults == 0
    assert short == 0  # and every quiz is drawn full


def test_no_gender_or_kind_mismatch_and_no_child_in_a_crime_question(bank, fact_base):
    assert mismatches(bank, fact_base) == []
    assert children_in_crime_options(bank, fact_base) == []
    meg = [q for q in bank if "Meg Harper" in dict(q.options) and not dict(q.options)["Meg Harper"]]
    assert meg == []  # a child is never a wrong option, anywhere


def test_wrong_options_are_not_worn_out(specs):
    """The show's own people and episodes recur (it has four men); any other
    wrong option is used in a handful of questions at most."""
    people = {"actor", "character", "credited_actor", "episode", "relation", "event"}
    used = Counter(
        text
        for s in specs
        if s.kind == "multiple" and s.option_kind not in people
        for text, ok in s.options
        if not ok
    )
    assert max(used.values()) <= 5, used.most_common(3)


def test_every_fact_is_asked(bank, fact_base):
    asked = {f for q in bank for f in q.facts}
    never = [
        f.id
        for f in fact_base.facts.values()
        if f.type not in ("pool", "character") and f.id not in asked
    ]
    assert never == []


def test_what_the_bank_leaves_out_is_listed_with_a_reason(fact_base):
    """Every article section is used by a fact or named in fixtures/README.md's
    list of what is left out, each entry with its reason."""
    require_article()
    readme = (Path(settings.BASE_DIR) / "fixtures" / "README.md").read_text(encoding="utf-8")
    left_out = readme.split("## Left out", 1)[1].split("\n## ", 1)[0]
    entries = [line for line in left_out.splitlines() if line.startswith("- ")]
    assert len(entries) >= 10
    assert all(re.search(r"\*\*.+\*\*.*: .{12,}", entry) for entry in entries), entries
    sections = {f.section for f in fact_base.facts.values()}
    headings = [
        line.strip()
        for line in ARTICLE.read_text(encoding="utf-8").splitlines()
        if line.strip() and len(line.split()) <= 8 and not line.strip().endswith(".")
    ]
    unused = [h for h in headings if h not in sections and h not in left_out]
    assert unused == []


def test_explanations_name_their_source_and_add_something(specs):
    for spec in specs:
        source, _, rest = spec.explanation.partition(":")
        assert source and rest.strip(), spec.source_key
        shown = f"{spec.text} {' '.join(t for t, _ in spec.options)}".casefold()
        new_words = {
            w for w in re.findall(r"[a-z]{4,}", spec.explanation.casefold()) if w not in shown
        }
        assert len(new_words) >= 3, (spec.source_key, spec.explanation)
        assert spec.explanation.casefold().strip() != spec.text.casefold().strip()
