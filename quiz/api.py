"""The public API, compatible with Open Trivia DB (https://opentdb.com/api_config.php).

Same endpoints, parameters, field names and response codes, so any Open Trivia
DB client whose base URL is configurable works against /api/. Two additions
no other trivia API has: `spoiler_level=0..6` (default 0, safe before
watching) is a hard filter in the query, and `extended=1` adds the fields HH
Quiz knows (spoiler_level, explanation, facts) — off by default, so strict
clients see exactly Open Trivia DB's shape.

Plain functions; the views in quiz/views/api.py only parse the request and
render what these return.
"""

from __future__ import annotations

import base64
import html
import secrets
import zlib
from dataclasses import dataclass
from datetime import timedelta
from html.entities import codepoint2name
from urllib.parse import quote, quote_plus

from django.conf import settings
from django.core.cache import caches
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from quiz.models import MAX_SPOILER_LEVEL, ApiToken, Bank, Difficulty, Option, Question
from quiz.play import draw_question_ids
from quiz.ratelimit import hit

# Open Trivia DB's response codes.
SUCCESS = 0
NO_RESULTS = 1
INVALID_PARAMETER = 2
TOKEN_NOT_FOUND = 3
TOKEN_EMPTY = 4
RATE_LIMIT = 5

MESSAGES = {
    SUCCESS: "Success",
    NO_RESULTS: "No Results: there are not enough questions for your query.",
    INVALID_PARAMETER: "Invalid Parameter",
    TOKEN_NOT_FOUND: "Token Not Found: the session token does not exist or has expired.",
    TOKEN_EMPTY: "Token Empty: the session token has returned all possible questions "
    "for the specified query. Reset the token.",
    RATE_LIMIT: "Rate Limit: too many requests from your address.",
}

MAX_AMOUNT = 50
ENCODINGS = ("default", "url3986", "urlLegacy", "base64")
# The fields of an Open Trivia DB result, in its order.
_OPEN_TRIVIA_RESULT = "type difficulty category question correct_answer incorrect_answers"
RESULT_FIELDS = tuple(_OPEN_TRIVIA_RESULT.split(" "))
# Values real clients send to mean "no filter" / "the default".
ANY = {"", "any", "0"}


class InvalidParameter(ValueError):
    """A parameter's value is not one the API accepts (response code 2)."""


# --- parameters -----------------------------------------------------------------


@dataclass(frozen=True)
class QuestionQuery:
    amount: int
    category_id: int | None = None
    difficulty: str = ""
    kind: str = ""
    encode: str = "default"
    token: str = ""
    spoiler_level: int = 0
    extended: bool = False


def _int(raw: str, name: str, low: int, high: int) -> int:
    raw = raw.strip()
    if not raw.isascii() or not raw.isdigit() or not low <= int(raw) <= high:
        raise InvalidParameter(f"{name} must be a whole number from {low} to {high}")
    return int(raw)


def parse_category(raw: str) -> int | None:
    """None for any category; a category id otherwise (which may match no category)."""
    raw = raw.strip()
    if raw.casefold() in ANY:
        return None
    return _int(raw, "category", 1, 2**32)


def parse_question_query(params) -> QuestionQuery:
    """The api.php parameters; unknown parameters are ignored, as Open Trivia DB does."""
    if "amount" not in params:
        raise InvalidParameter("amount is required")
    difficulty = params.get("difficulty", "").strip().lower()
    if difficulty in ANY:
        difficulty = ""
    elif difficulty not in Difficulty.values:
        raise InvalidParameter("difficulty must be easy, medium or hard")
    kind = params.get("type", "").strip().lower()
    if kind in ANY:
        kind = ""
    elif kind not in Question.Kind.values:
        raise InvalidParameter("type must be multiple or boolean")
    encode = params.get("encode", "").strip()
    by_name = {e.casefold(): e for e in ENCODINGS}
    if encode.casefold() in ("", "default", "html"):
        encode = "default"
    elif encode.casefold() in by_name:
        encode = by_name[encode.casefold()]
    else:
        raise InvalidParameter("encode must be url3986, urlLegacy or base64 (or absent)")
    extended = params.get("extended", "").strip().lower()
    if extended not in ("", "0", "1", "true", "false"):
        raise InvalidParameter("extended must be 0 or 1")
    level = params.get("spoiler_level", "").strip()
    return QuestionQuery(
        amount=_int(params.get("amount", ""), "amount", 1, MAX_AMOUNT),
        category_id=parse_category(params.get("category", "")),
        difficulty=difficulty,
        kind=kind,
        encode=encode,
        token=params.get("token", "").strip(),
        spoiler_level=_int(level, "spoiler_level", 0, MAX_SPOILER_LEVEL) if level else 0,
        extended=extended in ("1", "true"),
    )


# --- categories -------------------------------------------------------------------


