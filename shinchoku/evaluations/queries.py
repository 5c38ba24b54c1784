"""Reads of evaluation sheets for the pages, the exports and the checks (a fixed number of queries).

* :func:`readable_sheets` — the sheets an :class:`~shinchoku.core.access.Access` may read: every
  sheet of its municipality for planning, auditors and executives; an editor's departments' sheets
  (and those of the departments below them); nothing for anyone else. A sheet outside it is 404.
* :func:`sheet_data` — the dataclass rebuilt from the stored rows, so :mod:`.checks` recomputes the
  figures *as stored* (after any edit), never the parse result kept in memory.
* :func:`sheet_list` — the list page's rows, grouped by department.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Prefetch, QuerySet

from shinchoku.core import fiscal
from shinchoku.core.access import Access
from shinchoku.core.models import Department
from shinchoku.core.rules import Owners
from shinchoku.evaluations.checks import CheckResult, check_sheet, execution_rate
from shinchoku.evaluations.importers import arakawa as ak
from shinchoku.evaluations.models import (
    ActivitySeries,
    BreakdownColumn,
    BudgetYear,
    Classification,
    Contract,
    EvaluationSheet,
    SheetIndicator,
    SheetIndicatorValue,
)
from shinchoku.indicators.judgement import Direction, IndicatorSpec, Judgement, judge
from shinchoku.indicators.models import Indicator, IndicatorValue
from shinchoku.indicators.values import parse_value

# ---------------------------------------------------------------------------------------------
# scope


def readable_sheets(access: Access) -> QuerySet:
    """The sheets ``access`` may read (compare :func:`shinchoku.evaluations.rules.read_sheet`)."""
    if access.is_system and access.municipality is None:
        return EvaluationSheet.objects.all()  # a command without --municipality
    if not access.is_member or access.municipality is None:
        return EvaluationSheet.objects.none()
    qs = EvaluationSheet.objects.filter(municipality_id=access.municipality_id)
    if access.can_read_all:
        return qs
    if access.is_editor:
        return qs.filter(department_id__in=access.department_ids)
    return qs.none()


def owners_of(sheet: EvaluationSheet) -> Owners:
    """The sheet's 所管課 as the rules need it (none when the sheet names no department)."""
    return Owners.of([sheet.department]) if sheet.department_id else Owners()


def department_of(access: Access, pk: int) -> Department | None:
    """A department of the municipality ``access`` acts for (None for anyone else's)."""
    return Department.objects.filter(pk=pk, municipality_id=access.municipality_id).first() if access.is_member else None


def sheet_indicator(municipality_id: int, code: str) -> Indicator | None:
    """The engine's indicator of a sheet row (outside any plan), if the sheet was imported before."""
    return Indicator.objects.filter(municipality_id=municipality_id, plan__isnull=True, code=code).first()


# ---------------------------------------------------------------------------------------------
# pages


def fiscal_years(qs: QuerySet) -> list[int]:
    return sorted(set(qs.values_list("fiscal_year", flat=True)), reverse=True)


@dataclass
class DepartmentGroup:
    department: Department | None
    name: str
    sheets: list[dict] = field(default_factory=list)


def sheet_list(access: Access, fiscal_year: int | None) -> list[DepartmentGroup]:
    """所管課ごとのシート一覧 of one fiscal year: classification, this year's budget, the latest settled
    year's settlement and execution rate (sheets, classifications and budgets in three queries)."""
    if fiscal_year is None:
        return []
    sheets = (
        readable_sheets(access).filter(fiscal_year=fiscal_year)
        .select_related("department")
        .prefetch_related(
            Prefetch("classifications", queryset=Classification.objects.order_by("fiscal_year")),
            Prefetch("budget_years", queryset=BudgetYear.objects.order_by("fiscal_year")),
        )
        .order_by("department__name", "code")
    )
    groups: dict[int | None, DepartmentGroup] = {}
    for sheet in sheets:
        group = groups.setdefault(sheet.department_id, DepartmentGroup(
            sheet.department, sheet.department.name if sheet.department else sheet.department_raw,
        ))
        group.sheets.append(list_row(sheet))
    return list(groups.values())


def list_row(sheet: EvaluationSheet) -> dict:
    budgets = list(sheet.budget_years.all())
    current = next((b for b in budgets if b.fiscal_year == sheet.fiscal_year), None)
    settled = [b for b in budgets if b.fiscal_year < sheet.fiscal_year and not b.settlement_estimate]
    last = settled[-1] if settled else None
    rate = execution_rate(last.budget, last.settlement) if last else None
    return {
        "sheet": sheet,
        "classifications": [(fiscal.to_wareki(c.fiscal_year), c.label) for c in sheet.classifications.all()],
        "budget": current.budget_raw if current else "",
        "last_year": fiscal.to_wareki(last.fiscal_year) if last else "",
        "last_settlement": last.settlement_raw if last else "",
        "rate": f"{rate}%" if rate is not None else ("判定不可" if last else ""),
    }


