"""Playing a quiz: drawing questions, answering once, scoring, finishing, claiming.

Plain functions that views and tests call directly. Every write that could
race (a double click, a replayed request, two tabs) is a conditional UPDATE,
which works the same on SQLite (where select_for_update does nothing) and on
PostgreSQL.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import random
import secrets
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import connections, transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from quiz import prepared, rating
from quiz.models import (
    AttemptQuestion,
    Bank,
    Option,
    Player,
    Question,
    QuizAttempt,
    QuizDifficulty,
)

QUIZ_LENGTHS = (5, 10, 20)

# --- scoring -----------------------------------------------------------------

BASE_POINTS = {"easy": 100, "medium": 200, "hard": 300}
# The speed bonus is at most half the base points, earned in full when the
# answer comes right after the reading floor and falling linearly to zero
# BONUS_WINDOW seconds later.
BONUS_SHARE = 0.5
BONUS_WINDOW = 15.0
# Nobody reads a question and its options faster than this: 1 second plus one
# second per READING_CHARS_PER_SECOND characters. Answers faster than the floor
# still count, but earn no speed bonus.
READING_FLOOR_BASE = 1.0
READING_CHARS_PER_SECOND = 40.0
# Timed mode: each question allows this many seconds plus its reading floor,
# counted from when it is served. The server accepts answers up to LATE_GRACE
# after the deadline (the request's trip over a slow network), never later.
TIMED_SECONDS = 20.0
LATE_GRACE = timedelta(seconds=1)


def reading_floor(item: AttemptQuestion) -> float:
    chars = len(item.text) + sum(len(o["text"]) for o in item.options)
    return READING_FLOOR_BASE + chars / READING_CHARS_PER_SECOND


def time_allowed(item: AttemptQuestion) -> float:
    return TIMED_SECONDS + reading_floor(item)


def points_for(item: AttemptQuestion, correct: bool, elapsed: float) -> int:
    """Points for one answer: base by difficulty plus a capped speed bonus."""
    if not correct:
        return 0
    base = BASE_POINTS[item.difficulty]
    floor = reading_floor(item)
    if elapsed < floor:
        return base
    speed = max(0.0, 1.0 - (elapsed - floor) / BONUS_WINDOW)
    return base + round(base * BONUS_SHARE * speed)


# --- drawing questions -------------------------------------------------------

RECENT_ATTEMPTS = prepared.RECENT_QUIZZES  # 5: the owner's newest quizzes


class PoolTooSmall(Exception):
    def __init__(self, available: int, wanted: int):
        self.available = available
        self.wanted = wanted
        super().__init__(f"only {available} questions match, {wanted} wanted")


def candidate_questions(bank: Bank, difficulty: str, watched_through: int, category: str = ""):
    # published() joins the bank to check it is published; we hold the bank
    # already, so check it here and keep the draw query on one table's index.
    if not bank.is_published:
        return Question.objects.none()
    return (
        Question.objects.filter(status=Question.Status.PUBLISHED)
        .in_bank(bank)
        .for_difficulty(difficulty)
        .up_to_episode(watched_through)
        .in_category(category)
    )


def recently_seen_ids(player: Player | None, session_key: str) -> set[int]:
    """Questions served in the owner's last few attempts (RECENT_ATTEMPTS), as
    QuizAttempt.objects.owned_by would find them; SQL compiled once (quiz.prepared)."""
    if player is not None:
        rows = prepared.recent_questions_of_player.rows(player_id=player.pk)
    elif session_key:
        rows = prepared.recent_questions_of_session.rows(session_key=session_key)
    else:
        return set()
    return {row[0] for row in rows}


def _shuffled(rows: list, rng: random.Random):
    """Yield `rows` in random order, drawing randomness only for what is used
    (the same draws as rng.sample(rows, k) for the first k)."""
    pool = list(rows)
    for i in range(len(pool)):
        j = rng.randrange(len(pool) - i)
        yield pool[j]
        pool[j] = pool[len(pool) - i - 1]


def pick_distinct(
    rows,
    length: int,
    avoid=frozenset(),
    rng: random.Random | None = None,
    rank: Callable[[int, bool], tuple] | None = None,
) -> list[int]:
    """Pick up to `length` ids from (id, facts, mentions) rows, uniformly at
    random among the questions that fit, preferring ids not in `avoid`.

    `facts` are what a question asks, `mentions` what its wording, options and
    explanation reveal besides (quiz.generator). No two picked questions ask
    the same fact, and none mentions a fact another one asks: a quiz never
    repeats a fact or hands over an answer. Pure: the draw and the bank's
    simulations (quiz.bank_stats) both use it.

    `rank(id, avoided)` orders the rows in groups, taken in rank order and
    uniformly at random within each (an adaptive quiz ranks by distance
    band); by default the group of fresh rows, then the avoided ones.
    """
    rng = rng or random.Random(secrets.randbits(64))
    rank = rank or (lambda question_id, avoided: (avoided,))
    groups: dict[tuple, list] = {}
    for row in rows:
        groups.setdefault(rank(row[0], row[0] in avoid), []).append(row)
    picked: list[int] = []
    asked: set[str] = set()
    mentioned: set[str] = set()
    # Each group in random order (_shuffled draws randomness only for what is used).
    ordered = itertools.chain.from_iterable(_shuffled(groups[key], rng) for key in sorted(groups))
    for question_id, facts, *rest in ordered:
        if len(picked) == length:
            break
        facts = set(facts or ())
        mentions = set(rest[0] or ()) if rest else set()
        if facts & asked or facts & mentioned or mentions & asked:
            continue
        picked.append(question_id)
        asked |= facts
        mentioned |= mentions
    return picked


def _json_list(value) -> list:
    return json.loads(value) if isinstance(value, str) else list(value or ())


def _facts_of(ids: list[int], using: str) -> dict[int, tuple]:
    """(id, facts, mentions) of the window's questions, read by primary key so
    the walk along the draw index stays an index-only scan. Plain SQL: the
    ORM's query building and JSON field decoding cost more than the read."""
    if not ids:
        return {}
    table = connections[using].ops.quote_name(Question._meta.db_table)
    marks = ", ".join(["%s"] * len(ids))
    # The table name is the model's own and quoted; the ids are parameters.
    query = f"SELECT id, facts, mentions FROM {table} WHERE id IN ({marks})"  # noqa: S608
    with connections[using].cursor() as cursor:
        cursor.execute(query, ids)
        return {
            row[0]: (row[0], _json_list(row[1]), _json_list(row[2])) for row in cursor.fetchall()
        }


