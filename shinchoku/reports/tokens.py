"""API token issue, check and revocation (the model: :class:`shinchoku.reports.models.ApiToken`)."""

from __future__ import annotations

import hashlib
import secrets

from django.utils import timezone

from shinchoku.reports.models import ApiToken

PREFIX = "shk_"
MAX_TOKEN_LENGTH = 200


def _hash(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def create_token(user, name: str = "", *, expires_at=None) -> tuple[ApiToken, str]:
    """A new token for ``user``; returns the row and the token text (shown once, never stored)."""
    raw = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=user, name=name, prefix=raw[:12], key_hash=_hash(raw), expires_at=expires_at)
    return token, raw


def user_for_token(raw: str):
    """The active user a token belongs to, or None (unknown, revoked, expired, inactive user)."""
    if not raw or len(raw) > MAX_TOKEN_LENGTH or not raw.startswith(PREFIX):
        return None
    token = ApiToken.objects.select_related("user").filter(key_hash=_hash(raw), revoked_at__isnull=True).first()
    if token is None or not token.user.is_active:
        return None
    if token.expires_at is not None and token.expires_at <= timezone.now():
        return None
    return token.user


def revoke(token: ApiToken) -> None:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
