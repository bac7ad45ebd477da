"""The hot path's SQL, built once per process instead of on every request.

Building and compiling a QuerySet costs Django far more than SQLite or
PostgreSQL spend running it: on a question page, about a third of all the
work. The few queries every play request runs are therefore compiled once
(by the ORM, from an ordinary QuerySet, so the SQL is exactly what the ORM
would send) and then only executed with new values: through Django's own
cursor, so query logging, execute wrappers and connection health checks all
still apply, and read back into model instances by Django's own converters and
Model.from_db, so the objects are the ones the QuerySet would have returned.

The two guarded UPDATEs of an answer are written out here once for the same
reason; their WHERE clauses are the double-submit guarantee and are the ORM
version's, word for word.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from django.contrib.auth import get_user_model
from django.db import connections
from django.db.models import F, Field, FilteredRelation, Q, QuerySet
from django.db.models.query import ModelIterable, _get_from_db, get_related_populators

from quiz.models import AttemptQuestion, Bank, Player, QuizAttempt
from quiz.sql import NAMES, named_params, named_placeholders


class Compiled:
    """A QuerySet compiled once per database; `first(**values)` runs it with new values.

    `build(**sentinels)` returns the QuerySet; each keyword names a model field
    and a sentinel value that must appear exactly once among the compiled
    parameters, so each call knows where its values go.
    """

    def __init__(self, build: Callable[..., QuerySet], **params: tuple[Field, Any]):
        self.build = build
        self.params = params
        self._plans: dict[str, tuple] = {}
        self._lock = threading.Lock()

    def _plan(self, using: str) -> tuple:
        plan = self._plans.get(using)
        if plan is not None:
            return plan
        with self._lock:
            connection = connections[using]
            queryset = self.build(**{name: value for name, (_, value) in self.params.items()})
            compiler = queryset.query.get_compiler(using=using)
            sql, params = compiler.as_sql()
            sql = _named_placeholders(sql, len(params))
            params = list(params)
            slots = []
            for name, (field, sentinel) in self.params.items():
                prepared = field.get_db_prep_value(sentinel, connection, prepared=False)
                where = [i for i, value in enumerate(params) if value == prepared]
                if len(where) != 1:
                    raise ValueError(f"sentinel for {name} found {len(where)} times in {params}")
                slots.append((where[0], name, field))
            select, klass_info = compiler.select, compiler.klass_info
            converters = list(compiler.get_converters([column[0] for column in select]).items())
            if queryset._iterable_class is not ModelIterable:  # values_list(): rows, no instances
                plan = (sql, params, slots, converters, None, None, None, None, ())
                self._plans[using] = plan
                return plan
            start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
            init_list = [column[0].target.attname for column in select[start:end]]
            fetch_mode = queryset._fetch_mode
            plan = (
                sql,
                params,
                slots,
                converters,
                _get_from_db(klass_info["model"], fetch_mode),
                init_list,
                (start, end),
                get_related_populators(klass_info, select, using, fetch_mode),
                # Annotations, set on each instance as ModelIterable sets them.
                tuple(compiler.annotation_col_map.items()),
            )
            self._plans[using] = plan
            return plan

    def all(self, using: str = "default", **values) -> list:
        """Every matching instance, in the QuerySet's order."""
        return self._run(using, values, many=True)

    def first(self, using: str = "default", **values):
        """The first matching instance (with its select_related objects), or None."""
        rows = self._run(using, values, many=False)
        return rows[0] if rows else None

    def rows(self, using: str = "default", **values) -> list[list]:
        """Every matching row of a values_list() QuerySet, converted as the ORM converts."""
        return self._run(using, values, many=True)

    def _run(self, using: str, values: dict, *, many: bool) -> list:
        sql, params, slots, converters, from_db, init_list, span, populators, annotations = (
            self._plan(using)
        )
        connection = connections[using]
        params = list(params)
        for index, name, field in slots:
            params[index] = field.get_db_prep_value(values[name], connection, prepared=False)
        params = dict(zip(_NAMES[: len(params)], params, strict=True))
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall() if many else cursor.fetchmany(1)
        objects = []
        for row in rows:
            row = list(row)
            for position, (functions, expression) in converters:
                value = row[position]
                for function in functions:
                    value = function(value, expression, connection)
                row[position] = value
            if from_db is None:
                objects.append(row)
                continue
            start, end = span
            obj = from_db(using, init_list, row[start:end])
            for populator in populators:
                populator.populate(row, obj)
            for name, position in annotations:
                setattr(obj, name, row[position])
            objects.append(obj)
        return objects