def draw_question_ids(
    candidates,
    length: int,
    avoid: Collection[int] = frozenset(),
    rng: random.Random | None = None,
    near: float | None = None,
) -> list[int]:
    """Pick `length` question ids, uniformly, no two about the same fact,
    preferring ids not in `avoid`; fewer only when the pool cannot fill a quiz.

    Each question carries an indexed uniform random_key. We read a window of
    consecutive keys from a random start (wrapping around once) and pick from
    it with pick_distinct: walks along question_draw_key_idx in key order,
    stopping after `window` matches, never ORDER BY RANDOM() or an OFFSET scan,
    so the cost does not grow with the bank (it grows with 1 / the share of the
    bank the filters keep); then one primary-key read of the window's facts
    (_facts_of).
    When shared facts leave the window short, it is read again four times
    wider, up to the whole pool.

    `near` (an adaptive quiz: the player's rating) draws first among the
    questions rated within rating.ADAPTIVE_WINDOWS[0] of it, then, only while
    the quiz is not full of fresh questions, within each wider window, and
    only while it is not full, from the whole pool: the same window walk per
    band, one pick_distinct over all the rows read (so the fact rules hold
    across bands) ranking fresh rows in the windows nearest first, then
    recently seen ones in the windows, then the rest of the pool.
    """
    rng = rng or random.Random(secrets.randbits(64))
    bands = [candidates]
    if near is not None:
        bands = [
            candidates.filter(rating__gte=near - width, rating__lte=near + width)
            for width in rating.ADAPTIVE_WINDOWS
        ] + [candidates]
    rows: dict[int, tuple] = {}
    tiers: dict[int, int] = {}
    last = len(bands) - 1

    def rank(question_id: int, avoided: bool) -> tuple:
        tier = tiers[question_id]
        return (tier == last > 0, avoided, tier)

    picked: list[int] = []
    for tier, pool in enumerate(bands):
        window = max(4 * length, length + len(avoid))
        start = rng.random()
        ordered = pool.order_by("random_key").values_list("id", flat=True)
        while True:
            ids = list(ordered.filter(random_key__gte=start)[:window])
            if len(ids) < window:
                ids += list(ordered.filter(random_key__lt=start)[: window - len(ids)])
            new = [i for i in ids if i not in rows]
            facts = _facts_of(new, candidates.db)
            for i in new:
                rows[i], tiers[i] = facts[i], tier
            picked = pick_distinct(list(rows.values()), length, avoid, rng, rank)
            if len(picked) == length and (tier + 1 >= last or not any(i in avoid for i in picked)):
                return picked
            if len(ids) < window:
                break
            window *= 4
    return picked


