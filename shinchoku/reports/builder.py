"""Report builder — 報告書の組み立て: from a plan, a fiscal year and options to a report model.

Plain Python (no request, no template): every figure is read through the plans and indicators query
functions (:mod:`shinchoku.plans.queries`, :mod:`shinchoku.indicators.queries`), which run a fixed
number of queries whatever the plan's size. The report model is a tree of dataclasses that every
renderer reads (web page, XLSX, PDF, CSV, JSON — :mod:`shinchoku.reports.render`); nothing in a
renderer goes back to the database.

Reports — the shapes the wards publish (seed 003, 中野区):

- ``summary`` (a) 進捗状況の概要: the status legend with the number of activities per symbol
  (進捗状況の区分 / 取組の数) and the indicator trend table (成果指標の推移: actuals and targets by
  year exactly as published, with the judgement engine's grade for the report year);
- ``progress-list`` (b) 別紙 進捗状況一覧: activities grouped by goal and initiative, in the
  document's column order (実施内容, 事業内容, 進捗状況, スケジュールの変更理由, 取組結果, 次年度の
  取組予定, 次年度以降の取組予定, 所管課); a re-listed row (再掲) is a reference to where its figures
  are, never counted or shown twice;
- ``department`` (c) 所管課別の進捗状況: per department, how many activities it owns and their
  statuses, and the late or not-started ones with the reason given;
- ``findings`` (d) 監査の指摘・意見の措置状況一覧, when the audits app's tables exist.

Official figures only (``ReportOptions.approved_only``, the default): an entry that is a draft,
submitted or returned is not a figure of the report; its row is shown empty, as if not yet answered.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Iterator

from shinchoku.core import fiscal
from shinchoku.core.tabular import to_data  # noqa: F401  (the report model as data)
from shinchoku.indicators.engine import spec_for
from shinchoku.indicators.judgement import judge
from shinchoku.indicators.models import IndicatorDefinitionChange, IndicatorValue
from shinchoku.indicators.queries import indicator_table
from shinchoku.plans.models import Plan, ProgressEntry
from shinchoku.plans.queries import EntryView, entries_by_node, load_nodes, plan_tree, progress_list

APPROVED = ProgressEntry.State.APPROVED.value

REPORT_KINDS = {
    "summary": "進捗状況の概要",
    "progress-list": "進捗状況一覧（別紙）",
    "department": "所管課別の進捗状況",
    "findings": "監査の指摘・意見の措置状況一覧",
}


class ReportError(ValueError):
    """The report cannot be built as asked (unknown kind, a plan without a status scale …)."""


@dataclass(frozen=True)
class ReportOptions:
    """What to include. ``department`` / ``status`` filter the progress list (status ``"none"``: rows
    without a status)."""

    department: str | None = None
    status: str | None = None
    approved_only: bool = True


# --------------------------------------------------------------------------------------------------
# Shared parts


@dataclass
class ReportHeader:
    kind: str
    title: str  # 進捗状況の概要 …
    municipality_code: str
    municipality_name: str
    plan_id: int
    plan_name: str
    fiscal_year: int
    fiscal_year_label: str  # 令和5年度
    fiscal_year_both: str  # 令和5年度（2023年度）
    approved_only: bool = True
    filters: dict[str, str] = field(default_factory=dict)

    @property
    def heading(self) -> str:
        """The running header of a printed page: plan name and fiscal year."""
        return f"{self.plan_name}　{self.fiscal_year_label}"

    @property
    def filter_text(self) -> str:
        labels = {"department": "所管課", "status": "進捗状況"}
        return "／".join(f"{labels.get(k, k)}: {v}" for k, v in self.filters.items())


@dataclass
class LegendEntry:
    symbol: str
    meaning: str
    category: str


def _header(plan: Plan, fy: int, kind: str, options: ReportOptions) -> ReportHeader:
    filters = {}
    if kind == "progress-list":
        if options.department:
            filters["department"] = options.department
        if options.status:
            filters["status"] = "記入なし" if options.status == "none" else options.status
    return ReportHeader(
        kind=kind,
        title=REPORT_KINDS[kind],
        municipality_code=plan.municipality.code,
        municipality_name=plan.municipality.name,
        plan_id=plan.pk,
        plan_name=plan.name,
        fiscal_year=fy,
        fiscal_year_label=fiscal.to_wareki(fy),
        fiscal_year_both=fiscal.label(fy),
        approved_only=options.approved_only,
        filters=filters,
    )


def _legend(plan: Plan) -> list[LegendEntry]:
    if plan.status_scale_id is None:
        return []
    return [LegendEntry(s.symbol, s.meaning, s.category) for s in plan.status_scale.symbols.all()]


def _official(entry: EntryView | None, options: ReportOptions) -> EntryView | None:
    """The entry if it is a figure of the report (approved, unless drafts were asked for)."""
    if entry is None:
        return None
    if options.approved_only and entry.state != APPROVED:
        return None
    return entry


# --------------------------------------------------------------------------------------------------
# (a) Summary: status counts and the indicator trend table


@dataclass
class StatusLine:
    symbol: str
    meaning: str
    category: str
    count: int


@dataclass
class StatusSummary:
    lines: list[StatusLine]
    total: int  # activities with a status (re-listed rows never counted)
    unanswered: int  # activities without an official status for the year

    def count_of(self, symbol: str) -> int:
        return next((line.count for line in self.lines if line.symbol == symbol), 0)


@dataclass
class TrendColumn:
    kind: str  # actual / estimate / target
    kind_label: str  # 実績 / 見込み / 目標
    fiscal_year: int
    year_label: str  # 令和4年度


@dataclass
class TrendCell:
    raw_text: str  # exactly as published
    value: Decimal | None  # in base units (約179万件 → 1790000)
    unit: str
    readable: bool
    note: str = ""  # why the value could not be read


@dataclass
class GradeView:
    """The judgement engine's verdict for the report year (:func:`shinchoku.indicators.judgement.judge`)."""

    fiscal_year: int
    grade: str  # 達成 / 順調 / 遅れ / 未達 / 判定不可
    reason: str
    achievement_rate: Decimal | None = None
    on_track: bool | None = None
    trend: str | None = None
    definition_break: bool = False


