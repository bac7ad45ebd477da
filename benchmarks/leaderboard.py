"""Leaderboard benchmark: top 50 and own rank through quiz.leaderboard, both backends.

    .venv/bin/python benchmarks/leaderboard.py [--players 100000] [--attempts 1000000]

Uses DATABASE_URL (default: the PostgreSQL database hhquiz_bench, created if
missing) and REDIS_URL (default redis://127.0.0.1:6379/0, keys under
hhquiz-bench:lb). Generates the data set when the database holds fewer counted
quizzes than asked, rebuilds whichever backend is empty, then times the app's
functions (not raw SQL or Redis calls) and prints p50/p95/p99 in milliseconds,
followed by EXPLAIN ANALYZE of the database backend's queries.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The format most quizzes are played in (the start form's defaults): the biggest boards.
BIG = {"length": 10, "difficulty": "mixed", "watched_through": 6}
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/hhquiz_bench")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/0")
os.environ.setdefault("LEADERBOARD_REDIS_PREFIX", "hhquiz-bench:lb")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hhquiz.settings")
os.environ.setdefault("LOG_LEVEL", "WARNING")
# Production settings: no query log, no debug overhead.
os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("SECRET_KEY", "benchmark-only-not-a-secret-" + "x" * 40)
os.environ.setdefault("ALLOWED_HOSTS", "localhost")


def ensure_database(url: str) -> None:
    if not url.startswith("postgres"):
        return
    name = url.rsplit("/", 1)[1]
    base = url.rsplit("/", 1)[0]
    result = subprocess.run(
        ["psql", f"{base}/postgres", "-tAc", f"SELECT 1 FROM pg_database WHERE datname = '{name}'"],
        capture_output=True,
        text=True,
        check=True,
    )
    if result.stdout.strip() != "1":
        subprocess.run(["psql", f"{base}/postgres", "-c", f'CREATE DATABASE "{name}"'], check=True)


def percentiles(samples: list[float]) -> str:
    ms = sorted(s * 1000 for s in samples)
    cut = statistics.quantiles(ms, n=100, method="inclusive")
    return f"p50 {cut[49]:7.3f}  p95 {cut[94]:7.3f}  p99 {cut[98]:7.3f}  max {ms[-1]:7.3f} ms"


def timed(fn, args_list) -> list[float]:
    samples = []
    for args in args_list:
        started = time.perf_counter()
        fn(*args)
        samples.append(time.perf_counter() - started)
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--players", type=int, default=100_000)
    parser.add_argument("--attempts", type=int, default=1_000_000)
    parser.add_argument("--samples", type=int, default=2000)
    args = parser.parse_args()
    sys.stdout.reconfigure(line_buffering=True)

    ensure_database(os.environ["DATABASE_URL"])
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from quiz import leaderboard
    from quiz.leaderboard import Board, mirror
    from quiz.models import LeaderboardEntry, QuizAttempt

    call_command("migrate", verbosity=0)
    counted = QuizAttempt.objects.counted().count()
    settings.LEADERBOARD_BACKEND = "database"
    if counted < args.attempts:
        print(f"Generating {args.players} players and {args.attempts} quizzes (have {counted}) ...")
        call_command(
            "generate_leaderboard_data", players=args.players, attempts=args.attempts, seed=1
        )
    elif not LeaderboardEntry.objects.filter(board=Board("all", **BIG).key()).exists():
        # No rank table yet, or one in an older key format.
        print("Rebuilding the rank table ...")
        call_command("rebuild_leaderboards")

    print(
        f"\nDatabase: {connection.vendor} {connection.settings_dict['NAME']}, "
        f"{QuizAttempt.objects.counted().count():,} counted quizzes, "
        f"{LeaderboardEntry.objects.count():,} rank table rows; "
        f"{os.cpu_count()} CPUs; Python {sys.version.split()[0]}"
    )

    # The busiest format's boards (the start form's defaults) and a small one.
    boards = [
        Board("all", **BIG),
        Board("week", length=5, difficulty="easy", watched_through=3),
        Board("today", **BIG),
    ]
    rng = random.Random(1)
    plan = {}
    for board in boards:
        key = board.key()
        players = list(
            LeaderboardEntry.objects.filter(board=key).values_list("player_id", flat=True)
        )
        plan[board] = rng.choices(players, k=args.samples) if players else []
        print(f"  board {key}: {len(players):,} players")

    # A missing or stale Redis copy is rebuilt in the first read's request, not
    # in a background thread that would run during the measurements.
    mirror.REBUILD_IN_BACKGROUND = False
    for backend in ("database", "redis"):
        settings.LEADERBOARD_BACKEND = backend
        if backend == "redis" and not leaderboard.top(Board("all", **BIG), limit=1):
            started = time.perf_counter()
            count = leaderboard.rebuild()
            print(f"\nRebuilt Redis: {count:,} entries in {time.perf_counter() - started:.1f} s")
        print(
            f"\n== {backend} backend ({args.samples} calls each, after {args.samples // 10} warm-up calls)"
        )
        for board, players in plan.items():
            if not players:
                continue
            warm = players[: args.samples // 10]
            timed(lambda b: leaderboard.top(b), [(board,)] * len(warm))
            timed(lambda b, p: leaderboard.standing(b, p), [(board, p) for p in warm])
            top = timed(lambda b: leaderboard.top(b), [(board,)] * args.samples)
            own = timed(lambda b, p: leaderboard.standing(b, p), [(board, p) for p in players])
            page = timed(lambda b, p: leaderboard.board_page(b, p), [(board, p) for p in players])
            results = [(rng.randint(0, 1500), rng.uniform(30, 400)) for _ in players]
            rank = timed(
                lambda b, s, t: leaderboard.rank_for(b, s, t), [(board, s, t) for s, t in results]
            )
            print(f"  {board.key()}")
            print(f"    top 50       {percentiles(top)}")
            print(f"    own rank     {percentiles(own)}  (standing: rank + 2 above + 2 below)")
            print(f"    rank_for     {percentiles(rank)}")
            print(f"    page (both)  {percentiles(page)}")
            with CaptureQueriesContext(connection) as queries:
                leaderboard.board_page(board, players[0])
            print(f"    SQL queries for top + standing: {len(queries)}")

    if connection.vendor == "postgresql":
        settings.LEADERBOARD_BACKEND = "database"
        board = Board("all", **BIG)
        worst = (
            LeaderboardEntry.objects.filter(board=board.key())
            .order_by("-sort_key")
            .values_list("player_id", flat=True)
            .first()
        )
        print(
            f"\n== EXPLAIN ANALYZE, database backend, board {board.key()}, the last-ranked player"
        )
        with CaptureQueriesContext(connection) as queries:
            leaderboard.top(board)
            leaderboard.standing(board, worst)
            leaderboard.rank_for(board, 300, 100.0)
        with connection.cursor() as cursor:
            for query in queries:
                print("\n" + query["sql"])
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + query["sql"])
                for (line,) in cursor.fetchall():
                    print("    " + line)


if __name__ == "__main__":
    main()
