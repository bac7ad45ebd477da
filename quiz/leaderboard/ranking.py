"""The ranking rules every backend shares: sort keys, periods, boards, best quizzes.

Board, Entry and Standing are what callers get; a Row is one player's best quiz
on one board as a backend stores it (LeaderboardEntry is the database
backend's table of Rows). The hand-written SQL that ranks every player's
quizzes at once (for a rebuild) is here too, since both backends rebuild from it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from django.utils import timezone
from django.utils.dateparse import parse_datetime

from quiz.models import Player, QuizAttempt, QuizDifficulty, SpoilerLevel

PERIODS = {"all": "All time", "week": "This week", "today": "Today"}
DIFFICULTIES = {"all": "All difficulties", **dict(QuizDifficulty.choices)}
WATCHED_LEVELS = range(SpoilerLevel.NONE, SpoilerLevel.FINALE + 1)

TOP_LIMIT = 50
HIDDEN_NAME = Player.HIDDEN_NAME
NEIGHBOURS = 2
# A sort key is -score * 2**32 + milliseconds: smaller is better, and it stays an
# exact integer in a Redis double (53 bits) while scores stay under 2**20.
SCORE_SHIFT = 2**32
MAX_MS = SCORE_SHIFT - 1
MAX_SCORE = 2**20 - 1


def sort_key(score: int, seconds: float) -> int:
    ms = min(max(math.floor(seconds * 1000), 0), MAX_MS)
    return -min(score, MAX_SCORE) * SCORE_SHIFT + ms


def score_from_key(key: int) -> int:
    return -(key // SCORE_SHIFT)


def period_bounds(period: str, now: datetime) -> tuple[datetime, datetime] | None:
    """[start, end) of the period containing `now`, in UTC; None for all time."""
    if period == "all":
        return None
    midnight = now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    if period == "today":
        return midnight, midnight + timedelta(days=1)
    start = midnight - timedelta(days=midnight.weekday())
    return start, start + timedelta(days=7)


@dataclass(frozen=True)
class Board:
    """Which leaderboard: a period and a slice of quizzes (None/"all": any)."""

    period: str = "all"
    difficulty: str = "all"
    watched_through: int | None = None

    def __post_init__(self):
        if self.period not in PERIODS:
            raise ValueError(f"unknown period {self.period!r}")
        if self.difficulty not in DIFFICULTIES:
            raise ValueError(f"unknown difficulty {self.difficulty!r}")
        if self.watched_through is not None and self.watched_through not in WATCHED_LEVELS:
            raise ValueError(f"unknown spoiler level {self.watched_through!r}")

    @classmethod
    def from_attempt(cls, attempt: QuizAttempt, period: str = "all") -> Board:
        """The board an attempt's result is compared on: its difficulty and spoiler level."""
        return cls(period, attempt.difficulty, attempt.watched_through)

    def key(self, now: datetime | None = None) -> str:
        """This board for the period containing `now`, e.g. "week:2026-03-09:easy:3"."""
        bounds = period_bounds(self.period, now or timezone.now())
        period = "day" if self.period == "today" else self.period
        start = bounds[0].date().isoformat() if bounds else "-"
        watched = "all" if self.watched_through is None else self.watched_through
        return f"{period}:{start}:{self.difficulty}:{watched}"

    @property
    def title(self) -> str:
        watched = (
            "any spoiler level"
            if self.watched_through is None
            else SpoilerLevel(self.watched_through).label
        )
        return f"{PERIODS[self.period]} · {DIFFICULTIES[self.difficulty]} · {watched}"


@dataclass(frozen=True)
class Entry:
    rank: int
    player_id: int
    name: str
    score: int
    accuracy: float
    seconds: float
    finished_at: datetime | None = None


@dataclass(frozen=True)
class Standing:
    """A player's own rank on a board and the entries just above and below."""

    rank: int
    entry: Entry
    above: list[Entry] = field(default_factory=list)
    below: list[Entry] = field(default_factory=list)

    @property
    def entries(self) -> list[Entry]:
        return [*self.above, self.entry, *self.below]


@dataclass
class Row:
    """One player's best quiz on one board, as a backend stores it."""

    player_id: int
    attempt_id: int
    score: int
    seconds: float
    correct_count: int
    length: int
    finished_at: datetime
    rank: int = 0
    name: str | None = None

    @property
    def sort_key(self) -> int:
        return sort_key(self.score, self.seconds)

    def entry(self, name: str) -> Entry:
        accuracy = self.correct_count / self.length if self.length else 0.0
        return Entry(
            self.rank, self.player_id, name, self.score, accuracy, self.seconds, self.finished_at
        )


def rank_in_order(rows: list[Row], first_rank: int = 1) -> list[Row]:
    """Competition ranks for rows already in board order, the first holding first_rank."""
    previous = None
    for position, row in enumerate(rows):
        if previous is not None and row.sort_key == previous.sort_key:
            row.rank = previous.rank
        else:
            row.rank = first_rank + position
        previous = row
    return rows


