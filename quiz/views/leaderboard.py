from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

from django.shortcuts import render
from django.template import engines
from django.urls import get_script_prefix
from django.utils.safestring import SafeString
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from quiz import leaderboard as boards
from quiz import visitor
from quiz.forms import BoardForm


@require_GET
@vary_on_headers("HX-Request")
def leaderboard(request):
    """Top 50 of a board (a period and one quiz format) chosen by GET filters, plus the
    signed-in player's standing. Filters left out default to the viewer's last choices."""
    template = "leaderboard/leaderboard.html"
    partial = request.htmx and not request.htmx.history_restore_request
    if partial:
        template += "#board_table"
    # The player and their last choices came with the user (no Player is created on a GET).
    player = visitor.existing_player(request)
    if player is not None:
        signed_in, player_id = True, player.pk
        last = {
            "watched": player.watched_through,
            "difficulty": player.difficulty,
            "length": player.quiz_length,
        }
    else:
        signed_in, player_id = request.user.is_authenticated, None
        remembered = {} if signed_in else visitor.remembered_choices(request)
        last = {
            "watched": remembered.get("watched_through"),
            "difficulty": remembered.get("difficulty"),
            "length": remembered.get("length"),
        }
    # Valid filters (nearly every request) need no form: its HTML is memoized
    # per choice, and the form is built only when that HTML is.
    valid = BoardForm.valid_board(request.GET, defaults=last)
    if valid is None:
        form = BoardForm(request.GET, defaults=last)
        if not form.is_valid():
            # filters_key None: the invalid form is rendered, never memoized.
            context = {"form": form, "filters_key": None, "signed_in": signed_in}
            return render(request, template, context, status=400)
        board, filters_key = form.board(), form.memo_key
    else:
        board, filters_key = valid
    html = board_html(board, boards.page(board, player_id), player_id)
    context = {"board": board, "board_html": html, "signed_in": signed_in}
    if not partial:
        context["board_section_html"] = board_section_html(board, filters_key, html)
    return render(request, template, context)


_TENTH = Decimal("0.1")


def one_decimal(value: float) -> str:
    """What {{ value|floatformat:1 }} shows (English, no thousands separator), for finite values."""
    rounded = Decimal(str(value)).quantize(_TENTH, ROUND_HALF_UP)
    return f"{rounded if rounded else rounded.copy_abs():f}"


def table_rows(rows, me: int | None) -> list[dict]:
    """A board table's rows (quiz.leaderboard.Page rows) with their cells formatted once.

    The cells are what the template wrote before it printed strings: rank, name
    (escaped by the template: players type it), score, accuracy as
    {% widthratio accuracy 1 100 %} and seconds as floatformat:1. `me` is the
    viewer's player id, whose row is highlighted.
    """
    return [
        {
            "me": player_id == me,
            "rank": str(rank),
            "name": name,
            "score": str(score),
            "percent": str(round((correct / length if length else 0.0) * 100)),
            "seconds": one_decimal(seconds),
        }
        for rank, player_id, name, score, correct, length, seconds in rows
    ]


def board_html(board, page: boards.Page, player_id: int | None):
    """The inside of #board for a valid board (the template's block board_body).

    Rendered once per distinct set of arguments and then reused (an LRU memo
    per process): the HTML is a function of the board, the rows and rank read
    for this request, and the viewer as far as it shows (which row is theirs,
    whether they have a player). What this request read is the memo key, so a
    page always shows its own read: a result that just finished, a new name
    or a name an admin hid shows at once, in every process, with no
    invalidation. Viewers who are not on the board share one entry per board
    and rows. The rows' names are escaped when the block renders them.
    """
    me = player_id if page.rank is not None else None
    return _board_html(board, page, me, bool(player_id), get_script_prefix())


# A full board's entry holds about 25 KB (its rows and HTML): at most 256 per process.
BOARD_HTML_ENTRIES = 256


@lru_cache(maxsize=BOARD_HTML_ENTRIES)
def _board_html(board, page: boards.Page, me: int | None, has_player: bool, prefix: str):
    # The script prefix is an argument because the block's links depend on it.
    context = {
        "board": board,
        "rank": page.rank,
        "has_player": has_player,
        "top_rows": table_rows(page.ranked_top(), me),
        "around_rows": table_rows(page.around, me),
    }
    return _render_block("board_body", context)


def board_section_html(board, filters_key: tuple, board_html: str):
    """The full page's section for a valid board: its filters and the board (board_html).

    Rendered once per distinct set of arguments and then reused (an LRU memo
    per process), as board_html is, and for the same reason: it is a function
    of them. The filters' HTML is a function of their values (filters_key,
    which the board's fields determine), the board's is board_html (this
    request's own read, so the memo never outlives a change to the board).
    On a hit board_html is the board memo's own string, whose hash Python
    keeps, so the lookup hashes no HTML.
    """
    return _board_section(board, filters_key, board_html, get_script_prefix())


@lru_cache(maxsize=BOARD_HTML_ENTRIES)
def _board_section(board, filters_key: tuple, board_html: str, prefix: str):
    # The form bound to the values it was valid with, as the view built it.
    context = {
        "form": BoardForm(dict(filters_key[1])),
        "filters_key": filters_key,
        "board": board,
        "board_html": board_html,
    }
    return _render_block("board_section", context)


def _render_block(name: str, context: dict) -> SafeString:
    """Jinja2's own render of one block of the page's template, as hhquiz.templating
    does for a partial (without its template_rendered signal: this is part of the
    page's render). Escaped as it was rendered: a SafeString, which the page
    prints as it is."""
    template = engines["jinja2"].env.get_template("leaderboard/leaderboard.html")
    return SafeString(
        template.environment.concat(template.blocks[name](template.new_context(context)))
    )
