"""The leaderboard package: one public API, two backends that meet one contract."""

import inspect

import pytest

from quiz import leaderboard
from quiz.leaderboard.base import Backend
from quiz.leaderboard.database import DatabaseBackend
from quiz.leaderboard.mirror import MirroredBackend
from quiz.leaderboard.redis_backend import RedisBackend

CONTRACT = [name for name in vars(Backend) if not name.startswith("_")]


def test_the_contract_has_the_seven_operations():
    assert sorted(CONTRACT) == sorted(
        ["top", "window", "count_better", "record", "improve", "remove_player", "rebuild"]
    )


@pytest.mark.parametrize("backend", [DatabaseBackend, RedisBackend, MirroredBackend])
@pytest.mark.parametrize("name", CONTRACT)
def test_each_backend_meets_the_contract(backend, name):
    expected = list(inspect.signature(getattr(Backend, name)).parameters)
    # RedisBackend.rebuild may take extra keyword arguments with defaults.
    actual = inspect.signature(getattr(backend, name)).parameters
    assert list(actual)[: len(expected)] == expected
    assert all(p.default is not p.empty for p in list(actual.values())[len(expected) :])


def test_the_public_api_is_importable_from_the_package():
    for name in leaderboard.__all__:
        assert hasattr(leaderboard, name), name


@pytest.mark.parametrize(
    ("setting", "expected"), [("database", DatabaseBackend), ("redis", MirroredBackend)]
)
def test_the_setting_picks_the_backend(settings, redis_url, setting, expected):
    settings.LEADERBOARD_BACKEND = setting
    settings.REDIS_URL = redis_url  # a client is made, no connection
    assert isinstance(leaderboard._backend(), expected)


def test_an_unknown_backend_is_a_clear_error(settings):
    settings.LEADERBOARD_BACKEND = "memcached"
    with pytest.raises(ValueError, match="LEADERBOARD_BACKEND must be database or redis"):
        leaderboard._backend()
