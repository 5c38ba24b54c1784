"""API tokens — APIトークン — as text: making one, recognising one (the model: :class:`shinchoku.core.models.ApiToken`).

Issuing and revoking a token are actions (:func:`shinchoku.core.actions.create_api_token`,
:func:`~shinchoku.core.actions.revoke_api_token`); this module only reads.
"""

from __future__ import annotations

import hashlib
import secrets

from django.utils import timezone

from shinchoku.core.models import ApiToken

PREFIX = "shk_"
PREFIX_LENGTH = 12  # what lists show and ``api-token revoke`` takes
MAX_TOKEN_LENGTH = 200


def token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def new_token_text() -> str:
    return PREFIX + secrets.token_urlsafe(32)


def user_for_token(raw: str):
    """The active user a token belongs to, or None (unknown, revoked, expired, inactive user)."""
    if not raw or len(raw) > MAX_TOKEN_LENGTH or not raw.startswith(PREFIX):
        return None
    token = ApiToken.objects.select_related("user").filter(key_hash=token_hash(raw), revoked_at__isnull=True).first()
    if token is None or not token.user.is_active:
        return None
    if token.expires_at is not None and token.expires_at <= timezone.now():
        return None
    return token.user
