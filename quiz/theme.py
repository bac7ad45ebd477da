"""The reader's colour theme: light, dark, or (no cookie) whatever the system prefers.

Kept in a plain cookie set by a small form POST (works without JavaScript);
static/js/quiz.js applies a choice at once and posts the same form in the background.
"""

from __future__ import annotations

COOKIE = "theme"
CHOICES = ("auto", "light", "dark")
MAX_AGE = 365 * 24 * 3600


def chosen(request) -> str:
    """ "light" or "dark" if the reader picked one, else "" (follow prefers-color-scheme)."""
    value = request.COOKIES.get(COOKIE, "")
    return value if value in ("light", "dark") else ""


def context(request) -> dict:
    return {"theme": chosen(request)}
