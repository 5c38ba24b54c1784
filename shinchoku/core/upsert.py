"""Create-or-update by natural key, saving only what changed.

Importers use it so that importing the same file twice changes nothing and leaves no no-op rows in
the change log, and so that the dry run can report created / updated / unchanged per table.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.db import models


class UpsertTally:
    """Counts of created / updated / unchanged rows per table label."""

    def __init__(self) -> None:
        self.created: Counter[str] = Counter()
        self.updated: Counter[str] = Counter()
        self.unchanged: Counter[str] = Counter()

    def upsert(self, label: str, model: type[models.Model], lookup: dict[str, Any], values: dict[str, Any]):
        obj = model._default_manager.filter(**lookup).first()
        if obj is None:
            obj = model._default_manager.create(**lookup, **values)
            self.created[label] += 1
            return obj
        changed = [k for k, v in values.items() if getattr(obj, k) != v]
        if changed:
            for k in changed:
                setattr(obj, k, values[k])
            obj.save()
            self.updated[label] += 1
        else:
            self.unchanged[label] += 1
        return obj

    def count(self, label: str, outcome: str) -> None:
        getattr(self, outcome)[label] += 1
