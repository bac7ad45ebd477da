"""Display names: look-alike letters from other alphabets cannot slip past the deny list,
and nobody can take the moderation placeholder "Hidden player"."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from quiz.forms import name_skeleton, validate_display_name
from quiz.models import Player

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "name",
    [
        "\u0430dmin",  # Cyrillic a
        "N\u0435tflix",  # Cyrillic e
        "\u03bffficial fan",  # Greek omicron
        "Hidden player",
        "hidden-player",
        "H\u0456dden Player",  # Cyrillic i
        "\u00e4dmin",  # an accent does not hide it either
    ],
)
def test_impersonating_names_are_refused(client, name):
    with pytest.raises(ValidationError):
        validate_display_name(name)
    password = "a long enough passphrase 42"
    response = client.post(
        reverse("signup"),
        {"username": "someone", "display_name": name, "password1": password, "password2": password},
    )
    assert response.status_code == 400
    assert not Player.objects.exists()


@pytest.mark.parametrize(
    "name", ["Zo\u00eb Fan", "Jos\u00e9", "\u0410\u043d\u043d\u0430", "Anna Fan"]
)
def test_names_in_one_alphabet_with_accents_are_fine(name):
    assert validate_display_name(name) == name


def test_the_skeleton_maps_look_alikes_to_latin():
    assert name_skeleton("\u0430dm\u0456n") == "admin"
    assert name_skeleton("Hidden Player") == "hiddenplayer"
