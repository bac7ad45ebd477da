"""The database backend: a rank table, one LeaderboardEntry per board and player.

Refreshed on write by attempt_changed(), so a rank is an index-only count of
the rows with a smaller sort key.
"""

from __future__ import annotations

from datetime import datetime

from django.db import connection, transaction
from django.db.models import Count, Q

from quiz.leaderboard.ranking import HIDDEN_NAME, Row, best_rows_sql, rank_in_order
from quiz.models import LeaderboardEntry


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

    def _rows(self, queryset) -> list[Row]:
        rows = []
        for e in queryset.values(*self.FIELDS):
            name = HIDDEN_NAME if e["player__display_name_hidden"] else e["player__display_name"]
            rows.append(
                Row(
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

    def top(self, key: str, limit: int) -> list[Row]:
        entries = LeaderboardEntry.objects.filter(board=key).order_by(*self.ORDER)[:limit]
        return rank_in_order(self._rows(entries))

    def window(self, key: str, player_id: int, around: int) -> list[Row] | None:
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

    def record(self, player_id: int, best: dict[str, Row | None], now: datetime) -> None:
        with transaction.atomic():
            LeaderboardEntry.objects.filter(player_id=player_id, board__in=list(best)).delete()
            entries = (
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
            # A rebuild running at the same time may have written this player's
            # row (not yet committed, so not deleted above): this newer result
            # replaces it rather than failing on the unique constraint.
            LeaderboardEntry.objects.bulk_create(
                entries,
                update_conflicts=True,
                unique_fields=["board", "player"],
                update_fields=["attempt", *self.FIELDS[2:8]],
            )

    def improve(self, player_id: int, keys: list[str], row: Row, now: datetime) -> list[str]:
        """One INSERT ... ON CONFLICT DO UPDATE ... WHERE better, for every board at once.

        A new result can only raise a player's best, so it needs neither their
        past quizzes nor a delete: a row is inserted where the player has none,
        replaced where the new result sorts first (a tie keeps the earlier
        finisher, as the ranking rule says), and left alone otherwise.
        RETURNING names the boards it went on (SQLite 3.35+, PostgreSQL).
        """
        if not keys:
            return []
        table = connection.ops.quote_name(LeaderboardEntry._meta.db_table)
        columns = (
            "board",
            "player_id",
            "attempt_id",
            "score",
            "seconds",
            "correct_count",
            "length",
            "finished_at",
            "sort_key",
        )
        values = ", ".join(["(" + ", ".join(["%s"] * len(columns)) + ")"] * len(keys))
        changed = ", ".join(f"{c} = excluded.{c}" for c in columns[2:])
        finished_at = LeaderboardEntry._meta.get_field("finished_at").get_db_prep_value(
            row.finished_at, connection
        )
        params = []
        for key in keys:
            params += [key, player_id, row.attempt_id, row.score, row.seconds]
            params += [row.correct_count, row.length, finished_at, row.sort_key]
        # Only the table name, fixed column names and placeholders are formatted in.
        sql = (
            f"INSERT INTO {table} ({', '.join(columns)}) VALUES {values} "  # noqa: S608
            f"ON CONFLICT (board, player_id) DO UPDATE SET {changed} "
            f"WHERE excluded.sort_key < {table}.sort_key "
            f"OR (excluded.sort_key = {table}.sort_key "
            f"AND excluded.finished_at < {table}.finished_at) "
            "RETURNING board"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return [board for (board,) in cursor.fetchall()]

    def remove_player(self, player_id: int) -> None:
        LeaderboardEntry.objects.filter(player_id=player_id).delete()

    def entry_rows(self, batch: int, player_id: int | None = None):
        """Every stored row (or one player's) in chunks, as RedisBackend.rebuild reads them."""
        entries = LeaderboardEntry.objects.order_by()
        if player_id is not None:
            entries = entries.filter(player_id=player_id)
        rows = entries.values_list("board", *self.FIELDS[:7])
        chunk = []
        for row in rows.iterator(chunk_size=batch):
            chunk.append(row)
            if len(chunk) >= batch:
                yield chunk
                chunk = []
        if chunk:
            yield chunk

    def rebuild(self, now: datetime) -> int:
        table = LeaderboardEntry._meta.db_table
        columns = "board, player_id, attempt_id, score, seconds, correct_count, length, finished_at, sort_key"
        total = 0
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {table}")  # noqa: S608
            for sql, params in best_rows_sql(now):
                cursor.execute(
                    f"INSERT INTO {table} ({columns}) "  # noqa: S608
                    "SELECT board, player_id, id, score, seconds, correct_count, length, "
                    f"finished_at, sort_key FROM ({sql}) t WHERE best = 1 "
                    # A result recorded while the rebuild runs is newer than
                    # what the rebuild read: keep it (the old code aborted
                    # here with a duplicate key on PostgreSQL).
                    "ON CONFLICT (board, player_id) DO NOTHING",
                    params,
                )
                total += max(cursor.rowcount, 0)
        return total
