"""Session idle timeout on top of Django's absolute SESSION_COOKIE_AGE."""

import time

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpResponseNotAllowed

LAST_SEEN_KEY = "last_seen"
# Only rewrite the session when the stamp is this stale, so a busy player does
# not cost a session write on every request.
TOUCH_EVERY = 300


class SessionTimeoutMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = int(time.time())
            last_seen = request.session.get(LAST_SEEN_KEY)
            if last_seen is not None and now - last_seen > settings.SESSION_IDLE_TIMEOUT:
                logout(request)
            elif last_seen is None or now - last_seen > TOUCH_EVERY:
                request.session[LAST_SEEN_KEY] = now
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
