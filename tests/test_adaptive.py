"""Adaptive quizzes ("Matched to me"): questions near the player's rating, within the
watched level and the one-fact-per-quiz rule; newcomers and anonymous players at the median."""

from __future__ import annotations

import random
import re
from collections import Counter

import pytest

from quiz import play, rating
from quiz.leaderboard.ranking import RANKED_MODES
from quiz.models import Bank, Question, QuizAttempt
from tests.factories import CategoryFactory, PlayerFactory, QuestionFactory
from tests.playing import answer_all, latest_attempt, start

pytestmark = pytest.mark.django_db


def questions(n: int, rating_: float, **fields) -> list[Question]:
    return QuestionFactory.create_batch(n, rating=rating_, rated_answers=40, **fields)


def drawn(attempt) -> list[Question]:
    return [item.question for item in attempt.items.select_related("question")]


def adaptive(player=None, *, watched=6, length=5, category="", rng_seed=None, **extra):
    return play.start_quiz(
        bank=Bank.objects.get(),
        difficulty="mixed",
        watched_through=watched,
        length=length,
        category=category,
        player=player,
        session_key="" if player else "browser",
        mode=QuizAttempt.Mode.ADAPTIVE,
        **extra,
    )


@pytest.fixture
def rated_player():
    return PlayerFactory(rating=300.0, rated_answers=50)


def test_the_start_form_offers_matched_to_me(client):
    html = client.get("/").content.decode()
    assert 'name="adaptive"' in html
    assert "Matched to me" in html
    assert re.search(r'hx-params="[^"]*adaptive', html)


def test_starting_with_matched_to_me_makes_an_adaptive_quiz(client):
    questions(6, 0.0, difficulty="hard")
    response = start(client, difficulty="easy", length=5, adaptive="on")
    assert response.status_code == 302
    attempt = latest_attempt()
    assert attempt.mode == QuizAttempt.Mode.ADAPTIVE
    # The label set aside: an "easy" choice still gets the hard questions it matches.
    assert attempt.difficulty == "mixed"
    assert {q.difficulty for q in drawn(attempt)} == {"hard"}
    # Each player's questions follow their rating: no board compares them.
    assert attempt.mode not in RANKED_MODES


def test_play_again_keeps_matched_to_me(client):
    questions(10, 0.0)
    start(client, length=5, adaptive="on")
    attempt = answer_all(client, latest_attempt())
    html = client.get(f"/quiz/{attempt.public_id}/results/").content.decode()
    assert '<input type="hidden" name="adaptive" value="on">' in html


def test_the_category_offer_ignores_the_difficulty_when_adaptive(client):
    CategoryFactory(slug="cast", name="Cast")
    questions(6, 0.0, difficulty="hard")
    choices = {"watched_through": 6, "difficulty": "easy", "length": 5}
    plain = client.get("/", choices, headers={"HX-Request": "true"}).content.decode()
    matched = client.get(
        "/", choices | {"adaptive": "on"}, headers={"HX-Request": "true"}
    ).content.decode()
    assert "Cast (6 questions)" not in plain
    assert "Cast (6 questions)" in matched


def test_questions_come_from_near_the_players_rating(rated_player):
    near = questions(8, 320.0)
    questions(30, -400.0)
    questions(30, 1000.0)
    for _ in range(10):
        attempt = adaptive(rated_player)
        assert set(drawn(attempt)) <= set(near)


def test_the_window_widens_only_as_far_as_needed(rated_player):
    nearest = questions(2, 250.0)  # within 100
    wider = questions(3, 520.0)  # within 400
    questions(30, -900.0)  # beyond every window
    for _ in range(10):
        picked = set(drawn(adaptive(rated_player)))
        assert picked == set(nearest) | set(wider)


def test_a_small_pool_still_fills_the_quiz(rated_player):
    questions(5, -2000.0)
    assert len(drawn(adaptive(rated_player))) == 5


def test_the_watched_level_holds(rated_player):
    questions(20, 300.0, spoiler_level=5)
    safe = questions(6, -800.0, spoiler_level=2)
    for _ in range(10):
        picked = drawn(adaptive(rated_player, watched=2))
        assert set(picked) <= set(safe)
        assert all(q.spoiler_level <= 2 for q in picked)


def test_the_category_holds(rated_player):
    questions(20, 300.0, category="music")
    cast = questions(6, -800.0, category="cast")
    assert set(drawn(adaptive(rated_player, category="cast"))) <= set(cast)


def test_one_fact_per_quiz_holds_across_windows(rated_player):
    questions(10, 300.0, facts=["cast.anna"])  # all near, all about one fact
    questions(4, 450.0, facts=["cast.anna"], mentions=[])
    for n in range(8):
        questions(1, 650.0, facts=[f"other.{n}"])
    questions(3, 350.0, facts=["event.x"], mentions=["cast.anna"])  # would give it away
    for _ in range(20):
        picked = drawn(adaptive(rated_player))
        asked = Counter(fact for q in picked for fact in q.facts)
        assert asked["cast.anna"] <= 1
        mentioned = {fact for q in picked for fact in q.mentions}
        assert not ("cast.anna" in mentioned and asked["cast.anna"])
        assert len(picked) == 5


def test_recently_seen_questions_give_way_to_fresh_ones_nearby(rated_player):
    near = questions(10, 300.0)
    first = adaptive(rated_player)
    for item in first.items.all():
        play.mark_served(item)
        play.answer(first, item, item.correct_key)
    seen = set(drawn(first))
    second = set(drawn(adaptive(rated_player)))
    assert second == set(near) - seen


def test_an_anonymous_player_starts_at_the_median():
    questions(7, -600.0)
    middle = questions(5, 10.0) + questions(1, -10.0)
    questions(7, 600.0)
    assert rating.median_rating(Question.objects.all()) == 10.0
    for _ in range(10):
        assert set(drawn(adaptive())) <= set(middle)


def test_a_newcomer_starts_at_the_median_too():
    newcomer = PlayerFactory()
    questions(10, -600.0)
    middle = questions(6, 200.0)
    questions(10, 800.0)
    assert set(drawn(adaptive(newcomer))) <= set(middle)


def test_median_of_an_even_count_and_of_nothing():
    questions(1, -100.0)
    questions(1, 300.0)
    assert rating.median_rating(Question.objects.all()) == 100.0
    assert rating.median_rating(Question.objects.none()) == rating.ANONYMOUS_RATING


def test_a_rank_orders_the_groups_before_chance():
    rows = [(n, [f"f{n}"], []) for n in range(12)]
    for seed in range(20):
        picked = play.pick_distinct(
            rows, 6, rng=random.Random(seed), rank=lambda question_id, avoided: (question_id // 4,)
        )
        assert set(picked) >= {0, 1, 2, 3}
        assert set(picked) <= set(range(8))


def test_recently_seen_questions_in_range_come_before_far_ones(rated_player):
    near = questions(5, 300.0)
    far = questions(10, -1500.0)
    first = adaptive(rated_player)
    assert set(drawn(first)) == set(near)
    assert set(drawn(adaptive(rated_player))) == set(near)
    assert not set(far) & set(drawn(adaptive(rated_player, length=5)))
