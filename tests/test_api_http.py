"""The API over HTTP: CORS for GET, no session, no CSRF, no cookies; the human page."""

from __future__ import annotations

import re

import pytest

from tests.factories import PlayerFactory, QuestionFactory

ENDPOINTS = [
    "/api/api.php?amount=1",
    "/api/api_token.php?command=request",
    "/api/api_category.php",
    "/api/api_count.php?category=314096118",
    "/api/api_count_global.php",
    "/api/openapi.json",
]


@pytest.fixture(autouse=True)
def _no_rate_limit(settings):
    settings.API_RATE_LIMIT_SECONDS = 0


@pytest.fixture
def question(db):
    return QuestionFactory()


@pytest.mark.parametrize("url", ENDPOINTS)
def test_anyone_may_call_it_from_a_browser(client, question, url):
    response = client.get(url, HTTP_ORIGIN="https://game.example")
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response["Content-Type"] == "application/json"


@pytest.mark.parametrize("url", ENDPOINTS)
def test_no_cookie_no_session_no_vary_cookie(client, question, url):
    response = client.get(url)
    assert not response.cookies
    assert "Set-Cookie" not in response
    assert "Cookie" not in response.get("Vary", "")


def test_a_signed_in_browser_gets_no_cookie_either(client, question):
    """Its session cookie is sent along; the API neither depends on it nor refreshes it."""
    player = PlayerFactory()
    client.force_login(player.user)
    session_key = client.cookies["sessionid"].value
    response = client.get("/api/api.php?amount=1")
    assert response.json()["response_code"] == 0
    assert not response.cookies
    assert "Cookie" not in response.get("Vary", "")
    assert client.cookies["sessionid"].value == session_key


def test_a_preflight_is_answered(client, db):
    response = client.options(
        "/api/api.php",
        HTTP_ORIGIN="https://game.example",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="x-requested-with",
    )
    assert response.status_code == 204
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "GET" in response["Access-Control-Allow-Methods"]
    assert response["Access-Control-Allow-Headers"] == "x-requested-with"


@pytest.mark.parametrize("method", ["post", "put", "delete", "patch"])
def test_only_get_is_allowed_and_post_needs_no_csrf_token(method, db):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    response = getattr(client, method)("/api/api.php?amount=1")
    assert response.status_code == 405
    assert "GET" in response["Allow"]


def test_head_works(client, question):
    assert client.head("/api/api_category.php").status_code == 200


def test_answers_are_not_cached(client, question):
    assert client.get("/api/api.php?amount=1")["Cache-Control"] == "no-store"


def test_the_openapi_description_names_this_server(client, db):
    document = client.get("/api/openapi.json").json()
    assert document["openapi"] == "3.1.0"
    assert document["servers"] == [{"url": "http://testserver/api"}]
    assert set(document["paths"]) == {
        "/api.php",
        "/api_token.php",
        "/api_category.php",
        "/api_count.php",
        "/api_count_global.php",
    }


def test_the_human_page_shows_examples_and_categories(client, question):
    response = client.get("/api/")
    assert response.status_code == 200
    page = response.content.decode()
    assert '<html lang="en">' in page
    assert "curl 'http://testserver/api/api.php?amount=5&amp;spoiler_level=2'" in page
    assert "import base64, json, time, urllib.request" in page
    assert "314096118" in page and ">cast<" in page  # the category table
    assert 'href="/api/openapi.json"' in page
    assert 'href="/static/css/api.css"' in page  # long code scrolls inside its card on phones


def test_the_human_page_keeps_the_strict_csp(client, question):
    response = client.get("/api/")
    csp = response["Content-Security-Policy"]
    assert "'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp
    page = response.content.decode()
    assert not re.search(r"<script(?![^>]*\bsrc=)", page), "inline script"
    assert not re.search(r"\sstyle=|<style", page), "inline style"
