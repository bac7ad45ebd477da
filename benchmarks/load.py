"""Load benchmark: gunicorn in production mode, simulated players through the real flow.

    .venv/bin/python benchmarks/load.py --db sqlite --mode saturation
    .venv/bin/python benchmarks/load.py --db postgres --mode players

One command does everything: a fresh database (a SQLite file in a temp folder,
or a throwaway PostgreSQL database plus a private key prefix in Redis), migrate,
a seeded bank, signed-in players with ready sessions, collectstatic, then
gunicorn with DEBUG=0 (every security middleware on; requests carry
X-Forwarded-Proto: https as a TLS proxy would send). The play rate limits are
raised for the run (QUIZ_START_RATE / QUIZ_ANSWER_RATE), since the simulated
players share a handful of accounts and would otherwise be throttled.

Where the OS allows it, the load generator (this process, asyncio + aiohttp)
is pinned to CPU 0 and gunicorn to CPU 1; PostgreSQL and Redis float.

saturation: for each connection count (16, 64, 256), with no think time: the
  whole player flow (home, start, question, answer, results, leaderboard) once,
  then --rounds rounds (3) of three phases back to back: the baseline endpoint
  (/bench/baseline, a tiny response through the same middleware), the question
  page alone, the answer POST alone (htmx, on quizzes started beforehand).
  Throughput of the question page and the answer POST is quoted as a share of
  the baseline's in the same round, and the median of the rounds is the figure:
  on a shared machine a neighbour's burst can slow one phase by a third.
players: simulated players think 2-5 s between steps and play quiz after quiz;
  the number of concurrent players ramps up level by level until answer p99
  reaches 100 ms (or an error appears). Prints the largest passing level and its
  arrival rate (quizzes started per second) and request rate.

Every loop is bounded by the phase's duration. The server log is searched for
5xx errors and 'database is locked' at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import os
import random
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks import throwaway  # noqa: E402

PY = sys.executable
CSRF_INPUT_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
OPTION_RE = re.compile(r'name="option" value="([^"]+)"')
LENGTHS = (5, 10, 20)
DIFFICULTIES = ("easy", "medium", "hard", "mixed")
P99_TARGET_MS = 100.0


# --- the server --------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def can_pin() -> bool:
    return (
        hasattr(os, "sched_setaffinity")
        and len(os.sched_getaffinity(0)) >= 2
        and bool(shutil.which("taskset"))
    )


@dataclass
class Server:
    db: str
    workers: int
    threads: int
    bank_size: int
    players: int
    pin: bool
    tmp: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="hhquiz-load-")))
    port: int = field(default_factory=free_port)
    pg_name: str | None = None
    pg_base: str | None = None
    redis_url: str | None = None
    server: str = "gunicorn"
    prefix: str = field(default_factory=lambda: f"hhquiz-load-{secrets.token_hex(4)}")
    proc: subprocess.Popen | None = None
    env: dict[str, str] = field(default_factory=dict)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def log_path(self) -> Path:
        return self.tmp / "server.log"

    def prepare(self) -> list[str]:
        env = {
            "DEBUG": "0",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1",
            "QUIZ_START_RATE": "1000000",
            "QUIZ_ANSWER_RATE": "1000000",
            "CACHE_KEY_PREFIX": self.prefix,
            "LEADERBOARD_REDIS_PREFIX": f"{self.prefix}:lb",
            "LOG_LEVEL": "WARNING",
            "PYTHONUNBUFFERED": "1",
        }
        if self.db == "postgres":
            self.pg_base = (
                os.environ.get("DATABASE_URL", "").strip()
                or "postgres://postgres@127.0.0.1:5432/hhquiz"
            )
            self.pg_name, env["DATABASE_URL"] = throwaway.create_postgres(
                self.pg_base, "hhquiz_bench_load"
            )
            self.redis_url = os.environ.get("REDIS_URL", "").strip() or "redis://127.0.0.1:6379/13"
            env["REDIS_URL"] = self.redis_url
        else:
            env["DATABASE_URL"] = f"sqlite:///{self.tmp / 'load.sqlite3'}"
            env["REDIS_URL"] = ""
        # Static files collected into the run's own folder, not the checkout's
        # staticfiles/ (a test run or `make run` in the same checkout reads that one).
        env["HHQUIZ_DATA_DIR"] = str(self.tmp)
        self.env = {**os.environ, **env}
        manage = [PY, str(ROOT / "manage.py")]
        step("migrate")
        subprocess.run([*manage, "migrate", "--noinput", "-v0"], env=self.env, check=True, cwd=ROOT)
        subprocess.run([*manage, "createcachetable"], env=self.env, check=True, cwd=ROOT)
        step(f"seed {self.bank_size:,} questions and {self.players:,} signed-in players")
        sessions = self.tmp / "sessions.json"
        subprocess.run(
            [PY, __file__, "--child-seed", str(self.bank_size), str(self.players), str(sessions)],
            env=self.env,
            check=True,
            cwd=ROOT,
        )
        step("collectstatic")
        subprocess.run(
            [*manage, "collectstatic", "--noinput", "-v0"], env=self.env, check=True, cwd=ROOT
        )
        return json.loads(sessions.read_text())

    def start(self) -> None:
        cmd = [
            str(Path(PY).parent / "gunicorn"),
            "hhquiz.wsgi:application",
            "--bind",
            f"127.0.0.1:{self.port}",
            "--worker-class",
            "gthread",
            "--workers",
            str(self.workers),
            "--threads",
            str(self.threads),
            # Like a load balancer's upstream pool: connections stay open between requests.
            "--keep-alive",
            "60",
            "--worker-connections",
            "8192",
            "--backlog",
            "4096",
            "--error-logfile",
            "-",
            "--log-level",
            "warning",
        ]
        label = f"gunicorn: {self.workers} workers x {self.threads} threads (gthread)"
        if self.server == "granian":
            # The comparison server: granian's WSGI mode (Rust HTTP, Python in blocking threads).
            cmd = [
                str(Path(PY).parent / "granian"),
                "--interface",
                "wsgi",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--workers",
                str(self.workers),
                "--blocking-threads",
                str(self.threads),
                "--runtime-threads",
                "1",
                "--backlog",
                "4096",
                "--log-level",
                "warning",
                "--no-ws",
                "hhquiz.wsgi:application",
            ]
            label = f"granian (WSGI): {self.workers} workers x {self.threads} blocking threads"
        if self.pin:
            cmd = ["taskset", "-c", "1", *cmd]
        step(f"{label}{', pinned to CPU 1' if self.pin else ''}")
        log = self.log_path.open("ab")
        self.proc = subprocess.Popen(
            cmd,
            env=self.env,
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        import urllib.request

        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{self.base}/healthz", timeout=2) as r:  # noqa: S310 - loopback
                    if r.status == 200:
                        return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"{self.server} did not answer /healthz; see {self.log_path}")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)

    def log_problems(self) -> dict[str, int]:
        text = self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        return {
            "database is locked": text.count("database is locked"),
            "Internal Server Error": text.count("Internal Server Error"),
            "Traceback": text.count("Traceback"),
            "WORKER TIMEOUT": text.count("WORKER TIMEOUT"),
        }

    def clean_up(self, keep: bool) -> None:
        self.stop()
        if self.pg_name:
            throwaway.drop_postgres(self.pg_base, self.pg_name)
        if self.redis_url:
            import redis

            r = redis.Redis.from_url(self.redis_url)
            for key in r.scan_iter(f"*{self.prefix}*", count=1000):
                r.delete(key)
        if keep:
            print(f"kept {self.tmp}")
        else:
            shutil.rmtree(self.tmp, ignore_errors=True)


def child_seed(bank_size: int, players: int, out: str) -> None:
    """In a child process with the server's environment: bank, players, sessions."""
    throwaway.setup_django({})
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import (
        BACKEND_SESSION_KEY,
        HASH_SESSION_KEY,
        SESSION_KEY,
        get_user_model,
    )

    from benchmarks.seed import seed_bank
    from quiz.middleware import LAST_SEEN_KEY
    from quiz.models import Player

    seed_bank(bank_size)
    User = get_user_model()
    # Unusable passwords: no password hashing, which would dwarf everything else.
    users = User.objects.bulk_create(
        User(username=f"bench{i}", password=f"!{secrets.token_hex(8)}") for i in range(players)
    )
    Player.objects.bulk_create(
        Player(user=u, display_name=f"Bench player {i}") for i, u in enumerate(users)
    )
    store = import_module(settings.SESSION_ENGINE).SessionStore
    keys = []
    for user in users:
        session = store()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "quiz.auth.PlayerBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session[LAST_SEEN_KEY] = int(time.time())
        session.create()
        keys.append(session.session_key)
    Path(out).write_text(json.dumps(keys))


