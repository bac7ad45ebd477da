"""Open Trivia DB format: export questions to it, import (and validate) files in it.

The shape is Open Trivia DB's API response,
    {"response_code": 0, "results": [{"type": "multiple" | "boolean", "difficulty",
      "category", "question", "correct_answer", "incorrect_answers": [...]}]}
plus our own optional fields per record: spoiler_level, explanation, source
("generated:<source key>" or "hand-written"), bank (a bank slug), facts (the
fact ids the question asks) and mentions (the fact ids its wording, options
and explanation reveal besides: a quiz never holds two questions asking one
fact, nor one mentioning a fact another asks).

Import accepts plain Open Trivia DB files too: their default encoding escapes
text as HTML entities, so every string is unescaped first and then must not
contain markup. Records without a spoiler_level enter as drafts at level 6 (the
safe default) until an admin sets the level. Each record is imported in its own
transaction: a bad record is rejected whole, the others still go in.
"""

from __future__ import annotations

import html
import json
import random
import re
from dataclasses import dataclass, field
from pathlib import Path

from django.db import IntegrityError, transaction

from quiz.models import MAX_SPOILER_LEVEL, Bank, Difficulty, Option, Question
from quiz.validation import has_markup, normalise, option_set_errors

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_RECORDS = 5000
MAX_LENGTH = {
    "question": 500,
    "correct_answer": 200,
    "incorrect_answers": 200,
    "category": 40,
    "explanation": 1000,
    "source": 220,
    "bank": 60,
}
GENERATED_PREFIX = "generated:"
HAND_WRITTEN = "hand-written"
SOURCE_KEY = re.compile(r"^[\w.:-]{1,200}$")
FACT_ID = re.compile(r"^[\w.-]{1,120}$")
MAX_FACTS = 30
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
SURROGATE = re.compile("[\ud800-\udfff]")
DEFAULT_IMPORT_BANK = "imported"


class ImportFileError(ValueError):
    """The file as a whole cannot be read; nothing was imported."""


class RecordError(ValueError):
    """One record is invalid; the message is the reason shown to the user."""


# --- export -------------------------------------------------------------------


def question_to_record(question: Question) -> dict:
    options = list(question.options.all())
    correct = next((o.text for o in options if o.is_correct), "")
    return {
        "type": question.kind,
        "difficulty": question.difficulty,
        "category": question.category,
        "question": question.text,
        "correct_answer": correct,
        "incorrect_answers": [o.text for o in options if not o.is_correct],
        "spoiler_level": question.spoiler_level,
        # A draft or retired question must come back as one, not published.
        "status": question.status,
        "explanation": question.explanation,
        "source": (
            f"{GENERATED_PREFIX}{question.source_key}" if question.source_key else HAND_WRITTEN
        ),
        "bank": question.bank.slug,
        "facts": list(question.facts or []),
        "mentions": list(question.mentions or []),
    }


def export_document(questions) -> dict:
    questions = questions.select_related("bank").prefetch_related("options")
    return {"response_code": 0, "results": [question_to_record(q) for q in questions]}


# --- import -------------------------------------------------------------------


@dataclass
class CleanRecord:
    kind: str
    difficulty: str
    category: str
    text: str
    options: list[tuple[str, bool]]
    explanation: str
    spoiler_level: int | None
    source_key: str
    bank_slug: str
    facts: list[str] = field(default_factory=list)
    mentions: list[str] = field(default_factory=list)
    status: str = ""


@dataclass
class ImportReport:
    imported: list[Question] = field(default_factory=list)
    # (1-based record number, reason)
    rejected: list[tuple[int, str]] = field(default_factory=list)


