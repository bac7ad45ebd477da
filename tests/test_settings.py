"""Settings parsed from the environment: DATABASE_URL, REDIS_URL and friends."""

from pathlib import Path

import pytest

from hhquiz.env import cache_config, database_config, env_bool, env_int, env_list


def test_database_defaults_to_sqlite_file_with_wal_and_immediate(tmp_path: Path):
    config = database_config({}, tmp_path)
    assert config["ENGINE"] == "quiz.backends.sqlite3"
    assert config["NAME"] == str(tmp_path / "db.sqlite3")
    assert config["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert "journal_mode=WAL" in config["OPTIONS"]["init_command"]
    assert config["TEST"]["NAME"].endswith(".sqlite3") and "test_db" in config["TEST"]["NAME"]


def test_database_url_postgres(tmp_path: Path):
    config = database_config(
        {"DATABASE_URL": "postgres://quiz:s3cret@db.internal:5433/hhquiz", "CONN_MAX_AGE": "30"},
        tmp_path,
    )
    assert config["ENGINE"] == "quiz.backends.postgresql"
    assert (config["HOST"], config["PORT"], config["NAME"]) == ("db.internal", 5433, "hhquiz")
    assert (config["USER"], config["PASSWORD"]) == ("quiz", "s3cret")
    assert config["CONN_MAX_AGE"] == 30
    assert config["CONN_HEALTH_CHECKS"] is True
    # Server-side binding with statements prepared on their second run.
    assert config["OPTIONS"]["server_side_binding"] is True
    assert config["OPTIONS"]["prepare_threshold"] == 2


def test_prepared_statements_can_be_turned_off_for_a_pooler(tmp_path: Path):
    config = database_config(
        {"DATABASE_URL": "postgres://db.internal/hhquiz", "DATABASE_PREPARED_STATEMENTS": "0"},
        tmp_path,
    )
    assert "server_side_binding" not in config.get("OPTIONS", {})
    assert "prepare_threshold" not in config.get("OPTIONS", {})


def test_database_url_rejects_unsupported_engine(tmp_path: Path):
    with pytest.raises(ValueError, match="sqlite:// or postgres://"):
        database_config({"DATABASE_URL": "mysql://root@localhost/db"}, tmp_path)


def test_cache_without_redis_is_shared_database_cache():
    config = cache_config({})
    assert config["default"]["BACKEND"] == "django.core.cache.backends.db.DatabaseCache"


def test_cache_with_redis_url_uses_redis():
    config = cache_config({"REDIS_URL": "redis://127.0.0.1:6379/2"})
    assert config["default"]["BACKEND"] == "quiz.cache.ResilientRedisCache"
    assert config["default"]["LOCATION"] == "redis://127.0.0.1:6379/2"
    # Bounded waits on a hung Redis, and counters that fall back to the database.
    assert config["default"]["OPTIONS"]["socket_timeout"] == 0.5
    assert config["ratelimit"]["OPTIONS"]["FALLBACK"] == "ratelimit-db"
    assert config["ratelimit-db"]["BACKEND"] == "quiz.cache.CounterCache"


def test_counters_without_redis_live_in_the_database():
    assert cache_config({})["ratelimit"]["BACKEND"] == "quiz.cache.CounterCache"


def test_cache_rejects_malformed_redis_url():
    with pytest.raises(ValueError, match="REDIS_URL"):
        cache_config({"REDIS_URL": "localhost:6379"})


@pytest.mark.parametrize(
    ("raw", "expected"), [("1", True), ("true", True), ("ON", True), ("0", False), ("no", False)]
)
def test_env_bool(raw, expected):
    assert env_bool({"X": raw}, "X", not expected) is expected


def test_env_bool_rejects_garbage():
    with pytest.raises(ValueError, match="X must be one of"):
        env_bool({"X": "maybe"}, "X", False)


def test_env_int_and_list():
    assert env_int({}, "N", 7) == 7
    assert env_int({"N": "12"}, "N", 7) == 12
    with pytest.raises(ValueError, match="whole number"):
        env_int({"N": "twelve"}, "N", 7)
    assert env_list({"H": "a.example, b.example,,"}, "H", []) == ["a.example", "b.example"]
    assert env_list({}, "H", ["x"]) == ["x"]
