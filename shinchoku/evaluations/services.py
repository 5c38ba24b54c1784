"""Writes to evaluation sheets, and the stored sheets read back for the checks.

* :func:`import_sheets` — parsed sheets (:class:`~shinchoku.evaluations.arakawa.EvaluationSheetData`)
  into the database, keyed by municipality + code + fiscal year, child rows by their position or
  year. Only what changed is saved (:class:`~shinchoku.core.upsert.UpsertTally`), rows that are no
  longer in the document are deleted, so importing the same file twice changes nothing.
* :func:`sheet_data` — the dataclass rebuilt from the stored rows, so :mod:`checks` recomputes the
  figures *as stored* (after any edit), never the parse result kept in memory.
* :func:`update_budget` — the edit form's write: budget/settlement figures, classifications and
  their reason, with a permission check and optimistic locking.

The sheet's indicators are linked to the indicator engine: each row becomes (or updates) an
:class:`~shinchoku.indicators.models.Indicator` of the municipality (no plan; code
``<sheet code>-<number>``, e.g. ``03-04-01-1``) whose values are the sheet's printed figures
(実績, 見込み, 目標値), so the engine judges them like any other indicator.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from typing import Iterable, Sequence

from django.db import transaction
from django.db.models import Prefetch, QuerySet

from shinchoku.core.access import Access
from shinchoku.core.models import Department, Municipality
from shinchoku.core.upsert import UpsertTally
from shinchoku.evaluations import arakawa as ak
from shinchoku.evaluations.checks import CheckResult, check_sheet, execution_rate
from shinchoku.evaluations.models import (
    ActivitySeries,
    ActivityValue,
    BreakdownColumn,
    BreakdownItem,
    BudgetYear,
    Classification,
    Contract,
    CostLine,
    EvaluationSheet,
    SheetIndicator,
    SheetIndicatorValue,
    SmallProject,
)
from shinchoku.indicators.actions import import_values
from shinchoku.indicators.engine import infer_direction_from_values
from shinchoku.indicators.judgement import Direction, IndicatorSpec, Judgement, judge
from shinchoku.indicators.models import Indicator, IndicatorValue
from shinchoku.indicators.values import parse_value

ARAKAWA_CODE = "131181"
ARAKAWA_NAME = "荒川区"


# ---------------------------------------------------------------------------------------------
# helpers


def _s(value) -> str:
    """None → '' for text columns (absent stays distinguishable from a printed value by the raw column)."""
    return "" if value is None else str(value)


def radio_json(group: ak.RadioGroup | None) -> dict | None:
    if group is None:
        return None
    return {"options": [{"label": o.label, "checked": o.checked} for o in group.options], "raw": group.raw}


def radio_from_json(data: dict | None) -> ak.RadioGroup | None:
    if not data:
        return None
    return ak.RadioGroup(
        options=[ak.RadioOption(label=o["label"], checked=bool(o["checked"])) for o in data.get("options", [])],
        raw=data.get("raw", ""),
    )


def _checked(group: ak.RadioGroup | None) -> str:
    return (group.checked or "") if group is not None else ""


def _amount_fields(prefix: str, amount: ak.Amount | None) -> dict:
    return {prefix: amount.value if amount else None, f"{prefix}_raw": amount.raw if amount else ""}


def _amount(raw: str, value: int | None) -> ak.Amount | None:
    if not raw and value is None:
        return None
    return ak.Amount(raw=raw or ak.format_amount(value), value=value)  # type: ignore[arg-type]


class _Sync:
    """Upserts child rows and deletes the ones the document no longer has (each delete logged)."""

    def __init__(self, tally: UpsertTally):
        self.tally = tally
        self.deleted: Counter[str] = Counter()

    def rows(self, label: str, model, parent: dict, rows: Iterable[tuple[dict, dict]], municipality) -> list:
        kept = []
        for key, values in rows:
            obj = self.tally.upsert(label, model, {**parent, **key}, {"municipality": municipality, **values})
            kept.append(obj)
        for stale in model._default_manager.filter(**parent).exclude(pk__in=[o.pk for o in kept]).order_by("-pk"):
            stale.delete()
            self.deleted[label] += 1
        return kept

    def changes(self) -> int:
        t = self.tally
        return sum(t.created.values()) + sum(t.updated.values()) + sum(self.deleted.values())


# ---------------------------------------------------------------------------------------------
# import


@dataclass
class SheetImport:
    sheets: list[EvaluationSheet]
    tally: UpsertTally
    deleted: Counter


def municipality_for(code: str, name: str, tally: UpsertTally) -> Municipality:
    municipality = Municipality.objects.filter(code=code).first()
    if municipality is None:
        municipality = Municipality.objects.create(code=code, name=name)
        tally.count("団体", "created")
    return municipality


def _department(municipality: Municipality, data: ak.Department | None, tally: UpsertTally) -> Department | None:
    if data is None:
        return None
    parent = None
    if data.bu:
        parent = Department.objects.filter(municipality=municipality, name=data.bu).first()
        if parent is None:
            parent = Department.objects.create(municipality=municipality, name=data.bu, kind=Department.Kind.BUREAU)
            tally.count("所管課", "created")
    name = data.ka or data.raw
    kind = Department.Kind.DIVISION if data.ka else Department.Kind.OTHER
    department = Department.objects.filter(municipality=municipality, name=name).first()
    if department is None:
        department = Department.objects.create(municipality=municipality, name=name, kind=kind, parent=parent)
        tally.count("所管課", "created")
    elif department.parent_id is None and parent is not None and parent.pk != department.pk:
        department.parent = parent
        department.save(update_fields=["parent"])
        tally.count("所管課", "updated")
    return department


def _sheet_values(data: ak.EvaluationSheetData, department: Department | None, source: str) -> dict:
    policy = data.policy
    method = data.method
    cs = data.cost_statement
    ow = data.other_wards
    dept = data.department
    return {
        "name": data.name,
        "heading": data.heading,
        "page_label": _s(data.page_label),
        "department": department,
        "department_raw": dept.raw if dept else "",
        "department_bu": _s(dept.bu) if dept else "",
        "department_ka": _s(dept.ka) if dept else "",
        "department_kakari": _s(dept.kakari) if dept else "",
        "manager": _s(data.manager),
        "staff": list(data.staff),
        "staff_raw": _s(data.staff_raw),
        "extension": _s(data.extension),
        "strategic_plan": _checked(data.strategic_plan),
        "strategic_plan_radio": radio_json(data.strategic_plan),
        "project_type": _checked(data.project_type),
        "project_type_radio": radio_json(data.project_type),
        "new_project_year_radio": radio_json(data.new_project_year),
        "small_projects_year": data.small_projects_year,
        "start_year": data.start_year,
        "start_year_raw": _s(data.start_year_raw),
        "legal_basis": _s(data.legal_basis),
        "end_year_setting": _checked(data.end_year_setting),
        "end_year_setting_radio": radio_json(data.end_year_setting),
        "end_year": data.end_year,
        "end_year_raw": _s(data.end_year_raw),
        "implementation_standard": _checked(data.implementation_standard),
        "implementation_standard_radio": radio_json(data.implementation_standard),
        "plan_category": _checked(data.plan_category),
        "plan_category_radio": radio_json(data.plan_category),
        "policy_field_code": policy.field.code if policy.field else "",
        "policy_field_title": _s(policy.field.title) if policy.field else "",
        "policy_policy_code": policy.policy.code if policy.policy else "",
        "policy_policy_title": _s(policy.policy.title) if policy.policy else "",
        "policy_measure_code": policy.measure.code if policy.measure else "",
        "policy_measure_title": _s(policy.measure.title) if policy.measure else "",
        "policy_path": policy.path,
        "purpose": _s(data.purpose),
        "target_group": _s(data.target_group),
        "content": _s(data.content),
        "content_raw": _s(data.content_raw),
        "history": _s(data.history),
        "history_raw": _s(data.history_raw),
        "history_entries": [{"when": e.when, "text": e.text} for e in data.history_entries],
        "necessity": _s(data.necessity),
        "has_method": method is not None,
        "method_raw": method.raw if method else "",
        "method_mode_printed": _s(method.mode_printed) if method else "",
        "method_mode": _s(method.mode) if method else "",
        "method_mode_radio": radio_json(method.mode_radio) if method else None,
        "method_direct_staff_radio": radio_json(method.direct_staff) if method else None,
        "method_contracts_text": _s(method.contracts_text) if method else "",
        "method_contract_year": method.contract_year if method else None,
        "indicator_years": list(data.indicator_years),
        "indicator_target_year": data.indicator_target_year,
        "classification_reason": _s(data.classification_reason),
        "cost_year_earlier": cs.years[0] if cs else None,
        "cost_year_later": cs.years[1] if cs else None,
        "cost_has_difference_column": cs.has_difference_column if cs else False,
        "cost_line_no": cs.line if cs else None,
        "remarks": _s(data.remarks),
        "issues": [{"number": i.number, "text": i.text} for i in data.issues],
        "has_improvements": data.improvements is not None,
        "improvement_headings": list(data.improvements.headings) if data.improvements else [],
        "improvements": [
            {"number": r.number, "planned": r.planned, "implemented": r.implemented, "next_plan": r.next_plan, "line": r.line}
            for r in (data.improvements.rows if data.improvements else [])
        ],
        "has_other_wards": ow is not None,
        "other_wards_raw": ow.raw if ow else "",
        "other_wards_implemented": ow.implemented if ow else None,
        "other_wards_not_implemented": ow.not_implemented if ow else None,
        "other_wards_unknown": ow.unknown if ow else None,
        "other_wards_notes": _s(ow.notes) if ow else "",
        "council_fields": [{"label": c.label, "text": c.text, "line": c.line} for c in data.council_fields],
        "source_file": source,
        "line_start": data.line_start,
        "line_end": data.line_end,
        "parse_warnings": [{"line": w.line, "message": w.message} for w in data.warnings],
    }


def _flat_contracts(contracts: Sequence[ak.Contract]) -> list[tuple[ak.Contract, int | None]]:
    """Contracts and their parts in document order, with the index of each part's parent."""
    out: list[tuple[ak.Contract, int | None]] = []
    for c in contracts:
        idx = len(out)
        out.append((c, None))
        for part in c.parts:
            out.append((part, idx))
    return out


