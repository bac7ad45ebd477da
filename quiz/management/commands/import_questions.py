from django.core.management.base import BaseCommand, CommandError

from quiz.models import Bank, Category
from quiz.opentdb import ImportFileError, import_records, read_file


class Command(BaseCommand):
    help = (
        "Import questions from a JSON file in the Open Trivia DB format (ours or a plain "
        "Open Trivia DB file with HTML entities). Every record is validated; each rejected "
        "record is reported with its reason. Records without spoiler_level enter as drafts "
        "at level 6. Questions already in the bank are never imported twice."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument(
            "--bank",
            help="Import every record into this bank (slug). Default: the record's own bank "
            "when it exists, else the unpublished bank 'imported'.",
        )

    def handle(self, *args, **options):
        bank = None
        if options["bank"]:
            bank = Bank.objects.filter(slug=options["bank"]).first()
            if bank is None:
                raise CommandError(f"unknown bank: {options['bank']}")
        try:
            records = read_file(options["file"])
        except ImportFileError as exc:
            raise CommandError(f"nothing imported: {exc}") from exc
        report = import_records(records, bank=bank)
        Category.objects.ensure(q.category for q in report.imported)
        for number, reason in report.rejected:
            self.stderr.write(f"record {number}: rejected: {reason}")
        drafts = sum(1 for q in report.imported if q.status == q.Status.DRAFT)
        self.stdout.write(
            f"Imported {len(report.imported)} of {len(records)} records "
            f"({drafts} as drafts without a known spoiler level); "
            f"rejected {len(report.rejected)}."
        )
