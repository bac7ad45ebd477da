"""Rules every question's options obey, wherever the question comes from.

The admin's option formset and the Open Trivia DB importer both call
option_set_errors(); the database adds what it can hold itself (one correct
option per question, unique option text per question).
"""

from __future__ import annotations

import re

from quiz.models import Question

MIN_OPTIONS = 2
MAX_OPTIONS = 6
BOOLEAN_TEXTS = ("True", "False")
MARKUP = re.compile(r"<\s*[a-zA-Z/!?][^>]*>")


def normalise(text: str) -> str:
    """The form two option texts are compared in: case and spacing ignored."""
    return " ".join(text.split()).casefold()


def has_markup(text: str) -> bool:
    return bool(MARKUP.search(text))


def option_set_errors(kind: str, options: list[tuple[str, bool]]) -> list[str]:
    """Why this set of (text, is_correct) options is not valid for a question of `kind`."""
    errors = []
    texts = [text.strip() for text, _ in options]
    correct = sum(1 for _, ok in options if ok)
    if any(not text for text in texts):
        errors.append("Every option needs text.")
    if kind == Question.Kind.BOOLEAN:
        if sorted(texts) != sorted(BOOLEAN_TEXTS):
            errors.append('A true/false question has exactly two options, "True" and "False".')
    elif kind == Question.Kind.MULTIPLE:
        if not MIN_OPTIONS <= len(texts) <= MAX_OPTIONS:
            errors.append(
                f"A multiple-choice question has {MIN_OPTIONS} to {MAX_OPTIONS} options "
                f"(this one has {len(texts)})."
            )
    else:
        errors.append(f"Unknown question type {kind!r}.")
    if correct != 1:
        errors.append(f"Exactly one option must be correct (this one has {correct}).")
    seen = [normalise(text) for text in texts if text]
    if len(seen) != len(set(seen)):
        errors.append("Two options have the same text.")
    return errors
