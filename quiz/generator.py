"""Turn the fact base into the question bank "HIS & HERS — the series".

`build_questions(fact_base)` is pure: facts in, QuestionSpecs out, the same
specs for the same facts (every random choice is seeded by the question's
source key). `generate_bank()` writes them: it updates generated questions in
place by source key, leaves admin-edited ones alone and retires questions whose
fact is gone.

Spoiler safety is structural: each spec lists the facts its wording, answer and
explanation reveal (`facts`, stored on the question: a quiz never holds two
questions sharing one) and the facts behind its wrong options
(`option_facts`); its level is the maximum level of both.

The editorial rules the builder applies (fixtures/README.md has the reasons):
options of one kind and, for people, one gender; only characters a player has
met by the question's level; never a character who is dead at the moment the
question is about; never a child as a wrong option; multiple choice first, one
true/false per fact at most, alternating True and False across facts.
"""

from __future__ import annotations

import itertools
import random
import re
from collections import Counter
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from quiz.facts import DIFFICULTIES, Fact, FactBase, default_fact_base
from quiz.models import Bank, Option, Question

BANK_SLUG = "his-and-hers"
BANK_NAME = "HIS & HERS — the series"
BANK_DESCRIPTION = "Generated from the show's fact base (fixtures/facts/)."
WRONG_OPTIONS = 3
ORDINALS = {1: "first", 2: "second", 3: "third"}
TRUE, FALSE = "True", "False"
LAST_EPISODE = 6
SECTION_LABELS = {
    "Introduction": "The article's opening",
    # The heading names the composer: it would answer "who composed the score?".
    "The Soundtrack: Mac Quayle’s Haunting Score": "The Soundtrack",
}
# Categories about the story itself (not cast, credits, production...).
TF_TURNS = (True, False, None)
TF_TURNS_STORY = (None, False, None, True)
HAPPENS_IN_PHRASINGS = (
    "Which of these happens in episode {episode} of HIS & HERS?",
    "Which of these moments belongs to episode {episode} of HIS & HERS?",
    "Episode {episode} of HIS & HERS: which of these happens in it?",
)
ORDER_PHRASINGS = (
    "Which of these comes {which} in the story of HIS & HERS?",
    "Which of these happens {which} in HIS & HERS?",
    "Of these moments in HIS & HERS, which comes {which}?",
    "Which of these events of HIS & HERS comes {which}?",
)
STORY_CATEGORIES = frozenset(
    {"story", "characters", "episodes", "murders", "ending", "book-vs-series"}
)


class GenerationError(RuntimeError):
    """The fact base cannot produce a valid bank (e.g. two questions share a wording)."""


@dataclass(frozen=True)
class Candidate:
    """A value that may be offered as a wrong answer, and what is known about it."""

    value: str
    fact_id: str
    level: int
    person: str = ""
    group: str = "present"
    gender: str = ""
    child: bool = False
    # The episode whose events include this character's death.
    died: int | None = None


@dataclass
class QuestionSpec:
    source_key: str
    kind: str
    text: str
    options: list[tuple[str, bool]]
    explanation: str
    category: str
    difficulty: str
    # The facts the question asks about (its answer tells them).
    facts: list[str]
    spoiler_level: int
    # Other facts its wording, options or explanation reveal. A quiz never holds
    # two questions asking the same fact, nor one that mentions a fact another asks.
    mentions: list[str] = field(default_factory=list)
    # Facts behind the wrong options: they count towards the level only.
    option_facts: list[str] = field(default_factory=list)
    # The kind of value every option is (actor, character, date...).
    option_kind: str = ""
    wrong_candidates: list[Candidate] = field(default_factory=list)
    form: str = ""

    @property
    def correct(self) -> str:
        return next(text for text, ok in self.options if ok)

    @property
    def fact_id(self) -> str:
        return self.source_key.rsplit(":", 1)[0]


def cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def step(difficulty: str, by: int) -> str:
    """Move a difficulty `by` steps (negative: easier), staying within easy..hard."""
    index = DIFFICULTIES.index(difficulty) + by
    return DIFFICULTIES[max(0, min(len(DIFFICULTIES) - 1, index))]


def seeded(*parts: str) -> random.Random:
    return random.Random(":".join(parts))


