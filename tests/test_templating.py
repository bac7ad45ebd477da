"""The project's templates (Jinja2, hhquiz.templating): partials, url()/static()/memo(), Django's filters.

url() and static() cache their results: the output must stay Django's reverse() and static().
"""

import datetime
import os
import uuid

import pytest
from django.template import TemplateDoesNotExist, engines
from django.template.loader import get_template, render_to_string
from django.templatetags.static import static
from django.test import RequestFactory, override_settings
from django.urls import NoReverseMatch, reverse, set_script_prefix
from django.utils.safestring import SafeString


def render(source: str, **context) -> str:
    return engines["jinja2"].from_string(source).render(context)


@pytest.fixture(autouse=True)
def _prefix():
    yield
    set_script_prefix("/")


def test_url_without_arguments_is_reverse():
    for name in ("quiz:home", "quiz:leaderboard", "login", "logout", "profile", "theme"):
        assert render(f"{{{{ url('{name}') }}}}") == reverse(name)


def test_url_with_uuid_and_number_is_reverse():
    public_id = uuid.uuid4()
    for number in (1, 9, 10, 20):
        out = render("{{ url('quiz:question', pid, n) }}", pid=public_id, n=number)
        assert out == reverse("quiz:question", args=[public_id, number])
    out = render("{% set link = url('quiz:results', pid) %}[{{ link }}]", pid=public_id)
    assert out == f"[{reverse('quiz:results', args=[public_id])}]"


def test_url_in_a_block_that_set_a_variable_copies_no_context(monkeypatch):
    """url() reads the render's URL settings from quiz.templating.RENDERING, not from the
    template's context: Jinja2 would copy the whole context for each such call after a
    {% set %} in a block (Context.derived), which cost a question page 0.1 M."""
    import jinja2.runtime

    def copied(*args, **kwargs):
        raise AssertionError("the context was copied for a call")

    monkeypatch.setattr(jinja2.runtime.Context, "derived", copied)
    public_id = uuid.uuid4()
    page = engines["jinja2"].from_string(
        "{% block card %}{% set here = url('quiz:question', pid, 2) %}"
        "{{ here }} {{ url('quiz:home') }} {{ url('quiz:abandon', pid) }}{% endblock %}"
    )
    request = RequestFactory().get("/")
    out = page.render({"pid": public_id}, request)
    assert out == " ".join(
        [
            reverse("quiz:question", args=[public_id, 2]),
            reverse("quiz:home"),
            reverse("quiz:abandon", args=[public_id]),
        ]
    )


def test_the_render_s_url_settings_end_with_the_render():
    from quiz.templating import RENDERING

    set_script_prefix("/outer/")
    inner = engines["jinja2"].from_string("{{ url('quiz:home') }}")
    outer = engines["jinja2"].from_string(
        "{{ url('quiz:home') }}|{{ inner() }}|{{ url('quiz:home') }}"
    )
    assert RENDERING.get() is None

    def render_inner():
        set_script_prefix("/inner/")  # a nested render works out its own
        try:
            return inner.render({})
        finally:
            set_script_prefix("/outer/")

    out = outer.render({"inner": render_inner})
    assert out == "/outer/|/inner/|/outer/"
    assert RENDERING.get() is None


def test_url_follows_the_script_prefix():
    public_id = uuid.uuid4()
    render("{{ url('quiz:question', pid, 3) }}", pid=public_id)
    set_script_prefix("/quiz-app/")
    out = render("{{ url('quiz:question', pid, 3) }}{{ url('quiz:home') }}", pid=public_id)
    assert out == reverse("quiz:question", args=[public_id, 3]) + reverse("quiz:home")
    assert out.startswith("/quiz-app/")


def test_other_arguments_go_through_django():
    assert render("{{ url('quiz:share', 'abc') }}") == reverse("quiz:share", args=["abc"])
    assert render("{{ url('quiz:share', token='a b') }}") == reverse(
        "quiz:share", kwargs={"token": "a b"}
    )
    with pytest.raises(NoReverseMatch):
        render("{{ url('quiz:question', pid, -1) }}", pid=uuid.uuid4())
    with pytest.raises(NoReverseMatch):
        render("{{ url('no-such-view') }}")


