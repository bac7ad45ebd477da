"""README screenshots, made from the running app so they stay true (`make screenshots`).

Builds a throwaway SQLite database with the generated bank and a small
leaderboard, serves it with `manage.py runserver` on a free port, and has
Chromium (Playwright) play a quiz on a desktop and a phone, in the light and
the dark theme. Writes docs/screenshots/<page>-<device>-<theme>.png.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
DEVICES = ("desktop", "phone")
THEMES = ("light", "dark")


def context_options(device: str, theme: str) -> dict:
    options = {"color_scheme": theme, "reduced_motion": "reduce"}
    if device == "phone":
        return options | {
            "viewport": {"width": 390, "height": 844},
            "is_mobile": True,
            "has_touch": True,
        }
    return options | {"viewport": {"width": 1280, "height": 860}}


def manage(env, *args):
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True)  # noqa: S603 - our own manage.py


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_up(url: str) -> None:
    for _ in range(100):
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=2):  # noqa: S310 - http://127.0.0.1
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"the server at {url} did not start")


def shoot(browser, url: str, device: str, theme: str) -> list[Path]:
    context = browser.new_context(**context_options(device, theme))
    page = context.new_page()
    written = []

    def snap(name):
        path = OUT / f"{name}-{device}-{theme}.png"
        page.screenshot(path=str(path))
        written.append(path)

    page.goto(url + "/")
    page.select_option("#id_watched_through", "3")
    page.check("input[name=difficulty][value=medium]")
    page.check("input[name=length][value='5']")
    snap("home")
    page.click("button:text('Start quiz')")
    page.wait_for_url(re.compile(r"/q/1/$"))
    snap("question")
    for number in range(1, 6):
        # One tap answers where static/js/play.js turns it on (choosing an
        # option submits it); elsewhere the Answer button does.
        page.locator("label:has(input[name=option])").first.click()
        try:
            page.locator(".feedback").wait_for(timeout=3000)
        except PlaywrightTimeout:
            page.click("button:text('Answer')")
            page.locator(".feedback").wait_for()
        if number == 1:
            snap("feedback")
        if number < 5:
            page.click("text=Next question")
            page.wait_for_url(re.compile(rf"/q/{number + 1}/$"))
    page.click("text=See your results")
    page.wait_for_url(re.compile(r"/results/$"))
    snap("results")
    page.goto(url + "/leaderboard/?period=all&length=10&difficulty=mixed&watched=6&timed=0")
    snap("leaderboard")
    context.close()
    return written


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        env = {
            **os.environ,
            "DEBUG": "1",
            "DATABASE_URL": f"sqlite:///{tmp}/screenshots.sqlite3",
            "REDIS_URL": "",
            "CACHE_URL": "",
        }
        manage(env, "migrate", "--noinput", "-v0")
        manage(env, "createcachetable")
        manage(env, "setup_bank")
        manage(
            env, "generate_leaderboard_data", "--players", "40", "--attempts", "200", "--seed", "7"
        )
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        server = subprocess.Popen(  # noqa: S603 - our own manage.py
            [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            wait_until_up(url)
            with sync_playwright() as p:
                browser = p.chromium.launch(
                    executable_path=CHROMIUM,
                    args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
                )
                written = [
                    path
                    for device in DEVICES
                    for theme in THEMES
                    for path in shoot(browser, url, device, theme)
                ]
                browser.close()
        finally:
            server.terminate()
            server.wait(timeout=10)
    for path in written:
        print(path.relative_to(ROOT))


if __name__ == "__main__":
    main()