def category_id(name: str) -> int:
    """A category's numeric id: derived from its name, so it is the same in every
    process, deployment and database, and never changes while the name does not.

    CRC-32 of the name (1..2**32-1). Two names with one id (odds about one in
    ten million for twenty categories) would simply share it.
    """
    return zlib.crc32(name.encode("utf-8")) or 1


def served_questions():
    """Every question the API may serve: published, in a published bank.

    The published banks' ids are read first (a handful of rows) so the
    question queries stay on one table and, with one bank, walk
    question_draw_key_idx in random_key order instead of joining and sorting.
    """
    banks = list(Bank.objects.filter(is_published=True).values_list("pk", flat=True))
    return Question.objects.filter(status=Question.Status.PUBLISHED, bank_id__in=banks)


def categories() -> list[dict]:
    names = (
        served_questions()
        .exclude(category="")
        .order_by("category")
        .values_list("category", flat=True)
        .distinct()
    )
    return [{"id": category_id(name), "name": name} for name in names]


def category_names(cid: int) -> list[str]:
    return [c["name"] for c in categories() if c["id"] == cid]


def category_count(cid: int) -> dict:
    counts = dict(
        served_questions()
        .filter(category__in=category_names(cid))
        .order_by()
        .values_list("difficulty")
        .annotate(n=Count("id"))
    )
    return {
        "category_id": cid,
        "category_question_count": {
            "total_question_count": sum(counts.values()),
            "total_easy_question_count": counts.get("easy", 0),
            "total_medium_question_count": counts.get("medium", 0),
            "total_hard_question_count": counts.get("hard", 0),
        },
    }


def _status_counts(rows) -> dict:
    published = rows.get(Question.Status.PUBLISHED, 0)
    return {
        "total_num_of_questions": published,
        "total_num_of_pending_questions": rows.get(Question.Status.DRAFT, 0),
        "total_num_of_verified_questions": published,
        "total_num_of_rejected_questions": rows.get(Question.Status.RETIRED, 0),
    }


def global_count() -> dict:
    """Open Trivia DB's global counts; our drafts are its pending, retired its rejected.

    Only banks that are published count, as elsewhere in the API.
    """
    rows = (
        Question.objects.filter(bank__is_published=True)
        .order_by()
        .values_list("category", "status")
        .annotate(n=Count("id"))
    )
    overall: dict[str, int] = {}
    per_category: dict[int, dict[str, int]] = {}
    for name, status, n in rows:
        overall[status] = overall.get(status, 0) + n
        if name:
            cid = category_id(name)
            per_category.setdefault(cid, {})
            per_category[cid][status] = per_category[cid].get(status, 0) + n
    return {
        "overall": _status_counts(overall),
        "categories": {
            str(cid): _status_counts(rows)
            for cid, rows in sorted(per_category.items())
            if rows.get(Question.Status.PUBLISHED)
        },
    }


# --- encodings ------------------------------------------------------------------


# Non-ASCII characters with a named HTML 4 entity, as PHP's htmlentities names them.
_NAMED_ENTITIES = {cp: f"&{name};" for cp, name in codepoint2name.items() if cp > 127}


def _html_entities(text: str) -> str:
    """Like PHP's htmlentities(ENT_QUOTES), which Open Trivia DB's default output uses."""
    return html.escape(text, quote=True).replace("&#x27;", "&#039;").translate(_NAMED_ENTITIES)


ENCODERS = {
    "default": _html_entities,
    # PHP's rawurlencode: every byte but A-Z a-z 0-9 - _ . ~ is %XX.
    "url3986": lambda text: quote(text, safe=""),
    # PHP's urlencode: spaces become "+", and "~" is encoded too.
    "urlLegacy": lambda text: quote_plus(text, safe="").replace("~", "%7E"),
    "base64": lambda text: base64.b64encode(text.encode("utf-8")).decode("ascii"),
}


def encode_record(record: dict, encode: str) -> dict:
    """Encode every string in a result as Open Trivia DB does.

    With the default encoding, type and difficulty (plain ASCII words) come
    out unchanged; the URL and base64 encodings apply to every string field.
    """
    encoder = ENCODERS[encode]

    def enc(value):
        if isinstance(value, str):
            return encoder(value)
        if isinstance(value, list):
            return [enc(v) for v in value]
        return value

    return {key: enc(value) for key, value in record.items()}


# --- questions ------------------------------------------------------------------


# What a result is built from: read as plain values, not model instances (a
# tenth of the cost for 50 questions and their options).
QUESTION_VALUES = ("id", "kind", "difficulty", "category", "text", "spoiler_level", "explanation")
# Question.facts (ids of the fact-base facts a question draws on) goes out with extended=1.
HAS_FACTS = any(f.name == "facts" for f in Question._meta.get_fields())


