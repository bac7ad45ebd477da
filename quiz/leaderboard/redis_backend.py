"""The Redis backend: one sorted set per board (period and format), and a hash beside it.

Day and week boards expire a little after their period ends; rebuild() writes
every current board under temporary keys and swaps them in at once, together
with a generation marker. Reads made with `current_only` fail with NotCurrent
when the marker is missing (Redis restarted empty, or an outage made the
boards stale): the caller then serves from the database and rebuilds.
"""

from __future__ import annotations

import secrets
import time
from datetime import UTC, datetime, timedelta

import redis
from django.db import connection

from quiz.leaderboard.ranking import (
    Row,
    as_datetime,
    best_rows_sql,
    rank_in_order,
    score_from_key,
)

# Day and week keys in Redis outlive their period a little, so a result finished
# just before midnight can still be recorded and read.
REDIS_GRACE = timedelta(days=8)

_clients: dict[str, object] = {}
_scripts: dict[object, object] = {}
_record_scripts: dict[object, object] = {}

# Part of the generation marker's name: bumped whenever board keys change
# meaning, so a copy written by older code (per-difficulty boards across
# formats, before "formats") is never taken for a complete one: the first read
# finds no marker and the copy is rebuilt from the rank table.
KEYS_VERSION = "formats"
LEGACY_GENERATION_KEYS = ("~generation",)

# Players who recorded a result lately, by time: a rebuild re-copies them after
# its swap, so a result recorded while it ran is never lost.
RECENT_SECONDS = 120


class NotCurrent(Exception):
    """The boards in Redis are not a complete copy (no generation marker)."""


