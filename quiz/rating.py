"""Calibrated difficulty: an Elo-style rating for every player and every question.

The model is the one Pelánek recommends for adaptive practice ("Applications
of the Elo rating system in adaptive educational systems", Computers &
Education 2016): a player of rating p answers a question of rating q right with
probability

    expected(p, q) = 1 / (1 + 10 ** ((q - p) / SCALE))

and after the answer both ratings move by K * (outcome - expected), in opposite
directions (a question gets harder when it is missed). K shrinks with the number
of answers a rating has seen, K(n) = K_MAX / (1 + K_DECAY * n), his
"uncertainty function": new ratings move fast, settled ones slowly.
A question's rating is its calibrated difficulty, on the same scale as the
players' skill (0 = where everyone starts).

Which answers count (the same rules here, in rate_quiz and in recalibrate):
- only answers in finished quizzes, applied once when the quiz finishes, in
  position order; an abandoned quiz never counts;
- every mode counts (free, timed, daily, one episode, adaptive), voided
  quizzes too (voiding is about leaderboards, the answers were real);
- a timed-out answer counts as wrong (the player did not know it in time);
- an anonymous quiz moves its questions' ratings with the player taken at
  ANONYMOUS_RATING (where every player starts) and stores no player rating.
  The attempt records whether a player was rated (rated_for_player), so a quiz
  claimed by a new account after it finished is replayed the same way;
- an answer whose question was deleted since is skipped.

The constants are tuned with benchmarks/calibration.py (see the README).
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Case, CharField, Count, Value, When

from quiz.models import AttemptQuestion, Difficulty, Player, Question, QuizAttempt

SCALE = 400.0
# One logit unit is SCALE / ln 10 = 173.7 rating points: K_MAX = 173.7 is
# Pelánek's alpha = 1, K_DECAY his beta.
K_MAX = 173.7
K_DECAY = 0.2
ANONYMOUS_RATING = 0.0

# A question's calibrated difficulty is shown, and compared with its label,
# only once it has this many rated answers. benchmarks/calibration.py (the
# real bank, 5,000 simulated players): the rank correlation with the true
# difficulty reaches 0.8 at 15-20 answers per question, at 25-30 when the
# labels are already good (true difficulty spread 0.5 around them); from 30 it
# is 0.84 or more in every run of both.
CALIBRATED_MIN_ANSWERS = 30


@dataclass
class Rating:
    value: float = 0.0
    answers: int = 0


def expected(player: float, question: float) -> float:
    """Probability that a player rated `player` answers a question rated `question` right."""
    return 1.0 / (1.0 + 10.0 ** ((question - player) / SCALE))


def k_factor(answers: int) -> float:
    return K_MAX / (1.0 + K_DECAY * answers)


def update(player: Rating | None, question: Rating, correct: bool) -> None:
    """Move both ratings after one answer (in place). player None: anonymous."""
    skill = player.value if player is not None else ANONYMOUS_RATING
    surprise = (1.0 if correct else 0.0) - expected(skill, question.value)
    question.value -= k_factor(question.answers) * surprise
    question.answers += 1
    if player is not None:
        player.value += k_factor(player.answers) * surprise
        player.answers += 1


def rate_answers(player: Rating | None, answers: Iterable[tuple[Rating, bool]]) -> None:
    """One quiz's answers, in order: the single code path of play, recalibrate and the benchmark."""
    for question, correct in answers:
        update(player, question, correct)


# --- calibrated bands ---------------------------------------------------------
#
# Ratings live on the players' scale: guessing, and anonymous players taken at
# the starting rating, shift every question's rating, so a fixed cut (easy
# below -100…) would call most questions easy. The calibrated difficulty is
# instead a rank: order the calibrated questions by rating and cut the order
# where their labels cut it. If the bank holds 30 % easy, 42 % medium and 28 %
# hard questions among those calibrated, the 30 % rated lowest are
# "calibrated easy" and so on: a label disagrees when players rank the
# question in another third than its label, and adopting the calibrated
# labels keeps the bank's mix of difficulties (the pools players draw from).


@dataclass(frozen=True)
class Bands:
    """Calibrated easy: rating below easy_below; hard: above hard_above; else medium."""

    easy_below: float
    hard_above: float

    def of(self, rating: float) -> str:
        if rating < self.easy_below:
            return Difficulty.EASY
        if rating > self.hard_above:
            return Difficulty.HARD
        return Difficulty.MEDIUM


