"""Leaderboards: where a player stands on a board (period x difficulty x spoiler level).

Ranking rule: a player's best single quiz in the slice counts, ordered by score
(higher first), then seconds taken (fewer first; compared to the millisecond).
Players with the same score and time share a rank (1, 2, 2, 4) and the earlier
finisher is listed first. Only finished, not voided quizzes of signed-in players
count. Periods are UTC: "today" since midnight, "week" since Monday midnight.

Two backends sit behind the same functions, chosen by settings.LEADERBOARD_BACKEND:
"database" keeps a rank table (LeaderboardEntry) refreshed on write, so a rank is
an index-only count; "redis" keeps one sorted set per board and period. Both are
written by attempt_changed() and rebuilt from QuizAttempt rows by rebuild(), so
neither is ever the only copy of a score. Boards of ended days and weeks are not
shown, so neither backend keeps them: rebuild() drops them from the rank table
and Redis lets them expire.
"""

from __future__ import annotations

import logging
import math
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from django import forms
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from quiz.models import LeaderboardEntry, Player, QuizAttempt, QuizDifficulty, SpoilerLevel

logger = logging.getLogger(__name__)

PERIODS = {"all": "All time", "week": "This week", "today": "Today"}
DIFFICULTIES = {"all": "All difficulties", **dict(QuizDifficulty.choices)}
WATCHED_LEVELS = range(SpoilerLevel.NONE, SpoilerLevel.FINALE + 1)

TOP_LIMIT = 50
HIDDEN_NAME = Player(display_name_hidden=True).public_name
NEIGHBOURS = 2
# A sort key is -score * 2**32 + milliseconds: smaller is better, and it stays an
# exact integer in a Redis double (53 bits) while scores stay under 2**20.
SCORE_SHIFT = 2**32
MAX_MS = SCORE_SHIFT - 1
MAX_SCORE = 2**20 - 1
# Day and week keys in Redis outlive their period a little, so a result finished
# just before midnight can still be recorded and read.
REDIS_GRACE = timedelta(days=8)


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
class _Row:
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


def _rank_in_order(rows: list[_Row], first_rank: int = 1) -> list[_Row]:
    """Competition ranks for rows already in board order, the first holding first_rank."""
    previous = None
    for position, row in enumerate(rows):
        if previous is not None and row.sort_key == previous.sort_key:
            row.rank = previous.rank
        else:
            row.rank = first_rank + position
        previous = row
    return rows


# --- the functions the app calls ----------------------------------------------


def top(board: Board, limit: int = TOP_LIMIT, *, now: datetime | None = None) -> list[Entry]:
    rows = _backend().top(board.key(now), limit)
    return _with_names(rows)


def standing(
    board: Board, player: Player | int, *, around: int = NEIGHBOURS, now: datetime | None = None
) -> Standing | None:
    """The player's rank and neighbours, or None when they have no quiz on this board."""
    player_id = getattr(player, "pk", player)
    window = _backend().window(board.key(now), player_id, around)
    if window is None:
        return None
    return _standing(window, player_id, _names(window))


def board_page(
    board: Board,
    player: Player | int | None,
    *,
    limit: int = TOP_LIMIT,
    now: datetime | None = None,
) -> tuple[list[Entry], Standing | None]:
    """top() and standing() for one page, with one query for the players' names."""
    backend = _backend()
    key = board.key(now)
    rows = backend.top(key, limit)
    player_id = getattr(player, "pk", player)
    window = backend.window(key, player_id, NEIGHBOURS) if player_id else None
    names = _names(rows + (window or []))
    entries = [row.entry(names[row.player_id]) for row in rows if row.player_id in names]
    own = _standing(window, player_id, names) if window else None
    return entries, own


def rank_for(board: Board, score: int, seconds: float, *, now: datetime | None = None) -> int:
    """The rank a result with this score and time earns on the board now."""
    return _backend().count_better(board.key(now), sort_key(score, seconds)) + 1


