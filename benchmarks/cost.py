"""Cost per request, in process: instructions (callgrind) and CPU time, each against /bench/baseline.

    .venv/bin/python benchmarks/cost.py                       # SQLite
    .venv/bin/python benchmarks/cost.py --db postgres         # PostgreSQL + Redis
    .venv/bin/python benchmarks/cost.py --aged                # after a simulated day of play
    .venv/bin/python benchmarks/cost.py --profile answer      # cProfile of one endpoint

Each endpoint runs N times through Django's WSGI handler, called directly in
this process (no server, no network between client and app): production
settings (DEBUG=0, every middleware, X-Forwarded-Proto: https as behind the TLS
proxy), a real signed-in session cookie, the CSRF cookie and header, htmx
headers where the browser sends them. Bodies are read and responses closed, so
request_finished runs as under gunicorn. Every response's status is checked.

Two figures per endpoint, each also as a share of /bench/baseline's (the
cheapest page through the same middleware) measured in the same run:
- instructions per request of this process (valgrind's callgrind, switched on
  only around the measured requests): deterministic, repeat runs differ by
  well under 1 %. The database and Redis servers are other processes and are
  not counted; SQLite runs inside this one and is.
- CPU time per request (time.process_time, trimmed mean), in a separate run
  without valgrind. Noisy on a shared machine; the instruction counts are the
  figure to compare.

"share" = baseline cost / endpoint cost: 25 % means the page costs four
baselines. The play rate limits are raised (their counters still count), and
the API's per-address limit is met by giving each API request its own address.

--aged fills the database first with a simulated day of play (players,
sessions, finished quizzes with their board rows, stale and live rate-limit
counters) and gives the measured players a long history, so the figures show
whether a session, a user or a rate-limit hit gets dearer as data piles up.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import gc
import io
import itertools
import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks import throwaway  # noqa: E402

PY = sys.executable
HOST = "127.0.0.1"
PLAYERS = 8
QUIZ_LENGTH = 10
# One address per API request: the per-address limit runs but never refuses.
API_ADDRESSES = itertools.count(1)

# Endpoints answered with a redirect; every other one with 200.
REDIRECTS = {"start", "play"}

# name: what it is (the order is the table's)
ENDPOINTS = {
    "baseline": "/bench/baseline, anonymous",
    "baseline_auth": "/bench/baseline, signed in",
    "home": "home page, signed in",
    "start": "start a quiz POST (redirect)",
    "play": "quiz link (redirect to the question)",
    "q_full": "question page, signed in, full",
    "q_htmx": "question page, signed in, htmx",
    "q_anon": "question page, anonymous, htmx",
    "answer": "answer POST, htmx",
    "finish": "finishing answer POST, htmx",
    "results": "results page",
    "leaderboard": "leaderboard, signed in",
    "api": "API api.php?amount=10",
}


def step(message: str) -> None:
    print(f"[cost] {message}", file=sys.stderr, flush=True)


# --- callgrind client requests -------------------------------------------------

CG_SOURCE = r"""
#include <valgrind/callgrind.h>
void cg_start(void) { CALLGRIND_START_INSTRUMENTATION; }
void cg_stop(void) { CALLGRIND_STOP_INSTRUMENTATION; }
void cg_zero(void) { CALLGRIND_ZERO_STATS; }
void cg_dump(const char *name) { CALLGRIND_DUMP_STATS_AT(name); }
"""


def callgrind_lib(tmp: Path) -> Path:
    """A tiny shared library issuing callgrind's client requests (valgrind's headers, a C compiler)."""
    src, lib = tmp / "cg.c", tmp / "cg.so"
    src.write_text(CG_SOURCE)
    subprocess.run(["cc", "-O1", "-shared", "-fPIC", "-o", str(lib), str(src)], check=True)
    return lib


class Callgrind:
    def __init__(self, lib: str | None):
        self.lib = ctypes.CDLL(lib) if lib else None

    def segment(self, name: str):
        lib = self.lib

        @contextlib.contextmanager
        def run():
            if lib is None:
                yield
                return
            lib.cg_zero()
            lib.cg_start()
            try:
                yield
            finally:
                lib.cg_stop()
                lib.cg_dump(name.encode())

        return run()


def parse_callgrind(out_dir: Path) -> dict[str, int]:
    """Instructions per dump, by the dump's name."""
    totals = {}
    for path in out_dir.glob("cg.out*"):
        name = total = None
        for line in path.read_text(errors="replace").splitlines():
            if line.startswith("desc: Trigger: Client Request: "):
                name = line.split(": ", 3)[-1].strip()
            elif line.startswith(("summary:", "totals:")):
                total = int(line.split()[1])
        if name and total is not None:
            totals[name] = total
    return totals


