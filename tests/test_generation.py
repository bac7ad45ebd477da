"""The generated bank: size, same-kind wrong answers, determinism and idempotency."""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from quiz.facts import load_fact_base
from quiz.generator import BANK_SLUG, Builder, build_questions, cap, generate_bank
from quiz.models import Question

FACTS_DIR = Path(settings.BASE_DIR) / "fixtures" / "facts"


@pytest.fixture(scope="module")
def fact_base():
    return load_fact_base()


@pytest.fixture(scope="module")
def specs(fact_base):
    return build_questions(fact_base)


@pytest.fixture
def bank(db):
    generate_bank()
    return Question.objects.filter(bank__slug=BANK_SLUG)


def test_bank_meets_its_size_targets(bank):
    published = bank.filter(status=Question.Status.PUBLISHED)
    assert published.count() >= 250
    by_difficulty = Counter(published.values_list("difficulty", flat=True))
    assert all(by_difficulty[d] >= 60 for d in ("easy", "medium", "hard")), by_difficulty
    by_level = Counter(published.values_list("spoiler_level", flat=True))
    assert all(by_level[level] >= 5 for level in range(7)), by_level
    categories = set(published.values_list("category", flat=True))
    assert categories >= {
        "cast",
        "characters",
        "episodes",
        "murders",
        "setting",
        "production",
        "music",
        "ending",
        "book-vs-series",
        "reception",
    }


def test_no_two_questions_share_a_wording_or_a_fact_asked_the_same_way(specs):
    assert len({s.text.casefold() for s in specs}) == len(specs)
    # A source key is <fact>:<shape>: one question per fact and shape.
    assert len({s.source_key for s in specs}) == len(specs)


def test_options_are_unique_with_exactly_one_correct(specs):
    for spec in specs:
        texts = [text.casefold() for text, _ in spec.options]
        assert len(texts) == len(set(texts)), spec.source_key
        assert sum(ok for _, ok in spec.options) == 1, spec.source_key
        if spec.kind == Question.Kind.BOOLEAN:
            assert [t for t, _ in spec.options] == ["True", "False"]
        else:
            assert len(spec.options) == 4, spec.source_key


def test_true_false_goes_both_ways(specs):
    booleans = Counter(spec.correct for spec in specs if spec.kind == Question.Kind.BOOLEAN)
    assert 0.4 <= booleans["True"] / booleans.total() <= 0.6, booleans


def test_wrong_options_are_of_the_same_kind_as_the_answer(fact_base, specs):
    candidates = Builder(fact_base).wrong_answer_candidates
    events = {
        cap(fact.get("event") or fact["statement"])
        for fact in fact_base.facts.values()
        if fact.type == "event" or fact.get("event")
    }
    for spec in specs:
        if spec.kind != Question.Kind.MULTIPLE:
            continue
        wrong = [text for text, ok in spec.options if not ok]
        if spec.option_kind == "event":
            assert set(wrong) <= events, spec.source_key
            continue
        if spec.option_kind == "victim_order":
            assert {len(t.split(", ")) for t, _ in spec.options} == {3}
            continue
        fact = fact_base.facts[spec.fact_id]
        if fact.get("wrong"):
            assert set(wrong) <= set(fact["wrong"]), spec.source_key  # hand-picked
            continue
        same_kind = {c.value for c in candidates[spec.option_kind]}
        assert set(wrong) <= same_kind, (spec.source_key, wrong)


def test_no_wrong_option_is_ever_true(fact_base, specs):
    for spec in specs:
        fact = fact_base.facts[spec.source_key.rsplit(":", 1)[0]]
        wrong = {text for text, ok in spec.options if not ok}
        if fact.type == "value":
            assert not wrong & {*fact["values"], *fact.get("not_distractors", [])}, spec.source_key
        if fact.type == "credits" and spec.source_key.endswith(":mc"):
            assert not wrong & {*fact["titles"], *fact.get("also_true", [])}, spec.source_key


def test_no_cast_member_is_offered_for_a_title_they_really_appear_in(fact_base, specs):
    holders = {}
    for fact in fact_base.of_type("credits"):
        for title in [*fact["all_titles"], *fact.get("also_true", [])]:
            holders.setdefault(title, set()).add(fact["person"])
    asked = [s for s in specs if s.option_kind == "credited_actor"]
    assert asked
    for spec in asked:
        title = spec.text.removeprefix("Which HIS & HERS cast member is known for ").rstrip("?")
        wrong = {text for text, ok in spec.options if not ok}
        assert not wrong & holders[title], spec.source_key


