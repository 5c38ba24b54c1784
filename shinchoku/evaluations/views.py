"""Pages of the evaluation sheets: department list, the sheet laid out like the published form,
PDF/XLSX exports (one sheet or a department's sheets) and the budget/classification edit form.

Thin: reads through :mod:`.queries` (a sheet the request may not read is 404) and :mod:`.report`,
the write through :func:`.actions.update_budget`, which asks :mod:`.rules` (403 with the reason,
``core.web.member_view``) and refuses a stale version (409, the form shown again with what is stored
now). The list and the sheet answer ``?format=csv`` and ``?format=json`` (``core.web.twin_response``).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render

from shinchoku.core import fiscal
from shinchoku.core.actions import StaleError
from shinchoku.core.rules import require
from shinchoku.core.views_helpers import fiscal_year_param
from shinchoku.core.web import Column, Table, access_of, download, member_view, render_outcome, twin_response
from shinchoku.evaluations import actions, queries, rules
from shinchoku.evaluations.exports import XLSX_CONTENT_TYPE, sheets_pdf, sheets_xlsx
from shinchoku.evaluations.importers.arakawa import CLASSIFICATIONS
from shinchoku.evaluations.models import EvaluationSheet
from shinchoku.evaluations.report import sheet_report

LIST_COLUMNS = (
    Column("department", "所管課"), Column("code", "事務事業コード"), Column("name", "事務事業名"),
    Column("classifications", "事務事業の分類"), Column("budget", "予算額（千円）"),
    Column("last_year", "前年度までの直近の決算年度"), Column("last_settlement", "決算額（千円）"), Column("rate", "執行率"),
)
CHECK_COLUMNS = (
    Column("check", "検算"), Column("label", "項目"), Column("column", "列"), Column("year", "年度"),
    Column("expected", "計算値"), Column("printed", "記載値"), Column("status", "結果"), Column("severity", "重要度"),
    Column("line", "行"), Column("message", "内容"),
)


def _list_table(groups, fy: int | None) -> Table:
    rows = [
        {"department": group.name, "code": item["sheet"].code, "name": item["sheet"].name,
         "classifications": [f"{year} {label}" for year, label in item["classifications"]], "budget": item["budget"],
         "last_year": item["last_year"], "last_settlement": item["last_settlement"], "rate": item["rate"]}
        for group in groups for item in group.sheets
    ]
    return Table(f"事務事業分析シート_{fy}" if fy else "事務事業分析シート", LIST_COLUMNS, rows,
                 meta={"fiscal_year": fy, "count": len(rows)})


@member_view
def sheet_list(request):
    """所管課ごとのシート一覧 for one fiscal year (default: the latest with sheets)."""
    access = access_of(request)
    years = queries.fiscal_years(queries.readable_sheets(access))
    fy, fy_error = fiscal_year_param(request, years[0] if years else None)
    groups = queries.sheet_list(access, fy)
    twin = twin_response(request, lambda: _list_table(groups, fy))
    if twin is not None:
        return twin
    return render(request, "evaluations/sheet_list.html", {
        "groups": groups,
        "fy": fy,
        "fy_label": fiscal.label(fy) if fy else "",
        "fy_error": fy_error,
        "years": [(y, fiscal.label(y)) for y in years],
        "count": sum(len(g.sheets) for g in groups),
    })


def _readable_sheet(request, pk: int) -> EvaluationSheet:
    sheet = queries.readable_sheet(access_of(request), pk)
    if sheet is None:
        raise Http404("シートが見つかりません")
    return sheet


def _check_table(sheet: EvaluationSheet, report: dict) -> Table:
    """The sheet's arithmetic checks as data (the rows ``shinchoku check sheets --json`` gives for it)."""
    [(_, results)] = queries.check_stored([sheet])
    rows = [
        {"check": r.check, "label": r.label, "column": r.column, "year": r.year, "expected": r.expected,
         "printed": r.printed, "status": r.status, "severity": r.severity, "line": r.line, "message": r.message}
        for r in results
    ]
    return Table(f"検算_{sheet.fiscal_year}_{sheet.code}", CHECK_COLUMNS, rows,
                 meta={"code": sheet.code, "name": sheet.name, "fiscal_year": sheet.fiscal_year,
                       "counts": {"適合": report["checks"]["ok"], "不適合": report["checks"]["ng"],
                                  "判定不可": report["checks"]["undecidable"]}})


@member_view
def sheet_detail(request, pk: int):
    sheet = _readable_sheet(request, pk)
    report = sheet_report(sheet)
    twin = twin_response(request, lambda: _check_table(sheet, report))
    if twin is not None:
        return twin
    return render(request, "evaluations/sheet_detail.html", {
        "sheet": sheet,
        "r": report,
        "may": rules.Abilities(access_of(request), sheet.municipality_id, queries.owners_of(sheet)),
    })


@member_view
def sheet_pdf(request, pk: int):
    sheet = _readable_sheet(request, pk)
    pdf = sheets_pdf([sheet_report(sheet)], subtitle=f"{sheet.code} {sheet.name}")
    return download(pdf, f"事務事業分析シート_{sheet.fiscal_year}_{sheet.code}.pdf", "application/pdf")


