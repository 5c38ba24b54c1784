"""Writes to plans — the one place where plans, nodes and progress entries are created or changed.

Views, the API, importers and commands call these functions; they never save plan models directly.
Change-log rows are written by the tracked models' signals (``core.changelog``).
"""

from __future__ import annotations

from typing import Iterable, Sequence

from django.db import transaction

from shinchoku.core.models import Department, Municipality
from shinchoku.plans.models import NodeDepartment, Plan, PlanNode, ProgressEntry, StatusScale, StatusSymbol

PATH_WIDTH = 5  # digits per level in PlanNode.path: up to 99,999 siblings, 50 levels in 255 chars


class StaleEntryError(Exception):
    """Someone saved the entry after the editor opened it (optimistic lock). Nothing was written."""

    def __init__(self, entry: ProgressEntry, expected_version: int):
        self.entry = entry
        self.expected_version = expected_version
        super().__init__(
            f"{entry.node.code} {entry.fiscal_year}年度の進捗は、編集を始めた後に他の人が更新しました"
            f"（開いた版 {expected_version}、現在の版 {entry.version}）。最新の内容を確認してから保存し直してください。"
        )


def node_path(parent_path: str | None, order: int) -> str:
    own = str(order).zfill(PATH_WIDTH)
    return f"{parent_path}.{own}" if parent_path else own


def department_by_name(municipality: Municipality, name: str) -> Department:
    """The municipality's department of that name, created on first mention."""
    department, _ = Department.objects.get_or_create(municipality=municipality, name=name)
    return department


def create_scale(municipality: Municipality, name: str, symbols: Sequence[tuple[str, str, str]]) -> StatusScale:
    """``symbols`` = (symbol, meaning, category) in display order."""
    scale = StatusScale.objects.create(municipality=municipality, name=name)
    for order, (symbol, meaning, category) in enumerate(symbols):
        StatusSymbol.objects.create(
            municipality=municipality, scale=scale, symbol=symbol, meaning=meaning, category=category, order=order
        )
    return scale


def add_node(
    plan: Plan,
    *,
    code: str,
    title: str = "",
    parent: PlanNode | None = None,
    order: int | None = None,
    description: str = "",
    relisted_from: PlanNode | None = None,
    tags: Iterable[str] = (),
) -> PlanNode:
    if order is None:
        order = PlanNode.objects.filter(plan=plan, parent=parent).count() + 1
    return PlanNode.objects.create(
        municipality_id=plan.municipality_id,
        plan=plan,
        parent=parent,
        depth=parent.depth + 1 if parent else 0,
        code=code,
        title=title,
        description=description,
        order=order,
        path=node_path(parent.path if parent else None, order),
        relisted_from=relisted_from,
        tags=list(tags),
    )


def set_departments(node: PlanNode, departments: Sequence[Department]) -> None:
    """Replace the node's owners with ``departments`` in the given order."""
    wanted = {d.pk: i for i, d in enumerate(departments)}
    existing = {nd.department_id: nd for nd in node.ownerships.all()}
    for dep_id, link in existing.items():
        if dep_id not in wanted:
            link.delete()
    for dep_id, order in wanted.items():
        link = existing.get(dep_id)
        if link is None:
            NodeDepartment.objects.create(municipality_id=node.municipality_id, node=node, department_id=dep_id, order=order)
        elif link.order != order:
            link.order = order
            link.save(update_fields=["order"])


ENTRY_FIELDS = ("status", "result", "next_year_plan", "later_plan", "change_reason")


def save_progress(
    node: PlanNode,
    fiscal_year: int,
    *,
    expected_version: int | None = None,
    user=None,
    **values,
) -> ProgressEntry:
    """Create or update the official entry of ``node`` for ``fiscal_year``.

    ``expected_version`` — the version the editor started from; when given and stale, raises
    :class:`StaleEntryError` and writes nothing.
    """
    unknown = set(values) - set(ENTRY_FIELDS)
    if unknown:
        raise TypeError(f"unknown progress fields: {sorted(unknown)}")
    if node.is_relisting:
        raise ValueError(f"{node.code} は再掲項目です。進捗は再掲元 {node.relisted_from.code} に記録してください。")
    status = values.get("status")
    if status is not None and node.plan.status_scale_id != status.scale_id:
        raise ValueError(f"進捗状況「{status.symbol}」はこの計画の進捗区分にありません")
    with transaction.atomic():
        entry = ProgressEntry.objects.select_for_update(of=("self",)).filter(node=node, fiscal_year=fiscal_year).first()
        if entry is None:
            return ProgressEntry.objects.create(
                municipality_id=node.municipality_id, node=node, fiscal_year=fiscal_year, submitted_by=user, **values
            )
        if expected_version is not None and entry.version != expected_version:
            raise StaleEntryError(entry, expected_version)
        changed = [f for f, v in values.items() if getattr(entry, f) != v]
        if not changed:
            return entry
        # The row is locked (SELECT … FOR UPDATE on PostgreSQL; SQLite transactions here are
        # IMMEDIATE, so writers are serialised), so the version check above cannot race.
        entry.version += 1
        for f, v in values.items():
            setattr(entry, f, v)
        if user is not None:
            entry.submitted_by = user
        entry.save()
        return entry