def and_list(items: list[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def surname(name: str) -> str:
    words = name.split()
    return words[-1] if len(words) > 1 else ""


def collect_candidates(fact_base: FactBase) -> dict[str, list[Candidate]]:
    """Every value of every kind the fact base offers, for wrong answers."""
    found: dict[str, dict[str, Candidate]] = {}

    def add(kind: str, candidate: Candidate) -> None:
        known = found.setdefault(kind, {}).get(candidate.value)
        # One value can come from several facts; the least revealing wins.
        if known is None or candidate.level < known.level:
            found[kind][candidate.value] = candidate

    for fact in fact_base.of_type("cast"):
        common = {
            "person": fact["person"],
            "group": fact.get("group", "present"),
            "gender": fact["gender"],
            "child": fact.get("child", False),
        }
        add("actor", Candidate(fact["actor"], fact.id, fact.level, **common))
        add(
            "character",
            Candidate(fact["character"], fact.id, fact.level, died=fact.get("died"), **common),
        )
    for fact in fact_base.of_type("character"):
        add(
            "character",
            Candidate(
                fact["character"],
                fact.id,
                fact.level,
                person=fact["person"],
                group=fact.get("group", "present"),
                gender=fact["gender"],
                died=fact.get("died"),
            ),
        )
    children = {cast["character"] for cast in fact_base.of_type("cast") if cast.get("child")}
    for fact in fact_base.of_type("relation"):
        add(
            "relation",
            Candidate(
                fact["relation"],
                fact.id,
                fact.level,
                fact["character"],
                gender=fact["gender"],
                child=fact["character"] in children,
            ),
        )
        if fact.get("inverse_relation"):
            add(
                "relation",
                Candidate(
                    fact["inverse_relation"],
                    fact.id,
                    fact.level,
                    fact["inverse_character"],
                    gender=fact["inverse_gender"],
                ),
            )
    for fact in fact_base.of_type("credits"):
        kind = fact.get("title_kind", "screen_title")
        add(kind, Candidate(fact["title"], fact.id, fact.level, fact["person"]))
        if kind == "screen_title":
            add(
                "credited_actor",
                Candidate(
                    fact["person"], fact.id, fact.level, fact["person"], gender=fact["gender"]
                ),
            )
    for fact in fact_base.of_type("value"):
        if fact.get("wrong") or fact["value_kind"] in ("actor", "character"):
            continue  # hand-picked options, or people known from the cast
        for value in fact["values"]:
            add(fact["value_kind"], Candidate(value, fact.id, fact.level))
    for fact in fact_base.of_type("pool"):
        for value in fact["values"]:
            add(fact["kind"], Candidate(value, fact.id, fact.level, gender=fact.get("gender", "")))
    return {kind: sorted(values.values(), key=lambda c: c.value) for kind, values in found.items()}


class Builder:
    """Builds every question from a fact base: one keyword helper per question
    shape (`multiple_choice`, `true_false`) and one method per fact type, chosen
    by the `forms` dispatch table."""

    def __init__(self, fact_base: FactBase):
        self.fact_base = fact_base
        self.specs: list[QuestionSpec] = []
        # (source key, reason): forms the fact base cannot support, for editors.
        self.skipped: list[tuple[str, str]] = []
        self.wrong_answer_candidates = collect_candidates(fact_base)
        self.tf_turns: Counter[int] = Counter()
        self.characters = {c.value: c for c in self.wrong_answer_candidates["character"]}
        self.forms = {
            "cast": self.cast_questions,
            "relation": self.relation_questions,
            "victim": self.victim_questions,
            "event": self.event_questions,
            "value": self.value_questions,
            "statement": self.statement_questions,
            "credits": self.credits_questions,
        }

    # --- wrong answers ------------------------------------------------------

    def pick_wrong_answers(
        self,
        rng: random.Random,
        kind: str,
        *,
        max_level: int,
        exclude=(),
        exclude_persons=(),
        group: str | None = None,
        gender: str = "",
        moment: int = 0,
        count: int = WRONG_OPTIONS,
    ) -> list[Candidate]:
        """Wrong answers of `kind`, never an excluded (true) value, never a child,
        never someone dead by `moment`, of `gender` when given, and only values
        a player at `max_level` already knows. Same `group` first."""
        excluded = set(exclude)
        persons = {p for p in exclude_persons if p}
        eligible = [
            c
            for c in self.wrong_answer_candidates.get(kind, [])
            if c.value not in excluded
            and not (c.person and c.person in persons)
            and not c.child
            and (not gender or c.gender == gender)
            and (c.died is None or c.died > moment)
            and c.level <= max_level
        ]
        preferred = [c for c in eligible if group is None or c.group == group]
        rest = [c for c in eligible if c not in preferred]
        chosen = rng.sample(preferred, min(count, len(preferred)))
        if len(chosen) < count:
            chosen += rng.sample(rest, min(count - len(chosen), len(rest)))
        return chosen

    def character_options(
        self, fact: Fact, answer: str, *, key: str, level: int, moment: int, stem: str, exclude=()
    ) -> list[Candidate]:
        """Wrong characters for a story question: the answer's gender and
        timeline only, met by `level`, alive at `moment`, no child, and no one
        the stem itself names (it would rule them out)."""
        known = self.characters[answer]
        named = [name for name in self.characters if self.names(stem, name)]
        wrong = self.pick_wrong_answers(
            seeded(fact.id, key),
            "character",
            max_level=level,
            exclude=[answer, *exclude, *named],
            exclude_persons=[known.person],
            group=known.group,
            gender=known.gender,
            moment=moment,
        )
        return [c for c in wrong if c.group == known.group]

    @staticmethod
    def names(text: str, name: str) -> bool:
        """Whether `text` names the character `name` (full name or first name)."""
        if name.startswith("teen "):
            return re.search(rf"\b{re.escape(name)}\b", text) is not None
        first = name.split()[0]
        return re.search(rf"\b{re.escape(first)}\b", text) is not None

    # --- the two question shapes ----------------------------------------------

    def where(self, fact: Fact) -> str:
        if fact.type in ("event", "victim") or fact.section.startswith("Episode "):
            episode = fact.get("episode", fact.level)
            return f"Episode {episode}"
        return SECTION_LABELS.get(fact.section, fact.section)

    def multiple_choice(
        self,
        fact: Fact,
        *,
        key: str,
        text: str,
        correct: str,
        wrong: list[Candidate],
        explanation: str,
        option_kind: str,
        difficulty: str | None = None,
        category: str | None = None,
        reveals=(),
        asks=(),
        form: str = "",
    ) -> QuestionSpec | None:
        source_key = f"{fact.id}:{key}"
        if len(wrong) < WRONG_OPTIONS:
            self.skipped.append(
                (source_key, f"only {len(wrong)} wrong answers of kind {option_kind!r}")
            )
            return None
        options = [(c.value, False) for c in wrong]
        options.insert(seeded(source_key, "order").randrange(len(options) + 1), (correct, True))
        return self._add(
            fact,
            source_key=source_key,
            kind=Question.Kind.MULTIPLE,
            text=text,
            options=options,
            explanation=explanation,
            difficulty=difficulty or fact.difficulty,
            category=category,
            reveals=reveals,
            asks=asks,
            wrong=wrong,
            option_kind=option_kind,
            form=form or key,
        )

    def true_false(
        self,
        fact: Fact,
        *,
        key: str,
        text: str,
        is_true: bool,
        explanation: str,
        difficulty: str | None = None,
        category: str | None = None,
        reveals=(),
        option_facts=(),
    ) -> QuestionSpec:
        # Two options instead of four: one step easier than the fact.
        return self._add(
            fact,
            source_key=f"{fact.id}:{key}",
            kind=Question.Kind.BOOLEAN,
            text=text,
            options=[(TRUE, is_true), (FALSE, not is_true)],
            explanation=explanation,
            difficulty=difficulty or step(fact.difficulty, -1),
            category=category,
            reveals=reveals,
            wrong=[],
            option_facts=option_facts,
            option_kind="boolean",
            form="true" if is_true else "false",
        )

    def _add(
        self,
        fact,
        *,
        source_key,
        kind,
        text,
        options,
        explanation,
        difficulty,
        category,
        reveals,
        wrong,
        option_kind,
        form,
        asks=(),
        option_facts=(),
    ):
        facts = list(dict.fromkeys([fact.id, *asks]))
        mentions = [
            i for i in dict.fromkeys([*fact.get("draws_on", []), *reveals]) if i not in facts
        ]
        shown = {*facts, *mentions}
        option_facts = [
            i for i in dict.fromkeys([*option_facts, *(c.fact_id for c in wrong)]) if i not in shown
        ]
        spec = QuestionSpec(
            source_key=source_key,
            kind=kind,
            text=text,
            options=options,
            explanation=explanation,
            category=category or fact.category,
            difficulty=difficulty,
            facts=facts,
            mentions=mentions,
            option_facts=option_facts,
            spoiler_level=self.fact_base.level_of([*facts, *mentions, *option_facts]),
            option_kind=option_kind,
            wrong_candidates=list(wrong),
            form=form,
        )
        self.specs.append(spec)
        return spec

    def explained(self, fact: Fact, truth: str = "") -> str:
        """The source, the truth (unless the question states it) and a related detail."""
        detail = fact.get("explain", "")
        where = self.where(fact)
        # "Episode 3: In episode 3, …" says the episode twice.
        truth = cap(truth.removeprefix(f"In {where.lower()}, "))
        return " ".join(part for part in (f"{where}:", truth, detail) if part)

    def tf_truth(self, fact: Fact, *parts: str) -> bool | None:
        """True, False or None (no true/false question) for this fact.

        Unless the fact fixes it, facts take turns per level: True, False and
        none in turn at level 0; at the story levels 1-6 only every other fact
        gets a true/false, so multiple choice carries them. Taking
        turns keeps each level's true/false questions balanced between True
        and False, and no family of them is always True.
        """
        setting = fact.get("tf", "alternate")
        if setting in ("true", "false"):
            return setting == "true"
        if setting == "none":
            return None
        turns = TF_TURNS if fact.level == 0 else TF_TURNS_STORY
        turn = self.tf_turns[fact.level]
        self.tf_turns[fact.level] += 1
        return turns[turn % len(turns)]

    def true_or_false(
        self,
        fact: Fact,
        *,
        true_text: str,
        false_text: str | None,
        explanation: str,
        true_explanation: str = "",
        option_facts=(),
    ) -> None:
        """The fact's one true/false question, true or false as `tf_truth` says.
        A true statement's explanation does not restate it: the source and the detail."""
        truth = self.tf_truth(fact, "tf")
        if truth:
            self.true_false(
                fact,
                key="tf",
                text=true_text,
                is_true=True,
                explanation=true_explanation or self.explained(fact),
            )
        elif truth is False and false_text:
            self.true_false(
                fact,
                key="tf",
                text=false_text,
                is_true=False,
                explanation=explanation,
                option_facts=option_facts,
            )

    # --- one method per fact type ----------------------------------------------

    def cast_questions(self, fact: Fact) -> None:
        actor, character, person = fact["actor"], fact["character"], fact["person"]
        group = fact.get("group", "present")
        detail = fact.get("detail", "")
        truth = f"{actor} plays {character}" + (f", {detail}." if detail else ".")
        explanation = f"{self.where(fact)}: {truth}"
        asked = (
            ("who-plays", "actor", actor, f"Who plays {character} in HIS & HERS?"),
            ("plays-whom", "character", character, f"Which character does {actor} play?"),
        )
        for key, kind, correct, text in asked:
            wrong = self.pick_wrong_answers(
                seeded(fact.id, key),
                kind,
                max_level=fact.level,
                exclude=[correct],
                exclude_persons=[person],
                group=group,
                gender=fact["gender"],
            )
            self.multiple_choice(
                fact,
                key=key,
                text=text,
                correct=correct,
                wrong=wrong,
                explanation=explanation,
                option_kind=kind,
            )
        if fact.difficulty != "hard":
            return  # lead roles: a true/false adds nothing a fan would think about
        # A false swap never puts a supporting actor in a lead role: common sense refutes it.
        leads = {
            cast["character"]
            for cast in self.fact_base.of_type("cast")
            if cast.difficulty == "easy"
        }
        swaps = [c for c in wrong if c.value not in leads]
        self.true_or_false(
            fact,
            true_text=f"In HIS & HERS, {character} is played by {actor}.",
            false_text=f"In HIS & HERS, {swaps[0].value} is played by {actor}." if swaps else None,
            explanation=explanation,
            true_explanation=explanation,
            option_facts=[swaps[0].fact_id] if swaps else (),
        )

    def relation_questions(self, fact: Fact) -> None:
        character, relation, gender = fact["character"], fact["relation"], fact["gender"]
        known = self.characters[character]
        explanation = self.explained(fact, f"{character} is {relation}.")
        wrong = self.pick_wrong_answers(
            seeded(fact.id, "describe"),
            "relation",
            max_level=fact.level,
            # "Meg's mother" for Meg herself would be absurd, not wrong.
            exclude=[
                relation,
                *(
                    c.value
                    for c in self.wrong_answer_candidates["relation"]
                    if self.names(c.value, character)
                ),
            ],
            exclude_persons=[character],
            gender=gender,
        )
        self.multiple_choice(
            fact,
            key="describe",
            text=f"How is {character} connected to the story of HIS & HERS?",
            correct=relation,
            wrong=wrong,
            explanation=explanation,
            option_kind="relation",
        )
        if known.child:
            self.skipped.append((f"{fact.id}:who-is", "a child: no option set of her kind"))
            return
        wrong = self.character_options(
            fact, character, key="who-is", level=fact.level, moment=0, stem=f"who is {relation}"
        )
        if self.surname_tell(relation, character, [c.value for c in wrong]):
            self.skipped.append((f"{fact.id}:who-is", "the answer's surname would give it away"))
            return
        self.multiple_choice(
            fact,
            key="who-is",
            text=f"In HIS & HERS, who is {relation}?",
            correct=character,
            wrong=wrong,
            explanation=explanation,
            option_kind="character",
        )

    def surname_tell(self, stem: str, correct: str, wrong: list[str]) -> bool:
        """The stem names someone (by first name) whose surname only the answer shares."""
        family = surname(correct)
        if not family or any(surname(w) == family for w in wrong):
            return False
        for name in self.characters:
            first = name.split()[0]
            if surname(name) == family and name != correct and re.search(rf"\b{first}\b", stem):
                return True
        return False

    def victim_questions(self, fact: Fact) -> None:
        character, ordinal = fact["character"], ORDINALS[fact["order"]]
        explanation = self.explained(fact, f"{character} is the {ordinal} murder victim.")
        wrong = self.character_options(
            fact,
            character,
            key="who",
            level=fact.level,
            moment=fact.level,
            stem="",
            exclude=["Anna Andrews"],
        )
        self.multiple_choice(
            fact,
            key="who",
            text=f"Who is the {ordinal} murder victim in HIS & HERS?",
            correct=character,
            wrong=wrong,
            explanation=explanation,
            option_kind="character",
        )
        if fact["order"] > 1:
            self.which_episode(
                fact,
                episode=fact.level,
                text=f"In which episode of HIS & HERS is {character}'s body found?",
                explanation=explanation,
            )
        if wrong:
            self.true_or_false(
                fact,
                true_text=f"{character} is the {ordinal} murder victim in HIS & HERS.",
                false_text=f"{wrong[0].value} is the {ordinal} murder victim in HIS & HERS.",
                explanation=explanation,
                option_facts=[wrong[0].fact_id],
            )

    def event_questions(self, fact: Fact) -> None:
        episode, statement = fact["episode"], fact["statement"]
        explanation = self.explained(fact, f"In episode {episode}, {statement}.")
        if fact.get("which_episode", True):
            self.which_episode(
                fact,
                episode=episode,
                text=f"In which episode of HIS & HERS {fact['ask']}?",
                explanation=explanation,
            )
        for role in ("who", "whom"):
            if not fact.get(role):
                continue
            answer = fact[role]
            wrong = self.character_options(
                fact,
                answer,
                key=role,
                level=fact.level,
                moment=episode,
                stem=fact[f"{role}_ask"],
                exclude=fact.get("involved", []) if role == "who" else (),
            )
            self.multiple_choice(
                fact,
                key=role,
                text=fact[f"{role}_ask"],
                correct=answer,
                wrong=wrong,
                explanation=explanation,
                option_kind="character",
            )
        other = episode + 1 if episode < LAST_EPISODE - 1 else episode - 1
        self.true_or_false(
            fact,
            true_text=fact.get("true_statement") or f"In episode {episode}, {statement}.",
            false_text=fact.get("false_statement") or f"In episode {other}, {statement}.",
            explanation=explanation,
        )

    def which_episode(self, fact: Fact, *, episode: int, text: str, explanation: str) -> None:
        nearest = sorted(
            (n for n in range(1, LAST_EPISODE + 1) if n != episode),
            key=lambda n: (abs(n - episode), seeded(fact.id, str(n)).random()),
        )[:WRONG_OPTIONS]
        pool = {c.value: c for c in self.wrong_answer_candidates["episode"]}
        self.multiple_choice(
            fact,
            key="which-episode",
            text=text,
            correct=f"Episode {episode}",
            wrong=[pool[f"Episode {n}"] for n in sorted(nearest)],
            explanation=explanation,
            option_kind="episode",
            # Neighbouring episodes as options: one step harder than the fact.
            difficulty=step(fact.difficulty, +1),
        )

    def value_questions(self, fact: Fact) -> None:
        values, kind = fact["values"], fact["value_kind"]
        not_wrong = [*values, *fact.get("not_distractors", [])]
        rng = seeded(fact.id, "mc")
        correct = rng.choice(values)
        state = rng.choice(fact["state"])
        truth = cap(state.format(value=correct))
        explanation = self.explained(fact, truth)
        moment = fact.get("moment", fact.level)
        ask = rng.choice(fact["ask"])
        if fact.get("wrong"):
            wrong = [self.hand_picked(fact, value, kind) for value in fact["wrong"]]
        elif kind == "character":
            wrong = self.character_options(
                fact,
                correct,
                key="mc",
                level=fact.level,
                moment=moment,
                stem=ask,
                exclude=not_wrong,
            )
        else:
            gender = self.gender_of(kind, correct)
            wrong = self.pick_wrong_answers(
                rng,
                kind,
                max_level=fact.level,
                exclude=not_wrong,
                gender=gender,
                exclude_persons=[correct] if gender else (),
            )
        self.multiple_choice(
            fact,
            key="mc",
            text=ask,
            correct=correct,
            wrong=wrong,
            explanation=explanation,
            option_kind=kind,
        )
        if len(values) == 1 and wrong:
            self.true_or_false(
                fact,
                true_text=truth,
                false_text=cap(state.format(value=wrong[0].value)),
                explanation=explanation,
                option_facts=[wrong[0].fact_id],
            )

    def hand_picked(self, fact: Fact, value: str, kind: str) -> Candidate:
        """A wrong answer written into the fact; people among them are checked like any other."""
        if kind == "character":
            known = self.characters.get(value)
            answer = self.characters[fact["values"][0]]
            if (
                known is None
                or known.gender != answer.gender
                or known.child
                or known.level > fact.level
            ):
                raise GenerationError(f"{fact.id}: {value!r} is not a fitting wrong answer")
            return known
        return Candidate(value, fact.id, fact.level)

    def gender_of(self, kind: str, value: str) -> str:
        candidates = self.wrong_answer_candidates.get(kind, [])
        for candidate in candidates:
            if candidate.value == value:
                return candidate.gender
        # A pool of people: the answer is of the pool's gender.
        return next((c.gender for c in candidates if c.gender), "")

    def statement_questions(self, fact: Fact) -> None:
        # Both ways round: they share the fact, so one quiz never holds both.
        self.true_false(
            fact,
            key="tf-true",
            text=fact["statement"],
            is_true=True,
            explanation=self.explained(fact),
        )
        self.true_false(
            fact,
            key="tf-false",
            text=fact["false_statement"],
            is_true=False,
            explanation=self.explained(fact, fact["statement"]),
        )

    def credits_questions(self, fact: Fact) -> None:
        person, title = fact["person"], fact["title"]
        kind = fact.get("title_kind", "screen_title")
        holders = [
            c["person"]
            for c in self.fact_base.of_type("credits")
            if title in c["all_titles"] or title in c.get("also_true", [])
        ]
        others = [t for t in fact["all_titles"] if t != title]
        verb = "is known for" if kind == "screen_title" else "has scored"
        detail = f"The article also names {and_list(others)}." if others else ""
        explanation = f"{self.where(fact)}: {person} {verb} {title}. {detail}".strip()
        reveals = [f"{fact['id']}.{slug(t)}" for t in others]
        index = fact["all_titles"].index(title)
        wrong = self.pick_wrong_answers(
            seeded(fact.id, "who"),
            "credited_actor",
            max_level=fact.level,
            exclude=holders,
            gender=fact["gender"],
        )
        if kind == "screen_title" and index > 0 and len(wrong) == WRONG_OPTIONS:
            self.multiple_choice(
                fact,
                key="who",
                text=f"Which HIS & HERS cast member is known for {title}?",
                correct=person,
                wrong=wrong,
                explanation=explanation,
                option_kind="credited_actor",
                reveals=reveals,
            )
            return
        wrong = self.pick_wrong_answers(
            seeded(fact.id, "title"),
            kind,
            max_level=fact.level,
            exclude=[*fact["all_titles"], *fact.get("also_true", [])],
            exclude_persons=[person],
        )
        phrasings = (
            [
                "Which of these titles is {p} known for?",
                "{p} is known for which of these?",
                "Which of these is part of {p}'s screen career?",
                "Besides HIS & HERS, which of these features {p}?",
            ]
            if kind == "screen_title"
            else [
                "Which of these has {p} composed music for?",
                "{p}'s credits as a composer include which of these?",
                "Which of these does the article list among {p}'s scores?",
                "Which of these series is {p} also scoring?",
            ]
        )
        self.multiple_choice(
            fact,
            key="title",
            text=phrasings[index % len(phrasings)].format(p=person),
            correct=title,
            wrong=wrong,
            explanation=explanation,
            option_kind=kind,
            reveals=reveals,
        )

    # --- questions across facts -------------------------------------------------

    def story_events(self) -> list[Fact]:
        """Events, and facts that name their own episode and event, in story order."""
        found = [
            fact
            for fact in self.fact_base.facts.values()
            if fact.type == "event" or (fact.get("episode") and fact.get("event"))
        ]
        return sorted(found, key=lambda e: (e["episode"], e.id))

    @staticmethod
    def event_text(fact: Fact) -> str:
        return fact.get("event") or fact["statement"]

    def episode_questions(self) -> None:
        """ "Which of these happens in episode N?" and "which happens first/last?"."""
        events = self.story_events()
        by_episode: dict[int, list[Fact]] = {}
        for event in events:
            by_episode.setdefault(event["episode"], []).append(event)
        for episode in range(2, LAST_EPISODE + 1):
            rng = seeded("episode", str(episode), "which-happens")
            answers = rng.sample(
                by_episode[episode], min(len(HAPPENS_IN_PHRASINGS), len(by_episode[episode]))
            )
            # Wrong options from the episodes just before: the level stays at N.
            earlier = [e for e in events if episode - 3 <= e["episode"] < episode]
            for number, answer in enumerate(answers):
                if len(earlier) >= WRONG_OPTIONS:
                    self.event_choice(
                        answer,
                        key=f"happens-in-episode-{episode}",
                        text=HAPPENS_IN_PHRASINGS[number].format(episode=episode),
                        wrong_events=rng.sample(earlier, WRONG_OPTIONS),
                        difficulty="medium",
                    )
        for episode in range(3, LAST_EPISODE + 1):
            for which in ("first", "last"):
                rng = seeded("episode", str(episode), which)
                pool = [e for e in events if e["episode"] <= episode]
                if which == "first":
                    answer = rng.choice(by_episode[min(by_episode)])
                    others = [e for e in pool if e["episode"] > answer["episode"]]
                else:
                    answer = rng.choice(by_episode[episode])
                    others = [e for e in pool if e["episode"] < episode]
                wrong_events = rng.sample(others, WRONG_OPTIONS)
                if which == "first" and not any(e["episode"] == episode for e in wrong_events):
                    wrong_events[-1] = rng.choice(by_episode[episode])
                picked = [answer, *wrong_events]
                spread = max(e["episode"] for e in picked) - min(e["episode"] for e in picked)
                self.event_choice(
                    answer,
                    key=f"happens-{which}-by-{episode}",
                    text=ORDER_PHRASINGS[episode - 3].format(which=which),
                    wrong_events=wrong_events,
                    difficulty="hard" if spread <= 3 else "medium",
                )

    def event_choice(self, answer: Fact, *, key, text, wrong_events, difficulty) -> None:
        wrong = [Candidate(cap(self.event_text(e)), e.id, e.level) for e in wrong_events]
        by_episode: dict[int, list[str]] = {}
        for event in sorted([answer, *wrong_events], key=lambda e: e["episode"]):
            by_episode.setdefault(event["episode"], []).append(self.event_text(event))
        timeline = " ".join(f"Episode {n}: {'; '.join(texts)}." for n, texts in by_episode.items())
        self.multiple_choice(
            answer,
            key=key,
            text=text,
            correct=cap(self.event_text(answer)),
            wrong=wrong,
            explanation=f"Complete Season Breakdown. {timeline}",
            option_kind="event",
            difficulty=difficulty,
            category="episodes",
            # Every option is a true event: all of them are revealed.
            reveals=[i for e in wrong_events for i in (e.id, *e.get("draws_on", []))],
            form="event-choice",
        )

    def victim_order_questions(self) -> None:
        victims = sorted(self.fact_base.of_type("victim"), key=lambda v: v["order"])
        if len(victims) < 3:
            return
        last = victims[-1]
        names = [v["character"].split()[0] for v in victims]
        orders = [", ".join(p) for p in itertools.permutations(names)]
        rng = seeded(last.id, "order")
        wrong = [Candidate(o, last.id, last.level) for o in rng.sample(orders[1:], WRONG_OPTIONS)]
        found = ", ".join(f"{v['character']} in episode {v.level}" for v in victims)
        others = [v.id for v in victims[:-1]]
        self.multiple_choice(
            last,
            key="order",
            text="In which order are the murder victims found?",
            correct=orders[0],
            wrong=wrong,
            explanation=f"Complete Season Breakdown: the bodies are found in this order: {found}.",
            option_kind="victim_order",
            difficulty="hard",
            asks=others,
            form="order",
        )
        # "Which of these is NOT a victim?": a woman alive at the last murder.
        not_victim = self.character_options(
            last,
            last["character"],
            key="not-victim",
            level=last.level,
            moment=last.level,
            stem="",
            exclude=["Anna Andrews"],
        )
        if not not_victim:
            return
        answer = not_victim[0]
        wrong = [self.characters[v["character"]] for v in victims]
        self.multiple_choice(
            last,
            key="not-victim",
            text="Which of these women is NOT one of the murder victims?",
            correct=answer.value,
            wrong=wrong,
            explanation=f"Complete Season Breakdown: the three victims are {found}; {answer.value} is not one of them.",
            option_kind="character",
            difficulty="medium",
            asks=others,
            form="not",
        )

    def build(self) -> list[QuestionSpec]:
        for type_, make in self.forms.items():
            for fact in self.fact_base.of_type(type_):
                make(fact)
        self.episode_questions()
        self.victim_order_questions()
        self._check()
        return self.specs

    def _check(self) -> None:
        texts = Counter(spec.text.casefold() for spec in self.specs)
        repeated = [text for text, n in texts.items() if n > 1]
        if repeated:
            raise GenerationError(f"two generated questions share a wording: {repeated}")
        keys = Counter(spec.source_key for spec in self.specs)
        if any(n > 1 for n in keys.values()):
            raise GenerationError(
                f"two generated questions share a source key: {[k for k, n in keys.items() if n > 1]}"
            )


def build_questions(fact_base: FactBase | None = None) -> list[QuestionSpec]:
    return Builder(fact_base or default_fact_base()).build()


@dataclass
class GenerationResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    kept_admin_edits: int = 0
    retired: int = 0

    def __str__(self) -> str:
        return (
            f"{self.created} created, {self.updated} updated, {self.unchanged} unchanged, "
            f"{self.kept_admin_edits} admin-edited kept, {self.retired} retired"
        )


FIELDS = (
    "kind",
    "text",
    "explanation",
    "category",
    "difficulty",
    "spoiler_level",
    "facts",
    "mentions",
    "status",
)


def _fields(spec: QuestionSpec) -> dict:
    return {
        "kind": spec.kind,
        "text": spec.text,
        "explanation": spec.explanation,
        "category": spec.category,
        "difficulty": spec.difficulty,
        "spoiler_level": spec.spoiler_level,
        "facts": spec.facts,
        "mentions": spec.mentions,
        "status": Question.Status.PUBLISHED,
    }


def get_bank() -> Bank:
    bank, _ = Bank.objects.get_or_create(
        slug=BANK_SLUG, defaults={"name": BANK_NAME, "description": BANK_DESCRIPTION}
    )
    return bank


@transaction.atomic
def generate_bank(fact_base: FactBase | None = None) -> GenerationResult:
    specs = build_questions(fact_base)
    bank = get_bank()
    result = GenerationResult()
    existing = {
        q.source_key: q
        for q in bank.questions.generated().select_for_update().prefetch_related("options")
    }
    to_create: list[tuple[Question, QuestionSpec]] = []
    to_update: list[Question] = []
    replace_options: list[tuple[Question, QuestionSpec]] = []
    for spec in specs:
        question = existing.get(spec.source_key)
        if question is None:
            to_create.append(
                (Question(bank=bank, source_key=spec.source_key, **_fields(spec)), spec)
            )
            continue
        if question.edited_by_admin:
            result.kept_admin_edits += 1
            continue
        wanted = _fields(spec)
        fields_changed = any(getattr(question, k) != v for k, v in wanted.items())
        stored_options = [(o.text, o.is_correct) for o in question.options.all()]
        options_changed = stored_options != spec.options
        if not (fields_changed or options_changed):
            result.unchanged += 1
            continue
        for name, value in wanted.items():
            setattr(question, name, value)
        # bulk_update() skips auto_now.
        question.updated_at = timezone.now()
        to_update.append(question)
        if options_changed:
            replace_options.append((question, spec))
        result.updated += 1

    wanted_keys = {spec.source_key for spec in specs}
    gone = [
        q.pk
        for key, q in existing.items()
        if key not in wanted_keys and not q.edited_by_admin and q.status != Question.Status.RETIRED
    ]
    result.retired = Question.objects.filter(pk__in=gone).update(status=Question.Status.RETIRED)

    Question.objects.bulk_create([q for q, _ in to_create])
    result.created = len(to_create)
    if to_update:
        Question.objects.bulk_update(to_update, [*FIELDS, "updated_at"])
    if replace_options:
        Option.objects.filter(question__in=[q for q, _ in replace_options]).delete()
    Option.objects.bulk_create(
        Option(question=q, text=text, is_correct=ok, position=position)
        for q, spec in [*to_create, *replace_options]
        for position, (text, ok) in enumerate(spec.options)
    )
    return result