# --- statistics --------------------------------------------------------------


class Stats:
    def __init__(self) -> None:
        self.latencies: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        self.started = time.monotonic()
        self.ended: float | None = None
        self.quizzes_started = 0

    def record(self, endpoint: str, ms: float) -> None:
        self.latencies[endpoint].append(ms)

    def error(self, endpoint: str, kind: str) -> None:
        self.errors[endpoint][kind] += 1

    def finish(self) -> None:
        self.ended = time.monotonic()

    @property
    def seconds(self) -> float:
        return (self.ended or time.monotonic()) - self.started

    def summary(self) -> dict[str, dict]:
        out = {}
        for endpoint in sorted(set(self.latencies) | set(self.errors)):
            values = sorted(self.latencies.get(endpoint, []))
            n = len(values)

            def pct(q: float, values=values, n=n) -> float:
                return values[min(n - 1, math.ceil(q * n) - 1)] if n else float("nan")

            out[endpoint] = {
                "requests": n,
                "rps": n / self.seconds if self.seconds else 0.0,
                "p50": pct(0.50),
                "p95": pct(0.95),
                "p99": pct(0.99),
                "errors": dict(self.errors.get(endpoint, {})),
            }
        return out


def print_table(title: str, summary: dict[str, dict]) -> None:
    print(f"  {title}")
    print(
        f"    {'endpoint':<12} {'requests':>8} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}  errors"
    )
    for endpoint, s in summary.items():
        errors = ", ".join(f"{k}: {v}" for k, v in sorted(s["errors"].items())) or "0"
        print(
            f"    {endpoint:<12} {s['requests']:>8} {s['rps']:>8.1f} {s['p50']:>8.1f} {s['p95']:>8.1f} "
            f"{s['p99']:>8.1f}  {errors}"
        )
    sys.stdout.flush()


