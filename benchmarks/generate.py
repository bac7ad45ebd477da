"""Time generating the whole question bank from the fact base.

    .venv/bin/python benchmarks/generate.py [--runs N]

Runs against a throwaway SQLite file (never the real database): each run
generates into an empty bank (the cold case: every question and option is
inserted), then once more on the full bank (the warm case: nothing changes).
Prints every run and the medians. Target: under 5 seconds.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from throwaway import setup_django


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        setup_django(
            {
                "DATABASE_URL": f"sqlite:///{folder}/bench.sqlite3",
                "DEBUG": "0",
                "SECRET_KEY": "benchmark-only",
                "ALLOWED_HOSTS": "localhost",
            }
        )
        from django.core.management import call_command

        from quiz.facts import load_fact_base
        from quiz.generator import build_questions, generate_bank
        from quiz.models import Question

        call_command("migrate", verbosity=0)
        started = time.perf_counter()
        fact_base = load_fact_base()
        load_seconds = time.perf_counter() - started
        started = time.perf_counter()
        specs = build_questions(fact_base)
        build_seconds = time.perf_counter() - started

        cold, warm = [], []
        for run in range(1, args.runs + 1):
            Question.objects.all().delete()
            started = time.perf_counter()
            generate_bank(load_fact_base())
            cold.append(time.perf_counter() - started)
            started = time.perf_counter()
            result = generate_bank(load_fact_base())
            warm.append(time.perf_counter() - started)
            print(f"run {run}: empty bank {cold[-1]:.3f} s, re-run {warm[-1]:.3f} s ({result})")

        print(
            f"fact base: {len(fact_base.facts)} facts loaded in {load_seconds * 1000:.1f} ms; "
            f"{len(specs)} questions built in memory in {build_seconds * 1000:.1f} ms"
        )
        print(f"median, whole bank into an empty database: {statistics.median(cold):.3f} s")
        print(f"median, re-run on the full bank:           {statistics.median(warm):.3f} s")
        print("target: < 5 s —", "met" if max(cold) < 5 else "MISSED")


if __name__ == "__main__":
    main()
