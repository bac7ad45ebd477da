from django.shortcuts import render
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from quiz import leaderboard as boards
from quiz import visitor
from quiz.forms import BoardForm
from quiz.models import Player


@require_GET
@vary_on_headers("HX-Request")
def leaderboard(request):
    """Top 50 of a board (a period and one quiz format) chosen by GET filters, plus the
    signed-in player's standing. Filters left out default to the viewer's last choices."""
    template = "leaderboard/leaderboard.html"
    if request.htmx and not request.htmx.history_restore_request:
        template += "#board-table"
    player_id = None
    if request.user.is_authenticated:
        # One query for the player and their last choices (no Player is created on a GET).
        row = (
            Player.objects.filter(user_id=request.user.pk)
            .values("pk", "watched_through", "difficulty", "quiz_length")
            .first()
        )
        player_id = row and row["pk"]
        last = (
            {
                "watched": row["watched_through"],
                "difficulty": row["difficulty"],
                "length": row["quiz_length"],
            }
            if row
            else {}
        )
    else:
        remembered = visitor.remembered_choices(request)
        last = {
            "watched": remembered.get("watched_through"),
            "difficulty": remembered.get("difficulty"),
            "length": remembered.get("length"),
        }
    form = BoardForm(request.GET, defaults=last)
    if not form.is_valid():
        return render(request, template, {"form": form}, status=400)
    board = form.board()
    entries, standing = boards.board_page(board, player_id)
    context = {
        "form": form,
        "board": board,
        "entries": entries,
        "standing": standing,
        "player_id": player_id,
        "in_top": standing is not None and any(e.player_id == player_id for e in entries),
    }
    return render(request, template, context)
