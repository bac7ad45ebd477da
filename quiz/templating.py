"""What the templates call (Jinja2 globals and filters; the environment is hhquiz.templating).

`url()` and `static()` give the output of Django's reverse() and static(),
caching the result (a page header alone made 14 such calls per request):
- a URL whose arguments are all UUIDs or non-negative integers (or none), as a
  pattern per view name, script prefix, URLconf and current app: reverse() once
  with stand-in values, then the real values are put in their place (both
  converters write str(value)); keyword arguments and anything else go to
  reverse() every time;
- a static URL per path, script prefix and STATIC_URL.
`memo()` renders a fragment once per process and key. tests/test_templating.py
pins all three to Django's output.
"""

from __future__ import annotations

import contextvars
import datetime
import uuid

from django.conf import settings
from django.template import defaultfilters
from django.templatetags.static import static as django_static
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.timezone import template_localtime
from django_htmx.jinja import htmx_script as django_htmx_script
from markupsafe import Markup

# Stand-in values: valid for the uuid and int converters, and unlikely in a real URL.
_STAND_IN = {
    uuid.UUID: [uuid.UUID(f"0ddba11c-0ffe-4e0f-8bad-{i:012x}") for i in range(4)],
    int: [9_876_543_210 + i for i in range(4)],
}
_patterns: dict[tuple, tuple[str, ...] | None] = {}
_UNSEEN = object()
_static: dict[tuple, str] = {}


def _kind(value):
    if type(value) is uuid.UUID:
        return uuid.UUID
    if type(value) is int and value >= 0:
        return int
    return None


_UNSET = object()


def _current_app(request) -> str | None:
    """As Django's {% url %}: the request's current_app, else its resolved namespace.

    Read from the request's attributes (vars): a missing attribute read with
    getattr raises and catches an AttributeError, on every render."""
    if request is None:
        return None
    attributes = vars(request)
    current_app = attributes.get("current_app", _UNSET)
    if current_app is not _UNSET:
        return current_app
    match = attributes.get("resolver_match")
    return getattr(match, "namespace", None)


def _pattern(view_name: str, kinds: tuple, env: tuple) -> tuple[str, ...] | None:
    """The URL split around its arguments, or None when it cannot be cached."""
    key = (view_name, kinds, env)
    try:
        return _patterns[key]
    except KeyError:
        pass
    used = {kind: 0 for kind in _STAND_IN}
    stand_ins = []
    for kind in kinds:
        stand_ins.append(_STAND_IN[kind][used[kind]])
        used[kind] += 1
    text = reverse(view_name, args=stand_ins, current_app=env[2])
    pieces = []
    for value in map(str, stand_ins):
        head, sep, text = text.partition(value)
        if not sep or value in text:
            pieces = None
            break
        pieces.append(head)
    pattern = None if pieces is None else (*pieces, text)
    _patterns[key] = pattern
    return pattern


def url_env(request) -> tuple:
    """(script prefix, URLconf, current app) for url(): worked out once per render
    (hhquiz.templating sets it in RENDERING for the render's duration); each part
    is a thread- or context-local read, dearer than the cached URL itself."""
    # With a request, its own: Django's handler sets get_urlconf() to request.urlconf
    # when a middleware gave one, else to ROOT_URLCONF (reading the thread-local
    # raised and caught an AttributeError inside asgiref on every render).
    urlconf = get_urlconf() if request is None else vars(request).get("urlconf")
    return (get_script_prefix(), urlconf or settings.ROOT_URLCONF, _current_app(request))


# The url_env of the template being rendered in this thread (or task). Not a context
# variable of the template: url() would then need the template's context, and
# Jinja2 calls such a function, inside a block that has set a variable, with a
# copy of the whole context made for that call (about 25,000 instructions each).
RENDERING: contextvars.ContextVar[tuple | None] = contextvars.ContextVar("url_env", default=None)


