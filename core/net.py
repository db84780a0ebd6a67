"""The client's address, believing a forwarded header only from a configured proxy chain."""

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    """REMOTE_ADDR, or the address the trusted proxies saw; a client cannot spoof it."""
    remote = request.META.get("REMOTE_ADDR", "") or ""
    hops = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if hops <= 0:
        return remote
    forwarded = [p.strip() for p in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if p.strip()]
    # Each trusted proxy appends the address it received from; the client controls the rest.
    if len(forwarded) >= hops:
        return forwarded[-hops]
    return remote
