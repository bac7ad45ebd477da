"""The leaderboard page's reads (quiz.leaderboard.page) and its memoised board HTML.

page() reads what board_page() reads, in the page's shape: the same rows, ranks
and names on both backends. board_html() renders the board once per distinct
content and viewer and then reuses it: a board that changed, a renamed or
hidden player, another viewer or a visitor never gets HTML made for something
else, also when many threads ask at once.
"""

from __future__ import annotations

import random
import threading
from datetime import timedelta

import pytest
from django.utils import timezone

from quiz import leaderboard
from quiz.leaderboard import Board, Page
from quiz.views.leaderboard import _board_html, _board_section, board_html, board_section_html
from tests.factories import FinishedAttemptFactory, PlayerFactory, UserFactory

URL = "/leaderboard/"
FORMAT = {"length": 10, "difficulty": "mixed", "watched_through": 6, "timed": False}
BOARD = Board("all", **FORMAT)


def play(player, score, seconds=60.0, correct=7, minutes_ago=5):
    attempt = FinishedAttemptFactory(
        player=player,
        score=score,
        seconds=seconds,
        correct_count=correct,
        finished_at=timezone.now() - timedelta(minutes=minutes_ago),
        **FORMAT,
    )
    leaderboard.attempt_changed(attempt)
    return attempt


def as_page(entries, standing) -> Page:
    """board_page()'s answer in page()'s shape (the view's old reading of it)."""

    def cells(entry):
        # Entry keeps the accuracy, not the counts: compared through it below.
        return (entry.rank, entry.player_id, entry.name, entry.score, entry.accuracy, entry.seconds)

    top = tuple(cells(e) for e in entries)
    if standing is None:
        return Page(top)
    if any(e.player_id == standing.entry.player_id for e in entries):
        return Page(top, standing.rank)
    return Page(top, standing.rank, tuple(cells(e) for e in standing.entries))


def with_accuracy(page: Page) -> Page:
    def cells(row):
        rank, player_id, name, score, correct, length, seconds = row
        return (rank, player_id, name, score, correct / length if length else 0.0, seconds)

    # The rank table's top rows are kept as read (their sort key first): ranked here.
    return Page(tuple(map(cells, page.ranked_top())), page.rank, tuple(map(cells, page.around)))


@pytest.mark.django_db
@pytest.mark.parametrize("seed", range(4))
def test_page_reads_what_board_page_reads(backend, seed):
    """Random boards with ties, hidden names and boards shorter and longer than the
    top: every player's page (and a visitor's) holds board_page()'s rows and rank."""
    rng = random.Random(seed)
    players = []
    for i in range(rng.choice([3, 12, 30])):
        player = PlayerFactory(display_name=f"P{i} <&>", display_name_hidden=rng.random() < 0.2)
        # Few distinct scores and times: many ties, some on the finishing time too.
        play(
            player,
            rng.choice([100, 200, 300]),
            rng.choice([10.0, 10.0004, 20.5]),
            correct=rng.randint(0, 10),
            minutes_ago=rng.choice([5, 6]),
        )
        players.append(player)
    outsider = PlayerFactory()
    for limit in (5, 10, 50):
        for player in [*players, outsider, None]:
            expected = as_page(*leaderboard.board_page(BOARD, player, limit=limit))
            got = leaderboard.page(BOARD, player, limit=limit)
            assert with_accuracy(got) == expected, (limit, player)
            if player in players and got.rank is not None:
                assert got.rank == leaderboard.standing(BOARD, player).rank


@pytest.mark.django_db
def test_a_board_that_changes_shows_its_new_rows(client, backend):
    """The memo's key is the board's content: a new result, a new name or a hidden
    name shows on the next request, as without the memo."""
    anna = PlayerFactory(display_name="Anna")
    play(anna, 500)
    first = client.get(URL).content.decode()
    assert "Anna" in first and "Jack" not in first

    play(PlayerFactory(display_name="Jack"), 900)
    html = client.get(URL).content.decode()
    assert html.index("Jack") < html.index("Anna")

    anna.display_name = "Anne"
    anna.save()
    html = client.get(URL).content.decode()
    assert "Anne" in html and "Anna" not in html

    anna.display_name_hidden = True
    anna.save()
    html = client.get(URL).content.decode()
    assert "Anne" not in html and "Hidden player" in html

    play(anna, 950)  # a better result: the same name, a new rank and score
    html = client.get(URL).content.decode()
    assert html.index("Hidden player") < html.index("Jack")
    assert '<td class="num">950</td>' in html