_SNAPSHOT_FIELDS = ("id", "text", "kind", "difficulty", "category", "spoiler_level", "explanation")


def _snapshots(ids: list[int], rng: random.Random, using: str) -> list[AttemptQuestion]:
    """The drawn questions as served, in draw order: wording, options in their
    served order with new random keys, the correct key.

    Two reads by primary key in plain SQL, as _facts_of: the questions' served
    fields, then their options in Option's order within each question (position,
    then id). Building the same two reads with the ORM cost a fifth of a start.
    """
    if not ids:
        return []
    connection = connections[using]
    qn = connection.ops.quote_name
    marks = ", ".join(["%s"] * len(ids))
    columns = ", ".join(qn(Question._meta.get_field(name).column) for name in _SNAPSHOT_FIELDS)
    option = {
        name: qn(Option._meta.get_field(name).column)
        for name in ("question", "text", "is_correct", "position", "id")
    }
    # Table and column names are the models' own, quoted; the ids are parameters.
    questions_sql = (
        f"SELECT {columns} FROM {qn(Question._meta.db_table)} WHERE {qn('id')} IN ({marks})"  # noqa: S608
    )
    options_sql = (
        f"SELECT {option['question']}, {option['text']}, {option['is_correct']} "  # noqa: S608
        f"FROM {qn(Option._meta.db_table)} WHERE {option['question']} IN ({marks}) "
        f"ORDER BY {option['question']}, {option['position']}, {option['id']}"
    )
    options: dict[int, list[tuple[str, bool]]] = {question_id: [] for question_id in ids}
    with connection.cursor() as cursor:
        cursor.execute(questions_sql, ids)
        questions = {row[0]: row for row in cursor.fetchall()}
        cursor.execute(options_sql, ids)
        for question_id, text, is_correct in cursor.fetchall():
            options[question_id].append((text, bool(is_correct)))
    return [
        _snapshot(questions[question_id], options[question_id], position, rng)
        for position, question_id in enumerate(ids)
    ]


def _snapshot(question: tuple, options: list, position: int, rng: random.Random) -> AttemptQuestion:
    question_id, text, kind, difficulty, category, spoiler_level, explanation = question
    if kind == Question.Kind.BOOLEAN:
        # True stays before False: shuffling a true/false pair only confuses.
        options.sort(key=lambda option: option[0] != "True")
    else:
        rng.shuffle(options)
    served = [{"key": secrets.token_urlsafe(9), "text": option[0]} for option in options]
    correct_key = next(s["key"] for s, o in zip(served, options, strict=True) if o[1])
    return AttemptQuestion(
        position=position,
        question_id=question_id,
        text=text,
        kind=kind,
        difficulty=difficulty,
        category=category,
        spoiler_level=spoiler_level,
        options=served,
        correct_key=correct_key,
        explanation=explanation,
    )


