"""Read side of plans: the tree, the 別紙 progress list and status counts.

Each function runs a fixed number of queries whatever the plan's size (no per-node queries), so the
pages stay fast at thousands of items.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from shinchoku.plans.models import NodeDepartment, Plan, PlanNode, ProgressEntry


@dataclass
class TreeNode:
    node: PlanNode
    departments: list[str]
    entry: ProgressEntry | None
    original: PlanNode | None  # for a 再掲 node: the node it shows
    children: list["TreeNode"] = field(default_factory=list)

    @property
    def title(self) -> str:
        return self.original.title if self.original is not None and not self.node.title else self.node.title

    @property
    def status_symbol(self) -> str:
        return self.entry.status.symbol if self.entry is not None and self.entry.status_id else ""


def _departments_by_node(plan: Plan) -> dict[int, list[str]]:
    owners: dict[int, list[str]] = defaultdict(list)
    for node_id, name in (
        NodeDepartment.objects.filter(node__plan=plan).order_by("node_id", "order").values_list("node_id", "department__name")
    ):
        owners[node_id].append(name)
    return owners


def _entries_by_node(plan: Plan, fiscal_year: int | None) -> dict[int, ProgressEntry]:
    if fiscal_year is None:
        return {}
    return {
        e.node_id: e
        for e in ProgressEntry.objects.filter(node__plan=plan, fiscal_year=fiscal_year).select_related("status")
    }


def plan_tree(plan: Plan, fiscal_year: int | None = None) -> list[TreeNode]:
    """The plan's roots with children nested, each with departments and the year's entry.

    A re-listed node shows its original's departments and entry; its children are the original's.
    """
    nodes = list(PlanNode.objects.filter(plan=plan).order_by("path"))
    by_id = {n.pk: n for n in nodes}
    for n in nodes:  # fill the relation caches so templates never query per node
        if n.parent_id:
            n.parent = by_id[n.parent_id]
        if n.relisted_from_id and n.relisted_from_id in by_id:
            n.relisted_from = by_id[n.relisted_from_id]
    owners = _departments_by_node(plan)
    entries = _entries_by_node(plan, fiscal_year)
    items: dict[int, TreeNode] = {}
    for n in nodes:
        original = by_id.get(n.relisted_from_id) if n.relisted_from_id else None
        source = original or n
        items[n.pk] = TreeNode(n, owners.get(source.pk, []), entries.get(source.pk), original)
    roots: list[TreeNode] = []
    for n in nodes:
        item = items[n.pk]
        if n.parent_id is None:
            roots.append(item)
        else:
            items[n.parent_id].children.append(item)
    for n in nodes:
        if n.relisted_from_id and not items[n.pk].children and n.relisted_from_id in items:
            # A whole re-listed initiative shows the original's rows (Nakano 2-1-① ← 1-1-③).
            items[n.pk].children = [
                TreeNode(c.node, c.departments, c.entry, c.node, c.children) for c in items[n.relisted_from_id].children
            ]
    return roots


def status_counts(plan: Plan, fiscal_year: int) -> list[tuple[str, str, int]]:
    """(symbol, meaning, count) for every symbol of the plan's scale, in scale order.

    Counted over the official entries of the year. Re-listed nodes have no entries of their own, so a
    re-listed row is never counted twice.
    """
    if plan.status_scale_id is None:
        return []
    counts = Counter(
        ProgressEntry.objects.filter(node__plan=plan, fiscal_year=fiscal_year, status__isnull=False).values_list(
            "status__symbol", flat=True
        )
    )
    return [(s.symbol, s.meaning, counts.get(s.symbol, 0)) for s in plan.status_scale.symbols.all()]


@dataclass
class ProgressRow:
    """One row of the 別紙 list: an activity (or a leaf) with its entry."""

    node: PlanNode
    title: str
    departments: list[str]
    entry: ProgressEntry | None
    relisted_from: PlanNode | None


@dataclass
class ProgressGroup:
    """Rows grouped under their parent (the 実施内容 / initiative), with the parent's ancestors."""

    parent: PlanNode | None
    title: str
    ancestors: list[PlanNode]
    relisted_from: PlanNode | None
    rows: list[ProgressRow] = field(default_factory=list)


def progress_list(
    plan: Plan,
    fiscal_year: int,
    *,
    department: str | None = None,
    status: str | None = None,
) -> list[ProgressGroup]:
    """The 別紙 progress list: leaf items grouped by their parent, in plan order.

    ``department`` keeps rows owned or co-owned by that department; ``status`` keeps rows with that
    symbol (``"none"``: rows without a status). A re-listed row shows the original's figures and is
    marked as 再掲.
    """
    tree = plan_tree(plan, fiscal_year)
    groups: list[ProgressGroup] = []

    def visit(item: TreeNode, ancestors: list[PlanNode], group: ProgressGroup | None) -> None:
        if not item.children:
            if group is None:
                return
            source_entry = item.entry
            if department and department not in item.departments:
                return
            symbol = source_entry.status.symbol if source_entry and source_entry.status_id else None
            if status == "none" and symbol is not None:
                return
            if status and status != "none" and symbol != status:
                return
            group.rows.append(
                ProgressRow(item.node, item.title, item.departments, source_entry, item.original)
            )
            return
        leaf_parent = all(not c.children for c in item.children)
        if leaf_parent:
            new_group = ProgressGroup(item.node, item.title, list(ancestors), item.original)
            groups.append(new_group)
            for child in item.children:
                visit(child, ancestors + [item.node], new_group)
        else:
            for child in item.children:
                visit(child, ancestors + [item.node], None)

    for root in tree:
        visit(root, [], None)
    return [g for g in groups if g.rows]
