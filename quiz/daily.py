"""The daily challenge: one quiz per UTC day and watched level, the same for everyone.

The questions of a day are drawn by draw_question_ids (the same rule as any
quiz) with a random generator seeded from the date and the level, so nothing
is stored ahead of time (no table of future days to leak) and the draw is the
same after a restart or on another server. Once someone has started a day's
challenge, later players take the same questions from that first attempt, so
a question edited, retired or added mid-day changes nothing for the rest of
the day beyond replacing a retired one; a started challenge keeps its
snapshot whatever happens to the bank.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass
from datetime import UTC, date, datetime

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from quiz import play
from quiz.models import AttemptQuestion, Bank, Player, QuizAttempt, QuizDifficulty

# HH Quiz daily #1 was this UTC day.
FIRST_DAY = date(2026, 11, 26)
LENGTH = 10
BOARD_LIMIT = 50


def today(now: datetime | None = None) -> date:
    return (now or timezone.now()).astimezone(UTC).date()


def number(day: date) -> int:
    return (day - FIRST_DAY).days + 1


def _rng(day: date, watched_through: int) -> random.Random:
    digest = hashlib.sha256(f"hhquiz-daily:{day.isoformat()}:{watched_through}".encode()).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))


def daily_bank() -> Bank | None:
    return Bank.objects.filter(is_published=True).order_by("pk").first()


def draw(bank: Bank, day: date, watched_through: int) -> list[int]:
    """The day's question ids in order: the first attempt's, else the seeded draw."""
    first = (
        QuizAttempt.objects.daily(day, watched_through)
        .filter(bank=bank)
        .order_by("pk")
        .values("pk")[:1]
    )
    served = list(
        AttemptQuestion.objects.filter(attempt__in=first, question__isnull=False)
        .order_by("position")
        .values_list("question_id", flat=True)
    )
    candidates = play.candidate_questions(bank, QuizDifficulty.MIXED, watched_through)
    still_playable = set(candidates.filter(pk__in=served).values_list("pk", flat=True))
    kept = [pk for pk in served if pk in still_playable]
    if len(kept) >= LENGTH:
        return kept[:LENGTH]
    more = play.draw_question_ids(
        candidates.exclude(pk__in=kept), LENGTH - len(kept), rng=_rng(day, watched_through)
    )
    return kept + more


def owned(day: date, watched_through: int, player: Player | None, session_key: str):
    attempts = QuizAttempt.objects.daily(day, watched_through)
    if player is not None:
        return attempts.filter(player=player)
    if not session_key:
        return attempts.none()
    return attempts.filter(player__isnull=True, session_key=session_key)


def start(
    *, day: date, watched_through: int, player: Player | None, session_key: str
) -> tuple[QuizAttempt, bool]:
    """This owner's challenge for the day and level, started if need be: (attempt, created).

    A second start (another tab, a double click, a race) returns the first
    attempt: the database holds one per owner, day and level.
    """
    existing = owned(day, watched_through, player, session_key).first()
    if existing is not None:
        return existing, False
    bank = daily_bank()
    if bank is None:
        raise play.PoolTooSmall(0, LENGTH)
    ids = draw(bank, day, watched_through)
    try:
        with transaction.atomic():
            attempt = play.start_fixed_format(
                QuizAttempt.Mode.DAILY,
                bank,
                watched_through,
                LENGTH,
                player,
                session_key,
                daily_date=day,
                question_ids=ids,
            )
    except IntegrityError:
        return owned(day, watched_through, player, session_key).get(), False
    return attempt, True


@dataclass(frozen=True)
class BoardRow:
    rank: int
    player_id: int
    name: str
    score: int
    correct_count: int
    length: int
    seconds: float


def board(day: date, watched_through: int, limit: int = BOARD_LIMIT) -> list[BoardRow]:
    """The day's finished challenges at one level, best first (score, then time).

    One attempt per player and day exists, so no per-player best is needed.
    Equal score and time share a rank (1, 2, 2, 4). A challenge shortened for
    lack of questions never ranks, as on every board.
    """
    attempts = (
        QuizAttempt.objects.counted()
        .daily(day, watched_through)
        .filter(shortened=False)
        .order_by("-score", "seconds", "finished_at", "pk")
        .values_list(
            "player_id",
            "player__display_name",
            "player__display_name_hidden",
            "score",
            "correct_count",
            "length",
            "seconds",
        )[:limit]
    )
    rows: list[BoardRow] = []
    for position, (pid, name, hidden, score, correct, length, seconds) in enumerate(attempts):
        tied = rows and (rows[-1].score, rows[-1].seconds) == (score, seconds)
        rank = rows[-1].rank if tied else position + 1
        shown = Player(display_name=name, display_name_hidden=hidden).public_name
        rows.append(BoardRow(rank, pid, shown, score, correct, length, seconds))
    return rows


def rank_of(attempt: QuizAttempt) -> int | None:
    """The rank of a finished, counted, full-length daily attempt on its day's board."""
    if (
        attempt.mode != QuizAttempt.Mode.DAILY
        or attempt.player_id is None
        or attempt.voided
        or attempt.shortened
    ):
        return None
    better = (
        QuizAttempt.objects.counted()
        .daily(attempt.daily_date, attempt.watched_through)
        .filter(shortened=False)
        .filter(Q(score__gt=attempt.score) | Q(score=attempt.score, seconds__lt=attempt.seconds))
        .count()
    )
    return better + 1