def start_quiz(
    *,
    bank: Bank,
    difficulty: str,
    watched_through: int,
    length: int,
    category: str = "",
    player: Player | None = None,
    session_key: str = "",
    allow_shorter: bool = False,
    mode: str = QuizAttempt.Mode.FREE,
    timed: bool = False,
    daily_date=None,
    question_ids: list[int] | None = None,
) -> QuizAttempt:
    """Create an attempt with its questions drawn and snapshotted.

    Raises PoolTooSmall when fewer questions match than asked for, unless
    allow_shorter, in which case the quiz has as many as there are. The
    daily challenge passes its own draw as question_ids; "I just watched
    episode k" (mode episode) draws only questions first revealed in episode k.
    """
    if difficulty not in QuizDifficulty.values:
        raise ValueError(f"unknown difficulty {difficulty!r}")
    if question_ids is None:
        candidates = candidate_questions(bank, difficulty, watched_through, category)
        if mode == QuizAttempt.Mode.EPISODE:
            candidates = candidates.revealed_in(watched_through)
        near = None
        if mode == QuizAttempt.Mode.ADAPTIVE:
            near = rating.adaptive_target(player, candidates)
        avoid = recently_seen_ids(player, session_key)
        ids = draw_question_ids(candidates, length, avoid, near=near)
    else:
        ids = question_ids[:length]
    asked = length
    if len(ids) < length:
        if not allow_shorter or not ids:
            raise PoolTooSmall(len(ids), length)
        length = len(ids)
    rng = random.Random(secrets.randbits(64))
    items = _snapshots(ids, rng, QuizAttempt.objects.db)
    with transaction.atomic():
        attempt = QuizAttempt.objects.create(
            player=player,
            session_key="" if player else session_key,
            bank=bank,
            difficulty=difficulty,
            watched_through=watched_through,
            category=category,
            length=length,
            mode=mode,
            timed=timed,
            daily_date=daily_date,
            shortened=length < asked,
        )
        for item in items:
            item.attempt = attempt
        prepared.insert_new(AttemptQuestion, items, using=QuizAttempt.objects.db)
    return attempt


def start_fixed_format(
    mode: str,
    bank: Bank,
    watched_through: int,
    length: int,
    player: Player | None,
    session_key: str,
    **extra,
) -> QuizAttempt:
    """A daily or episode quiz: mixed difficulty, up to `length` questions, whatever the pool."""
    return start_quiz(
        bank=bank,
        difficulty=QuizDifficulty.MIXED,
        watched_through=watched_through,
        length=length,
        player=player,
        session_key="" if player else session_key,
        allow_shorter=True,
        mode=mode,
        **extra,
    )


def category_counts(bank: Bank, difficulty: str, watched_through: int) -> dict[str, int]:
    """How many questions each category offers for these choices (one GROUP BY).

    Questions without a category count under "".
    """
    rows = (
        candidate_questions(bank, difficulty, watched_through)
        .order_by()
        .values_list("category")
        .annotate(n=Count("id"))
    )
    return dict(rows)


# --- answering ---------------------------------------------------------------


class AnswerRejected(Exception):
    """An answer that cannot be recorded; the message is shown to the player."""

    def __init__(self, message: str, status: int = 409):
        self.message = message
        self.status = status
        super().__init__(message)


@dataclass
class AnswerResult:
    item: AttemptQuestion
    recorded_now: bool  # False: it had been answered already; nothing changed
    finished: bool


def mark_served(item: AttemptQuestion, now: datetime | None = None) -> None:
    """Start the clock for this question the first time it is shown.

    In timed mode this also sets the question's deadline, once: reloading
    the page or opening it in another tab does not move it.
    """
    if item.served_at is None:
        now = now or timezone.now()
        fields = {"served_at": now}
        if item.attempt.timed:
            fields["deadline"] = now + timedelta(seconds=time_allowed(item))
        if AttemptQuestion.objects.filter(pk=item.pk, served_at__isnull=True).update(**fields):
            for name, value in fields.items():
                setattr(item, name, value)
        else:
            item.refresh_from_db(fields=["served_at", "deadline"])


