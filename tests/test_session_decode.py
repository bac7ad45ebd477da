"""A session row's signature is checked once per distinct string (quiz.sessions.VerifiedDecode)."""

import pytest
from django.contrib.sessions.backends.db import SessionStore as DjangoStore
from django.test import override_settings

from quiz.sessions import _verified
from quiz.sessions.cached_db import SessionStore as CachedStore
from quiz.sessions.db import SessionStore

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _forget():
    _verified.clear()
    yield
    _verified.clear()


def _encoded(data: dict) -> str:
    return DjangoStore().encode(data)


@pytest.mark.parametrize("store", [SessionStore, CachedStore])
def test_decode_is_djangos_and_each_read_gets_its_own_dict(store):
    data = {"_auth_user_id": "7", "attempts": [1, 2], "nested": {"a": "b"}}
    raw = _encoded(data)
    first = store().decode(raw)
    assert first == data
    first["attempts"].append(3)
    first["nested"]["a"] = "changed"
    second = store().decode(raw)
    assert second == data  # the first reader's changes are not seen
    assert len(_verified) == 1


def test_a_tampered_string_is_refused_every_time():
    raw = _encoded({"_auth_user_id": "7"})
    body, sig = raw.rsplit(":", 1)
    forged = f"{body}:{'A' * len(sig)}"
    assert SessionStore().decode(forged) == {}
    assert not _verified
    assert SessionStore().decode(forged) == {}
    assert SessionStore().decode(raw) == {"_auth_user_id": "7"}


def test_a_verdict_does_not_outlive_its_key():
    raw = _encoded({"_auth_user_id": "7"})
    assert SessionStore().decode(raw) == {"_auth_user_id": "7"}
    with override_settings(SECRET_KEY="another-secret-key-" + "x" * 40, SECRET_KEY_FALLBACKS=[]):
        assert SessionStore().decode(raw) == {}
    assert SessionStore().decode(raw) == {"_auth_user_id": "7"}


def test_the_cache_is_bounded(monkeypatch):
    monkeypatch.setattr("quiz.sessions.VERIFIED_ENTRIES", 3)
    for i in range(7):
        assert SessionStore().decode(_encoded({"n": i})) == {"n": i}
        assert len(_verified) <= 3
