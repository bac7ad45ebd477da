"""Two app servers share the API's state: tokens in the database, the rate limit in Redis.

Uses the two gunicorn processes of tests/test_scale_out.py (PostgreSQL + Redis,
the API's default rate limit of one api.php request per address every 5 s).
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest

from tests.factories import QuestionFactory
from tests.test_scale_out import servers  # noqa: F401 - the fixture

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db(transaction=True)]


def get(base: str, path: str) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(f"{base}/api/{path}", timeout=10) as response:  # noqa: S310 - loopback
            return response.status, json.load(response)
    except urllib.error.HTTPError as exc:
        return exc.code, json.load(exc)


def test_a_token_and_the_rate_limit_hold_across_processes(servers):  # noqa: F811
    for _ in range(3):
        QuestionFactory()
    first, second = servers
    status, made = get(first, "api_token.php?command=request")
    assert status == 200 and made["response_code"] == 0
    token = made["token"]

    status, data = get(second, f"api.php?amount=2&token={token}")
    assert (status, data["response_code"], len(data["results"])) == (200, 0, 2)

    # The same address, the other process, inside the 5 s window: refused.
    status, data = get(first, f"api.php?amount=1&token={token}")
    assert (status, data) == (429, {"response_code": 5, "results": []})

    status, reset = get(first, f"api_token.php?command=reset&token={token}")
    assert (status, reset) == (200, {"response_code": 0, "token": token})
