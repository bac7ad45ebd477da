"""Template tags that remember what they computed (a builtin of this project's templates): {% url %}, {% static %}, {% memo %}.

Django's {% url %} runs reverse() on every render and {% static %} asks the
storage (the manifest) every time: a page header alone made 14 such calls per
request. These are the same tags, with the same output, caching the result:
- a URL without arguments, per script prefix, URLconf and current app;
- a URL whose arguments are all UUIDs or non-negative integers, as a pattern
  per view name (reverse() once with stand-in values, then the real values
  are put in their place: both converters write str(value));
- a static URL per path and script prefix.
Anything else (keyword arguments, other argument types) is Django's tag
unchanged. tests/test_cached_tags.py pins the output to reverse() and static().
"""

from __future__ import annotations

import uuid

from django import template
from django.conf import settings
from django.template.defaulttags import URLNode
from django.template.defaulttags import url as django_url
from django.templatetags.static import StaticNode
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils.html import conditional_escape

register = template.Library()

# Stand-in values: valid for the uuid and int converters, and unlikely in a real URL.
_STAND_IN = {
    uuid.UUID: [uuid.UUID(f"0ddba11c-0ffe-4e0f-8bad-{i:012x}") for i in range(4)],
    int: [9_876_543_210 + i for i in range(4)],
}
_patterns: dict[tuple, tuple[str, ...] | None] = {}
_static: dict[tuple, str] = {}


def _kind(value):
    if type(value) is uuid.UUID:
        return uuid.UUID
    if type(value) is int and value >= 0:
        return int
    return None


_ENV = object()


def _env(context) -> tuple:
    """(script prefix, URLconf, current app) of this render, looked up once per render:
    each is a context-local read, dearer than the cached URL itself."""
    render_context = context.render_context
    env = render_context.get(_ENV)
    if env is None:
        try:
            current_app = context.request.current_app
        except AttributeError:
            try:
                current_app = context.request.resolver_match.namespace
            except AttributeError:
                current_app = None
        env = (get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF, current_app)
        render_context[_ENV] = env
    return env


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


class CachedURLNode(URLNode):
    def render(self, context):
        if self.kwargs or len(self.args) > 4:
            return super().render(context)
        args = [arg.resolve(context) for arg in self.args]
        kinds = tuple(map(_kind, args))
        view_name = self.view_name.resolve(context)
        if None in kinds or not isinstance(view_name, str):
            return super().render(context)
        try:
            pattern = _pattern(view_name, kinds, _env(context))
        except NoReverseMatch:
            pattern = None  # Django's tag raises it, or sets "" with "as"
        if pattern is None:
            return super().render(context)
        url = pattern[0]
        for value, piece in zip(args, pattern[1:], strict=True):
            url += str(value) + piece
        if self.asvar:
            context[self.asvar] = url
            return ""
        return conditional_escape(url) if context.autoescape else url


@register.tag
def url(parser, token):
    node = django_url(parser, token)
    return CachedURLNode(node.view_name, node.args, node.kwargs, node.asvar)


class CachedStaticNode(StaticNode):
    def url(self, context):
        path = self.path.resolve(context)
        key = (path, _env(context)[0], settings.STATIC_URL)
        try:
            return _static[key]
        except KeyError:
            value = _static[key] = self.handle_simple(path)
            return value


@register.tag
def static(parser, token):
    return CachedStaticNode.handle_token(parser, token)


# --- {% memo key %}…{% endmemo %} ------------------------------------------------

MEMO_ENTRIES = 512
_memo: dict[tuple, str] = {}


class MemoNode(template.Node):
    def __init__(self, nodelist, key):
        self.nodelist = nodelist
        self.key = key

    def render(self, context):
        key = self.key.resolve(context)
        if key is None:
            return self.nodelist.render(context)
        # The script prefix too: URLs inside the block depend on it.
        key = (id(self), _env(context)[0], key)
        try:
            return _memo[key]
        except KeyError:
            pass
        html = self.nodelist.render(context)
        if len(_memo) >= MEMO_ENTRIES:
            _memo.clear()
        _memo[key] = html
        return html


@register.tag
def memo(parser, token):
    """Render the block once per distinct key in this process, then reuse its HTML.

    For fragments that are a pure function of the key, such as an unbound
    form's fields (whose key lists every value and choice they show). A key of
    None renders every time. Never put a CSRF token or anything per-request inside.
    """
    bits = token.split_contents()
    if len(bits) != 2:
        raise template.TemplateSyntaxError("{% memo %} takes one key")
    nodelist = parser.parse(("endmemo",))
    parser.delete_first_token()
    return MemoNode(nodelist, parser.compile_filter(bits[1]))
