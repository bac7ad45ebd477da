"""The admin is for staff only."""

import pytest
from django.contrib.auth import get_user_model

from tests.factories import PlayerFactory

pytestmark = pytest.mark.django_db


def test_anonymous_and_players_cannot_reach_the_admin(client):
    response = client.get("/admin/quiz/question/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    player = PlayerFactory()
    client.force_login(player.user)
    response = client.get("/admin/quiz/question/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    assert client.get("/admin/quiz/player/").status_code == 302


def test_staff_reach_the_admin(client):
    admin = get_user_model().objects.create_superuser(
        "editor", "editor@example.org", "a long admin passphrase"
    )
    client.force_login(admin)
    assert client.get("/admin/quiz/question/").status_code == 200
    assert client.get("/admin/quiz/report/").status_code == 200
