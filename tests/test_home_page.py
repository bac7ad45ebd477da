"""The home page: answers HEAD, its descriptions are wired, the finale note shows when it applies."""

import re

import pytest

from tests.playing import make_bank

pytestmark = pytest.mark.django_db


def test_head_answers_200_for_uptime_monitors(client):
    response = client.head("/")
    assert response.status_code == 200
    assert response.content == b""


def test_every_aria_describedby_points_at_an_element(client):
    make_bank(10)
    html = client.get("/").content.decode()
    ids = set(re.findall(r'\bid="([^"]+)"', html))
    described = re.findall(r'aria-describedby="([^"]+)"', html)
    assert "id_watched_through_helptext" in described
    for value in described:
        for ref in value.split():
            assert ref in ids, ref


def test_finale_note_only_for_finished_viewers_without_javascript(client):
    make_bank(10)
    assert re.search(r'id="finale-note" class="note" hidden', client.get("/").content.decode())
    html = client.get("/", {"watched_through": 6}).content.decode()
    assert re.search(r'id="finale-note" class="note">', html)
