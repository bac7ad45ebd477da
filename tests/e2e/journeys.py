"""Steps the browser tests share: start a quiz, answer the question on screen."""

from __future__ import annotations

import re

DESKTOP = {"viewport": {"width": 1280, "height": 800}}
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}


def start_quiz(page, base_url, *, watched="3", difficulty="easy", length="5"):
    page.goto(base_url + "/")
    page.select_option("#id_watched_through", watched)
    page.check(f"input[name=difficulty][value={difficulty}]")
    page.check(f"input[name=length][value='{length}']")
    page.click("button:text('Start quiz')")
    page.wait_for_url(re.compile(r"/quiz/[0-9a-f-]+/q/1/$"))


def answer_current(page, option: int = 0):
    """One tap on an option answers it (static/js/play.js); no Answer button needed."""
    page.locator(".options label").nth(option).click()
    page.locator(".feedback").wait_for()
