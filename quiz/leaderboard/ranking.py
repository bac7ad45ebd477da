"""The ranking rules every backend shares: sort keys, periods, boards, best quizzes.

A board is a period and one quiz format (mode, length, difficulty, watched
level, clock): a result ranks only on its own format's boards, and a result
whose format never ranks (shortened, one-episode, adaptive) is on none.
Board, Entry and Standing are what callers get; a Row is one player's best quiz
on one board as a backend stores it (LeaderboardEntry is the database
backend's table of Rows). The hand-written SQL that ranks every player's
quizzes at once (for a rebuild) is here too, since both backends rebuild from it.
"""

from __future__ import annotations

import math
from dataclasses import KW_ONLY, dataclass, field, replace
from datetime import UTC, datetime, timedelta
from functools import cached_property
from urllib.parse import urlencode

from django.db import connection
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from quiz.models import Player, QuizAttempt, QuizDifficulty, SpoilerLevel
from quiz.play import QUIZ_LENGTHS

PERIODS = {"all": "All time", "week": "This week", "today": "Today"}
# How a period reads at the end of a sentence ("..., this week.").
PERIOD_PHRASES = {"all": "of all time", "week": "this week", "today": "today"}
LENGTHS = QUIZ_LENGTHS
DIFFICULTIES = dict(QuizDifficulty.choices)
WATCHED_LEVELS = range(SpoilerLevel.NONE, SpoilerLevel.FINALE + 1)
# The play modes that have boards here. The daily challenge ranks on its own
# board per day and level (quiz.daily); one-episode quizzes draw from one
# episode and adaptive quizzes pick each player's questions by their rating,
# so neither compares like with like and neither ranks.
RANKED_MODES = (QuizAttempt.Mode.FREE,)

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


def watched_phrase(watched_through: int) -> str:
    if watched_through == SpoilerLevel.NONE:
        return "before episode 1"
    return f"watched up to episode {watched_through}"


@dataclass(frozen=True)
class Board:
    """Which leaderboard: a period and one quiz format.

    A format is the play mode, quiz length, difficulty, watched level and
    clock; a result ranks only on the boards of its own format, so every
    board compares like with like. There is no board across formats.
    """

    period: str = "all"
    _: KW_ONLY
    length: int
    difficulty: str
    watched_through: int
    timed: bool = False
    mode: str = QuizAttempt.Mode.FREE

    def __post_init__(self):
        if self.period not in PERIODS:
            raise ValueError(f"unknown period {self.period!r}")
        if self.length not in LENGTHS:
            raise ValueError(f"unknown quiz length {self.length!r}")
        if self.difficulty not in DIFFICULTIES:
            raise ValueError(f"unknown difficulty {self.difficulty!r}")
        if self.watched_through not in WATCHED_LEVELS:
            raise ValueError(f"unknown spoiler level {self.watched_through!r}")
        if self.mode not in RANKED_MODES:
            raise ValueError(f"no boards for mode {self.mode!r}")
        if not isinstance(self.timed, bool):
            raise ValueError(f"timed must be True or False, not {self.timed!r}")

    @classmethod
    def format_of(cls, attempt: QuizAttempt, period: str = "all") -> Board | None:
        """The board of the attempt's format, or None for a format that never ranks.

        Says nothing of the attempt itself (finished, voided, whose): see from_attempt.
        """
        if attempt.mode not in RANKED_MODES or attempt.shortened or attempt.length not in LENGTHS:
            return None
        return cls(
            period,
            length=attempt.length,
            difficulty=attempt.difficulty,
            watched_through=attempt.watched_through,
            timed=attempt.timed,
            mode=attempt.mode,
        )

    @classmethod
    def from_attempt(cls, attempt: QuizAttempt, period: str = "all") -> Board | None:
        """The board the attempt's result ranks on; None when it never ranks."""
        if not_ranked_because(attempt) is not None:
            return None
        return cls.format_of(attempt, period)

    def in_period(self, period: str) -> Board:
        return replace(self, period=period)

    def key(self, now: datetime | None = None) -> str:
        """This board for the period containing `now`, e.g. "week:2026-03-09:free:10:easy:3:0"."""
        if self.period == "all":  # one key whenever it is: no clock read
            return self._all_time_key
        bounds = period_bounds(self.period, now or timezone.now())
        period = "day" if self.period == "today" else self.period
        return f"{period}:{bounds[0].date().isoformat()}:{self._format_key}"

    @cached_property
    def _format_key(self) -> str:
        """The key's format part (a Board never changes: worked out once per Board)."""
        return (
            f"{self.mode}:{self.length}:{self.difficulty}:{self.watched_through}:{int(self.timed)}"
        )

    @cached_property
    def _all_time_key(self) -> str:
        return f"all:-:{self._format_key}"

    @property
    def format_description(self) -> str:
        """The format in words: "10-question untimed quizzes, easy, watched up to episode 3"."""
        clock = "timed" if self.timed else "untimed"
        difficulty = "mixed difficulty" if self.difficulty == "mixed" else self.difficulty
        return (
            f"{self.length}-question {clock} quizzes, {difficulty}, "
            f"{watched_phrase(self.watched_through)}"
        )

    @property
    def description(self) -> str:
        """What this board compares, as one sentence."""
        return f"Best score per player in {self.format_description}, {PERIOD_PHRASES[self.period]}."

    @property
    def title(self) -> str:
        clock = "Timed" if self.timed else "Untimed"
        return (
            f"{PERIODS[self.period]} · {self.length} questions · {clock} · "
            f"{DIFFICULTIES[self.difficulty]} · {SpoilerLevel(self.watched_through).label}"
        )

    def query(self) -> str:
        """The leaderboard page's GET parameters for this board."""
        return urlencode(
            {
                "period": self.period,
                "length": self.length,
                "difficulty": self.difficulty,
                "watched": self.watched_through,
                "timed": int(self.timed),
            }
        )