# The player's rank, position and neighbours in one round trip.
STANDING_SCRIPT = """
if ARGV[3] == '1' and redis.call('EXISTS', KEYS[3]) == 0 then return -1 end
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


# One player's rows on several boards, and the note that they recorded lately,
# in one round trip and atomically. KEYS: the recent set, then each board's
# sorted set and hash; ARGV: player id, now, RECENT_SECONDS, "1" to write only
# where the new member sorts before the player's old one, then per board the
# new member ("" removes the player), its score and the TTL (0: none).
# Returns the (1-based) numbers of the boards written.
RECORD_SCRIPT = """
local pid, better_only = ARGV[1], ARGV[4] == '1'
local changed = {}
for i = 1, (#KEYS - 1) / 2 do
  local zset, hash = KEYS[2 * i], KEYS[2 * i + 1]
  local member, score, ttl = ARGV[3 * i + 2], ARGV[3 * i + 3], tonumber(ARGV[3 * i + 4])
  local old = redis.call('HGET', hash, pid)
  local write = true
  if old and better_only then
    -- Kept unless the new member sorts first: a lower score, or the same
    -- score and an earlier finish (members start with the finishing time).
    local old_score = tonumber(redis.call('ZSCORE', zset, old))
    local new_score = tonumber(score)
    write = old_score == nil or new_score < old_score or (new_score == old_score and member < old)
  end
  if write then
    if old then redis.call('ZREM', zset, old) end
    if member == '' then
      redis.call('HDEL', hash, pid)
    else
      redis.call('ZADD', zset, score, member)
      redis.call('HSET', hash, pid, member)
      if ttl > 0 then
        redis.call('EXPIRE', zset, ttl)
        redis.call('EXPIRE', hash, ttl)
      end
    end
    changed[#changed + 1] = i
  end
end
local now = tonumber(ARGV[2])
redis.call('ZADD', KEYS[1], now, pid)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - tonumber(ARGV[3]))
return changed
"""


class RedisBackend:
    """One sorted set per board, scored by sort_key (ascending is better).

    Members are "<finished ms>:<player id>:<correct>:<length>:<seconds>": members
    with equal scores sort by their text, so the earlier finisher comes first, and
    a page needs nothing from the database but the players' names. A hash beside
    each set maps player id to member.
    """

    def __init__(self, url: str, prefix: str, timeout: float = 5.0):
        # Requests use a short timeout (a hung Redis must not hold a player);
        # a rebuild, which moves whole boards in one command, a long one.
        if (url, timeout) not in _clients:
            _clients[url, timeout] = redis.Redis.from_url(
                url, decode_responses=True, socket_timeout=timeout, socket_connect_timeout=timeout
            )
        self.client: redis.Redis = _clients[url, timeout]
        self.prefix = prefix

    def _zset(self, key: str) -> str:
        return f"{self.prefix}:{key}"

    def _hash(self, key: str) -> str:
        return f"{self.prefix}:{key}:p"

    @property
    def generation_key(self) -> str:
        return f"{self.prefix}~generation~{KEYS_VERSION}"

    @property
    def recent_key(self) -> str:
        return f"{self.prefix}~recent"

    def invalidate(self) -> None:
        """Forget that the boards are complete: the next read rebuilds them."""
        self.client.delete(self.generation_key)

    @staticmethod
    def member(player_id: int, row: Row) -> str:
        finished_ms = int(row.finished_at.timestamp() * 1000)
        return (
            f"{finished_ms:013d}:{player_id:012d}:{row.correct_count}:{row.length}:{row.seconds!r}"
        )

    @staticmethod
    def _row(member: str, score: float, rank: int = 0) -> Row:
        finished_ms, player_id, correct, length, seconds = member.split(":")
        return Row(
            int(player_id),
            0,
            score_from_key(int(score)),
            float(seconds),
            int(correct),
            int(length),
            datetime.fromtimestamp(int(finished_ms) / 1000, UTC),
            rank=rank,
        )

    def _read(self, current_only: bool, command: str, *args, **kwargs):
        """One command, with the marker check in the same round trip when asked."""
        if not current_only:
            return getattr(self.client, command)(*args, **kwargs)
        pipe = self.client.pipeline(transaction=False)
        pipe.exists(self.generation_key)
        getattr(pipe, command)(*args, **kwargs)
        current, result = pipe.execute()
        if not current:
            raise NotCurrent
        return result

    def top(self, key: str, limit: int, *, current_only: bool = False) -> list[Row]:
        if limit <= 0:
            return []
        members = self._read(current_only, "zrange", self._zset(key), 0, limit - 1, withscores=True)
        return rank_in_order([self._row(m, s) for m, s in members])

    def window(
        self, key: str, player_id: int, around: int, *, current_only: bool = False
    ) -> list[Row] | None:
        if self.client not in _scripts:
            _scripts[self.client] = self.client.register_script(STANDING_SCRIPT)
        out = _scripts[self.client](
            keys=[self._zset(key), self._hash(key), self.generation_key],
            args=[player_id, around, "1" if current_only else "0"],
        )
        if out == -1:
            raise NotCurrent
        if not out:
            return None
        return [
            self._row(out[i], float(out[i + 1]), rank=int(out[i + 2]) + 1)
            for i in range(0, len(out), 3)
        ]

    def count_better(self, key: str, key_value: int, *, current_only: bool = False) -> int:
        return self._read(current_only, "zcount", self._zset(key), "-inf", f"({key_value}")

    def _ttl(self, key: str, now: datetime) -> int | None:
        period, start, *_ = key.split(":")
        if period == "all":
            return None
        days = 1 if period == "day" else 7
        end = datetime.fromisoformat(start).replace(tzinfo=UTC) + timedelta(days=days)
        return max(int((end + REDIS_GRACE - now).total_seconds()), 1)

    def record(self, player_id: int, best: dict[str, Row | None], now: datetime) -> None:
        """Replace the player's member on each board of `best` (None: remove it), in one call."""
        self._record(player_id, best, now, better_only=False)

    def improve(self, player_id: int, keys: list[str], row: Row, now: datetime) -> list[str]:
        """The row on each board where it sorts before the player's, in one call."""
        return self._record(player_id, dict.fromkeys(keys, row), now, better_only=True)

    def _record(
        self, player_id: int, best: dict[str, Row | None], now: datetime, *, better_only: bool
    ) -> list[str]:
        keys = [self.recent_key]
        args: list[object] = [player_id, time.time(), RECENT_SECONDS, int(better_only)]
        for key, row in best.items():
            keys += [self._zset(key), self._hash(key)]
            if row is None:
                args += ["", 0, 0]
            else:
                args += [self.member(player_id, row), row.sort_key, self._ttl(key, now) or 0]
        if self.client not in _record_scripts:
            _record_scripts[self.client] = self.client.register_script(RECORD_SCRIPT)
        written = _record_scripts[self.client](keys=keys, args=args)
        boards = list(best)
        return [boards[int(i) - 1] for i in written]

    def _note_recent(self, pipe, player_id: int) -> None:
        stamp = time.time()
        pipe.zadd(self.recent_key, {str(player_id): stamp})
        pipe.zremrangebyscore(self.recent_key, "-inf", stamp - RECENT_SECONDS)

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
        self._note_recent(write, player_id)
        write.execute()

    def rebuild(self, now: datetime, batch: int = 5000, *, source=None, resync=None) -> int:
        """Write every current board under temporary keys, then swap them in at once.

        `source` yields the rows (board key, player id, attempt id, score,
        seconds, correct, length, finished at); by default every player's best
        quiz read from the attempts. Results recorded while the rebuild ran
        were written to the live keys the swap replaces: `resync(player_id,
        board_keys)` copies each such player again afterwards, so the rebuild
        converges on the database's truth.
        """
        started = time.time()
        staging = f"{self.prefix}~rebuild~{secrets.token_hex(4)}"
        built: set[str] = set()
        total = 0
        pipe = self.client.pipeline(transaction=False)
        for chunk in source(batch) if source else self._attempt_rows(now, batch):
            for board, player_id, attempt_id, score, seconds, correct, length, finished in chunk:
                row = Row(
                    player_id, attempt_id, score, seconds, correct, length, as_datetime(finished)
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
            # UNLINK frees the old boards' memory in the background: a DEL of a
            # million rows would block Redis for every other client meanwhile.
            swap.unlink(*live)
        swap.delete(*(f"{self.prefix}{suffix}" for suffix in LEGACY_GENERATION_KEYS))
        for board in built:
            for suffix in ("", ":p"):
                swap.rename(f"{staging}:{board}{suffix}", f"{self.prefix}:{board}{suffix}")
                ttl = self._ttl(board, now)
                if ttl is not None:
                    swap.expire(f"{self.prefix}:{board}{suffix}", ttl)
        swap.set(self.generation_key, secrets.token_hex(8))
        swap.execute()
        if resync is not None:
            # Anyone who recorded since shortly before the start (a write in
            # flight when the rows were read included).
            recent = self.client.zrangebyscore(
                self.recent_key, started - RECENT_SECONDS / 2, "+inf"
            )
            for player_id in recent:
                resync(int(player_id), built)
        return total

    def _attempt_rows(self, now: datetime, batch: int):
        for sql, params in best_rows_sql(now):
            with connection.chunked_cursor() as cursor:
                cursor.execute(f"SELECT * FROM ({sql}) t WHERE best = 1", params)  # noqa: S608
                while chunk := cursor.fetchmany(batch):
                    yield [row[:8] for row in chunk]
