"""“Sign up to save this score” comes back to the results, which now show the score's rank."""

import pytest
from django.urls import reverse

from tests.playing import answer_all, latest_attempt, make_bank, start

pytestmark = pytest.mark.django_db
PASSWORD = "a long enough passphrase 42"


def sign_up(client, **extra):
    data = {
        "username": "annafan",
        "display_name": "Anna Fan",
        "password1": PASSWORD,
        "password2": PASSWORD,
    }
    return client.post(reverse("signup"), data | extra)


@pytest.fixture
def results_url(client):
    make_bank(10)
    start(client)
    attempt = answer_all(client, latest_attempt())
    return reverse("quiz:results", args=[attempt.public_id])


def test_results_link_to_sign_up_with_the_way_back(client, results_url):
    html = client.get(results_url).content.decode()
    signup_link = f'href="{reverse("signup")}?next={results_url}"'
    assert signup_link in html
    form = client.get(f"{reverse('signup')}?next={results_url}").content.decode()
    assert f'<input type="hidden" name="next" value="{results_url}">' in form


def test_signing_up_returns_to_the_results_with_the_rank(
    client, results_url, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = sign_up(client, next=results_url)
    assert response.status_code == 302
    assert response["Location"] == results_url
    html = client.get(results_url).content.decode()
    assert "That score ranks <strong>#1</strong>" in html
    assert "Welcome, Anna Fan! Your quiz is saved to your account." in html
    assert "Sign up to save this score" not in html


@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example/x", "javascript:alert(1)"]
)
def test_only_local_pages_are_returned_to(client, target):
    response = sign_up(client, next=target)
    assert response["Location"] == reverse("quiz:home")


def test_a_failed_sign_up_keeps_the_way_back(client, results_url):
    response = sign_up(client, next=results_url, password2="something else entirely")
    assert response.status_code == 400
    assert f'name="next" value="{results_url}"' in response.content.decode()
