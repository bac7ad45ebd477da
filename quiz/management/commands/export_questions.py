import json
import os
import tempfile
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from quiz.models import MAX_SPOILER_LEVEL, Bank, Difficulty, Question
from quiz.opentdb import export_document


class Command(BaseCommand):
    help = (
        "Write questions as JSON in the Open Trivia DB response shape, with spoiler_level, "
        "explanation, source and bank added to each record. Published questions only, "
        "unless --all-statuses."
    )

    def add_arguments(self, parser):
        parser.add_argument("--output", "-o", help="File to write (default: standard output).")
        parser.add_argument(
            "--difficulty",
            action="append",
            choices=Difficulty.values,
            help="Only this difficulty; repeat for several.",
        )
        parser.add_argument(
            "--spoiler-level",
            type=int,
            choices=range(MAX_SPOILER_LEVEL + 1),
            metavar="N",
            help="Only questions safe after N episodes (spoiler level 0..N).",
        )
        parser.add_argument(
            "--bank", action="append", help="Only this bank (slug); repeat for several."
        )
        parser.add_argument(
            "--all-statuses", action="store_true", help="Include drafts and retired questions."
        )

    def handle(self, *args, **options):
        questions = Question.objects.all()
        if not options["all_statuses"]:
            questions = questions.filter(status=Question.Status.PUBLISHED)
        if options["difficulty"]:
            questions = questions.filter(difficulty__in=options["difficulty"])
        if options["spoiler_level"] is not None:
            questions = questions.up_to_episode(options["spoiler_level"])
        if options["bank"]:
            unknown = set(options["bank"]) - set(
                Bank.objects.filter(slug__in=options["bank"]).values_list("slug", flat=True)
            )
            if unknown:
                raise CommandError(f"unknown bank: {', '.join(sorted(unknown))}")
            questions = questions.filter(bank__slug__in=options["bank"])
        document = export_document(questions.order_by("bank__slug", "id"))
        text = json.dumps(document, ensure_ascii=False, indent=2) + "\n"
        if options["output"]:
            write_atomically(Path(options["output"]), text)
            self.stderr.write(
                f"Exported {len(document['results'])} questions to {options['output']}."
            )
        else:
            self.stdout.write(text, ending="")


def write_atomically(path: Path, text: str) -> None:
    """Write `text` to a new file beside `path`, then put it in place: a failed
    export (a full disk) leaves the previous file whole."""
    tmp = None
    try:
        fd, tmp = tempfile.mkstemp(dir=path.resolve().parent, prefix=f".{path.name}.")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
        tmp = None
    except OSError as exc:
        raise CommandError(f"cannot write {path}: {exc.strerror or exc}") from exc
    finally:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)
