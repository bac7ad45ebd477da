"""Production headers and configuration: check --deploy, CSP, HSTS, COOP, frames, referrer."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.playing import latest_attempt, make_bank, question_url

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parent.parent


def test_check_deploy_is_clean_in_production_mode():
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": "test-only-" + "k" * 60,
        "ALLOWED_HOSTS": "quiz.example.org",
        "DATABASE_URL": "",
        "REDIS_URL": "",
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_mode_refuses_to_start_without_secret_key():
    env = {**os.environ, "DEBUG": "0", "SECRET_KEY": "", "ALLOWED_HOSTS": "x"}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_strict_content_security_policy(client):
    csp = client.get("/")["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";") if d.strip())
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'"  # no nonce: no inline script can run
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'"


def test_no_inline_script_or_style_in_pages(client):
    html = client.get("/").content.decode()
    assert "<style" not in html
    assert " style=" not in html
    for chunk in html.split("<script")[1:]:
        assert chunk.lstrip().startswith("src=") or " src=" in chunk.split(">")[0]


def test_security_headers(client, settings):
    settings.SECURE_SSL_REDIRECT = False
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_HSTS_PRELOAD = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    response = client.get("/", headers={"X-Forwarded-Proto": "https"})
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"


def test_ssl_redirect_behind_proxy(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    assert client.get("/").status_code == 301
    assert client.get("/", headers={"X-Forwarded-Proto": "https"}).status_code == 200
    assert client.get("/healthz").status_code == 200


def test_client_ip_ignores_forwarded_for_unless_proxies_are_trusted(rf, settings):
    from hhquiz.proxies import client_ip

    request = rf.get("/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.9")
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(request) == "10.0.0.5"
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip(request) == "203.0.113.9"
    settings.TRUSTED_PROXY_COUNT = 2
    assert client_ip(request) == "6.6.6.6"


def test_no_page_carries_a_nonce_and_every_script_is_loaded_from_this_site(client):
    """Every script is a file under script-src 'self', htmx's included: no response
    makes a CSP nonce, so the policy has none and an injected inline script, or
    one with a guessed nonce, cannot run."""
    make_bank(10)
    pages = ["/", "/leaderboard/", "/accounts/login/", "/accounts/signup/"]
    client.post(
        "/quiz/start/", {"watched_through": 6, "difficulty": "easy", "length": 5, "category": ""}
    )
    pages.append(question_url(latest_attempt(), 1))
    for page in pages:
        response = client.get(page)
        assert response.status_code == 200, page
        html = response.content.decode()
        assert "nonce" not in response["Content-Security-Policy"], page
        assert "nonce" not in html, page
        scripts = re.findall(r"<script\b[^>]*>", html)
        assert scripts and all(re.search(r' src="/static/[^"]+"', tag) for tag in scripts), page