# --- a simulated player ------------------------------------------------------


class Window:
    """The Stats that requests count into now: swapped at each measurement window."""

    def __init__(self) -> None:
        self.current = Stats()


class FlowError(Exception):
    pass


class PhaseOver(Exception):
    pass


class Client:
    """One browser: its cookies, kept by hand because they are Secure and we speak
    plain HTTP to the server behind a pretend TLS proxy."""

    def __init__(self, http, base: str, stats, deadline: float, session_key: str | None = None):
        self.http, self.base, self._stats, self.deadline = http, base, stats, deadline
        self.cookies: dict[str, str] = {}
        if session_key:
            self.cookies["sessionid"] = session_key
        self.origin = base.replace("http://", "https://", 1)

    @property
    def stats(self) -> Stats:
        return self._stats.current if isinstance(self._stats, Window) else self._stats

    async def call(
        self, endpoint: str, method: str, path: str, *, data=None, htmx=False, expect=(200,)
    ):
        if time.monotonic() >= self.deadline:
            raise PhaseOver
        headers = {"X-Forwarded-Proto": "https"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if htmx:
            headers["HX-Request"] = "true"
        if method == "POST":
            headers["Origin"] = self.origin
            headers["Referer"] = self.origin + "/"
            if "csrftoken" in self.cookies:
                headers["X-CSRFToken"] = self.cookies["csrftoken"]
        t0 = time.perf_counter()
        try:
            async with self.http.request(
                method, self.base + path, data=data, headers=headers, allow_redirects=False
            ) as response:
                body = await response.text()
                status = response.status
                for raw in response.headers.getall("Set-Cookie", []):
                    name, _, rest = raw.partition("=")
                    self.cookies[name.strip()] = rest.split(";", 1)[0]
                location = response.headers.get("Location", "")
        except Exception as exc:
            self.stats.error(endpoint, type(exc).__name__)
            raise FlowError from exc
        self.stats.record(endpoint, (time.perf_counter() - t0) * 1000)
        if status >= 500:
            self.stats.error(endpoint, f"{status}")
            raise FlowError
        if status not in expect:
            self.stats.error(endpoint, f"unexpected {status}")
            raise FlowError
        return body, location


async def play_one_quiz(
    client: Client, rng: random.Random, think, length: int | None = None
) -> None:
    html, _ = await client.call("home", "GET", "/")
    token = CSRF_INPUT_RE.search(html)
    if not token:
        client.stats.error("home", "no csrf token")
        raise FlowError
    await think()
    length = length or rng.choice(LENGTHS)
    form = {
        "watched_through": str(rng.randint(0, 6)),
        "difficulty": rng.choice(DIFFICULTIES),
        "length": str(length),
        "category": "",
        "csrfmiddlewaretoken": token.group(1),
    }
    _, play_url = await client.call("start", "POST", "/quiz/start/", data=form, expect=(302,))
    client.stats.quizzes_started += 1
    _, question_url = await client.call("play", "GET", play_url, expect=(302,))
    base = question_url.rsplit("/q/", 1)[0]
    for number in range(1, length + 1):
        html, _ = await client.call("question", "GET", f"{base}/q/{number}/", htmx=number > 1)
        keys = OPTION_RE.findall(html)
        if not keys:
            client.stats.error("question", "no options")
            raise FlowError
        await think()
        await client.call(
            "answer", "POST", f"{base}/q/{number}/", data={"option": rng.choice(keys)}, htmx=True
        )
        await think()
    await client.call("results", "GET", f"{base}/results/")
    await think()
    await client.call("leaderboard", "GET", "/leaderboard/")
    await think()


async def no_think() -> None:
    return None


# --- phases ------------------------------------------------------------------


def http_session(limit: int):
    import aiohttp

    connector = aiohttp.TCPConnector(limit=limit, ttl_dns_cache=None, force_close=False)
    return aiohttp.ClientSession(
        connector=connector,
        cookie_jar=aiohttp.DummyCookieJar(),
        timeout=aiohttp.ClientTimeout(total=60),
    )


async def run_workers(n: int, duration: float, make_worker) -> Stats:
    stats = Stats()
    deadline = time.monotonic() + duration

    async def guarded(i: int) -> None:
        with contextlib.suppress(PhaseOver):
            await make_worker(i, stats, deadline)

    await asyncio.gather(*(guarded(i) for i in range(n)))
    stats.finish()
    return stats


async def phase_baseline(server: Server, connections: int, duration: float) -> Stats:
    async with http_session(connections) as http:

        async def worker(i, stats, deadline):
            client = Client(http, server.base, stats, deadline)
            while True:
                try:
                    await client.call("baseline", "GET", "/bench/baseline")
                except FlowError:
                    await asyncio.sleep(0.01)

        return await run_workers(connections, duration, worker)


async def phase_flow(
    server: Server,
    sessions: list[str],
    connections: int,
    duration: float,
    think_range: tuple[float, float] | None = None,
    pool: int | None = None,
    seed: int = 1,
) -> Stats:
    async with http_session(pool or connections) as http:

        async def worker(i, stats, deadline):
            rng = random.Random(seed * 100003 + i)
            client = Client(http, server.base, stats, deadline, sessions[i % len(sessions)])
            if think_range:

                async def think():
                    await asyncio.sleep(
                        min(rng.uniform(*think_range), max(0.0, deadline - time.monotonic()))
                    )

                # Players arrive spread over one think time, not all at once.
                await asyncio.sleep(rng.uniform(0, think_range[1]))
            else:
                think = no_think
            while True:
                try:
                    await play_one_quiz(client, rng, think)
                except FlowError:
                    await asyncio.sleep(0.05)

        return await run_workers(connections, duration, worker)


async def phase_question(
    server: Server, sessions: list[str], connections: int, duration: float
) -> Stats:
    """Each connection re-reads the current question page of a quiz it started."""
    async with http_session(connections) as http:
        setup = Stats()
        urls = []
        far = time.monotonic() + 600
        for i in range(connections):
            client = Client(http, server.base, setup, far, sessions[i % len(sessions)])
            html, _ = await client.call("home", "GET", "/")
            form = {
                "watched_through": "6",
                "difficulty": "mixed",
                "length": "20",
                "category": "",
                "csrfmiddlewaretoken": CSRF_INPUT_RE.search(html).group(1),
            }
            _, play_url = await client.call(
                "start", "POST", "/quiz/start/", data=form, expect=(302,)
            )
            _, question_url = await client.call("play", "GET", play_url, expect=(302,))
            urls.append((client.cookies, question_url))

        async def worker(i, stats, deadline):
            client = Client(http, server.base, stats, deadline)
            client.cookies, url = urls[i]
            while True:
                try:
                    await client.call("question", "GET", url)
                except FlowError:
                    await asyncio.sleep(0.01)

        return await run_workers(connections, duration, worker)


def prepare_attempts(
    server: Server, sessions: list[str], connections: int, count: int
) -> list[list[tuple]]:
    """Quizzes for the answer phase, started with quiz.play.start_quiz in this process
    (the server's code and database): for each connection, [(session, url, [keys...])]."""
    keys = (
        "DATABASE_URL",
        "REDIS_URL",
        "DEBUG",
        "SECRET_KEY",
        "ALLOWED_HOSTS",
        "CACHE_KEY_PREFIX",
        "LEADERBOARD_REDIS_PREFIX",
    )
    throwaway.setup_django({k: server.env[k] for k in keys})
    from datetime import timedelta
    from importlib import import_module

    from django.conf import settings
    from django.db import close_old_connections
    from django.utils import timezone

    from quiz import play
    from quiz.models import Bank, Player

    close_old_connections()
    store = import_module(settings.SESSION_ENGINE).SessionStore
    bank = Bank.objects.get()
    per_connection: list[list[tuple]] = [[] for _ in range(connections)]
    players = {}
    for i in range(count):
        c = i % connections
        session = sessions[c % len(sessions)]
        if session not in players:
            players[session] = Player.objects.get(user_id=int(store(session)["_auth_user_id"]))
        attempt = play.start_quiz(
            bank=bank, difficulty="mixed", watched_through=6, length=20, player=players[session]
        )
        # Every question shown already (its clock running), as after the question
        # page's GET: this phase measures the answer POSTs alone.
        attempt.items.update(served_at=timezone.now() - timedelta(seconds=5))
        items = list(attempt.items.order_by("position"))
        per_connection[c].append(
            (
                session,
                f"/quiz/{attempt.public_id}",
                [[o["key"] for o in item.options] for item in items],
            )
        )
    close_old_connections()
    return per_connection


async def phase_answer(
    server: Server, prepared: list[list[tuple]], connections: int, duration: float
) -> Stats:
    async with http_session(connections) as http:

        async def worker(i, stats, deadline):
            rng = random.Random(i)
            for session, base, keys in prepared[i]:
                client = Client(http, server.base, stats, deadline, session)
                client.cookies["csrftoken"] = secrets.token_hex(16)
                for number, options in enumerate(keys, start=1):
                    try:
                        await client.call(
                            "answer",
                            "POST",
                            f"{base}/q/{number}/",
                            data={"option": rng.choice(options)},
                            htmx=True,
                        )
                    except FlowError:
                        break

        stats = await run_workers(connections, duration, worker)
        return stats


# --- modes -------------------------------------------------------------------


def step(message: str) -> None:
    print(f"-- {message}", flush=True)


def pin_self(pin: bool) -> None:
    if pin:
        os.sched_setaffinity(0, {0})


def saturation(server: Server, sessions: list[str], args) -> dict:
    """Per connection count: the player flow once, then `--rounds` rounds of
    baseline, question page and answer POST back to back. Each round's shares
    are taken against that round's own baseline, so that a slow spell of the
    machine (a noisy neighbour) weighs on both sides of a ratio; the quoted
    share is the median of the rounds'."""
    report = {}
    step(f"warm-up: {args.warmup:.0f} s of the player flow on 16 connections")
    asyncio.run(phase_flow(server, sessions, 16, args.warmup, seed=99))
    for connections in args.connections:
        print(
            f"\n== {connections} connections, {args.duration:.0f} s per phase, no think time, "
            f"{args.rounds} round(s)",
            flush=True,
        )
        level: dict = {"rounds": []}
        flow = asyncio.run(
            phase_flow(server, sessions, connections, args.duration, seed=connections)
        )
        level["flow"] = flow.summary()
        print_table("player flow", level["flow"])
        for number in range(1, args.rounds + 1):
            print(f"  -- round {number}", flush=True)
            level["rounds"].append(one_round(server, sessions, connections, args))
        shares = {
            page: statistics.median(r["ratios"][page] for r in level["rounds"])
            for page in ("question", "answer")
        }
        level["ratios"] = shares
        if args.rounds > 1:
            for page, label in (("question", "question page"), ("answer", "answer POST")):
                each = ", ".join(f"{r['ratios'][page]:.0%}" for r in level["rounds"])
                print(f"  {label} by round: {each}", flush=True)
        print(
            f"  ratios{' (median of the rounds)' if args.rounds > 1 else ''}: "
            f"question page {shares['question']:.0%} of baseline (target >= 30%), "
            f"answer POST {shares['answer']:.0%} (target >= 20%)",
            flush=True,
        )
        report[str(connections)] = level
    return report


def one_round(server: Server, sessions: list[str], connections: int, args) -> dict:
    """Baseline, question page and answer POST, one after another."""
    result = {}
    baseline = asyncio.run(phase_baseline(server, connections, args.duration)).summary()
    print_table("baseline (/bench/baseline)", baseline)
    result["baseline"] = baseline
    base_rps = baseline["baseline"]["rps"]
    # Quizzes for the answer phase (started outside the measured window),
    # assuming answers at most 60% of the baseline's rate.
    count = max(connections, math.ceil(base_rps * 0.6 * args.duration / 20))
    step(f"starting {count} 20-question quizzes for the answer phase")
    prepared = prepare_attempts(server, sessions, connections, count)
    question = asyncio.run(phase_question(server, sessions, connections, args.duration)).summary()
    print_table("question page alone (full page GET)", question)
    result["question"] = question
    answer = asyncio.run(phase_answer(server, prepared, connections, args.duration)).summary()
    print_table("answer POST alone (htmx)", answer)
    result["answer"] = answer
    q_share = question["question"]["rps"] / base_rps if base_rps else 0
    a_share = answer["answer"]["rps"] / base_rps if base_rps else 0
    print(f"  round: question page {q_share:.0%}, answer POST {a_share:.0%}", flush=True)
    result["ratios"] = {"question": q_share, "answer": a_share}
    return result


async def phase_players(server: Server, sessions: list[str], args, on_level) -> None:
    """Thinking players that stay: each level adds players spread over a ramp, lets
    them settle, then measures a window; stops after the first failing level."""
    window = Window()
    clients: list[Client] = []
    tasks: list[asyncio.Task] = []
    far = time.monotonic() + 24 * 3600

    async def player(i: int, delay: float) -> None:
        rng = random.Random(i)
        client = Client(http, server.base, window, far, sessions[i % len(sessions)])
        clients.append(client)

        async def think():
            await asyncio.sleep(rng.uniform(2.0, 5.0))

        try:
            await asyncio.sleep(delay)
            while True:
                try:
                    await play_one_quiz(client, rng, think)
                except FlowError:
                    await asyncio.sleep(1.0)
        except PhaseOver:
            pass

    # Ctrl-C stops the players at their next step, so the server and the
    # throwaway database are still cleaned up.
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGINT, stop.set)

    async def pause(seconds: float) -> bool:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), seconds)
        return not stop.is_set()

    async with http_session(args.pool) as http:
        present = 0
        for n in args.players:
            added = n - present
            for k in range(added):
                tasks.append(
                    asyncio.create_task(player(present + k, args.ramp * k / max(1, added)))
                )
            present = n
            step(
                f"{n} players: {added} more arriving over {args.ramp:.0f} s, then {args.settle:.0f} s to settle"
            )
            if not await pause(args.ramp + args.settle):
                break
            window.current = Stats()
            if not await pause(args.duration):
                break
            measured = window.current
            measured.finish()
            window.current = Stats()
            if not on_level(n, measured):
                break
        for client in clients:
            client.deadline = 0.0
        for task in tasks:
            if not task.done():
                task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


