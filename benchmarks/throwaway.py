"""Throwaway databases for the benchmarks: a SQLite file in a temp folder, or a
fresh PostgreSQL database beside the one DATABASE_URL names. Never the real one."""

from __future__ import annotations

import os
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent


def _with_db(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, parts.fragment))


def _admin_connect(url: str):
    import psycopg

    return psycopg.connect(
        _with_db(url, "postgres").replace("postgres://", "postgresql://", 1), autocommit=True
    )


def create_postgres(url: str, prefix: str) -> tuple[str, str]:
    """CREATE DATABASE <prefix>_<random> on DATABASE_URL's server; returns (name, url)."""
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    with _admin_connect(url) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return name, _with_db(url, name)


def drop_postgres(url: str, name: str) -> None:
    with _admin_connect(url) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def setup_django(env: dict[str, str]) -> None:
    """Configure Django in this process for `env` (DATABASE_URL, REDIS_URL...)."""
    import sys

    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hhquiz.settings")
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import django

    django.setup()
