"""The public result page /r/<token>/: a finished quiz's share card, for anyone."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from quiz import share
from quiz.models import QuizAttempt


def _shared(token: str) -> QuizAttempt:
    # Only the fields the card needs: no question text is ever loaded here.
    return get_object_or_404(
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


@require_GET
def share_page(request, token: str):
    attempt = _shared(token)
    url = request.build_absolute_uri(reverse("quiz:share", args=[token]))
    image_url = request.build_absolute_uri(reverse("quiz:share_image", args=[token]))
    # "page_url", not "url": that name is the templates' url() function.
    context = {"card": share.card(attempt, url), "page_url": url, "image_url": image_url}
    return render(request, "quiz/share.html", context)


@require_GET
@cache_control(public=True, max_age=24 * 3600)
def share_image(request, token: str):
    """The card as a PNG for link previews: only the right/wrong squares."""
    attempt = _shared(token)
    flags = list(attempt.items.order_by("position").values_list("is_correct", flat=True))
    return HttpResponse(share.card_image(flags), content_type="image/png")
