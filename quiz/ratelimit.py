"""Per-player (or per-session) rate limits for starting quizzes, answering, reporting.

Fixed one-minute windows of the wall clock, counted in the "ratelimit" cache:
Redis in scale-out (one INCR), else a database table with an atomic upsert
(quiz.cache.CounterCache), which is also where the counts go while Redis is
unavailable. Either way every process shares one exact count.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import caches

from hhquiz.proxies import client_ip

WINDOW = 60


def _limit(action: str) -> int:
    return {
        "start": settings.QUIZ_START_RATE,
        "answer": settings.QUIZ_ANSWER_RATE,
        "report": settings.QUIZ_REPORT_RATE,
    }[action]


def _who(request) -> str:
    if request.user.is_authenticated:
        return f"u{request.user.pk}"
    if request.session.session_key:
        return f"s{request.session.session_key}"
    return f"ip{client_ip(request)}"


def hit(key: str, limit: int, now: float | None = None) -> bool:
    """Count one request against `key`; True when it goes over `limit` per window."""
    window = int((now if now is not None else time.time()) // WINDOW)
    return caches["ratelimit"].count(f"rl:{key}:{window}", WINDOW + 5) > limit


# Anonymous visitors can mint new sessions at will, so their address is
# limited too, more loosely (several players can share one address).
PER_ADDRESS_FACTOR = 10


def rate_limited(request, action: str) -> bool:
    limit = _limit(action)
    over = hit(f"{action}:{_who(request)}", limit)
    if not request.user.is_authenticated:
        over = hit(f"{action}:ip{client_ip(request)}", limit * PER_ADDRESS_FACTOR) or over
    return over
