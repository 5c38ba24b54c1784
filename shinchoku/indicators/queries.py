"""Read side of indicators: the trend table (実績・目標 by year) in a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass, field

from shinchoku.core import fiscal
from shinchoku.core.models import Department
from shinchoku.core.rules import Owners
from shinchoku.indicators.models import Indicator, IndicatorValue
from shinchoku.plans.models import NodeDepartment, Plan


def responsible_departments(indicator: Indicator) -> Owners:
    """Departments that answer for the indicator: its owner and the owners of its linked nodes
    (a re-listed node 再掲 with its original's departments). Two queries."""
    ids = {indicator.owner_id} if indicator.owner_id else set()
    if indicator.pk is not None:
        linked = list(indicator.nodes.values_list("pk", "relisted_from_id"))
        node_ids = {pk for pk, _ in linked} | {orig for _, orig in linked if orig}
        if node_ids:
            ids |= set(NodeDepartment.objects.filter(node_id__in=node_ids).values_list("department_id", flat=True))
    rows = Department.objects.filter(pk__in=ids).values_list("pk", "name") if ids else []
    return Owners(frozenset(ids), tuple(sorted(name for _, name in rows)))


@dataclass
class Column:
    fiscal_year: int
    kind: str

    @property
    def label(self) -> str:
        return fiscal.to_wareki(self.fiscal_year)

    @property
    def kind_label(self) -> str:
        return IndicatorValue.Kind(self.kind).label


@dataclass
class IndicatorRow:
    indicator: Indicator
    cells: list  # per column: a value row (year, kind, raw_text, value, unit, readable, parse_note, footnote_marks) or None


@dataclass
class IndicatorGroup:
    title: str
    rows: list[IndicatorRow] = field(default_factory=list)


@dataclass
class IndicatorTable:
    columns: list[Column]
    groups: list[IndicatorGroup]
    footnotes: list[dict]
    latest_actual_year: int | None

    @property
    def column_spans(self) -> list[tuple[str, int]]:
        spans: list[tuple[str, int]] = []
        for col in self.columns:
            if spans and spans[-1][0] == col.kind_label:
                spans[-1] = (col.kind_label, spans[-1][1] + 1)
            else:
                spans.append((col.kind_label, 1))
        return spans


KIND_ORDER = {"actual": 0, "estimate": 1, "target": 2}


def indicator_table(plan: Plan) -> IndicatorTable:
    """Actuals, estimates then targets, each by year — the published layout of 成果指標の推移."""
    indicators = list(Indicator.objects.filter(plan=plan).order_by("order", "code"))
    values = list(
        IndicatorValue.objects.filter(indicator__plan=plan).values_list(
            "indicator_id", "fiscal_year", "kind", "raw_text", "value", "unit", "readable", "parse_note",
            "footnote_marks", named=True,
        )
    )
    columns = sorted({(v.kind, v.fiscal_year) for v in values}, key=lambda kv: (KIND_ORDER[kv[0]], kv[1]))
    index = {(v.indicator_id, v.kind, v.fiscal_year): v for v in values}
    groups: list[IndicatorGroup] = []
    footnotes: list[dict] = []
    seen_marks: set[str] = set()
    for ind in indicators:
        if not groups or groups[-1].title != ind.group:
            groups.append(IndicatorGroup(ind.group))
        groups[-1].rows.append(IndicatorRow(ind, [index.get((ind.pk, k, y)) for k, y in columns]))
        for note in ind.footnotes or []:
            if note.get("mark") not in seen_marks:
                seen_marks.add(note.get("mark"))
                footnotes.append(note)
    actual_years = [y for k, y in columns if k == "actual"]
    return IndicatorTable(
        [Column(y, k) for k, y in columns], groups, footnotes, max(actual_years) if actual_years else None
    )
