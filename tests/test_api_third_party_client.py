"""Real Open Trivia DB clients from PyPI, not written by us, against a live server of the app.

opentdb-py 2.1.2 (https://github.com/Marseel-E/opentdb-py, MIT, module `trivia`)
is an aiohttp client for Open Trivia DB. Its base URL is the module attribute
`trivia.API_BASE` (read at every call), which we point at the app's API root,
exactly as a user would point it at a mirror. It requests a session token,
fetches questions in each encoding it supports (default HTML entities,
url3986, base64), reads categories and counts; it hands results back as the
API sent them, so each is decoded here as the client's users must.
"""

from __future__ import annotations

import asyncio
import base64
import html
from urllib.parse import unquote

import pytest
import trivia
import triviapy
import triviapy.errors as triviapy_errors
import triviapy.urls as triviapy_urls
from trivia import Client, ResponseEncoding, TokenEmpty

from quiz.api import category_id
from tests.factories import QuestionFactory

DECODE = {
    ResponseEncoding.default: html.unescape,
    ResponseEncoding.url: unquote,
    ResponseEncoding.base64: lambda s: base64.b64decode(s).decode("utf-8"),
}
TEXTS = [
    "Who plays Anna? It's “Tessa Thompson” & nobody else.",
    "Which city is HIS & HERS set in — Dahlonega?",
    "Is 100% of the series filmed in Georgia?",
]


@pytest.fixture
def api_root(live_server, settings, monkeypatch):
    settings.API_RATE_LIMIT_SECONDS = 0
    for text in TEXTS:
        QuestionFactory(
            text=text, category="cast & crew", options=["Yes ~ ü", "No + 1", "Maybe", "Never"]
        )
    QuestionFactory(text="A later question?", spoiler_level=4, category="cast & crew")
    root = f"{live_server.url}/api/"
    monkeypatch.setattr(trivia, "API_BASE", root)
    return root


async def play(encodings) -> tuple[dict, list[tuple[str, list[dict]]]]:
    token = await Client.get_session_token()
    fetched = []
    async with Client(token) as client:
        categories = await client.get_categories()
        for encoding in encodings:
            fetched.append((encoding, await client.get_questions(amount=1, encoding=encoding)))
        try:
            await client.get_questions(amount=1)
        except TokenEmpty:
            fetched.append(("empty", []))
        counts = await client.get_global_questions_count()
    return {"token": token, "categories": categories, "counts": counts}, fetched


def test_opentdb_py_requests_a_token_and_decodes_every_encoding(api_root, capsys):
    encodings = list(DECODE)
    meta, fetched = asyncio.run(play(encodings))
    assert len(meta["token"]) == 64
    assert meta["categories"] == {
        "trivia_categories": [{"id": category_id("cast & crew"), "name": "cast & crew"}]
    }
    assert meta["counts"]["overall"]["total_num_of_verified_questions"] == 4
    served = []
    for encoding, results in fetched[:3]:
        (result,) = results
        decode = DECODE[encoding]
        question = decode(result["question"])
        served.append(question)
        assert decode(result["category"]) == "cast & crew"
        assert decode(result["correct_answer"]) == "Yes ~ ü"
        assert sorted(decode(a) for a in result["incorrect_answers"]) == [
            "Maybe",
            "Never",
            "No + 1",
        ]
        print(f"{encoding.name:>7}: {result['question']!r}\n         -> {question!r}")
    # Three questions at spoiler level 0, none twice; the token is then empty (code 4).
    assert sorted(served) == sorted(TEXTS)
    assert fetched[3] == ("empty", [])
    with capsys.disabled():
        print(f"\nopentdb-py against {api_root}: token {meta['token'][:12]}…")
        for encoding, results in fetched[:3]:
            print(f"  {encoding.name}: {results[0]['question']}")
        print("  then: TokenEmpty (response_code 4)")


async def play_triviapy(rounds: int):
    game = triviapy.Game()
    await game.gen_token()
    questions = [await game.round() for _ in range(rounds)]
    try:
        await game.round()
    except triviapy_errors.QuestionError:  # what it raises for response codes 1 and 4
        questions.append(None)
    return game.token, questions


def test_aiotriviapy_decodes_html_entities_itself(api_root, monkeypatch, capsys):
    """aiotriviapy 1.0 (https://github.com/mcurranseijo/triviapy, MIT) unescapes the default
    encoding itself; its URLs are constants in triviapy.urls, read at every call."""
    root = api_root
    monkeypatch.setattr(triviapy_urls, "TOKEN_URL", f"{root}api_token.php?command=request")
    monkeypatch.setattr(
        triviapy_urls,
        "QUESTION_URL",
        root + "api.php?amount={amount}&category={category}&type=multiple",
    )
    token, questions = asyncio.run(play_triviapy(len(TEXTS)))
    assert len(token) == 64
    # It sends category=0 for "any category", which the API takes as the default.
    assert sorted(q.question for q in questions[:-1]) == sorted(TEXTS)
    for question in questions[:-1]:
        assert question.answer == "Yes ~ ü"
        assert question.category == "cast & crew"
        assert question.difficulty == "easy"
    assert questions[-1] is None  # the token is empty: response_code 4
    with capsys.disabled():
        print(f"\naiotriviapy against {root}: token {token[:12]}…")
        for question in questions[:-1]:
            print(f"  {question.question} -> {question.answer} ({question.category})")
        print("  then: QuestionError (response_code 4)")