def is_late(item: AttemptQuestion, now: datetime) -> bool:
    return item.deadline is not None and now > item.deadline + LATE_GRACE


def seconds_left(item: AttemptQuestion, now: datetime | None = None) -> float | None:
    """Seconds until the deadline of a timed question (None when untimed)."""
    if item.deadline is None:
        return None
    return max(0.0, (item.deadline - (now or timezone.now())).total_seconds())


def expire(attempt: QuizAttempt, item: AttemptQuestion, now: datetime | None = None) -> bool:
    """Record a timed question whose deadline passed unanswered as a time-out (once)."""
    now = now or timezone.now()
    if item.is_answered or not is_late(item, now):
        return False
    try:
        return answer(attempt, item, None, now=now).recorded_now
    except AnswerRejected:
        return False


def answer(
    attempt: QuizAttempt,
    item: AttemptQuestion,
    chosen_key: str | None,
    now: datetime | None = None,
) -> AnswerResult:
    """Record the answer to `item`, once.

    A second submit for an answered question changes nothing and returns the
    recorded result. Answers for a question that is not the current one, or
    was never served (its clock has not started), or to a finished or
    abandoned attempt, are rejected. After a timed question's deadline any
    answer is recorded as a time-out: wrong, 0 points, no option (chosen_key
    None asks for exactly that, and only then).
    """
    if item.is_answered:
        return AnswerResult(item, recorded_now=False, finished=attempt.is_finished)
    if attempt.status != QuizAttempt.Status.ACTIVE:
        raise AnswerRejected("This quiz is over: no more answers are taken.")
    if item.position != attempt.answered_count:
        raise AnswerRejected("That is not the current question of this quiz.")
    if item.served_at is None:
        # The clock starts when the question is shown: an answer to a question
        # never shown would have no time (or the reading time of a peek).
        raise AnswerRejected("Open this question before answering it.")
    now = now or timezone.now()
    late = is_late(item, now)
    if not late and chosen_key not in {o["key"] for o in item.options}:
        raise AnswerRejected("Please choose one of the options.", status=400)

    served_at = item.served_at
    if late:
        chosen_key, correct, points = "", False, 0
        elapsed = max(0.0, (item.deadline - served_at).total_seconds())
    else:
        elapsed = max(0.0, (now - served_at).total_seconds())
        correct = chosen_key == item.correct_key
        points = points_for(item, correct, elapsed)
    finishing = item.position + 1 >= attempt.length
    finish_fields = {}
    if finishing:
        finish_fields = {
            "status": QuizAttempt.Status.FINISHED,
            "finished_at": now,
            "share_token": new_share_token(),
            "rated_for_player": attempt.player_id is not None,
        }

    # One statement needs no transaction of its own (PostgreSQL, not finishing):
    # two round trips fewer (BEGIN, COMMIT) on most answers.
    alone = not finishing and prepared.answer_is_one_statement(QuizAttempt.objects.db)
    with contextlib.nullcontext() if alone else transaction.atomic():
        # The attempt row moves forward only from this exact position: of two
        # concurrent submits, one updates a row and the other updates none.
        # (quiz.prepared: the two guarded UPDATEs as SQL built once.)
        claimed = prepared.claim_answer(
            attempt,
            item,
            now=now,
            chosen_key=chosen_key,
            correct=correct,
            points=points,
            elapsed=elapsed,
            finish_fields=finish_fields,
        )
        if claimed:
            # The conditional update succeeded from known values: mirror it in
            # memory instead of reading the rows back.
            attempt.answered_count = item.position + 1
            attempt.score += points
            attempt.correct_count += 1 if correct else 0
            attempt.seconds += elapsed
            item.answered_at, item.chosen_key = now, chosen_key
            item.is_correct, item.points = correct, points
            if finishing:
                for name, value in finish_fields.items():
                    setattr(attempt, name, value)
                rated = rating.rate_quiz(attempt)
                if item.question_id in rated and AttemptQuestion.question.is_cached(item):
                    # The feedback's "n % got this right" counts this quiz now.
                    for name in ("answer_count", "correct_count", "rating", "rated_answers"):
                        setattr(item.question, name, getattr(rated[item.question_id], name))
                _on_finish(attempt)
    if not claimed:
        # Another submit got there first (or the quiz moved on): report what
        # is recorded, change nothing.
        item.refresh_from_db()
        if not item.is_answered:
            raise AnswerRejected("That is not the current question of this quiz.")
        attempt.refresh_from_db()
        return AnswerResult(item, recorded_now=False, finished=attempt.is_finished)
    return AnswerResult(item, recorded_now=True, finished=finishing)


