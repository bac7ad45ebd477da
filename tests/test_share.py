"""The share card and the public result page: a result, never the quiz's content."""

from __future__ import annotations

import datetime as dt
import re
import struct
import zlib

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from quiz import share
from quiz.models import QuizAttempt
from tests.factories import (
    AttemptQuestionFactory,
    PlayerFactory,
    QuestionFactory,
    QuizAttemptFactory,
)
from tests.playing import answer_all, latest_attempt, start

pytestmark = pytest.mark.django_db

DAY = dt.datetime(2026, 12, 7, 9, 30, tzinfo=dt.UTC)
WORD = re.compile(r"[^\W\d_]+")

# Questions worded as the show's real ones are: names, places and plot words
# that must never reach someone who has not watched.
SHOW_QUESTIONS = [
    ("Who plays Anna Andrews, the news anchor?", ["Tessa Thompson", "Poppy Liu", "Crystal Fox"]),
    (
        "Which detective investigates the murder in Dahlonega?",
        ["Jack Harper", "Lexy Jones", "Priya Singh"],
    ),
    (
        "What did Rachel Hopkins keep hidden from her friends?",
        ["A necklace", "A diary", "A ticket"],
    ),
    ("Who directed the pilot episode?", ["William Oldroyd", "Greg Berlanti", "Ryan Murphy"]),
    ("Which novelist wrote the source book?", ["Alice Feeney", "Gillian Flynn", "Paula Hawkins"]),
]


def _words(text: str) -> set[str]:
    return {w.casefold() for w in WORD.findall(text)}


@pytest.fixture
def show_bank():
    for text, options in SHOW_QUESTIONS:
        QuestionFactory(
            text=text,
            options=options,
            explanation=f"The answer is {options[0]}, revealed when Zephyrine confronts Oakhurst.",
            spoiler_level=0,
        )


def _finished_quiz(client, **kwargs) -> QuizAttempt:
    start(client, watched=0, length=5, **kwargs)
    attempt = latest_attempt()
    for number, item in enumerate(attempt.items.order_by("position"), start=1):
        client.get(reverse("quiz:question", args=[attempt.public_id, number]))
        wrong = next(o["key"] for o in item.options if o["key"] != item.correct_key)
        client.post(
            reverse("quiz:question", args=[attempt.public_id, number]),
            {"option": item.correct_key if number % 2 else wrong},
        )
    attempt.refresh_from_db()
    return attempt


def _quiz_texts(attempt) -> list[str]:
    texts = []
    for item in attempt.items.all():
        texts += [
            item.text,
            item.explanation,
            item.correct_text,
            *(o["text"] for o in item.options),
        ]
    return texts


def test_the_card_reads_like_a_share_card():
    attempt = QuizAttemptFactory(
        mode="daily",
        daily_date=dt.date(2026, 12, 7),
        watched_through=3,
        length=10,
        correct_count=8,
        score=1940,
        status="finished",
    )
    for position, right in enumerate([1, 1, 0, 1, 1, 1, 0, 1, 1, 1]):
        AttemptQuestionFactory(attempt=attempt, position=position, is_correct=bool(right))
    card = share.card(attempt, "https://quiz.example/r/abc/")
    assert card.line == "HH Quiz daily #12 · watched ep 1–3 · 8/10 · 1,940 pts"
    assert card.squares == "🟩🟩🟥🟩🟩🟩🟥🟩🟩🟩"
    assert card.text == f"{card.line}\n{card.squares}\nhttps://quiz.example/r/abc/"


@pytest.mark.parametrize(
    ("fields", "line"),
    [
        (
            {"watched_through": 0, "difficulty": "hard"},
            "HH Quiz · not started · hard · 0/5 · 0 pts",
        ),
        (
            {"watched_through": 1, "timed": True},
            "HH Quiz · watched ep 1 · easy · timed · 0/5 · 0 pts",
        ),
        ({"watched_through": 4, "mode": "episode"}, "HH Quiz · just watched ep 4 · 0/5 · 0 pts"),
    ],
)
def test_the_card_names_the_format(fields, line):
    attempt = QuizAttemptFactory(length=5, score=0, correct_count=0, **fields)
    assert share.card(attempt).line == line


