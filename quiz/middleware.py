"""Session idle timeout on top of Django's absolute SESSION_COOKIE_AGE; htmx details read from META; /healthz first."""

import time

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, SESSION_KEY, logout
from django.http import HttpResponseNotAllowed
from django.utils.cache import patch_vary_headers
from django_htmx import middleware as django_htmx

from quiz import auth

LAST_SEEN_KEY = "last_seen"
# Only rewrite the session when the stamp is this stale, so a busy player does
# not cost a session write on every request.
TOUCH_EVERY = 300


class SessionTimeoutMiddleware:
    """Log out a session idle for SESSION_IDLE_TIMEOUT; note activity at most every TOUCH_EVERY s.

    It reads the session only, not the user: a request whose view never needs
    the user (the baseline, static-like pages) does not pay for loading it.
    A session with a user id that no longer verifies is flushed by
    django.contrib.auth as soon as anything reads request.user.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = request.session
        if SESSION_KEY in session:
            if session.get(BACKEND_SESSION_KEY) == auth.LEGACY_PATH:
                # The same ModelBackend checks; only the user query differs.
                session[BACKEND_SESSION_KEY] = auth.PATH
            now = int(time.time())
            last_seen = session.get(LAST_SEEN_KEY)
            if last_seen is not None and now - last_seen > settings.SESSION_IDLE_TIMEOUT:
                logout(request)
            elif last_seen is None or now - last_seen > TOUCH_EVERY:
                session[LAST_SEEN_KEY] = now
        return self.get_response(request)


class HealthCheckMiddleware:
    """Answer /healthz before any middleware that could fail (sessions, CSRF, auth).

    A load balancer's probe may carry a session cookie; the answer must still
    be the JSON health report, whatever state the session store is in.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info != "/healthz":
            return self.get_response(request)
        if request.method not in ("GET", "HEAD"):
            return HttpResponseNotAllowed(["GET", "HEAD"])
        from quiz.views.site import healthz

        return healthz(request)


class HtmxDetails(django_htmx.HtmxDetails):
    """django-htmx's request.htmx, reading its headers straight from request.META.

    django-htmx reads them through request.headers, which builds a dictionary
    of every header on first use: on a question page, the one thing that
    needed it (measured: 3.70 -> 3.62 M instructions per htmx question page). Same values: tests/test_htmx_details.py.
    """

    def _get_header_value(self, name: str) -> str | None:
        meta = self.request.META
        key = "HTTP_" + name.upper().replace("-", "_")
        value = meta.get(key) or None
        if value and meta.get(key + "_URI_AUTOENCODED") == "true":
            value = django_htmx.unquote(value)
        return value


class HtmxMiddleware(django_htmx.HtmxMiddleware):
    """django_htmx.middleware.HtmxMiddleware with the HtmxDetails above."""

    def __call__(self, request):
        if self.async_mode:
            return self.__acall__(request)
        request.htmx = HtmxDetails(request)
        return self.get_response(request)

    async def __acall__(self, request):
        request.htmx = HtmxDetails(request)
        return await self.get_response(request)


class CsrfCookieRenewalMiddleware:
    """Send an unchanged CSRF cookie again only when the session cookie is sent.

    Listed right after Django's CsrfViewMiddleware, so that its response phase
    runs just before that one's. Django sends the CSRF cookie again on every
    page that shows a form, only to renew its expiry (a year): a Set-Cookie
    built by http.cookies on every question page, about 0.16 M instructions,
    5 % of the page. With this it is sent when the token is new, rotated
    (log-in), malformed or in Django's old masked form; when the session is
    saved, and so its own cookie renewed (at least every TOUCH_EVERY seconds of
    a signed-in player's activity, by SessionTimeoutMiddleware); and always for
    a visitor with no session, as Django does. Checking tokens, the masked token
    in each form and Vary: Cookie are Django's, unchanged.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        meta = request.META
        if meta.get("CSRF_COOKIE_NEEDS_UPDATE") and not settings.CSRF_USE_SESSIONS:
            session = getattr(request, "session", None)
            if (
                session is not None
                and session.session_key
                and not session.modified
                and request.COOKIES.get(settings.CSRF_COOKIE_NAME) == meta.get("CSRF_COOKIE")
            ):
                meta["CSRF_COOKIE_NEEDS_UPDATE"] = False
                # The page holds a token for this cookie: caches must still key on it.
                patch_vary_headers(response, ("Cookie",))
        return response
