"""Helpers for the registers' management commands (findings, meetings, procedures)."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import CommandError
from django.db.models import Model

from shinchoku.core.models import Municipality


def resolve_municipality(code: str | None, model: type[Model], what: str) -> Municipality:
    """The municipality named by ``--municipality``; without it, the only one that has ``model`` rows."""
    if code:
        municipality = Municipality.objects.filter(code=code).first()
        if municipality is None:
            raise CommandError(f"団体コード {code} の団体は登録されていません")
        return municipality
    ids = list(model.objects.values_list("municipality_id", flat=True).distinct()[:10])
    candidates = list(Municipality.objects.filter(pk__in=ids).order_by("code"))
    if len(candidates) == 1:
        return candidates[0]
    if not candidates:
        raise CommandError(f"{what}が登録されている団体がありません")
    names = "、".join(f"{m.code} {m.name}" for m in candidates)
    raise CommandError(f"{what}が登録されている団体が複数あります。--municipality で団体コードを指定してください（{names}）")


def dumps(payload: Any) -> str:
    return json.dumps(payload, ensure_ascii=False, indent=2, default=str)
