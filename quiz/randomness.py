"""A random string from one read of the operating system's CSPRNG.

Django's get_random_string() draws each character with secrets.choice(),
one os.urandom() call per character: about 0.7 million instructions for the
32-character mask the CSRF middleware draws on every page that shows a form
(the token is masked afresh per response, against BREACH), an eighth of a
question page. This draws the same thing, uniform over the alphabet from the
same source, with one os.urandom() call: bytes at or above the largest multiple
of the alphabet's size are rejected, so every character stays equally likely.

Installed for django.middleware.csrf only (quiz.apps), where the alphabet is
62 letters and digits.
"""

from __future__ import annotations

import os

from django.utils.crypto import RANDOM_STRING_CHARS
from django.utils.crypto import get_random_string as django_get_random_string


def get_random_string(length: int, allowed_chars: str = RANDOM_STRING_CHARS) -> str:
    size = len(allowed_chars)
    if not 1 < size <= 256:
        return django_get_random_string(length, allowed_chars)
    limit = 256 - 256 % size
    chars: list[str] = []
    while len(chars) < length:
        # Enough bytes that one read nearly always suffices.
        for byte in os.urandom(length + length // 4 + 8):
            if byte < limit:
                chars.append(allowed_chars[byte % size])
                if len(chars) == length:
                    break
    return "".join(chars)


def install() -> None:
    """Use it for the CSRF secret and its per-response masks."""
    from django.middleware import csrf

    csrf.get_random_string = get_random_string
