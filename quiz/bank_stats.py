"""Figures about a question bank: what `manage.py bank_report` prints and what
tests/test_bank_thresholds.py holds the generated bank to.

Everything works on plain rows (BankQuestion), so the same code reads the
database or the generator's specs, and quizzes are simulated in-process with
quiz.play.pick_distinct, the draw's own rule.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass

from quiz.facts import FactBase
from quiz.generator import STORY_CATEGORIES, collect_candidates
from quiz.play import pick_distinct

LEVELS = range(7)
DIFFICULTIES = ("easy", "medium", "hard", "mixed")
QUIZ_LENGTH = 10
CRIME_CATEGORIES = frozenset({"murders", "ending"})


@dataclass(frozen=True)
class BankQuestion:
    id: int | str
    kind: str
    text: str
    options: tuple[tuple[str, bool], ...]
    explanation: str
    category: str
    difficulty: str
    spoiler_level: int
    facts: tuple[str, ...]
    mentions: tuple[str, ...] = ()

    @property
    def fact_id(self) -> str:
        return self.facts[0] if self.facts else f"question-{self.id}"

    @property
    def wrong(self) -> list[str]:
        return [text for text, ok in self.options if not ok]


def _row(question, key, options) -> BankQuestion:
    """One row from a QuestionSpec or a Question (they share these attributes)."""
    return BankQuestion(
        key,
        question.kind,
        question.text,
        tuple(options),
        question.explanation,
        question.category,
        question.difficulty,
        question.spoiler_level,
        tuple(question.facts or ()),
        tuple(question.mentions or ()),
    )


def from_specs(specs) -> list[BankQuestion]:
    return [_row(s, s.source_key, s.options) for s in specs]


def from_queryset(questions) -> list[BankQuestion]:
    return [
        _row(q, q.id, ((o.text, o.is_correct) for o in q.options.all()))
        for q in questions.prefetch_related("options")
    ]


def pool(bank: list[BankQuestion], level: int, difficulty: str) -> list[BankQuestion]:
    return [
        q
        for q in bank
        if q.spoiler_level <= level and (difficulty == "mixed" or q.difficulty == difficulty)
    ]


def quiz_faults(picked: list[BankQuestion]) -> bool:
    """Whether a quiz asks a fact twice, or mentions a fact another question asks."""
    asked = Counter(fact for q in picked for fact in q.facts)
    if any(n > 1 for n in asked.values()):
        return True
    return any(set(q.mentions) & (asked.keys() - set(q.facts)) for q in picked)


def repeated_fact_rate(bank, level, difficulty, quizzes, *, seed=0, length=QUIZ_LENGTH):
    """(share of simulated quizzes that repeat a fact or give an answer away,
    share of quizzes drawn short although the pool had `length` questions)."""
    questions = pool(bank, level, difficulty)
    by_id = {q.id: q for q in questions}
    rows = [(q.id, q.facts, q.mentions) for q in questions]
    rng = random.Random(f"{seed}:{level}:{difficulty}")
    faults = short = 0
    for _ in range(quizzes):
        picked = [by_id[i] for i in pick_distinct(rows, length, rng=rng)]
        faults += quiz_faults(picked)
        short += len(picked) < min(length, len(rows))
    return faults / quizzes, short / quizzes


def people(fact_base: FactBase) -> dict[str, tuple[str, str, bool]]:
    """name -> (kind, gender, child) for every person the fact base names."""
    found = {}
    candidates = collect_candidates(fact_base)
    for kind, values in candidates.items():
        for c in values:
            if c.gender:
                found[c.value] = (kind, c.gender, c.child)
    # The answers of questions whose wrong options are a pool of people.
    for fact in fact_base.of_type("value"):
        genders = {c.gender for c in candidates.get(fact["value_kind"], []) if c.gender}
        if len(genders) == 1 and fact["value_kind"] not in ("actor", "character"):
            for value in fact["values"]:
                found.setdefault(value, (fact["value_kind"], next(iter(genders)), False))
    return found


def mismatches(bank, fact_base: FactBase) -> list[str]:
    """Multiple-choice questions whose options mix genders or kinds of people."""
    known = people(fact_base)
    found = []
    for q in bank:
        if q.kind != "multiple":
            continue
        named = [known.get(text) for text, _ in q.options]
        if not any(named):
            continue
        if (
            not all(named)
            or len({(kind.replace("credited_", ""), gender) for kind, gender, _ in named}) > 1
        ):
            found.append(q.text)
    return found


def children_in_crime_options(bank, fact_base: FactBase) -> list[str]:
    known = people(fact_base)
    return [
        q.text
        for q in bank
        if q.category in CRIME_CATEGORIES and any(known.get(t, ("", "", False))[2] for t in q.wrong)
    ]


def report(bank: list[BankQuestion], fact_base: FactBase, *, quizzes: int = 10_000) -> dict:
    by_level = {level: [q for q in bank if q.spoiler_level == level] for level in LEVELS}
    booleans = [q for q in bank if q.kind == "boolean"]
    story_pool = [q for q in bank if q.spoiler_level <= 3]
    asked = {q.fact_id for q in bank}
    per_fact = Counter(q.fact_id for q in bank)
    wrong_options = Counter(w for q in bank if q.kind == "multiple" for w in q.wrong)
    return {
        "questions": len(bank),
        "by_type": Counter(q.kind for q in bank),
        "by_level": {level: len(qs) for level, qs in by_level.items()},
        "by_difficulty": Counter(q.difficulty for q in bank),
        "by_category": Counter(q.category for q in bank),
        "facts_asked": len(asked),
        "facts_by_level": {
            level: len(
                {
                    q.fact_id
                    for q in qs
                    if fact_base.facts.get(q.fact_id) and fact_base.facts[q.fact_id].level == level
                }
            )
            for level, qs in by_level.items()
        },
        "difficulty_by_level": {
            level: Counter(q.difficulty for q in qs) for level, qs in by_level.items()
        },
        "multiple_choice_share": {
            level: sum(q.kind == "multiple" for q in qs) / len(qs) if qs else 0.0
            for level, qs in by_level.items()
        },
        "true_share": sum(q.options[0][1] for q in booleans) / len(booleans) if booleans else 0.0,
        "questions_per_fact": Counter(per_fact.values()),
        "story_share_watched_3": (
            sum(q.category in STORY_CATEGORIES for q in story_pool) / len(story_pool)
            if story_pool
            else 0.0
        ),
        "credits_share": sum(q.category == "credits" for q in bank) / len(bank) if bank else 0.0,
        "repeats": {
            (level, difficulty): repeated_fact_rate(bank, level, difficulty, quizzes)
            for level in LEVELS
            for difficulty in DIFFICULTIES
        },
        "top_wrong_options": wrong_options.most_common(10),
        "mismatches": mismatches(bank, fact_base),
        "children_in_crime_options": children_in_crime_options(bank, fact_base),
    }


def format_report(figures: dict, quizzes: int) -> str:
    pct = "{:.0%}".format
    lines = [
        f"Questions: {figures['questions']}  by type: {dict(figures['by_type'])}",
        f"By difficulty: {dict(figures['by_difficulty'])}",
        f"By category: {dict(figures['by_category'].most_common())}",
        f"Distinct facts asked: {figures['facts_asked']}",
        f"Credits trivia share: {pct(figures['credits_share'])}",
        f"True share of true/false: {pct(figures['true_share'])}",
        f"Story share of a mixed quiz pool after 3 episodes: {pct(figures['story_share_watched_3'])}",
        "Questions per fact: "
        + ", ".join(f"{n}: {c} facts" for n, c in sorted(figures["questions_per_fact"].items())),
        "",
        "level  questions  facts first revealed  multiple choice  easy/medium/hard",
    ]
    for level in LEVELS:
        d = figures["difficulty_by_level"][level]
        lines.append(
            f"{level:>5}  {figures['by_level'][level]:>9}  {figures['facts_by_level'][level]:>20}  "
            f"{pct(figures['multiple_choice_share'][level]):>15}  {d['easy']}/{d['medium']}/{d['hard']}"
        )
    lines += [
        "",
        f"Simulated {QUIZ_LENGTH}-question quizzes, {quizzes} per level and difficulty: how many "
        "repeat a fact or give an answer away (how many were drawn short)",
    ]
    lines.append("level  " + "  ".join(f"{d:>15}" for d in DIFFICULTIES))
    for level in LEVELS:
        cells = [figures["repeats"][(level, d)] for d in DIFFICULTIES]
        lines.append(
            f"{level:>5}  "
            + "  ".join(f"{round(r * quizzes):>7} ({round(s * quizzes):>5})" for r, s in cells)
        )
    lines += [
        "",
        "Most reused wrong options: "
        + ", ".join(f"{text} ({n})" for text, n in figures["top_wrong_options"]),
        f"Gender or kind mismatches: {len(figures['mismatches'])}",
        *(f"  - {text}" for text in figures["mismatches"]),
        f"Children in crime options: {len(figures['children_in_crime_options'])}",
        *(f"  - {text}" for text in figures["children_in_crime_options"]),
    ]
    return "\n".join(lines)
