"""Error pages are friendly, leak nothing, and are themselves tested."""

import pytest
from django.test import Client
from django.urls import path

from quiz.views import site

pytestmark = pytest.mark.django_db


def boom(request):
    raise RuntimeError("secret internal detail: password=hunter2")


urlpatterns = [path("boom/", boom)]
handler500 = "quiz.views.site.server_error"


def test_404_page(client):
    response = client.get("/no/such/page/")
    html = response.content.decode()
    assert response.status_code == 404
    assert "There is nothing here." in html
    assert "Traceback" not in html and "urlpatterns" not in html.lower()


def test_500_page_leaks_nothing(settings):
    settings.ROOT_URLCONF = __name__
    client = Client(raise_request_exception=False)
    response = client.get("/boom/")
    html = response.content.decode()
    assert response.status_code == 500
    assert "Something went wrong" in html
    assert "hunter2" not in html and "RuntimeError" not in html


def test_403_csrf_failure_is_friendly():
    client = Client(enforce_csrf_checks=True)
    response = client.post("/quiz/start/", {"difficulty": "easy"})
    assert response.status_code == 403
    assert "reload the page and send it again" in response.content.decode()


def test_400_and_403_handlers(rf):
    assert site.bad_request(rf.get("/")).status_code == 400
    assert "could not be understood" in site.bad_request(rf.get("/")).content.decode()
    assert site.permission_denied(rf.get("/")).status_code == 403


def test_unknown_quiz_id_is_404(client):
    assert client.get("/quiz/not-a-uuid/").status_code == 404
    assert client.get("/quiz/00000000-0000-0000-0000-000000000000/").status_code == 404
