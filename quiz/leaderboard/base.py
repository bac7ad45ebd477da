"""The contract a leaderboard backend meets (see DatabaseBackend and RedisBackend).

A backend stores Rows under board keys (Board.key()) and answers in board order:
best first, ranked with the shared competition rule (1, 2, 2, 4).
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from quiz.leaderboard.ranking import Row


class Backend(Protocol):
    def top(self, key: str, limit: int) -> list[Row]:
        """The first `limit` rows of the board, ranked."""

    def window(self, key: str, player_id: int, around: int) -> list[Row] | None:
        """The player's row with up to `around` rows each side, ranked; None if absent."""

    def count_better(self, key: str, key_value: int) -> int:
        """How many rows have a sort key smaller (better) than `key_value`."""

    def record(self, player_id: int, best: dict[str, Row | None], now: datetime) -> None:
        """Store the player's best row per board key (None: take them off that board)."""

    def improve(self, player_id: int, keys: list[str], row: Row, now: datetime) -> list[str]:
        """A new result: store it on each board of `keys` where it beats the player's
        row there (or the player has none); the keys it went on."""

    def remove_player(self, player_id: int) -> None:
        """Take the player off every board."""

    def rebuild(self, now: datetime) -> int:
        """Replace every current board by one computed from the database; the row count."""
