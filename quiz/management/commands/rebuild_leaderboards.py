import time

from django.conf import settings
from django.core.management.base import BaseCommand

from quiz import leaderboard


class Command(BaseCommand):
    help = (
        "Rebuild the current leaderboards (today, this week, all time; one board per quiz "
        "format: length, clock, difficulty, watched level) from the finished quizzes in the "
        "database, for the configured backend. Also drops boards of ended days and weeks and "
        "rows of any older key format; run it after restoring Redis, and daily if you like."
    )

    def handle(self, *args, **options):
        started = time.perf_counter()
        count = leaderboard.rebuild()
        self.stdout.write(
            f"Rebuilt {count} leaderboard entries ({settings.LEADERBOARD_BACKEND} backend) "
            f"in {time.perf_counter() - started:.1f} s."
        )