@pytest.mark.django_db
def test_each_viewer_gets_their_own_rows_and_rank(client, backend):
    """The same rows for a player in the top, another one, a player not on the board,
    a user without a player and a visitor: each sees only what is theirs."""
    anna, jack = PlayerFactory(display_name="Anna"), PlayerFactory(display_name="Jack")
    play(anna, 900)
    play(jack, 800)
    viewers = [("anna", anna.user), ("jack", jack.user), ("new", PlayerFactory().user)]
    viewers += [("no player", UserFactory()), ("visitor", None)]
    for _ in range(2):  # the second round from the memo
        for who, user in viewers:
            client.logout()
            if user is not None:
                client.force_login(user)
            html = client.get(URL).content.decode()
            highlighted = html.count('class="me"')
            if who == "anna":
                assert "You are <strong>#1</strong>" in html and highlighted == 1
                assert '<tr class="me" aria-current="true"><td class="num">1</td><td>Anna' in html
            elif who == "jack":
                assert "You are <strong>#2</strong>" in html and highlighted == 1
                assert '<tr class="me" aria-current="true"><td class="num">2</td><td>Jack' in html
            else:
                assert "You are" not in html and highlighted == 0
            assert ("You have no quiz on this board yet" in html) == (who == "new"), who


@pytest.mark.django_db
def test_the_memo_is_bounded():
    _board_html.cache_clear()
    for i in range(_board_html.cache_info().maxsize + 50):
        board_html(BOARD, Page(((1, 1, f"P{i}", 10, 1, 10, 1.0),)), None)
    info = _board_html.cache_info()
    assert info.currsize == info.maxsize > 0


@pytest.mark.django_db
def test_the_board_section_memo_is_bounded():
    _board_section.cache_clear()
    key = ("board", (("period", "all"), ("length", "10"), ("difficulty", "mixed")))
    key = (*key[:1], (*key[1], ("watched", "6"), ("timed", "0")))
    for i in range(_board_section.cache_info().maxsize + 50):
        board_section_html(
            BOARD, key, board_html(BOARD, Page(((1, 1, f"P{i}", 10, 1, 10, 1.0),)), None)
        )
    info = _board_section.cache_info()
    assert info.currsize == info.maxsize > 0


@pytest.mark.django_db
def test_each_board_section_shows_its_own_filters_and_board(client, backend):
    """The filters and board above the rules come from one memo (board_section_html):
    switching boards back and forth, each page shows its own choices and rows."""
    play(PlayerFactory(display_name="Anna"), 500)
    week = {"period": "week", "length": "10", "difficulty": "mixed", "watched": "6", "timed": "0"}
    for _ in range(2):  # the second round from the memo
        html = client.get(URL).content.decode()
        assert '<option value="all" selected>' in html and "Anna" in html
        html = client.get(URL, week).content.decode()
        assert '<option value="week" selected>' in html and "Anna" in html
        html = client.get(URL, {**week, "length": "5"}).content.decode()
        assert '<option value="5" selected>' in html and "Anna" not in html


def test_threads_never_get_html_made_for_other_rows():
    """Many threads render and reuse the HTML of boards that differ in one cell
    each (as a board does while results come in): every answer is the HTML of
    the asker's own rows, as rendered without the memo."""
    _board_html.cache_clear()
    pages = []
    for i in range(40):
        top = [(1, 7, "<Anna>", 900, 9, 10, 61.25), (2, 8, "Jack", 800, 8, 10, 70.0)]
        top[i % 2] = (*top[i % 2][:3], top[i % 2][3] - i, *top[i % 2][4:])
        pages.append((Page(tuple(top), 1 if i % 3 else None), 7 if i % 3 else None))
    expected = [
        _board_html.__wrapped__(BOARD, page, viewer, viewer is not None, "/")
        for page, viewer in pages
    ]
    assert len(set(expected)) == len(pages)
    failures = []
    start = threading.Barrier(8)

    def ask(seed):
        order = list(range(len(pages)))
        random.Random(seed).shuffle(order)
        start.wait()
        for _ in range(5):
            for i in order:
                page, viewer = pages[i]
                if board_html(BOARD, page, viewer) != expected[i]:
                    failures.append(i)

    threads = [threading.Thread(target=ask, args=(seed,)) for seed in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert "&lt;Anna&gt;" in expected[0] and "<Anna>" not in expected[0]


@pytest.mark.redis
@pytest.mark.django_db
def test_the_page_brings_back_a_redis_copy_lost_in_a_restart(client, own_redis):
    """The page's own read is what notices an empty Redis and rebuilds its copy (no
    manual step), for a visitor and for a player in the top as for anyone."""
    generation = "outage-test:lb~generation~formats"
    anna = PlayerFactory(display_name="Anna")
    play(anna, 300)
    for user in (None, anna.user):
        client.logout()
        if user is not None:
            client.force_login(user)
        assert "Anna" in client.get(URL).content.decode()
        own_redis.kill()
        own_redis.start()  # back, empty
        assert not own_redis.client().exists(generation)
        assert "Anna" in client.get(URL).content.decode()  # from the database meanwhile
        assert own_redis.client().exists(generation)
