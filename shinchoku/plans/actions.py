"""Writes to plans — 計画: the official progress of an item (進捗 / 取組結果).

Every function is an action ``(access, …)``: it asks :mod:`shinchoku.plans.rules`, validates, locks
and writes; the change log comes from the tracked models' signals.
"""

from __future__ import annotations

from shinchoku.core.access import Access
from shinchoku.core.actions import ActionError, action, expect_version, lock
from shinchoku.core.rules import Owners, require
from shinchoku.plans import rules
from shinchoku.plans.models import NodeDepartment, PlanNode, ProgressEntry

ENTRY_FIELDS = ("status", "result", "next_year_plan", "later_plan", "change_reason")


def node_owners(node: PlanNode) -> Owners:
    """The departments that own the node (再掲: the original's)."""
    original = node.relisted_from_id or node.pk
    return Owners.of(
        link.department for link in NodeDepartment.objects.filter(node_id=original).select_related("department")
    )


def entry_texts(entry: ProgressEntry | None) -> dict[str, str]:
    """The entry as the conflict screen shows it."""
    if entry is None:
        return {}
    return {
        "status": entry.status.symbol if entry.status_id else "",
        "result": entry.result, "next_year_plan": entry.next_year_plan,
        "later_plan": entry.later_plan, "change_reason": entry.change_reason,
    }


@action
def save_progress(
    access: Access,
    node: PlanNode,
    fiscal_year: int,
    *,
    expected_version: int | None = None,
    user=None,
    owners: Owners | None = None,
    **values,
) -> ProgressEntry:
    """Create or update the official entry of ``node`` for ``fiscal_year``.

    ``expected_version`` — the version the editor started from; when given and stale, raises
    ``StaleError`` and writes nothing. ``user`` is recorded as who submitted the figures (a closed
    round records the department's submitter, not the planner who closed it); it defaults to the
    actor. ``owners`` may be passed by a caller that already read them (a round's close).
    """
    unknown = set(values) - set(ENTRY_FIELDS)
    if unknown:
        raise TypeError(f"unknown progress fields: {sorted(unknown)}")
    require(rules.record_progress(access, node.municipality_id, node.code, owners or node_owners(node)))
    if node.relisted_from_id is not None:
        original = PlanNode.objects.filter(pk=node.relisted_from_id).values_list("code", flat=True).first()
        raise ActionError(f"{node.code} は再掲項目です。進捗は再掲元 {original} に記録してください。")
    status = values.get("status")
    if status is not None and node.plan.status_scale_id != status.scale_id:
        raise ActionError(f"進捗状況「{status.symbol}」はこの計画の進捗区分にありません")
    submitter = user if user is not None else access.log_user
    entry = lock(ProgressEntry, node=node, fiscal_year=fiscal_year)
    if entry is None:
        if expected_version not in (None, 0):
            expect_version(None, expected_version, f"{node.code} {fiscal_year}年度の進捗")
        return ProgressEntry.objects.create(
            municipality_id=node.municipality_id, node=node, fiscal_year=fiscal_year, submitted_by=submitter, **values
        )
    if expected_version is not None:
        expect_version(entry, expected_version, f"{node.code} {fiscal_year}年度の進捗", theirs=entry_texts)
    changed = [f for f, v in values.items() if getattr(entry, f) != v]
    if not changed:
        return entry
    entry.version += 1
    for f in changed:
        setattr(entry, f, values[f])
    if submitter is not None:
        entry.submitted_by = submitter
    entry.save()
    return entry
