"""Leaderboards: where a player stands on a board (a period x one quiz format).

A format is the play mode, quiz length, difficulty, watched level and clock
(timed or not): a result ranks only on the boards of its own format, one per
period, so a 5-question result never meets a 20-question one. Shortened,
one-episode and adaptive quizzes never rank (ranking.not_ranked_because says
why); the daily challenge has its own board per day and level (quiz.daily).

Ranking rule: a player's best single quiz on the board counts, ordered by score
(higher first), then seconds taken (fewer first; compared to the millisecond).
Players with the same score and time share a rank (1, 2, 2, 4) and the earlier
finisher is listed first. Only finished, not voided quizzes of signed-in players
count. Periods are UTC: "today" since midnight, "week" since Monday midnight.

Two backends sit behind the same functions, chosen by settings.LEADERBOARD_BACKEND:
"database" keeps a rank table (LeaderboardEntry) refreshed on write, so a rank is
an index-only count; "redis" keeps one sorted set per board. Both are
written by attempt_changed() and rebuilt from QuizAttempt rows by rebuild(), so
neither is ever the only copy of a score. Boards of ended days and weeks are not
shown, so neither backend keeps them: rebuild() drops them from the rank table
and Redis lets them expire.

The package is laid out as Django's cache and session backends are: this
module is the API the app calls; `ranking` holds the rules both backends share;
`base` the contract a backend meets; `database` and `redis_backend` the two
backends.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import NamedTuple

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from quiz.leaderboard.base import Backend
from quiz.leaderboard.database import DatabaseBackend
from quiz.leaderboard.mirror import MirroredBackend, rows_match_database
from quiz.leaderboard.ranking import (
    DIFFICULTIES,
    HIDDEN_NAME,
    LENGTHS,
    NEIGHBOURS,
    PERIODS,
    TOP_LIMIT,
    WATCHED_LEVELS,
    Board,
    Entry,
    Row,
    Standing,
    best_for_player,
    format_not_ranked_because,
    keys_for,
    not_ranked_because,
    period_bounds,
    score_from_key,
    sort_key,
)
from quiz.leaderboard.redis_backend import RedisBackend
from quiz.models import Player, QuizAttempt

__all__ = [
    "DIFFICULTIES",
    "LENGTHS",
    "NEIGHBOURS",
    "PERIODS",
    "TOP_LIMIT",
    "WATCHED_LEVELS",
    "Board",
    "DatabaseBackend",
    "Entry",
    "MirroredBackend",
    "Page",
    "RedisBackend",
    "Standing",
    "attempt_changed",
    "board_page",
    "format_not_ranked_because",
    "not_ranked_because",
    "page",
    "period_bounds",
    "player_removed",
    "rank_for",
    "rebuild",
    "result_finished",
    "score_from_key",
    "sort_key",
    "standing",
    "top",
]

logger = logging.getLogger(__name__)


def top(board: Board, limit: int = TOP_LIMIT, *, now: datetime | None = None) -> list[Entry]:
    """The board's first `limit` entries, best first."""
    return board_page(board, None, limit=limit, now=now)[0]


def standing(
    board: Board, player: Player | int, *, around: int = NEIGHBOURS, now: datetime | None = None
) -> Standing | None:
    """The player's rank and neighbours, or None when they have no quiz on this board."""
    player_id = getattr(player, "pk", player)
    backend = _backend()
    key = board.key(now)
    window = backend.window(key, player_id, around)
    if window is None:
        return None
    return _standing(window, player_id, _names(window, key, backend))


def board_page(
    board: Board,
    player: Player | int | None,
    *,
    limit: int = TOP_LIMIT,
    now: datetime | None = None,
) -> tuple[list[Entry], Standing | None]:
    """top() and standing() for one page, with at most one query for the players' names.

    A player in the top rows has their neighbours there too: the window is
    read from the board only for a player further down.
    """
    backend = _backend()
    key = board.key(now)
    rows = backend.top(key, limit)
    player_id = getattr(player, "pk", player)
    window = None
    if player_id:
        whole_board = len(rows) < limit
        window = _window_in(rows, player_id, NEIGHBOURS, whole_board=whole_board)
        if window is None and not whole_board:
            window = backend.window(key, player_id, NEIGHBOURS)
    names = _names(rows + (window or []), key, backend)
    # A player deleted while Redis was unreachable has no name: leave them out.
    entries = [row.entry(names[row.player_id]) for row in rows if row.player_id in names]
    own = _standing(window, player_id, names) if window else None
    return entries, own


