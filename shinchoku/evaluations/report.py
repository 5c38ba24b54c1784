"""The evaluation sheet as a report model: plain, JSON-ready data read from the stored sheet.

One model, three renderers (EXAMPLES "Long reports"): the web page template, the Typst template
(``typst/sheet.typ``, fed with this data as JSON) and the XLSX writer (:mod:`.xlsx`). Figures are
shown as printed (``▲114,223``); the execution rate, the indicator judgements and the check counts
are computed from the stored figures.
"""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from itertools import zip_longest
from typing import Sequence

from shinchoku.core.charts import Series, bar_chart
from shinchoku.core.fiscal import to_wareki
from shinchoku.evaluations.importers import arakawa as ak
from shinchoku.evaluations.checks import NG, OK, UNDECIDABLE, check_sheet, execution_rate
from shinchoku.evaluations.models import EvaluationSheet
from shinchoku.evaluations.queries import indicator_judgement, sheet_data

CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩"
MILLION = Decimal(1000)  # 千円 → 百万円


def _mark(number: int | None) -> str:
    if number is None:
        return ""
    return CIRCLED[number - 1] if 1 <= number <= len(CIRCLED) else f"({number})"


def _radio(group: ak.RadioGroup | None) -> list[dict]:
    return [{"label": o.label, "checked": o.checked} for o in group.options] if group else []


def radio_text(group: ak.RadioGroup | None) -> str:
    """●業務 ○協働 … as one line (XLSX and plain text)."""
    return "　".join(("●" if o.checked else "○") + o.label for o in group.options) if group else ""


def _amount(a: ak.Amount | None) -> str:
    return a.raw if a is not None else ""


def year_label(year: int | None) -> str:
    return to_wareki(year) if year is not None else ""


def budget_chart(years: Sequence[int], budgets: Sequence[int | None], settlements: Sequence[int | None],
                 estimate_year: int | None, *, width: int = 640, height: int = 250) -> str:
    """予算額 vs 決算額 as grouped bars, in 百万円 (one decimal) so the axis reads plainly."""
    def m(v: int | None) -> Decimal | None:
        return None if v is None else (Decimal(v) / MILLION).quantize(Decimal("0.1"))

    labels = [to_wareki(y).replace("年度", "") + ("見込" if y == estimate_year else "") for y in years]
    return bar_chart(
        labels,
        [Series("予算額", [m(v) for v in budgets], "bar", "#8fb3de"),
         Series("決算額" + ("（見込みを含む）" if estimate_year else ""), [m(v) for v in settlements], "bar", "#0b5cad")],
        title="予算額・決算額の推移", unit="百万円", width=width, height=height,
    )


def sheet_report(sheet: EvaluationSheet, *, chart: bool = True, judgements: bool = True) -> dict:
    """Everything a renderer needs for one sheet (expects :func:`.queries.report_queryset` prefetches)."""
    d = sheet_data(sheet)
    budget = _budget_section(d)
    return {
        "id": sheet.pk,
        "version": sheet.version,
        "municipality": sheet.municipality.name,
        **_header_section(d),
        "method": _method_section(d.method),
        **_indicator_section(sheet, d, judgements),
        "classifications": [{"year": year_label(c.fiscal_year), "label": c.label} for c in d.classifications],
        "classification_reason": d.classification_reason or "",
        "budget": budget,
        "activities": _activity_section(d),
        **_breakdown_section(d),
        "cost": _cost_section(d.cost_statement),
        **_closing_section(d),
        "checks": _checks_section(check_sheet(d)),
        "chart_svg": _chart(d) if chart and d.budget else "",
    }