def test_url_is_escaped_in_html():
    # A kwarg URL goes through reverse(), which quotes; the output is escaped once more as text.
    out = render("<a href=\"{{ url('quiz:share', token=t) }}\">", t="a&b")
    assert out == f'<a href="{reverse("quiz:share", kwargs={"token": "a&b"})}">'.replace(
        "&", "&amp;"
    )


def test_static_is_djangos():
    for path in ("css/site.css", "favicon.svg", "js/quiz.js"):
        assert render(f"{{{{ static('{path}') }}}}") == static(path)


@override_settings(STATIC_URL="/assets/")
def test_static_follows_static_url():
    assert render("{{ static('css/site.css') }}") == "/assets/css/site.css"


def test_memo_renders_once_per_key_and_the_key_names_the_fragment():
    page = engines["jinja2"].from_string(
        '{% call memo("memo-test", key) %}{{ value }}{% endcall %}'
    )
    other = engines["jinja2"].from_string(
        '{% call memo("memo-test-other", key) %}{{ value }}{% endcall %}'
    )
    assert page.render({"key": 1, "value": "first"}) == "first"
    assert page.render({"key": 1, "value": "second"}) == "first"
    assert page.render({"key": 2, "value": "third"}) == "third"
    assert other.render({"key": 1, "value": "fourth"}) == "fourth"


def test_memo_renders_every_time_for_a_none_key():
    page = engines["jinja2"].from_string(
        '{% call memo("memo-none", key) %}{{ value }}{% endcall %}'
    )
    assert page.render({"key": None, "value": "first"}) == "first"
    assert page.render({"key": None, "value": "second"}) == "second"


def test_memo_keeps_html_escaped_once():
    page = engines["jinja2"].from_string('{% call memo("memo-escape") %}{{ v }}{% endcall %}')
    assert page.render({"v": "<b>"}) == "&lt;b&gt;"
    assert page.render({"v": "<i>"}) == "&lt;b&gt;"


def test_a_partial_is_its_block_alone():
    html = render_to_string("errors/error.html#content", {"title": "T<", "message": "M"})
    assert "<h1>T&lt;</h1>" in html and "<html" not in html and "<footer" not in html
    page = render_to_string("errors/error.html", {"title": "T<", "message": "M"})
    assert html.strip() in page


def test_rendered_html_is_safe_for_another_template():
    html = render_to_string("errors/error.html#content", {"title": "x", "message": "y"})
    assert isinstance(html, SafeString)
    assert render("{{ h }}", h=html) == html


def test_an_unknown_partial_is_template_does_not_exist():
    with pytest.raises(TemplateDoesNotExist):
        get_template("errors/error.html#no_such_block")
    with pytest.raises(TemplateDoesNotExist):
        get_template("no/such/page.html#content")


def test_a_missing_variable_renders_empty_as_in_django():
    assert (
        render("[{{ nothing }}][{{ nothing.at.all }}][{% if nothing.x %}y{% endif %}]") == "[][][]"
    )


def test_djangos_filters():
    when = datetime.datetime(2026, 11, 26, 21, 5, 9, tzinfo=datetime.UTC)
    assert render("{{ d|date('Y-m-d H:i:s') }}", d=when) == "2026-11-26 21:05:09"
    assert render("{{ x|floatformat(1) }}|{{ y|floatformat(0) }}", x=2.25, y=7.6) == "2.3|8"
    assert render("{{ n }} point{{ n|pluralize }}", n=1) == "1 point"
    assert render("{{ n }} point{{ n|pluralize }}", n=2) == "2 points"
    assert render("{{ x|default('—') }}|{{ z|default('—') }}", x=0, z="a") == "—|a"
    assert render("{{ x|default_if_none('') }}|{{ y|default_if_none('n') }}", x=None, y=0) == "|0"
    assert render("{{ s|capfirst }}", s="episode one") == "Episode one"


def test_a_page_rendered_with_a_request_has_the_csrf_input_and_nonce():
    request = RequestFactory().get("/")
    request.csp_nonce = "n0nce"
    html = engines["jinja2"].from_string("{{ csrf_input }}|{{ csp_nonce }}").render({}, request)
    assert 'name="csrfmiddlewaretoken"' in html


