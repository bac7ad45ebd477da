"""The daily challenge page, its start and its per-day boards."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers

from quiz import daily, play, share, streaks, visitor
from quiz.forms import DailyForm
from quiz.models import QuizAttempt
from quiz.ratelimit import rate_limited
from quiz.views.play import _partial


def _owner(request):
    player = visitor.player(request)
    return player, "" if player else (request.session.session_key or "")


@vary_on_headers("HX-Request")
@require_GET
def daily_page(request):
    form = DailyForm(request.GET) if "watched_through" in request.GET else None
    if form is not None and form.is_valid():
        watched = form.cleaned_data["watched_through"]
    else:
        watched = visitor.remembered_watched(request) or 0
    form = DailyForm(initial={"watched_through": watched})
    day = daily.today()
    player, session_key = _owner(request)
    attempt = daily.owned(day, watched, player, session_key).first()
    context = {
        "form": form,
        "day": day,
        "number": daily.number(day),
        "watched": watched,
        "watched_label": share.watched_label(watched),
        "attempt": attempt,
        "streak": streaks.streak_for(player, session_key, day),
        "length": daily.LENGTH,
    }
    return render(request, _partial(request, "quiz/daily.html", "daily_card"), context)


@require_POST
def daily_start(request):
    form = DailyForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Please choose how far you have watched.")
        return redirect("quiz:daily")
    if not request.session.session_key:
        request.session.save()
    if rate_limited(request, "start"):
        messages.error(request, "You are starting quizzes very fast. Please wait a minute.")
        return redirect("quiz:daily")
    watched = form.cleaned_data["watched_through"]
    visitor.remember_watched(request, watched)
    player, session_key = _owner(request)
    try:
        attempt, created = daily.start(
            day=daily.today(), watched_through=watched, player=player, session_key=session_key
        )
    except play.PoolTooSmall:
        messages.info(request, "Today's challenge has no questions at that level yet.")
        return redirect("quiz:daily")
    if created and player is None:
        visitor.remember_anonymous_attempt(request, attempt)
    elif attempt.status == QuizAttempt.Status.ABANDONED:
        messages.info(
            request, "You left today's challenge at this level. A new one comes tomorrow."
        )
        return redirect("quiz:daily")
    elif attempt.is_finished:
        messages.info(request, "You have played today's challenge: here is your result.")
    return redirect(attempt)


@require_GET
def daily_board(request, day: str, watched_through: int):
    try:
        board_day = date.fromisoformat(day)
    except ValueError:
        raise Http404("No such day.") from None
    if not 0 <= watched_through <= 6 or board_day > daily.today() or daily.number(board_day) < 1:
        raise Http404("No daily challenge that day.")
    rows = daily.board(board_day, watched_through)
    player, _ = _owner(request)
    own = None
    if player is not None:
        own = (
            QuizAttempt.objects.counted()
            .daily(board_day, watched_through)
            .filter(player=player)
            .first()
        )
    return render(
        request,
        "quiz/daily_board.html",
        {
            "day": board_day,
            "number": daily.number(board_day),
            "watched": watched_through,
            "watched_label": share.watched_label(watched_through),
            "rows": rows,
            "own": own,
            "own_rank": daily.rank_of(own) if own else None,
            "player": player,
            "is_today": board_day == daily.today(),
            "levels": range(7),
        },
    )