@dataclass
class TrendRow:
    indicator_id: int
    code: str
    name: str
    name_marks: list[str]  # footnote marks printed after the name (※2), not after a value
    unit: str
    direction: str
    cells: list[TrendCell | None]
    grade: GradeView | None
    # The engine's view of the indicator, for charts; not part of the data (see ``to_data``).
    spec: Any = field(default=None, repr=False, compare=False, metadata={"data": False})
    series: Any = field(default=None, repr=False, compare=False, metadata={"data": False})

    @property
    def display_name(self) -> str:
        return " ".join([self.name, *self.name_marks])


@dataclass
class TrendGroup:
    title: str
    rows: list[TrendRow] = field(default_factory=list)


@dataclass
class Footnote:
    mark: str
    text: str


@dataclass
class TrendTable:
    columns: list[TrendColumn]
    groups: list[TrendGroup]
    footnotes: list[Footnote]
    judged_year: int
    judged_year_label: str
    as_of: str  # ※令和5年度末時点

    @property
    def column_spans(self) -> list[tuple[str, int]]:
        """(kind label, number of year columns) — the first header row: 実績 ×2, 目標 ×2."""
        spans: list[tuple[str, int]] = []
        for col in self.columns:
            if spans and spans[-1][0] == col.kind_label:
                spans[-1] = (col.kind_label, spans[-1][1] + 1)
            else:
                spans.append((col.kind_label, 1))
        return spans

    @property
    def rows(self) -> Iterator[tuple[TrendGroup, TrendRow]]:
        for group in self.groups:
            for row in group.rows:
                yield group, row

    @property
    def row_count(self) -> int:
        return sum(len(g.rows) for g in self.groups)


