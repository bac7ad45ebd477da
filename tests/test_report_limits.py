"""Reports: one per answered question (a double click changes nothing), and rate-limited,
so nobody floods the editors' queue (the old code stored 150 reports in 1.2 s)."""

import pytest

from quiz.models import Report
from tests.factories import PlayerFactory
from tests.playing import answer_all, latest_attempt, make_bank, question_url, start

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


@pytest.fixture
def finished(client):
    make_bank(30)
    client.force_login(PlayerFactory().user)
    start(client, length=10)
    return answer_all(client, latest_attempt())


def _report(client, attempt, number, headers=None, **data):
    return client.post(
        question_url(attempt, number) + "report/",
        {"reason": "typo", "note": "", **data},
        headers=headers or {},
    )


@pytest.mark.parametrize("headers", [{}, HTMX], ids=["page", "htmx"])
def test_a_second_report_on_the_same_question_changes_nothing(client, finished, headers):
    first = _report(client, finished, 1, headers, note="the year is wrong")
    second = _report(client, finished, 1, headers, note="again")
    assert first.status_code == second.status_code == (200 if headers else 302)
    if headers:
        assert "Thank you" in second.content.decode()
    assert list(Report.objects.values_list("note", flat=True)) == ["the year is wrong"]


@pytest.mark.parametrize("headers", [{}, HTMX], ids=["page", "htmx"])
def test_reports_are_rate_limited(client, finished, settings, headers):
    settings.QUIZ_REPORT_RATE = 3
    statuses = [_report(client, finished, n, headers).status_code for n in range(1, 6)]
    assert statuses[:3] == [200 if headers else 302] * 3
    assert statuses[3:] == [429, 429]
    response = _report(client, finished, 6, headers)
    assert "sending reports very fast" in response.content.decode()
    assert Report.objects.count() == 3
