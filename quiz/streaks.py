"""Streaks: consecutive UTC days with a finished daily challenge.

Derived from the finished daily attempts themselves (one indexed read of at
most one date per day played), so there is no counter to drift: an anonymous
browser's streak becomes the player's when it signs up and claims its quizzes,
and the longest streak is kept as long as the attempts are (finished attempts
are never cleaned up).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from quiz import daily
from quiz.models import Player, QuizAttempt


@dataclass(frozen=True)
class Streak:
    current: int = 0
    longest: int = 0
    played_today: bool = False

    @property
    def at_risk(self) -> bool:
        """A streak alive from yesterday that today's challenge would extend."""
        return self.current > 0 and not self.played_today


def from_days(days: set[date], today: date) -> Streak:
    if not days:
        return Streak()
    longest = run = 0
    previous = None
    for day in sorted(days):
        run = run + 1 if previous is not None and day - previous == timedelta(days=1) else 1
        longest = max(longest, run)
        previous = day
    current = 0
    day = today if today in days else today - timedelta(days=1)
    while day in days:
        current += 1
        day -= timedelta(days=1)
    return Streak(current=current, longest=longest, played_today=today in days)


def streak_for(
    player: Player | int | None = None, session_key: str = "", today: date | None = None
):
    """The daily streak of a player (or their id), else of an anonymous browser's session."""
    attempts = QuizAttempt.objects.finished().filter(mode=QuizAttempt.Mode.DAILY)
    if player is not None:
        attempts = attempts.filter(player=player)
    elif session_key:
        attempts = attempts.filter(player__isnull=True, session_key=session_key)
    else:
        return Streak()
    days = set(attempts.order_by().values_list("daily_date", flat=True).distinct())
    return from_days(days, today or daily.today())
