from django.core.management import call_command
from django.core.management.base import BaseCommand

from quiz.generator import BANK_SLUG, generate_bank
from quiz.models import Question


class Command(BaseCommand):
    help = (
        "Load the generated question bank when the database has no questions yet, or refresh it "
        "from the fact base when it is there (idempotent; admin-edited questions are kept). "
        "Used by make run."
    )

    def handle(self, *args, **options):
        if not Question.objects.exists():
            call_command("generate_questions", stdout=self.stdout)
            return
        if not Question.objects.filter(bank__slug=BANK_SLUG).exists():
            # Only other banks (imported questions): leave the database as it is.
            self.stdout.write("Question bank already loaded.")
            return
        result = generate_bank()
        self.stdout.write(f"Question bank already loaded; refreshed from the fact base: {result}.")