def new_share_token() -> str:
    return secrets.token_urlsafe(12)


def _on_finish(attempt: QuizAttempt) -> None:
    from quiz import leaderboard

    transaction.on_commit(lambda: leaderboard.result_finished(attempt))


# --- leaving, claiming, cleaning up -----------------------------------------


def abandon(attempt: QuizAttempt) -> bool:
    return bool(
        QuizAttempt.objects.filter(pk=attempt.pk, status=QuizAttempt.Status.ACTIVE).update(
            status=QuizAttempt.Status.ABANDONED
        )
    )


def claim_attempts(public_ids: list[str], player: Player) -> int:
    """Give a new account the anonymous attempts its session played."""
    from quiz import leaderboard

    with transaction.atomic():
        attempts = list(
            QuizAttempt.objects.filter(public_id__in=public_ids, player__isnull=True).exclude(
                status=QuizAttempt.Status.ABANDONED
            )
        )
        # A daily challenge the player already played (same day and level)
        # stays with the browser: one counted attempt per player and day.
        taken = set(
            QuizAttempt.objects.filter(player=player, mode=QuizAttempt.Mode.DAILY).values_list(
                "daily_date", "watched_through"
            )
        )
        attempts = [
            a
            for a in attempts
            if a.mode != QuizAttempt.Mode.DAILY or (a.daily_date, a.watched_through) not in taken
        ]
        QuizAttempt.objects.filter(pk__in=[a.pk for a in attempts]).update(
            player=player, session_key=""
        )
        finished = [a.pk for a in attempts if a.status == QuizAttempt.Status.FINISHED]
        if finished:
            transaction.on_commit(
                lambda: [
                    leaderboard.attempt_changed(a)
                    for a in QuizAttempt.objects.filter(pk__in=finished)
                ]
            )
    return len(attempts)


STALE_AFTER = timedelta(days=7)


def clean_up(now: datetime | None = None) -> tuple[int, int]:
    """Abandon attempts idle for a week, then delete abandoned attempts.

    Idle means nothing happened for a week: not started, no question shown,
    none answered (a quiz started long ago but played today is not idle).
    Returns (abandoned now, deleted).
    """
    now = now or timezone.now()
    cutoff = now - STALE_AFTER
    recent = AttemptQuestion.objects.filter(attempt=OuterRef("pk")).filter(
        Q(served_at__gte=cutoff) | Q(answered_at__gte=cutoff)
    )
    stale = QuizAttempt.objects.active().filter(started_at__lt=cutoff).exclude(Exists(recent))
    abandoned = stale.update(status=QuizAttempt.Status.ABANDONED)
    # A daily challenge left today or yesterday stays, so leaving it and
    # waiting for the clean-up cannot buy a second attempt at the same day.
    recent_daily = Q(mode=QuizAttempt.Mode.DAILY, daily_date__gte=(now - timedelta(days=1)).date())
    _, per_model = (
        QuizAttempt.objects.filter(status=QuizAttempt.Status.ABANDONED)
        .exclude(recent_daily)
        .delete()
    )
    return abandoned, per_model.get("quiz.QuizAttempt", 0)