def url(view_name: str, *args, **kwargs) -> str:
    """reverse(view_name, args=args or kwargs=kwargs), as Django's {% url %} (raises NoReverseMatch)."""
    env = RENDERING.get() or url_env(None)
    if kwargs or len(args) > 4:
        return reverse(view_name, args=args or None, kwargs=kwargs or None, current_app=env[2])
    kinds = tuple(map(_kind, args)) if args else ()
    if None in kinds:
        return reverse(view_name, args=args, current_app=env[2])
    pattern = _patterns.get((view_name, kinds, env), _UNSEEN)
    if pattern is _UNSEEN:
        pattern = _pattern(view_name, kinds, env)
    if pattern is None:
        return reverse(view_name, args=args, current_app=env[2])
    if not args:
        return pattern[0]
    link = pattern[0]
    for value, piece in zip(args, pattern[1:], strict=True):
        link += str(value) + piece
    return link


def static(path: str) -> str:
    """Django's static(path), cached per path, script prefix and STATIC_URL."""
    key = (path, get_script_prefix(), settings.STATIC_URL)
    try:
        return _static[key]
    except KeyError:
        value = _static[key] = django_static(path)
        return value


MEMO_ENTRIES = 512
_memo: dict[tuple, Markup] = {}


def memo(name: str, *key, caller) -> Markup:
    """`{% call memo("nav", signed_in) %}…{% endcall %}`: the block rendered once per
    process for each (name, key, script prefix), then its HTML reused.

    For fragments that are a pure function of their key, such as links that
    depend only on whether the visitor is signed in. A key of None renders
    the block every time (an unbound form's `memo_key` is None once bound). `name` names the fragment
    and must be unique in the project. Never put a CSRF token, a CSP nonce or
    anything else per request inside.
    """
    if None in key:  # a key of None renders every time (a bound form: the visitor's input)
        return caller()
    # The script prefix too: URLs inside the block depend on it.
    env = RENDERING.get()
    memo_key = (name, key, env[0] if env else get_script_prefix())
    try:
        # Least recently used first: a hit moves to the end (dicts keep insertion
        # order), so keys a visitor makes up (?category=anything) push out cold
        # fragments, never the ones every page uses.
        html = _memo[memo_key] = _memo.pop(memo_key)
        return html
    except KeyError:
        pass
    html = caller()  # Markup: the block's output, escaped as it was rendered
    while len(_memo) >= MEMO_ENTRIES:
        try:
            del _memo[next(iter(_memo))]
        except (KeyError, RuntimeError, StopIteration):  # another thread got there first
            break
    _memo[memo_key] = html
    return html


_htmx_tags: dict[tuple, str] = {}


def htmx_script() -> str:
    """django-htmx's script tag (a SafeString), without a nonce: loaded as the page's
    other scripts are, under the policy's script-src 'self'.

    No page carries a CSP nonce, so Django leaves it out of the policy and no
    inline script can run at all; making one per response (and django-htmx's
    tag with it) cost a full page 0.09 M instructions. The tag is worked out
    once per script prefix, STATIC_URL and DEBUG (django-htmx looks the static
    URL up and formats the tag on every call). tests/test_templating.py pins it
    to django-htmx's own output.
    """
    key = (get_script_prefix(), settings.STATIC_URL, settings.DEBUG)
    try:
        return _htmx_tags[key]
    except KeyError:
        tag = _htmx_tags[key] = django_htmx_script()
        return tag


def date(value, arg=None):
    """Django's |date, in the current time zone as Django's engine gives it."""
    if isinstance(value, datetime.datetime):
        value = template_localtime(value)
    return defaultfilters.date(value, arg)


def default(value, arg):
    """Django's |default: any false value (Jinja2's own only replaces undefined ones)."""
    return value or arg


GLOBALS = {"url": url, "static": static, "memo": memo, "htmx_script": htmx_script}

FILTERS = {
    "date": date,
    "default": default,
    "floatformat": defaultfilters.floatformat,
    "pluralize": defaultfilters.pluralize,
    "capfirst": defaultfilters.capfirst,
    "default_if_none": defaultfilters.default_if_none,
    "stringformat": defaultfilters.stringformat,
    "urlencode": defaultfilters.urlencode,
    "yesno": defaultfilters.yesno,
    "add": defaultfilters.add,
}
