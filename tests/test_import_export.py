"""export_questions / import_questions: Open Trivia DB shape, round trip, hostile input."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError

from quiz.generator import BANK_SLUG, generate_bank
from quiz.models import Bank, Option, Question
from tests.factories import BankFactory, QuestionFactory


def export(**options) -> dict:
    out = StringIO()
    call_command("export_questions", stdout=out, stderr=StringIO(), **options)
    return json.loads(out.getvalue())


def run_import(path, **options) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("import_questions", str(path), stdout=out, stderr=err, **options)
    return out.getvalue(), err.getvalue()


def write(tmp_path, document, name="questions.json"):
    path = tmp_path / name
    path.write_text(
        json.dumps(document) if not isinstance(document, str) else document, encoding="utf-8"
    )
    return path


def record(**overrides) -> dict:
    base = {
        "type": "multiple",
        "difficulty": "medium",
        "category": "cast",
        "question": "Which actor plays the cameraman Richard Jones?",
        "correct_answer": "Pablo Schreiber",
        "incorrect_answers": ["Jon Bernthal", "Chris Bauer", "Mike Pniewski"],
        "spoiler_level": 0,
    }
    return base | overrides


# --- export ---------------------------------------------------------------------


def test_export_has_the_open_trivia_db_shape_plus_our_fields(db):
    generate_bank()
    document = export()
    assert document["response_code"] == 0
    assert len(document["results"]) == Question.objects.published().count()
    for item in document["results"]:
        assert set(item) == {
            "type",
            "difficulty",
            "category",
            "question",
            "correct_answer",
            "incorrect_answers",
            "spoiler_level",
            "status",
            "explanation",
            "source",
            "bank",
            "facts",
            "mentions",
        }
        assert item["bank"] == BANK_SLUG
        # Each generated question says which fact it asks (its source key's fact first).
        assert item["facts"][0] == item["source"].removeprefix("generated:").rsplit(":", 1)[0]
        assert item["source"].startswith("generated:")
        if item["type"] == "boolean":
            assert {item["correct_answer"], *item["incorrect_answers"]} == {"True", "False"}
        else:
            assert len(item["incorrect_answers"]) == 3


def test_export_filters_by_difficulty_level_and_bank(db):
    generate_bank()
    QuestionFactory(bank=BankFactory(slug="other", name="Other"), text="Elsewhere?")
    hard_early = export(difficulty=["hard"], spoiler_level=2)["results"]
    assert hard_early
    assert all(r["difficulty"] == "hard" and r["spoiler_level"] <= 2 for r in hard_early)
    other = export(bank=["other"])["results"]
    assert [r["question"] for r in other] == ["Elsewhere?"]
    assert other[0]["source"] == "hand-written"


def test_export_leaves_out_drafts_unless_asked(db):
    QuestionFactory(text="A draft?", draft=True)
    assert export()["results"] == []
    assert [r["question"] for r in export(all_statuses=True)["results"]] == ["A draft?"]


def test_export_to_an_unknown_bank_fails_clearly(db):
    with pytest.raises(CommandError, match="unknown bank: nope"):
        export(bank=["nope"])


# --- round trip -------------------------------------------------------------------


def snapshot():
    return sorted(
        (
            q.bank.slug,
            q.kind,
            q.text,
            q.explanation,
            q.category,
            q.difficulty,
            q.spoiler_level,
            q.status,
            q.source_key,
            tuple(q.facts),
            tuple(q.mentions),
            tuple(sorted((o.text, o.is_correct) for o in q.options.all())),
        )
        for q in Question.objects.select_related("bank").prefetch_related("options")
    )


def test_export_then_import_gives_back_the_same_bank(db, tmp_path):
    generate_bank()
    QuestionFactory(text="Who directs the news at WSK?", spoiler_level=1, kind="multiple")
    before = snapshot()
    path = tmp_path / "bank.json"
    call_command("export_questions", output=str(path), stderr=StringIO())
    Question.objects.all().delete()

    out, err = run_import(path)
    assert err == ""
    assert f"Imported {len(before)} of {len(before)} records" in out
    assert snapshot() == before


def test_importing_the_same_file_twice_imports_nothing_twice(db, tmp_path):
    path = write(
        tmp_path,
        {
            "response_code": 0,
            "results": [
                record(),
                record(question="Who plays Alice?", correct_answer="Crystal Fox"),
            ],
        },
    )
    run_import(path)
    out, err = run_import(path)
    assert "Imported 0 of 2" in out
    assert err.count("duplicate") == 2
    assert Question.objects.count() == 2


# --- plain Open Trivia DB files -----------------------------------------------------


def test_plain_open_trivia_db_records_are_unescaped_and_enter_as_level_six_drafts(db, tmp_path):
    plain = {
        "response_code": 0,
        "results": [
            {
                "type": "multiple",
                "difficulty": "easy",
                "category": "Entertainment: Television",
                "question": "Who plays Anna in &quot;HIS &amp; HERS&quot;? It&#039;s a thriller.",
                "correct_answer": "Tessa Thompson",
                "incorrect_answers": ["Poppy Liu", "Sunita Mani", "Marin Ireland"],
            },
            {
                "type": "boolean",
                "difficulty": "hard",
                "category": "Entertainment: Television",
                "question": "HIS &amp; HERS has six episodes.",
                "correct_answer": "True",
                "incorrect_answers": ["False"],
            },
        ],
    }
    out, err = run_import(write(tmp_path, plain))
    assert "Imported 2 of 2" in out and "2 as drafts" in out
    question = Question.objects.get(kind="multiple")
    assert question.text == 'Who plays Anna in "HIS & HERS"? It\'s a thriller.'
    assert question.status == Question.Status.DRAFT
    assert question.spoiler_level == 6
    assert question.bank.slug == "imported" and not question.bank.is_published
    assert question.source_key == ""
    boolean = Question.objects.get(kind="boolean")
    assert [(o.text, o.is_correct) for o in boolean.options.all()] == [
        ("True", True),
        ("False", False),
    ]
    assert not Question.objects.published().exists()


def test_import_into_a_named_bank(db, tmp_path):
    BankFactory(slug="extra", name="Extra")
    run_import(write(tmp_path, {"results": [record(bank="his-and-hers")]}), bank="extra")
    assert Question.objects.get().bank.slug == "extra"
    with pytest.raises(CommandError, match="unknown bank: missing"):
        run_import(write(tmp_path, {"results": [record()]}), bank="missing")


# --- bad records ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("bad", "reason"),
    [
        (record(type="open"), 'type must be "multiple" or "boolean"'),
        (record(difficulty="insane"), "difficulty must be one of easy, medium, hard"),
        (record(question=""), "question is empty"),
        (record(question="<script>alert(1)</script>Who?"), "question contains HTML markup"),
        (record(question="&lt;b&gt;Who&lt;/b&gt; plays Richard?"), "question contains HTML markup"),
        (
            record(correct_answer="<img src=x onerror=alert(1)>"),
            "correct_answer contains HTML markup",
        ),
        (record(question="Who? " + "x" * 600), "question is too long"),
        (record(question="x" * 100_000), "question is too long"),
        (record(explanation="y" * 1001), "explanation is too long"),
        (
            record(incorrect_answers=["Jon Bernthal", "Pablo Schreiber"]),
            "Two options have the same text",
        ),
        (
            record(incorrect_answers=["Jon Bernthal", "pablo  schreiber"]),
            "Two options have the same text",
        ),
        (record(incorrect_answers=[]), "2 to 6 options"),
        (record(incorrect_answers=["a", "b", "c", "d", "e", "f"]), "2 to 6 options"),
        (record(incorrect_answers="Jon Bernthal"), "incorrect_answers must be a list of strings"),
        (record(incorrect_answers=[1, 2, 3]), "incorrect_answers must be a list of strings"),
        (
            record(type="boolean", correct_answer="Yes", incorrect_answers=["No"]),
            'must be "True" or "False"',
        ),
        (
            record(type="boolean", correct_answer="True", incorrect_answers=["Maybe"]),
            "exactly two options",
        ),
        (record(spoiler_level=9), "spoiler_level must be an integer 0..6"),
        (record(spoiler_level="2"), "spoiler_level must be an integer 0..6"),
        (record(spoiler_level=True), "spoiler_level must be an integer 0..6"),
        (record(question="Who\x00 plays Richard?"), "control characters"),
        (
            record(source="scraped from somewhere"),
            'source must be "hand-written" or "generated:<key>"',
        ),
        (record(source="generated:../../etc passwd"), "not a valid generated-question key"),
        (record(category=["cast"]), "category must be a string"),
        (record(facts="cast.anna"), "facts must be a list of fact ids"),
        (record(facts=[1]), "facts must be a list of fact ids"),
        (record(mentions=["cast anna; drop"]), "mentions holds something that is not a fact id"),
        (record(facts=[f"x.{n}" for n in range(31)]), "at most 30"),
        ("just a string", "a record must be a JSON object"),
        ({"question": "Who?"}, "type must be"),
    ],
)
def test_each_bad_record_is_rejected_with_its_reason(db, tmp_path, bad, reason):
    document = {"response_code": 0, "results": [record(question="A good one?"), bad]}
    out, err = run_import(write(tmp_path, document))
    assert "Imported 1 of 2" in out
    assert err.startswith("record 2: rejected: ")
    assert reason in err
    assert list(Question.objects.values_list("text", flat=True)) == ["A good one?"]


def test_a_duplicate_inside_one_file_is_rejected(db, tmp_path):
    out, err = run_import(
        write(
            tmp_path,
            {
                "results": [
                    record(),
                    record(question="  which ACTOR plays the cameraman Richard Jones? "),
                ]
            },
        )
    )
    assert "Imported 1 of 2" in out
    assert "record 2: rejected: duplicate" in err


def test_a_record_that_fails_in_the_database_leaves_nothing_behind(db, tmp_path, monkeypatch):
    real = Option.objects.bulk_create

    def failing(objs, *args, **kwargs):
        objs = list(objs)
        if any(o.text == "Crystal Fox" for o in objs):
            raise IntegrityError("simulated failure")
        return real(objs, *args, **kwargs)

    monkeypatch.setattr(Option.objects, "bulk_create", failing)
    document = {
        "results": [record(), record(question="Who plays Alice?", correct_answer="Crystal Fox")]
    }
    out, err = run_import(write(tmp_path, document))
    assert "Imported 1 of 2" in out
    assert "record 2: rejected: the database refused it" in err
    assert not Question.objects.filter(text="Who plays Alice?").exists()


# --- bad files ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "is not valid JSON (line 1, column 2"),
        ("[1, 2, 3]", 'expected an Open Trivia DB response: an object with a "results" list'),
        ('{"response_code": 1, "results": []}', "response_code is 1, not 0"),
        ('{"response_code": 0, "results": {"a": 1}}', '"results" must be a list'),
    ],
)
def test_a_malformed_file_imports_nothing_and_says_why(db, tmp_path, content, message):
    with pytest.raises(CommandError, match="nothing imported") as excinfo:
        run_import(write(tmp_path, content))
    assert message in str(excinfo.value)
    assert not Question.objects.exists()


def test_a_missing_or_binary_file_is_refused(db, tmp_path):
    with pytest.raises(CommandError, match="cannot read"):
        run_import(tmp_path / "nope.json")
    binary = tmp_path / "binary.json"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(CommandError, match="not UTF-8"):
        run_import(binary)


def test_a_huge_file_is_refused(db, tmp_path, monkeypatch):
    monkeypatch.setattr("quiz.opentdb.MAX_FILE_BYTES", 100)
    with pytest.raises(CommandError, match="the limit is 100"):
        run_import(write(tmp_path, {"results": [record()] * 5}))


def test_the_import_bank_is_created_only_once(db, tmp_path):
    run_import(write(tmp_path, {"results": [record(spoiler_level=None)]}, "a.json"))
    run_import(
        write(tmp_path, {"results": [record(question="Another?", spoiler_level=None)]}, "b.json")
    )
    assert Bank.objects.filter(slug="imported").count() == 1
