"""How long drawing a quiz's questions takes with a large bank.

    .venv/bin/python benchmarks/selection.py [--sizes 100000,1000000] [--draws 2000]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/hhquiz .venv/bin/python benchmarks/selection.py

Builds a throwaway database per size (a SQLite file in a temp folder, or a
fresh PostgreSQL database on DATABASE_URL's server, dropped afterwards), seeds
a bank spread evenly over difficulty, spoiler level 0-6 and five categories,
then times quiz.play's own functions for random quiz choices (watched 0-6,
easy/medium/hard/mixed, 5/10/20 questions):

- draw: draw_question_ids on the candidate queryset, no history;
- draw+recent: recently_seen_ids for a player with five earlier 20-question
  quizzes (100 questions to avoid) plus draw_question_ids: the 'not seen
  recently' preference, as start_quiz applies it;
- narrowest: draw+recent for the smallest slice (hard, not started: 1/21 of the bank);
- start_quiz: the whole start, snapshot and inserts included (for reference).
"""

from __future__ import annotations

import argparse
import itertools
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import throwaway


def percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)

    def pick(q: float) -> float:
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))]

    return {
        "p50": pick(0.50),
        "p95": pick(0.95),
        "p99": pick(0.99),
        "mean": statistics.fmean(ordered),
    }


def timed(fn, runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t0) * 1000)
    return out


def run_size(size: int, draws: int, base_url: str | None) -> dict[str, dict[str, float]]:
    from django.core.management import call_command
    from django.db import connection

    from benchmarks.seed import seed_bank
    from quiz import play

    call_command("migrate", verbosity=0)
    t0 = time.perf_counter()
    bank = seed_bank(size)
    print(
        f"\r  seeded {size:,} questions in {time.perf_counter() - t0:.0f} s ({connection.vendor})"
    )

    rng = random.Random(11)
    choices = [
        (
            rng.randint(0, 6),
            rng.choice(["easy", "medium", "hard", "mixed"]),
            rng.choice(play.QUIZ_LENGTHS),
        )
        for _ in range(draws)
    ]
    # A returning player: five earlier 20-question quizzes to avoid.
    for _ in range(play.RECENT_ATTEMPTS):
        play.start_quiz(
            bank=bank, difficulty="mixed", watched_through=6, length=20, session_key="bench"
        )
    assert len(play.recently_seen_ids(None, "bench")) == 100

    def draw_no_history(it=itertools.cycle(choices)):  # noqa: B008 - one iterator per function
        watched, difficulty, length = next(it)
        ids = play.draw_question_ids(play.candidate_questions(bank, difficulty, watched), length)
        assert len(ids) == length

    def draw_recent(it=itertools.cycle(choices)):  # noqa: B008
        watched, difficulty, length = next(it)
        avoid = play.recently_seen_ids(None, "bench")
        ids = play.draw_question_ids(
            play.candidate_questions(bank, difficulty, watched), length, avoid
        )
        assert len(ids) == length

    def draw_narrowest(it=itertools.cycle(choices)):  # noqa: B008
        _, _, length = next(it)
        avoid = play.recently_seen_ids(None, "bench")
        ids = play.draw_question_ids(play.candidate_questions(bank, "hard", 0), length, avoid)
        assert len(ids) == length

    def start(it=itertools.cycle(choices)):  # noqa: B008
        watched, difficulty, length = next(it)
        play.start_quiz(
            bank=bank,
            difficulty=difficulty,
            watched_through=watched,
            length=length,
            session_key=f"s{rng.random()}",
        )

    results = {}
    for name, fn, runs in [
        ("draw", draw_no_history, draws),
        ("draw+recent", draw_recent, draws),
        ("narrowest", draw_narrowest, draws),
        ("start_quiz", start, max(50, draws // 10)),
    ]:
        timed(fn, min(100, runs))  # warm the caches
        results[name] = percentiles(timed(fn, runs))
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="100000,1000000", help="comma-separated bank sizes")
    parser.add_argument("--draws", type=int, default=2000, help="timed draws per measurement")
    args = parser.parse_args()
    base_url = os.environ.get("DATABASE_URL", "").strip() or None
    sizes = [int(s) for s in args.sizes.split(",")]
    print(
        f"drawing questions: sizes {sizes}, {args.draws} draws each, "
        f"{'PostgreSQL' if base_url else 'SQLite'}; times in ms"
    )
    rows = []
    for size in sizes:
        # One process per size: Django is configured once per process.
        import subprocess

        env = {
            **os.environ,
            "BENCH_SELECTION_SIZE": str(size),
            "BENCH_SELECTION_DRAWS": str(args.draws),
        }
        out = subprocess.run(
            [sys.executable, __file__, "--child"],
            env=env,
            check=True,
            stdout=subprocess.PIPE,
            text=True,
        ).stdout
        print(out, end="")
        rows.append(out)


def child() -> None:
    size = int(os.environ["BENCH_SELECTION_SIZE"])
    draws = int(os.environ["BENCH_SELECTION_DRAWS"])
    base_url = os.environ.get("DATABASE_URL", "").strip() or None
    tmp = tempfile.mkdtemp(prefix="hhquiz-selection-")
    pg_name = None
    try:
        if base_url:
            pg_name, url = throwaway.create_postgres(base_url, "hhquiz_bench_selection")
        else:
            url = f"sqlite:///{tmp}/selection.sqlite3"
        throwaway.setup_django({"DATABASE_URL": url, "REDIS_URL": "", "DEBUG": "1"})
        print(f"{size:,} questions:", flush=True)
        results = run_size(size, draws, base_url)
        print(f"  {'measure':<12} {'p50':>8} {'p95':>8} {'p99':>8} {'mean':>8}")
        for name, r in results.items():
            print(f"  {name:<12} {r['p50']:8.3f} {r['p95']:8.3f} {r['p99']:8.3f} {r['mean']:8.3f}")
        sys.stdout.flush()
    finally:
        from django.db import connections

        connections.close_all()
        if pg_name:
            throwaway.drop_postgres(base_url, pg_name)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    if "--child" in sys.argv:
        child()
    else:
        main()