def import_sheets(
    sheets: Sequence[ak.EvaluationSheetData],
    *,
    access: Access,
    municipality: Municipality,
    source: str,
    tally: UpsertTally | None = None,
) -> SheetImport:
    """Write the parsed sheets (call inside a transaction; the importer does)."""
    tally = tally or UpsertTally()
    sync = _Sync(tally)
    stored: list[EvaluationSheet] = []
    for data in sheets:
        key = {"municipality": municipality, "code": data.code, "fiscal_year": data.fiscal_year}
        existed = EvaluationSheet.objects.filter(**key).exists()
        before = sync.changes()
        department = _department(municipality, data.department, tally)
        sheet = tally.upsert("事務事業分析シート", EvaluationSheet, key, _sheet_values(data, department, source))
        _write_children(access, sheet, data, sync, department)
        if existed and sync.changes() != before:
            sheet.version += 1
            sheet.save(update_fields=["version"])
        stored.append(sheet)
    return SheetImport(stored, tally, sync.deleted)


def _write_children(access: Access, sheet: EvaluationSheet, data: ak.EvaluationSheetData, sync: _Sync, department) -> None:
    m = sheet.municipality
    parent = {"sheet": sheet}
    sync.rows("小事業", SmallProject, parent, (
        ({"order": n}, {"code": p.code, "name": _s(p.name)}) for n, p in enumerate(data.small_projects)
    ), m)

    contracts: list[Contract] = []
    flat = _flat_contracts(data.method.contracts if data.method else [])
    kept = []
    for n, (c, parent_idx) in enumerate(flat):
        obj = sync.tally.upsert(
            "委託契約", Contract, {"sheet": sheet, "order": n},
            {"municipality": m, "name": c.name, "amount_yen": c.amount_yen, "amount_raw": _s(c.amount_raw),
             "parent": contracts[parent_idx] if parent_idx is not None else None},
        )
        contracts.append(obj)
        kept.append(obj.pk)
    for stale in Contract.objects.filter(sheet=sheet).exclude(pk__in=kept).order_by("-order"):
        stale.delete()
        sync.deleted["委託契約"] += 1

    sync.rows("事務事業の分類", Classification, parent, (
        ({"fiscal_year": c.fiscal_year}, {"label": c.label}) for c in data.classifications
    ), m)
    sync.rows("予算・決算額", BudgetYear, parent, (
        ({"fiscal_year": b.fiscal_year},
         {**_amount_fields("budget", b.budget), **_amount_fields("settlement", b.settlement),
          "settlement_estimate": b.settlement_estimate})
        for b in data.budget
    ), m)

    series = sync.rows("実績の推移", ActivitySeries, parent, (
        ({"order": n}, {"name": a.name, "unit": _s(a.unit), "line": a.line}) for n, a in enumerate(data.activities)
    ), m)
    for obj, a in zip(series, data.activities):
        sync.rows("実績の値", ActivityValue, {"series": obj}, (
            ({"fiscal_year": v.fiscal_year}, {"raw": _s(v.raw), "value": v.value, "estimate": v.estimate})
            for v in a.values
        ), m)

    columns = sync.rows("予算・決算の内訳（年度）", BreakdownColumn, parent, (
        ({"order": n}, {"fiscal_year": c.fiscal_year, "kind": c.kind, "heading": c.heading,
                        "amounts_printed": c.amounts_printed, **_amount_fields("total", c.total)})
        for n, c in enumerate(data.breakdown)
    ), m)
    for obj, c in zip(columns, data.breakdown):
        sync.rows("予算・決算の内訳", BreakdownItem, {"column": obj}, (
            ({"order": n}, {"section": _s(i.section), "description": _s(i.description),
                            **_amount_fields("amount", i.amount), "line": i.line})
            for n, i in enumerate(c.items)
        ), m)

    cs = data.cost_statement
    lines = cs.lines if cs else []
    sync.rows("行政コスト計算書", CostLine, parent, (
        ({"order": n}, {
            "label": cl.label, "name": cl.name, "side": cl.side, "role": cl.role, "letter": _s(cl.letter),
            "terms": [[sign, letter] for sign, letter in cl.terms],
            **_amount_fields("earlier", cl.values.get(cs.years[0])),
            **_amount_fields("later", cl.values.get(cs.years[1])),
            **_amount_fields("difference", cl.difference),
            "line": cl.line,
        })
        for n, cl in enumerate(lines)
    ), m)

    linked = [_link_indicator(access, sheet, ind, department, sync.tally) for ind in data.indicators]
    rows = sync.rows("シートの指標", SheetIndicator, parent, (
        ({"number": i.number}, {"name": i.name, "kind": i.kind, "unit": _s(i.unit),
                                "explanation": _s(i.explanation), "line": i.line, "indicator": indicator})
        for i, indicator in zip(data.indicators, linked)
    ), m)
    for row, ind in zip(rows, data.indicators):
        values = []
        for v in ind.values:
            kind = SheetIndicatorValue.Kind.ESTIMATE if v.estimate else SheetIndicatorValue.Kind.ACTUAL
            values.append(({"fiscal_year": v.fiscal_year, "kind": kind}, {"raw": _s(v.raw), "value": v.value}))
        if ind.target is not None:
            values.append((
                {"fiscal_year": ind.target.fiscal_year, "kind": SheetIndicatorValue.Kind.TARGET},
                {"raw": _s(ind.target.raw), "value": ind.target.value},
            ))
        sync.rows("シートの指標値", SheetIndicatorValue, {"row": row}, values, m)


