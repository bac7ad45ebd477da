"""Playing a quiz: the start form, one question at a time, feedback, results.

Every page works as plain HTML forms (POST, redirect, GET); with htmx the same
views return just the `question_card` block of the same template.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import (
    require_GET,
    require_http_methods,
    require_POST,
    require_safe,
)
from django.views.decorators.vary import vary_on_headers

from quiz import auth, daily, leaderboard, play, prepared, share, streaks, visitor
from quiz.forms import AnswerForm, EpisodeQuizForm, RaiseWatchedForm, ReportForm, StartQuizForm
from quiz.models import AttemptQuestion, Player, QuizAttempt, QuizDifficulty, Report
from quiz.ratelimit import rate_limited


def _partial(request, template: str, partial: str) -> str:
    if request.htmx and not request.htmx.history_restore_request:
        return f"{template}#{partial}"
    return template


def _owned_attempt(request, public_id) -> QuizAttempt:
    """The attempt, if it belongs to this player or anonymous session; else 404."""
    queryset = visitor.attempts(request).select_related("bank")
    return get_object_or_404(queryset, public_id=public_id)


DIFFICULTY_LABELS = dict(QuizDifficulty.choices)


def _resumable(request) -> list[QuizAttempt]:
    """The visitor's quizzes to pick up, with only the columns the page shows (quiz.prepared)."""
    if request.user.is_authenticated:
        player_id = _player_id(request.user)
        if player_id is not None:
            return prepared.active_shown_of_player.all(player_id=player_id)
    elif request.session.session_key:
        session_key = request.session.session_key
        return prepared.active_shown_of_session.all(session_key=session_key)
    return []


def _resumable_with_session_user(request) -> list[QuizAttempt] | None:
    """_resumable(request) for the user this session names, read with that user and
    their player's remembered choices: one query for both, where request.user would
    cost one of its own first. None (read nothing) unless the session still signs
    that user in."""
    user_id = auth.session_user_id(request)
    if user_id is None:
        return None
    user, resumable = prepared.user_with_resumable(user_id)
    if user is None or not auth.signed_in_as(request, user):
        return None
    return resumable


def _home_context(request, form, episode_form=None, remembered=None, resumable=None):
    """The home page's context; `remembered` is visitor.remembered_choices(request) and
    `resumable` _resumable(request) when the caller has them already."""
    if resumable is None:
        resumable = _resumable(request)
    if episode_form is None:
        if remembered is None:
            remembered = visitor.remembered_choices(request)
        watched = remembered.get("watched_through")
        # Offer the next episode after the remembered level: the one most
        # likely just watched.
        suggested = min((watched or 0) + 1, 6)
        episode_form = EpisodeQuizForm.unbound({"episode": suggested})
    return {
        "form": form,
        "resumable": resumable,
        "episode_form": episode_form,
        "daily_number": daily.number(daily.today()),
        # get_difficulty_display() builds this dict for every call.
        "difficulty_labels": DIFFICULTY_LABELS,
    }


START_FIELDS = ("watched_through", "difficulty", "length", "category", "bank", "adaptive")


@vary_on_headers("HX-Request")
@require_safe
def home(request):
    """The start form. Query parameters pre-fill it (the htmx category refresh sends them)."""
    refresh = request.htmx and not request.htmx.history_restore_request
    # The whole page reads the user with their quizzes to pick up, first (then
    # request.user and their remembered choices cost no query).
    resumable = None if refresh else _resumable_with_session_user(request)
    remembered = visitor.remembered_choices(request)
    initial = remembered | {name: request.GET[name] for name in START_FIELDS if name in request.GET}
    # Built only if the template's memo of its fields misses (see quiz.forms.MemoisedForm).
    form = StartQuizForm.unbound(initial)
    if refresh:
        return render(request, "quiz/home.html#category_field", {"form": form})
    context = _home_context(request, form, remembered=remembered, resumable=resumable)
    return render(request, "quiz/home.html", context)