def not_ranked_because(attempt: QuizAttempt) -> str | None:
    """Why the attempt's result is on no board, in a sentence for its player; None if it ranks.

    The daily challenge ranks on its own day's board (quiz.daily), so a full
    daily challenge gets None here too.
    """
    reason = format_not_ranked_because(attempt)
    if reason is not None:
        return reason
    if attempt.player_id is None:
        return "Played without an account: this score is not on the leaderboards."
    if attempt.voided:
        return "This quiz was voided by an admin, so it is not on the leaderboards."
    if attempt.status != QuizAttempt.Status.FINISHED:
        return "Only finished quizzes are ranked."
    return None


def format_not_ranked_because(attempt: QuizAttempt) -> str | None:
    """Why no quiz of this attempt's format ever ranks, whoever played it; None if it may."""
    if attempt.shortened:
        return (
            f"Too few questions matched your choices, so this quiz had only {attempt.length}: "
            "shortened quizzes are not ranked, as boards compare quizzes of one length."
        )
    if attempt.mode == QuizAttempt.Mode.EPISODE:
        return (
            "One-episode quizzes are not ranked: their questions come from one episode, "
            "so their scores do not compare with other quizzes."
        )
    if attempt.mode == QuizAttempt.Mode.ADAPTIVE:
        return (
            "Adaptive quizzes are not ranked: each player gets questions picked for their "
            "own rating, so scores do not compare."
        )
    if attempt.mode == QuizAttempt.Mode.FREE and attempt.length not in LENGTHS:
        return "Only quizzes of 5, 10 or 20 questions are ranked."
    return None


def ranked_attempts():
    """Every result that ranks on a board here: counted free play of a full, known length."""
    return QuizAttempt.objects.counted().filter(
        mode__in=list(RANKED_MODES), shortened=False, length__in=LENGTHS
    )


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

    @classmethod
    def of(cls, attempt: QuizAttempt) -> Row:
        """The row a finished attempt's result makes."""
        return cls(
            attempt.player_id,
            attempt.pk,
            attempt.score,
            attempt.seconds,
            attempt.correct_count,
            attempt.length,
            attempt.finished_at,
        )

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
    """The board keys (one per period) a quiz of this format finished at `finished_at`
    counts on, with their period end; none for a format that never ranks."""
    board = Board.format_of(attempt)
    if board is None:
        return []
    keys = []
    for period in PERIODS:
        bounds = period_bounds(period, finished_at)
        keys.append((board.in_period(period).key(finished_at), bounds[1] if bounds else None))
    return keys


