"""htmx error responses say what went wrong in place: never silent, never a page inside the page."""

import json
import re

import pytest
from django.test import Client

from tests.playing import latest_attempt, make_bank, question_url, start

pytestmark = pytest.mark.django_db


def htmx_config(html: str) -> dict:
    raw = re.search(r'<meta name="htmx-config" content=\'([^\']+)\'', html).group(1)
    return json.loads(raw)


def test_htmx_swaps_4xx_and_reports_5xx(client):
    rules = htmx_config(client.get("/").content.decode())["responseHandling"]

    def rule_for(status):
        return next(r for r in rules if re.fullmatch(r["code"], str(status)))

    assert rule_for(400)["swap"] and rule_for(403)["swap"] and rule_for(429)["swap"]
    assert not rule_for(500)["swap"] and rule_for(500)["error"]
    assert rule_for(200)["swap"] and not rule_for(204)["swap"]


def test_page_has_an_alert_region_for_errors(client):
    html = client.get("/").content.decode()
    assert '<div id="htmx-alert" class="alert" role="alert"></div>' in html


def test_stale_csrf_token_on_answer_is_a_marked_error_page():
    client = Client(enforce_csrf_checks=True)
    make_bank(10)
    client.get("/")  # sets the CSRF cookie
    token = client.cookies["csrftoken"].value
    client.post(
        "/quiz/start/",
        {"watched_through": 6, "difficulty": "easy", "length": 5, "category": ""},
        headers={"X-CSRFToken": token},
    )
    url = question_url(latest_attempt(), 1)
    response = client.post(
        url,
        {"option": "x"},
        headers={
            "HX-Request": "true",
            "X-CSRFToken": "stale" * 8,
            "HX-Current-URL": "http://testserver" + url,
        },
    )
    html = response.content.decode()
    assert response.status_code == 403
    # An error page, marked so quiz.js shows its words in #htmx-alert instead of swapping it in.
    assert re.search(
        r"<div data-error-message>\s*<h1>Please try again</h1>\s*<p>This form was out of date", html
    )


def test_stale_csrf_token_without_htmx_is_a_full_page():
    client = Client(enforce_csrf_checks=True)
    response = client.post("/quiz/start/", {"difficulty": "easy"})
    html = response.content.decode()
    assert response.status_code == 403
    assert "<html" in html and "out of date" in html


def test_htmx_404_is_marked_for_the_alert_region(client):
    make_bank(10)
    start(client)
    url = question_url(latest_attempt(), 30)
    response = client.get(url, headers={"HX-Request": "true"})
    assert response.status_code == 404
    assert "data-error-message" in response.content.decode()


def test_answer_rejected_re_renders_the_card_with_its_message(client):
    make_bank(10)
    start(client)
    url = question_url(latest_attempt(), 1)
    client.get(url)
    response = client.post(url, {}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert response.status_code == 400
    assert 'id="question-card"' in html and 'role="alert"' in html
    assert "Please choose an answer." in html
