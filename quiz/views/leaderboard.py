from decimal import ROUND_HALF_UP, Decimal

from django.shortcuts import render
from django.utils.functional import SimpleLazyObject
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
    if request.htmx and not request.htmx.history_restore_request:
        template += "#board_table"
    player_id = None
    if request.user.is_authenticated:
        # The player and their last choices came with the user (no Player is created on a GET).
        player = visitor.existing_player(request)
        player_id = player and player.pk
        last = (
            {
                "watched": player.watched_through,
                "difficulty": player.difficulty,
                "length": player.quiz_length,
            }
            if player
            else {}
        )
    else:
        remembered = visitor.remembered_choices(request)
        last = {
            "watched": remembered.get("watched_through"),
            "difficulty": remembered.get("difficulty"),
            "length": remembered.get("length"),
        }
    # Valid filters (nearly every request) need no form: its fields' HTML is
    # memoized per choice, and the form is built only when that HTML is.
    valid = BoardForm.valid_board(request.GET, defaults=last)
    if valid is None:
        form = BoardForm(request.GET, defaults=last)
        if not form.is_valid():
            # filters_key None: the invalid form's fields are rendered, never memoized.
            context = {"form": form, "filters_key": None}
            return render(request, template, context, status=400)
        board, filters_key = form.board(), form.memo_key
    else:
        board, filters_key = valid
        form = SimpleLazyObject(lambda: BoardForm(request.GET, defaults=last))
    entries, standing = boards.board_page(board, player_id)
    in_top = standing is not None and any(e.player_id == player_id for e in entries)
    context = {
        "form": form,
        "filters_key": filters_key,
        "board": board,
        "entries": entries,
        "standing": standing,
        "player_id": player_id,
        "in_top": in_top,
        "top_rows": table_rows(entries, player_id),
        # The rows around the player, shown when they are not in the top.
        "own_rows": table_rows(standing.entries, player_id) if standing and not in_top else [],
    }
    return render(request, template, context)


_TENTH = Decimal("0.1")


def one_decimal(value: float) -> str:
    """What {{ value|floatformat:1 }} shows (English, no thousands separator), for finite values."""
    rounded = Decimal(str(value)).quantize(_TENTH, ROUND_HALF_UP)
    return f"{rounded if rounded else rounded.copy_abs():f}"


def table_rows(entries, player_id: int | None) -> list[dict]:
    """A board table's rows with their cells formatted once, here.

    The template then only prints strings: no per-cell number formatting,
    widthratio or floatformat, and dict lookups rather than attribute lookups
    (which Django's template engine tries after a failed dict lookup). The
    cells are what the template wrote before: rank, name (escaped by the
    template: players type it), score, accuracy as {% widthratio accuracy 1 100 %}
    and seconds as floatformat:1.
    """
    return [
        {
            "me": entry.player_id == player_id,
            "rank": str(entry.rank),
            "name": entry.name,
            "score": str(entry.score),
            "percent": str(round(entry.accuracy * 100)),
            "seconds": one_decimal(entry.seconds),
        }
        for entry in entries
    ]