@dataclass
class SummaryReport:
    header: ReportHeader
    legend: list[LegendEntry]
    status: StatusSummary
    indicators: TrendTable
    kind: str = "summary"


def _grade(indicator, values: list[IndicatorValue], changes, fy: int) -> tuple[GradeView | None, Any, Any]:
    """The year's grade from the judgement engine, with the engine's spec and series (for the chart)."""
    spec, series = spec_for(indicator, values, changes)
    if fy not in series.actuals:
        return None, spec, series
    j = judge(spec, series.actuals, fy, estimates=series.estimates)
    grade = GradeView(
        fiscal_year=fy,
        grade=j.grade.value,
        reason=j.reason,
        achievement_rate=j.achievement_rate,
        on_track=j.on_track,
        trend=j.trend,
        definition_break=j.definition_break,
    )
    return grade, spec, series


def trend_table(plan: Plan, fy: int) -> TrendTable:
    """成果指標の推移 as of the end of ``fy``: actuals (and estimates) up to ``fy``, targets from the
    first shown actual year on — the published layout (実績 令和4・5年度 | 目標 令和5・7年度)."""
    table = indicator_table(plan)
    shown_actual_years = [c.fiscal_year for c in table.columns if c.kind != "target" and c.fiscal_year <= fy]
    first_year = min(shown_actual_years) if shown_actual_years else fy
    keep = [
        i for i, c in enumerate(table.columns)
        if (c.kind != "target" and c.fiscal_year <= fy) or (c.kind == "target" and c.fiscal_year >= first_year)
    ]
    columns = [
        TrendColumn(table.columns[i].kind, table.columns[i].kind_label, table.columns[i].fiscal_year,
                    fiscal.to_wareki(table.columns[i].fiscal_year))
        for i in keep
    ]
    changes_by_indicator: dict[int, list[IndicatorDefinitionChange]] = {}
    for change in IndicatorDefinitionChange.objects.filter(indicator__plan=plan).order_by("effective_fiscal_year"):
        changes_by_indicator.setdefault(change.indicator_id, []).append(change)
    groups: list[TrendGroup] = []
    for group in table.groups:
        out = TrendGroup(group.title)
        for row in group.rows:
            ind = row.indicator
            stored = [c for c in row.cells if c is not None]
            value_marks = {m for v in stored for m in (v.footnote_marks or [])}
            name_marks = [n.get("mark", "") for n in ind.footnotes or [] if n.get("mark") and n.get("mark") not in value_marks]
            cells = [
                None if row.cells[i] is None else TrendCell(
                    row.cells[i].raw_text, row.cells[i].value, row.cells[i].unit, row.cells[i].readable, row.cells[i].parse_note
                )
                for i in keep
            ]
            grade, spec, series = _grade(ind, stored, changes_by_indicator.get(ind.pk, []), fy)
            out.rows.append(TrendRow(
                indicator_id=ind.pk, code=ind.code, name=ind.name, name_marks=name_marks, unit=ind.unit,
                direction=ind.direction, cells=cells, grade=grade, spec=spec, series=series,
            ))
        groups.append(out)
    return TrendTable(
        columns=columns,
        groups=groups,
        footnotes=[Footnote(n.get("mark", ""), n.get("text", "")) for n in table.footnotes],
        judged_year=fy,
        judged_year_label=fiscal.to_wareki(fy),
        as_of=f"※{fiscal.to_wareki(fy)}末時点",
    )


def _leaf_ids(plan: Plan) -> list[int]:
    """Activities that carry progress: leaves that are not re-listings, in plan order."""
    nodes = load_nodes(plan)
    parents = {n.parent_id for n in nodes if n.parent_id is not None}
    return [n.pk for n in nodes if n.pk not in parents and n.relisted_from_id is None]