def _results(ids: list[int], extended: bool) -> list[dict]:
    """The questions in Open Trivia DB's shape (as quiz.opentdb exports them), in `ids` order."""
    fields = (*QUESTION_VALUES, "facts") if extended and HAS_FACTS else QUESTION_VALUES
    rows = {row["id"]: row for row in Question.objects.filter(pk__in=ids).values(*fields)}
    options: dict[int, list[tuple]] = {}
    for question_id, position, pk, text, is_correct in (
        Option.objects.filter(question_id__in=ids)
        .order_by()
        .values_list("question_id", "position", "id", "text", "is_correct")
    ):
        options.setdefault(question_id, []).append((position, pk, text, is_correct))
    results = []
    for row in (rows[i] for i in ids if i in rows):
        ordered = sorted(options.get(row["id"], []))
        result = {
            "type": row["kind"],
            "difficulty": row["difficulty"],
            "category": row["category"],
            "question": row["text"],
            "correct_answer": next((o[2] for o in ordered if o[3]), ""),
            "incorrect_answers": [o[2] for o in ordered if not o[3]],
        }
        if extended:
            result["spoiler_level"] = row["spoiler_level"]
            result["explanation"] = row["explanation"]
            if HAS_FACTS:
                result["facts"] = [str(fact) for fact in row["facts"] or []]
        results.append(result)
    return results


def matching_questions(query: QuestionQuery):
    """The questions a query may return. The spoiler level is a filter in the query
    itself: nothing above it is ever read, let alone sent."""
    questions = served_questions().up_to_episode(query.spoiler_level)
    if query.category_id is not None:
        questions = questions.filter(category__in=category_names(query.category_id))
    if query.difficulty:
        questions = questions.filter(difficulty=query.difficulty)
    if query.kind:
        questions = questions.filter(kind=query.kind)
    return questions


@dataclass
class Answer:
    response_code: int
    results: list[dict]


def get_questions(query: QuestionQuery, now=None) -> Answer:
    """api.php: `amount` random questions, none a token has had before."""
    matching = matching_questions(query)
    if not query.token:
        ids = draw_question_ids(matching, query.amount)
        if len(ids) < query.amount:
            return Answer(NO_RESULTS, [])
        return Answer(SUCCESS, _encoded(ids, query))
    with transaction.atomic():
        # The row lock makes two requests with one token take turns, so they
        # cannot both draw the same question.
        token = live_token(query.token, now=now, lock=True)
        if token is None:
            return Answer(TOKEN_NOT_FOUND, [])
        served = ApiToken.served.through.objects.filter(apitoken=token)
        unseen = matching.exclude(pk__in=served.values("question_id"))
        ids = draw_question_ids(unseen, query.amount)
        if len(ids) < query.amount:
            code = TOKEN_EMPTY if matching.count() >= query.amount else NO_RESULTS
            return Answer(code, [])
        token.served.add(*ids)
    return Answer(SUCCESS, _encoded(ids, query))


def _encoded(ids: list[int], query: QuestionQuery) -> list[dict]:
    return [encode_record(r, query.encode) for r in _results(ids, query.extended)]


# --- tokens ---------------------------------------------------------------------


def idle_cutoff(now=None):
    return (now or timezone.now()) - timedelta(seconds=settings.API_TOKEN_IDLE_SECONDS)


def live_token(value: str, *, now=None, lock: bool = False) -> ApiToken | None:
    """The token, touched (it stays alive 6 hours from now); None when unknown or expired."""
    now = now or timezone.now()
    tokens = ApiToken.objects.select_for_update() if lock else ApiToken.objects
    token = tokens.filter(token=value).first()
    if token is None:
        return None
    if token.last_used_at < idle_cutoff(now):
        token.delete()
        return None
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token


# Expired tokens are deleted a few at a time whenever a new one is made, so no
# cron job is needed and no request pays for a large purge.
PURGE_BATCH = 50


def request_token(now=None) -> ApiToken:
    now = now or timezone.now()
    expired = ApiToken.objects.idle_since(idle_cutoff(now)).values_list("pk", flat=True)
    stale = list(expired[:PURGE_BATCH])
    if stale:
        ApiToken.objects.filter(pk__in=stale).delete()
    return ApiToken.objects.create(token=secrets.token_hex(32), created_at=now, last_used_at=now)


def reset_token(value: str, now=None) -> ApiToken | None:
    with transaction.atomic():
        token = live_token(value, now=now, lock=True)
        if token is not None:
            token.served.clear()
    return token


# --- rate limits ----------------------------------------------------------------


def questions_rate_limited(address: str) -> bool:
    """One api.php request per API_RATE_LIMIT_SECONDS per address (0: no limit).

    The first request opens a window of that many seconds in the shared
    "ratelimit" cache (Redis in scale-out); any other request from the same
    address inside the window is refused. cache.add is atomic on every backend
    we use, so two processes cannot both let a request through.
    """
    seconds = settings.API_RATE_LIMIT_SECONDS
    if seconds <= 0:
        return False
    return not caches["ratelimit"].add(f"api:q:{address}", 1, timeout=seconds)


def token_requests_rate_limited(address: str) -> bool:
    """New tokens per address per minute: each is a database row."""
    return hit(f"api-token:{address}", settings.API_TOKEN_RATE)
