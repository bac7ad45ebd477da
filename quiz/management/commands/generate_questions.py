from django.core.management.base import BaseCommand, CommandError

from quiz.facts import FactBaseError, load_fact_base
from quiz.generator import GenerationError, generate_bank


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
