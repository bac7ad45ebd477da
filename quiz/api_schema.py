"""The OpenAPI 3.1 description of the public API, served at /api/openapi.json.

Written by hand to say exactly what quiz.api does; the fuzzing test
(tests/test_api_fuzz.py) generates requests from it and checks every response
against it, so the two cannot drift apart unnoticed.
"""

from __future__ import annotations

from quiz.api import ENCODINGS, MAX_AMOUNT, RESULT_FIELDS
from quiz.models import MAX_SPOILER_LEVEL

_CODE = {
    "type": "integer",
    "description": "0 success, 1 no results, 2 invalid parameter, 3 token not found, "
    "4 token empty (reset it), 5 rate limit.",
    "enum": [0, 1, 2, 3, 4, 5],
}
_MESSAGE = {"type": "string", "description": "What the response code means, for humans."}


def _json(schema: dict, description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _query(name: str, schema: dict, description: str, required: bool = False) -> dict:
    return {
        "name": name,
        "in": "query",
        "required": required,
        "schema": schema,
        "description": description,
    }


_RESULT = {
    "type": "object",
    "required": list(RESULT_FIELDS),
    "additionalProperties": False,
    "properties": {
        "type": {"type": "string", "description": "multiple or boolean (encoded)."},
        "difficulty": {"type": "string", "description": "easy, medium or hard (encoded)."},
        "category": {"type": "string"},
        "question": {"type": "string"},
        "correct_answer": {"type": "string"},
        "incorrect_answers": {"type": "array", "items": {"type": "string"}},
        "spoiler_level": {
            "type": "integer",
            "minimum": 0,
            "maximum": MAX_SPOILER_LEVEL,
            "description": "extended=1 only: episodes one must have watched.",
        },
        "explanation": {"type": "string", "description": "extended=1 only (encoded)."},
        "facts": {
            "type": "array",
            "items": {"type": "string"},
            "description": "extended=1 only: ids of the fact-base facts the question draws on.",
        },
    },
}

_QUESTIONS = {
    "type": "object",
    "required": ["response_code", "results"],
    "additionalProperties": False,
    "properties": {
        "response_code": _CODE,
        "results": {"type": "array", "maxItems": MAX_AMOUNT, "items": _RESULT},
    },
}

_TOKEN = {
    "type": "object",
    "required": ["response_code"],
    "additionalProperties": False,
    "properties": {
        "response_code": _CODE,
        "response_message": _MESSAGE,
        "token": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
    },
}

_ERROR = {
    "type": "object",
    "required": ["response_code", "response_message"],
    "additionalProperties": False,
    "properties": {"response_code": _CODE, "response_message": _MESSAGE},
}


def _counts(*names: str) -> dict:
    return {
        "type": "object",
        "additionalProperties": False,
        "required": list(names),
        "properties": {name: {"type": "integer", "minimum": 0} for name in names},
    }


_STATUS_COUNTS = _counts(
    *(f"total_num_of_{kind}questions" for kind in ("", "pending_", "verified_", "rejected_"))
)

_CATEGORY_COUNT = {
    "type": "object",
    "additionalProperties": False,
    "required": ["category_id", "category_question_count"],
    "properties": {
        "category_id": {"type": "integer"},
        "category_question_count": _counts(
            *(f"total_{kind}question_count" for kind in ("", "easy_", "medium_", "hard_"))
        ),
    },
}

_CATEGORY_PARAM = {
    "oneOf": [
        {"type": "integer", "minimum": 0, "maximum": 2**32},
        {"type": "string", "enum": ["", "any"]},
    ]
}

_RATE_LIMITED = {
    "description": "Rate limit (response_code 5): wait Retry-After seconds.",
    "headers": {"Retry-After": {"schema": {"type": "string"}}},
}


def openapi_document(server_url: str = "/api") -> dict:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "HH Quiz trivia API",
            "version": "1.0.0",
            "summary": "Open Trivia DB-compatible questions about HIS & HERS, with a spoiler filter.",
            "description": (
                "The endpoints, parameters, field names and response codes of Open Trivia DB "
                "(https://opentdb.com/api_config.php): point any Open Trivia DB client at this "
                "API root. Additions: spoiler_level=0..6 (default 0, safe before watching) never "
                "returns a question above that level in any field, and extended=1 adds "
                "spoiler_level, explanation and facts to each result. Invalid parameters answer "
                "HTTP 200 with response_code 2, as Open Trivia DB does; unknown parameters are "
                "ignored."
            ),
        },
        "servers": [{"url": server_url}],
        "paths": {
            "/api.php": {
                "get": {
                    "operationId": "getQuestions",
                    "summary": "Random questions",
                    "parameters": [
                        _query(
                            "amount",
                            {"type": "integer", "minimum": 1, "maximum": MAX_AMOUNT},
                            "How many questions.",
                            required=True,
                        ),
                        _query(
                            "category",
                            _CATEGORY_PARAM,
                            "A category id from api_category.php; empty, 0 or any: every category.",
                        ),
                        _query(
                            "difficulty",
                            {"type": "string", "enum": ["easy", "medium", "hard", "any"]},
                            "Absent or any: every difficulty.",
                        ),
                        _query(
                            "type",
                            {"type": "string", "enum": ["multiple", "boolean", "any"]},
                            "Absent or any: both kinds.",
                        ),
                        _query(
                            "encode",
                            {"type": "string", "enum": list(ENCODINGS)},
                            "Absent or default: HTML entities. url3986: RFC 3986 percent-"
                            "encoding; urlLegacy: form encoding (spaces as +); base64: UTF-8 "
                            "base64. Every string in the results is encoded.",
                        ),
                        _query(
                            "token",
                            {"type": "string"},
                            "A session token from api_token.php: no question comes twice.",
                        ),
                        _query(
                            "spoiler_level",
                            {"type": "integer", "minimum": 0, "maximum": MAX_SPOILER_LEVEL},
                            "Episodes watched (6: finished). Default 0: safe before watching.",
                        ),
                        _query(
                            "extended",
                            {"type": "integer", "enum": [0, 1]},
                            "1: add spoiler_level, explanation and facts to each result.",
                        ),
                    ],
                    "responses": {
                        "200": _json(_QUESTIONS, "Questions, or response_code 1-4 and no results."),
                        "429": {**_json(_QUESTIONS, ""), **_RATE_LIMITED},
                    },
                }
            },
            "/api_token.php": {
                "get": {
                    "operationId": "sessionToken",
                    "summary": "Request or reset a session token",
                    "description": "Tokens expire after 6 hours without use.",
                    "parameters": [
                        _query(
                            "command",
                            {"type": "string", "enum": ["request", "reset"]},
                            "request: a new token; reset: forget what the token was served.",
                            required=True,
                        ),
                        _query("token", {"type": "string"}, "The token to reset."),
                    ],
                    "responses": {
                        "200": _json(_TOKEN, "response_code 0 and the token, 2 or 3."),
                        "429": {**_json(_TOKEN, ""), **_RATE_LIMITED},
                    },
                }
            },
            "/api_category.php": {
                "get": {
                    "operationId": "categories",
                    "summary": "Categories and their stable numeric ids",
                    "responses": {
                        "200": _json(
                            {
                                "type": "object",
                                "required": ["trivia_categories"],
                                "additionalProperties": False,
                                "properties": {
                                    "trivia_categories": {
                                        "type": "array",
                                        "items": {
                                            "type": "object",
                                            "required": ["id", "name"],
                                            "additionalProperties": False,
                                            "properties": {
                                                "id": {"type": "integer"},
                                                "name": {"type": "string"},
                                            },
                                        },
                                    }
                                },
                            },
                            "Every category that has a published question.",
                        )
                    },
                }
            },
            "/api_count.php": {
                "get": {
                    "operationId": "categoryCount",
                    "summary": "Published questions in one category, by difficulty",
                    "parameters": [
                        _query(
                            "category",
                            {"type": "integer", "minimum": 1, "maximum": 2**32},
                            "A category id.",
                            required=True,
                        )
                    ],
                    "responses": {
                        "200": _json(
                            {"oneOf": [_CATEGORY_COUNT, _ERROR]},
                            "The counts, or response_code 2 for a missing or invalid id.",
                        )
                    },
                }
            },
            "/api_count_global.php": {
                "get": {
                    "operationId": "globalCount",
                    "summary": "Question counts overall and per category",
                    "responses": {
                        "200": _json(
                            {
                                "type": "object",
                                "required": ["overall", "categories"],
                                "additionalProperties": False,
                                "properties": {
                                    "overall": _STATUS_COUNTS,
                                    "categories": {
                                        "type": "object",
                                        "additionalProperties": _STATUS_COUNTS,
                                    },
                                },
                            },
                            "Pending are drafts, rejected are retired questions.",
                        )
                    },
                }
            },
        },
    }
