"""Reporting a question from its feedback page: stored for the editors, with and without htmx."""

import pytest
from django.urls import reverse

from quiz.models import Report
from tests.factories import PlayerFactory
from tests.playing import question_url, started_quiz

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}
THANKS = "Thank you: an editor will look at this question."


def report_url(attempt, number):
    return reverse("quiz:report", args=[attempt.public_id, number])


def answered_first_question(client):
    attempt, item = started_quiz(client)
    client.post(question_url(attempt, 1), {"option": item.correct_key})
    item.refresh_from_db()
    assert item.is_answered
    return attempt, item


def test_a_report_without_javascript_is_stored_and_thanked(client):
    attempt, item = answered_first_question(client)
    data = {"reason": Report.Reason.TYPO, "note": "“Andrews” is misspelt"}
    response = client.post(report_url(attempt, 1), data)
    assert response.status_code == 302
    assert response["Location"] == question_url(attempt, 1)
    report = Report.objects.get()
    assert (report.question_id, report.item, report.player) == (item.question_id, item, None)
    assert (report.reason, report.note, report.status) == (
        Report.Reason.TYPO,
        data["note"],
        Report.Status.OPEN,
    )
    page = client.get(response["Location"]).content.decode()
    assert THANKS in page


def test_a_report_with_htmx_returns_only_the_thank_you(client):
    attempt, item = answered_first_question(client)
    response = client.post(
        report_url(attempt, 1), {"reason": Report.Reason.SPOILER, "note": ""}, headers=HTMX
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert THANKS in html
    assert '<div id="report">' in html
    assert "<html" not in html and 'name="reason"' not in html
    report = Report.objects.get()
    assert (report.item, report.reason) == (item, Report.Reason.SPOILER)


def test_a_signed_in_players_report_names_the_player(client):
    player = PlayerFactory()
    client.force_login(player.user)
    attempt, _item = answered_first_question(client)
    client.post(report_url(attempt, 1), {"reason": Report.Reason.OTHER, "note": "odd"})
    assert Report.objects.get().player == player


@pytest.mark.parametrize("headers", [{}, HTMX])
def test_a_report_without_a_reason_shows_the_form_again_and_stores_nothing(client, headers):
    attempt, _item = answered_first_question(client)
    response = client.post(report_url(attempt, 1), {"reason": "", "note": "kept"}, headers=headers)
    html = response.content.decode()
    assert response.status_code == 400
    assert "errorlist" in html
    assert "kept</textarea>" in html
    assert ("<html" in html) is not bool(headers)
    assert not Report.objects.exists()


def test_a_question_cannot_be_reported_before_it_is_answered(client):
    attempt, _item = started_quiz(client)
    response = client.post(report_url(attempt, 1), {"reason": Report.Reason.TYPO}, headers=HTMX)
    assert response.status_code == 409
    assert "Answer the question before reporting it." in response.content.decode()
    assert not Report.objects.exists()


def test_nobody_reports_through_someone_elses_quiz(client, django_user_model):
    attempt, _item = answered_first_question(client)
    client.force_login(PlayerFactory().user)
    response = client.post(report_url(attempt, 1), {"reason": Report.Reason.TYPO})
    assert response.status_code == 404
    assert not Report.objects.exists()