def players_mode(server: Server, sessions: list[str], args) -> dict:
    report: dict = {}
    best = None
    step(f"warm-up: {args.warmup:.0f} s of the player flow on 16 connections")
    asyncio.run(phase_flow(server, sessions, 16, args.warmup, seed=99))

    def on_level(n: int, stats: Stats) -> bool:
        nonlocal best
        print(
            f"\n== {n} concurrent players, think 2-5 s, measured for {stats.seconds:.0f} s",
            flush=True,
        )
        summary = stats.summary()
        print_table("per endpoint", summary)
        total = sum(s["requests"] for s in summary.values())
        errors = sum(sum(s["errors"].values()) for s in summary.values())
        answer_p99 = summary.get("answer", {}).get("p99", float("inf"))
        started = stats.quizzes_started / stats.seconds
        # Little's law: N players present, each staying for one quiz of mean
        # length W, means N / W players arriving per second in steady state. A
        # quiz has 3 + 2 x length thinks of 3.5 s on average (lengths 5/10/20
        # equally likely), plus its requests' time.
        mean_quiz = (3 + 2 * sum(LENGTHS) / len(LENGTHS)) * 3.5
        arrival = n / mean_quiz
        print(
            f"  {n} players: {total / stats.seconds:.1f} req/s, answer p99 {answer_p99:.1f} ms, "
            f"errors {errors}; quizzes started {started:.1f}/s (arrival rate N / {mean_quiz:.0f} s "
            f"= {arrival:.1f} players/s)",
            flush=True,
        )
        passed = answer_p99 < P99_TARGET_MS and errors == 0
        report[str(n)] = {
            "endpoints": summary,
            "rps": total / stats.seconds,
            "arrival_per_s": arrival,
            "started_per_s": started,
            "answer_p99": answer_p99,
            "errors": errors,
            "passed": passed,
        }
        if passed:
            best = n
        return passed

    asyncio.run(phase_players(server, sessions, args, on_level))
    report["largest_passing"] = best
    print(f"\nlargest level with answer p99 < {P99_TARGET_MS:.0f} ms and no errors: {best} players")
    return report