def _header_section(d: ak.EvaluationSheetData) -> dict:
    """Identity, radio choices, policy hierarchy and the prose above the tables."""
    return {
        "heading": d.heading or f"事務事業分析シート（{year_label(d.fiscal_year)}）",
        "fiscal_year": d.fiscal_year,
        "fiscal_year_label": year_label(d.fiscal_year),
        "page_label": d.page_label or "",
        "code": d.code,
        "name": d.name,
        "strategic_plan": _radio(d.strategic_plan),
        "department": d.department.raw if d.department else "",
        "manager": d.manager or "",
        "staff": d.staff_raw or "",
        "extension": d.extension or "",
        "small_projects_year": year_label(d.small_projects_year),
        "small_projects": [{"code": p.code, "name": p.name or ""} for p in d.small_projects],
        "project_type": _radio(d.project_type),
        "new_project_year": _radio(d.new_project_year),
        "start_year": d.start_year_raw or year_label(d.start_year),
        "legal_basis": d.legal_basis or "",
        "end_year_setting": _radio(d.end_year_setting),
        "end_year": d.end_year_raw or "",
        "implementation_standard": _radio(d.implementation_standard),
        "plan_category": _radio(d.plan_category),
        "policy": [
            {"level": lv.level, "code": lv.code, "title": lv.title or ""}
            for lv in (d.policy.field, d.policy.policy, d.policy.measure) if lv is not None
        ],
        "purpose": d.purpose or "",
        "target_group": d.target_group or "",
        "content": d.content or "",
        "history": d.history or "",
        "necessity": d.necessity or "",
    }


def _closing_section(d: ak.EvaluationSheetData) -> dict:
    """備考, 問題点・課題 and their 改善策, 他区の状況, the council fields, the import's warnings."""
    return {
        "remarks": d.remarks or "",
        "issues": [{"mark": _mark(i.number), "text": i.text} for i in d.issues],
        "improvement_headings": list(d.improvements.headings) if d.improvements else [],
        "improvements": [
            {"mark": _mark(r.number), "planned": r.planned or "", "implemented": r.implemented or "",
             "next_plan": r.next_plan or ""}
            for r in (d.improvements.rows if d.improvements else [])
        ],
        "other_wards": {"raw": d.other_wards.raw, "notes": d.other_wards.notes or ""} if d.other_wards else None,
        "council_fields": [{"label": c.label, "text": c.text or ""} for c in d.council_fields],
        "warnings": [f"{w.line}行目: {w.message}" for w in d.warnings],
    }


def _budget_section(d: ak.EvaluationSheetData) -> dict:
    """予算・決算額等の推移 with the execution rate of each year (判定不可 and why)."""
    estimate_year = next((b.fiscal_year for b in d.budget if b.settlement_estimate), None)
    rates = []
    for b in d.budget:
        budget = b.budget.value if b.budget else None
        settlement = b.settlement.value if b.settlement else None
        rate = execution_rate(budget, settlement)
        if rate is None:
            reason = "予算額が空欄" if budget is None else ("予算額が0" if budget == 0 else "決算額が空欄")
            rates.append({"text": "判定不可", "undecidable": True, "reason": reason, "over": False})
        else:
            rates.append({"text": f"{rate}%", "undecidable": False, "reason": "", "over": rate > 100})
    return {
        "years": [year_label(b.fiscal_year) for b in d.budget],
        "budget": [_amount(b.budget) for b in d.budget],
        "settlement": [_amount(b.settlement) for b in d.budget],
        "settlement_label": "決算額" + (f"（{year_label(estimate_year)}は見込み）" if estimate_year else ""),
        "rates": rates,
    }


def _chart(d: ak.EvaluationSheetData) -> str:
    return budget_chart(
        [b.fiscal_year for b in d.budget],
        [b.budget.value if b.budget else None for b in d.budget],
        [b.settlement.value if b.settlement else None for b in d.budget],
        next((b.fiscal_year for b in d.budget if b.settlement_estimate), None),
    )


def _indicator_section(sheet: EvaluationSheet, d: ak.EvaluationSheetData, judgements: bool) -> dict:
    """指標 with the indicator engine's judgement of the sheet's year (when ``judgements``)."""
    rows_by_number = {r.number: r for r in sheet.indicators.all()}
    indicators = []
    for ind in d.indicators:
        by_year = {v.fiscal_year: v for v in ind.values}
        grade = reason = ""
        if judgements and ind.number in rows_by_number:
            j = indicator_judgement(rows_by_number[ind.number], d.fiscal_year)
            if j is not None:
                grade, reason = j.grade.value, j.reason
        indicators.append({
            "mark": _mark(ind.number),
            "name": ind.name,
            "kind": ind.kind,
            "values": [(by_year[y].raw or "") if y in by_year else "" for y in d.indicator_years],
            "target": ind.target.raw if ind.target and ind.target.raw else "",
            "explanation": ind.explanation or "",
            "grade": grade,
            "reason": reason,
            "indicator_id": rows_by_number[ind.number].indicator_id if ind.number in rows_by_number else None,
        })
    estimate_year = next((v.fiscal_year for ind in d.indicators for v in ind.values if v.estimate), None)
    return {
        "indicator_years": [year_label(y) + ("見込み" if y == estimate_year else "") for y in d.indicator_years],
        "indicator_target": f"目標値（{year_label(d.indicator_target_year)}）" if d.indicator_target_year else "目標値",
        "indicators": indicators,
    }


