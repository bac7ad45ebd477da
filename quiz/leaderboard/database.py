"""The database backend: a rank table, one LeaderboardEntry per board and player.

Refreshed on write by attempt_changed(), so a rank is an index-only count of
the rows with a smaller sort key.
"""

from __future__ import annotations

from datetime import datetime

from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction

from quiz.leaderboard.ranking import HIDDEN_NAME, Row, as_datetime, best_rows_sql, rank_in_order
from quiz.models import LeaderboardEntry, Player

# The reads of a board page, as plain SQL written once per database vendor
# (quiz.prepared does the same for the play pages): building and compiling
# them through the ORM cost several times what the database spends running
# them. The same statements run on SQLite and PostgreSQL; {entry} and {player}
# are the quoted table names, everything else is a parameter.
_COLUMNS = (
    "e.player_id, e.attempt_id, e.score, e.seconds, e.correct_count, e.length, "
    "e.finished_at, p.display_name, p.display_name_hidden"
)
_FROM = "{entry} e INNER JOIN {player} p ON p.id = e.player_id"
_ORDER = "e.sort_key, e.finished_at, e.player_id"
_ORDER_DESC = "e.sort_key DESC, e.finished_at DESC, e.player_id DESC"
# The first `limit` rows of a board, best first: board order is sort key, then
# finishing time, then player id (ORM: filter(board=…).order_by(*those)[:limit]).
TOP = f"SELECT {_COLUMNS} FROM {_FROM} WHERE e.board = %s ORDER BY {_ORDER} LIMIT %s"  # noqa: S608
# The same rows with only what the page shows: sort key (for the ranks), player
# id, public name, score, correct answers, length, seconds (see
# quiz.leaderboard.page). No datetime column, so the driver converts none of
# these values in Python; named placeholders, so Django's SQLite cursor runs no
# regex over the statement. (RANK() OVER in SQL cost more than ranking here.)
TOP_CELLS = (
    "SELECT e.sort_key, e.player_id, "  # noqa: S608
    "CASE WHEN p.display_name_hidden THEN %(hidden)s ELSE p.display_name END, "
    f"e.score, e.correct_count, e.length, e.seconds FROM {_FROM} WHERE e.board = %(board)s "
    f"ORDER BY {_ORDER} LIMIT %(limit)s"
)
# The player's own sort key and finishing time, by the unique (board, player) index.
_OWN = "(SELECT o.{column} FROM {entry} o WHERE o.board = %(board)s AND o.player_id = %(player)s)"
_KEY, _AT = _OWN.replace("{column}", "sort_key"), _OWN.replace("{column}", "finished_at")
# Rows that sort before the player's own: a smaller key, or the same key and an
# earlier finish, or the same key and finish and a smaller player id.
_BEFORE = (
    f"(e.sort_key < {_KEY} OR (e.sort_key = {_KEY} AND e.finished_at < {_AT}) "
    f"OR (e.sort_key = {_KEY} AND e.finished_at = {_AT} AND e.player_id < %(player)s))"
)
# Up to `around` rows before the player's and the player's with up to `around`
# after it, in any order; none when the player is not on the board. The
# redundant sort_key bounds make each side a short index range scan starting at
# the player's row.
WINDOW = (
    f"SELECT * FROM (SELECT {_COLUMNS} FROM {_FROM} WHERE e.board = %(board)s "  # noqa: S608
    f"AND e.sort_key <= {_KEY} AND {_BEFORE} ORDER BY {_ORDER_DESC} LIMIT %(around)s) above "
    f"UNION ALL SELECT * FROM (SELECT {_COLUMNS} FROM {_FROM} WHERE e.board = %(board)s "
    f"AND e.sort_key >= {_KEY} AND NOT {_BEFORE} ORDER BY {_ORDER} LIMIT %(rest)s) rest"
)
# Rows with a smaller key than the given one, and rows with a key no larger, in one scan.
RANK_BASE = (
    "SELECT COUNT(CASE WHEN e.sort_key < %s THEN 1 END), COUNT(*) "
    "FROM {entry} e WHERE e.board = %s AND e.sort_key <= %s"
)
COUNT_BETTER = "SELECT COUNT(*) FROM {entry} e WHERE e.board = %s AND e.sort_key < %s"

