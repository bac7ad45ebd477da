"""Helpers shared by the play tests: start a quiz and read the page like a player."""

from __future__ import annotations

import re

from django.urls import reverse

from quiz.models import QuizAttempt
from tests.factories import QuestionFactory

OPTION_RE = re.compile(r'name="option" value="([^"]+)"')


def make_bank(n: int = 30, **kwargs):
    return QuestionFactory.create_batch(n, **kwargs)


def start(client, *, watched=6, difficulty="easy", length=5, category="", follow=False, **extra):
    data = {
        "watched_through": watched,
        "difficulty": difficulty,
        "length": length,
        "category": category,
    }
    data.update(extra)
    return client.post(reverse("quiz:start"), data, follow=follow)


def latest_attempt() -> QuizAttempt:
    return QuizAttempt.objects.order_by("-id").first()


def question_url(attempt, number: int) -> str:
    return reverse("quiz:question", args=[attempt.public_id, number])


def started_quiz(client, **kwargs):
    """A bank of 10, a quiz started and its first question shown: (attempt, first item)."""
    make_bank(10)
    start(client, **kwargs)
    attempt = latest_attempt()
    client.get(question_url(attempt, 1))
    return attempt, attempt.items.get(position=0)


def option_keys(html: str) -> list[str]:
    return OPTION_RE.findall(html)


def answer_all(client, attempt, *, correct=True, htmx=False):
    headers = {"HX-Request": "true"} if htmx else {}
    for number in range(1, attempt.length + 1):
        client.get(question_url(attempt, number), headers=headers)
        item = attempt.items.get(position=number - 1)
        key = (
            item.correct_key
            if correct
            else next(o["key"] for o in item.options if o["key"] != item.correct_key)
        )
        client.post(question_url(attempt, number), {"option": key}, headers=headers)
    attempt.refresh_from_db()
    return attempt


def answered_item_urls(client) -> tuple[str, str]:
    """Start a quiz, answer its first question; the question's and its report form's URLs."""
    make_bank(10)
    start(client)
    attempt = latest_attempt()
    item = attempt.items.get(position=0)
    url = question_url(attempt, 1)
    client.get(url)
    client.post(url, {"option": item.correct_key})
    return url, reverse("quiz:report", args=[attempt.public_id, 1])