def bands_from(ratings, count: int, easy: int, hard: int) -> Bands:
    """Cut `ratings` (sorted, `count` of them; a list or a queryset read by offset)
    so that the `easy` lowest are easy and the `hard` highest are hard."""
    return Bands(
        ratings[easy] if easy < count else math.inf,
        ratings[count - hard - 1] if hard < count else -math.inf,
    )


def calibrated_bands() -> Bands | None:
    """The bands over every calibrated question; None while no question is calibrated.

    Three queries: the labels' counts and the two cut points (read by offset).
    """
    calibrated = Question.objects.filter(rated_answers__gte=CALIBRATED_MIN_ANSWERS)
    labels = dict(calibrated.order_by().values_list("difficulty").annotate(n=Count("pk")))
    count = sum(labels.values())
    if not count:
        return None
    ordered = calibrated.order_by("rating", "pk").values_list("rating", flat=True)
    return bands_from(
        ordered, count, labels.get(Difficulty.EASY, 0), labels.get(Difficulty.HARD, 0)
    )


def calibrated_difficulty(question: Question, bands: Bands | None) -> str | None:
    """The band players' answers put the question in; None until it has enough answers."""
    if bands is None or question.rated_answers < CALIBRATED_MIN_ANSWERS:
        return None
    return bands.of(question.rating)


def calibrated_expression(bands: Bands | None):
    """A question's calibrated difficulty in SQL ("" while it has too few answers)."""
    if bands is None:
        return Value("")
    whens = [When(rated_answers__lt=CALIBRATED_MIN_ANSWERS, then=Value(""))]
    if bands.easy_below != math.inf:
        whens.append(When(rating__lt=bands.easy_below, then=Value(Difficulty.EASY)))
    else:
        whens.append(When(rating__isnull=False, then=Value(Difficulty.EASY)))
    if bands.hard_above != -math.inf:
        whens.append(When(rating__gt=bands.hard_above, then=Value(Difficulty.HARD)))
    else:
        whens.append(When(rating__isnull=False, then=Value(Difficulty.HARD)))
    return Case(*whens, default=Value(Difficulty.MEDIUM), output_field=CharField())


# --- the database side ----------------------------------------------------------


def rate_quiz(attempt: QuizAttempt) -> dict[int, RatedQuestion]:
    """Rate a quiz that has just finished: call inside the finishing transaction.

    Adds its answers to the questions' answer and correct counts too. Four
    statements whatever the quiz length: a locked read of the questions with
    the quiz's answers, a locked read of the player, one UPDATE run for every
    question (executemany) and one of the player.
    Returns the questions as written (id -> RatedQuestion).
    """
    # The quiz's answers with their questions, locked: one row per answered
    # question (a quiz never holds a question twice). Locked in id order, then
    # replayed in position order. Plain SQL written once: the ORM spent more
    # building these two reads than the database spends running them.
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    with connection.cursor() as cursor:
        cursor.execute(_READ_QUESTIONS + (" FOR UPDATE OF q" if lock else ""), [attempt.pk])
        questions = [RatedQuestion(*row) for row in cursor.fetchall()]
        if not questions:
            return {}
        questions.sort(key=lambda question: question.answered_position)
        player = None
        if attempt.rated_for_player and attempt.player_id:
            cursor.execute(_READ_PLAYER + lock, [attempt.player_id])
            found = cursor.fetchone()
            player = Rating(*found) if found else None
    ratings = [Rating(question.rating, question.rated_answers) for question in questions]
    rate_answers(
        player,
        ((r, bool(q.answered_right)) for r, q in zip(ratings, questions, strict=True)),
    )
    for r, question in zip(ratings, questions, strict=True):
        question.rating, question.rated_answers = r.value, r.answers
        question.answer_count += 1
        question.correct_count += 1 if question.answered_right else 0
    # One statement prepared once and run for every question (executemany: one
    # call into SQLite, one pipelined round trip on PostgreSQL). The ORM's
    # bulk_update built a CASE per field and question, three quarters of a
    # finishing answer's cost.
    with connection.cursor() as cursor:
        cursor.executemany(_UPDATE_QUESTION, [_question_values(q) for q in questions])
        if player is not None:
            cursor.execute(_UPDATE_PLAYER, [player.value, player.answers, attempt.player_id])
    return {question.pk: question for question in questions}


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


_READ_QUESTIONS = (
    "SELECT q.id, q.rating, q.rated_answers, q.answer_count, q.correct_count, "  # noqa: S608
    f"a.position, a.is_correct FROM {_table(Question)} q "
    f"JOIN {_table(AttemptQuestion)} a ON a.question_id = q.id "
    "WHERE a.attempt_id = %s AND a.answered_at IS NOT NULL ORDER BY q.id"
)
_READ_PLAYER = f"SELECT rating, rated_answers FROM {_table(Player)} WHERE id = %s"  # noqa: S608


