"""Ratings are learnt from finished quizzes from now on.

Adds QuizAttempt.rated_for_player (set for the finished quizzes that belong to
a player, as if they had been rated when they finished) and recomputes every
question's answer and correct counts from the stored answers of finished
quizzes. The ratings themselves start at 0: run `manage.py recalibrate` once
after deploying to learn them from the quizzes finished so far.
"""

from django.db import migrations, models
from django.db.models import Count, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce


def recount(apps, schema_editor):
    QuizAttempt = apps.get_model("quiz", "QuizAttempt")
    AttemptQuestion = apps.get_model("quiz", "AttemptQuestion")
    Question = apps.get_model("quiz", "Question")
    QuizAttempt.objects.filter(status="finished", player__isnull=False).update(
        rated_for_player=True
    )
    answered = (
        AttemptQuestion.objects.filter(
            question=OuterRef("pk"), attempt__status="finished", answered_at__isnull=False
        )
        .order_by()
        .values("question")
    )
    counted = answered.annotate(n=Count("pk")).values("n")
    right = answered.annotate(n=Count("pk", filter=Q(is_correct=True))).values("n")
    Question.objects.update(
        answer_count=Coalesce(Subquery(counted), Value(0)),
        correct_count=Coalesce(Subquery(right), Value(0)),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("quiz", "0012_board_formats"),
    ]

    operations = [
        migrations.AddField(
            model_name="quizattempt",
            name="rated_for_player",
            field=models.BooleanField(
                default=False,
                editable=False,
                help_text="Its answers moved the player's rating when it finished (it was played "
                "signed in). A quiz claimed by a new account after it finished was not.",
            ),
        ),
        migrations.RunPython(recount, migrations.RunPython.noop),
    ]