def status_summary(plan: Plan, fy: int, options: ReportOptions, legend: list[LegendEntry]) -> StatusSummary:
    """進捗状況の区分ごとの取組の数: the year's official entries per symbol, re-listed rows never counted."""
    entries = entries_by_node(plan, fy)
    counts: Counter[str] = Counter()
    answered = set()
    for node_id, entry in entries.items():
        entry = _official(entry, options)
        if entry is not None and entry.status is not None:
            counts[entry.status.symbol] += 1
            answered.add(node_id)
    leaves = _leaf_ids(plan)
    return StatusSummary(
        lines=[StatusLine(s.symbol, s.meaning, s.category, counts.get(s.symbol, 0)) for s in legend],
        total=sum(counts.values()),
        unanswered=sum(1 for pk in leaves if pk not in answered),
    )


def build_summary(plan: Plan, fy: int, options: ReportOptions = ReportOptions()) -> SummaryReport:
    legend = _legend(plan)
    return SummaryReport(
        header=_header(plan, fy, "summary", options),
        legend=legend,
        status=status_summary(plan, fy, options, legend),
        indicators=trend_table(plan, fy),
    )


# --------------------------------------------------------------------------------------------------
# (b) 別紙: progress list grouped by goal and initiative


@dataclass
class ProgressItem:
    """One row of the 別紙 list: an activity (事業内容) with the year's official entry."""

    code: str
    title: str
    status: str
    change_reason: str
    result: str
    next_year_plan: str
    later_plan: str
    departments: list[str]
    relisted_from: str | None = None  # 再掲: code of the initiative whose rows carry the figures
    answered: bool = True

    @property
    def is_relisting(self) -> bool:
        return self.relisted_from is not None

    @property
    def reference(self) -> str:
        return f"再掲（{self.relisted_from} に記載）" if self.relisted_from else ""


@dataclass
class ProgressInitiative:
    code: str
    title: str
    relisted_from: str | None  # a whole re-listed initiative: the original's code
    context: list[str]  # ancestors between the goal and the initiative ("1-2 施策名")
    rows: list[ProgressItem] = field(default_factory=list)

    @property
    def label(self) -> str:
        return f"({self.relisted_from}再掲){self.title}" if self.relisted_from else self.title


@dataclass
class ProgressGoal:
    code: str
    title: str
    initiatives: list[ProgressInitiative] = field(default_factory=list)


@dataclass
class ProgressColumns:
    """Column headings as the document prints them for the report year."""

    initiative: str = "実施内容"
    activity: str = "事業内容"
    status: str = "進捗状況"
    change_reason: str = "スケジュールの変更理由"
    result: str = ""
    next_year_plan: str = ""
    later_plan: str = ""
    departments: str = "所管課"

    @classmethod
    def for_year(cls, fy: int) -> "ProgressColumns":
        return cls(
            result=f"取組結果（{fiscal.to_wareki(fy)}）",
            next_year_plan=f"{fiscal.to_wareki(fy + 1)}の取組予定",
            later_plan=f"{fiscal.to_wareki(fy + 2)}以降の取組予定",
        )

    def as_list(self) -> list[str]:
        """In the document's order; 実施内容 spans two columns (code and title)."""
        return [self.initiative, self.activity, self.status, self.change_reason, self.result,
                self.next_year_plan, self.later_plan, self.departments]


@dataclass
class ProgressListReport:
    header: ReportHeader
    legend: list[LegendEntry]
    columns: ProgressColumns
    goals: list[ProgressGoal]
    kind: str = "progress-list"

    @property
    def row_count(self) -> int:
        return sum(len(i.rows) for g in self.goals for i in g.initiatives)

    def iter_rows(self) -> Iterator[tuple[ProgressGoal, ProgressInitiative, ProgressItem]]:
        for goal in self.goals:
            for initiative in goal.initiatives:
                for row in initiative.rows:
                    yield goal, initiative, row


