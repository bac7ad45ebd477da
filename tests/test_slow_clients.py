"""Slow clients (slowloris) against gunicorn, bare and behind the shipped nginx configuration.

20 connections each trickle one header line a second. Bare gunicorn gives each one a
thread, so its threads are all held and a health probe waits; behind nginx, which reads
whole requests before passing them on, players and probes are served at once.
"""

from __future__ import annotations

import contextlib
import socket
import statistics
import threading
import time
import urllib.request

import pytest

from tests.live_server import Gunicorn, Nginx, server_env

pytestmark = [pytest.mark.nginx, pytest.mark.django_db(transaction=True)]

SLOW_CLIENTS = 20
PROBES = 10


class Slowloris:
    """Connections that send a request's headers one line a second, never finishing."""

    def __init__(self, port: int, count: int):
        self.stop = threading.Event()
        self.sockets = []
        for _ in range(count):
            sock = socket.create_connection(("127.0.0.1", port), timeout=5)
            sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n")
            self.sockets.append(sock)
        self.thread = threading.Thread(target=self._trickle, daemon=True)
        self.thread.start()

    def _trickle(self):
        while not self.stop.wait(1.0):
            for sock in self.sockets:
                with contextlib.suppress(OSError):
                    sock.sendall(b"X-Slow: 1\r\n")

    def close(self):
        self.stop.set()
        self.thread.join(5)
        for sock in self.sockets:
            sock.close()


def _probe(base: str, timeout: float) -> float | None:
    """Seconds for a /healthz answer, or None when none came within `timeout`."""
    began = time.monotonic()
    try:
        with urllib.request.urlopen(f"{base}/healthz", timeout=timeout) as response:  # noqa: S310 - loopback
            response.read()
            return time.monotonic() - began if response.status == 200 else None
    except OSError:
        return None


def _probes_under_attack(
    port: int, base: str, timeout: float, probes: int = PROBES
) -> list[float | None]:
    attack = Slowloris(port, SLOW_CLIENTS)
    try:
        time.sleep(0.5)  # every slow connection is now being read
        return [_probe(base, timeout) for _ in range(probes)]
    finally:
        attack.close()


@pytest.fixture
def app(transactional_db):
    # As many threads as the review's set-up had per worker: 20 slow clients are more.
    gunicorn = Gunicorn(server_env(TRUSTED_PROXY_COUNT="1"), workers=1, threads=8)
    try:
        gunicorn.wait_until_up()
        yield gunicorn
    finally:
        gunicorn.stop()


def test_slow_clients_no_longer_block_players_behind_nginx(app, tmp_path):
    bare = _probes_under_attack(app.port, app.base, timeout=1.0, probes=4)
    # The defect, still there without the proxy: the probes wait for a free thread.
    assert bare.count(None) >= 2

    nginx = Nginx(tmp_path, app.port)
    try:
        nginx.wait_until_up()
        proxied = _probes_under_attack(nginx.port, nginx.base, timeout=5.0)
        with urllib.request.urlopen(f"{nginx.base}/", timeout=5) as page:  # noqa: S310 - loopback
            assert page.status == 200  # a player's page too
    finally:
        nginx.stop()

    assert None not in proxied
    assert max(proxied) < 1.0
    print(
        f"\n{SLOW_CLIENTS} slow clients: bare gunicorn {bare.count(None)}/{len(bare)} probes timed "
        f"out (1 s); behind nginx p50 {statistics.median(proxied) * 1000:.0f} ms, "
        f"max {max(proxied) * 1000:.0f} ms"
    )
