"""Load the show's fact base from fixtures/facts/*.toml.

The fact base is data a human edits (see fixtures/README.md for the format and
the editorial rules). This module only reads and checks it; quiz.generator
turns it into questions.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from django.conf import settings

FACTS_DIR = Path(settings.BASE_DIR) / "fixtures" / "facts"

DIFFICULTIES = ("easy", "medium", "hard")
MAX_LEVEL = 6

# Required fields per table, beyond id/level/section.
REQUIRED = {
    "cast": ("actor", "character", "person", "gender", "difficulty"),
    "character": ("character", "person", "gender"),
    "credits": ("person", "gender", "titles", "difficulty"),
    "relation": ("character", "relation", "gender", "explain", "difficulty"),
    "victim": ("character", "order", "explain", "difficulty"),
    "event": ("episode", "statement", "ask", "explain", "difficulty"),
    "value": ("value_kind", "values", "ask", "state", "explain", "category", "difficulty"),
    "statement": ("statement", "false_statement", "explain", "category", "difficulty"),
    "pool": ("kind", "values", "from_article"),
}
GENDERS = ("f", "m")
TRUE_FALSE_CHOICES = ("alternate", "true", "false", "none")
DEFAULT_CATEGORY = {
    "cast": "cast",
    "character": "characters",
    "credits": "credits",
    "relation": "characters",
    "victim": "murders",
    "event": "episodes",
    "pool": "",
}


class FactBaseError(ValueError):
    """The fact base on disk is malformed; the message says where."""


@dataclass(frozen=True)
class Fact:
    id: str
    type: str
    level: int
    section: str
    category: str
    difficulty: str
    data: dict = field(hash=False, compare=False)
    from_article: bool = True

    def __getitem__(self, key):
        return self.data[key]

    def get(self, key, default=None):
        return self.data.get(key, default)

    @property
    def summary(self) -> str:
        """One line for editors (the admin shows it beside a question)."""
        d = self.data
        match self.type:
            case "cast":
                return f"{d['actor']} plays {d['character']}"
            case "character":
                return f"{d['character']} is a character"
            case "credits":
                return f"{d['person']} is known for {d['title']}"
            case "relation":
                return f"{d['character']} is {d['relation']}"
            case "victim":
                return f"{d['character']} is murder victim no. {d['order']}"
            case "event":
                return f"Episode {d['episode']}: {d['statement']}"
            case "value":
                return f"{d['ask'][0]} {' / '.join(d['values'])}"
            case "statement":
                return d["statement"]
            case "pool":
                origin = (
                    "from the article" if self.from_article else "curated, not from the article"
                )
                return f"Wrong-answer pool ({origin}): {', '.join(d['values'])}"
        return self.id


@dataclass(frozen=True)
class FactBase:
    facts: dict[str, Fact]
    # level -> terms first safe at that level
    reveal_terms: dict[int, tuple[str, ...]]

    def of_type(self, type_: str) -> list[Fact]:
        return [f for f in self.facts.values() if f.type == type_]

    def level_of(self, fact_ids) -> int:
        return max((self.facts[i].level for i in fact_ids), default=MAX_LEVEL)

    def __contains__(self, fact_id: str) -> bool:
        return fact_id in self.facts


def _check_fact(type_: str, raw: dict, where: str) -> Fact:
    if not isinstance(raw, dict):
        raise FactBaseError(f"{where}: each [[{type_}]] entry must be a table")
    fact_id = raw.get("id")
    if not isinstance(fact_id, str) or not fact_id:
        raise FactBaseError(f"{where}: missing id")
    where = f"{where} ({fact_id})"
    level = raw.get("level")
    if type(level) is not int or not 0 <= level <= MAX_LEVEL:
        raise FactBaseError(f"{where}: level must be an integer 0..{MAX_LEVEL}, got {level!r}")
    from_article = raw.get("from_article", True)
    section = raw.get("section", "")
    if from_article and not (isinstance(section, str) and section):
        raise FactBaseError(f"{where}: facts from the article need the article section")
    missing = [name for name in REQUIRED[type_] if name not in raw]
    if missing:
        raise FactBaseError(f"{where}: missing {', '.join(missing)}")
    difficulty = raw.get("difficulty", "hard")
    if difficulty not in DIFFICULTIES:
        raise FactBaseError(f"{where}: difficulty must be one of {DIFFICULTIES}")
    list_fields = ("values", "titles", "ask", "state") if type_ != "event" else ()
    for name in list_fields:
        if name in raw and (
            not isinstance(raw[name], list)
            or not raw[name]
            or not all(isinstance(v, str) and v for v in raw[name])
        ):
            raise FactBaseError(f"{where}: {name} must be a non-empty list of strings")
    for template in raw.get("state", []):
        if "{value}" not in template:
            raise FactBaseError(f"{where}: every state phrasing needs a {{value}} slot")
    if "gender" in raw and raw["gender"] not in GENDERS:
        raise FactBaseError(f"{where}: gender must be one of {GENDERS}")
    if raw.get("tf", "alternate") not in TRUE_FALSE_CHOICES:
        raise FactBaseError(f"{where}: tf must be one of {TRUE_FALSE_CHOICES}")
    wrong = raw.get("wrong")
    if wrong is not None and (
        not isinstance(wrong, list) or len(wrong) < 3 or not all(isinstance(v, str) for v in wrong)
    ):
        raise FactBaseError(f"{where}: wrong must list at least three wrong answers")
    return Fact(
        id=fact_id,
        type=type_,
        level=level,
        section=section,
        category=raw.get("category", DEFAULT_CATEGORY.get(type_, "")),
        difficulty=difficulty,
        data=raw,
        from_article=bool(from_article),
    )


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _expand(fact: Fact) -> list[Fact]:
    """A [[credits]] entry is one fact per title (credits.tessa-thompson.creed):
    each title is its own thing to know, and one quiz may ask about two."""
    if fact.type != "credits":
        return [fact]
    return [
        Fact(
            id=f"{fact.id}.{_slug(title)}",
            type="credits",
            level=fact.level,
            section=fact.section,
            category=fact.category,
            difficulty=fact.difficulty,
            data={**fact.data, "title": title, "all_titles": fact["titles"]},
        )
        for title in fact["titles"]
    ]


def load_fact_base(directory: Path | str = FACTS_DIR) -> FactBase:
    directory = Path(directory)
    paths = sorted(directory.glob("*.toml"))
    if not paths:
        raise FactBaseError(f"no *.toml files in {directory}")
    facts: dict[str, Fact] = {}
    reveal: dict[int, list[str]] = {}
    for path in paths:
        try:
            with path.open("rb") as fh:
                document = tomllib.load(fh)
        except tomllib.TOMLDecodeError as exc:
            raise FactBaseError(f"{path.name}: not valid TOML: {exc}") from exc
        for type_, entries in document.items():
            if type_ == "reveal":
                for n, entry in enumerate(entries, 1):
                    level, terms = entry.get("level"), entry.get("terms")
                    if type(level) is not int or not 1 <= level <= MAX_LEVEL or not terms:
                        raise FactBaseError(
                            f"{path.name}: [[reveal]] #{n} needs level 1..6 and terms"
                        )
                    reveal.setdefault(level, []).extend(terms)
                continue
            if type_ not in REQUIRED:
                raise FactBaseError(f"{path.name}: unknown table [[{type_}]]")
            for n, raw in enumerate(entries, 1):
                fact = _check_fact(type_, raw, f"{path.name}: [[{type_}]] #{n}")
                for one in _expand(fact):
                    if one.id in facts:
                        raise FactBaseError(f"{path.name}: duplicate fact id {one.id}")
                    facts[one.id] = one
    for fact in facts.values():
        unknown = [i for i in fact.get("draws_on", []) if i not in facts]
        if unknown:
            raise FactBaseError(f"{fact.id}: draws_on names unknown facts {unknown}")
    return FactBase(facts=facts, reveal_terms={k: tuple(v) for k, v in sorted(reveal.items())})


@cache
def default_fact_base() -> FactBase:
    """The fact base in fixtures/, read once per process (the admin shows it often)."""
    return load_fact_base()
