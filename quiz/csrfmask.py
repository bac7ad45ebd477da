"""Django's CSRF token masking, with lookup tables instead of per-character index searches.

Every page with a form carries the CSRF secret masked afresh (against BREACH):
Django's _mask_cipher_secret() finds each character of the secret and of the
mask with str.index() in a generator and adds them modulo 62; every POST
unmasks the submitted token the same way. Measured with benchmarks/cost.py:
the htmx question page 3.56 -> 3.51 M instructions, the answer 4.51 -> 4.45 M
(one unmask and one mask). The functions below compute exactly the same
thing (tests/test_csrf_masking.py checks them against Django's for random
secrets and masks) with one table look-up per character, in C (map over zip).

Installed into django.middleware.csrf by quiz.apps, like quiz.randomness.
Both run only on strings the middleware has already checked to be made of
CSRF_ALLOWED_CHARS (a foreign character raises KeyError here, ValueError in
Django's: neither is reached).
"""

from __future__ import annotations

from django.middleware import csrf

_CHARS = csrf.CSRF_ALLOWED_CHARS
_N = len(_CHARS)
# (secret character, mask character) -> cipher character, and back.
_ADD = {(s, m): _CHARS[(i + j) % _N] for i, s in enumerate(_CHARS) for j, m in enumerate(_CHARS)}
_SUB = {(c, m): _CHARS[(i - j) % _N] for i, c in enumerate(_CHARS) for j, m in enumerate(_CHARS)}


def mask_cipher_secret(secret: str) -> str:
    """Django's _mask_cipher_secret(): a new mask, then the secret added to it character by character."""
    mask = csrf._get_new_csrf_string()
    return mask + "".join(map(_ADD.__getitem__, zip(secret, mask, strict=True)))


def unmask_cipher_token(token: str) -> str:
    """Django's _unmask_cipher_token(): the first half is the mask, subtracted from the second."""
    mask, cipher = token[: csrf.CSRF_SECRET_LENGTH], token[csrf.CSRF_SECRET_LENGTH :]
    return "".join(map(_SUB.__getitem__, zip(cipher, mask, strict=False)))


# Django's own functions, kept when install() replaces them (the tests compare against them).
django_functions: dict[str, object] = {}


def install() -> None:
    for name, ours in (
        ("_mask_cipher_secret", mask_cipher_secret),
        ("_unmask_cipher_token", unmask_cipher_token),
    ):
        current = getattr(csrf, name)
        if current is not ours:
            django_functions[name] = current
            setattr(csrf, name, ours)
