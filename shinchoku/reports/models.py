"""API tokens — APIトークン: how a program signs in to the API (/api/).

A token is shown once, when it is created (``shinchoku api-token create USER``); only its SHA-256
hash is stored, with a short prefix to recognise it in lists. The token acts as its user: the user's
membership decides the municipality and the role (:mod:`shinchoku.core.tenancy`), exactly as in the
web pages. Tokens are high-entropy random strings, so a fast hash is enough (no password hashing).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class ApiToken(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens", verbose_name="利用者")
    name = models.CharField("用途", max_length=100, blank=True, help_text="例: 庁内BI連携")
    prefix = models.CharField("先頭の文字", max_length=16, db_index=True)
    key_hash = models.CharField("ハッシュ", max_length=64, unique=True)
    created_at = models.DateTimeField("作成日時", auto_now_add=True)
    expires_at = models.DateTimeField("有効期限", null=True, blank=True)
    revoked_at = models.DateTimeField("失効日時", null=True, blank=True)

    track_changes = True

    class Meta:
        verbose_name = verbose_name_plural = "APIトークン"
        ordering = ["user", "-created_at"]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user_id} {self.name})"
