"""The load tests' baseline endpoint: a tiny response through every middleware."""

import pytest
from django.urls import reverse


def test_baseline_is_tiny_and_passes_the_middleware_stack(client):
    response = client.get(reverse("bench_baseline"))
    assert response.status_code == 200
    assert response.content == b"ok\n"
    assert response["Content-Type"].startswith("text/plain")
    # The security middleware ran: the same headers as every page.
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert "Content-Security-Policy" in response


@pytest.mark.django_db
def test_baseline_touches_no_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        client.get(reverse("bench_baseline"))


@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_baseline_only_answers_get(client, method):
    assert getattr(client, method)(reverse("bench_baseline")).status_code == 405