class Page(NamedTuple):
    """A board page's data as plain values, hashable: the same values make the same page.

    Each row is a tuple (rank, player id, public name, score, correct answers,
    quiz length, seconds), in board order. The rank table's top rows are kept
    as read, with their sort key in place of the rank (`top_ranked` False):
    they are the board's first rows, so their ranks follow from their order
    and sort keys alone (ranked_top), and working them out is left to the
    render, which a memoised page skips.
    """

    top: tuple[tuple, ...]
    # The player's rank; None when they are not on the board (or there is no player).
    rank: int | None = None
    # The rows around the player when they are below the top rows; () otherwise.
    around: tuple[tuple, ...] = ()
    # False when the top rows begin with their sort key instead of their rank.
    top_ranked: bool = True

    def ranked_top(self) -> tuple[tuple, ...]:
        """The top rows, each beginning with its rank."""
        if self.top_ranked:
            return self.top
        return tuple((rank, *row[1:]) for rank, row in zip(_ranks(self.top), self.top, strict=True))


def _ranks(rows) -> list[int]:
    """Competition ranks (1, 2, 2, 4) of a board's first rows, each beginning with its sort key.

    A row's rank is its position, or the rank of the row before when their sort
    keys are equal (rank_in_order): every row before one of a board's first
    rows is one of them.
    """
    ranks = []
    previous = rank = None
    for position, row in enumerate(rows, 1):
        if row[0] != previous:
            rank, previous = position, row[0]
        ranks.append(rank)
    return ranks


def _rank_in(rows, index: int) -> int:
    """The rank of rows[index] among a board's first rows (see _ranks): the position
    of the first row with its sort key."""
    key = rows[index][0]
    while index and rows[index - 1][0] == key:
        index -= 1
    return index + 1


def page(
    board: Board,
    player: Player | int | None,
    *,
    limit: int = TOP_LIMIT,
    now: datetime | None = None,
) -> Page:
    """What board_page() gives, as a Page: the leaderboard page's reads.

    The rank table gives the top rows as the page shows them, named by one
    statement (DatabaseBackend.top_cells), and kept as read: no Row or Entry
    per row, and no rank worked out per row until the page is rendered. A
    player among the top rows needs no read of their own, even at the bottom
    of them (the page shows their rank, not their neighbours); one further down
    gets the rows around them from the board.
    """
    backend = _backend()
    key = board.key(now)
    player_id = getattr(player, "pk", player)
    top_cells = getattr(backend, "top_cells", None)
    if top_cells is None:
        return _page_of_rows(backend, key, player_id, limit)
    top = tuple(top_cells(key, limit))
    if player_id:
        for index, cells in enumerate(top):
            if cells[1] == player_id:
                return Page(top, _rank_in(top, index), top_ranked=False)
    if not player_id or len(top) < limit:  # no player, or the whole board without them
        return Page(top, top_ranked=False)
    window = backend.window(key, player_id, NEIGHBOURS) or []
    return _page(top, window, player_id, _names(window, key, backend), top_ranked=False)


def _page_of_rows(backend: Backend, key: str, player_id: int | None, limit: int) -> Page:
    """page() from a backend's Rows (Redis), with one query for all the names, as board_page."""
    rows = backend.top(key, limit)
    window = []
    if player_id and len(rows) == limit and all(row.player_id != player_id for row in rows):
        window = backend.window(key, player_id, NEIGHBOURS) or []
    names = _names(rows + window, key, backend)
    top = _cells(rows, names)
    if window:
        return _page(top, window, player_id, names)
    rank = next((cells[0] for cells in top if cells[1] == player_id), None)
    return Page(top, rank)


def _page(
    top: tuple,
    window: list[Row],
    player_id: int,
    names: dict[int, str],
    *,
    top_ranked: bool = True,
) -> Page:
    """The page of a player below the top rows, with the rows around them."""
    if player_id not in names:  # not on the board
        return Page(top, top_ranked=top_ranked)
    around = _cells(window, names)
    rank = next(cells[0] for cells in around if cells[1] == player_id)
    return Page(top, rank, around, top_ranked)


def _cells(rows: list[Row], names: dict[int, str]) -> tuple[tuple, ...]:
    """Page rows; a player with no name (deleted while Redis was unreachable) is left out."""
    return tuple(
        (
            row.rank,
            row.player_id,
            names[row.player_id],
            row.score,
            row.correct_count,
            row.length,
            row.seconds,
        )
        for row in rows
        if row.player_id in names
    )


def rank_for(board: Board, score: int, seconds: float, *, now: datetime | None = None) -> int:
    """The rank a result with this score and time earns on the board now."""
    return _backend().count_better(board.key(now), sort_key(score, seconds)) + 1