def read_file(path: str | Path) -> list:
    path = Path(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise ImportFileError(f"cannot read {path}: {exc.strerror}") from exc
    if size > MAX_FILE_BYTES:
        raise ImportFileError(f"{path} is {size} bytes; the limit is {MAX_FILE_BYTES}")
    try:
        # utf-8-sig: a byte order mark (as some Windows editors write) is fine.
        document = json.loads(path.read_bytes().decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise ImportFileError(f"{path} is not UTF-8 text") from exc
    except json.JSONDecodeError as exc:
        raise ImportFileError(
            f"{path} is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
        ) from exc
    except RecursionError as exc:
        raise ImportFileError(f"{path} nests its JSON too deeply to be a question file") from exc
    except ValueError as exc:
        # e.g. a number with thousands of digits (Python's int conversion limit)
        raise ImportFileError(f"{path} is not a usable JSON file ({exc})") from exc
    return records_of(document)


def records_of(document) -> list:
    if not isinstance(document, dict) or "results" not in document:
        raise ImportFileError(
            'expected an Open Trivia DB response: an object with a "results" list'
        )
    code = document.get("response_code", 0)
    if code != 0:
        raise ImportFileError(f"the file's response_code is {code!r}, not 0: it holds no questions")
    results = document["results"]
    if not isinstance(results, list):
        raise ImportFileError('"results" must be a list of question records')
    if len(results) > MAX_RECORDS:
        raise ImportFileError(f"{len(results)} records; the limit is {MAX_RECORDS} per file")
    return results


def _text(raw: dict, name: str, *, required: bool = True) -> str:
    value = raw.get(name, "" if not required else None)
    if value is None:
        raise RecordError(f"missing {name}")
    if not isinstance(value, str):
        raise RecordError(f"{name} must be a string")
    return _clean(value, name, required=required)


def _clean(value: str, name: str, *, required: bool = True) -> str:
    limit = MAX_LENGTH[name]
    if len(value) > limit * 8:
        # Entity-encoded text is longer than its decoded form, but not this much.
        raise RecordError(f"{name} is too long ({len(value)} characters; the limit is {limit})")
    value = html.unescape(value).strip()
    if required and not value:
        raise RecordError(f"{name} is empty")
    if len(value) > limit:
        raise RecordError(f"{name} is too long ({len(value)} characters; the limit is {limit})")
    if has_markup(value):
        raise RecordError(f"{name} contains HTML markup; question text must be plain")
    if CONTROL.search(value):
        raise RecordError(f"{name} contains control characters")
    if SURROGATE.search(value):
        # JSON's "\ud800" escape: not a character, and no database can store it.
        raise RecordError(f"{name} contains an invalid character (a lone surrogate)")
    return value


def _fact_ids(raw: dict, name: str) -> list[str]:
    value = raw.get(name, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise RecordError(f"{name} must be a list of fact ids")
    if len(value) > MAX_FACTS:
        raise RecordError(f"{name} has {len(value)} entries; at most {MAX_FACTS}")
    bad = [v for v in value if not FACT_ID.match(v)]
    if bad:
        raise RecordError(f"{name} holds something that is not a fact id: {bad[0][:40]!r}")
    return list(dict.fromkeys(value))


def clean_record(raw) -> CleanRecord:
    if not isinstance(raw, dict):
        raise RecordError("a record must be a JSON object")
    kind = raw.get("type")
    if kind not in Question.Kind.values:
        raise RecordError(f'type must be "multiple" or "boolean", got {kind!r}')
    difficulty = raw.get("difficulty")
    if difficulty not in Difficulty.values:
        raise RecordError(
            f"difficulty must be one of {', '.join(Difficulty.values)}, got {difficulty!r}"
        )
    text = _text(raw, "question")
    category = _text(raw, "category", required=False)
    correct = _text(raw, "correct_answer")
    incorrect = raw.get("incorrect_answers")
    if not isinstance(incorrect, list) or not all(isinstance(a, str) for a in incorrect):
        raise RecordError("incorrect_answers must be a list of strings")
    if len(incorrect) > 10:
        raise RecordError(f"incorrect_answers has {len(incorrect)} entries; at most 5 fit")
    wrong = [_clean(a, "incorrect_answers") for a in incorrect]
    options = [(correct, True), *((a, False) for a in wrong)]
    if kind == Question.Kind.BOOLEAN and correct not in ("True", "False"):
        raise RecordError('a boolean record\'s correct_answer must be "True" or "False"')
    errors = option_set_errors(kind, options)
    if errors:
        raise RecordError(" ".join(errors))

    level = raw.get("spoiler_level")
    if level is not None and (type(level) is not int or not 0 <= level <= MAX_SPOILER_LEVEL):
        raise RecordError(f"spoiler_level must be an integer 0..{MAX_SPOILER_LEVEL}, got {level!r}")
    explanation = _text(raw, "explanation", required=False)
    source = _text(raw, "source", required=False)
    source_key = ""
    if source.startswith(GENERATED_PREFIX):
        source_key = source.removeprefix(GENERATED_PREFIX)
        if not SOURCE_KEY.match(source_key):
            raise RecordError(f"source {source!r} is not a valid generated-question key")
    elif source not in ("", HAND_WRITTEN):
        raise RecordError(f'source must be "hand-written" or "generated:<key>", got {source!r}')
    bank_slug = _text(raw, "bank", required=False)
    status = raw.get("status", "")
    if status not in ("", *Question.Status.values):
        raise RecordError(
            f"status must be one of {', '.join(Question.Status.values)}, got {status!r}"
        )
    if status == Question.Status.PUBLISHED and level is None:
        raise RecordError("a published record needs its spoiler_level")
    return CleanRecord(
        status=status,
        kind=kind,
        difficulty=difficulty,
        category=category,
        text=text,
        options=options,
        explanation=explanation,
        spoiler_level=level,
        source_key=source_key,
        bank_slug=bank_slug,
        facts=_fact_ids(raw, "facts"),
        mentions=_fact_ids(raw, "mentions"),
    )


def default_import_bank() -> Bank:
    bank, _ = Bank.objects.get_or_create(
        slug=DEFAULT_IMPORT_BANK,
        defaults={
            "name": "Imported questions",
            "description": "Questions imported from Open Trivia DB files.",
            "is_published": False,
        },
    )
    return bank


def _bank_for(record: CleanRecord, forced: Bank | None, banks: dict[str, Bank]) -> Bank:
    if forced is not None:
        return forced
    if record.bank_slug and record.bank_slug in banks:
        return banks[record.bank_slug]
    if DEFAULT_IMPORT_BANK not in banks:
        banks[DEFAULT_IMPORT_BANK] = default_import_bank()
    return banks[DEFAULT_IMPORT_BANK]


def import_records(records: list, *, bank: Bank | None = None) -> ImportReport:
    """Validate and import each record on its own; `bank` forces every record into one bank."""
    report = ImportReport()
    banks = {b.slug: b for b in Bank.objects.all()}
    # Texts already in each bank, normalised, so nothing is imported twice.
    seen: dict[int, set[str]] = {}
    for number, raw in enumerate(records, 1):
        try:
            record = clean_record(raw)
            target = _bank_for(record, bank, banks)
            if target.pk not in seen:
                seen[target.pk] = {
                    normalise(t) for t in target.questions.values_list("text", flat=True)
                }
            if normalise(record.text) in seen[target.pk]:
                raise RecordError(f"duplicate: the question is already in bank {target.slug!r}")
            if record.source_key and target.questions.filter(source_key=record.source_key).exists():
                raise RecordError(
                    f"duplicate: source {record.source_key!r} is already in bank {target.slug!r}"
                )
            with transaction.atomic():
                question = _create(record, target)
        except RecordError as exc:
            report.rejected.append((number, str(exc)))
            continue
        except IntegrityError as exc:
            report.rejected.append((number, f"the database refused it ({exc})"))
            continue
        seen[target.pk].add(normalise(record.text))
        report.imported.append(question)
    return report


def _create(record: CleanRecord, bank: Bank) -> Question:
    known_level = record.spoiler_level is not None
    question = Question.objects.create(
        bank=bank,
        kind=record.kind,
        text=record.text,
        explanation=record.explanation,
        category=record.category,
        difficulty=record.difficulty,
        spoiler_level=record.spoiler_level if known_level else MAX_SPOILER_LEVEL,
        status=record.status
        or (Question.Status.PUBLISHED if known_level else Question.Status.DRAFT),
        source_key=record.source_key,
        facts=record.facts,
        mentions=record.mentions,
    )
    options = list(record.options)
    if record.kind == Question.Kind.BOOLEAN:
        # Always shown in the same order, whatever order the file had.
        options.sort(key=lambda o: o[0] != "True")
    else:
        # The format puts the correct answer first; positions should not.
        random.Random(record.text).shuffle(options)
    Option.objects.bulk_create(
        Option(question=question, text=text, is_correct=ok, position=position)
        for position, (text, ok) in enumerate(options)
    )
    return question
