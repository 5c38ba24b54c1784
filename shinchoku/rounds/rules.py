"""Who may do what in a survey round (照会) — each rule returns the Japanese reason for a refusal, or None.

=================  =========================================================================
role               in rounds
=================  =========================================================================
planning           everything in its municipality (open, close, reopen, remind, review, edit)
department editor  reads and edits only the answers of activities its departments own or co-own
                   (and the actuals of indicators they own) — a 部's editor those of its 課 too;
                   saves, submits, imports its form
executive          read-only dashboards
auditor            reads everything including drafts and the change log; writes nothing
anonymous/public   nothing
=================  =========================================================================

Another municipality's round does not exist for anyone (pages answer 404 before asking; actions
refuse). Commands act as the system actor, with the planning division's rights.
"""

from __future__ import annotations

from collections.abc import Iterable

from shinchoku.core import rules
from shinchoku.core.access import Access

PLANNING = "企画課（計画管理者）"


def view_rounds(access: Access, municipality_id: int | None) -> str | None:
    return rules.member(access, municipality_id, "照会の表示")


def view_dashboard(access: Access, municipality_id: int | None) -> str | None:
    """The counts of every department: planning, auditors, executives."""
    refusal = rules.member(access, municipality_id, "照会の集計（ダッシュボード）の表示")
    if refusal or access.can_read_all:
        return refusal
    return "照会の集計（ダッシュボード）を見る権限がありません。所管課のページから回答してください。"


def read_all_answers(access: Access, municipality_id: int | None) -> str | None:
    """Every department's answers, drafts included (the review page): planning and auditors."""
    refusal = rules.member(access, municipality_id, "回答の確認")
    if refusal or access.is_planning or access.is_auditor:
        return refusal
    return "回答の確認（差戻し・承認）のページを見る権限がありません。"


def view_department(access: Access, municipality_id: int | None, department_id: int, department_name: str) -> str | None:
    refusal = rules.member(access, municipality_id, f"{department_name}の回答の表示")
    if refusal or access.is_planning or access.is_auditor or (access.is_editor and access.covers([department_id])):
        return refusal
    return f"{department_name}の回答を見る権限がありません（担当所管課のページだけを表示できます）。"


def view_item(access: Access, municipality_id: int | None, owner_ids: Iterable[int], label: str) -> str | None:
    """An answer or actual owned by ``owner_ids``: its values and its history."""
    owner_ids = set(owner_ids)
    refusal = rules.member(access, municipality_id, f"{label}の表示")
    if refusal or access.is_planning or access.is_auditor or (access.is_editor and access.covers(owner_ids)):
        return refusal
    return f"{label}は担当所管課のものではありません。"


MANAGE = {  # operation → (what, who may)
    "open": ("照会の開始", "照会を開始できる"),
    "close": ("照会の締切", "照会を締め切れる"),
    "reopen": ("照会の再開", "照会を再開できる"),
    "remind": ("督促メールの送信", "督促メールを送れる"),
}


def manage(access: Access, municipality_id: int | None, operation: str) -> str | None:
    """Open, close, reopen, remind (``operation`` is a key of :data:`MANAGE`)."""
    what, may = MANAGE[operation]
    refusal = rules.writer(access, municipality_id, what)
    if refusal or access.is_planning:
        return refusal
    return f"{may}のは{PLANNING}だけです。"


def review(access: Access, municipality_id: int | None) -> str | None:
    """Return (差戻し) and approve (承認)."""
    refusal = rules.writer(access, municipality_id, "差戻し・承認")
    if refusal or access.is_planning:
        return refusal
    return f"差戻し・承認ができるのは{PLANNING}だけです。"


DEPARTMENT_OPERATIONS = {  # operation → (what, who may)
    "submit": ("回答の提出", "回答を提出できる"),
    "import": ("様式の取り込み", "様式を取り込める"),
}


def edit_department(access: Access, municipality_id: int | None, department_id: int, department_name: str,
                    operation: str = "submit") -> str | None:
    """Submit a department's answers, import its form."""
    what, may = DEPARTMENT_OPERATIONS[operation]
    refusal = rules.writer(access, municipality_id, f"{department_name}の{what}")
    if refusal or access.is_planning or (access.is_editor and access.covers([department_id])):
        return refusal
    return f"{department_name}の{may}のは、その所管課の担当者と企画課だけです。"


def edit_item(access: Access, municipality_id: int | None, owner_ids: Iterable[int], refused: str) -> str | None:
    """Save an answer or an actual of an item owned by ``owner_ids``; ``refused`` says why not."""
    refusal = rules.writer(access, municipality_id, "回答の入力")
    if refusal or access.is_planning or (access.is_editor and access.covers(set(owner_ids))):
        return refusal
    return refused


def edit_submitted(access: Access) -> bool:
    """Planning may correct a submitted answer before approving it; an editor may not."""
    return access.is_planning


class Abilities:
    """What the pages show to ``access`` in one municipality (buttons and links), from the rules above."""

    def __init__(self, access: Access, municipality_id: int | None):
        self.manage = manage(access, municipality_id, "open") is None
        self.review = review(access, municipality_id) is None
        self.read_all = read_all_answers(access, municipality_id) is None
        self.dashboard = view_dashboard(access, municipality_id) is None
        self.edit_submitted = edit_submitted(access)
