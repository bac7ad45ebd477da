from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from quiz.health import health


@require_GET
@never_cache
def healthz(request):
    ok, body = health()
    return JsonResponse(body, status=200 if ok else 503)


def home(request):
    return render(request, "quiz/home.html", {})


def bad_request(request, exception=None):
    return render(
        request,
        "errors/error.html",
        {"code": 400, "title": "Bad request", "message": "That request could not be understood."},
        status=400,
    )


def permission_denied(request, exception=None):
    return render(
        request,
        "errors/error.html",
        {"code": 403, "title": "Not allowed", "message": "You are not allowed to do that."},
        status=403,
    )


def csrf_failure(request, reason=""):
    return render(
        request,
        "errors/error.html",
        {
            "code": 403,
            "title": "Please try again",
            "message": "This form was out of date or your session had expired. "
            "Go back, reload the page and send it again.",
        },
        status=403,
    )


def page_not_found(request, exception=None):
    return render(
        request,
        "errors/error.html",
        {"code": 404, "title": "Not found", "message": "There is nothing here."},
        status=404,
    )


def server_error(request):
    # Rendered without a request context: the failure may be in a context processor.
    from django.http import HttpResponseServerError
    from django.template import loader

    template = loader.get_template("errors/500.html")
    return HttpResponseServerError(template.render())
