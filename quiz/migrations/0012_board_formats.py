"""Boards per quiz format: board keys now name the format (mode, length, difficulty,
watched level, clock), e.g. "week:2026-11-23:free:10:easy:3:0".

The rank table's old rows (keys such as "week:2026-03-09:easy:3" or
"all:-:all:all", boards that compared quizzes of any length) are deleted and
the current boards rebuilt in the new format, in the same transaction, so no
release ever shows an old board. The Redis copy needs no step: its generation
marker was renamed with the new keys (redis_backend.KEYS_VERSION), so the
first read after the deploy finds no marker and rebuilds the copy from this
rank table in the background, serving from the database meanwhile.

If old code kept recording results while this ran (a rolling deploy), run
`manage.py rebuild_leaderboards` once after the deploy: it drops any
old-format row written in between (they are never read, only left over).
"""

from django.db import migrations


def to_board_formats(apps, schema_editor):
    LeaderboardEntry = apps.get_model("quiz", "LeaderboardEntry")
    QuizAttempt = apps.get_model("quiz", "QuizAttempt")
    LeaderboardEntry.objects.using(schema_editor.connection.alias).all().delete()
    if not QuizAttempt.objects.using(schema_editor.connection.alias).filter(
        status="finished", player__isnull=False
    ).exists():
        # A new database (or no results yet): nothing to rank, and the rebuild's
        # SQL, which follows the current models, is not run against an older schema.
        return
    from django.utils import timezone

    from quiz.leaderboard.database import DatabaseBackend

    # The rank table only: Redis rebuilds its copy from it on the first read.
    DatabaseBackend().rebuild(timezone.now())


def drop_board_formats(apps, schema_editor):
    # Older code reads only old-format keys: run rebuild_leaderboards after going back.
    apps.get_model("quiz", "LeaderboardEntry").objects.using(
        schema_editor.connection.alias
    ).all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("quiz", "0011_ratings"),
    ]

    operations = [
        migrations.RunPython(to_board_formats, drop_board_formats),
    ]
