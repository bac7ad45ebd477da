from django.core.management import call_command
from django.core.management.base import BaseCommand

from quiz import play
from quiz.cache import CounterCache


class Command(BaseCommand):
    help = (
        "Abandon quizzes idle for a week, delete abandoned quizzes (they never count), "
        "and clear expired sessions and rate-limit counters. Run daily (cron or a scheduler)."
    )

    def handle(self, *args, **options):
        abandoned, deleted = play.clean_up()
        call_command("clearsessions")
        counters = CounterCache("quiz_counter", {}).delete_expired()
        self.stdout.write(
            f"Abandoned {abandoned} stale quiz(zes), deleted {deleted} abandoned quiz(zes), "
            f"cleared expired sessions and {counters} expired counter(s)."
        )
