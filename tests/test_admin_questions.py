"""The question admin: option validation, defaults, preview, actions and the report queue."""

from __future__ import annotations

import pytest
from django.urls import reverse

from quiz.generator import generate_bank
from quiz.models import Question, Report
from tests.factories import BankFactory, CategoryFactory, QuestionFactory, ReportFactory

ADD_URL = reverse("admin:quiz_question_add")
CHANGELIST = reverse("admin:quiz_question_changelist")


def change_url(question):
    return reverse("admin:quiz_question_change", args=[question.pk])


def question_form(
    bank, options, *, kind="multiple", text="Who plays Lexy Jones?", existing=(), **fields
):
    data = {
        "bank": bank.pk,
        "kind": kind,
        "text": text,
        "explanation": "Rebecca Rittenhouse plays Lexy Jones.",
        "category": "cast",
        "difficulty": "medium",
        "spoiler_level": "0",
        "status": "published",
        "options-TOTAL_FORMS": str(len(options)),
        "options-INITIAL_FORMS": str(len(existing)),
        "options-MIN_NUM_FORMS": "2",
        "options-MAX_NUM_FORMS": "6",
    } | fields
    for i, (option_text, correct) in enumerate(options):
        data[f"options-{i}-text"] = option_text
        data[f"options-{i}-position"] = str(i)
        if correct:
            data[f"options-{i}-is_correct"] = "on"
        if i < len(existing):
            data[f"options-{i}-id"] = str(existing[i])
    return data


@pytest.fixture
def bank(db):
    CategoryFactory(slug="cast")
    return BankFactory()


def test_a_valid_question_is_saved_with_its_options(admin_client, bank):
    options = [("Rebecca Rittenhouse", True), ("Poppy Liu", False), ("Sunita Mani", False)]
    response = admin_client.post(ADD_URL, question_form(bank, options))
    assert response.status_code == 302
    question = Question.objects.get(text="Who plays Lexy Jones?")
    assert [(o.text, o.is_correct) for o in question.options.all()] == options
    assert question.source_key == "" and not question.edited_by_admin


@pytest.mark.parametrize(
    ("kind", "options", "message"),
    [
        ("multiple", [("Rebecca Rittenhouse", True)], "2 to 6 options (this one has 1)"),
        ("multiple", [(f"Actor {i}", i == 0) for i in range(7)], "2 to 6 options (this one has 7)"),
        (
            "multiple",
            [("Rebecca Rittenhouse", True), ("Poppy Liu", True)],
            "Exactly one option must be correct",
        ),
        (
            "multiple",
            [("Rebecca Rittenhouse", False), ("Poppy Liu", False)],
            "Exactly one option must be correct",
        ),
        ("multiple", [("Poppy Liu", True), ("poppy liu", False)], "Two options have the same text"),
        (
            "boolean",
            [("Yes", True), ("No", False)],
            "exactly two options, &quot;True&quot; and &quot;False&quot;",
        ),
        ("boolean", [("True", True), ("False", False), ("Maybe", False)], "exactly two options"),
    ],
)
def test_invalid_option_sets_are_refused_and_nothing_is_saved(
    admin_client, bank, kind, options, message
):
    response = admin_client.post(ADD_URL, question_form(bank, options, kind=kind))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Question.objects.exists()


def test_markup_in_the_question_text_is_refused(admin_client, bank):
    options = [("Rebecca Rittenhouse", True), ("Poppy Liu", False)]
    response = admin_client.post(
        ADD_URL, question_form(bank, options, text="<b>Who</b> plays Lexy?")
    )
    assert "Plain text only" in response.content.decode()
    assert not Question.objects.exists()


def test_a_new_question_defaults_to_a_level_six_draft(admin_client, bank):
    form = admin_client.get(ADD_URL).context["adminform"].form
    assert form["status"].value() == Question.Status.DRAFT
    assert form["spoiler_level"].value() == 6


def test_the_correct_option_can_move_to_another_option(admin_client, bank):
    question = QuestionFactory(bank=bank, options=["Right", "Wrong A", "Wrong B"])
    ids = list(question.options.values_list("id", flat=True))
    data = question_form(
        bank,
        [("Right", False), ("Wrong A", False), ("Wrong B", True)],
        text=question.text,
        existing=ids,
    )
    response = admin_client.post(change_url(question), data)
    assert response.status_code == 302
    assert question.options.get(is_correct=True).text == "Wrong B"