def _activity_section(d: ak.EvaluationSheetData) -> dict:
    """実績の推移: the years any row has, in order, and each row's printed values."""
    years: list[int] = []
    for a in d.activities:
        for v in a.values:
            if v.fiscal_year not in years:
                years.append(v.fiscal_year)
    years.sort()
    estimate = next((v.fiscal_year for a in d.activities for v in a.values if v.estimate), None)
    return {
        "years": [year_label(y) for y in years],
        "estimate": f"（{year_label(estimate)}は見込み）" if estimate else "",
        "rows": [
            {"name": a.name, "values": [next((v.raw or "" for v in a.values if v.fiscal_year == y), "") for y in years]}
            for a in d.activities
        ],
    }


def _breakdown_section(d: ak.EvaluationSheetData) -> dict:
    """予算・決算の内訳: the columns, and the same items as rows across the columns."""
    breakdown = [
        {
            "heading": c.heading,
            "kind": c.kind,
            "amounts_printed": c.amounts_printed,
            "items": [{"section": i.section or "", "description": i.description or "", "amount": _amount(i.amount)}
                      for i in c.items],
            "total": _amount(c.total),
        }
        for c in d.breakdown
    ]
    depth = max((len(c["items"]) for c in breakdown), default=0)
    rows = [[c["items"][k] if k < len(c["items"]) else None for c in breakdown] for k in range(depth)]
    return {"breakdown": breakdown, "breakdown_rows": rows}


def _cost_section(cs: ak.CostStatement | None) -> dict | None:
    """行政コスト計算書 — the two printed columns side by side."""
    if cs is None:
        return None
    y1, y2 = cs.years

    def line(cl: ak.CostLine | None) -> dict | None:
        if cl is None:
            return None
        return {
            "label": cl.label, "role": cl.role, "earlier": _amount(cl.values.get(y1)),
            "later": _amount(cl.values.get(y2)), "difference": _amount(cl.difference),
            "emphasis": cl.role in ("total", "derived"),
        }

    costs = [cl for cl in cs.lines if cl.side == "費用"]
    revenues = [cl for cl in cs.lines if cl.side == "収入"]
    return {
        "years": [year_label(y1), year_label(y2)],
        "has_difference": cs.has_difference_column,
        "rows": [{"cost": line(a), "revenue": line(b), "sides": [line(a), line(b)]} for a, b in zip_longest(costs, revenues)],
    }


def _method_section(m: ak.ImplementationMethod | None) -> dict | None:
    if m is None:
        return None
    return {
        "mode_options": _radio(m.mode_radio),
        "mode_printed": m.mode_printed or "",
        "mode": m.mode or "",
        "direct_staff_options": _radio(m.direct_staff),
        "contracts": [
            {"name": c.name, "amount": c.amount_raw or "",
             "total": f"{c.total_yen:,}円" if c.total_yen is not None and c.parts else "",
             "parts": [{"name": p.name, "amount": p.amount_raw or ""} for p in c.parts]}
            for c in m.contracts
        ],
        "contracts_text": m.contracts_text or "",
        "contract_year": year_label(m.contract_year),
    }


def _checks_section(results) -> dict:
    counts = Counter(r.status for r in results)
    return {
        "ok": counts.get(OK, 0),
        "ng": counts.get(NG, 0),
        "undecidable": counts.get(UNDECIDABLE, 0),
        "problems": [
            {"status": r.status, "severity": r.severity, "message": r.message}
            for r in results if r.status != OK
        ],
    }
