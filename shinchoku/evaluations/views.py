"""Pages of the evaluation sheets: department list, the sheet laid out like the published form,
PDF/XLSX exports (one sheet or a department's sheets) and the budget/classification edit form.

Views stay thin: reading goes through :mod:`.report`, writing through :func:`.services.update_budget`;
who may read or edit is decided by :func:`.services.can_read` / :func:`.services.can_edit`.
"""

from __future__ import annotations

from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render

from shinchoku.core import fiscal
from shinchoku.core.models import Department
from shinchoku.core.tenancy import tenant_for
from shinchoku.core.views_helpers import fiscal_year_param
from shinchoku.evaluations import services
from shinchoku.evaluations.arakawa import CLASSIFICATIONS, AmountError, parse_amount
from shinchoku.evaluations.checks import execution_rate
from shinchoku.evaluations.exports import XLSX_CONTENT_TYPE, sheets_pdf, sheets_xlsx
from shinchoku.evaluations.models import BudgetYear, Classification, EvaluationSheet
from shinchoku.evaluations.report import sheet_report


def _years(qs) -> list[int]:
    return sorted(set(qs.values_list("fiscal_year", flat=True)), reverse=True)


@login_required
def sheet_list(request):
    """所管課ごとのシート一覧 for one fiscal year (default: the latest with sheets)."""
    tenant = tenant_for(request)
    readable = services.readable_sheets(tenant)
    years = _years(readable)
    fy, fy_error = fiscal_year_param(request, years[0] if years else None)
    sheets = list(
        readable.filter(fiscal_year=fy)
        .select_related("department")
        .prefetch_related(
            Prefetch("classifications", queryset=Classification.objects.order_by("fiscal_year")),
            Prefetch("budget_years", queryset=BudgetYear.objects.order_by("fiscal_year")),
        )
        .order_by("department__name", "code")
    ) if fy is not None else []
    groups: dict[int | None, dict] = {}
    for sheet in sheets:
        group = groups.setdefault(sheet.department_id, {
            "department": sheet.department, "name": sheet.department.name if sheet.department else sheet.department_raw,
            "sheets": [],
        })
        budgets = list(sheet.budget_years.all())
        current = next((b for b in budgets if b.fiscal_year == sheet.fiscal_year), None)
        settled = [b for b in budgets if b.fiscal_year < sheet.fiscal_year and not b.settlement_estimate]
        last = settled[-1] if settled else None
        rate = execution_rate(last.budget, last.settlement) if last else None
        group["sheets"].append({
            "sheet": sheet,
            "classifications": [(fiscal.to_wareki(c.fiscal_year), c.label) for c in sheet.classifications.all()],
            "budget": current.budget_raw if current else "",
            "last_year": fiscal.to_wareki(last.fiscal_year) if last else "",
            "last_settlement": last.settlement_raw if last else "",
            "rate": f"{rate}%" if rate is not None else ("判定不可" if last else ""),
        })
    return render(request, "evaluations/sheet_list.html", {
        "groups": list(groups.values()),
        "fy": fy,
        "fy_label": fiscal.label(fy) if fy else "",
        "fy_error": fy_error,
        "years": [(y, fiscal.label(y)) for y in years],
        "count": len(sheets),
    })


def _readable_sheet(request, pk: int) -> EvaluationSheet:
    tenant = tenant_for(request)
    sheet = services.sheets_queryset(services.readable_sheets(tenant)).filter(pk=pk).first()
    if sheet is None:
        raise Http404("シートが見つかりません")
    return sheet


@login_required
def sheet_detail(request, pk: int):
    sheet = _readable_sheet(request, pk)
    report = sheet_report(sheet)
    return render(request, "evaluations/sheet_detail.html", {
        "sheet": sheet,
        "r": report,
        "can_edit": services.can_edit(tenant_for(request), sheet),
    })


