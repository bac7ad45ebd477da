"""The fact base in fixtures/facts: complete, traceable to the article, and checked on load."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from django.conf import settings

from quiz.facts import FactBaseError, load_fact_base
from tests.conftest import IN_CI

ARTICLE = Path(
    os.environ.get("HHQUIZ_ARTICLE")
    or Path(settings.BASE_DIR).parent / "shared" / "source" / "his-and-hers-article.txt"
)


def require_article():
    """The article sits beside the repo (../shared/source); CI must have it."""
    if not ARTICLE.exists():
        message = f"the source article is not at {ARTICLE} (set HHQUIZ_ARTICLE)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)


FACTS_DIR = Path(settings.BASE_DIR) / "fixtures" / "facts"


@pytest.fixture(scope="module")
def fact_base():
    return load_fact_base()


@pytest.fixture
def facts_copy(tmp_path):
    target = tmp_path / "facts"
    shutil.copytree(FACTS_DIR, target)
    return target


def test_every_fact_has_an_id_a_level_and_its_article_section(fact_base):
    assert len(fact_base.facts) > 100
    for fact in fact_base.facts.values():
        assert 0 <= fact.level <= 6, fact.id
        if fact.from_article:
            assert fact.section, fact.id


def test_every_section_is_a_heading_of_the_article(fact_base):
    require_article()
    headings = {line.strip() for line in ARTICLE.read_text(encoding="utf-8").splitlines()}
    headings.add("Introduction")  # the untitled opening paragraph
    unknown = {
        f.id: f.section
        for f in fact_base.facts.values()
        if f.from_article and f.section not in headings
    }
    assert not unknown


def test_the_article_names_every_cast_member_and_value(fact_base):
    require_article()
    article = ARTICLE.read_text(encoding="utf-8").replace("\u2019", "'")
    for fact in fact_base.of_type("cast"):
        assert fact["actor"] in article, fact.id
    for fact in fact_base.of_type("credits"):
        for title in fact["titles"]:
            assert title in article, (fact.id, title)


def test_levels_follow_the_episode_breakdown(fact_base):
    levels = {fact_id: fact_base.facts[fact_id].level for fact_id in fact_base.facts}
    assert levels["cast.alice"] == 0
    assert levels["cast.zoe"] == 0
    assert levels["production.premiere-date"] == 0
    assert levels["victim.rachel"] == 1
    assert levels["victim.helen"] == 2
    assert levels["event.ep2-affair"] == 2
    assert levels["event.ep3-anchor"] == 3
    assert levels["event.ep4-town-hall"] == 4
    assert levels["victim.zoe"] == 5
    for fact_id in (
        "ending.killer",
        "ending.evidence",
        "ending.lake-house",
        "event.ep6-stabbing",
        "event.ep6-shooting",
        "book.assault-victim",
    ):
        assert levels[fact_id] == 6, fact_id
    # Levels as low as the facts allow: the novel's setting is in the opening
    # paragraph, the affair an episode-2 event.
    assert levels["book.setting"] == 0
    assert levels["book.affair-added"] == 2


def test_curated_pools_are_marked_and_never_hold_a_true_value(fact_base):
    true_values = {
        value.casefold() for fact in fact_base.of_type("value") for value in fact["values"]
    }
    curated = [p for p in fact_base.of_type("pool") if not p.from_article]
    assert curated
    for pool in curated:
        assert not {v.casefold() for v in pool["values"]} & true_values, pool.id


def test_reveal_terms_cover_every_episode_level(fact_base):
    assert set(fact_base.reveal_terms) == {1, 2, 3, 4, 5, 6}
    assert "lake house" in fact_base.reveal_terms[6]
    assert "town hall" in fact_base.reveal_terms[4]


def test_no_fact_describes_the_assault(fact_base):
    """The editorial rule: the assault is stated as a fact, never described."""
    graphic = ("happy birthday", "violated", "rape", "filming the attack", "overweight")
    for fact in fact_base.facts.values():
        text = " ".join(str(v) for v in fact.data.values()).casefold()
        assert not any(word in text for word in graphic), fact.id


def test_draws_on_names_existing_facts(fact_base):
    for fact in fact_base.facts.values():
        for other in fact.get("draws_on", []):
            assert other in fact_base, (fact.id, other)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            '[[statement]]\nid = "cast.anna"\nstatement = "x"\nfalse_statement = "y"\nexplain = "e"\ncategory = "c"\ndifficulty = "easy"\nlevel = 0\nsection = "Lead Cast"\n',
            "duplicate fact id cast.anna",
        ),
        (
            '[[statement]]\nid = "x.bad-level"\nstatement = "x"\nfalse_statement = "y"\nexplain = "e"\ncategory = "c"\ndifficulty = "easy"\nlevel = 7\nsection = "Lead Cast"\n',
            "level must be an integer 0..6",
        ),
        (
            '[[statement]]\nid = "x.no-section"\nstatement = "x"\nfalse_statement = "y"\nexplain = "e"\ncategory = "c"\ndifficulty = "easy"\nlevel = 0\n',
            "need the article section",
        ),
        (
            '[[statement]]\nid = "x.hardest"\nstatement = "x"\nfalse_statement = "y"\nexplain = "e"\ncategory = "c"\ndifficulty = "brutal"\nlevel = 0\nsection = "Lead Cast"\n',
            "difficulty must be one of",
        ),
        ('[[rumour]]\nid = "x.rumour"\nlevel = 0\n', "unknown table [[rumour]]"),
        (
            '[[statement]]\nid = "x.dangling"\nstatement = "x"\nfalse_statement = "y"\nexplain = "e"\ncategory = "c"\ndifficulty = "easy"\nlevel = 0\nsection = "Lead Cast"\ndraws_on = ["nope"]\n',
            "draws_on names unknown facts",
        ),
        (
            '[[value]]\nid = "x.novalue"\nvalue_kind = "k"\nvalues = ["a"]\nask = ["q?"]\nstate = ["no slot"]\nexplain = "e"\ncategory = "c"\ndifficulty = "easy"\nlevel = 0\nsection = "Lead Cast"\n',
            "{value} slot",
        ),
        ("this is = = not toml", "not valid TOML"),
    ],
)
def test_malformed_fact_files_are_refused_with_the_reason(facts_copy, text, message):
    (facts_copy / "zz-extra.toml").write_text(text, encoding="utf-8")
    with pytest.raises(FactBaseError, match=message.replace("[", r"\[").replace("{", r"\{")):
        load_fact_base(facts_copy)


def test_an_empty_directory_is_refused(tmp_path):
    with pytest.raises(FactBaseError, match="no \\*.toml files"):
        load_fact_base(tmp_path)
