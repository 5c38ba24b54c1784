"""Who may change plans — 計画 — and their official progress (the reason for a refusal, or None).

- The planning division defines plans, their item trees, status scales and owners, and imports
  published reports and plan workbooks.
- The official progress of an item (``ProgressEntry``: what a published report or a closed survey
  round established) is written by the planning division — closing a round, importing — or by an
  editor of a department that owns the item (the API's progress update); auditors and executives
  read only.
"""

from __future__ import annotations

from shinchoku.core import rules
from shinchoku.core.access import Access
from shinchoku.core.rules import Owners


def define_plan(access: Access, municipality_id: int | None, what: str = "計画の登録・変更") -> str | None:
    return rules.planning(access, municipality_id, what)


def record_progress(access: Access, municipality_id: int | None, code: str, owners: Owners) -> str | None:
    return rules.department(
        access, municipality_id, owners.ids, f"{code} の進捗の更新", owner_names=owners.names, owners_label="項目の所管課"
    )