def test_saving_a_generated_question_marks_it_edited_and_the_generator_keeps_it(admin_client, db):
    generate_bank()
    question = Question.objects.get(source_key="cast.lexy:who-plays")
    options = [(o.text, o.is_correct) for o in question.options.all()]
    ids = [o.id for o in question.options.all()]
    data = question_form(
        question.bank,
        options,
        text="Which actress plays Lexy Jones?",
        existing=ids,
        difficulty="hard",
    )
    assert admin_client.post(change_url(question), data).status_code == 302
    question.refresh_from_db()
    assert question.edited_by_admin
    generate_bank()
    question.refresh_from_db()
    assert question.text == "Which actress plays Lexy Jones?" and question.difficulty == "hard"


def test_change_page_previews_the_question_and_lists_its_facts(admin_client, db):
    generate_bank()
    question = Question.objects.get(source_key="cast.alice:who-plays")
    page = admin_client.get(change_url(question)).content.decode()
    assert "How players will see it" in page
    assert "Crystal Fox ✓ correct" in page
    assert "cast.alice" in page and "Crystal Fox plays Alice" in page
    assert "relation.alice-mother" in page


def test_the_preview_escapes_what_an_admin_typed(admin_client, bank):
    question = QuestionFactory(bank=bank, options=["<script>x</script>", "B"])
    page = admin_client.get(change_url(question)).content.decode()
    assert "<script>x</script>" not in page
    assert "&lt;script&gt;x&lt;/script&gt;" in page


def test_changelist_filters_search_and_shows_accuracy(admin_client, bank):
    QuestionFactory(bank=bank, text="Hand-written one?", answer_count=4, correct_count=3)
    QuestionFactory(bank=bank, text="Generated one?", generated=True)
    page = admin_client.get(CHANGELIST, {"origin": "hand-written"}).content.decode()
    assert "Hand-written one?" in page and "Generated one?" not in page
    assert "75%" in page
    page = admin_client.get(CHANGELIST, {"origin": "generated"}).content.decode()
    assert "Generated one?" in page and "Hand-written one?" not in page
    page = admin_client.get(CHANGELIST, {"q": "Right"}).content.decode()  # option text
    assert "Hand-written one?" in page
    for params in (
        {"difficulty": "easy"},
        {"spoiler_level": "0"},
        {"status": "published"},
        {"category": "cast"},
        {"bank__id__exact": bank.pk},
    ):
        assert admin_client.get(CHANGELIST, params).status_code == 200


def test_bulk_unpublish_and_publish(admin_client, bank):
    generated = QuestionFactory(bank=bank, generated=True)
    written = QuestionFactory(bank=bank)
    ids = [generated.pk, written.pk]
    admin_client.post(CHANGELIST, {"action": "unpublish", "_selected_action": ids})
    assert set(Question.objects.values_list("status", flat=True)) == {Question.Status.DRAFT}
    generated.refresh_from_db()
    assert generated.edited_by_admin  # the generator must not republish it
    admin_client.post(CHANGELIST, {"action": "publish", "_selected_action": ids})
    assert set(Question.objects.values_list("status", flat=True)) == {Question.Status.PUBLISHED}


# --- report queue --------------------------------------------------------------------

REPORTS = reverse("admin:quiz_report_changelist")


def test_the_report_queue_lists_open_reports_by_default(admin_client, db):
    ReportFactory(note="still open")
    ReportFactory(note="long done", status=Report.Status.RESOLVED)
    page = admin_client.get(REPORTS).content.decode()
    assert "still open" in page and "long done" not in page
    page = admin_client.get(REPORTS, {"status": "all"}).content.decode()
    assert "still open" in page and "long done" in page


def test_resolve_action(admin_client, db):
    report = ReportFactory()
    admin_client.post(REPORTS, {"action": "resolve", "_selected_action": [report.pk]})
    report.refresh_from_db()
    assert report.status == Report.Status.RESOLVED and report.resolved_at
    assert report.question.status == Question.Status.PUBLISHED


def test_resolve_and_unpublish_in_one_step(admin_client, db):
    report = ReportFactory(reason=Report.Reason.SPOILER, question=QuestionFactory(generated=True))
    admin_client.post(REPORTS, {"action": "resolve_and_unpublish", "_selected_action": [report.pk]})
    report.refresh_from_db()
    report.question.refresh_from_db()
    assert report.status == Report.Status.RESOLVED
    assert report.question.status == Question.Status.DRAFT
    assert report.question.edited_by_admin


def test_bank_admin_counts_questions(admin_client, bank):
    QuestionFactory.create_batch(3, bank=bank)
    QuestionFactory.create_batch(2, bank=bank, draft=True)
    QuestionFactory(bank=BankFactory(name="Another bank", slug="another"))
    page = admin_client.get(
        reverse("admin:quiz_bank_changelist"), {"q": bank.name}
    ).content.decode()
    assert "HIS &amp; HERS — the series" in page
    assert "Another bank" not in page
    assert '<td class="field-question_count">5</td>' in page
    assert '<td class="field-published_count">3</td>' in page
