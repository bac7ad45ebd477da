"""A player's own statistics: quizzes, best scores, accuracy by category and level."""

from __future__ import annotations

from django.db.models import Count, Max, Q

from quiz import streaks
from quiz.models import AttemptQuestion, Player, QuizAttempt


def profile_stats(player: Player) -> dict:
    attempts = QuizAttempt.objects.filter(player=player).exclude(
        status=QuizAttempt.Status.ABANDONED
    )
    recent = list(attempts.order_by("-started_at")[:20])
    best = list(
        attempts.finished()
        .filter(voided=False)
        .values("difficulty")
        .annotate(best=Max("score"), played=Count("id"))
        .order_by("difficulty")
    )
    answered = AttemptQuestion.objects.filter(attempt__player=player, answered_at__isnull=False)

    def accuracy_by(field):
        rows = (
            answered.values(field)
            .annotate(total=Count("id"), correct=Count("id", filter=Q(is_correct=True)))
            .order_by(field)
        )
        return [
            {
                "key": row[field],
                "total": row["total"],
                "correct": row["correct"],
                "percent": round(100 * row["correct"] / row["total"]),
            }
            for row in rows
        ]

    return {
        "recent_attempts": recent,
        "best_scores": best,
        "by_category": accuracy_by("category"),
        "by_level": accuracy_by("spoiler_level"),
        "streak": streaks.streak_for(player),
    }
