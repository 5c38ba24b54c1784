"""Writes to plans — the one place where plans, nodes and progress entries are created or changed.

Views, the API, importers and commands call these functions; they never save plan models directly.
Change-log rows are written by the tracked models' signals (``core.changelog``).
"""

from __future__ import annotations

from typing import Iterable, Sequence


from shinchoku.core.models import Department, Municipality
from shinchoku.plans.models import NodeDepartment, Plan, PlanNode, StatusScale, StatusSymbol

PATH_WIDTH = 5  # digits per level in PlanNode.path: up to 99,999 siblings, 50 levels in 255 chars


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
