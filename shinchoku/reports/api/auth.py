"""Who calls the API: a token's user (with the user's municipality and role) or the public.

``Authorization: Bearer shk_…`` → the token's user, acting for their municipality in their role
(:func:`shinchoku.core.tenancy.tenant_for_user`). No header → the public: published data only. A
header with a bad, revoked or expired token is refused (401) rather than silently read as public, so
that a program with a broken token notices.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest
from ninja.errors import AuthenticationError, HttpError
from ninja.security import HttpBearer

from shinchoku.core.tenancy import Tenant, tenant_for_user
from shinchoku.reports.tokens import user_for_token


@dataclass(frozen=True)
class Principal:
    user: object | None
    tenant: Tenant

    @property
    def is_anonymous(self) -> bool:
        return self.user is None

    @property
    def municipality_id(self) -> int | None:
        return self.tenant.municipality.pk if self.tenant.municipality is not None else None

    @property
    def is_member(self) -> bool:
        """Signed in and acting for a municipality (otherwise: published data only)."""
        return self.user is not None and self.municipality_id is not None and bool(self.tenant.role)

    def require_member(self) -> None:
        if self.user is None:
            raise HttpError(401, "この操作にはAPIトークンが必要です（Authorization: Bearer …）")
        if not self.is_member:
            raise HttpError(403, "団体の利用者として登録されていないため、この操作はできません")

    def __bool__(self) -> bool:  # ninja treats a falsy auth result as "not authenticated"
        return True


ANONYMOUS = Principal(None, Tenant(None, None))


class TokenAuth(HttpBearer):
    def __call__(self, request: HttpRequest):
        value = request.headers.get(self.header)
        if not value:
            return None  # the next callback (public access) answers
        scheme, _, token = value.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise AuthenticationError(message="Authorization ヘッダーは「Bearer トークン」の形で指定してください")
        return self.authenticate(request, token.strip())

    def authenticate(self, request: HttpRequest, token: str):
        user = user_for_token(token)
        if user is None:
            raise AuthenticationError(message="APIトークンが正しくないか、失効しています")
        return Principal(user, tenant_for_user(user))


def public_access(request: HttpRequest) -> Principal:
    return ANONYMOUS


def principal(request: HttpRequest) -> Principal:
    return getattr(request, "auth", None) or ANONYMOUS
