"""The report form is rendered once per process while blank, normally once bound."""

from quiz.forms import ReportForm


def test_blank_report_form_is_rendered_once_and_stays_the_same():
    first = ReportForm().as_p()
    assert 'name="reason"' in first and 'name="note"' in first
    assert ReportForm().as_p() is first


def test_bound_report_form_shows_the_players_input_and_errors():
    html = ReportForm({"reason": "not-a-reason", "note": "my <b>note</b>"}).as_p()
    assert "errorlist" in html
    assert "my &lt;b&gt;note&lt;/b&gt;" in html
    assert "errorlist" not in ReportForm().as_p()
