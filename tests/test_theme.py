"""The colour theme: the system's by default, or the reader's choice kept in a cookie."""

import pytest

pytestmark = pytest.mark.django_db


def test_default_follows_the_system(client):
    html = client.get("/").content.decode()
    assert '<html lang="en">' in html
    assert 'name="theme" value="auto" aria-describedby="theme-label" aria-pressed="true"' in html


@pytest.mark.parametrize("choice", ["light", "dark"])
def test_choosing_a_theme_without_javascript(client, choice):
    response = client.post("/theme/", {"theme": choice, "next": "/leaderboard/?period=week"})
    assert response.status_code == 302
    assert response["Location"] == "/leaderboard/?period=week"
    cookie = response.cookies["theme"]
    assert cookie.value == choice and cookie["samesite"] == "Lax" and cookie["max-age"]
    html = client.get("/").content.decode()
    assert f'<html lang="en" data-theme="{choice}">' in html
    assert f'value="{choice}" aria-describedby="theme-label" aria-pressed="true"' in html


def test_auto_forgets_the_choice(client):
    client.post("/theme/", {"theme": "dark", "next": "/"})
    response = client.post("/theme/", {"theme": "auto", "next": "/"})
    assert response.cookies["theme"].value == ""
    assert "data-theme" not in client.get("/").content.decode()


def test_background_request_gets_no_content(client):
    response = client.post("/theme/", {"theme": "light"}, headers={"HX-Request": "true"})
    assert response.status_code == 204
    assert response.cookies["theme"].value == "light"


@pytest.mark.parametrize("bad_next", ["https://evil.example/", "//evil.example/", ""])
def test_only_local_redirects(client, bad_next):
    response = client.post("/theme/", {"theme": "light", "next": bad_next})
    assert response["Location"] == "/"


def test_unknown_theme_or_cookie_is_refused_or_ignored(client):
    assert client.post("/theme/", {"theme": "purple"}).status_code == 400
    assert client.get("/theme/").status_code == 405
    client.cookies["theme"] = '"><script>'
    assert "data-theme" not in client.get("/").content.decode()


def test_a_page_rendered_for_a_post_sends_the_reader_home_after_choosing(client):
    html = client.post("/quiz/start/", {"difficulty": "nonsense"}).content.decode()
    assert '<input type="hidden" name="next" value="/">' in html
    html = client.get("/leaderboard/?period=week").content.decode()
    assert '<input type="hidden" name="next" value="/leaderboard/?period=week">' in html
