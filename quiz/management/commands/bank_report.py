from django.core.management.base import BaseCommand, CommandError

from quiz.bank_stats import format_report, from_queryset, report
from quiz.facts import default_fact_base
from quiz.generator import BANK_SLUG
from quiz.models import Question


class Command(BaseCommand):
    help = (
        "Print the figures of a question bank's published questions: counts by type, level, "
        "difficulty and category, facts asked, multiple-choice and True shares, simulated "
        "quizzes' repeated facts, most reused wrong options, gender/kind mismatches."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--bank", default=BANK_SLUG, help="Bank slug (default: the generated bank)."
        )
        parser.add_argument(
            "--quizzes",
            type=int,
            default=10_000,
            help="Simulated quizzes per level and difficulty.",
        )

    def handle(self, *args, **options):
        if options["quizzes"] < 1:
            raise CommandError("--quizzes must be at least 1")
        questions = Question.objects.published().filter(bank__slug=options["bank"])
        bank = from_queryset(questions)
        if not bank:
            raise CommandError(f"bank {options['bank']!r} has no published questions")
        figures = report(bank, default_fact_base(), quizzes=options["quizzes"])
        self.stdout.write(format_report(figures, options["quizzes"]))