def test_the_csrf_field_and_token_are_djangos():
    from django.middleware.csrf import _check_token_format
    from django.utils.html import format_html

    request = RequestFactory().get("/")
    out = engines["jinja2"].from_string("{{ csrf_input }}|{{ csrf_token }}").render({}, request)
    field, token = out.split("|")
    _check_token_format(token)  # a masked token, as get_token() gives
    assert len(token) == 64
    # Django's csrf_input() for that token, character for character.
    assert field == format_html(
        '<input type="hidden" name="csrfmiddlewaretoken" value="{}">', token
    )


@pytest.mark.django_db
def test_start_form_fields_follow_the_remembered_choices(client):
    from tests.factories import PlayerFactory, QuestionFactory

    QuestionFactory.create_batch(12)
    player = PlayerFactory(watched_through=2, difficulty="hard", quiz_length=20)
    client.force_login(player.user)
    page = client.get("/").content.decode()
    assert '<option value="2" selected>' in page
    assert 'value="hard" id="id_difficulty_' in page and "checked" in page
    other = PlayerFactory(watched_through=5, difficulty="easy", quiz_length=5)
    client.force_login(other.user)
    page = client.get("/").content.decode()
    assert '<option value="5" selected>' in page
    assert '<option value="2" selected>' not in page


@pytest.mark.django_db
def test_a_refused_start_shows_its_errors_not_a_remembered_form(client):
    response = client.post("/quiz/start/", {"watched_through": "9", "difficulty": "hard"})
    assert response.status_code == 400
    assert 'class="errorlist' in response.content.decode()


@pytest.mark.django_db
def test_the_test_client_sees_the_templates_and_their_context(client):
    response = client.get("/leaderboard/")
    assert response.status_code == 200
    assert "leaderboard/leaderboard.html" in [t.name for t in response.templates]
    assert response.context["board"] is not None
    response = client.get("/leaderboard/", HTTP_HX_REQUEST="true")
    assert [t.name for t in response.templates] == ["leaderboard/leaderboard.html#board_table"]
    assert "<html" not in response.content.decode()


def _csrf_values(html: str) -> list[str]:
    import re

    return re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', html) + re.findall(
        r'"x-csrftoken": "([^"]+)"', html
    )


@pytest.mark.django_db
def test_one_masked_csrf_token_per_page_and_a_new_one_per_response(client):
    from django.middleware.csrf import _unmask_cipher_token

    first = client.get("/").content.decode()
    tokens = _csrf_values(first)
    assert len(tokens) >= 3  # the start and episode forms, the theme form, htmx's header
    assert len(set(tokens)) == 1
    second = _csrf_values(client.get("/").content.decode())
    assert second[0] != tokens[0]  # masked anew for each response
    assert _unmask_cipher_token(second[0]) == _unmask_cipher_token(tokens[0])


def test_a_page_without_a_form_makes_no_csrf_token():
    request = RequestFactory().get("/")
    engines["jinja2"].from_string("<p>no form</p>").render({}, request)
    assert "CSRF_COOKIE" not in request.META


@pytest.mark.parametrize("debug", [False, True])
def test_htmx_script_is_django_htmxs_without_a_nonce(settings, debug):
    """The cached tag is django-htmx's own output, with no nonce even when the
    context has one (the page's scripts all load under script-src 'self')."""
    from django_htmx.jinja import htmx_script as django_htmx_script

    settings.DEBUG = debug
    template = engines["jinja2"].from_string("{{ htmx_script() }}")
    for _ in range(2):  # the first call fills the cache, the second reads it
        html = template.render({"csp_nonce": "n0nce"})
        assert html == str(django_htmx_script()) and "nonce" not in html


def test_htmx_script_follows_static_url(settings):
    from django_htmx.jinja import htmx_script as django_htmx_script

    template = engines["jinja2"].from_string("{{ htmx_script() }}")
    template.render({})
    settings.STATIC_URL = "/elsewhere/"
    html = template.render({})
    assert html == str(django_htmx_script())
    assert "/elsewhere/" in html


def _backend(tmp_path, auto_reload: bool):
    from hhquiz.templating import Jinja2

    return Jinja2(
        {
            "NAME": f"t{auto_reload}",
            "DIRS": [tmp_path],
            "APP_DIRS": False,
            "OPTIONS": {"environment": "hhquiz.templating.environment", "auto_reload": auto_reload},
        }
    )