def keys_for(finished_at: datetime, attempt) -> list[tuple[str, datetime | None]]:
    """The twelve board keys a quiz finished at `finished_at` counts on, with their period end."""
    keys = []
    for period in PERIODS:
        bounds = period_bounds(period, finished_at)
        for difficulty in (attempt.difficulty, "all"):
            for watched in (attempt.watched_through, None):
                board = Board(period, difficulty, watched)
                keys.append((board.key(finished_at), bounds[1] if bounds else None))
    return keys


def best_for_player(player_id: int, keys: list[str]) -> dict[str, Row | None]:
    """The player's best counted quiz on each of the boards (None: no quiz there)."""
    best: dict[str, Row | None] = dict.fromkeys(keys)
    wanted = set(keys)
    attempts = (
        QuizAttempt.objects.on_free_play_boards()
        .filter(player_id=player_id)
        .only(
            "id",
            "player_id",
            "difficulty",
            "watched_through",
            "score",
            "seconds",
            "correct_count",
            "length",
            "finished_at",
        )
        # Best first, so the scan can stop early: a player with hundreds of
        # quizzes costs a sorted read of a few rows, not all of them.
        .order_by("-score", "seconds", "finished_at", "id")
    )
    for attempt in attempts.iterator(chunk_size=50):
        filled = [row for row in best.values() if row is not None]
        if len(filled) == len(best) and attempt.score < min(row.score for row in filled):
            # Every board has a best already, and no later quiz can match its score.
            break
        row = Row(
            attempt.player_id,
            attempt.pk,
            attempt.score,
            attempt.seconds,
            attempt.correct_count,
            attempt.length,
            attempt.finished_at,
        )
        for key, _end in keys_for(attempt.finished_at, attempt):
            if key not in wanted:
                continue
            current = best[key]
            if current is None or (row.sort_key, row.finished_at, row.attempt_id) < (
                current.sort_key,
                current.finished_at,
                current.attempt_id,
            ):
                best[key] = row
    return best


def current_boards(
    now: datetime,
) -> list[tuple[str, datetime | None, datetime | None, bool, bool]]:
    """(key prefix, start, end, by difficulty, by spoiler level) of every current board family."""
    families = []
    for period in PERIODS:
        bounds = period_bounds(period, now)
        prefix = Board(period).key(now).rsplit(":", 2)[0] + ":"
        for by_difficulty in (True, False):
            for by_watched in (True, False):
                start, end = bounds or (None, None)
                families.append((prefix, start, end, by_difficulty, by_watched))
    return families


SORT_KEY_SQL = (
    f"(-a.score * {SCORE_SHIFT} + CASE WHEN a.seconds * 1000 >= {MAX_MS} THEN {MAX_MS} "
    "WHEN a.seconds <= 0 THEN 0 ELSE CAST(FLOOR(a.seconds * 1000) AS BIGINT) END)"
)


def best_rows_sql(now: datetime) -> list[tuple[str, list]]:
    """SELECTs of every player's best counted quiz on every current board.

    Plain SQL that runs on SQLite and PostgreSQL: a window function ranks each
    player's quizzes once per board family, here in a rebuild, never per request.
    Columns: board, player_id, attempt_id, score, seconds, correct_count,
    length, finished_at, sort_key.
    """
    statements = []
    table = QuizAttempt._meta.db_table
    for prefix, start, end, by_difficulty, by_watched in current_boards(now):
        partition = ["a.player_id"]
        difficulty_sql, watched_sql = "'all'", "'all'"
        if by_difficulty:
            partition.append("a.difficulty")
            difficulty_sql = "a.difficulty"
        if by_watched:
            partition.append("a.watched_through")
            watched_sql = "CAST(a.watched_through AS TEXT)"
        # The same rows as QuizAttempt.objects.on_free_play_boards().
        where = (
            "a.status = %s AND a.voided = %s AND a.player_id IS NOT NULL"
            " AND a.mode = %s AND a.timed = %s AND a.shortened = %s"
        )
        params: list = [QuizAttempt.Status.FINISHED, False, QuizAttempt.Mode.FREE, False, False]
        if start is not None:
            where += " AND a.finished_at >= %s AND a.finished_at < %s"
            params += [start, end]
        sql = f"""
            SELECT CAST(%s AS TEXT) || {difficulty_sql} || ':' || {watched_sql} AS board,
                   a.player_id, a.id, a.score, a.seconds, a.correct_count, a.length,
                   a.finished_at, {SORT_KEY_SQL} AS sort_key,
                   ROW_NUMBER() OVER (
                       PARTITION BY {", ".join(partition)}
                       ORDER BY {SORT_KEY_SQL}, a.finished_at, a.id
                   ) AS best
            FROM {table} a WHERE {where}
        """  # noqa: S608 - only our own identifiers are formatted in
        statements.append((sql, [prefix, *params]))
    return statements


def as_datetime(value) -> datetime:
    if isinstance(value, str):
        value = parse_datetime(value)
    if timezone.is_naive(value):
        value = value.replace(tzinfo=UTC)
    return value
