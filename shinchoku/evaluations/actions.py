"""Every write to evaluation sheets (事務事業分析シート).

* :func:`import_sheets` — the batch action of importers: parsed sheets
  (:class:`~shinchoku.evaluations.importers.arakawa.EvaluationSheetData`) into the database, keyed by
  municipality + code + fiscal year, child rows by their position or year. Only what changed is saved
  (:class:`~shinchoku.core.upsert.UpsertTally`), rows that are no longer in the document are deleted,
  so importing the same file twice changes nothing. Departments are found or registered through
  ``core.actions.ensure_department``, the sheet's indicators through ``indicators.actions``.
* :func:`update_budget` — the edit form's write: budget/settlement figures, classifications and their
  reason, asked of :mod:`.rules`, validated here (the form shows the same messages) and
  optimistically locked (``core.actions.StaleError``).

The sheet's indicators are linked to the indicator engine: each row becomes (or updates) an
:class:`~shinchoku.indicators.models.Indicator` of the municipality (no plan; code
``<sheet code>-<number>``, e.g. ``03-04-01-1``) whose values are the sheet's printed figures
(実績, 見込み, 目標値), so the engine judges them like any other indicator.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError

from shinchoku.core import fiscal
from shinchoku.core.access import Access
from shinchoku.core.actions import ActionError, action, ensure_department, expect_version, lock, update_department
from shinchoku.core.importing import ImportFailed, Problem
from shinchoku.core.models import Department, Municipality
from shinchoku.core.rules import require
from shinchoku.core.upsert import UpsertTally
from shinchoku.evaluations import queries, rules
from shinchoku.evaluations.importers import arakawa as ak
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
from shinchoku.indicators import actions as indicator_actions
from shinchoku.indicators.engine import infer_direction_from_values
from shinchoku.indicators.models import Indicator, IndicatorValue

# ---------------------------------------------------------------------------------------------
# helpers


def _s(value) -> str:
    """None → '' for text columns (absent stays distinguishable from a printed value by the raw column)."""
    return "" if value is None else str(value)


def radio_json(group: ak.RadioGroup | None) -> dict | None:
    if group is None:
        return None
    return {"options": [{"label": o.label, "checked": o.checked} for o in group.options], "raw": group.raw}


def _checked(group: ak.RadioGroup | None) -> str:
    return (group.checked or "") if group is not None else ""


def _amount_fields(prefix: str, amount: ak.Amount | None) -> dict:
    return {prefix: amount.value if amount else None, f"{prefix}_raw": amount.raw if amount else ""}


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
        self.remove(label, model._default_manager.filter(**parent).exclude(pk__in=[o.pk for o in kept]).order_by("-pk"))
        return kept

    def remove(self, label: str, stale) -> None:
        for row in stale:
            row.delete()
            self.deleted[label] += 1

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


class _Departments:
    """The import's departments (部 and 課), each found or registered once through the core action."""

    def __init__(self, access: Access, municipality: Municipality, tally: UpsertTally):
        self.access, self.municipality, self.tally = access, municipality, tally
        self.found: dict[tuple[str, str], Department] = {}

    def get(self, name: str, kind: str, parent: Department | None = None) -> Department:
        key = (name, kind)
        if key not in self.found:
            seen = UpsertTally()
            department = ensure_department(self.access, self.municipality, name, kind=kind, parent=parent, tally=seen)
            if seen.created["所管課"]:
                self.tally.count("所管課", "created")
            self.found[key] = department
        department = self.found[key]
        if department.parent_id is None and parent is not None and parent.pk != department.pk:
            update_department(self.access, department, parent=parent)
            self.tally.count("所管課", "updated")
        return department

    def of(self, data: ak.Department | None) -> Department | None:
        if data is None:
            return None
        parent = self.get(data.bu, Department.Kind.BUREAU) if data.bu else None
        kind = Department.Kind.DIVISION if data.ka else Department.Kind.OTHER
        return self.get(data.ka or data.raw, kind, parent)


