"""Who may read which reports — 報告書 (the reason for a refusal, or None).

Every member of the municipality reads its reports with the official figures (approved progress).
Unapproved progress (drafts, submitted and returned answers of every department) is for the roles
that read every department's records: the planning division, auditors and executives.
"""

from __future__ import annotations

from shinchoku.core import rules
from shinchoku.core.access import Access


def read_reports(access: Access, municipality_id: int | None) -> str | None:
    return rules.member(access, municipality_id, "報告書の閲覧")


def include_unapproved(access: Access, municipality_id: int | None) -> str | None:
    refusal = read_reports(access, municipality_id)
    if refusal:
        return refusal
    if access.can_read_all:
        return None
    return f"承認前の進捗を含む報告書は、{rules.PLANNING_DIVISION}・監査・幹部のみが出力できます"
