"""Read side of plans: the tree, the 別紙 progress list and status counts.

Each function runs a fixed number of queries whatever the plan's size, and reads plain tuples
(``values_list``) into small slotted records instead of model instances: at 1,000+ items, model
instantiation was a third of the page time.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from shinchoku.plans.models import NodeDepartment, Plan, PlanNode, ProgressEntry


@dataclass(slots=True)
class NodeView:
    """The fields of a PlanNode the pages show."""

    pk: int
    code: str
    title: str
    parent_id: int | None
    relisted_from_id: int | None
    depth: int
    parent: "NodeView | None" = None
    relisted_from: "NodeView | None" = None

    @property
    def display_title(self) -> str:
        if not self.title and self.relisted_from is not None:
            return self.relisted_from.title
        return self.title


@dataclass(slots=True)
class StatusView:
    symbol: str


@dataclass(slots=True)
class EntryView:
    """The fields of a ProgressEntry the pages show."""

    pk: int
    status: StatusView | None
    result: str
    next_year_plan: str
    later_plan: str
    change_reason: str
    state: str
    version: int

    @property
    def status_symbol(self) -> str:
        return self.status.symbol if self.status is not None else ""


@dataclass(slots=True)
class TreeNode:
    node: NodeView
    departments: list[str]
    entry: EntryView | None
    original: NodeView | None  # for a 再掲 node: the node it shows
    children: list["TreeNode"] = field(default_factory=list)

    @property
    def title(self) -> str:
        return self.original.title if self.original is not None and not self.node.title else self.node.title

    @property
    def status_symbol(self) -> str:
        return self.entry.status_symbol if self.entry is not None else ""


def load_nodes(plan: Plan) -> list[NodeView]:
    rows = PlanNode.objects.filter(plan=plan).order_by("path").values_list(
        "pk", "code", "title", "parent_id", "relisted_from_id", "depth"
    )
    nodes = [NodeView(*row) for row in rows]
    by_id = {n.pk: n for n in nodes}
    for n in nodes:
        if n.parent_id is not None:
            n.parent = by_id.get(n.parent_id)
        if n.relisted_from_id is not None:
            n.relisted_from = by_id.get(n.relisted_from_id)
    return nodes


def departments_by_node(plan: Plan) -> dict[int, list[str]]:
    owners: dict[int, list[str]] = defaultdict(list)
    for node_id, name in (
        NodeDepartment.objects.filter(node__plan=plan).order_by("node_id", "order").values_list("node_id", "department__name")
    ):
        owners[node_id].append(name)
    return owners


def entries_by_node(plan: Plan, fiscal_year: int | None) -> dict[int, EntryView]:
    if fiscal_year is None:
        return {}
    statuses: dict[str, StatusView] = {}
    entries = {}
    for node_id, pk, symbol, *rest in ProgressEntry.objects.filter(node__plan=plan, fiscal_year=fiscal_year).values_list(
        "node_id", "pk", "status__symbol", "result", "next_year_plan", "later_plan", "change_reason", "state", "version"
    ):
        status = statuses.setdefault(symbol, StatusView(symbol)) if symbol else None
        entries[node_id] = EntryView(pk, status, *rest)
    return entries


def plan_tree(plan: Plan, fiscal_year: int | None = None) -> list[TreeNode]:
    """The plan's roots with children nested, each with departments and the year's entry.

    A re-listed node shows its original's departments and entry; its children are the original's.
    """
    nodes = load_nodes(plan)
    owners = departments_by_node(plan)
    entries = entries_by_node(plan, fiscal_year)
    items: dict[int, TreeNode] = {}
    for n in nodes:
        source = n.relisted_from or n
        items[n.pk] = TreeNode(n, owners.get(source.pk, []), entries.get(source.pk), n.relisted_from)
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


@dataclass(slots=True)
class ProgressRow:
    """One row of the 別紙 list: an activity (or a leaf) with its entry."""

    node: NodeView
    title: str
    departments: list[str]
    entry: EntryView | None
    relisted_from: NodeView | None


@dataclass(slots=True)
class ProgressGroup:
    """Rows grouped under their parent (the 実施内容 / initiative), with the parent's ancestors."""

    parent: NodeView | None
    title: str
    ancestors: list[NodeView]
    relisted_from: NodeView | None
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

    def keep(item: TreeNode) -> bool:
        if department and department not in item.departments:
            return False
        symbol = item.status_symbol or None
        if status == "none":
            return symbol is None
        return not status or symbol == status

    def visit(item: TreeNode, ancestors: list[NodeView]) -> None:
        leaves = [c for c in item.children if not c.children]
        if leaves:
            group = ProgressGroup(item.node, item.title, list(ancestors), item.original)
            group.rows = [ProgressRow(c.node, c.title, c.departments, c.entry, c.original) for c in leaves if keep(c)]
            if group.rows:
                groups.append(group)
        for child in item.children:
            if child.children:
                visit(child, ancestors + [item.node])

    for root in tree:
        if root.children:
            visit(root, [])
    return groups