@dataclass
class RatedQuestion:
    """A question of a finished quiz as rate_quiz reads and writes it."""

    pk: int
    rating: float
    rated_answers: int
    answer_count: int
    correct_count: int
    answered_position: int
    answered_right: bool | None


_UPDATE_QUESTION = (
    f"UPDATE {_table(Question)} SET rating = %s, rated_answers = %s, "  # noqa: S608
    "answer_count = %s, correct_count = %s WHERE id = %s"
)
_UPDATE_PLAYER = f"UPDATE {_table(Player)} SET rating = %s, rated_answers = %s WHERE id = %s"  # noqa: S608


def _question_values(question: Question) -> list:
    return [
        question.rating,
        question.rated_answers,
        question.answer_count,
        question.correct_count,
        question.pk,
    ]


@dataclass
class Recalibration:
    quizzes: int
    answers: int
    questions: int
    players: int


RECALIBRATE_BATCH = 500


def recalibrate() -> Recalibration:
    """Recompute every rating and answer count from the stored answers of finished quizzes.

    Replays the quizzes in (finished_at, id) order through rate_answers, the
    code that rated them when they finished, so it reproduces the incremental
    ratings exactly (the float values, not just nearly). One transaction: the
    questions' and players' rows are locked first, so a quiz finishing
    meanwhile waits and is rated on top of the result.
    """
    with transaction.atomic():
        # rate_quiz's order: questions, then the player.
        list(Question.objects.select_for_update().order_by("pk").values_list("pk"))
        list(Player.objects.select_for_update().order_by("pk").values_list("pk"))
        players: dict[int, Rating] = {}
        questions: dict[int, Rating] = {}
        right: dict[int, int] = {}
        rows = (
            AttemptQuestion.objects.filter(
                attempt__status=QuizAttempt.Status.FINISHED,
                answered_at__isnull=False,
                question__isnull=False,
            )
            .order_by("attempt__finished_at", "attempt_id", "position")
            .values_list(
                "attempt_id",
                "attempt__player_id",
                "attempt__rated_for_player",
                "question_id",
                "is_correct",
            )
        )
        quizzes = answers = 0
        current = None
        for attempt_id, player_id, rated_for_player, question_id, correct in rows.iterator(
            chunk_size=2000
        ):
            if attempt_id != current:
                current, quizzes = attempt_id, quizzes + 1
            player = None
            if rated_for_player and player_id is not None:
                player = players.setdefault(player_id, Rating())
            question = questions.setdefault(question_id, Rating())
            update(player, question, bool(correct))
            right[question_id] = right.get(question_id, 0) + (1 if correct else 0)
            answers += 1

        Question.objects.update(rating=0.0, rated_answers=0, answer_count=0, correct_count=0)
        Player.objects.update(rating=0.0, rated_answers=0)
        Question.objects.bulk_update(
            [
                Question(
                    pk=pk,
                    rating=r.value,
                    rated_answers=r.answers,
                    answer_count=r.answers,
                    correct_count=right[pk],
                )
                for pk, r in questions.items()
            ],
            ["rating", "rated_answers", "answer_count", "correct_count"],
            batch_size=RECALIBRATE_BATCH,
        )
        Player.objects.bulk_update(
            [Player(pk=pk, rating=r.value, rated_answers=r.answers) for pk, r in players.items()],
            ["rating", "rated_answers"],
            batch_size=RECALIBRATE_BATCH,
        )
    return Recalibration(quizzes, answers, len(questions), len(players))


# --- adaptive quizzes ------------------------------------------------------------

# The adaptive draw looks for questions within these distances of the player's
# rating, the next one only when the nearer ones cannot fill the quiz.
ADAPTIVE_WINDOWS = (100.0, 200.0, 400.0)


def median_rating(candidates) -> float:
    """The median rating of these questions (0 when there are none): a newcomer's level."""
    ratings = candidates.order_by("rating").values_list("rating", flat=True)
    count = ratings.count()
    if not count:
        return ANONYMOUS_RATING
    middle = list(ratings[(count - 1) // 2 : count // 2 + 1])
    return statistics.fmean(middle)


def adaptive_target(player: Player | None, candidates) -> float:
    """The rating an adaptive quiz aims at: the player's own once they have answered
    anything, else (anonymous players, newcomers) the median of the questions they can get."""
    if player is not None and player.rated_answers:
        return player.rating
    return median_rating(candidates)
