"""The visitor behind a request: their player if signed in, else their session.

Everything this app keeps in the session lives here: the watched level,
difficulty and length an anonymous visitor last chose, and the quizzes they played anonymously, which
become their player's when they sign up or log in.
"""

from __future__ import annotations

from quiz import play
from quiz.models import MAX_SPOILER_LEVEL, Player, QuizAttempt, QuizDifficulty

SESSION_WATCHED = "watched_through"
SESSION_DIFFICULTY = "difficulty"
SESSION_LENGTH = "length"
SESSION_ANON_ATTEMPTS = "anon_attempts"
# How many anonymous quizzes a session remembers for claiming (the newest).
ANON_ATTEMPTS_KEPT = 20
# QuizDifficulty.values builds its list anew from the enum's members on every use
# (a third of a home page's remembered choices).
_DIFFICULTIES = frozenset(QuizDifficulty.values)


def player(request) -> Player | None:
    """The signed-in visitor's player (created on first need); None when anonymous."""
    if request.user.is_authenticated:
        return Player.objects.for_user(request.user)
    return None


def existing_player(request) -> Player | None:
    """The signed-in visitor's player if they have one (never created: for pages a GET shows).

    quiz.auth.PlayerBackend reads the player with the user, so this costs no query.
    """
    if not request.user.is_authenticated:
        return None
    try:
        return request.user.player
    except Player.DoesNotExist:
        return None


def attempts(request):
    """The attempts this visitor may open (see QuizAttemptQuerySet.owned_by)."""
    return QuizAttempt.objects.owned_by(request.user, request.session.session_key)


def _valid_choices(watched, difficulty, length) -> dict:
    """The start-form choices that are still valid values (stored ones may be stale)."""
    choices = {}
    if isinstance(watched, int) and 0 <= watched <= MAX_SPOILER_LEVEL:
        choices["watched_through"] = watched
    if isinstance(difficulty, str) and difficulty in _DIFFICULTIES:  # a set needs it hashable
        choices["difficulty"] = difficulty
    if length in play.QUIZ_LENGTHS:
        choices["length"] = length
    return choices


def _session_choices(request) -> dict:
    session = request.session
    return _valid_choices(
        session.get(SESSION_WATCHED), session.get(SESSION_DIFFICULTY), session.get(SESSION_LENGTH)
    )


def remembered_choices(request) -> dict:
    """The start form's last choices to preselect: the player's, else this session's.

    Keys watched_through, difficulty and length, each only when known.
    """
    visitor = player(request)
    if visitor is not None:
        return _valid_choices(visitor.watched_through, visitor.difficulty, visitor.quiz_length)
    return _session_choices(request)


def remembered_watched(request) -> int | None:
    return remembered_choices(request).get("watched_through")


def remember_watched(request, watched: int) -> None:
    """Remember how far the visitor has watched, leaving difficulty and length as they are."""
    visitor = player(request)
    if visitor is None:
        request.session[SESSION_WATCHED] = watched
    elif visitor.watched_through != watched:
        visitor.watched_through = watched
        visitor.save(update_fields=["watched_through"])


def remember_choices(request, *, watched: int, difficulty: str, length: int) -> None:
    visitor = player(request)
    if visitor is None:
        request.session[SESSION_WATCHED] = watched
        request.session[SESSION_DIFFICULTY] = difficulty
        request.session[SESSION_LENGTH] = length
        return
    new = {"watched_through": watched, "difficulty": difficulty, "quiz_length": length}
    changed = [name for name, value in new.items() if getattr(visitor, name) != value]
    if changed:
        for name in changed:
            setattr(visitor, name, new[name])
        visitor.save(update_fields=changed)


def keep_session_choices(request, player: Player) -> None:
    """After sign-up or log-in: choices made in this browser fill the player's blanks.

    So the profile knows how far a new player has watched, and the next quiz
    starts with the difficulty and length they just played.
    """
    fields = {
        "watched_through": "watched_through",
        "difficulty": "difficulty",
        "length": "quiz_length",
    }
    changed = []
    for key, value in _session_choices(request).items():
        name = fields[key]
        if getattr(player, name) in (None, ""):
            setattr(player, name, value)
            changed.append(name)
    if changed:
        player.save(update_fields=changed)


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