def indicator_code(sheet_code: str, number: int) -> str:
    return f"{sheet_code}-{number}"


def _link_indicator(access: Access, sheet: EvaluationSheet, data: ak.Indicator, department, tally) -> Indicator:
    """The engine's indicator for a sheet row, with the sheet's printed figures as its values.

    The same project's indicator on the next year's sheet updates the same Indicator (keyed by
    municipality + code, outside any plan), so its history grows sheet after sheet.
    """
    code = indicator_code(sheet.code, data.number)
    actual_years = [v.fiscal_year for v in data.values if not v.estimate and v.raw]
    values = {
        "name": data.name,
        "kind": Indicator.Kind.OUTCOME if data.kind == "成果" else Indicator.Kind.ACTIVITY,
        "definition": _s(data.explanation),
        "owner": department,
        "group": f"事務事業分析シート {sheet.code} {sheet.name}",
        "order": data.number,
        "data_source": f"事務事業分析シート（{sheet.fiscal_year_label}）",
    }
    indicator = Indicator.objects.filter(municipality=sheet.municipality, plan__isnull=True, code=code).first()
    if indicator is None:
        indicator = Indicator.objects.create(
            municipality=sheet.municipality, plan=None, code=code, unit=_s(data.unit),
            baseline_year=min(actual_years) if actual_years else None,
            final_target_year=data.target.fiscal_year if data.target else None,
            **values,
        )
        tally.count("指標", "created")
    else:
        updates = dict(values)
        if actual_years and (indicator.baseline_year is None or min(actual_years) < indicator.baseline_year):
            updates["baseline_year"] = min(actual_years)
        if data.target and (indicator.final_target_year or 0) < data.target.fiscal_year:
            updates["final_target_year"] = data.target.fiscal_year
        changed = [k for k, v in updates.items() if getattr(indicator, k) != v]
        if changed:
            for k in changed:
                setattr(indicator, k, updates[k])
            indicator.save()
            tally.count("指標", "updated")
        else:
            tally.count("指標", "unchanged")
    published = [
        (v.fiscal_year, IndicatorValue.Kind.ESTIMATE if v.estimate else IndicatorValue.Kind.ACTUAL, v.raw)
        for v in data.values if v.raw
    ]
    if data.target is not None and data.target.raw:
        published.append((data.target.fiscal_year, IndicatorValue.Kind.TARGET, data.target.raw))
    import_values(access, indicator, published, tally=tally)
    if not indicator.direction:
        stored = list(indicator.values.all())
        direction = infer_direction_from_values(stored)
        if direction is None and data.target is not None and data.target.value == 0:
            # A target of 0 (障害件数、事故件数) only makes sense when lower is better.
            direction = Indicator.Direction.LOWER
        if direction:
            indicator.direction = direction
            indicator.save(update_fields=["direction"])
    return indicator


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