def attempt_changed(attempt: QuizAttempt, *, now: datetime | None = None) -> None:
    """Record an attempt again after it finished, was claimed, voided or unvoided.

    Recomputes the player's best quiz on every current board the attempt
    belongs to, so voiding a best score brings back the next best. Call it
    through transaction.on_commit so it sees the committed attempt.
    """
    if attempt.player_id is None or attempt.finished_at is None:
        return
    now = now or timezone.now()
    backend = _backend()
    try:
        with transaction.atomic():
            # One recomputation per player at a time: a later one must not be
            # overwritten by an earlier one that read fewer attempts.
            locked = Player.objects.select_for_update().filter(pk=attempt.player_id)
            if not locked.exists():
                backend.remove_player(attempt.player_id)
                return
            keys = [
                k for k, end in _keys_for(attempt.finished_at, attempt) if end is None or end > now
            ]
            best = _best_for_player(attempt.player_id, keys)
            backend.record(attempt.player_id, best, now)
    except _redis_errors() as exc:
        # The database holds every score; rebuild_leaderboards repairs Redis.
        logger.error("leaderboard: could not record attempt %s: %s", attempt.pk, exc)


def player_removed(player_id: int) -> None:
    """Take a deleted player off every board.

    Names are read from the database on every request, so hiding a display
    name needs no call: the boards show "Hidden player" at once.
    """
    try:
        _backend().remove_player(player_id)
    except _redis_errors() as exc:
        logger.error("leaderboard: could not remove player %s: %s", player_id, exc)


def rebuild(*, now: datetime | None = None) -> int:
    """Rebuild the current boards from the database; returns the number of entries."""
    return _backend().rebuild(now or timezone.now())


# --- filters from GET parameters ----------------------------------------------


class BoardForm(forms.Form):
    """The leaderboard filters; an empty value means the default (the first choice)."""

    period = forms.ChoiceField(
        choices=PERIODS.items(),
        required=False,
        error_messages={"invalid_choice": "Unknown period “%(value)s”: choose all, week or today."},
    )
    difficulty = forms.ChoiceField(
        choices=DIFFICULTIES.items(),
        required=False,
        error_messages={
            "invalid_choice": "Unknown difficulty “%(value)s”: choose all, easy, medium, hard or mixed."
        },
    )
    watched = forms.ChoiceField(
        label="Spoiler level",
        choices=[
            ("all", "Any spoiler level"),
            *((str(v), label) for v, label in SpoilerLevel.choices),
        ],
        required=False,
        error_messages={
            "invalid_choice": "Unknown spoiler level “%(value)s”: choose all or an episode from 0 to 6."
        },
    )

    def board(self) -> Board:
        data = self.cleaned_data
        watched = data.get("watched") or "all"
        return Board(
            period=data.get("period") or "all",
            difficulty=data.get("difficulty") or "all",
            watched_through=None if watched == "all" else int(watched),
        )


# --- shared helpers -------------------------------------------------------------


def _names(rows: list[_Row]) -> dict[int, str]:
    """Public names by player id, from the rows or, for the ones missing, one query."""
    names = {row.player_id: row.name for row in rows if row.name is not None}
    missing = {row.player_id for row in rows} - names.keys()
    if missing:
        players = Player.objects.filter(pk__in=missing).values_list(
            "pk", "display_name", "display_name_hidden"
        )
        names.update({pk: HIDDEN_NAME if hidden else name for pk, name, hidden in players})
    return names


def _with_names(rows: list[_Row]) -> list[Entry]:
    names = _names(rows)
    # A player deleted while Redis was unreachable has no name: leave them out.
    return [row.entry(names[row.player_id]) for row in rows if row.player_id in names]


def _standing(window: list[_Row], player_id: int, names: dict[int, str]) -> Standing | None:
    if player_id not in names:
        return None
    entries = {id(row): row.entry(names[row.player_id]) for row in window if row.player_id in names}
    position = next(i for i, row in enumerate(window) if row.player_id == player_id)
    own = window[position]
    return Standing(
        rank=own.rank,
        entry=entries[id(own)],
        above=[entries[id(r)] for r in window[:position] if id(r) in entries],
        below=[entries[id(r)] for r in window[position + 1 :] if id(r) in entries],
    )


def _keys_for(finished_at: datetime, attempt) -> list[tuple[str, datetime | None]]:
    """The twelve board keys a quiz finished at `finished_at` counts on, with their period end."""
    keys = []
    for period in PERIODS:
        bounds = period_bounds(period, finished_at)
        for difficulty in (attempt.difficulty, "all"):
            for watched in (attempt.watched_through, None):
                board = Board(period, difficulty, watched)
                keys.append((board.key(finished_at), bounds[1] if bounds else None))
    return keys