@pytest.mark.parametrize("auto_reload", [False, True])
def test_templates_are_kept_unless_they_may_change(tmp_path, auto_reload):
    page = tmp_path / "page.html"
    page.write_text("one{% block part %}[a]{% endblock %}")
    backend = _backend(tmp_path, auto_reload)
    assert backend.get_template("page.html").render() == "one[a]"
    assert backend.get_template("page.html#part").render() == "[a]"
    page.write_text("two{% block part %}[b]{% endblock %}")
    os.utime(page, (page.stat().st_atime + 5, page.stat().st_mtime + 5))
    if auto_reload:  # DEBUG: an edited template shows at once
        assert backend.get_template("page.html").render() == "two[b]"
        assert backend.get_template("page.html#part").render() == "[b]"
    else:  # production: compiled once per process, the same object every time
        assert backend.get_template("page.html") is backend.get_template("page.html")
        assert backend.get_template("page.html").render() == "one[a]"
    with pytest.raises(TemplateDoesNotExist):
        backend.get_template("page.html#missing")
    with pytest.raises(TemplateDoesNotExist):
        backend.get_template("missing.html")


def test_the_cards_difficulty_label_is_djangos_display():
    from quiz.models import AttemptQuestion, Difficulty

    for value in [*Difficulty.values, "unknown", ""]:
        item = AttemptQuestion(difficulty=value)
        assert item.difficulty_label == item.get_difficulty_display()


def test_the_cards_category_label_is_djangos_capfirst():
    from django.template.defaultfilters import capfirst

    from quiz.models import AttemptQuestion

    for value in ["cast & crew", "episode 3", "Twists", "ünter", "x", ""]:
        assert AttemptQuestion(category=value).category_label == capfirst(value)


def test_memo_keeps_the_fragments_in_use_when_visitors_make_up_keys(monkeypatch):
    from quiz import templating

    monkeypatch.setattr(templating, "_memo", {})
    monkeypatch.setattr(templating, "MEMO_ENTRIES", 8)
    rendered = []

    def page(key):
        return render(
            "{% call memo('t', k) %}{{ note(k) }}{% endcall %}", k=key, note=rendered.append
        )

    page("hot")
    for n in range(50):  # a visitor's made-up values, between uses of the hot key
        page(f"made-up-{n}")
        page("hot")
    assert rendered.count("hot") == 1  # rendered once, then always found
    assert len(templating._memo) == 8
    assert rendered.count("made-up-0") == 1
    page("made-up-0")  # long pushed out: rendered again
    assert rendered.count("made-up-0") == 2


def test_a_template_s_globals_are_a_plain_dict_over_the_environment_s():
    """Each render copies the template's globals into its context: from a dict that is
    a C copy; from Jinja2's ChainMap it raised and caught a KeyError per global."""
    env = engines["jinja2"].env
    template = get_template("base.html").template
    assert type(template.globals) is dict
    assert template.globals["url"] is env.globals["url"]
    own = env.from_string("{{ url }}|{{ greeting }}", globals={"url": "mine", "greeting": "hi"})
    assert own.render() == "mine|hi"  # a template's own globals overlay the environment's...
    assert env.globals["url"] != "mine" and "greeting" not in env.globals  # ...and stay its own
    assert env.from_string("{{ greeting }}").render() == ""


def test_url_settings_come_from_the_request_as_django_s_url_tag_reads_them(settings):
    from django.urls import resolve

    from quiz.templating import url_env

    request = RequestFactory().get("/leaderboard/")
    assert url_env(request) == ("/", settings.ROOT_URLCONF, None)
    request.resolver_match = resolve("/leaderboard/")
    assert url_env(request)[2] == "quiz"  # the resolved namespace
    request.current_app = None  # set, even to None: Django's {% url %} takes it
    assert url_env(request)[2] is None
    request.urlconf = "hhquiz.urls"  # a middleware's own URLconf
    assert url_env(request)[1] == "hhquiz.urls"
    request.urlconf = None
    assert url_env(request)[1] == settings.ROOT_URLCONF
