"""Turn the fact base into the question bank "HIS & HERS — the series".

`build_questions(fact_base)` is pure: facts in, QuestionSpecs out, the same
specs for the same facts (every random choice is seeded by the question's
source key). `generate_bank()` writes them: it updates generated questions in
place by source key, leaves admin-edited ones alone and retires questions whose
fact is gone.

Spoiler safety is structural: each spec lists every fact its wording, options
and explanation draw on, and its level is the maximum of those facts' levels.
"""

from __future__ import annotations

import random
import re
from collections import Counter
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from quiz.facts import Fact, FactBase, default_fact_base
from quiz.models import Bank, Option, Question

BANK_SLUG = "his-and-hers"
BANK_NAME = "HIS & HERS — the series"
BANK_DESCRIPTION = "Generated from the show's fact base (fixtures/facts/)."
WRONG_OPTIONS = 3
ORDINALS = {1: "first", 2: "second", 3: "third"}
TRUE, FALSE = "True", "False"


class GenerationError(RuntimeError):
    """The fact base cannot produce a valid bank (e.g. two questions share a wording)."""


@dataclass(frozen=True)
class Candidate:
    """A value that may be offered as a wrong answer, and the fact it comes from."""

    value: str
    fact_id: str
    level: int
    person: str = ""
    group: str = "present"


@dataclass
class QuestionSpec:
    source_key: str
    kind: str
    text: str
    options: list[tuple[str, bool]]
    explanation: str
    category: str
    difficulty: str
    facts: list[str]
    spoiler_level: int
    # The kind of value every option is (actor, character, date...): wrong
    # options are always of the same kind as the right one.
    option_kind: str = ""
    wrong_candidates: list[Candidate] = field(default_factory=list)

    @property
    def correct(self) -> str:
        return next(text for text, ok in self.options if ok)


def cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