def result_finished(attempt: QuizAttempt, *, now: datetime | None = None) -> None:
    """Put a result that just finished on its format's boards where it beats the player's best.

    A new result can only raise a player's best, so finishing reads none of the
    player's past quizzes: one upsert for all the format's boards (one per
    period) and, with Redis, one script call for the boards it went on. The
    cost does not grow with a player's history. Voiding, unvoiding and claiming
    can lower a best: they go through attempt_changed, which recomputes.
    Call it through transaction.on_commit so it sees the committed attempt.
    """
    if Board.from_attempt(attempt) is None or attempt.finished_at is None:
        return
    now = now or timezone.now()
    keys = [k for k, end in keys_for(attempt.finished_at, attempt) if end is None or end > now]
    row = Row.of(attempt)
    with transaction.atomic():
        # The lock attempt_changed and the Redis re-copy take: a recomputation
        # for this player never interleaves with this write. A deleted player
        # has no row to lock and no board to be on.
        if not _lock_player(attempt.player_id):
            return
        _backend().improve(attempt.player_id, keys, row, now)


def _lock_player(player_id: int) -> bool:
    """SELECT ... FOR UPDATE of the player's row (plain SQL: this runs on every finish)."""
    from django.db import connection

    sql = f"SELECT 1 FROM {connection.ops.quote_name(Player._meta.db_table)} WHERE id = %s"  # noqa: S608
    if connection.features.has_select_for_update:
        sql += " FOR UPDATE"
    with connection.cursor() as cursor:
        cursor.execute(sql, [player_id])
        return cursor.fetchone() is not None


def attempt_changed(attempt: QuizAttempt, *, now: datetime | None = None) -> None:
    """Record an attempt again after it finished, was claimed, voided or unvoided.

    Recomputes the player's best quiz on the current boards of the attempt's
    format (one per period), so voiding a best score brings back the next
    best. A format that never ranks has no boards: nothing to do. Call it
    through transaction.on_commit so it sees the committed attempt.
    """
    board = Board.format_of(attempt)
    if attempt.player_id is None or attempt.finished_at is None or board is None:
        return
    now = now or timezone.now()
    backend = _backend()
    # A Redis failure never reaches here: the Redis backend keeps the result in
    # the database and brings its copy up to date when Redis returns.
    with transaction.atomic():
        # One recomputation per player at a time: a later one must not be
        # overwritten by an earlier one that read fewer attempts.
        locked = Player.objects.select_for_update().filter(pk=attempt.player_id)
        if not locked.exists():
            backend.remove_player(attempt.player_id)
            return
        keys = [k for k, end in keys_for(attempt.finished_at, attempt) if end is None or end > now]
        best = best_for_player(attempt.player_id, board, keys)
        backend.record(attempt.player_id, best, now)


def player_removed(player_id: int) -> None:
    """Take a deleted player off every board.

    Names are read from the database on every request, so hiding a display
    name needs no call: the boards show "Hidden player" at once.
    """
    _backend().remove_player(player_id)


def rebuild(*, now: datetime | None = None) -> int:
    """Rebuild the current boards from the database; returns the number of entries."""
    return _backend().rebuild(now or timezone.now())


def _names(rows: list[Row], key: str, backend: Backend) -> dict[int, str]:
    """Public names by player id, from the rows or, for the ones missing, one query.

    Rows from Redis carry no name: the query reads them from the rank table,
    which also checks that the database holds those rows as Redis does. A row
    it does not (Redis outlived a restored database, and a new player got a
    deleted player's id) is left out, and the Redis copy is rebuilt.
    """
    names = {row.player_id: row.name for row in rows if row.name is not None}
    missing = [row for row in rows if row.name is None and row.player_id not in names]
    if missing:
        found = rows_match_database(key, missing)
        names.update({pk: HIDDEN_NAME if hidden else name for pk, (name, hidden) in found.items()})
        if len(found) < len({row.player_id for row in missing}) and hasattr(backend, "invalidate"):
            logger.warning("leaderboard: the Redis copy of %s disagrees with the database", key)
            backend.invalidate()
    return names


def _window_in(rows: list[Row], player_id: int, around: int, *, whole_board: bool):
    """The player's window cut from the board's first rows (ranked from 1), as
    Backend.window would read it; None when the player is not among them or
    their neighbours below may be past them (unless the rows are the whole board)."""
    position = next((i for i, row in enumerate(rows) if row.player_id == player_id), None)
    if position is None or (position + around >= len(rows) and not whole_board):
        return None
    return rows[max(position - around, 0) : position + around + 1]


def _standing(window: list[Row], player_id: int, names: dict[int, str]) -> Standing | None:
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


def _backend() -> Backend:
    name = settings.LEADERBOARD_BACKEND  # read once: each read of settings goes through its proxy
    if name == "redis":
        return MirroredBackend(settings.REDIS_URL, settings.LEADERBOARD_REDIS_PREFIX)
    if name == "database":
        return DatabaseBackend()
    raise ValueError(f"LEADERBOARD_BACKEND must be database or redis, not {name!r}")