@member_view
def sheet_xlsx(request, pk: int):
    sheet = _readable_sheet(request, pk)
    data = sheets_xlsx([sheet_report(sheet, chart=False)])
    return download(data, f"事務事業分析シート_{sheet.fiscal_year}_{sheet.code}.xlsx", XLSX_CONTENT_TYPE)


def _department_sheets(request, pk: int):
    access = access_of(request)
    department = queries.department_of(access, pk)
    if department is None:
        raise Http404("所管課が見つかりません")
    years = queries.fiscal_years(queries.readable_sheets(access).filter(department=department))
    fy, _ = fiscal_year_param(request, years[0] if years else None)
    sheets = queries.department_sheets(access, department, fy)
    if not sheets:
        raise Http404("この所管課のシートはありません")
    return department, fy, sheets


@member_view
def department_pdf(request, pk: int):
    department, fy, sheets = _department_sheets(request, pk)
    pdf = sheets_pdf([sheet_report(s) for s in sheets], subtitle=f"{department.name}（{fiscal.to_wareki(fy)}）")
    return download(pdf, f"事務事業分析シート_{fy}_{department.name}.pdf", "application/pdf")


@member_view
def department_xlsx(request, pk: int):
    department, fy, sheets = _department_sheets(request, pk)
    data = sheets_xlsx([sheet_report(s, chart=False) for s in sheets])
    return download(data, f"事務事業分析シート_{fy}_{department.name}.xlsx", XLSX_CONTENT_TYPE)


# ---------------------------------------------------------------------------------------------
# edit


def _form_rows(sheet: EvaluationSheet, data=None, errors: dict | None = None) -> list[dict]:
    """The budget rows of the form: stored figures, or the typed texts with their messages."""
    rows = []
    for b in sorted(sheet.budget_years.all(), key=lambda b: b.fiscal_year):
        row = {"year": b.fiscal_year, "label": fiscal.to_wareki(b.fiscal_year), "estimate": b.settlement_estimate,
               "budget": b.budget_raw, "settlement": b.settlement_raw, "errors": []}
        if data is not None:
            for key in ("budget", "settlement"):
                row[key] = data.get(f"{key}_{b.fiscal_year}", "").strip()
                row["errors"] += (errors or {}).get(f"{key}_{b.fiscal_year}", [])
        rows.append(row)
    return rows


def _edit_context(sheet: EvaluationSheet, *, version: int, rows: list[dict], classifications: dict[int, str],
                  reason: str, errors: list[str]) -> dict:
    class_years = sorted({c.fiscal_year for c in sheet.classifications.all()}) or [sheet.fiscal_year, sheet.fiscal_year + 1]
    return {
        "sheet": sheet, "rows": rows, "errors": errors, "version": version,
        "class_rows": [(y, fiscal.to_wareki(y), classifications.get(y, "")) for y in class_years],
        "choices": CLASSIFICATIONS, "reason": reason,
    }


def _stored_form(sheet: EvaluationSheet, errors: list[str] | None = None) -> dict:
    return _edit_context(
        sheet, version=sheet.version, rows=_form_rows(sheet),
        classifications={c.fiscal_year: c.label for c in sheet.classifications.all()},
        reason=sheet.classification_reason, errors=errors or [],
    )


@member_view
def sheet_edit(request, pk: int):
    sheet = _readable_sheet(request, pk)
    access = access_of(request)
    require(rules.edit_sheet(access, sheet.municipality_id, queries.owners_of(sheet)))
    if request.method != "POST":
        return render(request, "evaluations/sheet_edit.html", _stored_form(sheet))
    post = request.POST
    years = [b.fiscal_year for b in sheet.budget_years.all()]
    class_years = sorted({c.fiscal_year for c in sheet.classifications.all()}) or [sheet.fiscal_year, sheet.fiscal_year + 1]
    chosen = {y: post.get(f"classification_{y}", "") for y in class_years}
    reason = post.get("classification_reason", "")
    try:
        version = int(post.get("version", ""))
    except ValueError:
        version = None
    try:
        if version is None:
            raise ValidationError({"version": ["版が不正です。画面を開き直してください"]})
        actions.update_budget(
            access, sheet, expected_version=version, classifications=chosen, classification_reason=reason,
            budget=[actions.BudgetEdit(y, post.get(f"budget_{y}", ""), post.get(f"settlement_{y}", "")) for y in years],
        )
    except StaleError as exc:
        # what is stored now (with its version): the editor re-applies their change knowingly
        return render_outcome(request, "evaluations/sheet_edit.html",
                              _stored_form(_readable_sheet(request, pk), [str(exc)]), 409)
    except ValidationError as exc:
        by_field = exc.message_dict
        ctx = _edit_context(sheet, version=version if version is not None else sheet.version,
                            rows=_form_rows(sheet, post, by_field), reason=reason,
                            classifications={**{c.fiscal_year: c.label for c in sheet.classifications.all()},
                                             **{y: label for y, label in chosen.items() if label}},
                            errors=[m for messages_ in by_field.values() for m in messages_])
        return render_outcome(request, "evaluations/sheet_edit.html", ctx, 400)
    messages.success(request, f"{sheet.code}「{sheet.name}」を保存しました。検算は保存した数値で再計算されます。")
    return redirect("evaluations:sheet", pk=sheet.pk)
