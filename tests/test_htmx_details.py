"""request.htmx (quiz.middleware.HtmxDetails) reads the same values as django-htmx's own."""

import pytest
from django.test import RequestFactory
from django_htmx.middleware import HtmxDetails as DjangoHtmxDetails

from quiz.middleware import HtmxDetails, HtmxMiddleware

FIELDS = (
    "boosted",
    "current_url",
    "current_url_abs_path",
    "history_restore_request",
    "prompt",
    "target",
    "trigger",
    "trigger_name",
    "triggering_event",
)

CASES = [
    {},
    {"HTTP_HX_REQUEST": "true"},
    {"HTTP_HX_REQUEST": "false"},
    {"HTTP_HX_REQUEST": ""},
    {
        "HTTP_HX_REQUEST": "true",
        "HTTP_HX_BOOSTED": "true",
        "HTTP_HX_CURRENT_URL": "http://testserver/quiz/1/?a=b",
        "HTTP_HX_HISTORY_RESTORE_REQUEST": "true",
        "HTTP_HX_PROMPT": "yes",
        "HTTP_HX_TARGET": "question-card",
        "HTTP_HX_TRIGGER": "answer",
        "HTTP_HX_TRIGGER_NAME": "option",
        "HTTP_TRIGGERING_EVENT": '{"type": "click"}',
    },
    {
        "HTTP_HX_REQUEST": "true",
        "HTTP_HX_PROMPT": "%C3%A9t%C3%A9",
        "HTTP_HX_PROMPT_URI_AUTOENCODED": "true",
        "HTTP_HX_CURRENT_URL": "https://elsewhere.example/x",
    },
]


@pytest.mark.parametrize("meta", CASES)
def test_same_values_as_django_htmx(meta):
    request = RequestFactory().get("/", **meta)
    ours, theirs = HtmxDetails(request), DjangoHtmxDetails(request)
    assert bool(ours) is bool(theirs)
    for field in FIELDS:
        assert getattr(ours, field) == getattr(theirs, field), field


def test_the_middleware_sets_request_htmx():
    request = RequestFactory().get("/", HTTP_HX_REQUEST="true")
    seen = []
    HtmxMiddleware(lambda r: seen.append(r.htmx) or "response")(request)
    assert isinstance(seen[0], HtmxDetails) and bool(seen[0])
    assert "headers" not in request.__dict__  # request.headers was never built