def test_generation_is_deterministic(fact_base):
    first = [
        (s.source_key, s.text, s.options, s.facts, s.explanation)
        for s in build_questions(fact_base)
    ]
    again = [
        (s.source_key, s.text, s.options, s.facts, s.explanation)
        for s in build_questions(load_fact_base())
    ]
    assert first == again


def test_every_question_records_the_facts_it_draws_on(bank, fact_base):
    for question in bank:
        assert question.facts and question.source_key
        assert question.facts[0] == question.source_key.rsplit(":", 1)[0]
        assert all(fact_id in fact_base for fact_id in question.facts)


def test_running_twice_changes_nothing(bank):
    before = {q.source_key: (q.text, q.updated_at) for q in bank}
    result = generate_bank()
    assert result.created == 0 and result.updated == 0 and result.retired == 0
    assert result.unchanged == len(before)
    after = {q.source_key: (q.text, q.updated_at) for q in bank.all()}
    assert after == before


def test_admin_edits_survive_a_rerun(bank):
    question = bank.get(source_key="cast.alice:who-plays")
    question.text = "Which actress plays Anna's mother, Alice?"
    question.difficulty = "medium"
    question.edited_by_admin = True
    question.save()
    result = generate_bank()
    assert result.kept_admin_edits == 1
    question.refresh_from_db()
    assert question.text == "Which actress plays Anna's mother, Alice?"
    assert question.difficulty == "medium"


def test_a_changed_question_is_updated_in_place(bank):
    question = bank.get(source_key="production.platform:mc")
    question.text = "Stale wording?"
    question.save()
    question.options.filter(is_correct=False).first().delete()
    count = bank.count()
    result = generate_bank()
    assert result.updated == 1
    question.refresh_from_db()
    assert question.text != "Stale wording?"
    assert question.options.count() == 4
    assert bank.count() == count


def test_questions_whose_fact_is_gone_are_retired(bank, tmp_path):
    facts = tmp_path / "facts"
    shutil.copytree(FACTS_DIR, facts)
    production = facts / "production.toml"
    text = production.read_text(encoding="utf-8")
    start = text.index('[[value]]\nid = "production.rating"')
    end = text.index("[[value]]", start + 1)
    production.write_text(text[:start] + text[end:], encoding="utf-8")
    asked = bank.filter(source_key__startswith="production.rating:").count()
    assert asked

    result = generate_bank(load_fact_base(facts))
    # Facts take turns at true/false, so a neighbour's true/false may change too.
    assert result.retired >= asked
    retired = bank.filter(source_key__startswith="production.rating:")
    assert set(retired.values_list("status", flat=True)) == {Question.Status.RETIRED}
    assert (
        Question.objects.published().filter(source_key__startswith="production.rating:").count()
        == 0
    )

    generate_bank()
    assert set(retired.values_list("status", flat=True)) == {Question.Status.PUBLISHED}


def test_generate_questions_command_reports_counts(db):
    from io import StringIO

    out = StringIO()
    call_command("generate_questions", stdout=out)
    assert "created" in out.getvalue()
    assert Question.objects.published().count() >= 250


def test_generate_questions_refuses_a_broken_fact_base(db, tmp_path):
    (tmp_path / "broken.toml").write_text("[[cast]]\nid = 'x'\nlevel = 0\n", encoding="utf-8")
    with pytest.raises(CommandError, match="needs? the article section|missing"):
        call_command("generate_questions", facts=str(tmp_path))
    assert not Question.objects.exists()


def test_setup_bank_generates_into_an_empty_database_and_then_only_refreshes(db):
    from io import StringIO

    call_command("setup_bank", stdout=StringIO())
    count = Question.objects.count()
    assert count >= 250
    edited = Question.objects.get(source_key="cast.alice:who-plays")
    edited.text = "Which actress plays Alice?"
    edited.edited_by_admin = True
    edited.save()
    out = StringIO()
    call_command("setup_bank", stdout=out)
    assert "already loaded" in out.getvalue()
    assert "0 created, 0 updated" in out.getvalue() and "1 admin-edited kept" in out.getvalue()
    assert Question.objects.count() == count
    edited.refresh_from_db()
    assert edited.text == "Which actress plays Alice?"


def test_setup_bank_leaves_a_database_of_other_banks_alone(db):
    from io import StringIO

    from tests.factories import BankFactory, QuestionFactory

    QuestionFactory(bank=BankFactory(slug="imported", name="Imported"))
    out = StringIO()
    call_command("setup_bank", stdout=out)
    assert "already loaded" in out.getvalue()
    assert Question.objects.count() == 1