def readable_sheet(access: Access, pk: int) -> EvaluationSheet | None:
    """One sheet with every child row, or None when ``access`` may not read it (or it does not exist)."""
    return report_queryset(readable_sheets(access)).filter(pk=pk).first()


def department_sheets(access: Access, department: Department, fiscal_year: int | None) -> list[EvaluationSheet]:
    qs = readable_sheets(access).filter(department=department, fiscal_year=fiscal_year)
    return list(report_queryset(qs).order_by("code"))


# ---------------------------------------------------------------------------------------------
# reading back


def sheets_queryset(queryset: QuerySet | None = None) -> QuerySet:
    """Sheets with every child row prefetched (a fixed number of queries for any number of sheets)."""
    qs = queryset if queryset is not None else EvaluationSheet.objects.all()
    return qs.select_related("municipality", "department").prefetch_related(
        "small_projects",
        Prefetch("contracts", queryset=Contract.objects.order_by("order")),
        Prefetch("indicators", queryset=SheetIndicator.objects.select_related("indicator").prefetch_related("values")),
        "classifications",
        "budget_years",
        Prefetch("activities", queryset=ActivitySeries.objects.prefetch_related("values")),
        Prefetch("breakdown_columns", queryset=BreakdownColumn.objects.prefetch_related("items")),
        "cost_lines",
    )


def report_queryset(queryset: QuerySet) -> QuerySet:
    """:func:`sheets_queryset` and the linked indicators' values, which the report judges."""
    return sheets_queryset(queryset).prefetch_related("indicators__indicator__values")


def radio_from_json(data: dict | None) -> ak.RadioGroup | None:
    if not data:
        return None
    return ak.RadioGroup(
        options=[ak.RadioOption(label=o["label"], checked=bool(o["checked"])) for o in data.get("options", [])],
        raw=data.get("raw", ""),
    )


def _amount(raw: str, value: int | None) -> ak.Amount | None:
    if not raw and value is None:
        return None
    return ak.Amount(raw=raw or ak.format_amount(value), value=value)  # type: ignore[arg-type]


def _dec(value) -> Decimal | None:
    if value is None:
        return None
    return Decimal(value).normalize() if Decimal(value) != Decimal(value).to_integral_value() else Decimal(int(value))


def _level(level: str, code: str, title: str) -> ak.PolicyLevel | None:
    if not code:
        return None
    return ak.PolicyLevel(level=level, code=code, title=title or None)


def sheet_data(sheet: EvaluationSheet) -> ak.EvaluationSheetData:
    """The stored sheet as the parser's dataclass (what :mod:`.checks` and the renderers read)."""
    dept = None
    if sheet.department_raw:
        dept = ak.Department(raw=sheet.department_raw, bu=sheet.department_bu or None, ka=sheet.department_ka or None,
                             kakari=sheet.department_kakari or None)
    return ak.EvaluationSheetData(
        filename=sheet.source_file,
        line_start=sheet.line_start or 0,
        line_end=sheet.line_end or 0,
        fiscal_year=sheet.fiscal_year,
        heading=sheet.heading,
        page_label=sheet.page_label or None,
        code=sheet.code,
        strategic_plan=radio_from_json(sheet.strategic_plan_radio),
        name=sheet.name,
        department=dept,
        manager=sheet.manager or None,
        staff=list(sheet.staff),
        staff_raw=sheet.staff_raw or None,
        extension=sheet.extension or None,
        small_projects_year=sheet.small_projects_year,
        small_projects=[ak.SmallProject(code=p.code, name=p.name or None)
                        for p in sorted(sheet.small_projects.all(), key=lambda p: p.order)],
        project_type=radio_from_json(sheet.project_type_radio),
        new_project_year=radio_from_json(sheet.new_project_year_radio),
        start_year=sheet.start_year,
        start_year_raw=sheet.start_year_raw or None,
        legal_basis=sheet.legal_basis or None,
        end_year_setting=radio_from_json(sheet.end_year_setting_radio),
        end_year=sheet.end_year,
        end_year_raw=sheet.end_year_raw or None,
        implementation_standard=radio_from_json(sheet.implementation_standard_radio),
        plan_category=radio_from_json(sheet.plan_category_radio),
        policy=ak.PolicyHierarchy(
            field=_level("分野", sheet.policy_field_code, sheet.policy_field_title),
            policy=_level("政策", sheet.policy_policy_code, sheet.policy_policy_title),
            measure=_level("施策", sheet.policy_measure_code, sheet.policy_measure_title),
        ),
        method=_method(sheet),
        indicators=_indicators(sheet),
        indicator_years=list(sheet.indicator_years),
        indicator_target_year=sheet.indicator_target_year,
        cost_statement=_cost_statement(sheet),
        **_texts(sheet),
        **_budget_tables(sheet),
    )


