"""quiz.csrfmask computes Django's CSRF masking exactly, and the middleware uses it."""

import pytest
from django.middleware import csrf
from hypothesis import given, settings
from hypothesis import strategies as st

from quiz import csrfmask

DJANGO_MASK = csrfmask.django_functions["_mask_cipher_secret"]
DJANGO_UNMASK = csrfmask.django_functions["_unmask_cipher_token"]
SECRETS = st.text(alphabet=csrf.CSRF_ALLOWED_CHARS, min_size=32, max_size=32)


def test_the_middleware_uses_the_tables_and_django_s_are_kept():
    assert csrf._mask_cipher_secret is csrfmask.mask_cipher_secret
    assert csrf._unmask_cipher_token is csrfmask.unmask_cipher_token
    assert DJANGO_MASK.__module__ == DJANGO_UNMASK.__module__ == "django.middleware.csrf"


@settings(max_examples=300, deadline=None)
@given(secret=SECRETS, mask=SECRETS)
def test_mask_is_djangos(secret, mask):
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(csrf, "_get_new_csrf_string", lambda: mask)
        ours = csrfmask.mask_cipher_secret(secret)
        theirs = DJANGO_MASK(secret)
    assert ours == theirs
    assert csrfmask.unmask_cipher_token(ours) == DJANGO_UNMASK(theirs) == secret


@settings(max_examples=300, deadline=None)
@given(token=st.text(alphabet=csrf.CSRF_ALLOWED_CHARS, min_size=64, max_size=64))
def test_unmask_is_djangos_for_any_token(token):
    assert csrfmask.unmask_cipher_token(token) == DJANGO_UNMASK(token)


def test_each_mask_is_new_and_unmasks_to_the_secret():
    secret = csrf._get_new_csrf_string()
    tokens = {csrfmask.mask_cipher_secret(secret) for _ in range(50)}
    assert len(tokens) == 50
    assert {csrfmask.unmask_cipher_token(t) for t in tokens} == {secret}
