from django.shortcuts import render
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from quiz import leaderboard as boards
from quiz.forms import BoardForm
from quiz.models import Player


@require_GET
@vary_on_headers("HX-Request")
def leaderboard(request):
    """Top 50 of a board chosen by GET filters, plus the signed-in player's standing."""
    template = "leaderboard/leaderboard.html"
    if request.htmx and not request.htmx.history_restore_request:
        template += "#board-table"
    form = BoardForm(request.GET)
    if not form.is_valid():
        return render(request, template, {"form": form}, status=400)
    board = form.board()
    player = None
    if request.user.is_authenticated:
        player = Player.objects.filter(user_id=request.user.pk).values_list("pk", flat=True).first()
    entries, standing = boards.board_page(board, player)
    context = {
        "form": form,
        "board": board,
        "entries": entries,
        "standing": standing,
        "player_id": player,
        "in_top": standing is not None and any(e.player_id == player for e in entries),
    }
    return render(request, template, context)
