"""A throwaway redis-server of the test's own, on a free port: tests may stop, hang or kill it.

The shared servers (6379 for CI, the helpers' one) are never touched.
"""

from __future__ import annotations

import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

import redis


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RedisServer:
    def __init__(self, workdir: Path):
        binary = shutil.which("redis-server")
        if binary is None:
            raise RuntimeError("needs redis-server on PATH (apt-get install redis-server)")
        self.binary = binary
        self.workdir = workdir
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [
                self.binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.workdir),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = redis.Redis.from_url(self.url, socket_connect_timeout=0.2)
        deadline = time.monotonic() + 10
        while True:
            try:
                client.ping()
                break
            except redis.exceptions.ConnectionError:
                if time.monotonic() > deadline or self.proc.poll() is not None:
                    raise RuntimeError("redis-server did not start") from None
                time.sleep(0.05)
            finally:
                client.close()

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)
        self.proc = None

    def pause(self) -> None:
        self.proc.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        self.proc.send_signal(signal.SIGCONT)

    def client(self) -> redis.Redis:
        return redis.Redis.from_url(self.url)


def point_the_app_at(server: RedisServer, settings, monkeypatch, *, leaderboard: str) -> None:
    """Configure the app as production with REDIS_URL=server (sessions, cache, counters, boards)."""
    from axes.handlers.proxy import AxesProxyHandler

    from hhquiz.env import cache_config
    from quiz import cache as quiz_cache
    from quiz.leaderboard import mirror

    settings.REDIS_URL = server.url
    settings.CACHES = cache_config({"REDIS_URL": server.url, "CACHE_KEY_PREFIX": "outage-test"})
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    settings.LEADERBOARD_BACKEND = leaderboard
    settings.LEADERBOARD_REDIS_PREFIX = "outage-test:lb"
    # Try a failed Redis again at once, so the tests need not wait, and start
    # with no memory of earlier outages.
    monkeypatch.setattr(quiz_cache, "RETRY_AFTER", 0.0)
    monkeypatch.setattr(quiz_cache, "_states", {})
    monkeypatch.setattr(mirror, "REBUILD_IN_BACKGROUND", False)
    # django-axes keeps the cache it was first given: make it take this one.
    monkeypatch.setattr(AxesProxyHandler, "implementation", None)