@action
def import_sheets(
    access: Access,
    sheets: Sequence[ak.EvaluationSheetData],
    *,
    municipality: Municipality,
    source: str,
    tally: UpsertTally | None = None,
) -> SheetImport:
    """Write the parsed sheets of ``municipality`` (one transaction): the planning division or a command.

    A sheet indicator the indicator form would refuse (an unknown unit) stops the import with the line
    of its row (:class:`~shinchoku.core.importing.ImportFailed`); nothing is written.
    """
    require(rules.import_sheets(access, municipality.pk))
    tally = tally or UpsertTally()
    sync = _Sync(tally)
    departments = _Departments(access, municipality, tally)
    stored: list[EvaluationSheet] = []
    for data in sheets:
        key = {"municipality": municipality, "code": data.code, "fiscal_year": data.fiscal_year}
        existed = EvaluationSheet.objects.filter(**key).exists()
        before = sync.changes()
        department = departments.of(data.department)
        sheet = tally.upsert("事務事業分析シート", EvaluationSheet, key, _sheet_values(data, department, source))
        _write_children(sheet, data, sync)
        _write_indicators(access, sheet, data, sync, department)
        if existed and sync.changes() != before:
            sheet.version += 1
            sheet.save(update_fields=["version"])
        stored.append(sheet)
    return SheetImport(stored, tally, sync.deleted)


def _sheet_values(data: ak.EvaluationSheetData, department: Department | None, source: str) -> dict:
    """The sheet row's columns: identity, policy and texts, 実施方法, the tables' headers, provenance."""
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
        **_classification_values(data),
        **_text_values(data),
        **_method_values(data.method),
        **_table_values(data),
        "source_file": source,
        "line_start": data.line_start,
        "line_end": data.line_end,
        "parse_warnings": [{"line": w.line, "message": w.message} for w in data.warnings],
    }


def _classification_values(data: ak.EvaluationSheetData) -> dict:
    """The radio choices of the sheet's header (戦略計画, 事業類型, 終期設定 …) and its policy path."""
    policy = data.policy
    return {
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
    }


def _text_values(data: ak.EvaluationSheetData) -> dict:
    """The sheet's prose: purpose, content, history, issues, improvements, other wards, council fields."""
    ow = data.other_wards
    return {
        "purpose": _s(data.purpose),
        "target_group": _s(data.target_group),
        "content": _s(data.content),
        "content_raw": _s(data.content_raw),
        "history": _s(data.history),
        "history_raw": _s(data.history_raw),
        "history_entries": [{"when": e.when, "text": e.text} for e in data.history_entries],
        "necessity": _s(data.necessity),
        "classification_reason": _s(data.classification_reason),
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
    }


def _method_values(method: ak.ImplementationMethod | None) -> dict:
    return {
        "has_method": method is not None,
        "method_raw": method.raw if method else "",
        "method_mode_printed": _s(method.mode_printed) if method else "",
        "method_mode": _s(method.mode) if method else "",
        "method_mode_radio": radio_json(method.mode_radio) if method else None,
        "method_direct_staff_radio": radio_json(method.direct_staff) if method else None,
        "method_contracts_text": _s(method.contracts_text) if method else "",
        "method_contract_year": method.contract_year if method else None,
    }