def main() -> None:
    parser = argparse.ArgumentParser(
        description="HH Quiz load benchmark (see the module docstring)."
    )
    parser.add_argument(
        "--db",
        choices=["sqlite", "postgres"],
        default="sqlite",
        help="postgres uses DATABASE_URL's server (default local) and REDIS_URL (default db 13)",
    )
    parser.add_argument("--mode", choices=["saturation", "players"], default="saturation")
    parser.add_argument("--connections", default="16,64,256", help="saturation: connection counts")
    parser.add_argument(
        "--players",
        default="250,500,750,1000,1500,2000,3000",
        help="players: levels to ramp through",
    )
    parser.add_argument(
        "--duration",
        type=float,
        default=None,
        help="seconds per phase/level (default 30 for saturation, 60 for players)",
    )
    parser.add_argument("--warmup", type=float, default=10.0)
    parser.add_argument(
        "--rounds",
        type=int,
        default=3,
        help="saturation: rounds of baseline, question page and answer per connection count",
    )
    parser.add_argument(
        "--ramp",
        type=float,
        default=15.0,
        help="players: seconds over which a level's new players arrive",
    )
    parser.add_argument(
        "--settle",
        type=float,
        default=10.0,
        help="players: seconds after the ramp before measuring",
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=1,
        help="gunicorn worker processes (1: the server has one CPU when pinned)",
    )
    parser.add_argument(
        "--threads", type=int, default=8, help="threads per gunicorn worker (gthread)"
    )
    parser.add_argument(
        "--pool", type=int, default=256, help="players: client connection pool size"
    )
    parser.add_argument("--bank", type=int, default=2000, help="questions in the seeded bank")
    parser.add_argument(
        "--no-pin", action="store_true", help="do not pin generator and server to CPUs"
    )
    parser.add_argument(
        "--keep", action="store_true", help="keep the temp folder (database, server log)"
    )
    parser.add_argument(
        "--server",
        choices=["gunicorn", "granian"],
        default="gunicorn",
        help="the WSGI server to compare (granian: pip install granian first)",
    )
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args()
    args.connections = [int(c) for c in args.connections.split(",")]
    args.players = [int(p) for p in args.players.split(",")]
    args.duration = args.duration or (30.0 if args.mode == "saturation" else 60.0)
    pin = can_pin() and not args.no_pin
    accounts = max(args.players) if args.mode == "players" else max(args.connections)

    server = Server(
        args.db, args.workers, args.threads, args.bank, accounts, pin, server=args.server
    )
    print(
        f"HH Quiz load benchmark: {args.mode} on {args.db}{' + Redis' if args.db == 'postgres' else ''}, "
        f"{os.cpu_count()} CPUs; generator {'pinned to CPU 0' if pin else 'not pinned'}; "
        f"rate limits raised to 1,000,000/min for the run",
        flush=True,
    )
    try:
        sessions = server.prepare()
        server.start()
        pin_self(pin)
        report = (
            saturation(server, sessions, args)
            if args.mode == "saturation"
            else players_mode(server, sessions, args)
        )
        server.stop()
        problems = server.log_problems()
        print(f"\nserver log: {', '.join(f'{k}: {v}' for k, v in problems.items())}")
        report = {
            "mode": args.mode,
            "db": args.db,
            "server": args.server,
            "workers": args.workers,
            "threads": args.threads,
            "pinned": pin,
            "bank": args.bank,
            "duration": args.duration,
            "levels": report,
            "server_log": problems,
        }
        if args.json:
            Path(args.json).parent.mkdir(parents=True, exist_ok=True)
            Path(args.json).write_text(json.dumps(report, indent=1, default=str))
    finally:
        server.clean_up(args.keep)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child-seed":
        child_seed(int(sys.argv[2]), int(sys.argv[3]), sys.argv[4])
    else:
        main()
