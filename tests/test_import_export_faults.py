"""Import and export under bad input and faults: drafts stay drafts through a round trip,
hostile files get a clear message (never a traceback or a half-done import), and a
failed export leaves the previous file whole."""

from __future__ import annotations

import json
import resource
import signal
import subprocess
import sys

import pytest
from django.core.management import CommandError

from quiz.models import Question
from tests.factories import BankFactory, QuestionFactory
from tests.live_server import ROOT, server_env
from tests.test_import_export import export, record, run_import, write


@pytest.mark.django_db
def test_an_export_of_all_statuses_imports_back_with_the_same_statuses(tmp_path):
    source = BankFactory(slug="source", name="Source")
    for status in ("published", "draft", "retired"):
        QuestionFactory(bank=source, status=status, text=f"A {status} question?")
    document = export(all_statuses=True, bank=["source"])
    target = BankFactory(slug="target", name="Target", is_published=True)

    out, err = run_import(write(tmp_path, document), bank="target")

    assert "Imported 3 of 3" in out, err
    statuses = dict(target.questions.values_list("text", "status"))
    assert statuses == {
        "A published question?": "published",
        "A draft question?": "draft",
        "A retired question?": "retired",
    }


@pytest.mark.django_db
def test_a_lone_surrogate_rejects_its_record_and_the_others_still_go_in(tmp_path):
    records = [
        record(question="First of three?"),
        record(question="Broken \ud800 record?"),
        record(question="Third of three?"),
    ]
    path = tmp_path / "surrogate.json"
    # json.dumps writes the surrogate as the escape "\ud800", as a hostile file would.
    path.write_text(json.dumps({"response_code": 0, "results": records}), encoding="ascii")

    out, err = run_import(path)

    assert "Imported 2 of 3" in out
    assert "record 2: rejected: question contains an invalid character (a lone surrogate)" in err
    assert set(Question.objects.values_list("text", flat=True)) == {
        "First of three?",
        "Third of three?",
    }


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("[" * 100_000 + "]" * 100_000, "nests its JSON too deeply"),
        ('{"response_code": 0, "results": [' + "9" * 5000 + "]}", "not a usable JSON file"),
    ],
    ids=["deep-nesting", "5000-digit-number"],
)
def test_a_json_bomb_imports_nothing_and_says_why(tmp_path, content, message):
    with pytest.raises(CommandError, match="nothing imported") as excinfo:
        run_import(write(tmp_path, content))
    assert message in str(excinfo.value)
    assert not Question.objects.exists()


@pytest.mark.django_db
def test_a_file_with_a_utf8_byte_order_mark_is_read(tmp_path):
    path = tmp_path / "bom.json"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps({"results": [record()]}).encode())
    out, _ = run_import(path)
    assert "Imported 1 of 1" in out


@pytest.mark.django_db(transaction=True)
def test_a_failed_export_leaves_the_previous_file_whole(tmp_path):
    """The disk fills up mid-write (a file size limit stands in for it)."""
    QuestionFactory.create_batch(5)
    previous = tmp_path / "export.json"
    previous.write_text('{"response_code": 0, "results": []}\n')
    before = previous.read_bytes()

    def small_disk():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (200, 200))

    result = subprocess.run(
        [sys.executable, "manage.py", "export_questions", "--output", str(previous)],
        cwd=ROOT,
        env=server_env(),
        capture_output=True,
        text=True,
        preexec_fn=small_disk,
        timeout=60,
    )

    assert result.returncode != 0
    assert f"cannot write {previous}" in result.stderr
    assert "Traceback" not in result.stderr
    assert previous.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["export.json"]


@pytest.mark.django_db
def test_an_export_that_cannot_be_put_in_place_leaves_no_temporary_file(tmp_path, monkeypatch):
    QuestionFactory()
    previous = tmp_path / "export.json"
    previous.write_text("old\n")

    def refuse(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("quiz.management.commands.export_questions.os.replace", refuse)
    with pytest.raises(CommandError, match="No space left on device"):
        export(output=str(previous))
    assert previous.read_text() == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["export.json"]
