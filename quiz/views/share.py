"""The public result page /r/<token>/: a finished quiz's share card, for anyone."""

from __future__ import annotations

from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from quiz import share
from quiz.models import QuizAttempt


@require_GET
def share_page(request, token: str):
    # Only the fields the card needs: no question text is ever loaded here.
    attempt = get_object_or_404(
        QuizAttempt.objects.finished().only(
            "mode",
            "daily_date",
            "watched_through",
            "difficulty",
            "timed",
            "correct_count",
            "length",
            "score",
            "finished_at",
            "share_token",
        ),
        share_token=token,
    )
    url = request.build_absolute_uri(reverse("quiz:share", args=[token]))
    return render(request, "quiz/share.html", {"card": share.card(attempt, url), "url": url})
