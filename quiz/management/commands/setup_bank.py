from django.core.management import call_command
from django.core.management.base import BaseCommand

from quiz.models import Question


class Command(BaseCommand):
    help = "Load the generated question bank when the database has no questions yet (used by make run)."

    def handle(self, *args, **options):
        if Question.objects.exists():
            self.stdout.write("Question bank already loaded.")
            return
        call_command("generate_questions", stdout=self.stdout)