class _Builder:
    def __init__(self, fact_base: FactBase):
        self.fb = fact_base
        self.specs: list[QuestionSpec] = []
        self.candidates = self._collect_candidates()

    # --- wrong-answer candidates ------------------------------------------

    def _collect_candidates(self) -> dict[str, list[Candidate]]:
        found: dict[str, dict[str, Candidate]] = {}

        def add(kind: str, candidate: Candidate) -> None:
            known = found.setdefault(kind, {}).get(candidate.value)
            # One value can come from several facts; the least revealing wins.
            if known is None or candidate.level < known.level:
                found[kind][candidate.value] = candidate

        for f in self.fb.of_type("cast"):
            group = f.get("group", "present")
            add("actor", Candidate(f["actor"], f.id, f.level, f["person"], group))
            add("character", Candidate(f["character"], f.id, f.level, f["person"], group))
        for f in self.fb.of_type("character"):
            add("character", Candidate(f["character"], f.id, f.level, f["person"]))
        for f in self.fb.of_type("relation"):
            add("relation", Candidate(f["relation"], f.id, f.level, f["character"], f["gender"]))
        for f in self.fb.of_type("victim"):
            add("victim", Candidate(f["character"], f.id, f.level))
        for f in self.fb.of_type("credits"):
            kind = f.get("title_kind", "screen_title")
            for title in f["titles"]:
                add(kind, Candidate(title, f.id, f.level, f["person"]))
            if kind == "screen_title":
                add("credited_actor", Candidate(f["person"], f.id, f.level, f["person"]))
        for f in self.fb.of_type("value"):
            for value in f["values"]:
                add(f["value_kind"], Candidate(value, f.id, f.level))
        for f in self.fb.of_type("pool"):
            for value in f["values"]:
                add(f["kind"], Candidate(value, f.id, f.level))
        return {
            kind: sorted(values.values(), key=lambda c: c.value) for kind, values in found.items()
        }

    def pick(
        self,
        rng: random.Random,
        kind: str,
        *,
        max_level: int,
        exclude=(),
        exclude_persons=(),
        group: str | None = None,
        count: int = WRONG_OPTIONS,
    ) -> list[Candidate]:
        """Wrong answers of `kind`: never an excluded (true) value, least revealing first."""
        excluded = set(exclude)
        persons = {p for p in exclude_persons if p}
        eligible = [
            c
            for c in self.candidates.get(kind, [])
            if c.value not in excluded and not (c.person and c.person in persons)
        ]
        tiers = [
            [c for c in eligible if c.level <= max_level and (group is None or c.group == group)],
            [
                c
                for c in eligible
                if c.level <= max_level and group is not None and c.group != group
            ],
        ]
        chosen: list[Candidate] = []
        for tier in tiers:
            need = count - len(chosen)
            if need > 0:
                chosen += rng.sample(tier, min(need, len(tier)))
        if len(chosen) < count:
            rest = sorted((c for c in eligible if c.level > max_level), key=lambda c: c.level)
            chosen += rest[: count - len(chosen)]
        return chosen

    # --- emitting ---------------------------------------------------------

    def emit(
        self,
        fact: Fact,
        key: str,
        kind: str,
        text: str,
        correct: str,
        wrong: list[Candidate] | list[str],
        explanation: str,
        *,
        extra_facts=(),
        option_kind: str = "",
        difficulty: str | None = None,
    ) -> None:
        source_key = f"{fact.id}:{key}"
        rng = random.Random(source_key + "#order")
        if kind == Question.Kind.BOOLEAN:
            options = [(TRUE, correct == TRUE), (FALSE, correct == FALSE)]
            wrong_candidates: list[Candidate] = []
        else:
            wrong_candidates = list(wrong)
            texts = [c.value for c in wrong_candidates]
            options = [(t, False) for t in texts]
            options.insert(rng.randrange(len(options) + 1), (correct, True))
        facts = [
            fact.id,
            *fact.get("draws_on", []),
            *extra_facts,
            *(c.fact_id for c in wrong_candidates),
        ]
        facts = list(dict.fromkeys(facts))
        self.specs.append(
            QuestionSpec(
                source_key=source_key,
                kind=kind,
                text=text,
                options=options,
                explanation=explanation,
                category=fact.category,
                difficulty=difficulty or fact.difficulty,
                facts=facts,
                spoiler_level=self.fb.level_of(facts),
                option_kind=option_kind,
                wrong_candidates=wrong_candidates,
            )
        )

    def mc(self, fact, key, text, correct, wrong, explanation, option_kind, **kw):
        if len(wrong) < WRONG_OPTIONS:
            raise GenerationError(
                f"{fact.id}:{key}: only {len(wrong)} wrong answers of kind {option_kind!r}; "
                "add values or a curated pool of that kind to the fact base"
            )
        self.emit(
            fact,
            key,
            Question.Kind.MULTIPLE,
            text,
            correct,
            wrong,
            explanation,
            option_kind=option_kind,
            **kw,
        )

    def tf(self, fact, key, text, is_true, explanation, **kw):
        self.emit(
            fact,
            key,
            Question.Kind.BOOLEAN,
            text,
            TRUE if is_true else FALSE,
            [],
            explanation,
            **kw,
        )

    @staticmethod
    def rng(fact: Fact, key: str) -> random.Random:
        return random.Random(f"{fact.id}:{key}")

    @staticmethod
    def phrase(fact: Fact, key: str, phrasings: list[str]) -> str:
        return random.Random(f"{fact.id}:{key}#phrase").choice(phrasings)

    # --- one method per fact type ----------------------------------------

    def cast(self, f: Fact) -> None:
        actor, character, person = f["actor"], f["character"], f["person"]
        group = f.get("group", "present")
        detail = f.get("detail", "")
        explain = f"{actor} plays {character}" + (f", {detail}." if detail else ".")

        wrong = self.pick(
            self.rng(f, "who-plays"),
            "actor",
            max_level=f.level,
            exclude=[actor],
            exclude_persons=[person],
            group=group,
        )
        text = self.phrase(
            f,
            "who-plays",
            [
                "Who plays {c} in HIS & HERS?",
                "Which cast member plays {c}?",
                "In HIS & HERS, {c} is played by which actor?",
            ],
        ).format(c=character)
        self.mc(f, "who-plays", text, actor, wrong, explain, "actor")

        wrong = self.pick(
            self.rng(f, "plays-whom"),
            "character",
            max_level=f.level,
            exclude=[character],
            exclude_persons=[person],
            group=group,
        )
        text = self.phrase(
            f,
            "plays-whom",
            [
                "Which character does {a} play in HIS & HERS?",
                "In HIS & HERS, {a} plays which character?",
                "Whom does {a} play in HIS & HERS?",
            ],
        ).format(a=actor)
        self.mc(f, "plays-whom", text, character, wrong, explain, "character")

        statement = self.phrase(
            f,
            "tf-true",
            [
                "{a} plays {c} in HIS & HERS.",
                "In HIS & HERS, {c} is played by {a}.",
            ],
        )
        self.tf(f, "tf-true", cap(statement.format(a=actor, c=character)), True, explain)

        swap = self.pick(
            self.rng(f, "tf-false"),
            "character",
            max_level=f.level,
            exclude=[character],
            exclude_persons=[person],
            group=group,
            count=1,
        )
        if swap:
            statement = self.phrase(
                f,
                "tf-false",
                [
                    "{a} plays {c} in HIS & HERS.",
                    "In HIS & HERS, {c} is played by {a}.",
                ],
            )
            self.tf(
                f,
                "tf-false",
                cap(statement.format(a=actor, c=swap[0].value)),
                False,
                f"False. {explain}",
                extra_facts=[swap[0].fact_id],
            )

    def relation(self, f: Fact) -> None:
        character, relation = f["character"], f["relation"]
        explain = f"{character} is {relation}."
        cast_person = {c.value: c.person for c in self.candidates["character"]}
        person = cast_person.get(character, "")
        # "Richard Jones is Richard's wife" would be false but absurd.
        first_name = character.split()[0]
        self_referring = [
            c.value for c in self.candidates["relation"] if re.search(rf"\b{first_name}\b", c.value)
        ]

        wrong = self.pick(
            self.rng(f, "who-is"),
            "character",
            max_level=f.level,
            exclude=[character],
            exclude_persons=[person],
            group="present",
        )
        text = self.phrase(
            f,
            "who-is",
            [
                "Who is {r} in HIS & HERS?",
                "In HIS & HERS, which character is {r}?",
            ],
        ).format(r=relation)
        self.mc(f, "who-is", text, character, wrong, explain, "character")

        wrong = self.pick(
            self.rng(f, "describe"),
            "relation",
            max_level=f.level,
            exclude=[relation, *self_referring],
            exclude_persons=[character],
            group=f["gender"],
        )
        text = self.phrase(
            f,
            "describe",
            [
                "In HIS & HERS, who is {c}?",
                "How is {c} connected to the story of HIS & HERS?",
            ],
        ).format(c=character)
        self.mc(f, "describe", text, relation, wrong, explain, "relation")

        self.tf(f, "tf-true", f"In HIS & HERS, {character} is {relation}.", True, explain)
        swap = self.pick(
            self.rng(f, "tf-false"),
            "relation",
            max_level=f.level,
            exclude=[relation, *self_referring],
            exclude_persons=[character],
            group=f["gender"],
            count=1,
        )
        if swap:
            self.tf(
                f,
                "tf-false",
                f"{cap(character)} is {swap[0].value}.",
                False,
                f"False. {explain}",
                extra_facts=[swap[0].fact_id],
            )

    def victim(self, f: Fact) -> None:
        character, ordinal = f["character"], ORDINALS[f["order"]]
        explain = f["explain"]
        wrong = self.pick(
            self.rng(f, "who"), "character", max_level=f.level, exclude=[character], group="present"
        )
        text = self.phrase(
            f,
            "who",
            [
                "Who is the {o} murder victim in HIS & HERS?",
                "In HIS & HERS, whose murder is the {o}?",
            ],
        ).format(o=ordinal)
        self.mc(f, "who", text, character, wrong, explain, "character")
        self.tf(
            f,
            "tf-true",
            f"{character} is the {ordinal} murder victim in HIS & HERS.",
            True,
            explain,
        )
        # Swapping in another victim reveals that they are a victim too: the
        # swapped fact joins the question's facts and may raise its level.
        swap = self.pick(
            self.rng(f, "tf-false"), "victim", max_level=f.level, exclude=[character], count=1
        )
        if swap:
            self.tf(
                f,
                "tf-false",
                f"{swap[0].value} is the {ordinal} murder victim in HIS & HERS.",
                False,
                f"False. {explain}",
                extra_facts=[swap[0].fact_id],
            )

    def event(self, f: Fact) -> None:
        episode, statement = f["episode"], f["statement"]
        correct = f"Episode {episode}"
        explain = f"In episode {episode}, {statement}."
        wrong = self.pick(
            self.rng(f, "which-episode"), "episode", max_level=f.level, exclude=[correct]
        )
        self.mc(
            f,
            "which-episode",
            f"In which episode of HIS & HERS {f['ask']}?",
            correct,
            wrong,
            explain,
            "episode",
        )
        phrasings = [
            "In episode {n}, {s}.",
            "{S} in episode {n}.",
            "Episode {n} is the one in which {s}.",
        ]
        self.tf(
            f,
            "tf-true",
            self.phrase(f, "tf-true", phrasings).format(n=episode, s=statement, S=cap(statement)),
            True,
            explain,
        )
        swap = self.pick(
            self.rng(f, "tf-false"), "episode", max_level=f.level, exclude=[correct], count=1
        )
        other = swap[0].value.removeprefix("Episode ")
        self.tf(
            f,
            "tf-false",
            self.phrase(f, "tf-false", phrasings).format(n=other, s=statement, S=cap(statement)),
            False,
            f"False. {explain}",
            extra_facts=[swap[0].fact_id],
        )

    def episode_overview(self, events: list[Fact]) -> None:
        """One "which of these happens in episode N?" per episode."""
        by_episode: dict[int, list[Fact]] = {}
        for f in events:
            by_episode.setdefault(f["episode"], []).append(f)
        for episode, facts in sorted(by_episode.items()):
            key = "which-happens"
            rng = random.Random(f"episode-{episode}:{key}")
            fact = rng.choice(facts)
            others = [e for e in events if e["episode"] != episode]
            # Prefer the earliest episodes' events: they reveal the least.
            others.sort(key=lambda e: (e.level, e.id))
            wrong: list[Candidate] = []
            used_episodes: set[int] = set()
            for e in others:
                if e["episode"] not in used_episodes and len(wrong) < WRONG_OPTIONS:
                    wrong.append(Candidate(cap(e["statement"]), e.id, e.level))
                    used_episodes.add(e["episode"])
            self.mc(
                fact,
                key,
                f"Which of these happens in episode {episode} of HIS & HERS?",
                cap(fact["statement"]),
                wrong,
                f"In episode {episode}, {fact['statement']}.",
                "event",
            )

    def value(self, f: Fact) -> None:
        values, kind = f["values"], f["value_kind"]
        not_wrong = [*values, *f.get("not_distractors", [])]
        explain = f["explain"]
        rng = self.rng(f, "mc")
        correct = rng.choice(values)
        wrong = self.pick(
            rng,
            kind,
            max_level=f.level,
            exclude=not_wrong,
            group="present" if kind == "character" else None,
        )
        self.mc(f, "mc", self.phrase(f, "mc", f["ask"]), correct, wrong, explain, kind)
        for value in values:
            key = "tf-true" if len(values) == 1 else f"tf-true-{slug(value)}"
            text = cap(self.phrase(f, key, f["state"]).format(value=value))
            self.tf(f, key, text, True, explain)
        # A false statement only where one value is the whole truth.
        if len(values) == 1:
            swap = self.pick(
                self.rng(f, "tf-false"),
                kind,
                max_level=f.level,
                exclude=not_wrong,
                group="present" if kind == "character" else None,
                count=1,
            )
            if swap:
                text = cap(self.phrase(f, "tf-false", f["state"]).format(value=swap[0].value))
                self.tf(
                    f, "tf-false", text, False, f"False. {explain}", extra_facts=[swap[0].fact_id]
                )

    def statement(self, f: Fact) -> None:
        explain = f.get("explain", f["statement"])
        self.tf(f, "tf-true", f["statement"], True, explain)
        if f.get("false_statement"):
            self.tf(f, "tf-false", f["false_statement"], False, f"False. {explain}")

    def credits(self, f: Fact) -> None:
        person, titles = f["person"], f["titles"]
        kind = f.get("title_kind", "screen_title")
        verb = f.get("verb", "is known for")
        not_wrong = [*titles, *f.get("also_true", [])]
        listed = ", ".join(titles[:-1]) + f" and {titles[-1]}" if len(titles) > 1 else titles[0]
        explain = f"The article lists {listed} among {person}'s credits."
        rng = self.rng(f, "mc")
        correct = rng.choice(titles)
        wrong = self.pick(rng, kind, max_level=f.level, exclude=not_wrong, exclude_persons=[person])
        text = self.phrase(
            f,
            "mc",
            [
                "Which of these titles is {p} known for?",
                "{p} is known for which of these titles?",
            ]
            if kind == "screen_title"
            else ["Which of these has {p} composed music for?"],
        )
        self.mc(f, "mc", text.format(p=person), correct, wrong, explain, kind)
        for title in titles:
            key = f"tf-{slug(title)}"
            self.tf(f, key, f"{person} {verb} {title}.", True, explain)
            if not f.get("reverse", True):
                continue
            # Anyone else credited with (or really known for) the title is kept out.
            holders = [
                c["person"]
                for c in self.fb.of_type("credits")
                if title in c["titles"] or title in c.get("also_true", [])
            ]
            wrong = self.pick(
                self.rng(f, f"who-{slug(title)}"),
                "credited_actor",
                max_level=f.level,
                exclude=holders,
            )
            self.mc(
                f,
                f"who-{slug(title)}",
                f"Which HIS & HERS cast member is known for {title}?",
                person,
                wrong,
                explain,
                "credited_actor",
            )

    def build(self) -> list[QuestionSpec]:
        for type_ in ("cast", "relation", "victim", "event", "value", "statement", "credits"):
            for fact in self.fb.of_type(type_):
                getattr(self, type_)(fact)
        self.episode_overview(self.fb.of_type("event"))
        self._check()
        return self.specs

    def _check(self) -> None:
        texts = Counter(spec.text.casefold() for spec in self.specs)
        repeated = [text for text, n in texts.items() if n > 1]
        if repeated:
            raise GenerationError(f"two generated questions share a wording: {repeated}")
        keys = Counter(spec.source_key for spec in self.specs)
        if any(n > 1 for n in keys.values()):
            raise GenerationError("two generated questions share a source key")


def build_questions(fact_base: FactBase | None = None) -> list[QuestionSpec]:
    return _Builder(fact_base or default_fact_base()).build()


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
