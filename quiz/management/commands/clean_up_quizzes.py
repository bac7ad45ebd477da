from django.core.management import call_command
from django.core.management.base import BaseCommand

from quiz import play


class Command(BaseCommand):
    help = (
        "Abandon quizzes idle for a week, delete abandoned quizzes (they never count), "
        "and clear expired sessions. Run daily (cron or a scheduler)."
    )

    def handle(self, *args, **options):
        abandoned, deleted = play.clean_up()
        call_command("clearsessions")
        self.stdout.write(
            f"Abandoned {abandoned} stale quiz(zes), deleted {deleted} abandoned quiz(zes), cleared expired sessions."
        )
