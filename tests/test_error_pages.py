"""Error pages are friendly, leak nothing, and are themselves tested.

They are the templates 400.html, 403.html, 403_csrf.html, 404.html and 500.html,
rendered by Django's default error views: no handler of our own.
"""

import pytest
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.test import Client
from django.urls import include, path

from hhquiz import urls as project_urls

pytestmark = pytest.mark.django_db


def boom(request):
    raise RuntimeError("secret internal detail: password=hunter2")


def forbidden(request):
    raise PermissionDenied("secret internal detail: staff only")


def suspicious(request):
    raise SuspiciousOperation("secret internal detail: tampered")


urlpatterns = [
    path("boom/", boom),
    path("forbidden/", forbidden),
    path("suspicious/", suspicious),
    path("", include(project_urls)),
]


@pytest.fixture
def with_failing_views(settings):
    settings.ROOT_URLCONF = __name__


def test_no_custom_error_handlers_or_csrf_view(settings):
    for code in (400, 403, 404, 500):
        assert not hasattr(project_urls, f"handler{code}")
    assert settings.CSRF_FAILURE_VIEW == "django.views.csrf.csrf_failure"


@pytest.mark.parametrize("htmx", [False, True])
def test_404_page(client, htmx):
    headers = {"HX-Request": "true"} if htmx else {}
    response = client.get("/no/such/page/", headers=headers)
    html = response.content.decode()
    assert response.status_code == 404
    assert "<h1>Not found</h1>" in html
    assert "There is nothing here." in html
    assert 'class="site-header"' in html  # the whole page, with the site's navigation
    assert "Traceback" not in html and "urlpatterns" not in html.lower()


def test_500_page_leaks_nothing(with_failing_views):
    client = Client(raise_request_exception=False)
    response = client.get("/boom/")
    html = response.content.decode()
    assert response.status_code == 500
    assert "Something went wrong" in html
    assert 'href="/static/css/site.css"' in html
    assert "hunter2" not in html and "RuntimeError" not in html


def test_403_csrf_failure_is_friendly():
    client = Client(enforce_csrf_checks=True)
    response = client.post("/quiz/start/", {"difficulty": "easy"})
    html = response.content.decode()
    assert response.status_code == 403
    assert "<h1>Please try again</h1>" in html
    assert "reload the page and send it again" in html
    assert "CSRF verification failed" not in html


@pytest.mark.parametrize(
    ("url", "status", "message", "secret"),
    [
        ("/forbidden/", 403, "You are not allowed to do that.", "staff only"),
        ("/suspicious/", 400, "That request could not be understood.", "tampered"),
    ],
)
def test_400_and_403_pages(client, with_failing_views, url, status, message, secret):
    response = client.get(url)
    html = response.content.decode()
    assert response.status_code == status
    assert message in html
    assert 'class="site-header"' in html
    assert secret not in html


def test_unknown_quiz_id_is_404(client):
    assert client.get("/quiz/not-a-uuid/").status_code == 404
    assert client.get("/quiz/00000000-0000-0000-0000-000000000000/").status_code == 404