def _best_for_player(player_id: int, keys: list[str]) -> dict[str, _Row | None]:
    """The player's best counted quiz on each of the boards (None: no quiz there)."""
    best: dict[str, _Row | None] = dict.fromkeys(keys)
    wanted = set(keys)
    attempts = (
        QuizAttempt.objects.counted()
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
        row = _Row(
            attempt.player_id,
            attempt.pk,
            attempt.score,
            attempt.seconds,
            attempt.correct_count,
            attempt.length,
            attempt.finished_at,
        )
        for key, _end in _keys_for(attempt.finished_at, attempt):
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


def _current_boards(
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


def _best_rows_sql(now: datetime) -> list[tuple[str, list]]:
    """SELECTs of every player's best counted quiz on every current board.

    Plain SQL that runs on SQLite and PostgreSQL: a window function ranks each
    player's quizzes once per board family, here in a rebuild, never per request.
    Columns: board, player_id, attempt_id, score, seconds, correct_count,
    length, finished_at, sort_key.
    """
    statements = []
    table = QuizAttempt._meta.db_table
    for prefix, start, end, by_difficulty, by_watched in _current_boards(now):
        partition = ["a.player_id"]
        difficulty_sql, watched_sql = "'all'", "'all'"
        if by_difficulty:
            partition.append("a.difficulty")
            difficulty_sql = "a.difficulty"
        if by_watched:
            partition.append("a.watched_through")
            watched_sql = "CAST(a.watched_through AS TEXT)"
        where = "a.status = %s AND a.voided = %s AND a.player_id IS NOT NULL"
        params: list = [QuizAttempt.Status.FINISHED, False]
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


def _as_datetime(value) -> datetime:
    if isinstance(value, str):
        value = parse_datetime(value)
    if timezone.is_naive(value):
        value = value.replace(tzinfo=UTC)
    return value


def _backend():
    if settings.LEADERBOARD_BACKEND == "redis":
        return RedisBackend(settings.REDIS_URL, settings.LEADERBOARD_REDIS_PREFIX)
    if settings.LEADERBOARD_BACKEND == "database":
        return DatabaseBackend()
    raise ValueError(
        f"LEADERBOARD_BACKEND must be database or redis, not {settings.LEADERBOARD_BACKEND!r}"
    )


def _redis_errors():
    import redis

    return redis.RedisError


# --- database backend -----------------------------------------------------------


class DatabaseBackend:
    """The rank table: one LeaderboardEntry per (board, player), best first by sort_key."""

    ORDER = ("sort_key", "finished_at", "player_id")
    FIELDS = (
        "player_id",
        "attempt_id",
        "score",
        "seconds",
        "correct_count",
        "length",
        "finished_at",
        "sort_key",
        "player__display_name",
        "player__display_name_hidden",
    )

    def _rows(self, queryset) -> list[_Row]:
        rows = []
        for e in queryset.values(*self.FIELDS):
            name = HIDDEN_NAME if e["player__display_name_hidden"] else e["player__display_name"]
            rows.append(
                _Row(
                    e["player_id"],
                    e["attempt_id"],
                    e["score"],
                    e["seconds"],
                    e["correct_count"],
                    e["length"],
                    e["finished_at"],
                    name=name,
                )
            )
        return rows

    def top(self, key: str, limit: int) -> list[_Row]:
        entries = LeaderboardEntry.objects.filter(board=key).order_by(*self.ORDER)[:limit]
        return _rank_in_order(self._rows(entries))

    def window(self, key: str, player_id: int, around: int) -> list[_Row] | None:
        board = LeaderboardEntry.objects.filter(board=key)
        own = next(
            iter(board.filter(player_id=player_id).values("sort_key", "finished_at")[:1]), None
        )
        if own is None:
            return None
        same = Q(sort_key=own["sort_key"])
        before = (
            Q(sort_key__lt=own["sort_key"])
            | (same & Q(finished_at__lt=own["finished_at"]))
            | (same & Q(finished_at=own["finished_at"], player_id__lt=player_id))
        )
        # The redundant sort_key bounds make each side a short index range scan
        # starting at the player's own row.
        above = self._rows(
            board.filter(before, sort_key__lte=own["sort_key"]).order_by(
                *(f"-{f}" for f in self.ORDER)
            )[:around]
        )[::-1]
        rest = self._rows(
            board.filter(~before, sort_key__gte=own["sort_key"]).order_by(*self.ORDER)[: around + 1]
        )
        window = above + rest
        # One index range scan counts the rows better than each distinct key shown.
        keys = sorted({row.sort_key for row in window})
        better = board.filter(sort_key__lt=keys[-1]).aggregate(
            **{f"k{i}": Count("sort_key", filter=Q(sort_key__lt=k)) for i, k in enumerate(keys)}
        )
        rank_of = {k: better[f"k{i}"] + 1 for i, k in enumerate(keys)}
        for row in window:
            row.rank = rank_of[row.sort_key]
        return window

    def count_better(self, key: str, key_value: int) -> int:
        return LeaderboardEntry.objects.filter(board=key, sort_key__lt=key_value).count()

    def record(self, player_id: int, best: dict[str, _Row | None], now: datetime) -> None:
        with transaction.atomic():
            LeaderboardEntry.objects.filter(player_id=player_id, board__in=list(best)).delete()
            LeaderboardEntry.objects.bulk_create(
                LeaderboardEntry(
                    board=key,
                    player_id=player_id,
                    attempt_id=row.attempt_id,
                    score=row.score,
                    seconds=row.seconds,
                    correct_count=row.correct_count,
                    length=row.length,
                    finished_at=row.finished_at,
                    sort_key=row.sort_key,
                )
                for key, row in best.items()
                if row is not None
            )

    def remove_player(self, player_id: int) -> None:
        LeaderboardEntry.objects.filter(player_id=player_id).delete()

    def rebuild(self, now: datetime) -> int:
        table = LeaderboardEntry._meta.db_table
        columns = "board, player_id, attempt_id, score, seconds, correct_count, length, finished_at, sort_key"
        total = 0
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {table}")  # noqa: S608
            for sql, params in _best_rows_sql(now):
                cursor.execute(
                    f"INSERT INTO {table} ({columns}) "  # noqa: S608
                    "SELECT board, player_id, id, score, seconds, correct_count, length, "
                    f"finished_at, sort_key FROM ({sql}) t WHERE best = 1",
                    params,
                )
                total += max(cursor.rowcount, 0)
        return total


# --- Redis backend --------------------------------------------------------------

_clients: dict[str, object] = {}
_scripts: dict[object, object] = {}

# The player's rank, position and neighbours in one round trip.
STANDING_SCRIPT = """
local member = redis.call('HGET', KEYS[2], ARGV[1])
if not member then return false end
local pos = redis.call('ZRANK', KEYS[1], member)
if not pos then return false end
local around = tonumber(ARGV[2])
local first = pos - around
if first < 0 then first = 0 end
local window = redis.call('ZRANGE', KEYS[1], first, pos + around, 'WITHSCORES')
local out = {}
for i = 1, #window, 2 do
  out[#out + 1] = window[i]
  out[#out + 1] = window[i + 1]
  out[#out + 1] = redis.call('ZCOUNT', KEYS[1], '-inf', '(' .. window[i + 1])
end
return out
"""


class RedisBackend:
    """One sorted set per board and period, scored by sort_key (ascending is better).

    Members are "<finished ms>:<player id>:<correct>:<length>:<seconds>": members
    with equal scores sort by their text, so the earlier finisher comes first, and
    a page needs nothing from the database but the players' names. A hash beside
    each set maps player id to member.
    """

    def __init__(self, url: str, prefix: str):
        import redis

        if url not in _clients:
            _clients[url] = redis.Redis.from_url(url, decode_responses=True)
        self.client: redis.Redis = _clients[url]
        self.prefix = prefix

    def _zset(self, key: str) -> str:
        return f"{self.prefix}:{key}"

    def _hash(self, key: str) -> str:
        return f"{self.prefix}:{key}:p"

    @staticmethod
    def member(player_id: int, row: _Row) -> str:
        finished_ms = int(row.finished_at.timestamp() * 1000)
        return (
            f"{finished_ms:013d}:{player_id:012d}:{row.correct_count}:{row.length}:{row.seconds!r}"
        )

    @staticmethod
    def _row(member: str, score: float, rank: int = 0) -> _Row:
        finished_ms, player_id, correct, length, seconds = member.split(":")
        return _Row(
            int(player_id),
            0,
            score_from_key(int(score)),
            float(seconds),
            int(correct),
            int(length),
            datetime.fromtimestamp(int(finished_ms) / 1000, UTC),
            rank=rank,
        )

    def top(self, key: str, limit: int) -> list[_Row]:
        if limit <= 0:
            return []
        members = self.client.zrange(self._zset(key), 0, limit - 1, withscores=True)
        return _rank_in_order([self._row(m, s) for m, s in members])

    def window(self, key: str, player_id: int, around: int) -> list[_Row] | None:
        if self.client not in _scripts:
            _scripts[self.client] = self.client.register_script(STANDING_SCRIPT)
        out = _scripts[self.client](
            keys=[self._zset(key), self._hash(key)], args=[player_id, around]
        )
        if not out:
            return None
        return [
            self._row(out[i], float(out[i + 1]), rank=int(out[i + 2]) + 1)
            for i in range(0, len(out), 3)
        ]

    def count_better(self, key: str, key_value: int) -> int:
        return self.client.zcount(self._zset(key), "-inf", f"({key_value}")

    def _ttl(self, key: str, now: datetime) -> int | None:
        period, start, *_ = key.split(":")
        if period == "all":
            return None
        days = 1 if period == "day" else 7
        end = datetime.fromisoformat(start).replace(tzinfo=UTC) + timedelta(days=days)
        return max(int((end + REDIS_GRACE - now).total_seconds()), 1)

    def record(self, player_id: int, best: dict[str, _Row | None], now: datetime) -> None:
        keys = list(best)
        read = self.client.pipeline(transaction=False)
        for key in keys:
            read.hget(self._hash(key), player_id)
        old = read.execute()
        write = self.client.pipeline(transaction=True)
        for key, previous in zip(keys, old, strict=True):
            row = best[key]
            if previous:
                write.zrem(self._zset(key), previous)
            if row is None:
                write.hdel(self._hash(key), player_id)
                continue
            member = self.member(player_id, row)
            write.zadd(self._zset(key), {member: row.sort_key})
            write.hset(self._hash(key), player_id, member)
            ttl = self._ttl(key, now)
            if ttl is not None:
                write.expire(self._zset(key), ttl)
                write.expire(self._hash(key), ttl)
        write.execute()

    def remove_player(self, player_id: int) -> None:
        hashes = list(self.client.scan_iter(match=f"{self.prefix}:*:p", count=1000))
        read = self.client.pipeline(transaction=False)
        for name in hashes:
            read.hget(name, player_id)
        write = self.client.pipeline(transaction=True)
        for name, member in zip(hashes, read.execute(), strict=True):
            if member:
                write.zrem(name[: -len(":p")], member)
                write.hdel(name, player_id)
        write.execute()

    def rebuild(self, now: datetime, batch: int = 5000) -> int:
        """Write every current board under temporary keys, then swap them in at once."""
        staging = f"{self.prefix}~rebuild~{secrets.token_hex(4)}"
        built: set[str] = set()
        total = 0
        pipe = self.client.pipeline(transaction=False)
        for sql, params in _best_rows_sql(now):
            with connection.chunked_cursor() as cursor:
                cursor.execute(f"SELECT * FROM ({sql}) t WHERE best = 1", params)  # noqa: S608
                while chunk := cursor.fetchmany(batch):
                    for (
                        board,
                        player_id,
                        attempt_id,
                        score,
                        seconds,
                        correct,
                        length,
                        finished,
                        *_,
                    ) in chunk:
                        row = _Row(
                            player_id,
                            attempt_id,
                            score,
                            seconds,
                            correct,
                            length,
                            _as_datetime(finished),
                        )
                        member = self.member(player_id, row)
                        pipe.zadd(f"{staging}:{board}", {member: row.sort_key})
                        pipe.hset(f"{staging}:{board}:p", player_id, member)
                        built.add(board)
                        total += 1
                    pipe.execute()
        pipe.execute()
        live = list(self.client.scan_iter(match=f"{self.prefix}:*", count=1000))
        swap = self.client.pipeline(transaction=True)
        if live:
            swap.delete(*live)
        for board in built:
            for suffix in ("", ":p"):
                swap.rename(f"{staging}:{board}{suffix}", f"{self.prefix}:{board}{suffix}")
                ttl = self._ttl(board, now)
                if ttl is not None:
                    swap.expire(f"{self.prefix}:{board}{suffix}", ttl)
        swap.execute()
        return total