def build_progress_list(plan: Plan, fy: int, options: ReportOptions = ReportOptions()) -> ProgressListReport:
    groups = progress_list(plan, fy, department=options.department or None)
    goals: list[ProgressGoal] = []
    by_goal: dict[int, ProgressGoal] = {}
    for group in groups:
        goal_node = group.ancestors[0] if group.ancestors else None
        key = goal_node.pk if goal_node is not None else 0
        goal = by_goal.get(key)
        if goal is None:
            goal = ProgressGoal(goal_node.code if goal_node else "", goal_node.display_title if goal_node else "")
            by_goal[key] = goal
            goals.append(goal)
        initiative = ProgressInitiative(
            code=group.parent.code if group.parent is not None else "",
            title=group.title,
            relisted_from=group.relisted_from.code if group.relisted_from is not None else None,
            context=[f"{a.code} {a.display_title}".strip() for a in group.ancestors[1:]],
        )
        for r in group.rows:
            if r.relisted_from is not None:
                origin = r.relisted_from.parent.code if r.relisted_from.parent is not None else r.relisted_from.code
                item = ProgressItem(r.node.code, r.title, "", "", "", "", "", list(r.departments), relisted_from=origin)
                if options.status:  # a reference has no status of its own: shown only unfiltered
                    continue
            else:
                e = _official(r.entry, options)
                item = ProgressItem(
                    r.node.code, r.title,
                    e.status_symbol if e else "", e.change_reason if e else "", e.result if e else "",
                    e.next_year_plan if e else "", e.later_plan if e else "", list(r.departments),
                    answered=e is not None,
                )
                if options.status == "none" and item.status:
                    continue
                if options.status and options.status != "none" and item.status != options.status:
                    continue
            initiative.rows.append(item)
        if initiative.rows:
            goal.initiatives.append(initiative)
    goals = [g for g in goals if g.initiatives]
    return ProgressListReport(
        header=_header(plan, fy, "progress-list", options),
        legend=_legend(plan),
        columns=ProgressColumns.for_year(fy),
        goals=goals,
    )


# --------------------------------------------------------------------------------------------------
# (c) Per-department summary


@dataclass
class DepartmentLine:
    name: str
    total: int  # activities the department owns or co-owns
    counts: list[int]  # per legend symbol, in legend order
    unanswered: int


@dataclass
class AttentionItem:
    """An activity reported late or not started, with the reason the department gave."""

    code: str
    title: str
    status: str
    change_reason: str
    departments: list[str]


@dataclass
class DepartmentReport:
    header: ReportHeader
    legend: list[LegendEntry]
    lines: list[DepartmentLine]
    totals: DepartmentLine  # distinct activities (a co-owned activity counts once here)
    attention: list[AttentionItem]
    kind: str = "department"


def build_department(plan: Plan, fy: int, options: ReportOptions = ReportOptions()) -> DepartmentReport:
    legend = _legend(plan)
    index = {entry.symbol: i for i, entry in enumerate(legend)}
    attention_symbols = {e.symbol for e in legend if e.category in ("late", "not_started")}
    per_department: dict[str, DepartmentLine] = {}
    totals = DepartmentLine("合計", 0, [0] * len(legend), 0)
    attention: list[AttentionItem] = []

    def visit(items) -> None:
        for item in items:
            if item.children:
                visit(item.children)
                continue
            if item.original is not None:  # 再掲: counted where it is listed originally
                continue
            entry = _official(item.entry, options)
            symbol = entry.status_symbol if entry else ""
            slot = index.get(symbol)
            lines = [totals] + [
                per_department.setdefault(name, DepartmentLine(name, 0, [0] * len(legend), 0))
                for name in item.departments
            ]
            for line in lines:
                line.total += 1
                if slot is None:
                    line.unanswered += 1
                else:
                    line.counts[slot] += 1
            if symbol in attention_symbols:
                attention.append(AttentionItem(item.node.code, item.title, symbol, entry.change_reason, list(item.departments)))

    visit(plan_tree(plan, fy))
    return DepartmentReport(
        header=_header(plan, fy, "department", options),
        legend=legend,
        lines=sorted(per_department.values(), key=lambda line: line.name),
        totals=totals,
        attention=attention,
    )


# --------------------------------------------------------------------------------------------------
# (d) Findings follow-up list (措置状況一覧)