# Named placeholders: see quiz.sql.
_NAMES = NAMES
_named_placeholders = named_placeholders


def _field(model, name: str) -> Field:
    return model._meta.get_field(name)


_UUID = "00000000-0000-4000-8000-00000000cafe"
# The item and its attempt whole; of the question only the counters the feedback
# ("n % got this right") and rating read: the item carries its own copy of the
# text, options and explanation, and converting the question's JSON and dates on
# every question page and answer cost a sixth of the query.
_QUESTION_COUNTERS = (
    "question__answer_count",
    "question__correct_count",
    "question__rating",
    "question__rated_answers",
)


def _item_reading(attempt_fields) -> QuerySet:
    return (
        AttemptQuestion.objects.select_related("attempt", "question")
        .only(
            *(f.name for f in AttemptQuestion._meta.concrete_fields),
            *(f"attempt__{name}" for name in attempt_fields),
            *_QUESTION_COUNTERS,
        )
        .order_by()
    )


_ITEM = _item_reading(f.name for f in QuizAttempt._meta.concrete_fields)

# What a question page's GET reads of the attempt: the card (question.html), the
# view's checks and mark_served. 11 of its 23 columns: each column read costs SQLite
# and the ORM about 5,000 instructions. The answer reads the attempt whole (it may
# finish the quiz: the rating and the boards read the rest), and so does a GET that
# records a time-out (views.play.question reads the item again, whole, first).
SHOWN_ATTEMPT_FIELDS = (
    "id",
    "public_id",
    "player",
    "session_key",
    "status",
    "length",
    "answered_count",
    "score",
    "watched_through",
    "timed",
    "mode",
)
_ITEM_SHOWN = _item_reading(SHOWN_ATTEMPT_FIELDS)


def _of_player(base: QuerySet):
    return lambda public_id, position, player_id: base.filter(
        attempt__public_id=public_id, position=position, attempt__player_id=player_id
    )[:1]


def _with_user(base: QuerySet):
    def reading(public_id, position, user_id):
        return (
            base.select_related("attempt__player__user")
            .only(
                *base.query.deferred_loading[0],
                "attempt__player__user__password",
                "attempt__player__user__is_active",
            )
            .filter(
                attempt__public_id=public_id, position=position, attempt__player__user_id=user_id
            )[:1]
        )

    return reading


def _of_session(base: QuerySet):
    return lambda public_id, position, session_key: base.filter(
        attempt__public_id=public_id,
        position=position,
        attempt__player__isnull=True,
        attempt__session_key=session_key,
    )[:1]


_ITEM_PARAMS = {
    "public_id": (_field(QuizAttempt, "public_id"), _UUID),
    "position": (_field(AttemptQuestion, "position"), 987),
}
_PLAYER_ID = (_field(QuizAttempt, "player"), 987654321)
_USER_ID = (_field(Player, "user"), 987654321)
_SESSION_KEY = (_field(QuizAttempt, "session_key"), "sentinel-session-key")

# One question of a quiz with its attempt and its question (whose answer counts the
# feedback shows), for its signed-in owner (by player)
# or its anonymous owner (a session no player has claimed): the same rows as
# AttemptQuestion.objects.filter(attempt__in=visitor.attempts(request)).
item_of_player = Compiled(_of_player(_ITEM), **_ITEM_PARAMS, player_id=_PLAYER_ID)

# The same item for the user a session names, read with that user (item.attempt.player.user):
# a signed-in question page or answer loads its user from this row (quiz.auth.supplying)
# instead of a query of its own. Of the user and the player only what Django's checks
# read (the password for the session hash, is_active) and the ids: each column
# costs SQLite and the ORM about 5,000 instructions a read (67 columns were 0.11 M
# of every question page and answer), and neither page shows the user. Any other
# field is read from the database on first use, as with any deferred field.
item_with_user = Compiled(_with_user(_ITEM), **_ITEM_PARAMS, user_id=_USER_ID)
item_of_session = Compiled(_of_session(_ITEM), **_ITEM_PARAMS, session_key=_SESSION_KEY)

# The same three for a question page's GET, with the attempt's SHOWN_ATTEMPT_FIELDS.
shown_item_of_player = Compiled(_of_player(_ITEM_SHOWN), **_ITEM_PARAMS, player_id=_PLAYER_ID)
shown_item_with_user = Compiled(_with_user(_ITEM_SHOWN), **_ITEM_PARAMS, user_id=_USER_ID)
shown_item_of_session = Compiled(_of_session(_ITEM_SHOWN), **_ITEM_PARAMS, session_key=_SESSION_KEY)

