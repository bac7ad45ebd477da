"""LEADERBOARD_BACKEND=redis: the database rank table is the truth, Redis a fast copy.

Every result is written to the rank table first (DatabaseBackend), then to
Redis. Reads come from Redis only while it holds a complete copy (its
generation marker is set by a rebuild); otherwise, and while Redis is
unreachable, they come from the rank table, so the boards stay right through an
outage. When Redis answers again without its marker (restarted empty), or its
copy was left stale (writes failed during the outage: the marker is deleted
when it returns), one process rebuilds the copy from the rank table in the
background while the others keep serving from the database. No manual step.
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime

from django.conf import settings
from django.db import close_old_connections, connection, transaction
from django.utils import timezone

from quiz.cache import redis_state
from quiz.leaderboard.database import DatabaseBackend
from quiz.leaderboard.ranking import Row, as_datetime
from quiz.leaderboard.redis_backend import NotCurrent, RedisBackend
from quiz.models import LeaderboardEntry, Player

logger = logging.getLogger("hhquiz.redis")

# Tests set this to False to rebuild in the request that notices the need.
REBUILD_IN_BACKGROUND = True
# How long one process may hold the rebuild (seconds); another may take over after.
REBUILD_LOCK_SECONDS = 600
# Seconds a rebuild waits on one Redis command (it moves whole boards at once).
REBUILD_TIMEOUT = 60.0


class MirroredBackend:
    def __init__(self, url: str, prefix: str):
        self._url = url
        self.db = DatabaseBackend()
        self.redis = RedisBackend(url, prefix, timeout=settings.REDIS_SOCKET_TIMEOUT)
        self.state = redis_state(url)

    # --- reads: Redis when it holds a complete copy, else the rank table -----

    def _from_redis(self, read):
        import redis

        if not self.state.available:
            return NotCurrent
        try:
            if self.state.down_since is not None:
                self.state.recovered(self.redis.client)
            return read()
        except NotCurrent:
            self._start_rebuild()
        except (redis.RedisError, OSError) as exc:
            self.state.failed(exc)
        return NotCurrent

    def top(self, key: str, limit: int) -> list[Row]:
        rows = self._from_redis(lambda: self.redis.top(key, limit, current_only=True))
        return self.db.top(key, limit) if rows is NotCurrent else rows

    def window(self, key: str, player_id: int, around: int) -> list[Row] | None:
        rows = self._from_redis(
            lambda: self.redis.window(key, player_id, around, current_only=True)
        )
        return self.db.window(key, player_id, around) if rows is NotCurrent else rows

    def count_better(self, key: str, key_value: int) -> int:
        count = self._from_redis(lambda: self.redis.count_better(key, key_value, current_only=True))
        return self.db.count_better(key, key_value) if count is NotCurrent else count

    def invalidate(self) -> None:
        """The copy disagrees with the database: rebuild it on the next read."""
        self._write_redis(self.redis.invalidate)

    # --- writes: the rank table, then Redis when it answers -------------------

    def _write_redis(self, write, *args) -> None:
        import redis

        if not self.state.available:
            self.state.note_dirty([self.redis.generation_key])
            return
        try:
            if self.state.down_since is not None:
                self.state.recovered(self.redis.client)
            write(*args)
        except (redis.RedisError, OSError) as exc:
            # The copy now misses this write: when Redis returns, its marker
            # is deleted first, so nobody reads the stale copy.
            self.state.failed(exc, [self.redis.generation_key])

    def record(self, player_id: int, best: dict[str, Row | None], now: datetime) -> None:
        self.db.record(player_id, best, now)
        self._write_redis(self.redis.record, player_id, best, now)

    def improve(self, player_id: int, keys: list[str], row: Row, now: datetime) -> list[str]:
        changed = self.db.improve(player_id, keys, row, now)
        if changed:
            self._write_redis(self.redis.record, player_id, dict.fromkeys(changed, row), now)
        return changed

    def remove_player(self, player_id: int) -> None:
        self.db.remove_player(player_id)
        self._write_redis(self.redis.remove_player, player_id)

    # --- rebuilding -------------------------------------------------------

    def rebuild(self, now: datetime) -> int:
        """The rank table from the quizzes, then the Redis copy from the rank table."""
        total = self.db.rebuild(now)
        self._write_redis(self.rebuild_copy, now)
        return total

    def rebuild_copy(self, now: datetime | None = None) -> int:
        now = now or timezone.now()
        # The swap moves (and drops) whole boards in one transaction: with a
        # request's timeout it failed client-side at a million rows (the swap
        # went through but the re-copy of results recorded meanwhile did not).
        rebuilder = RedisBackend(self._url, self.redis.prefix, timeout=REBUILD_TIMEOUT)
        return rebuilder.rebuild(
            now, source=lambda batch: self.db.entry_rows(batch), resync=self._resync
        )

    def _resync(self, player_id: int, boards: set[str]) -> None:
        """Copy one player's rows again, once any write of theirs in flight has committed."""
        with transaction.atomic():
            # The same lock attempt_changed holds while it records.
            list(Player.objects.select_for_update().filter(pk=player_id).values_list("pk"))
            rows = {
                board: Row(player_id, attempt, score, seconds, correct, length, as_datetime(at))
                for chunk in self.db.entry_rows(1000, player_id=player_id)
                for board, _, attempt, score, seconds, correct, length, at in chunk
            }
        best: dict[str, Row | None] = dict.fromkeys(boards)
        best.update(rows)
        self.redis.record(player_id, best, timezone.now())

    def _start_rebuild(self) -> None:
        lock = f"{self.redis.prefix}~rebuilding"
        if not self.redis.client.set(lock, "1", nx=True, ex=REBUILD_LOCK_SECONDS):
            return  # another process is on it; keep serving from the database

        def run():
            try:
                count = self.rebuild_copy()
                logger.warning("leaderboard: Redis copy rebuilt from the database (%d rows)", count)
            except Exception:
                logger.exception("leaderboard: rebuilding the Redis copy failed")
            finally:
                if REBUILD_IN_BACKGROUND:
                    close_old_connections()
                    connection.close()
                try:
                    self.redis.client.delete(lock)
                except Exception:
                    logger.warning("leaderboard: could not release the rebuild lock")

        if REBUILD_IN_BACKGROUND:
            threading.Thread(target=run, name="leaderboard-rebuild", daemon=True).start()
        else:
            run()


def rows_match_database(key: str, rows: list[Row]) -> dict[int, tuple[str, bool]]:
    """Names for the rows that the rank table holds as they are: player id -> (name, hidden).

    One query, which also reads the names; a row Redis holds but the database
    does not (a restored database, ids reused by new players) is left out.
    Plain SQL (every Redis board page runs it): the ORM's
    LeaderboardEntry.objects.filter(board=key, player_id__in=…) with the
    player's name and hidden flag.
    """
    wanted = {row.player_id: row.sort_key for row in rows}
    if not wanted:
        return {}
    quote = connection.ops.quote_name
    marks = ", ".join(["%s"] * len(wanted))
    # Only the models' own table names and placeholders are formatted in.
    sql = (
        "SELECT e.player_id, e.sort_key, p.display_name, p.display_name_hidden "  # noqa: S608
        f"FROM {quote(LeaderboardEntry._meta.db_table)} e "
        f"INNER JOIN {quote(Player._meta.db_table)} p ON p.id = e.player_id "
        f"WHERE e.board = %s AND e.player_id IN ({marks})"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [key, *wanted])
        found = cursor.fetchall()
    return {pk: (name, bool(hidden)) for pk, sort, name, hidden in found if wanted[pk] == sort}