@dataclass
class FindingItem:
    label: str  # 指摘事項1
    kind: str  # 指摘事項 / 意見事項
    number: int
    title: str
    departments: list[str]
    state: str  # 未措置 / 措置中 / 措置済 (latest approved response)
    response: str
    response_date: str


@dataclass
class AuditGroup:
    title: str
    fiscal_year: int
    findings: list[FindingItem] = field(default_factory=list)


@dataclass
class FindingsReport:
    header: ReportHeader
    audits: list[AuditGroup]
    state_counts: list[tuple[str, int]]
    kind: str = "findings"


_FINDINGS_TABLES: set[str] = set()  # databases known to have the audits tables (they never go away)


def findings_available() -> bool:
    """Whether the audits app's tables exist (its migration may not have been applied yet)."""
    from django.db import connection

    if connection.alias in _FINDINGS_TABLES:
        return True
    try:
        from shinchoku.audits.models import Finding
    except ImportError:  # pragma: no cover
        return False
    if Finding._meta.db_table in connection.introspection.table_names():
        _FINDINGS_TABLES.add(connection.alias)
        return True
    return False


def build_findings(plan: Plan, fy: int, options: ReportOptions = ReportOptions()) -> FindingsReport:
    """Every finding of the plan's municipality's audits up to ``fy``, with its official state.

    Read through the audits app's query functions (:mod:`shinchoku.audits.queries`), so that the
    official state means the same everywhere: the latest approved response; none approved = 未措置.
    Answers waiting for approval are not part of a report.
    """
    if not findings_available():
        raise ReportError("監査の指摘・意見のデータがまだ利用できません（監査アプリのデータベースが未作成です）")
    from shinchoku.audits.queries import STATE_ORDER, finding_rows, findings_queryset

    rows = finding_rows(findings_queryset(plan.municipality).filter(audit__fiscal_year__lte=fy))
    groups: list[AuditGroup] = []
    counts: Counter[str] = Counter()
    for r in rows:
        f = r.finding
        if not groups or groups[-1].title != str(r.audit):
            groups.append(AuditGroup(str(r.audit), r.audit.fiscal_year))
        counts[r.state_label] += 1
        groups[-1].findings.append(FindingItem(
            label=r.label, kind=f.get_kind_display(), number=f.number, title=f.title,
            departments=r.departments or ([f.department_text] if f.department_text else []),
            state=r.state_label,
            response=r.official.text if r.official else "",
            response_date=r.official.date.isoformat() if r.official else "",
        ))
    return FindingsReport(
        header=_header(plan, fy, "findings", options),
        audits=groups,
        state_counts=[(label, counts.get(label, 0)) for label in STATE_ORDER],
    )


# --------------------------------------------------------------------------------------------------

BUILDERS = {
    "summary": build_summary,
    "progress-list": build_progress_list,
    "department": build_department,
    "findings": build_findings,
}

Report = SummaryReport | ProgressListReport | DepartmentReport | FindingsReport


def build_report(kind: str, plan: Plan, fy: int, options: ReportOptions = ReportOptions()) -> Report:
    builder = BUILDERS.get(kind)
    if builder is None:
        raise ReportError(f"報告書の種類「{kind}」はありません（{', '.join(BUILDERS)}）")
    if kind in ("summary", "department") and plan.status_scale_id is None:
        raise ReportError(f"計画「{plan.name}」には進捗区分がないため、{REPORT_KINDS[kind]}は作れません")
    return builder(plan, fy, options)


def latest_official_years(plans: list[Plan]) -> dict[int, int]:
    """Plan id → the latest fiscal year with official (approved) entries, for many plans in one query."""
    from django.db.models import Max

    return dict(
        ProgressEntry.objects.filter(node__plan__in=[p.pk for p in plans], state=APPROVED)
        .values("node__plan_id").annotate(latest=Max("fiscal_year")).values_list("node__plan_id", "latest")
    )


def default_fiscal_year(plan: Plan) -> int:
    """The latest year with official entries, else the plan's first year."""
    return latest_official_years([plan]).get(plan.pk) or plan.period_start
