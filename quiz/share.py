"""The share card: a result anyone may see, with nothing of the quiz's content in it.

Built only from the attempt's format and numbers and from which answers were
right (never a question, an option, an answer or an explanation), so it is
safe to post where people have not watched the series.
"""

from __future__ import annotations

from dataclasses import dataclass

from quiz import daily
from quiz.models import QuizAttempt

RIGHT, WRONG = "🟩", "🟥"


def watched_label(watched_through: int) -> str:
    if watched_through == 0:
        return "not started"
    if watched_through == 1:
        return "watched ep 1"
    return f"watched ep 1–{watched_through}"


def title(attempt: QuizAttempt) -> str:
    if attempt.mode == QuizAttempt.Mode.DAILY:
        return f"HH Quiz daily #{daily.number(attempt.daily_date)}"
    if attempt.mode == QuizAttempt.Mode.EPISODE:
        return f"HH Quiz · just watched ep {attempt.watched_through}"
    return "HH Quiz"


@dataclass(frozen=True)
class Card:
    title: str
    line: str
    squares: str
    url: str

    @property
    def text(self) -> str:
        return "\n".join(part for part in (self.line, self.squares, self.url) if part)


def card(attempt: QuizAttempt, url: str = "") -> Card:
    parts = [title(attempt)]
    if attempt.mode != QuizAttempt.Mode.EPISODE:
        parts.append(watched_label(attempt.watched_through))
    if attempt.mode == QuizAttempt.Mode.FREE:
        parts.append(attempt.get_difficulty_display().lower())
    if attempt.timed:
        parts.append("timed")
    parts += [f"{attempt.correct_count}/{attempt.length}", f"{attempt.score:,} pts"]
    # Only the right/wrong flags are read: no text of the quiz is loaded at all.
    flags = attempt.items.order_by("position").values_list("is_correct", flat=True)
    squares = "".join(RIGHT if right else WRONG for right in flags)
    return Card(title=parts[0], line=" · ".join(parts), squares=squares, url=url)