@require_POST
def start(request):
    form = StartQuizForm(request.POST)
    if not form.is_valid():
        return render(request, "quiz/home.html", _home_context(request, form), status=400)
    if not request.session.session_key:
        request.session.save()
    if rate_limited(request, "start"):
        form.add_error(
            None, "You are starting quizzes very fast. Please wait a minute and try again."
        )
        return render(request, "quiz/home.html", _home_context(request, form), status=429)
    data = form.cleaned_data
    visitor.remember_choices(
        request,
        watched=data["watched_through"],
        difficulty=data["difficulty"],
        length=data["length"],
    )
    player = visitor.player(request)
    # An adaptive quiz ("Matched to me") sets the difficulty label aside: the
    # questions' calibrated ratings choose instead.
    adaptive = data["adaptive"]
    try:
        attempt = play.start_quiz(
            bank=data["bank"],
            difficulty=QuizDifficulty.MIXED if adaptive else data["difficulty"],
            watched_through=data["watched_through"],
            length=data["length"],
            category=data["category"],
            player=player,
            session_key="" if player else request.session.session_key,
            allow_shorter=data["allow_shorter"],
            timed=data["timed"],
            mode=QuizAttempt.Mode.ADAPTIVE if adaptive else QuizAttempt.Mode.FREE,
        )
    except play.PoolTooSmall as exc:
        context = _home_context(request, form)
        context["pool_too_small"] = exc
        return render(request, "quiz/home.html", context, status=200)
    if player is None:
        visitor.remember_anonymous_attempt(request, attempt)
    return redirect(attempt)


EPISODE_QUIZ_LENGTH = 5


@require_POST
def episode_start(request):
    """ "I just watched episode k": five questions first revealed in that episode."""
    episode_form = EpisodeQuizForm(request.POST)
    if not episode_form.is_valid():
        context = _home_context(request, StartQuizForm(), episode_form)
        return render(request, "quiz/home.html", context, status=400)
    if not request.session.session_key:
        request.session.save()
    if rate_limited(request, "start"):
        messages.error(request, "You are starting quizzes very fast. Please wait a minute.")
        return redirect("quiz:home")
    bank = daily.daily_bank()
    episode = episode_form.cleaned_data["episode"]
    player = visitor.player(request)
    try:
        if bank is None:
            raise play.PoolTooSmall(0, EPISODE_QUIZ_LENGTH)
        attempt = play.start_fixed_format(
            QuizAttempt.Mode.EPISODE,
            bank,
            episode,
            EPISODE_QUIZ_LENGTH,
            player,
            request.session.session_key,
        )
    except play.PoolTooSmall:
        messages.info(request, f"There are no questions about episode {episode} yet.")
        return redirect("quiz:home")
    if player is None:
        visitor.remember_anonymous_attempt(request, attempt)
    return redirect(attempt)


@require_GET
def play_attempt(request, public_id):
    """The bookmarkable quiz URL: lands on the current question or the results."""
    attempt = _owned_results_attempt(request, public_id)
    if attempt.is_finished:
        return redirect("quiz:results", public_id=attempt.public_id)
    if attempt.status == QuizAttempt.Status.ABANDONED:
        messages.info(request, "You left that quiz. Start a new one whenever you like.")
        return redirect("quiz:home")
    return redirect(
        "quiz:question", public_id=attempt.public_id, position=attempt.answered_count + 1
    )


def _player_id(user) -> int | None:
    """The signed-in user's player id (read with the user), None before they have one."""
    try:
        return user.player.pk
    except Player.DoesNotExist:
        return None  # no player yet, so no quizzes


def _item_with_session_user(
    request, public_id, position: int, shown: bool = False
) -> AttemptQuestion | None:
    """The item of a quiz played by the user this session names, read with that user:
    one query for both, where request.user would cost one of its own first. The
    item is returned only if the session still signs that user in."""
    user_id = auth.session_user_id(request)
    if user_id is None:
        return None
    reading = prepared.shown_item_with_user if shown else prepared.item_with_user
    item = reading.first(public_id=public_id, position=position - 1, user_id=user_id)
    if item is None or not auth.signed_in_as(request, item.attempt.player.user):
        return None
    return item


def _owned_item(request, public_id, position: int, shown: bool = False) -> AttemptQuestion:
    """One question of an attempt this player or session owns, with its attempt: one query.

    The same rows as AttemptQuestion.objects.filter(attempt__in=visitor.attempts(request)),
    read with SQL compiled once (quiz.prepared): this runs on every question page and answer.
    `shown`: of the attempt, only what a question page shows and checks
    (prepared.SHOWN_ATTEMPT_FIELDS).
    """
    if not 1 <= position <= play.QUIZ_LENGTHS[-1]:
        raise Http404("No such question in this quiz.")
    item = _item_with_session_user(request, public_id, position, shown)
    if item is not None:
        return item
    if request.user.is_authenticated:
        player_id = _player_id(request.user)
        if player_id is not None:
            reading = prepared.shown_item_of_player if shown else prepared.item_of_player
            item = reading.first(public_id=public_id, position=position - 1, player_id=player_id)
    elif request.session.session_key:
        reading = prepared.shown_item_of_session if shown else prepared.item_of_session
        item = reading.first(
            public_id=public_id, position=position - 1, session_key=request.session.session_key
        )
    if item is None:
        raise Http404("No such question in this quiz.")
    return item