def _texts(sheet: EvaluationSheet) -> dict:
    """The prose fields of :class:`~.importers.arakawa.EvaluationSheetData` ('' stored → None)."""
    return {
        "purpose": sheet.purpose or None,
        "target_group": sheet.target_group or None,
        "content": sheet.content or None,
        "content_raw": sheet.content_raw or None,
        "history": sheet.history or None,
        "history_raw": sheet.history_raw or None,
        "history_entries": [ak.HistoryEntry(when=e["when"], text=e["text"]) for e in sheet.history_entries],
        "necessity": sheet.necessity or None,
        "classifications": [ak.Classification(fiscal_year=c.fiscal_year, label=c.label)
                            for c in sorted(sheet.classifications.all(), key=lambda c: c.fiscal_year)],
        "classification_reason": sheet.classification_reason or None,
        "remarks": sheet.remarks or None,
        "issues": [ak.Issue(number=i.get("number"), text=i.get("text", "")) for i in sheet.issues],
        "improvements": ak.ImprovementTable(
            headings=list(sheet.improvement_headings),
            rows=[ak.ImprovementRow(number=r["number"], planned=r.get("planned"), implemented=r.get("implemented"),
                                    next_plan=r.get("next_plan"), line=r.get("line") or 0) for r in sheet.improvements],
        ) if sheet.has_improvements else None,
        "other_wards": ak.OtherWards(
            raw=sheet.other_wards_raw, implemented=sheet.other_wards_implemented,
            not_implemented=sheet.other_wards_not_implemented, unknown=sheet.other_wards_unknown,
            notes=sheet.other_wards_notes or None,
        ) if sheet.has_other_wards else None,
        "council_fields": [ak.CouncilField(label=c["label"], text=c.get("text"), line=c.get("line") or 0)
                           for c in sheet.council_fields],
        "warnings": [ak.ParseWarning(line=w["line"], message=w["message"]) for w in sheet.parse_warnings],
    }


def _budget_tables(sheet: EvaluationSheet) -> dict:
    """予算・決算額等の推移, 実績の推移 and 予算・決算の内訳."""
    return {
        "budget": [
            ak.BudgetYear(fiscal_year=b.fiscal_year, budget=_amount(b.budget_raw, b.budget),
                          settlement=_amount(b.settlement_raw, b.settlement), settlement_estimate=b.settlement_estimate)
            for b in sorted(sheet.budget_years.all(), key=lambda b: b.fiscal_year)
        ],
        "activities": [
            ak.ActivitySeries(
                name=a.name, unit=a.unit or None, line=a.line or 0,
                values=[ak.ActivityValue(fiscal_year=v.fiscal_year, raw=v.raw or None, value=_dec(v.value),
                                         estimate=v.estimate)
                        for v in sorted(a.values.all(), key=lambda v: v.fiscal_year)],
            )
            for a in sorted(sheet.activities.all(), key=lambda a: a.order)
        ],
        "breakdown": [
            ak.BreakdownColumn(
                fiscal_year=c.fiscal_year, kind=c.kind, heading=c.heading, amounts_printed=c.amounts_printed,
                items=[ak.BreakdownItem(section=i.section or None, description=i.description or None,
                                        amount=_amount(i.amount_raw, i.amount), line=i.line or 0)
                       for i in sorted(c.items.all(), key=lambda i: i.order)],
                total=_amount(c.total_raw, c.total),
            )
            for c in sorted(sheet.breakdown_columns.all(), key=lambda c: c.order)
        ],
    }


def _method(sheet: EvaluationSheet) -> ak.ImplementationMethod | None:
    """実施方法 with its contracts; a part of a split contract goes under its parent."""
    if not sheet.has_method:
        return None
    by_pk: dict[int, ak.Contract] = {}
    contracts: list[ak.Contract] = []
    for c in sorted(sheet.contracts.all(), key=lambda c: c.order):
        obj = ak.Contract(name=c.name, amount_yen=c.amount_yen, amount_raw=c.amount_raw or None)
        by_pk[c.pk] = obj
        if c.parent_id and c.parent_id in by_pk:
            by_pk[c.parent_id].parts.append(obj)
        else:
            contracts.append(obj)
    return ak.ImplementationMethod(
        raw=sheet.method_raw,
        mode_printed=sheet.method_mode_printed or None,
        mode=sheet.method_mode or None,
        mode_radio=radio_from_json(sheet.method_mode_radio),
        direct_staff=radio_from_json(sheet.method_direct_staff_radio),
        contracts=contracts,
        contracts_text=sheet.method_contracts_text or None,
        contract_year=sheet.method_contract_year,
    )


