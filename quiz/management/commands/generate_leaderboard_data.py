"""Bulk-generate players and finished quizzes to measure the leaderboards at scale."""

import random
import secrets
import time
import uuid
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand
from django.db import connection
from django.utils import timezone

from quiz import leaderboard
from quiz.models import Bank, LeaderboardEntry, Player, QuizAttempt, QuizDifficulty

CHUNK = 50_000


def bulk_insert(model, objects: list) -> None:
    """COPY on PostgreSQL (fast enough for millions of rows), bulk_create elsewhere."""
    if connection.vendor != "postgresql":
        model.objects.bulk_create(objects, batch_size=2000)
        return
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    table = connection.ops.quote_name(model._meta.db_table)
    connection.ensure_connection()
    with (
        connection.connection.cursor() as cursor,
        cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
    ):
        for obj in objects:
            copy.write_row(
                [f.get_db_prep_save(getattr(obj, f.attname), connection) for f in fields]
            )


class Command(BaseCommand):
    help = (
        "Create PLAYERS players (unusable passwords, no hashing) and ATTEMPTS finished quizzes "
        "spread over the last DAYS days in an unpublished bank, then rebuild the leaderboards."
    )

    def add_arguments(self, parser):
        parser.add_argument("--players", type=int, default=100_000)
        parser.add_argument("--attempts", type=int, default=1_000_000)
        parser.add_argument("--days", type=int, default=60)
        parser.add_argument("--seed", type=int, default=None)

    def handle(self, *args, players, attempts, days, seed, **options):
        rng = random.Random(seed)
        started = time.perf_counter()
        run = secrets.token_hex(3)
        bank, _ = Bank.objects.get_or_create(
            slug="generated-leaderboard-data",
            defaults={"name": "Generated leaderboard data", "is_published": False},
        )
        player_ids = self.create_players(players, run)
        self.log(f"{players} players", started)

        now = timezone.now()
        window = days * 24 * 3600
        difficulties = [*QuizDifficulty.values, QuizDifficulty.MIXED, QuizDifficulty.MIXED]
        for first in range(0, attempts, CHUNK):
            batch = []
            for _ in range(min(CHUNK, attempts - first)):
                # Most players keep the start form's defaults (10 questions,
                # mixed, untimed, the whole series watched): those boards are
                # the big ones, as they would be on the site.
                length = rng.choice((5, 10, 10, 10, 20))
                correct = min(length, int(rng.betavariate(4, 2) * (length + 1)))
                seconds = round(rng.uniform(6, 30) * length, 1)
                finished_at = now - timedelta(seconds=rng.uniform(0, window))
                batch.append(
                    QuizAttempt(
                        public_id=uuid.UUID(int=rng.getrandbits(128), version=4),
                        player_id=rng.choice(player_ids),
                        bank=bank,
                        difficulty=rng.choice(difficulties),
                        watched_through=rng.choice((0, 1, 2, 3, 4, 5, 6, 6, 6, 6)),
                        timed=rng.random() < 0.25,
                        length=length,
                        status=QuizAttempt.Status.FINISHED,
                        started_at=finished_at - timedelta(seconds=seconds),
                        finished_at=finished_at,
                        score=correct * 100 + rng.randint(0, correct) * 10,
                        correct_count=correct,
                        answered_count=length,
                        seconds=seconds,
                    )
                )
            bulk_insert(QuizAttempt, batch)
            self.log(f"{first + len(batch)} quizzes", started)

        count = leaderboard.rebuild()
        self.log(f"{count} leaderboard entries ({settings.LEADERBOARD_BACKEND} backend)", started)
        if connection.vendor == "postgresql":
            # VACUUM sets the visibility map, so rank counts are index-only scans;
            # it cannot run inside a transaction (as in tests), ANALYZE can.
            command = "ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE"
            with connection.cursor() as cursor:
                for model in (QuizAttempt, LeaderboardEntry):
                    cursor.execute(f"{command} {model._meta.db_table}")
            self.log(command.lower(), started)

    def create_players(self, count: int, run: str) -> list[int]:
        User = get_user_model()
        ids = []
        for first in range(0, count, CHUNK):
            numbers = range(first, min(count, first + CHUNK))
            users = User.objects.bulk_create(
                [User(username=f"gen-{run}-{n}", password=make_password(None)) for n in numbers],
                batch_size=2000,
            )
            players = Player.objects.bulk_create(
                [
                    Player(user=user, display_name=f"Fan {n} {run}", watched_through=6)
                    for n, user in zip(numbers, users, strict=True)
                ],
                batch_size=2000,
            )
            ids += [p.pk for p in players]
        return ids

    def log(self, what: str, started: float) -> None:
        self.stdout.write(f"{time.perf_counter() - started:7.1f} s  {what}")
