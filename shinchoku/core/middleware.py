from shinchoku.core.changelog import acting_as


class ChangeContextMiddleware:
    """Attributes every change made while serving a request to the logged-in user (one batch per request)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        with acting_as(user, reason=f"{request.method} {request.path}"[:300]):
            return self.get_response(request)