_blank_report = None


def _blank_report_form() -> tuple[ReportForm, str]:
    """The empty report form and its fields' HTML, built once: they never change
    (a bound form, with the player's input, is built and rendered per request)."""
    global _blank_report
    if _blank_report is None:
        form = ReportForm()
        html = render_to_string("quiz/question.html#report_fields", {"report_form": form})
        _blank_report = form, html
    return _blank_report


def _question_context(attempt, item, **extra):
    seconds_left = None
    if not item.is_answered and item.deadline is not None:
        seconds_left = play.seconds_left(item)
    return {
        "attempt": attempt,
        "item": item,
        # A question is shown only once its clock runs: a 400/409 page for a
        # question not yet served shows the message and a way to the current one.
        "hidden": not item.is_answered and item.served_at is None,
        "number": item.position + 1,
        "is_last": item.position + 1 >= attempt.length,
        "report_form": _blank_report_form()[0],
        "blank_report_fields": _blank_report_form()[1],
        "seconds_left": seconds_left,
        "time_allowed": round(play.time_allowed(item)) if attempt.timed else None,
        **extra,
    }


@vary_on_headers("HX-Request")
@require_http_methods(["GET", "POST"])
def question(request, public_id, position: int):
    item = _owned_item(request, public_id, position, shown=request.method == "GET")
    attempt = item.attempt
    template = "quiz/question.html"

    if request.method == "POST":
        form = AnswerForm(request.POST)
        status = 200
        error = None
        if rate_limited(request, "answer"):
            error, status = "You are answering very fast. Please wait a moment and try again.", 429
        elif not form.is_valid():
            error, status = form.errors["option"][0], 400
        else:
            try:
                play.answer(attempt, item, form.cleaned_data["option"])
            except play.AnswerRejected as exc:
                error, status = exc.message, exc.status
        if error is None and not request.htmx:
            return redirect("quiz:question", public_id=attempt.public_id, position=position)
        context = _question_context(attempt, item, error=error)
        return render(request, _partial(request, template, "question_card"), context, status=status)

    if not item.is_answered:
        if attempt.status != QuizAttempt.Status.ACTIVE:
            return redirect(attempt)
        if item.position != attempt.answered_count:
            return redirect(attempt)
        play.mark_served(item)
        # A timed question whose deadline passed unanswered (the countdown ran
        # out, or the page was left open without JavaScript) is a time-out,
        # recorded like an answer: it may finish the quiz, so it reads the
        # attempt whole.
        if item.deadline is not None and play.is_late(item, timezone.now()):
            item = _owned_item(request, public_id, position)
            attempt = item.attempt
            play.expire(attempt, item)
    context = _question_context(attempt, item)
    return render(request, _partial(request, template, "question_card"), context)


def _owned_results_attempt(request, public_id) -> QuizAttempt:
    """The attempt as _owned_attempt finds it (else 404), read by SQL compiled once;
    for a signed-in owner with their user and player, in the same query."""
    user_id = auth.session_user_id(request)
    if user_id is not None:
        attempt = prepared.attempt_with_user.first(public_id=public_id, user_id=user_id)
        if attempt is not None and auth.signed_in_as(request, attempt.player.user):
            return attempt
    attempt = None
    if request.user.is_authenticated:
        player = visitor.existing_player(request)
        if player is not None:
            attempt = prepared.attempt_of_player.first(public_id=public_id, player_id=player.pk)
    elif request.session.session_key:
        attempt = prepared.attempt_of_session.first(
            public_id=public_id, session_key=request.session.session_key
        )
    if attempt is None:
        raise Http404("No such quiz.")
    return attempt


def review_rows(items) -> list[dict]:
    """The review's rows with what they show worked out once, here: the template
    then prints strings and booleans from dicts, with no model property, attribute
    lookup (tried after a failed dict lookup) or number formatting per cell."""
    return [
        {
            "text": item.text,
            "is_correct": item.is_correct,
            "timed_out": item.timed_out,
            "chosen_text": item.chosen_text,
            "correct_text": item.correct_text,
            "points": str(item.points),
            "explanation": item.explanation,
        }
        for item in items
    ]


