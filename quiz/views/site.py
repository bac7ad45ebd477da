from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.templatetags.static import static
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST, require_safe

from quiz import theme as themes
from quiz.health import health


@require_GET
@never_cache
def healthz(request):
    code, body = health()
    return JsonResponse(body, status=code)


@require_safe
def favicon(request):
    """Browsers and the admin ask for /favicon.ico whatever the page says."""
    return redirect(static("icons/icon-192.png"), permanent=True)


@require_POST
def theme(request):
    """Remember the reader's theme in a cookie, then go back to the page they were on."""
    choice = request.POST.get("theme", "")
    if choice not in themes.CHOICES:
        return HttpResponse("Choose auto, light or dark.", status=400, content_type="text/plain")
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "/"
    response = HttpResponse(status=204) if request.htmx else redirect(target)
    if choice == "auto":
        response.delete_cookie(themes.COOKIE, samesite="Lax")
    else:
        response.set_cookie(
            themes.COOKIE,
            choice,
            max_age=themes.MAX_AGE,
            samesite="Lax",
            secure=settings.SESSION_COOKIE_SECURE,
            httponly=True,
        )
    return response
