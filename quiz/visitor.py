"""The visitor behind a request: their player if signed in, else their session.

Everything this app keeps in the session lives here: the watched level an
anonymous visitor last chose, and the quizzes they played anonymously, which
become their player's when they sign up or log in.
"""

from __future__ import annotations

from quiz import play
from quiz.models import MAX_SPOILER_LEVEL, Player, QuizAttempt

SESSION_WATCHED = "watched_through"
SESSION_ANON_ATTEMPTS = "anon_attempts"
# How many anonymous quizzes a session remembers for claiming (the newest).
ANON_ATTEMPTS_KEPT = 20


def player(request) -> Player | None:
    """The signed-in visitor's player (created on first need); None when anonymous."""
    if request.user.is_authenticated:
        return Player.objects.for_user(request.user)
    return None


def attempts(request):
    """The attempts this visitor may open (see QuizAttemptQuerySet.owned_by)."""
    return QuizAttempt.objects.owned_by(request.user, request.session.session_key)


def remembered_watched(request) -> int | None:
    """The watched level to preselect: the player's, else this session's."""
    visitor = player(request)
    if visitor is not None and visitor.watched_through is not None:
        return visitor.watched_through
    value = request.session.get(SESSION_WATCHED)
    return value if isinstance(value, int) and 0 <= value <= MAX_SPOILER_LEVEL else None


def remember_watched(request, watched: int) -> None:
    visitor = player(request)
    if visitor is not None:
        if visitor.watched_through != watched:
            visitor.watched_through = watched
            visitor.save(update_fields=["watched_through"])
    else:
        request.session[SESSION_WATCHED] = watched


def remember_anonymous_attempt(request, attempt: QuizAttempt) -> None:
    """Note an anonymous quiz so that signing up or logging in keeps it."""
    kept = request.session.get(SESSION_ANON_ATTEMPTS, [])[-(ANON_ATTEMPTS_KEPT - 1) :]
    request.session[SESSION_ANON_ATTEMPTS] = [*kept, str(attempt.public_id)]


def claim_session_attempts(request, player: Player) -> int:
    """After sign-up or log-in: this browser's anonymous quizzes become the player's."""
    ids = request.session.pop(SESSION_ANON_ATTEMPTS, [])
    if not ids:
        return 0
    return play.claim_attempts(ids, player)
