"""Real gunicorn servers on the test database, and a browser-like client for them.

The servers share the test database (the test must commit: transaction=True)
and whatever Redis the test gives them. Used by the scale-out, resilience,
limits and slow-client tests.
"""

from __future__ import annotations

import http.cookiejar
import os
import re
import secrets
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from django.db import connection

from tests.redis_server import free_port

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = Path(sys.executable).parent / "gunicorn"
CSRF_INPUT_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
OPTION_RE = re.compile(r'name="option" value="([^"]+)"')


def database_url() -> str:
    """DATABASE_URL of the test database, for another process."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{Path(db['NAME']).resolve()}"
    user = urllib.parse.quote(db["USER"] or "", safe="")
    password = urllib.parse.quote(db["PASSWORD"] or "", safe="")
    auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    return f"postgres://{auth}{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def server_env(**extra: str) -> dict[str, str]:
    if not extra.get("REDIS_URL"):
        _create_cache_table()
    return {
        **os.environ,
        "DATABASE_URL": database_url(),
        "REDIS_URL": "",
        # DEBUG=1 only spares a collectstatic run (production static storage
        # needs its manifest); nothing here depends on it.
        "DEBUG": "1",
        "SECRET_KEY": f"live-server-test-{secrets.token_urlsafe(40)}",
        "LOG_LEVEL": "WARNING",
        # Connections closed after each request: the test database is dropped
        # right after the test and must have no sessions left open.
        "CONN_MAX_AGE": "0",
        **extra,
    }


def _create_cache_table() -> None:
    """A server without Redis caches in the database; the test database may lack the table
    (it is created for the test process's own CACHES, which may be Redis)."""
    from django.core.management import call_command
    from django.test import override_settings

    from hhquiz.env import cache_config

    with override_settings(CACHES=cache_config({})):
        call_command("createcachetable", verbosity=0)


class Gunicorn:
    """One gunicorn (gthread) server on a free port."""

    def __init__(self, env: dict[str, str], workers: int = 1, threads: int = 2, port: int = 0):
        self.port = port or free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.proc = subprocess.Popen(
            [
                str(GUNICORN),
                "hhquiz.wsgi:application",
                f"--bind=127.0.0.1:{self.port}",
                "--worker-class=gthread",
                f"--workers={workers}",
                f"--threads={threads}",
                "--log-level=warning",
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )

    def wait_until_up(self) -> None:
        wait_until_healthy(self.proc, self.base, "gunicorn")

    def stop(self) -> str:
        """Stop the server; returns what it wrote to stderr."""
        return stop_process(self.proc)


def wait_until_healthy(proc: subprocess.Popen, base: str, name: str) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"{name} exited: {proc.stderr.read().decode()[-2000:]}")
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=2) as response:  # noqa: S310 - loopback
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    pytest.fail(f"{name} on {base} did not come up")


def stop_process(proc: subprocess.Popen) -> str:
    """Stop a process started in its own session; returns what it wrote to stderr."""
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    log = proc.stderr.read().decode(errors="replace")
    proc.stderr.close()
    return log


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """One browser: one cookie jar, whatever server answers (cookies ignore the port)."""

    def __init__(self):
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect
        )

    def csrf_cookie(self) -> str:
        return next(c.value for c in self.jar if c.name == "csrftoken")

    def request(self, base: str, path: str, data: dict | None = None, htmx: bool = False):
        headers = {"HX-Request": "true"} if htmx else {}
        body = None
        if data is not None:
            body = urllib.parse.urlencode(data).encode()
            headers["X-CSRFToken"] = self.csrf_cookie()
        request = urllib.request.Request(base + path, data=body, headers=headers)  # noqa: S310 - loopback
        try:
            with self.opener.open(request, timeout=20) as response:
                return (
                    response.status,
                    response.read().decode(),
                    response.headers.get("Location", ""),
                )
        except urllib.error.HTTPError as exc:
            with exc:
                return exc.code, exc.read().decode(), exc.headers.get("Location", "")

    def log_in(self, base: str, username: str, password: str) -> None:
        status, html, _ = self.request(base, "/accounts/login/")
        assert status == 200
        token = CSRF_INPUT_RE.search(html).group(1)
        status, _, _ = self.request(
            base,
            "/accounts/login/",
            {"username": username, "password": password, "csrfmiddlewaretoken": token},
        )
        assert status == 302, "login failed"

    def start_quiz(self, base: str, difficulty: str = "easy", length: int = 5):
        """(status, Location) of a quiz start from the home page's form."""
        status, html, _ = self.request(base, "/")
        assert status == 200
        form = {
            "watched_through": 6,
            "difficulty": difficulty,
            "length": length,
            "category": "",
            "csrfmiddlewaretoken": CSRF_INPUT_RE.search(html).group(1),
        }
        status, _, location = self.request(base, "/quiz/start/", form)
        return status, location


def give_real_password(user, password: str) -> None:
    """The servers run production hashers; the test process hashes with MD5 for speed."""
    from django.contrib.auth.hashers import PBKDF2PasswordHasher

    hasher = PBKDF2PasswordHasher()
    user.password = hasher.encode(password, hasher.salt())
    user.save(update_fields=["password"])


SHIPPED_NGINX_CONF = ROOT / "deploy" / "nginx" / "hhquiz.conf"


class Nginx:
    """Debian's nginx running the shipped site configuration, pointed at `upstream_port`."""

    def __init__(self, workdir: Path, upstream_port: int):
        import shutil

        binary = shutil.which("nginx") or "/usr/sbin/nginx"
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        site = SHIPPED_NGINX_CONF.read_text()
        for shipped, ours in (
            ("server 127.0.0.1:8000;", f"server 127.0.0.1:{upstream_port};"),
            ("listen 80;", f"listen 127.0.0.1:{self.port};"),
        ):
            assert shipped in site, f"{SHIPPED_NGINX_CONF} no longer has {shipped!r}"
            site = site.replace(shipped, ours)
        (workdir / "site.conf").write_text(site)
        temp = "\n".join(
            f"{kind}_temp_path {workdir / kind};"
            for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
        )
        user = "user root;" if os.geteuid() == 0 else ""
        (workdir / "nginx.conf").write_text(
            f"""{user}
worker_processes 1;
daemon off;
pid {workdir / "nginx.pid"};
error_log {workdir / "error.log"} warn;
events {{ worker_connections 512; }}
http {{
    access_log off;
    {temp}
    include {workdir / "site.conf"};
}}
"""
        )
        self.proc = subprocess.Popen(
            [binary, "-p", str(workdir), "-c", str(workdir / "nginx.conf")],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
        self.workdir = workdir

    def wait_until_up(self) -> None:
        wait_until_healthy(self.proc, self.base, "nginx")

    def stop(self) -> None:
        stop_process(self.proc)