# The results page: a quiz for its owner (the rule of QuizAttemptQuerySet.owned_by,
# as above), then its questions in order with only the fields its review and share
# card show: two short reads, cheaper than the quiz's columns once per question.
attempt_of_player = Compiled(
    lambda public_id, player_id: QuizAttempt.objects.filter(
        public_id=public_id, player_id=player_id
    ).order_by()[:1],
    public_id=(_field(QuizAttempt, "public_id"), _UUID),
    player_id=(_field(QuizAttempt, "player"), 987654321),
)


def _attempt_with_user(public_id, user_id):
    return (
        QuizAttempt.objects.select_related("player__user")
        .filter(public_id=public_id, player__user_id=user_id)
        .order_by()[:1]
    )


# attempt_of_player for the user a session names, with that user and their player
# whole (attempt.player.user): the page loads its user from this row (quiz.auth.supplying).
attempt_with_user = Compiled(
    _attempt_with_user,
    public_id=(_field(QuizAttempt, "public_id"), _UUID),
    user_id=(_field(Player, "user"), 987654321),
)
attempt_of_session = Compiled(
    lambda public_id, session_key: QuizAttempt.objects.filter(
        public_id=public_id, player__isnull=True, session_key=session_key
    ).order_by()[:1],
    public_id=(_field(QuizAttempt, "public_id"), _UUID),
    session_key=(_field(QuizAttempt, "session_key"), "sentinel-session-key"),
)
REVIEW_FIELDS = (
    "text",
    "options",
    "correct_key",
    "explanation",
    "answered_at",
    "chosen_key",
    "is_correct",
    "points",
)
review_items = Compiled(
    lambda attempt_id: (
        AttemptQuestion.objects.filter(attempt_id=attempt_id)
        .only(*REVIEW_FIELDS)
        .order_by("position")
    ),
    attempt_id=(_field(AttemptQuestion, "attempt"), 987654321),
)


# The questions of a visitor's last few quizzes (quiz.play.recently_seen_ids): the
# owner's newest RECENT quizzes by start, then their items' questions.
RECENT_QUIZZES = 5


def _recent_questions(**owner):
    recent = QuizAttempt.objects.filter(**owner).order_by("-started_at").values("id")
    return (
        AttemptQuestion.objects.filter(attempt__in=recent[:RECENT_QUIZZES], question__isnull=False)
        .order_by()
        .values_list("question_id")
    )


recent_questions_of_player = Compiled(
    lambda player_id: _recent_questions(player_id=player_id),
    player_id=(_field(QuizAttempt, "player"), 987654321),
)
recent_questions_of_session = Compiled(
    lambda session_key: _recent_questions(player__isnull=True, session_key=session_key),
    session_key=(_field(QuizAttempt, "session_key"), "sentinel-session-key"),
)


# The home page's "pick up where you left off": a visitor's five newest active quizzes
# (QuizAttempt.objects.owned_by(…).active().order_by("-started_at")[:5]).
_ACTIVE = QuizAttempt.objects.filter(status=QuizAttempt.Status.ACTIVE).order_by("-started_at")
active_of_player = Compiled(
    lambda player_id: _ACTIVE.filter(player_id=player_id)[:5],
    player_id=(_field(QuizAttempt, "player"), 987654321),
)
active_of_session = Compiled(
    lambda session_key: _ACTIVE.filter(player__isnull=True, session_key=session_key)[:5],
    session_key=(_field(QuizAttempt, "session_key"), "sentinel-session-key"),
)


# The start form's banks: Bank.objects.filter(is_published=True), by name.
published_banks = Compiled(lambda: Bank.objects.filter(is_published=True))


def _user_with_player():
    User = get_user_model()
    return Compiled(
        lambda pk: User._default_manager.select_related("player").filter(pk=pk)[:1],
        pk=(User._meta.pk, 987654321),
    )


_user_query: Compiled | None = None


def user_with_player(pk, using: str = "default"):
    """The user with their player (None if they have none yet) in one query, or None."""
    global _user_query
    if _user_query is None:
        _user_query = _user_with_player()
    return _user_query.first(using, pk=pk)


# --- the answer's guarded UPDATEs -----------------------------------------------

_answer_sql: dict[tuple, tuple[str, str]] = {}


