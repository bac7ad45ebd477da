"""Client address resolution, explicit about which proxies are trusted."""

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    """The client's IP address.

    With TRUSTED_PROXY_COUNT=0 (the default) X-Forwarded-For is ignored: any
    client can write that header. Behind N trusted proxies, each appends the
    address it saw, so the client is the Nth entry from the right.
    """
    remote = request.META.get("REMOTE_ADDR", "")
    count = settings.TRUSTED_PROXY_COUNT
    if count <= 0:
        return remote
    forwarded = [
        p.strip() for p in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if p.strip()
    ]
    if len(forwarded) < count:
        return forwarded[0] if forwarded else remote
    return forwarded[-count]