_statements: dict[tuple[str, str], str] = {}


def _sql(template: str, db=connection) -> str:
    """The statement for this connection's vendor, with its table names quoted (built once)."""
    key = (db.vendor, template)
    sql = _statements.get(key)
    if sql is None:
        quote = db.ops.quote_name
        sql = _statements[key] = template.replace(
            "{entry}", quote(LeaderboardEntry._meta.db_table)
        ).replace("{player}", quote(Player._meta.db_table))
    return sql


def _fetch(template: str, params) -> list[Row]:
    """Rows of a board read by TOP or WINDOW, with their players' public names."""
    with connection.cursor() as cursor:
        cursor.execute(_sql(template), params)
        found = cursor.fetchall()
    return [
        Row(
            player_id,
            attempt_id,
            score,
            seconds,
            correct,
            length,
            as_datetime(finished_at),
            name=HIDDEN_NAME if hidden else name,
        )
        for player_id, attempt_id, score, seconds, correct, length, finished_at, name, hidden in found
    ]


class DatabaseBackend:
    """The rank table: one LeaderboardEntry per (board, player), best first by sort_key."""

    # A row's columns besides its board, in Row's order (sort_key last).
    FIELDS = (
        "player_id",
        "attempt_id",
        "score",
        "seconds",
        "correct_count",
        "length",
        "finished_at",
        "sort_key",
    )

    def top(self, key: str, limit: int) -> list[Row]:
        return rank_in_order(_fetch(TOP, [key, limit]))

    def top_cells(self, key: str, limit: int) -> list[tuple]:
        """The first `limit` rows as quiz.leaderboard.Page keeps them, in board order:
        (sort key, player id, public name, score, correct answers, length, seconds).

        As the driver returns them: the ranks follow from the order and sort
        keys (Page.ranked_top), worked out only when the page is rendered.
        """
        # The thread's connection looked up once (each use of the `connection` proxy looks it up).
        db = connections[DEFAULT_DB_ALIAS]
        with db.cursor() as cursor:
            params = {"hidden": HIDDEN_NAME, "board": key, "limit": limit}
            cursor.execute(_sql(TOP_CELLS, db), params)
            return cursor.fetchall()

    def window(self, key: str, player_id: int, around: int) -> list[Row] | None:
        """Two statements: the rows each side of the player's, then one count for the ranks.

        Each side is a short index range scan starting at the player's own row
        (read by a subquery on the unique (board, player) index); the count is
        one index range scan up to the window's first sort key.
        """
        params = {"board": key, "player": player_id, "around": around, "rest": around + 1}
        window = _fetch(WINDOW, params)
        if not any(row.player_id == player_id for row in window):
            return None
        window.sort(key=lambda row: (row.sort_key, row.finished_at, row.player_id))
        # A row's rank is 1 + the rows with a smaller sort key. Every row before
        # the window sorts before its first row, so has a sort key no larger
        # than the first's: a window row with a larger key ranks after all of
        # them and after the window's rows with keys in between.
        first = window[0].sort_key
        with connection.cursor() as cursor:
            cursor.execute(_sql(RANK_BASE), [first, key, first])
            smaller, not_larger = cursor.fetchone()
        for row in window:
            if row.sort_key == first:
                row.rank = smaller + 1
            else:
                between = sum(1 for r in window if first < r.sort_key < row.sort_key)
                row.rank = not_larger + between + 1
        return window

    def count_better(self, key: str, key_value: int) -> int:
        with connection.cursor() as cursor:
            cursor.execute(_sql(COUNT_BETTER), [key, key_value])
            return cursor.fetchone()[0]

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
                update_fields=["attempt", *self.FIELDS[2:]],
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
        columns = ("board", *self.FIELDS)
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