def sheet_data(sheet: EvaluationSheet) -> ak.EvaluationSheetData:
    """The stored sheet as the parser's dataclass (what :mod:`checks` and the renderers read)."""
    contracts_rows = sorted(sheet.contracts.all(), key=lambda c: c.order)
    by_pk: dict[int, ak.Contract] = {}
    contracts: list[ak.Contract] = []
    for c in contracts_rows:
        obj = ak.Contract(name=c.name, amount_yen=c.amount_yen, amount_raw=c.amount_raw or None)
        by_pk[c.pk] = obj
        if c.parent_id and c.parent_id in by_pk:
            by_pk[c.parent_id].parts.append(obj)
        else:
            contracts.append(obj)
    method = None
    if sheet.has_method:
        method = ak.ImplementationMethod(
            raw=sheet.method_raw,
            mode_printed=sheet.method_mode_printed or None,
            mode=sheet.method_mode or None,
            mode_radio=radio_from_json(sheet.method_mode_radio),
            direct_staff=radio_from_json(sheet.method_direct_staff_radio),
            contracts=contracts,
            contracts_text=sheet.method_contracts_text or None,
            contract_year=sheet.method_contract_year,
        )

    indicators = []
    for row in sorted(sheet.indicators.all(), key=lambda r: r.number):
        values = sorted(row.values.all(), key=lambda v: v.fiscal_year)
        target = next((v for v in values if v.kind == SheetIndicatorValue.Kind.TARGET), None)
        indicators.append(ak.Indicator(
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

    cost = None
    if sheet.cost_years is not None:
        y1, y2 = sheet.cost_years
        cost = ak.CostStatement(
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

    policy = ak.PolicyHierarchy(
        field=_level("分野", sheet.policy_field_code, sheet.policy_field_title),
        policy=_level("政策", sheet.policy_policy_code, sheet.policy_policy_title),
        measure=_level("施策", sheet.policy_measure_code, sheet.policy_measure_title),
    )
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
        policy=policy,
        purpose=sheet.purpose or None,
        target_group=sheet.target_group or None,
        content=sheet.content or None,
        content_raw=sheet.content_raw or None,
        history=sheet.history or None,
        history_raw=sheet.history_raw or None,
        history_entries=[ak.HistoryEntry(when=e["when"], text=e["text"]) for e in sheet.history_entries],
        necessity=sheet.necessity or None,
        method=method,
        indicators=indicators,
        indicator_years=list(sheet.indicator_years),
        indicator_target_year=sheet.indicator_target_year,
        classifications=[ak.Classification(fiscal_year=c.fiscal_year, label=c.label)
                         for c in sorted(sheet.classifications.all(), key=lambda c: c.fiscal_year)],
        classification_reason=sheet.classification_reason or None,
        budget=[
            ak.BudgetYear(fiscal_year=b.fiscal_year, budget=_amount(b.budget_raw, b.budget),
                          settlement=_amount(b.settlement_raw, b.settlement), settlement_estimate=b.settlement_estimate)
            for b in sorted(sheet.budget_years.all(), key=lambda b: b.fiscal_year)
        ],
        activities=[
            ak.ActivitySeries(
                name=a.name, unit=a.unit or None, line=a.line or 0,
                values=[ak.ActivityValue(fiscal_year=v.fiscal_year, raw=v.raw or None, value=_dec(v.value),
                                         estimate=v.estimate)
                        for v in sorted(a.values.all(), key=lambda v: v.fiscal_year)],
            )
            for a in sorted(sheet.activities.all(), key=lambda a: a.order)
        ],
        breakdown=[
            ak.BreakdownColumn(
                fiscal_year=c.fiscal_year, kind=c.kind, heading=c.heading, amounts_printed=c.amounts_printed,
                items=[ak.BreakdownItem(section=i.section or None, description=i.description or None,
                                        amount=_amount(i.amount_raw, i.amount), line=i.line or 0)
                       for i in sorted(c.items.all(), key=lambda i: i.order)],
                total=_amount(c.total_raw, c.total),
            )
            for c in sorted(sheet.breakdown_columns.all(), key=lambda c: c.order)
        ],
        cost_statement=cost,
        remarks=sheet.remarks or None,
        issues=[ak.Issue(number=i.get("number"), text=i.get("text", "")) for i in sheet.issues],
        improvements=ak.ImprovementTable(
            headings=list(sheet.improvement_headings),
            rows=[ak.ImprovementRow(number=r["number"], planned=r.get("planned"), implemented=r.get("implemented"),
                                    next_plan=r.get("next_plan"), line=r.get("line") or 0) for r in sheet.improvements],
        ) if sheet.has_improvements else None,
        other_wards=ak.OtherWards(
            raw=sheet.other_wards_raw, implemented=sheet.other_wards_implemented,
            not_implemented=sheet.other_wards_not_implemented, unknown=sheet.other_wards_unknown,
            notes=sheet.other_wards_notes or None,
        ) if sheet.has_other_wards else None,
        council_fields=[ak.CouncilField(label=c["label"], text=c.get("text"), line=c.get("line") or 0)
                        for c in sheet.council_fields],
        warnings=[ak.ParseWarning(line=w["line"], message=w["message"]) for w in sheet.parse_warnings],
    )


def _dec(value) -> Decimal | None:
    if value is None:
        return None
    return Decimal(value).normalize() if Decimal(value) != Decimal(value).to_integral_value() else Decimal(int(value))


def _level(level: str, code: str, title: str) -> ak.PolicyLevel | None:
    if not code:
        return None
    return ak.PolicyLevel(level=level, code=code, title=title or None)


def check_stored(sheets: Iterable[EvaluationSheet]) -> list[tuple[EvaluationSheet, list[CheckResult]]]:
    """Run every arithmetic check of :mod:`checks` on the stored figures of each sheet."""
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


# ---------------------------------------------------------------------------------------------
# editing


class StaleSheetError(Exception):
    """Someone saved the sheet after the editor opened it (optimistic lock). Nothing was written."""

    def __init__(self, sheet: EvaluationSheet, expected_version: int):
        self.sheet = sheet
        self.expected_version = expected_version
        super().__init__(
            f"{sheet.code}「{sheet.name}」は、編集を始めた後に他の人が更新しました（開いた版 {expected_version}、"
            f"現在の版 {sheet.version}）。最新の内容を確認してから保存し直してください。"
        )


class NotAllowed(PermissionError):
    pass


def can_edit(tenant, sheet: EvaluationSheet) -> bool:
    """Planning division (and the operator) edit every sheet of their municipality; a department
    editor only the sheets of the departments they answer for; auditors and executives read only."""
    if tenant.municipality is None or sheet.municipality_id != tenant.municipality.pk:
        return False
    if tenant.is_planning:
        return True
    return tenant.is_editor and sheet.department_id is not None and sheet.department_id in tenant.department_ids


def can_read(tenant, sheet: EvaluationSheet) -> bool:
    if tenant.municipality is None or sheet.municipality_id != tenant.municipality.pk:
        return False
    return tenant.can_read_all or can_edit(tenant, sheet)


def readable_sheets(tenant) -> QuerySet:
    if tenant.municipality is None:
        return EvaluationSheet.objects.none()
    qs = EvaluationSheet.objects.filter(municipality=tenant.municipality)
    if tenant.can_read_all:
        return qs
    if tenant.is_editor:
        return qs.filter(department_id__in=tenant.department_ids)
    return qs.none()


@dataclass
class BudgetEdit:
    fiscal_year: int
    budget: int | None
    settlement: int | None


def update_budget(
    sheet: EvaluationSheet,
    tenant,
    *,
    expected_version: int,
    budget: Sequence[BudgetEdit] = (),
    classifications: dict[int, str] | None = None,
    classification_reason: str | None = None,
) -> EvaluationSheet:
    """Change the budget/settlement figures and the classification of a sheet (one transaction).

    Raises :class:`NotAllowed` without the right, :class:`StaleSheetError` when the sheet changed
    since ``expected_version`` was read. Printed texts are rewritten from the new figures (▲ for
    minus, grouped by three) so the sheet shows what it holds.
    """
    if not can_edit(tenant, sheet):
        raise NotAllowed("このシートを編集する権限がありません")
    with transaction.atomic():
        locked = EvaluationSheet.objects.select_for_update(of=("self",)).get(pk=sheet.pk)
        if locked.version != expected_version:
            raise StaleSheetError(locked, expected_version)
        by_year = {b.fiscal_year: b for b in locked.budget_years.all()}
        for edit in budget:
            row = by_year.get(edit.fiscal_year)
            if row is None:
                continue
            new = {
                "budget": edit.budget,
                "budget_raw": ak.format_amount(edit.budget) if edit.budget is not None else "",
                "settlement": edit.settlement,
                "settlement_raw": ak.format_amount(edit.settlement) if edit.settlement is not None else "",
            }
            if row.budget == edit.budget:
                new.pop("budget"), new.pop("budget_raw")
            if row.settlement == edit.settlement:
                new.pop("settlement"), new.pop("settlement_raw")
            if new:
                for k, v in new.items():
                    setattr(row, k, v)
                row.save()
        for year, label in (classifications or {}).items():
            if label not in ak.CLASSIFICATIONS:
                raise ValueError(f"分類「{label}」は選択肢にありません")
            current = locked.classifications.filter(fiscal_year=year).first()
            if current is None:
                Classification.objects.create(municipality=locked.municipality, sheet=locked, fiscal_year=year, label=label)
            elif current.label != label:
                current.label = label
                current.save()
        if classification_reason is not None:
            locked.classification_reason = classification_reason
        locked.version += 1
        locked.save()
    return locked
