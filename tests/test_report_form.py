"""The report form: a fieldset of reasons with none pre-ticked, errors re-rendered in place."""

import pytest

from quiz.models import Report
from tests.playing import answered_item_urls

pytestmark = pytest.mark.django_db


def test_report_form_has_a_fieldset_no_preticked_reason_and_clean_labels(client):
    question_url, _ = answered_item_urls(client)
    html = client.get(question_url).content.decode()
    assert "<legend>What is wrong?</legend>" in html
    assert 'name="reason"' in html and "checked" not in html.split('class="report-form"')[1]
    assert "---------" not in html and "Select an option" not in html
    assert '<label for="id_note">Anything to add? (optional)</label>' in html
    assert "(optional):" not in html


@pytest.mark.parametrize("htmx", [True, False])
def test_report_without_a_reason_re_renders_with_its_error(client, htmx):
    question_url, report_url = answered_item_urls(client)
    headers = {"HX-Request": "true"} if htmx else {}
    response = client.post(report_url, {"note": "my <b>note</b>"}, headers=headers)
    html = response.content.decode()
    assert response.status_code == 400
    assert ("<html" in html) is not htmx
    assert 'id="report"' in html and " open>" in html
    assert "Choose what is wrong with the question." in html
    assert 'role="alert"' in html
    assert "my &lt;b&gt;note&lt;/b&gt;" in html  # kept, escaped
    assert not Report.objects.exists()


def test_report_with_a_reason_is_stored(client):
    _, report_url = answered_item_urls(client)
    response = client.post(report_url, {"reason": "typo"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "Thank you" in response.content.decode()
    assert Report.objects.get().reason == "typo"