@require_GET
def results(request, public_id):
    attempt = _owned_results_attempt(request, public_id)
    if not attempt.is_finished:
        return redirect(attempt)
    # Its questions are read only now that it is finished (their answers are shown);
    # for the review and the card only (prepared.REVIEW_FIELDS).
    items = prepared.review_items.all(attempt_id=attempt.pk)
    # The rank is on the board of the quiz's own format, or there is none.
    board = leaderboard.Board.from_attempt(attempt)
    not_ranked = leaderboard.not_ranked_because(attempt)
    rank = daily_rank = streak = None
    if attempt.mode == QuizAttempt.Mode.DAILY:
        daily_rank = daily.rank_of(attempt)
        streak = streaks.streak_for(attempt.player_id, attempt.session_key)
    elif board is not None:
        rank = leaderboard.rank_for(board, attempt.score, attempt.seconds)
    offer_level = False
    if attempt.mode == QuizAttempt.Mode.EPISODE:
        remembered = visitor.remembered_watched(request)
        offer_level = remembered is None or remembered < attempt.watched_through
    share_url = request.build_absolute_uri(reverse("quiz:share", args=[attempt.share_token]))
    return render(
        request,
        "quiz/results.html",
        {
            "attempt": attempt,
            "review": review_rows(items),
            "board": board,
            "rank": rank,
            "not_ranked": not_ranked,
            "never_ranks": leaderboard.format_not_ranked_because(attempt),
            "daily_rank": daily_rank,
            "daily_number": daily.number(attempt.daily_date) if attempt.daily_date else None,
            "streak": streak,
            "offer_level": offer_level,
            "card": share.card(attempt, share_url, flags=[item.is_correct for item in items]),
        },
    )


@require_POST
def raise_watched(request, public_id):
    """After "I just watched episode k": remember k as the watched level, once confirmed."""
    attempt = _owned_attempt(request, public_id)
    form = RaiseWatchedForm(request.POST)
    if (
        not attempt.is_finished
        or attempt.mode != QuizAttempt.Mode.EPISODE
        or not form.is_valid()
        or form.cleaned_data["watched_through"] != attempt.watched_through
    ):
        messages.error(request, "That watched level cannot be set from this quiz.")
        return redirect("quiz:results", public_id=attempt.public_id)
    remembered = visitor.remembered_watched(request)
    if remembered is None or remembered < attempt.watched_through:
        visitor.remember_watched(request, attempt.watched_through)
        messages.success(
            request,
            f"Noted: you have watched up to episode {attempt.watched_through}. "
            "Quizzes now include it.",
        )
    return redirect("quiz:results", public_id=attempt.public_id)


@require_http_methods(["GET", "POST"])
def abandon(request, public_id):
    """Leaving a quiz for good: a GET asks for confirmation, only the POST leaves."""
    attempt = _owned_attempt(request, public_id)
    if request.method == "GET":
        if attempt.status != QuizAttempt.Status.ACTIVE:
            return redirect(attempt)
        return render(request, "quiz/abandon.html", {"attempt": attempt})
    if play.abandon(attempt):
        messages.info(request, "Quiz abandoned. It will not count anywhere.")
    return redirect("quiz:home")


@vary_on_headers("HX-Request")
@require_POST
def report(request, public_id, position: int):
    item = _owned_item(request, public_id, position)
    attempt = item.attempt
    template = "quiz/question.html"
    if not item.is_answered or item.question_id is None:
        message = "Answer the question before reporting it."
        if request.htmx:
            context = _question_context(attempt, item, report_error=message)
            return render(request, f"{template}#report", context, status=409)
        # The whole page would show the unanswered question: show only the message.
        context = _question_context(attempt, item, error=message, hidden=True)
        return render(request, template, context, status=409)
    form = ReportForm(request.POST)
    if rate_limited(request, "report"):
        form.add_error(None, "You are sending reports very fast. Please wait a minute.")
        context = _question_context(attempt, item, report_form=form)
        return render(request, _partial(request, template, "report"), context, status=429)
    if not form.is_valid():
        context = _question_context(attempt, item, report_form=form)
        return render(request, _partial(request, template, "report"), context, status=400)
    # One report per answered question: a second (a double click) changes nothing.
    Report.objects.file_once(
        item,
        player=visitor.player(request),
        reason=form.cleaned_data["reason"],
        note=form.cleaned_data["note"],
    )
    if not request.htmx:
        messages.success(request, "Thank you: an editor will look at this question.")
        return redirect("quiz:question", public_id=attempt.public_id, position=position)
    context = _question_context(attempt, item, reported=True)
    return render(request, f"{template}#report", context)


@require_GET
def about_scoring(request):
    return render(
        request,
        "quiz/about_scoring.html",
        {
            "base_points": play.BASE_POINTS,
            "bonus_percent": round(play.BONUS_SHARE * 100),
            "bonus_window": play.BONUS_WINDOW,
            "floor_base": play.READING_FLOOR_BASE,
            "chars_per_second": play.READING_CHARS_PER_SECOND,
        },
    )