def _indicators(sheet: EvaluationSheet) -> list[ak.Indicator]:
    out = []
    for row in sorted(sheet.indicators.all(), key=lambda r: r.number):
        values = sorted(row.values.all(), key=lambda v: v.fiscal_year)
        target = next((v for v in values if v.kind == SheetIndicatorValue.Kind.TARGET), None)
        out.append(ak.Indicator(
            number=row.number, name=row.name, kind=row.kind, unit=row.unit or None,
            values=[
                ak.IndicatorValue(fiscal_year=v.fiscal_year, raw=v.raw or None, value=_dec(v.value),
                                  estimate=v.kind == SheetIndicatorValue.Kind.ESTIMATE)
                for v in values if v.kind != SheetIndicatorValue.Kind.TARGET
            ],
            target=ak.IndicatorValue(fiscal_year=target.fiscal_year, raw=target.raw or None, value=_dec(target.value),
                                     target=True) if target else None,
            explanation=row.explanation or None,
            line=row.line or 0,
        ))
    return out


def _cost_statement(sheet: EvaluationSheet) -> ak.CostStatement | None:
    if sheet.cost_years is None:
        return None
    y1, y2 = sheet.cost_years
    return ak.CostStatement(
        years=(y1, y2),
        has_difference_column=sheet.cost_has_difference_column,
        lines=[
            ak.CostLine(
                label=cl.label, name=cl.name, side=cl.side, role=cl.role, letter=cl.letter or None,
                terms=[(int(sign), letter) for sign, letter in cl.terms],
                values={y1: _amount(cl.earlier_raw, cl.earlier), y2: _amount(cl.later_raw, cl.later)},
                difference=_amount(cl.difference_raw, cl.difference),
                line=cl.line or 0,
            )
            for cl in sorted(sheet.cost_lines.all(), key=lambda c: c.order)
        ],
        line=sheet.cost_line_no or 0,
    )


def check_stored(sheets: Iterable[EvaluationSheet]) -> list[tuple[EvaluationSheet, list[CheckResult]]]:
    """Run every arithmetic check of :mod:`.checks` on the stored figures of each sheet."""
    return [(sheet, check_sheet(sheet_data(sheet))) for sheet in sheets]


# ---------------------------------------------------------------------------------------------
# indicator judgement (the engine, on the linked Indicator rows)


def indicator_judgement(row: SheetIndicator, fiscal_year: int) -> Judgement | None:
    """The engine's judgement of a sheet indicator for the sheet's year (見込み when the sheet says so)."""
    indicator = row.indicator
    if indicator is None:
        return None
    stored = list(indicator.values.all())
    actuals = {v.fiscal_year: parse_value(v.raw_text) for v in stored if v.kind == IndicatorValue.Kind.ACTUAL}
    estimates = {v.fiscal_year: parse_value(v.raw_text) for v in stored if v.kind == IndicatorValue.Kind.ESTIMATE}
    targets = {v.fiscal_year: parse_value(v.raw_text) for v in stored if v.kind == IndicatorValue.Kind.TARGET}
    spec = IndicatorSpec(
        name=indicator.name,
        unit=indicator.unit,
        direction=Direction(indicator.direction) if indicator.direction else None,
        baseline_year=indicator.baseline_year,
        targets=targets,
        final_target_year=indicator.final_target_year,
        cumulative_since=indicator.cumulative_since,
    )
    kind = "actual" if fiscal_year in actuals else ("estimate" if fiscal_year in estimates else "actual")
    return judge(spec, actuals, fiscal_year, estimates=estimates, kind=kind)


# ---------------------------------------------------------------------------------------------
# execution rate


def execution_rates(sheet: EvaluationSheet) -> list[dict]:
    """決算額 ÷ 予算額 per year, or 判定不可 with the reason (budget 0, a blank figure)."""
    out = []
    for b in sorted(sheet.budget_years.all(), key=lambda b: b.fiscal_year):
        rate = execution_rate(b.budget, b.settlement)
        if rate is not None:
            out.append({"fiscal_year": b.fiscal_year, "rate": rate, "text": f"{rate}%", "undecidable": None,
                        "over": rate > 100})
            continue
        reason = "予算額が空欄" if b.budget is None else ("予算額が0" if b.budget == 0 else "決算額が空欄")
        out.append({"fiscal_year": b.fiscal_year, "rate": None, "text": "判定不可", "undecidable": reason, "over": False})
    return out
