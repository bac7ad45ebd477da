import time

from django.core.management.base import BaseCommand

from quiz import rating


class Command(BaseCommand):
    help = (
        "Recompute every player's and question's rating (calibrated difficulty) and every "
        "question's answer counts from the stored answers of finished quizzes, replayed in "
        "the order they finished through the same code as live play: the result equals the "
        "ratings kept up to date as quizzes finish. Labels are never changed. Run it once "
        "after deploying the ratings, and after changing quiz.rating's constants."
    )

    def handle(self, *args, **options):
        started = time.perf_counter()
        result = rating.recalibrate()
        self.stdout.write(
            f"Recalibrated {result.questions} question(s) and {result.players} player(s) from "
            f"{result.answers} answer(s) in {result.quizzes} finished quiz(zes) "
            f"in {time.perf_counter() - started:.1f} s."
        )
