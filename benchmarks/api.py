"""Throughput of the public API's api.php?amount=10 against /bench/baseline, same server, same run.

    .venv/bin/python benchmarks/api.py                      # SQLite
    .venv/bin/python benchmarks/api.py --db postgres        # PostgreSQL + Redis

Reuses benchmarks/load.py's server: a throwaway database with a seeded bank,
gunicorn in production mode (DEBUG=0, every middleware on), the load
generator pinned to CPU 0 and gunicorn to CPU 1 where the OS allows. The API's
rate limit (one request per address every 5 s, like Open Trivia DB) is
disabled for the run (API_RATE_LIMIT_SECONDS=0): every request here comes
from one address. For each connection count, alternating phases of the
baseline and api.php; the API's throughput is quoted as a share of the
baseline's. Nothing asserts a time.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.load import (  # noqa: E402
    Client,
    FlowError,
    Server,
    can_pin,
    http_session,
    phase_baseline,
    pin_self,
    print_table,
    run_workers,
    step,
)

API_PATH = "/api/api.php?amount=10"


async def phase_api(server: Server, connections: int, duration: float, path: str):
    async with http_session(connections) as http:

        async def worker(i, stats, deadline):
            client = Client(http, server.base, stats, deadline)
            while True:
                try:
                    body, _ = await client.call("api.php", "GET", path)
                except FlowError:
                    await asyncio.sleep(0.01)
                    continue
                if not body.startswith('{"response_code": 0'):
                    client.stats.error("api.php", "response_code != 0")

        return await run_workers(connections, duration, worker)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--connections", default="16,64")
    parser.add_argument("--duration", type=float, default=20.0, help="seconds per phase")
    parser.add_argument("--rounds", type=int, default=2, help="baseline/api pairs per level")
    parser.add_argument("--bank", type=int, default=2000)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--no-pin", action="store_true")
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args()
    pin = can_pin() and not args.no_pin
    os.environ["API_RATE_LIMIT_SECONDS"] = "0"
    server = Server(args.db, args.workers, args.threads, args.bank, 1, pin)
    print(
        f"HH Quiz API benchmark on {args.db}{' + Redis' if args.db == 'postgres' else ''}, "
        f"{os.cpu_count()} CPUs, {args.workers} worker x {args.threads} threads; "
        f"generator {'pinned to CPU 0' if pin else 'not pinned'}; API rate limit off",
        flush=True,
    )
    report = {}
    try:
        server.prepare()
        server.start()
        pin_self(pin)
        step("warm-up")
        asyncio.run(phase_api(server, 8, 5, API_PATH))
        for connections in (int(c) for c in args.connections.split(",")):
            print(f"\n== {connections} connections, {args.duration:.0f} s per phase", flush=True)
            rates = {"baseline": [], "api.php": []}
            for _ in range(args.rounds):
                base = asyncio.run(phase_baseline(server, connections, args.duration)).summary()
                api = asyncio.run(phase_api(server, connections, args.duration, API_PATH))
                api = api.summary()
                print_table("baseline (/bench/baseline)", base)
                print_table(f"API ({API_PATH})", api)
                rates["baseline"].append(base["baseline"]["rps"])
                rates["api.php"].append(api["api.php"]["rps"])
                report.setdefault(connections, []).append({"baseline": base, "api": api})
            ratio = sum(rates["api.php"]) / sum(rates["baseline"])
            print(
                f"  api.php?amount=10: {sum(rates['api.php']) / args.rounds:,.0f} req/s, "
                f"baseline {sum(rates['baseline']) / args.rounds:,.0f} req/s: {ratio:.0%} of baseline"
            )
        server.stop()
        problems = server.log_problems()
        print(f"\nserver log: {', '.join(f'{k}: {v}' for k, v in problems.items())}")
        if args.json:
            Path(args.json).write_text(json.dumps({"levels": report, "log": problems}, indent=1))
    finally:
        server.clean_up(args.keep)


if __name__ == "__main__":
    main()
