from django.conf import settings
from django.utils.cache import add_never_cache_headers

from shinchoku.core.changelog import acting_as


class ChangeContextMiddleware:
    """Attributes every change made while serving a request to the logged-in user (one batch per request)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        with acting_as(user, reason=f"{request.method} {request.path}"[:300]):
            return self.get_response(request)


PUBLIC_PREFIX = "/public/"


class PrivateResponsesMiddleware:
    """``Cache-Control: no-store, private`` (with Django's other never-cache headers) on every response
    that is not public: pages for a logged-in user, API answers to a token, and every download outside
    /public/. A shared proxy or the browser's disk must not keep a department's unpublished figures;
    /public/ pages and static files keep ordinary caching."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if self.is_private(request, response):
            add_never_cache_headers(response)
        return response

    @staticmethod
    def is_private(request, response) -> bool:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            return True
        if "HTTP_AUTHORIZATION" in request.META:
            return True
        return response.has_header("Content-Disposition") and not request.path.startswith(PUBLIC_PREFIX)


def client_ip(request) -> str:
    """The address a request came from, for the failed-login counter (django-axes) and its log.

    Behind the TLS proxy (``SHINCHOKU_HTTPS=1``) the socket's peer is the proxy, so the address is the
    last entry of X-Forwarded-For — the one the proxy itself appended (docs/deploy.md); entries before
    it were written by the client and prove nothing.
    """
    if getattr(settings, "SHINCHOKU_HTTPS", False):
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if forwarded:
            return forwarded[-1]
    return request.META.get("REMOTE_ADDR", "")
