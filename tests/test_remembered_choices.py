"""The start form remembers watched level, difficulty and length; a new player's profile knows them."""

import re

import pytest
from django.urls import reverse

from quiz.models import Player
from tests.factories import PlayerFactory
from tests.playing import answer_all, latest_attempt, make_bank, start

pytestmark = pytest.mark.django_db
PASSWORD = "a long enough passphrase 42"


def checked(html: str, name: str) -> str | None:
    match = re.search(rf'<input type="radio" name="{name}" value="([^"]+)"[^>]*checked', html)
    return match.group(1) if match else None


def test_a_fresh_visitor_gets_mixed_and_ten(client):
    html = client.get("/").content.decode()
    assert checked(html, "difficulty") == "mixed"
    assert checked(html, "length") == "10"


def test_an_anonymous_visitors_difficulty_and_length_are_preselected_next_time(client):
    make_bank(30, difficulty="hard")
    start(client, watched=4, difficulty="hard", length=20)
    html = client.get("/").content.decode()
    assert checked(html, "difficulty") == "hard"
    assert checked(html, "length") == "20"
    assert '<option value="4" selected>' in html


def test_a_players_choices_follow_them_to_another_browser(client):
    make_bank(10, difficulty="easy")
    player = PlayerFactory(watched_through=None)
    client.force_login(player.user)
    start(client, watched=2, difficulty="easy", length=5)
    player.refresh_from_db()
    assert (player.watched_through, player.difficulty, player.quiz_length) == (2, "easy", 5)
    client.logout()
    client.force_login(player.user)
    html = client.get("/").content.decode()
    assert checked(html, "difficulty") == "easy" and checked(html, "length") == "5"


def test_the_profile_shows_the_watched_level_played_before_signing_up(client):
    make_bank(10)
    start(client, watched=3, difficulty="easy", length=5)
    answer_all(client, latest_attempt())
    client.post(
        reverse("signup"),
        {
            "username": "annafan",
            "display_name": "Anna Fan",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )
    html = client.get(reverse("profile")).content.decode()
    assert "Watched so far: Episode 3" in html
    player = Player.objects.get(display_name="Anna Fan")
    assert (player.difficulty, player.quiz_length) == ("easy", 5)


@pytest.mark.parametrize("stored", [["hard"], {"hard": 1}, "impossible", 1, None])
def test_a_stored_difficulty_that_is_no_choice_is_ignored(client, stored):
    """A session's stored choices are checked before use (they may be stale): any
    value, hashable or not, that is no difficulty leaves the default."""
    session = client.session
    session["difficulty"] = stored
    session["length"] = 20
    session.save()
    html = client.get("/").content.decode()
    assert checked(html, "difficulty") == "mixed"
    assert checked(html, "length") == "20"
