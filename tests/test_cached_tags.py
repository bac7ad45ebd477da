"""The project's {% url %} and {% static %} cache their results: the output stays Django's."""

import uuid

import pytest
from django.template import Context, Engine, engines
from django.templatetags.static import static
from django.test import override_settings
from django.urls import NoReverseMatch, reverse, set_script_prefix


def render(source: str, **context) -> str:
    return engines["django"].from_string(source).render(context)


@pytest.fixture(autouse=True)
def _prefix():
    yield
    set_script_prefix("/")


def test_url_without_arguments_is_reverse():
    for name in ("quiz:home", "quiz:leaderboard", "login", "logout", "profile", "theme"):
        assert render(f"{{% url '{name}' %}}") == reverse(name)


def test_url_with_uuid_and_number_is_reverse():
    public_id = uuid.uuid4()
    for number in (1, 9, 10, 20):
        out = render("{% url 'quiz:question' pid n %}", pid=public_id, n=number)
        assert out == reverse("quiz:question", args=[public_id, number])
    out = render("{% url 'quiz:results' pid as link %}[{{ link }}]", pid=public_id)
    assert out == f"[{reverse('quiz:results', args=[public_id])}]"


def test_url_follows_the_script_prefix():
    public_id = uuid.uuid4()
    render("{% url 'quiz:question' pid 3 %}", pid=public_id)
    set_script_prefix("/quiz-app/")
    out = render("{% url 'quiz:question' pid 3 %}{% url 'quiz:home' %}", pid=public_id)
    assert out == reverse("quiz:question", args=[public_id, 3]) + reverse("quiz:home")
    assert out.startswith("/quiz-app/")


def test_other_arguments_go_through_django():
    assert render("{% url 'quiz:share' 'abc' %}") == reverse("quiz:share", args=["abc"])
    assert render("{% url 'quiz:share' token='a b' %}") == reverse(
        "quiz:share", kwargs={"token": "a b"}
    )
    with pytest.raises(NoReverseMatch):
        render("{% url 'quiz:question' pid -1 %}", pid=uuid.uuid4())
    with pytest.raises(NoReverseMatch):
        render("{% url 'no-such-view' %}")
    assert render("{% url 'no-such-view' as link %}[{{ link }}]") == "[]"


def test_static_is_djangos():
    for path in ("css/site.css", "favicon.svg", "js/quiz.js"):
        assert render(f"{{% static '{path}' %}}") == static(path)
    assert render("{% static 'css/site.css' as css %}{{ css }}") == static("css/site.css")


@override_settings(STATIC_URL="/assets/")
def test_static_follows_static_url():
    assert render("{% static 'css/site.css' %}") == "/assets/css/site.css"


def test_a_plain_engine_keeps_djangos_tags():
    assert Engine().from_string("{% url 'quiz:home' %}").render(Context()) == reverse("quiz:home")


def test_memo_renders_once_per_key_and_never_for_none():
    page = engines["django"].from_string("{% memo key %}{{ value }}{% endmemo %}")
    assert page.render({"key": ("memo-test", 1), "value": "first"}) == "first"
    assert page.render({"key": ("memo-test", 1), "value": "second"}) == "first"
    assert page.render({"key": ("memo-test", 2), "value": "third"}) == "third"
    assert page.render({"key": None, "value": "fourth"}) == "fourth"
    assert page.render({"key": None, "value": "fifth"}) == "fifth"


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
