from django.core.management.base import BaseCommand, CommandError

from quiz.facts import FactBaseError, load_fact_base
from quiz.generator import GenerationError, generate_bank
from quiz.models import Category


class Command(BaseCommand):
    help = (
        "Build or refresh the generated bank 'HIS & HERS — the series' from fixtures/facts/. "
        "Safe to re-run: updates in place, keeps admin edits, retires questions whose fact is gone."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--facts", help="Directory of fact-base TOML files (default: fixtures/facts)."
        )

    def handle(self, *args, **options):
        try:
            fact_base = load_fact_base(options["facts"]) if options["facts"] else load_fact_base()
            result = generate_bank(fact_base)
        except (FactBaseError, GenerationError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(f"Question bank generated: {result}."))
        # The generator writes category slugs; the managed list learns any new one.
        if added := Category.objects.ensure_for_questions():
            self.stdout.write(f"Added {added} new categor{'y' if added == 1 else 'ies'}.")
