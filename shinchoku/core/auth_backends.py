"""Authentication backends."""

from __future__ import annotations

from axes.backends import AxesStandaloneBackend


class LoginThrottleBackend(AxesStandaloneBackend):
    """django-axes' lockout check for logins from the web (a request with a username and address).

    ``authenticate()`` without a request — a script, or the test client's ``login()`` — has no address
    to count against and is not reachable by an outsider; django-axes would raise, this lets the next
    backend answer instead.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
