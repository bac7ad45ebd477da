"""Hand-written and compiled SQL run through Django's cursor with named placeholders.

Named parameters ("pyformat": %(p0)s, %(p1)s, ...) rather than the ORM's %s:
Django's SQLite cursor turns %s into ? with a regular expression run over the
whole statement on every execute (a sixth of a question page's instructions
went to it for the item's long SELECT), named ones with one C-level % format.
PostgreSQL's driver takes either. Used by quiz.prepared (compiled QuerySets)
and quiz.cache.CounterCache (the rate-limit counters' upserts).
"""

from __future__ import annotations

import itertools
import re

NAMES = tuple(f"p{i}" for i in range(64))
_QMARK = re.compile(r"(?<!%)%s")


def named_placeholders(sql: str, count: int) -> str:
    """`sql` with its `count` %s placeholders named p0, p1, ... in order."""
    if count > len(NAMES):
        raise ValueError(f"{count} parameters: at most {len(NAMES)}")
    names = itertools.count()
    named, found = _QMARK.subn(lambda _: f"%(p{next(names)})s", sql)
    if found != count:
        raise ValueError(f"{found} placeholders for {count} parameters")
    return named


def named_params(params) -> dict:
    """The parameters for named_placeholders' SQL, in order."""
    return dict(zip(NAMES, params, strict=False))