def _table_values(data: ak.EvaluationSheetData) -> dict:
    """The headers of the indicator table and the cost statement (their rows are child rows)."""
    cs = data.cost_statement
    return {
        "indicator_years": list(data.indicator_years),
        "indicator_target_year": data.indicator_target_year,
        "cost_year_earlier": cs.years[0] if cs else None,
        "cost_year_later": cs.years[1] if cs else None,
        "cost_has_difference_column": cs.has_difference_column if cs else False,
        "cost_line_no": cs.line if cs else None,
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


def _write_children(sheet: EvaluationSheet, data: ak.EvaluationSheetData, sync: _Sync) -> None:
    m = sheet.municipality
    parent = {"sheet": sheet}
    sync.rows("小事業", SmallProject, parent, (
        ({"order": n}, {"code": p.code, "name": _s(p.name)}) for n, p in enumerate(data.small_projects)
    ), m)
    _write_contracts(sheet, data, sync)
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
    _write_cost_lines(sheet, data.cost_statement, sync)


def _write_contracts(sheet: EvaluationSheet, data: ak.EvaluationSheetData, sync: _Sync) -> None:
    """Contracts in document order; a part points at the contract it belongs to."""
    contracts: list[Contract] = []
    for n, (c, parent_idx) in enumerate(_flat_contracts(data.method.contracts if data.method else [])):
        contracts.append(sync.tally.upsert(
            "委託契約", Contract, {"sheet": sheet, "order": n},
            {"municipality": sheet.municipality, "name": c.name, "amount_yen": c.amount_yen, "amount_raw": _s(c.amount_raw),
             "parent": contracts[parent_idx] if parent_idx is not None else None},
        ))
    sync.remove("委託契約", Contract.objects.filter(sheet=sheet).exclude(pk__in=[c.pk for c in contracts]).order_by("-order"))


def _write_cost_lines(sheet: EvaluationSheet, cs: ak.CostStatement | None, sync: _Sync) -> None:
    sync.rows("行政コスト計算書", CostLine, {"sheet": sheet}, (
        ({"order": n}, {
            "label": cl.label, "name": cl.name, "side": cl.side, "role": cl.role, "letter": _s(cl.letter),
            "terms": [[sign, letter] for sign, letter in cl.terms],
            **_amount_fields("earlier", cl.values.get(cs.years[0])),
            **_amount_fields("later", cl.values.get(cs.years[1])),
            **_amount_fields("difference", cl.difference),
            "line": cl.line,
        })
        for n, cl in enumerate(cs.lines if cs else [])
    ), sheet.municipality)


def _write_indicators(access: Access, sheet: EvaluationSheet, data: ak.EvaluationSheetData, sync: _Sync, department) -> None:
    m = sheet.municipality
    linked = [_link_indicator(access, sheet, ind, department, sync.tally) for ind in data.indicators]
    rows = sync.rows("シートの指標", SheetIndicator, {"sheet": sheet}, (
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
    municipality + code, outside any plan), so its history grows sheet after sheet: its baseline year
    only moves earlier and its final target year only later.
    """
    code = indicator_code(sheet.code, data.number)
    actual_years = [v.fiscal_year for v in data.values if not v.estimate and v.raw]
    baseline = min(actual_years) if actual_years else None
    final = data.target.fiscal_year if data.target else None
    fields = {
        "name": data.name,
        "kind": Indicator.Kind.OUTCOME if data.kind == "成果" else Indicator.Kind.ACTIVITY,
        "definition": _s(data.explanation),
        "owner": department,
        "group": f"事務事業分析シート {sheet.code} {sheet.name}",
        "data_source": f"事務事業分析シート（{sheet.fiscal_year_label}）",
    }
    current = queries.sheet_indicator(sheet.municipality_id, code)
    create_only = {"unit": _s(data.unit), "baseline_year": baseline, "final_target_year": final}
    if current is not None:
        if baseline is not None and (current.baseline_year is None or baseline < current.baseline_year):
            fields["baseline_year"] = baseline
        if final is not None and (current.final_target_year or 0) < final:
            fields["final_target_year"] = final
    try:
        indicator = indicator_actions.import_indicator(
            access, sheet.municipality, code, create_only=create_only, order=data.number, tally=tally, **fields
        )
    except ValidationError as exc:
        texts = "、".join(str(m) for m in exc.messages)
        raise ImportFailed(Problem(f"{sheet.code} 指標{data.number}「{data.name}」: {texts}", file=sheet.source_file,
                                   row=data.line or None)) from exc
    indicator_actions.import_values(access, indicator, _published_values(data), tally=tally)
    if not indicator.direction:
        direction = infer_direction_from_values(list(indicator.values.all()))
        if direction is None and data.target is not None and data.target.value == 0:
            # A target of 0 (障害件数、事故件数) only makes sense when lower is better.
            direction = Indicator.Direction.LOWER
        if direction:
            indicator_actions.update_definition(access, indicator, direction=direction)
    return indicator


def _published_values(data: ak.Indicator) -> list[tuple[int, str, str]]:
    published = [
        (v.fiscal_year, IndicatorValue.Kind.ESTIMATE if v.estimate else IndicatorValue.Kind.ACTUAL, v.raw)
        for v in data.values if v.raw
    ]
    if data.target is not None and data.target.raw:
        published.append((data.target.fiscal_year, IndicatorValue.Kind.TARGET, data.target.raw))
    return published


# ---------------------------------------------------------------------------------------------
# editing


@dataclass
class BudgetEdit:
    """One year's figures as the editor gave them: an integer (千円), None (blank) or the typed text."""

    fiscal_year: int
    budget: int | str | None
    settlement: int | str | None


AMOUNT_LABELS = {"budget": "予算額", "settlement": "決算額"}


def clean_amount(value: int | str | None, fiscal_year: int, key: str, errors: dict[str, list[str]]) -> int | None:
    """A figure of the edit form as 千円 (▲ for minus, grouped by three); the message names year and column."""
    if value is None or isinstance(value, int):
        return value
    try:
        return ak.parse_amount(value.strip())
    except ak.AmountError as exc:
        errors.setdefault(f"{key}_{fiscal_year}", []).append(f"{fiscal.to_wareki(fiscal_year)}の{AMOUNT_LABELS[key]}: {exc}")
        return None


def clean_edit(budget: Sequence[BudgetEdit], classifications: dict[int, str]) -> tuple[list[BudgetEdit], dict[int, str]]:
    """The edit's figures and classifications, checked; ValidationError keyed by the form's field names."""
    errors: dict[str, list[str]] = {}
    edits = [
        BudgetEdit(e.fiscal_year, clean_amount(e.budget, e.fiscal_year, "budget", errors),
                   clean_amount(e.settlement, e.fiscal_year, "settlement", errors))
        for e in budget
    ]
    chosen = {}
    for year, label in classifications.items():
        if not label:
            continue
        if label not in ak.CLASSIFICATIONS:
            errors.setdefault(f"classification_{year}", []).append(
                f"{fiscal.to_wareki(year)}の分類「{label}」は選択肢にありません"
            )
        chosen[year] = label
    if errors:
        raise ValidationError(errors)
    return edits, chosen


@action
def update_budget(
    access: Access,
    sheet: EvaluationSheet,
    *,
    expected_version: int,
    budget: Sequence[BudgetEdit] = (),
    classifications: dict[int, str] | None = None,
    classification_reason: str | None = None,
) -> EvaluationSheet:
    """Change the budget/settlement figures and the classification of a sheet (one transaction).

    Raises ``Refused`` without the right (:func:`.rules.edit_sheet`), ``ValidationError`` for a figure
    or classification the form refuses, ``StaleError`` when the sheet changed since
    ``expected_version`` was read. Printed texts are rewritten from the new figures (▲ for minus,
    grouped by three) so the sheet shows what it holds. Years the sheet has no row for are ignored.
    """
    require(rules.edit_sheet(access, sheet.municipality_id, queries.owners_of(sheet)))
    edits, chosen = clean_edit(budget, classifications or {})
    locked = lock(EvaluationSheet, pk=sheet.pk)
    if locked is None:
        raise ActionError(f"{sheet.code}「{sheet.name}」は削除されています。")
    expect_version(locked, expected_version, f"{locked.code}「{locked.name}」")
    _save_budget(locked, edits)
    _save_classifications(locked, chosen)
    if classification_reason is not None:
        locked.classification_reason = classification_reason
    locked.version += 1
    locked.save()
    return locked


def _save_budget(sheet: EvaluationSheet, edits: Sequence[BudgetEdit]) -> None:
    by_year = {b.fiscal_year: b for b in BudgetYear.objects.filter(sheet=sheet)}
    for edit in edits:
        row = by_year.get(edit.fiscal_year)
        if row is None:
            continue
        new = {}
        if row.budget != edit.budget:
            new.update(budget=edit.budget, budget_raw=ak.format_amount(edit.budget) if edit.budget is not None else "")
        if row.settlement != edit.settlement:
            new.update(settlement=edit.settlement,
                       settlement_raw=ak.format_amount(edit.settlement) if edit.settlement is not None else "")
        if new:
            for k, v in new.items():
                setattr(row, k, v)
            row.save()


def _save_classifications(sheet: EvaluationSheet, chosen: dict[int, str]) -> None:
    current = {c.fiscal_year: c for c in Classification.objects.filter(sheet=sheet)}
    for year, label in chosen.items():
        row = current.get(year)
        if row is None:
            Classification.objects.create(municipality_id=sheet.municipality_id, sheet=sheet, fiscal_year=year, label=label)
        elif row.label != label:
            row.label = label
            row.save()
