"""The CSRF middleware's random strings come from one CSPRNG read per string, uniformly."""

from collections import Counter

from django.middleware import csrf
from django.middleware.csrf import CSRF_ALLOWED_CHARS, _get_new_csrf_string, get_token
from django.test import RequestFactory

from quiz import randomness


def test_the_csrf_middleware_uses_it():
    assert csrf.get_random_string is randomness.get_random_string


def test_length_and_alphabet():
    for length in (1, 32, 64, 200):
        value = randomness.get_random_string(length, CSRF_ALLOWED_CHARS)
        assert len(value) == length
        assert set(value) <= set(CSRF_ALLOWED_CHARS)
    assert len(_get_new_csrf_string()) == csrf.CSRF_SECRET_LENGTH


def test_every_character_is_about_equally_likely():
    counts = Counter(randomness.get_random_string(62 * 400, CSRF_ALLOWED_CHARS))
    assert set(counts) == set(CSRF_ALLOWED_CHARS)
    assert max(counts.values()) < 520 and min(counts.values()) > 290  # 400 expected
    # byte % 62 without rejecting bytes >= 248 would make the first 8 characters
    # 25 % likelier (5 byte values each instead of 4).
    first = sum(counts[c] for c in CSRF_ALLOWED_CHARS[:8]) / 8
    rest = sum(counts[c] for c in CSRF_ALLOWED_CHARS[8:]) / 54
    assert 0.9 < first / rest < 1.1


def test_each_response_gets_a_fresh_mask_of_the_same_secret():
    request = RequestFactory().get("/")
    first = get_token(request)
    second = get_token(request)
    assert first != second
    assert csrf._unmask_cipher_token(first) == csrf._unmask_cipher_token(second)


def test_unusual_alphabets_fall_back_to_django():
    assert len(randomness.get_random_string(10, "ab")) == 10
    assert len(randomness.get_random_string(5, "x" * 300)) == 5
