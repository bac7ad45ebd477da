"""manage.py bank_report: the figures of the bank in the database."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from quiz.generator import generate_bank
from quiz.models import Question

pytestmark = pytest.mark.django_db


def report(**options) -> str:
    out = StringIO()
    call_command("bank_report", stdout=out, **options)
    return out.getvalue()


def test_report_prints_the_figures_of_the_generated_bank():
    generate_bank()
    published = Question.objects.published().filter(bank__slug="his-and-hers")
    text = report(quizzes=20)
    assert f"Questions: {published.count()} " in text
    for heading in (
        "By difficulty:",
        "By category:",
        "Distinct facts asked:",
        "Credits trivia share:",
        "True share of true/false:",
        "Story share of a mixed quiz pool after 3 episodes:",
        "Questions per fact:",
        "multiple choice",
        "Simulated 10-question quizzes, 20 per level and difficulty",
        "Most reused wrong options:",
        "Gender or kind mismatches: 0",
        "Children in crime options: 0",
    ):
        assert heading in text, heading
    rows = [line.split() for line in text.splitlines() if line[:5].strip().isdigit()]
    assert [int(r[0]) for r in rows[:7]] == list(range(7))


def test_report_reads_the_database_so_an_admin_edit_shows():
    generate_bank()
    before = report(quizzes=1)
    question = Question.objects.get(source_key="cast.alice:who-plays")
    question.status = Question.Status.RETIRED
    question.save()
    after = report(quizzes=1)
    count = lambda text: int(text.split("Questions: ")[1].split()[0])  # noqa: E731
    assert count(after) == count(before) - 1


def test_report_counts_a_mismatch_an_admin_introduced():
    generate_bank()
    question = Question.objects.get(source_key="cast.alice:who-plays")
    wrong = question.options.filter(is_correct=False).first()
    wrong.text = "Jon Bernthal"  # a man among the actresses
    wrong.save()
    text = report(quizzes=1)
    assert "Gender or kind mismatches: 1" in text
    assert "Who plays Alice in HIS & HERS?" in text


def test_report_refuses_bad_input():
    with pytest.raises(CommandError, match="no published questions"):
        report(quizzes=1)
    generate_bank()
    with pytest.raises(CommandError, match="at least 1"):
        report(quizzes=0)
    with pytest.raises(CommandError, match="no published questions"):
        report(bank="nope", quizzes=1)