def test_share_text_and_public_page_contain_no_word_of_the_quiz(show_bank, client):
    attempt = _finished_quiz(client)
    texts = _quiz_texts(attempt)
    results = client.get(reverse("quiz:results", args=[attempt.public_id])).content.decode()
    share_text = re.search(r'<textarea id="share-text"[^>]*>(.*?)</textarea>', results, re.S)[1]
    public = Client().get(reverse("quiz:share", args=[attempt.share_token])).content.decode()

    # The card's own words, and the page around it (rendered for a quiz whose
    # texts share nothing with the show), are the only words allowed.
    control = QuizAttemptFactory(status="finished", share_token="control-token", length=5)
    AttemptQuestionFactory(attempt=control, position=0, text="Xyzzy?", explanation="Plugh.")
    chrome = _words(Client().get(reverse("quiz:share", args=["control-token"])).content.decode())
    quiz_words = set().union(*map(_words, texts)) - chrome
    assert {"anna", "dahlonega", "zephyrine", "oakhurst", "tessa", "feeney"} <= quiz_words
    assert not _words(share_text) & quiz_words
    assert not _words(public) & quiz_words
    for text in texts:
        assert text not in public and text not in share_text


def test_the_public_page_opens_for_anyone_and_unfurls(show_bank, client):
    attempt = _finished_quiz(client)
    card = share.card(attempt)
    response = Client().get(reverse("quiz:share", args=[attempt.share_token]))
    html = response.content.decode()
    assert response.status_code == 200
    assert card.line in html and card.squares in html
    assert '<meta property="og:title" content="HH Quiz">' in html
    assert f'<meta property="og:description" content="{card.line} {card.squares}">' in html
    assert f"http://testserver/r/{attempt.share_token}/" in html
    assert '<meta name="twitter:card" content="summary_large_image">' in html
    image_url = f"http://testserver/r/{attempt.share_token}/card.png"
    assert f'<meta property="og:image" content="{image_url}">' in html


def test_the_preview_image_is_a_png_of_the_squares(show_bank, client):
    attempt = _finished_quiz(client)
    response = Client().get(reverse("quiz:share_image", args=[attempt.share_token]))
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    png = response.content
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    assert struct.unpack(">II", png[16:24]) == (1200, 630)
    # Right answers are green, wrong ones red, in order: 1st right, 2nd wrong.
    pixels = zlib.decompress(png[png.index(b"IDAT") + 4 : png.index(b"IEND") - 8])
    row = pixels[315 * (1 + 1200 * 3) + 1 : 316 * (1 + 1200 * 3)]
    colours = [tuple(row[3 * x : 3 * x + 3]) for x in range(1200)]
    runs = [c for i, c in enumerate(colours) if c != share.BACKGROUND and colours[i - 1] != c]
    assert runs == [share.COLOURS[bool(n % 2)] for n in range(1, 6)]
    assert Client().get(reverse("quiz:share_image", args=["nope"])).status_code == 404


def test_unknown_or_unfinished_results_have_no_public_page(show_bank, client):
    assert Client().get(reverse("quiz:share", args=["nope"])).status_code == 404
    start(client, watched=0, length=5)
    attempt = latest_attempt()
    assert attempt.share_token is None
    assert Client().get("/r/None/").status_code == 404


def test_every_finished_quiz_gets_its_own_token(show_bank, client):
    first, second = _finished_quiz(client), _finished_quiz(client)
    assert first.share_token and second.share_token and first.share_token != second.share_token
    assert len(first.share_token) >= 16


def test_results_offer_the_text_to_copy_and_a_button_for_javascript(show_bank, client):
    attempt = _finished_quiz(client)
    html = client.get(reverse("quiz:results", args=[attempt.public_id])).content.decode()
    assert '<textarea id="share-text" class="share-text" readonly' in html
    # The button does nothing without JavaScript: hidden until the script shows it.
    assert (
        '<button type="button" class="secondary" data-copy="share-text" hidden>Copy</button>'
        in html
    )
    assert f'href="http://testserver/r/{attempt.share_token}/"' in html


@time_machine.travel(DAY, tick=False)
def test_a_daily_card_has_its_number(show_bank, client):
    client.force_login(PlayerFactory().user)
    client.post(reverse("quiz:daily_start"), {"watched_through": 0})
    attempt = answer_all(client, QuizAttempt.objects.get(mode="daily"), correct=True)
    public = Client().get(reverse("quiz:share", args=[attempt.share_token])).content.decode()
    assert "HH Quiz daily #12 · not started · 5/5 ·" in public