def _download(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


@login_required
def sheet_pdf(request, pk: int):
    sheet = _readable_sheet(request, pk)
    pdf = sheets_pdf([sheet_report(sheet)], subtitle=f"{sheet.code} {sheet.name}")
    return _download(pdf, "application/pdf", f"事務事業分析シート_{sheet.fiscal_year}_{sheet.code}.pdf")


@login_required
def sheet_xlsx(request, pk: int):
    sheet = _readable_sheet(request, pk)
    data = sheets_xlsx([sheet_report(sheet, chart=False)])
    return _download(data, XLSX_CONTENT_TYPE, f"事務事業分析シート_{sheet.fiscal_year}_{sheet.code}.xlsx")


def _department_sheets(request, pk: int):
    tenant = tenant_for(request)
    department = Department.objects.filter(pk=pk, municipality=tenant.municipality).first()
    if department is None:
        raise Http404("所管課が見つかりません")
    qs = services.readable_sheets(tenant).filter(department=department)
    years = _years(qs)
    fy, _ = fiscal_year_param(request, years[0] if years else None)
    sheets = list(services.sheets_queryset(qs.filter(fiscal_year=fy)).order_by("code"))
    if not sheets:
        raise Http404("この所管課のシートはありません")
    return department, fy, sheets


@login_required
def department_pdf(request, pk: int):
    department, fy, sheets = _department_sheets(request, pk)
    pdf = sheets_pdf([sheet_report(s) for s in sheets], subtitle=f"{department.name}（{fiscal.to_wareki(fy)}）")
    return _download(pdf, "application/pdf", f"事務事業分析シート_{fy}_{department.name}.pdf")


@login_required
def department_xlsx(request, pk: int):
    department, fy, sheets = _department_sheets(request, pk)
    data = sheets_xlsx([sheet_report(s, chart=False) for s in sheets])
    return _download(data, XLSX_CONTENT_TYPE, f"事務事業分析シート_{fy}_{department.name}.xlsx")


# ---------------------------------------------------------------------------------------------
# edit


def _form_rows(sheet: EvaluationSheet, data=None) -> tuple[list[dict], list[services.BudgetEdit], list[str]]:
    rows, edits, errors = [], [], []
    for b in sorted(sheet.budget_years.all(), key=lambda b: b.fiscal_year):
        row = {"year": b.fiscal_year, "label": fiscal.to_wareki(b.fiscal_year), "estimate": b.settlement_estimate,
               "budget": b.budget_raw, "settlement": b.settlement_raw, "errors": []}
        if data is not None:
            values = {}
            for key in ("budget", "settlement"):
                raw = data.get(f"{key}_{b.fiscal_year}", "").strip()
                row[key] = raw
                try:
                    values[key] = parse_amount(raw)
                except AmountError as exc:
                    label = "予算額" if key == "budget" else "決算額"
                    message = f"{row['label']}の{label}: {exc}"
                    row["errors"].append(message)
                    errors.append(message)
            if not row["errors"]:
                edits.append(services.BudgetEdit(b.fiscal_year, values["budget"], values["settlement"]))
        rows.append(row)
    return rows, edits, errors


@login_required
def sheet_edit(request, pk: int):
    sheet = _readable_sheet(request, pk)
    tenant = tenant_for(request)
    if not services.can_edit(tenant, sheet):
        raise PermissionDenied("このシートを編集する権限がありません（閲覧のみ）")
    classifications = {c.fiscal_year: c.label for c in sheet.classifications.all()}
    class_years = sorted(classifications) or [sheet.fiscal_year, sheet.fiscal_year + 1]
    status = 200
    if request.method == "POST":
        rows, edits, errors = _form_rows(sheet, request.POST)
        chosen = {}
        for year in class_years:
            label = request.POST.get(f"classification_{year}", "")
            if label:
                if label not in CLASSIFICATIONS:
                    errors.append(f"{fiscal.to_wareki(year)}の分類「{label}」は選択肢にありません")
                else:
                    chosen[year] = label
        reason = request.POST.get("classification_reason", "")
        try:
            version = int(request.POST.get("version", ""))
        except ValueError:
            errors.append("版が不正です。画面を開き直してください")
            version = -1
        if not errors:
            try:
                services.update_budget(
                    sheet, tenant, expected_version=version, budget=edits, classifications=chosen,
                    classification_reason=reason,
                )
            except services.StaleSheetError as exc:
                # show what is stored now (with its version): the editor re-applies their change knowingly
                sheet = _readable_sheet(request, pk)
                rows, _, _ = _form_rows(sheet)
                errors.append(str(exc))
                reason = sheet.classification_reason
                chosen = {}
                classifications = {c.fiscal_year: c.label for c in sheet.classifications.all()}
                status = 409
            else:
                messages.success(request, f"{sheet.code}「{sheet.name}」を保存しました。検算は保存した数値で再計算されます。")
                return redirect("evaluations:sheet", pk=sheet.pk)
        elif status == 200:
            status = 400
        classifications.update(chosen)
    else:
        rows, _, errors = _form_rows(sheet)
        reason = sheet.classification_reason
        version = sheet.version
    return render(request, "evaluations/sheet_edit.html", {
        "sheet": sheet,
        "rows": rows,
        "errors": errors,
        "version": sheet.version if request.method != "POST" or status == 409 else version,
        "class_rows": [(y, fiscal.to_wareki(y), classifications.get(y, "")) for y in class_years],
        "choices": CLASSIFICATIONS,
        "reason": reason,
    }, status=status)