def _answer_statements(connection, finish_names: tuple[str, ...]) -> tuple[str, str]:
    key = (connection.vendor, finish_names)
    statements = _answer_sql.get(key)
    if statements is None:
        qn = connection.ops.quote_name
        attempt, item = QuizAttempt._meta.db_table, AttemptQuestion._meta.db_table
        finishing = "".join(
            f", {qn(QuizAttempt._meta.get_field(name).column)} = %s" for name in finish_names
        )
        # ORM: QuizAttempt.objects.filter(pk=…, status=ACTIVE, answered_count=position)
        #   .update(answered_count=F(…) + 1, score=F(…) + points, …, **finish_fields)
        advance = (
            # Table and column names are the models' own, quoted; values are parameters.
            f"UPDATE {qn(attempt)} SET {qn('answered_count')} = {qn('answered_count')} + 1, "  # noqa: S608
            f"{qn('score')} = {qn('score')} + %s, "
            f"{qn('correct_count')} = {qn('correct_count')} + %s, "
            f"{qn('seconds')} = {qn('seconds')} + %s{finishing} "
            f"WHERE {qn('id')} = %s AND {qn('status')} = %s AND {qn('answered_count')} = %s"
        )
        # ORM: AttemptQuestion.objects.filter(pk=…, answered_at__isnull=True).update(…)
        record = (
            f"UPDATE {qn(item)} SET {qn('answered_at')} = %s, {qn('chosen_key')} = %s, "  # noqa: S608
            f"{qn('is_correct')} = %s, {qn('points')} = %s "
            f"WHERE {qn('id')} = %s AND {qn('answered_at')} IS NULL"
        )
        if connection.vendor == "postgresql":
            # One statement, one round trip: PostgreSQL runs both UPDATEs on one
            # snapshot, and the answer is recorded only if the attempt moved
            # (EXISTS on the first one's RETURNING). Of two concurrent submits
            # the second waits on the attempt's row lock, finds answered_count
            # moved on, updates nothing and so records nothing: the same
            # guarantee as the two statements in a transaction.
            record = record.replace(
                f"WHERE {qn('id')} = %s",
                f"WHERE {qn('id')} = %s AND EXISTS (SELECT 1 FROM advanced)",  # noqa: S608
            )
            advance = (
                f"WITH advanced AS ({advance} RETURNING 1), recorded AS ({record} RETURNING 1) "  # noqa: S608
                "SELECT (SELECT count(*) FROM advanced), (SELECT count(*) FROM recorded)"
            )
            advance, record = named_placeholders(advance, 11 + len(finish_names)), ""
        else:
            advance = named_placeholders(advance, 6 + len(finish_names))
            record = named_placeholders(record, 5)
        statements = _answer_sql[key] = (advance, record)
    return statements


def answer_is_one_statement(using: str = "default") -> bool:
    """Whether claim_answer writes with a single statement on this database (PostgreSQL),
    so an answer that finishes nothing needs no transaction around it."""
    return connections[using].vendor == "postgresql"


def claim_answer(
    attempt: QuizAttempt,
    item: AttemptQuestion,
    *,
    now,
    chosen_key: str,
    correct: bool,
    points: int,
    elapsed: float,
    finish_fields: dict,
) -> bool:
    """Move the attempt past `item` (and finish it with `finish_fields`) and
    record the answer, unless another submit did first.

    Call inside the answer's transaction (on PostgreSQL, where this is one
    statement, an answer that finishes nothing needs none: answer_is_one_statement).
    The attempt row moves forward only
    from this exact position: of two concurrent submits one updates the row,
    the other none and then records nothing. True when this call claimed it.
    """
    connection = connections[QuizAttempt.objects.db]
    names = tuple(finish_fields)
    advance, record = _answer_statements(connection, names)
    finish = [
        QuizAttempt._meta.get_field(name).get_db_prep_save(finish_fields[name], connection)
        for name in names
    ]
    guard = [attempt.pk, QuizAttempt.Status.ACTIVE.value, item.position]
    answered_at = AttemptQuestion._meta.get_field("answered_at")
    recorded = [answered_at.get_db_prep_save(now, connection), chosen_key, correct, points, item.pk]
    advanced = [points, 1 if correct else 0, elapsed, *finish, *guard]
    with connection.cursor() as cursor:
        if not record:  # PostgreSQL: both in one statement
            cursor.execute(advance, named_params([*advanced, *recorded]))
            return cursor.fetchone()[0] == 1
        cursor.execute(advance, named_params(advanced))
        if cursor.rowcount != 1:
            return False
        cursor.execute(record, named_params(recorded))
    return True


# The home page's banks (an unbound start form): published_banks with only what the
# form shows and its category counts read (pk, name, is_published), by name. A
# bound form reads published_banks: its bank is the one a quiz starts from.
published_bank_names = Compiled(
    lambda: Bank.objects.filter(is_published=True).only("id", "name", "is_published")
)


