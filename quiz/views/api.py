"""The public API's views: parse the query, call quiz.api, answer JSON.

Every endpoint is a GET anyone may call from anywhere: CORS allows every
origin, and the API neither reads nor sets a cookie (no session, no CSRF
token), so `Vary: Cookie` never appears and shared caches may store it.
"""

from __future__ import annotations

from functools import wraps

from django.conf import settings
from django.http import HttpResponse, HttpResponseNotAllowed, JsonResponse
from django.shortcuts import render
from django.urls import reverse

from hhquiz.proxies import client_ip
from quiz import api
from quiz.api_schema import openapi_document

ALLOWED = ("GET", "HEAD", "OPTIONS")


def _cors(response):
    response["Access-Control-Allow-Origin"] = "*"
    response["Access-Control-Allow-Methods"] = ", ".join(ALLOWED)
    response["Access-Control-Max-Age"] = "86400"
    return response


def public_api(view):
    """GET/HEAD/OPTIONS only, CORS for every origin, and nothing of the session.

    Middleware further out (the session timeout, authentication) may have
    looked at the session before the view ran; the API's response does not
    depend on it, so it is marked untouched and Django adds no `Vary: Cookie`
    and saves no session.
    """

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method not in ALLOWED:
            response = HttpResponseNotAllowed(ALLOWED)
        elif request.method == "OPTIONS":
            response = HttpResponse(status=204)
            response["Access-Control-Allow-Headers"] = request.headers.get(
                "Access-Control-Request-Headers", "*"
            )
        else:
            response = view(request, *args, **kwargs)
            response.setdefault("Cache-Control", "no-store")
        session = getattr(request, "session", None)
        if session is not None:
            session.accessed = False
            session.modified = False
        return _cors(response)

    wrapper.csrf_exempt = True
    return wrapper


def _invalid(message: str, **extra) -> JsonResponse:
    return JsonResponse(
        {"response_code": api.INVALID_PARAMETER, "response_message": message, **extra}
    )


def _rate_limited(body: dict, seconds: int) -> JsonResponse:
    response = JsonResponse({"response_code": api.RATE_LIMIT, **body}, status=429)
    response["Retry-After"] = str(max(1, seconds))
    return response


@public_api
def questions(request):
    """api.php"""
    if api.questions_rate_limited(client_ip(request)):
        return _rate_limited({"results": []}, settings.API_RATE_LIMIT_SECONDS)
    try:
        query = api.parse_question_query(request.GET)
    except api.InvalidParameter:
        return JsonResponse({"response_code": api.INVALID_PARAMETER, "results": []})
    answer = api.get_questions(query)
    return JsonResponse({"response_code": answer.response_code, "results": answer.results})


@public_api
def token(request):
    """api_token.php?command=request | reset&token=…"""
    command = request.GET.get("command", "").strip().lower()
    if command == "request":
        if api.token_requests_rate_limited(client_ip(request)):
            return _rate_limited({"response_message": api.MESSAGES[api.RATE_LIMIT]}, 60)
        new = api.request_token()
        return JsonResponse(
            {
                "response_code": api.SUCCESS,
                "response_message": "Token Generated Successfully!",
                "token": new.token,
            }
        )
    if command == "reset":
        reset = api.reset_token(request.GET.get("token", "").strip())
        if reset is None:
            return JsonResponse(
                {
                    "response_code": api.TOKEN_NOT_FOUND,
                    "response_message": api.MESSAGES[api.TOKEN_NOT_FOUND],
                }
            )
        return JsonResponse({"response_code": api.SUCCESS, "token": reset.token})
    return _invalid("command must be request or reset")


@public_api
def categories(request):
    """api_category.php"""
    return JsonResponse({"trivia_categories": api.categories()})


@public_api
def category_count(request):
    """api_count.php?category=ID"""
    try:
        cid = api.parse_category(request.GET.get("category", ""))
    except api.InvalidParameter as exc:
        return _invalid(str(exc))
    if cid is None:
        return _invalid("category is required: an id from api_category.php")
    return JsonResponse(api.category_count(cid))


@public_api
def global_count(request):
    """api_count_global.php"""
    return JsonResponse(api.global_count())


@public_api
def openapi(request):
    """The OpenAPI 3.1 description, with this server's API root as its server URL."""
    root = request.build_absolute_uri(reverse("api:home")).rstrip("/")
    return JsonResponse(openapi_document(root), json_dumps_params={"indent": 1})


def home(request):
    """The human page: what the API does, with curl and Python examples."""
    root = request.build_absolute_uri(reverse("api:home"))
    return render(
        request,
        "api/home.html",
        {
            "root": root,
            "categories": api.categories(),
            "max_amount": api.MAX_AMOUNT,
            "rate_seconds": settings.API_RATE_LIMIT_SECONDS,
            "token_hours": settings.API_TOKEN_IDLE_SECONDS / 3600,
        },
    )