# --- the measuring child -------------------------------------------------------


def _environ(method, path, *, query="", cookies=None, headers=None, body=b"", addr=HOST):
    environ = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SCRIPT_NAME": "",
        "SERVER_NAME": HOST,
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": addr,
        "HTTP_HOST": HOST,
        "HTTP_X_FORWARDED_PROTO": "https",
        "HTTP_USER_AGENT": "hhquiz-cost",
        "HTTP_ACCEPT": "text/html",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
    }
    if cookies:
        environ["HTTP_COOKIE"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
    if body:
        environ["CONTENT_TYPE"] = "application/x-www-form-urlencoded"
        environ["CONTENT_LENGTH"] = str(len(body))
    for name, value in (headers or {}).items():
        environ["HTTP_" + name.upper().replace("-", "_")] = value
    return environ


class Client:
    """One browser: its session cookie and CSRF token."""

    def __init__(self, session_key: str | None):
        from django.conf import settings
        from django.middleware.csrf import _get_new_csrf_string

        self.csrf = _get_new_csrf_string()
        self.cookies = {settings.CSRF_COOKIE_NAME: self.csrf}
        if session_key:
            self.cookies[settings.SESSION_COOKIE_NAME] = session_key

    def get(self, path, *, htmx=False, query=""):
        headers = {"HX-Request": "true"} if htmx else {}
        return _environ("GET", path, query=query, cookies=self.cookies, headers=headers)

    def post(self, path, data: dict, *, htmx=True):
        from urllib.parse import urlencode

        headers = {
            "X-CSRFToken": self.csrf,
            "Origin": f"https://{HOST}",
            "Referer": f"https://{HOST}{path}",
        }
        if htmx:
            headers["HX-Request"] = "true"
        return _environ(
            "POST", path, cookies=self.cookies, headers=headers, body=urlencode(data).encode()
        )


def call(app, environ, expect=200) -> bytes:
    status = []

    def start_response(s, h, exc_info=None):
        status.append(s)

    result = app(environ, start_response)
    try:
        body = b"".join(result)
    finally:
        if hasattr(result, "close"):
            result.close()
    code = int(status[0].split()[0])
    if code != expect:
        raise SystemExit(
            f"{environ['REQUEST_METHOD']} {environ['PATH_INFO']}: {status[0]}\n{body[:800]!r}"
        )
    return body


def _session_for(user) -> str:
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    from quiz.middleware import LAST_SEEN_KEY

    session = import_module(settings.SESSION_ENGINE).SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[-1]
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session[LAST_SEEN_KEY] = int(time.time())
    session.create()
    return session.session_key


class Fixture:
    """Players with sessions and history, and quizzes in the states each endpoint needs."""

    def __init__(self, tag: str, history: int):
        from django.contrib.auth import get_user_model

        from quiz.models import Bank, Player

        self.bank = Bank.objects.get(slug="his-and-hers")
        User = get_user_model()
        self.players = []
        self.clients = []
        for i in range(PLAYERS):
            user = User.objects.create(
                username=f"cost-{tag}-{i}", password=f"!{secrets.token_hex(8)}"
            )
            self.players.append(Player.objects.create(user=user, display_name=f"Cost {tag} {i}"))
            self.clients.append(Client(_session_for(user)))
        # (client index, a finished quiz of that player)
        self.finished = []
        for index, player in enumerate(self.players):
            for _ in range(history):
                attempt = self.finished_quiz(player)
            self.finished.append((index, attempt))

    def quiz(self, player=None, session_key="", served="first"):
        from django.utils import timezone

        from quiz import play
        from quiz.models import AttemptQuestion

        attempt = play.start_quiz(
            bank=self.bank,
            difficulty="mixed",
            watched_through=6,
            length=QUIZ_LENGTH,
            player=player,
            session_key=session_key,
        )
        items = AttemptQuestion.objects.filter(attempt=attempt)
        if served == "all":
            # Every question already shown 5 s ago: answers can follow one another.
            items.update(served_at=timezone.now() - timezone.timedelta(seconds=5))
        else:
            items.filter(position=0).update(served_at=timezone.now())
        return attempt

    def finished_quiz(self, player):
        from quiz import play

        attempt = self.quiz(player, served="all")
        for item in attempt.items.order_by("position"):
            play.answer(attempt, item, item.correct_key)
        return attempt

    def answers(self, count: int, *, last: bool):
        """(client, path, option) for `count` answers in order; with last, each the quiz's final one."""
        from quiz import play

        out = []
        while len(out) < count:
            for index, player in enumerate(self.players):
                attempt = self.quiz(player, served="all")
                items = list(attempt.items.order_by("position"))
                if last:
                    for item in items[:-1]:
                        play.answer(attempt, item, item.correct_key)
                    items = items[-1:]
                else:
                    items = items[:-1]
                for item in items:
                    option = item.options[len(out) % len(item.options)]["key"]
                    url = f"/quiz/{attempt.public_id}/q/{item.position + 1}/"
                    out.append((self.clients[index], url, option))
                if len(out) >= count:
                    break
        return out[:count]


def requests_for(name: str, fx: Fixture, n: int, anon_client=None, anon_quiz=None):
    """N environs for one endpoint (built before measuring)."""
    anon = Client(None)
    if name == "baseline":
        return [anon.get("/bench/baseline") for _ in range(n)]
    clients = fx.clients
    if name == "baseline_auth":
        return [clients[i % PLAYERS].get("/bench/baseline") for i in range(n)]
    if name == "home":
        return [clients[i % PLAYERS].get("/") for i in range(n)]
    if name == "start":
        # The start form as a browser posts it (not htmx): 10 questions, mixed.
        form = {"watched_through": "6", "difficulty": "mixed", "length": "10", "category": ""}
        return [clients[i % PLAYERS].post("/quiz/start/", form, htmx=False) for i in range(n)]
    if name == "play":
        quizzes = [fx.quiz(p) for p in fx.players]
        return [
            clients[i % PLAYERS].get(f"/quiz/{quizzes[i % PLAYERS].public_id}/") for i in range(n)
        ]
    if name in ("q_full", "q_htmx"):
        quizzes = [fx.quiz(p) for p in fx.players]
        return [
            clients[i % PLAYERS].get(
                f"/quiz/{quizzes[i % PLAYERS].public_id}/q/1/", htmx=name == "q_htmx"
            )
            for i in range(n)
        ]
    if name == "q_anon":
        return [anon_client.get(f"/quiz/{anon_quiz.public_id}/q/1/", htmx=True) for _ in range(n)]
    if name in ("answer", "finish"):
        return [
            client.post(url, {"option": option})
            for client, url, option in fx.answers(n, last=name == "finish")
        ]
    if name == "results":
        done = [fx.finished[i % len(fx.finished)] for i in range(n)]
        return [
            clients[index].get(f"/quiz/{attempt.public_id}/results/") for index, attempt in done
        ]
    if name == "leaderboard":
        return [clients[i % PLAYERS].get("/leaderboard/") for i in range(n)]
    if name == "api":
        return [
            _environ(
                "GET",
                "/api/api.php",
                query="amount=10",
                addr=f"10.{i // 65536 % 256}.{i // 256 % 256}.{i % 256}",
            )
            for i in (next(API_ADDRESSES) for _ in range(n))
        ]
    raise ValueError(name)


def child(opts: dict) -> None:
    throwaway.setup_django({})
    from django.core.handlers.wsgi import WSGIHandler
    from django.db import connection

    app = WSGIHandler()
    tag = opts["tag"]
    step(f"{tag}: players, sessions, history ({opts['history']} quizzes each)")
    fx = Fixture(tag, opts["history"])
    from importlib import import_module

    from django.conf import settings

    anon_session = import_module(settings.SESSION_ENGINE).SessionStore()
    anon_session.create()
    anon_client = Client(anon_session.session_key)
    anon_quiz = fx.quiz(None, session_key=anon_session.session_key)
    cg = Callgrind(opts.get("cglib"))
    mode = opts["mode"]
    n_of = {"finish": opts["finish_n"]}
    result = {"vendor": connection.vendor, "endpoints": {}}
    profiler = None
    with cg.segment("empty"):
        pass
    for name in opts["endpoints"]:
        n = n_of.get(name, opts["n"])
        warm = requests_for(name, fx, 3, anon_client, anon_quiz)
        expect = 302 if name in REDIRECTS else 200
        for environ in warm:
            call(app, environ, expect)
        environs = requests_for(name, fx, n, anon_client, anon_quiz)
        # Every endpoint starts from the same collector state: what this process made
        # to set up (players, quizzes, the environs) is collected or frozen out of
        # the collector's sight, as a server's start-up objects are. Otherwise a
        # full collection of the fixture's objects lands in one endpoint's
        # requests or another's (seen: ±0.03 M per request between runs).
        gc.collect()
        gc.freeze()
        step(f"{tag}: {name} x{n}")
        if mode == "profile" and name == opts["profile"]:
            import cProfile

            profiler = cProfile.Profile()
            profiler.enable()
        cpu, wall = [], []
        with cg.segment(name):
            for environ in environs:
                c0, w0 = time.process_time_ns(), time.perf_counter_ns()
                call(app, environ, expect)
                cpu.append(time.process_time_ns() - c0)
                wall.append(time.perf_counter_ns() - w0)
        if profiler is not None and name == opts["profile"]:
            profiler.disable()
        result["endpoints"][name] = {
            "n": n,
            "cpu_ms": trimmed(cpu) / 1e6,
            "wall_ms": trimmed(wall) / 1e6,
        }
    if profiler is not None:
        import pstats

        stats = pstats.Stats(profiler, stream=sys.stderr)
        if opts.get("profile_out"):
            stats.dump_stats(opts["profile_out"])
        stats.sort_stats("cumulative").print_stats(45)
        stats.sort_stats("tottime").print_stats(30)
    Path(opts["out"]).write_text(json.dumps(result))


def trimmed(values: list[int]) -> float:
    values = sorted(values)
    cut = len(values) // 20
    kept = values[cut : len(values) - cut] or values
    return sum(kept) / len(kept)


# --- a simulated day of play (--aged) ------------------------------------------


def age(players: int, quizzes_each: int, counters: int) -> None:
    """Fill the database as a day of play would: players with sessions and finished
    quizzes (on the boards), and the rate-limit counters they leave behind."""
    throwaway.setup_django({})
    from django.contrib.auth import get_user_model
    from django.contrib.sessions.backends.db import SessionStore as DbStore
    from django.contrib.sessions.models import Session
    from django.core.cache import caches
    from django.db import connection, transaction
    from django.utils import timezone

    from quiz import leaderboard, play
    from quiz.models import AttemptQuestion, Bank, Counter, Player, QuizAttempt

    User = get_user_model()
    step(
        f"aged: {players:,} players, {players * quizzes_each:,} finished quizzes, {counters:,} counters"
    )
    users = User.objects.bulk_create(
        User(username=f"day-{i}", password=f"!{secrets.token_hex(8)}") for i in range(players)
    )
    day_players = Player.objects.bulk_create(
        Player(user=u, display_name=f"Day player {i}") for i, u in enumerate(users)
    )
    expire = timezone.now() + timezone.timedelta(days=7)
    store = DbStore()
    Session.objects.bulk_create(
        Session(
            session_key=secrets.token_hex(16),
            session_data=store.encode({"_auth_user_id": str(u.pk), "last_seen": int(time.time())}),
            expire_date=expire,
        )
        for u in users
    )
    bank = Bank.objects.get(slug="his-and-hers")
    # One quiz drawn for real, then copied: drawing each would take minutes.
    template = play.start_quiz(
        bank=bank, difficulty="mixed", watched_through=6, length=QUIZ_LENGTH, player=day_players[0]
    )
    items = list(template.items.order_by("position"))
    now = timezone.now()
    rng = __import__("random").Random(5)
    with transaction.atomic():
        attempts = QuizAttempt.objects.bulk_create(
            QuizAttempt(
                player=p,
                bank=bank,
                difficulty="mixed",
                watched_through=6,
                length=QUIZ_LENGTH,
                status=QuizAttempt.Status.FINISHED,
                answered_count=QUIZ_LENGTH,
                started_at=now - timezone.timedelta(minutes=rng.randrange(1, 1400)),
                finished_at=now,
                score=rng.randrange(0, 3000),
                correct_count=rng.randrange(0, QUIZ_LENGTH + 1),
                seconds=rng.uniform(20, 200),
                share_token=secrets.token_urlsafe(12),
            )
            for p in day_players
            for _ in range(quizzes_each)
        )
        AttemptQuestion.objects.bulk_create(
            (
                AttemptQuestion(
                    attempt=a,
                    position=it.position,
                    question_id=it.question_id,
                    text=it.text,
                    kind=it.kind,
                    difficulty=it.difficulty,
                    category=it.category,
                    spoiler_level=it.spoiler_level,
                    options=it.options,
                    correct_key=it.correct_key,
                    explanation=it.explanation,
                    served_at=now,
                    answered_at=now,
                    chosen_key=it.correct_key,
                    is_correct=True,
                    points=100,
                )
                for a in attempts
                for it in items
            ),
            batch_size=2000,
        )
    step("aged: boards")
    leaderboard.rebuild()
    # Every player-minute of play leaves a counter behind until the clean-up:
    # most expired, the last minute's live.
    windows = int(time.time() // 60)
    counter_key = caches["ratelimit"].make_key
    Counter.objects.bulk_create(
        (
            Counter(
                key=counter_key(f"rl:answer:u{users[i % players].pk}:{windows - i // players}"),
                value=rng.randrange(1, 30),
                expires_at=time.time() + 65 - 60 * (i // players),
            )
            for i in range(counters)
        ),
        batch_size=5000,
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


# --- the parent ----------------------------------------------------------------


def prepare(db: str, tmp: Path, bank: int) -> tuple[dict, callable]:
    env = {
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": HOST,
        "QUIZ_START_RATE": "1000000",
        "QUIZ_ANSWER_RATE": "1000000",
        "CACHE_KEY_PREFIX": f"hhquiz-cost-{secrets.token_hex(4)}",
        "LOG_LEVEL": "WARNING",
        "PYTHONHASHSEED": "0",
    }
    env["LEADERBOARD_REDIS_PREFIX"] = f"{env['CACHE_KEY_PREFIX']}:lb"
    cleanup = []
    if db == "postgres":
        base = os.environ.get("DATABASE_URL", "").strip()
        if not base.startswith("postgres"):
            raise SystemExit(
                "--db postgres needs DATABASE_URL=postgres://… (a throwaway database is made beside it)"
            )
        redis_url = os.environ.get("REDIS_URL", "").strip()
        if not redis_url:
            raise SystemExit("--db postgres needs REDIS_URL")
        name, env["DATABASE_URL"] = throwaway.create_postgres(
            base, base.rsplit("/", 1)[-1] + "_cost"
        )
        env["REDIS_URL"] = redis_url
        cleanup.append(lambda: throwaway.drop_postgres(base, name))
        cleanup.append(lambda: _clear_redis(redis_url, env["CACHE_KEY_PREFIX"]))
    else:
        env["DATABASE_URL"] = f"sqlite:///{tmp / 'cost.sqlite3'}"
        env["REDIS_URL"] = ""
    # Static files collected into this run's own folder, not the checkout's
    # staticfiles/ (a test run or `make run` in the same checkout reads that one).
    env["HHQUIZ_DATA_DIR"] = str(tmp)
    full = {**os.environ, **env}
    manage = [PY, str(ROOT / "manage.py")]
    step(f"{db}: migrate, seed {bank:,} questions, collectstatic")
    subprocess.run([*manage, "migrate", "--noinput", "-v0"], env=full, check=True, cwd=ROOT)
    subprocess.run([*manage, "createcachetable"], env=full, check=True, cwd=ROOT)
    subprocess.run([PY, __file__, "--child-seed", str(bank)], env=full, check=True, cwd=ROOT)
    subprocess.run([*manage, "collectstatic", "--noinput", "-v0"], env=full, check=True, cwd=ROOT)

    def done():
        for fn in cleanup:
            with contextlib.suppress(Exception):
                fn()

    return full, done


def _clear_redis(url: str, prefix: str) -> None:
    import redis

    client = redis.Redis.from_url(url)
    for key in client.scan_iter(f"*{prefix}*", count=1000):
        client.delete(key)


def run_child(env, opts: dict, tmp: Path, valgrind: bool) -> dict:
    out = tmp / f"{opts['tag']}.json"
    opts = {**opts, "out": str(out)}
    cmd = [PY, __file__, "--child", json.dumps(opts)]
    if valgrind:
        cg_dir = tmp / f"cg-{opts['tag']}"
        cg_dir.mkdir()
        cmd = [
            "valgrind",
            "--tool=callgrind",
            "--instr-atstart=no",
            f"--callgrind-out-file={cg_dir / 'cg.out'}",
            f"--log-file={tmp / 'valgrind.log'}",
            *cmd,
        ]
    subprocess.run(cmd, env=env, check=True, cwd=ROOT)
    result = json.loads(out.read_text())
    if valgrind:
        totals = parse_callgrind(cg_dir)
        empty = totals.get("empty", 0)
        for name, row in result["endpoints"].items():
            row["instructions"] = (totals[name] - empty) / row["n"]
    return result


def table(db: str, icount: dict | None, timing: dict | None) -> str:
    lines = [
        f"{db}: per request, in process",
        "",
        "| endpoint | instructions | share of baseline | CPU ms | share of baseline |",
        "|---|---:|---:|---:|---:|",
    ]
    ic = icount["endpoints"] if icount else {}
    tm = timing["endpoints"] if timing else {}
    base_ic = ic.get("baseline", {}).get("instructions")
    base_tm = tm.get("baseline", {}).get("cpu_ms")
    for name in ENDPOINTS:
        if name not in ic and name not in tm:
            continue
        cells = [ENDPOINTS[name]]
        if name in ic and base_ic:
            value = ic[name]["instructions"]
            cells += [f"{value / 1e6:.2f} M", f"{100 * base_ic / value:.1f} %"]
        else:
            cells += ["", ""]
        if name in tm and base_tm:
            value = tm[name]["cpu_ms"]
            cells += [f"{value:.2f}", f"{100 * base_tm / value:.1f} %"]
        else:
            cells += ["", ""]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--n", type=int, default=60, help="requests per endpoint under callgrind")
    parser.add_argument(
        "--time-n", type=int, default=300, help="requests per endpoint for CPU time"
    )
    parser.add_argument("--finish-n", type=int, default=16)
    parser.add_argument("--bank", type=int, default=2000, help="questions in the bank")
    parser.add_argument("--endpoints", default=",".join(ENDPOINTS))
    parser.add_argument("--no-callgrind", action="store_true", help="CPU time only")
    parser.add_argument("--no-time", action="store_true", help="instructions only")
    parser.add_argument("--aged", action="store_true", help="after a simulated day of play")
    parser.add_argument("--aged-players", type=int, default=2000)
    parser.add_argument("--profile", metavar="ENDPOINT", help="print a cProfile of one endpoint")
    parser.add_argument(
        "--profile-out", metavar="FILE", help="with --profile: also save the stats (pstats) here"
    )
    parser.add_argument("--json", metavar="FILE", help="also write the raw figures here")
    parser.add_argument(
        "--keep-callgrind",
        metavar="DIR",
        help="copy callgrind's dumps (one per endpoint) here, for callgrind_annotate",
    )
    args = parser.parse_args()
    endpoints = [e.strip() for e in args.endpoints.split(",") if e.strip()]
    unknown = set(endpoints) - set(ENDPOINTS)
    if unknown:
        parser.error(f"unknown endpoints: {', '.join(sorted(unknown))}")
    if "baseline" not in endpoints:
        endpoints.insert(0, "baseline")
    tmp = Path(tempfile.mkdtemp(prefix="hhquiz-cost-"))
    env, done = prepare(args.db, tmp, args.bank)
    try:
        history = 2
        if args.aged:
            subprocess.run(
                [
                    PY,
                    __file__,
                    "--child-age",
                    str(args.aged_players),
                    "5",
                    str(args.aged_players * 50),
                ],
                env=env,
                check=True,
                cwd=ROOT,
            )
            history = 30
        opts = {"endpoints": endpoints, "history": history, "finish_n": args.finish_n}
        if args.profile:
            run_child(
                env,
                {
                    **opts,
                    "tag": "profile",
                    "mode": "profile",
                    "profile": args.profile,
                    "profile_out": args.profile_out,
                    "n": args.time_n,
                },
                tmp,
                False,
            )
            return
        icount = timing = None
        if not args.no_callgrind:
            if not shutil.which("valgrind"):
                raise SystemExit("valgrind is not installed (or pass --no-callgrind)")
            opts_ic = {
                **opts,
                "tag": "icount",
                "mode": "icount",
                "n": args.n,
                "cglib": str(callgrind_lib(tmp)),
            }
            step("callgrind run (slow: about 50× slower than normal)")
            icount = run_child(env, opts_ic, tmp, True)
            if args.keep_callgrind:
                shutil.copytree(tmp / "cg-icount", args.keep_callgrind, dirs_exist_ok=True)
        if not args.no_time:
            timing = run_child(
                env,
                {
                    **opts,
                    "tag": "time",
                    "mode": "time",
                    "n": args.time_n,
                    "finish_n": max(args.finish_n, 40),
                },
                tmp,
                False,
            )
        label = ("PostgreSQL + Redis" if args.db == "postgres" else "SQLite") + (
            ", aged" if args.aged else ""
        )
        print(table(label, icount, timing))
        if args.json:
            Path(args.json).write_text(
                json.dumps(
                    {"db": args.db, "aged": args.aged, "icount": icount, "time": timing}, indent=1
                )
            )
    finally:
        done()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(json.loads(sys.argv[2]))
    elif len(sys.argv) > 1 and sys.argv[1] == "--child-seed":
        throwaway.setup_django({})
        from benchmarks.seed import seed_bank

        seed_bank(int(sys.argv[2]))
    elif len(sys.argv) > 1 and sys.argv[1] == "--child-age":
        age(int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]))
    else:
        main()