# The home page's quizzes to pick up (quiz.views.play._home_context): active_of_player
# and active_of_session with only the columns its links and labels show.
# In the model's order, as QuizAttempt.from_db takes them.
ACTIVE_SHOWN = tuple(
    f.attname
    for f in QuizAttempt._meta.concrete_fields
    if f.attname in {"id", "public_id", "difficulty", "answered_count", "length"}
)
_ACTIVE_SHOWN = _ACTIVE.only(*ACTIVE_SHOWN)
active_shown_of_player = Compiled(
    lambda player_id: _ACTIVE_SHOWN.filter(player_id=player_id)[:5],
    player_id=(_field(QuizAttempt, "player"), 987654321),
)
active_shown_of_session = Compiled(
    lambda session_key: _ACTIVE_SHOWN.filter(player__isnull=True, session_key=session_key)[:5],
    session_key=(_field(QuizAttempt, "session_key"), "sentinel-session-key"),
)

# The signed-in home page's user and quizzes to pick up, in one query: the user a
# session names with what Django's checks read (password, is_active), their player's
# remembered start-form choices (and user_id, as a player read with its user always
# has), and, joined beside them, the columns of active_shown_of_player of their five
# newest active quizzes (as annotations `resumable_<name>`, None on the one row of a
# user with none). Each query costs SQLite and the ORM about 0.1 M instructions
# before its first column, and the user and player whole 21 columns: the page loads
# its user from this row (quiz.auth.supplying) instead of a query of its own. Any
# other field is read from the database on first use, as with any deferred field.
PLAYER_CHOICES = ("watched_through", "difficulty", "quiz_length")


def _user_with_resumable(user_id):
    User = get_user_model()
    active = Q(player__attempts__status=QuizAttempt.Status.ACTIVE)
    return (
        User._default_manager.select_related("player")
        .only(
            "password",
            "is_active",
            "player__user",
            *(f"player__{name}" for name in PLAYER_CHOICES),
        )
        .annotate(resumable=FilteredRelation("player__attempts", condition=active))
        .annotate(**{f"resumable_{name}": F(f"resumable__{name}") for name in ACTIVE_SHOWN})
        .filter(pk=user_id)
        .order_by("-resumable__started_at")[:5]
    )


_user_with_resumable_query = Compiled(
    _user_with_resumable, user_id=(_field(Player, "user"), 987654321)
)


def user_with_resumable(user_id, using: str = "default") -> tuple[Any, list[QuizAttempt]]:
    """The user (with their player, None if they have none yet; None if no such user)
    and their quizzes to pick up: the quizzes active_shown_of_player reads, as it
    reads them (instances with only ACTIVE_SHOWN loaded), in its order."""
    rows = _user_with_resumable_query.all(using, user_id=user_id)
    if not rows:
        return None, []
    resumable = [
        QuizAttempt.from_db(
            using, ACTIVE_SHOWN, [getattr(row, f"resumable_{name}") for name in ACTIVE_SHOWN]
        )
        for row in rows
        if row.resumable_id is not None
    ]
    return rows[0], resumable


# --- new rows -----------------------------------------------------------------

_insert_sql: dict[tuple, tuple[str, list[Field]]] = {}


def insert_new(model, objs: list, using: str = "default") -> None:
    """INSERT new (unsaved) instances as bulk_create() does, with their values
    prepared by the same field methods (pre_save, get_db_prep_save), but with the
    statement built once per model and database and sent with executemany (one
    round trip in psycopg's pipeline). Their primary keys are not read back, and
    no signals are sent (bulk_create sends none either): for rows nothing reads
    in the same request, such as a new quiz's questions.
    """
    if not objs:
        return
    connection = connections[using]
    key = (model, connection.vendor)
    plan = _insert_sql.get(key)
    if plan is None:
        qn = connection.ops.quote_name
        fields = [f for f in model._meta.concrete_fields if not f.generated and not f.primary_key]
        columns = ", ".join(qn(f.column) for f in fields)
        marks = ", ".join(["%s"] * len(fields))
        # Table and column names are the model's own, quoted; values are parameters.
        sql = f"INSERT INTO {qn(model._meta.db_table)} ({columns}) VALUES ({marks})"  # noqa: S608
        plan = _insert_sql[key] = (named_placeholders(sql, len(fields)), fields)
    sql, fields = plan
    rows = [
        named_params([f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields])
        for obj in objs
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)
