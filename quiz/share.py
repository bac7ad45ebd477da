"""The share card: a result anyone may see, with nothing of the quiz's content in it.

Built only from the attempt's format and numbers and from which answers were
right (never a question, an option, an answer or an explanation), so it is
safe to post where people have not watched the series.
"""

from __future__ import annotations

import struct
import zlib
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
    flags: tuple[bool, ...] = ()

    @property
    def spoken(self) -> str:
        return "Answers in order: " + ", ".join("right" if f else "wrong" for f in self.flags)

    @property
    def text(self) -> str:
        return "\n".join(part for part in (self.line, self.squares, self.url) if part)


def card(attempt: QuizAttempt, url: str = "", flags: list | None = None) -> Card:
    """The card of a finished quiz. `flags`: its answers' is_correct in order, when
    the caller has read them already (else they are read here, and nothing else)."""
    parts = [title(attempt)]
    if attempt.mode != QuizAttempt.Mode.EPISODE:
        parts.append(watched_label(attempt.watched_through))
    if attempt.mode == QuizAttempt.Mode.FREE:
        parts.append(attempt.get_difficulty_display().lower())
    if attempt.timed:
        parts.append("timed")
    parts += [f"{attempt.correct_count}/{attempt.length}", f"{attempt.score:,} pts"]
    if flags is None:
        # Only the right/wrong flags are read: no text of the quiz is loaded at all.
        flags = attempt.items.order_by("position").values_list("is_correct", flat=True)
    flags = tuple(bool(right) for right in flags)
    squares = "".join(RIGHT if right else WRONG for right in flags)
    return Card(title=parts[0], line=" · ".join(parts), squares=squares, url=url, flags=flags)


# --- the card as an image, for link previews ---------------------------------

IMAGE_SIZE = (1200, 630)
BACKGROUND = (27, 26, 31)
BRAND = (224, 71, 91)
COLOURS = {True: (83, 184, 110), False: (214, 69, 69)}


def _png(width: int, height: int, rows: list[bytes]) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    raw = b"".join(b"\x00" + row for row in rows)
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw, 6))
        + chunk(b"IEND", b"")
    )


def card_image(flags: list[bool]) -> bytes:
    """A 1200x630 PNG (the size link previews use): a brand bar and one square per answer.

    Drawn by hand (no imaging library needed): nothing but colours, so no
    text of the quiz can ever be in it.
    """
    width, height = IMAGE_SIZE
    n = max(len(flags), 1)
    gap = 16
    side = min(160, (width - 2 * 60 - gap * (n - 1)) // n)
    left = (width - (n * side + (n - 1) * gap)) // 2
    top = (height - side) // 2
    background = bytes(BACKGROUND) * width
    bar = bytes(BRAND) * width
    square_row = bytearray(background)
    for i, right in enumerate(flags):
        x = left + i * (side + gap)
        square_row[3 * x : 3 * (x + side)] = bytes(COLOURS[bool(right)]) * side
    square_row = bytes(square_row)
    rows = []
    for y in range(height):
        if y < 24 or y >= height - 24:
            rows.append(bar)
        elif top <= y < top + side:
            rows.append(square_row)
        else:
            rows.append(background)
    return _png(width, height, rows)
