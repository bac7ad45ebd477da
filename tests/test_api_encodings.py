"""api.php's encodings: each decodes back to exactly the stored text."""

from __future__ import annotations

import base64
import html
from urllib.parse import unquote, unquote_plus

import pytest

from quiz.api import encode_record
from tests.factories import QuestionFactory

TRICKY = "Don't forget that π = 3.14 & doesn't equal 3 — \"Anna\" <b>é</b> ~ 100% + more?"

DECODERS = {
    "default": html.unescape,
    "url3986": unquote,
    "urlLegacy": unquote_plus,
    "base64": lambda s: base64.b64decode(s, validate=True).decode("utf-8"),
}


@pytest.fixture(autouse=True)
def _no_rate_limit(settings):
    settings.API_RATE_LIMIT_SECONDS = 0


@pytest.fixture
def tricky_question(db):
    return QuestionFactory(
        text=TRICKY,
        explanation="Because π ≠ 3 & “quotes” stay.",
        category="music & more",
        options=["Right ~ ü", "Wrong + 1", "Wrong 100%", "Wrong 'A'"],
    )


def decode(value, decoder):
    if isinstance(value, list):
        return [decode(v, decoder) for v in value]
    if isinstance(value, str):
        return decoder(value)
    return value


@pytest.mark.parametrize("encode", list(DECODERS))
def test_every_field_round_trips(client, tricky_question, encode):
    data = client.get(
        "/api/api.php", {"amount": 1, "encode": encode, "extended": 1, "spoiler_level": 6}
    ).json()
    (result,) = data["results"]
    decoded = {key: decode(value, DECODERS[encode]) for key, value in result.items()}
    assert decoded == {
        "type": "multiple",
        "difficulty": "easy",
        "category": "music & more",
        "question": TRICKY,
        "correct_answer": "Right ~ ü",
        "incorrect_answers": ["Wrong + 1", "Wrong 100%", "Wrong 'A'"],
        "spoiler_level": 0,
        "explanation": "Because π ≠ 3 & “quotes” stay.",
        "facts": [],
    }
    if encode != "default":
        assert result["question"] != TRICKY


def test_default_is_html_entities_as_open_trivia_db_sends_them():
    (encoded,) = encode_record({"q": 'Don\'t "π" & <é>'}, "default").values()
    assert encoded == "Don&#039;t &quot;&pi;&quot; &amp; &lt;&eacute;&gt;"


def test_url3986_and_url_legacy_differ_as_in_php():
    record = {"q": "a b~c+d"}
    assert encode_record(record, "url3986") == {"q": "a%20b~c%2Bd"}
    assert encode_record(record, "urlLegacy") == {"q": "a+b%7Ec%2Bd"}


def test_base64_encodes_type_and_difficulty_too(client, tricky_question):
    (result,) = client.get("/api/api.php", {"amount": 1, "encode": "base64"}).json()["results"]
    assert result["type"] == base64.b64encode(b"multiple").decode()
    assert result["difficulty"] == base64.b64encode(b"easy").decode()


@pytest.mark.parametrize("spelling", ["URL3986", "urllegacy", "BASE64", "Default"])
def test_encoding_names_are_case_insensitive(client, tricky_question, spelling):
    assert (
        client.get("/api/api.php", {"amount": 1, "encode": spelling}).json()["response_code"] == 0
    )