def best_for_player(player_id: int, board: Board, keys: list[str]) -> dict[str, Row | None]:
    """The player's best counted quiz on each of the keys of `board`'s format (None: none there)."""
    best: dict[str, Row | None] = dict.fromkeys(keys)
    wanted = set(keys)
    attempts = (
        ranked_attempts()
        .filter(
            player_id=player_id,
            mode=board.mode,
            length=board.length,
            difficulty=board.difficulty,
            watched_through=board.watched_through,
            timed=board.timed,
        )
        .only(
            "id",
            "player_id",
            "mode",
            "length",
            "difficulty",
            "watched_through",
            "timed",
            "shortened",
            "score",
            "seconds",
            "correct_count",
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
        row = Row.of(attempt)
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


SORT_KEY_SQL = (
    f"(-a.score * {SCORE_SHIFT} + CASE WHEN a.seconds * 1000 >= {MAX_MS} THEN {MAX_MS} "
    "WHEN a.seconds <= 0 THEN 0 ELSE CAST(FLOOR(a.seconds * 1000) AS BIGINT) END)"
)
# The format part of a board key, as Board.key() writes it.
FORMAT_SQL = (
    "a.mode || ':' || CAST(a.length AS TEXT) || ':' || a.difficulty || ':' || "
    "CAST(a.watched_through AS TEXT) || ':' || CASE WHEN a.timed THEN '1' ELSE '0' END"
)


def best_rows_sql(now: datetime) -> list[tuple[str, list]]:
    """SELECTs of every player's best counted quiz on every current board.

    Plain SQL that runs on SQLite and PostgreSQL: a window function ranks each
    player's quizzes once per period and format, here in a rebuild, never per
    request. Columns: board, player_id, attempt_id, score, seconds,
    correct_count, length, finished_at, sort_key.
    """
    statements = []
    table = QuizAttempt._meta.db_table
    ranked_sql, ranked_params = _ranked_where()
    for period in PERIODS:
        bounds = period_bounds(period, now)
        # "week:2026-03-09:" — Board.key() up to the format.
        prefix = ":".join(_period_key(period, now).split(":")[:2]) + ":"
        where, params = ranked_sql, list(ranked_params)
        if bounds is not None:
            where += " AND a.finished_at >= %s AND a.finished_at < %s"
            # As the ORM passes them: SQLite stores naive UTC text, and an aware
            # datetime's text ("…+00:00") sorts after a stored time equal to it.
            params += [connection.ops.adapt_datetimefield_value(bound) for bound in bounds]
        sql = f"""
            SELECT CAST(%s AS TEXT) || {FORMAT_SQL} AS board,
                   a.player_id, a.id, a.score, a.seconds, a.correct_count, a.length,
                   a.finished_at, {SORT_KEY_SQL} AS sort_key,
                   ROW_NUMBER() OVER (
                       PARTITION BY a.player_id, a.mode, a.length, a.difficulty,
                                    a.watched_through, a.timed
                       ORDER BY {SORT_KEY_SQL}, a.finished_at, a.id
                   ) AS best
            FROM {table} a WHERE {where}
        """  # noqa: S608 - only our own identifiers are formatted in
        statements.append((sql, [prefix, *params]))
    return statements


def _period_key(period: str, now: datetime) -> str:
    return Board(period, length=LENGTHS[0], difficulty="easy", watched_through=0).key(now)


def _ranked_where() -> tuple[str, list]:
    """The same rows as ranked_attempts(), as SQL on the alias a."""
    modes = list(RANKED_MODES)
    where = (
        "a.status = %s AND a.voided = %s AND a.player_id IS NOT NULL AND a.shortened = %s"
        f" AND a.mode IN ({', '.join(['%s'] * len(modes))})"
        f" AND a.length IN ({', '.join(['%s'] * len(LENGTHS))})"
    )
    return where, [QuizAttempt.Status.FINISHED, False, False, *modes, *LENGTHS]


def as_datetime(value) -> datetime:
    if isinstance(value, str):
        value = parse_datetime(value)
    if timezone.is_naive(value):
        value = value.replace(tzinfo=UTC)
    return value
