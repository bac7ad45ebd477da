"""Each question form, built from a small fact base written here, so each rule
of fixtures/README.md is checked on its own (the real bank is checked in
tests/test_bank_thresholds.py and tests/test_generation.py)."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from quiz.facts import load_fact_base
from quiz.generator import Builder, GenerationError

WOMEN = [
    ("Ann Actor", "Anna Andrews"),
    ("Bea Actor", "Alice"),
    ("Cleo Actor", "Priya"),
    ("Dora Actor", "Lexy Jones"),
    ("Eve Actor", "Rachel Hopkins"),
    ("Fay Actor", "Helen Wang"),
    ("Gia Actor", "Zoe Harper"),
]
MEN = [
    ("Hal Actor", "Jack Harper"),
    ("Ian Actor", "Richard Jones"),
    ("Jon Actor", "Jim Pruss"),
    ("Ken Actor", "Clyde Duffie"),
]
DIED = {"Rachel Hopkins": 1, "Helen Wang": 2, "Zoe Harper": 5}
COMMON = 'section = "Lead Cast"\n'


def cast_entries():
    out = []
    for gender, people in (("f", WOMEN), ("m", MEN)):
        for n, (actor, character) in enumerate(people):
            died = f"died = {DIED[character]}\n" if character in DIED else ""
            out.append(
                f'[[cast]]\nid = "cast.{gender}{n}"\nactor = "{actor}"\ncharacter = "{character}"\n'
                f'person = "{character}"\ngender = "{gender}"\n{died}detail = "a role"\nlevel = 0\n'
                f'{COMMON}difficulty = "{"easy" if n == 0 else "hard"}"\n'
            )
    out.append(
        '[[cast]]\nid = "cast.child"\nactor = "Kid Actor"\ncharacter = "Meg Harper"\nperson = "meg"\n'
        'gender = "f"\nchild = true\ndetail = "a child"\nlevel = 0\nsection = "Supporting Cast"\n'
        'difficulty = "hard"\n'
    )
    out.append(
        '[[character]]\nid = "character.catherine"\ncharacter = "Catherine Kelly"\nperson = "cat"\n'
        'gender = "f"\nlevel = 6\nsection = "Catherine’s Role"\n'
    )
    return out


EVENTS = {
    1: [("event.e1a", "Anna returns home"), ("event.e1b", "Anna meets her mother")],
    2: [("event.e2a", "Helen is found"), ("event.e2b", "the flashbacks begin")],
    3: [("event.e3a", "Zoe Harper confronts Jack"), ("event.e3b", "Priya grows suspicious")],
    4: [("event.e4a", "Jack faces the town"), ("event.e4b", "Anna remembers")],
    5: [("event.e5a", "Zoe is found"), ("event.e5b", "Anna is questioned")],
    6: [("event.e6a", "the truth comes out"), ("event.e6b", "Anna keeps the secret")],
}


def event_entries():
    out = []
    for episode, events in EVENTS.items():
        for fact_id, statement in events:
            extra = ""
            if fact_id == "event.e3a":
                extra = (
                    'who = "Zoe Harper"\nwho_ask = "Who confronts Jack in episode 3?"\n'
                    'whom = "Jack Harper"\nwhom_ask = "Whom does Zoe Harper confront in episode 3?"\n'
                    'involved = ["Priya"]\n'
                )
            out.append(
                f'[[event]]\nid = "{fact_id}"\nepisode = {episode}\nstatement = "{statement}"\n'
                f'ask = "does it happen that {statement}"\nexplain = "A detail."\n{extra}'
                f'level = {episode}\nsection = "Episode {episode}"\ndifficulty = "medium"\n'
            )
    return out


OTHER = (Path(__file__).parent / "data" / "question_forms_facts.toml").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def small_base(tmp_path_factory):
    directory = tmp_path_factory.mktemp("facts")
    (directory / "facts.toml").write_text(
        "\n".join([*cast_entries(), *event_entries(), OTHER]), encoding="utf-8"
    )
    return load_fact_base(directory)


@pytest.fixture(scope="module")
def builder(small_base):
    built = Builder(small_base)
    built.build()
    return built


@pytest.fixture(scope="module")
def by_key(builder):
    return {spec.source_key: spec for spec in builder.specs}


def wrong(spec):
    return [text for text, ok in spec.options if not ok]


GENDER = {c: "f" for _, c in WOMEN} | {c: "m" for _, c in MEN} | {a: "f" for a, _ in WOMEN}
GENDER |= {a: "m" for a, _ in MEN}


def test_cast_forms_keep_one_gender_and_never_offer_the_child(builder, by_key):
    for key in (
        "cast.f1:who-plays",
        "cast.f1:plays-whom",
        "cast.m2:who-plays",
        "cast.m2:plays-whom",
    ):
        spec = by_key[key]
        assert len(spec.options) == 4
        assert {GENDER[text] for text, _ in spec.options} == {GENDER[spec.correct]}, key
    for spec in builder.specs:
        assert "Meg Harper" not in wrong(spec) and "Kid Actor" not in wrong(spec)
    # Lead roles get no true/false; a false swap never puts a supporting actor in a lead role.
    assert not any(k.startswith(("cast.f0:tf", "cast.m0:tf")) for k in by_key)
    for spec in builder.specs:
        if spec.source_key.startswith("cast.") and spec.source_key.endswith(":tf"):
            assert "Anna Andrews" not in spec.text and "Jack Harper" not in spec.text


def test_relation_forms_skip_surname_tells_and_self_references(builder, by_key):
    assert "relation.zoe-sister:who-is" not in by_key  # Zoe is the only Harper beside Jack
    assert (
        "relation.zoe-sister:who-is",
        "the answer's surname would give it away",
    ) in builder.skipped
    alice = by_key["relation.alice-mother:describe"]
    assert "Alice's daughter" not in wrong(alice)
    who = by_key["relation.alice-mother:who-is"]
    assert "Anna Andrews" not in wrong(who)  # the stem names Anna
    assert {GENDER[w] for w in wrong(who)} == {"f"}


def test_victim_forms(by_key):
    second = by_key["victim.helen:who"]
    assert "Rachel Hopkins" not in wrong(second)  # dead by episode 2
    third = by_key["victim.zoe:who"]
    assert not {"Rachel Hopkins", "Helen Wang", "Anna Andrews"} & set(wrong(third))
    assert by_key["victim.zoe:which-episode"].correct == "Episode 5"
    assert set(wrong(by_key["victim.zoe:which-episode"])) == {"Episode 3", "Episode 4", "Episode 6"}
    order = by_key["victim.zoe:order"]
    assert order.correct == "Rachel, Helen, Zoe"
    permutations = {", ".join(p) for p in itertools.permutations(["Rachel", "Helen", "Zoe"])}
    assert set(wrong(order)) < permutations
    assert set(order.facts) == {"victim.rachel", "victim.helen", "victim.zoe"}
    not_victim = by_key["victim.zoe:not-victim"]
    assert set(wrong(not_victim)) == {"Rachel Hopkins", "Helen Wang", "Zoe Harper"}
    assert not_victim.correct not in {"Anna Andrews", "Meg Harper", "Catherine Kelly"}
    assert "NOT" in not_victim.text and not_victim.spoiler_level == 5


def test_event_forms(by_key):
    which = by_key["event.e3a:which-episode"]
    assert which.correct == "Episode 3"
    assert set(wrong(which)) <= {"Episode 1", "Episode 2", "Episode 4", "Episode 5"}
    assert {"Episode 2", "Episode 4"} <= set(wrong(which))  # neighbours
    assert which.difficulty == "hard"  # one step harder than the medium fact
    who = by_key["event.e3a:who"]
    assert who.correct == "Zoe Harper"
    # Not Priya (involved), not Rachel or Helen (dead by episode 3), not
    # Catherine Kelly (met at level 6), women only.
    assert not {"Priya", "Rachel Hopkins", "Helen Wang", "Catherine Kelly"} & set(wrong(who))
    assert {GENDER[w] for w in wrong(who)} == {"f"}
    whom = by_key["event.e3a:whom"]
    assert whom.correct == "Jack Harper" and {GENDER[w] for w in wrong(whom)} == {"m"}


def test_which_happens_in_episode_and_which_comes_first_or_last(builder):
    episode_of = {fact_id: n for n, events in EVENTS.items() for fact_id, _ in events}
    statements = {s[:1].upper() + s[1:]: n for n, events in EVENTS.items() for _, s in events}
    in_episode = [s for s in builder.specs if ":happens-in-episode-" in s.source_key]
    assert in_episode
    for spec in in_episode:
        n = int(spec.source_key.rsplit("-", 1)[1])
        assert statements[spec.correct] == n
        assert all(statements[w] < n for w in wrong(spec))  # the level stays at n
        assert spec.spoiler_level == n
    for spec in builder.specs:
        if ":happens-first-by-" in spec.source_key or ":happens-last-by-" in spec.source_key:
            episodes = [statements[w] for w in wrong(spec)]
            answer = statements[spec.correct]
            if "first" in spec.source_key:
                assert all(answer < e for e in episodes)
            else:
                assert all(answer > e for e in episodes)
            assert episode_of[spec.fact_id] == answer
            # The other events are shown as true: the question mentions them.
            assert len(spec.mentions) >= 3


def test_value_forms(small_base, by_key):
    killer = by_key["ending.killer:mc"]
    assert "Anna Andrews" not in wrong(killer)
    assert {"Rachel Hopkins", "Helen Wang", "Zoe Harper"}.isdisjoint(wrong(killer))  # dead by 6
    anchor = by_key["premise.anchor:mc"]
    assert "Anna Andrews" not in wrong(anchor)  # named by the stem
    assert "Catherine Kelly" not in wrong(anchor)  # not met at level 0
    motive = by_key["story.motive:mc"]
    assert set(wrong(motive)) == {"for money", "for fun", "by mistake"}
    assert "She blames Lexy." in motive.explanation and motive.explanation.startswith("Episode 2:")


def test_a_hand_picked_wrong_person_of_the_other_gender_is_refused(tmp_path):
    (tmp_path / "facts.toml").write_text(
        "\n".join(cast_entries())
        + '\n[[value]]\nid = "x.bad"\nvalue_kind = "character"\nvalues = ["Alice"]\n'
        'wrong = ["Jack Harper", "Priya", "Lexy Jones"]\nask = ["Who?"]\nstate = ["{value}."]\n'
        'explain = "e"\nlevel = 0\nsection = "Lead Cast"\ncategory = "story"\ndifficulty = "easy"\n',
        encoding="utf-8",
    )
    with pytest.raises(GenerationError, match="Jack Harper"):
        Builder(load_fact_base(tmp_path)).build()


def test_statements_go_both_ways_and_true_false_is_one_step_easier(by_key):
    true, false = by_key["production.binge:tf-true"], by_key["production.binge:tf-false"]
    assert (true.correct, false.correct) == ("True", "False")
    assert true.difficulty == false.difficulty == "easy"  # the fact is medium
    assert true.facts == false.facts  # one quiz never holds both
    assert "All episodes came out on one day." in false.explanation
    assert true.text not in true.explanation  # a true statement is not restated


def test_credits_forms(by_key):
    first = by_key["credits.ann-actor.show-a:title"]
    assert first.correct == "Show A"
    assert "Show B" not in wrong(first)  # her own other title
    second = by_key["credits.ann-actor.show-b:who"]
    assert second.correct == "Ann Actor"
    assert "Bea Actor" not in wrong(second)  # really in Show B too
    assert {GENDER[w] for w in wrong(second)} == {"f"}
    assert "credits.ann-actor.show-a" in second.mentions  # the explanation names it


def test_true_false_questions_take_turns(builder):
    level_zero = [s.correct for s in builder.specs if s.kind == "boolean" and s.spoiler_level == 0]
    assert "True" in level_zero and "False" in level_zero


def test_a_number_the_article_states_is_asked_against_other_numbers(by_key):
    count = by_key["production.episode-count:mc"]
    assert count.correct == "six"
    assert set(wrong(count)) < {"four", "eight", "ten", "twelve"}
    assert count.option_facts == ["pool.episode-count"]  # curated, counts for the level only
