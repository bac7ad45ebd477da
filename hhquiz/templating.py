"""The project's templates: Jinja2 through Django's own backend, with partials.

Why Jinja2: a template compiles to Python functions, so a variable costs a
dictionary or attribute read and an escape, where Django's engine walks a node
tree and tries `obj[name]`, then `getattr`, then localises. The question card,
rendered after every answer, cost about 1.6 M instructions with Django's engine
and 0.5 M with Jinja2 (benchmarks/cost.py; README "Performance").

What Django's backend does not have, added here:
- **partials**: `render(request, "quiz/question.html#question_card", ...)`
  renders only that `{% block %}` of the template, with the same context
  (django-htmx's pattern: the same template serves the full page and the htmx
  swap). A block defined at the top level of a child template and not in its
  parent is never rendered with the page: it is a partial on its own.
- **the test client's view of templates**: each render sends Django's
  `template_rendered` signal (nothing listens outside tests), so
  `response.context` and `assertTemplateUsed` work as with Django's engine.
- **globals** (quiz.templating): `url()` and `static()` caching their results,
  `memo()` for fragments rendered once per process, `htmx_script()` (django-htmx)
  with the response's CSP nonce;
  **filters**: Django's `date`, `floatformat`, `pluralize`, `capfirst`,
  `default` (any false value, as in Django), `default_if_none`, `stringformat`,
  `urlencode`, `yesno`, `add`.
- **one CSRF token per render**: `csrf_token` and `csrf_input` are worked out
  on first use and then the same for the whole page, as Django's engine does
  (its csrf context processor is lazy and evaluated once); Django's Jinja2
  backend masked the secret anew at every use (five times on the home page).
  Every response still gets its own masked token (BREACH).
- the output is a SafeString, as Django's engine gives it (escaped as it was
  rendered): HTML rendered once and put into another template stays HTML.
- a missing variable renders as "" and so do its attributes (ChainableUndefined),
  as with Django's engine.
"""

from __future__ import annotations

import html

import jinja2
from django.middleware.csrf import get_token
from django.template import TemplateDoesNotExist
from django.template.backends import jinja2 as django_jinja2
from django.test.signals import template_rendered
from django.utils.safestring import SafeString

from quiz import templating


class Jinja2(django_jinja2.Jinja2):
    """Django's Jinja2 backend, plus "template.html#block" partials."""

    def from_string(self, template_code):
        return Template(self.env.from_string(template_code), self)

    def __init__(self, params):
        super().__init__(params)
        self._templates: dict[str, Template] = {}

    def get_template(self, template_name):
        # Without auto_reload (DEBUG off) a compiled template never changes: the
        # wrapper is kept by name, and Jinja2's own cache lookup (a lock, a
        # loader reference, Django's wrapper) is skipped on every later render.
        try:
            return self._templates[template_name]
        except KeyError:
            pass
        name, _, block = template_name.partition("#")
        template = super().get_template(name).template
        if block and block not in template.blocks:
            raise TemplateDoesNotExist(template_name, backend=self)
        found = Template(template, self, block or None)
        if not self.env.auto_reload:
            self._templates[template_name] = found
        return found


class Template(django_jinja2.Template):
    def __init__(self, template, backend, block=None):
        super().__init__(template, backend)
        self.block = block
        # assertTemplateUsed reads .name
        self.name = template.name if block is None else f"{template.name}#{block}"

    def render(self, context=None, request=None):
        context = {} if context is None else dict(context)
        rendering = templating.RENDERING.set(templating.url_env(request))
        try:
            return self._render(context, request)
        finally:
            templating.RENDERING.reset(rendering)

    def _render(self, context, request):
        if request is not None:
            context["request"] = request
            token = CsrfToken(request)
            context["csrf_input"] = CsrfInput(token)
            context["csrf_token"] = token
            for context_processor in self.backend.template_context_processors:
                context.update(context_processor(request))
        template_rendered.send(sender=self, template=self, context=context)
        try:
            if self.block is None:
                return SafeString(self.template.render(context))
            template = self.template
            return SafeString(
                template.environment.concat(
                    template.blocks[self.block](template.new_context(context))
                )
            )
        except jinja2.TemplateSyntaxError as exc:
            new = django_jinja2.TemplateSyntaxError(exc.args)
            new.template_debug = django_jinja2.get_exception_info(exc)
            raise new from exc


class CsrfToken:
    """This render's masked CSRF token: get_token(request) on first use, then the same string.

    Lazy, so a page that shows no form neither computes a token nor makes the
    CSRF middleware set its cookie (as with Django's engine).
    """

    __slots__ = ("request", "value")

    def __init__(self, request):
        self.request = request
        self.value = None

    def __str__(self) -> str:
        if self.value is None:
            self.value = get_token(self.request)
        return self.value

    def __html__(self) -> str:
        return html.escape(str(self))  # Django's escape() without its lazy-string wrapper


class CsrfInput:
    """The hidden CSRF field for this render's token (Django's csrf_input()), built
    once per render however many forms the page has."""

    __slots__ = ("html", "token")

    def __init__(self, token: CsrfToken):
        self.token = token
        self.html = None

    def __html__(self) -> str:
        if self.html is None:
            # Django's csrf_input(), escaped as format_html escapes (without its lazy wrappers).
            value = html.escape(str(self.token))
            self.html = f'<input type="hidden" name="csrfmiddlewaretoken" value="{value}">'
        return self.html

    __str__ = __html__


class Environment(jinja2.Environment):
    """Jinja2's environment, with each template's globals in a plain dict.

    Jinja2 keeps a template's globals in a ChainMap over the environment's, and
    every render copies them into the template's context: for a ChainMap, one
    lookup per global that raises and catches a KeyError in the template's own
    (empty) map first, about 100,000 instructions a render. Here each template
    gets a dict of the environment's globals (set once, in environment() below,
    before any template loads) with its own on top: the same values, copied in C.
    """

    def make_globals(self, d):
        return {**self.globals, **(d or {})}


def environment(**options) -> jinja2.Environment:
    options["undefined"] = jinja2.ChainableUndefined
    options.pop("autoescape", None)  # always on
    env = Environment(autoescape=True, **options)
    env.globals.update(templating.GLOBALS)
    env.filters.update(templating.FILTERS)
    return env
