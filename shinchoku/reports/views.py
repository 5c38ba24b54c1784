"""Report pages for signed-in users (/reports/): the report on screen and its downloads.

Views stay thin: the builder makes the report model, a renderer makes the bytes. Official figures
only, unless a user who may read every department's drafts (planning, auditors, executives) ticks
「承認前の進捗を含む」.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render

from shinchoku.core import fiscal
from shinchoku.core.models import Department
from shinchoku.core.tenancy import tenant_for
from shinchoku.core.views_helpers import fiscal_year_param, get_scoped, scoped
from shinchoku.plans.models import Plan, ProgressEntry
from shinchoku.reports.builder import (
    REPORT_KINDS,
    ReportError,
    ReportOptions,
    build_report,
    default_fiscal_year,
    findings_available,
    latest_official_years,
)
from shinchoku.reports.render import FORMATS, render as render_report
from shinchoku.reports.render.page import fragment_template, report_context

DOWNLOADS = [("xlsx", "Excel"), ("pdf", "PDF"), ("csv", "CSV"), ("json", "JSON")]


def available_kinds() -> list[tuple[str, str]]:
    return [(k, label) for k, label in REPORT_KINDS.items() if k != "findings" or findings_available()]


def download_response(rendered) -> HttpResponse:
    response = HttpResponse(rendered.content, content_type=rendered.content_type)
    disposition = "inline" if rendered.filename.endswith((".json", ".html")) else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{rendered.filename}"'
    return response


def plan_years(plan: Plan) -> list[int]:
    years = set(ProgressEntry.objects.filter(node__plan=plan).values_list("fiscal_year", flat=True).distinct())
    years.update(range(plan.period_start, plan.period_end + 1))
    return sorted(years, reverse=True)


@login_required
def index(request):
    plans = list(scoped(request, Plan.objects.all()).order_by("-period_start", "name"))
    latest = latest_official_years(plans)
    items = []
    for plan in plans:
        fy = latest.get(plan.pk) or plan.period_start
        items.append({"plan": plan, "fy": fy, "fy_label": fiscal.label(fy)})
    kinds = available_kinds()
    return render(request, "reports/index.html", {"plans": items, "kinds": kinds, "findings": len(kinds) > 3})


@login_required
def report_view(request, pk: int, kind: str):
    if kind not in dict(available_kinds()):
        raise Http404("報告書の種類がありません")
    plan = get_scoped(request, Plan.objects.select_related("municipality", "status_scale"), pk=pk)
    tenant = tenant_for(request)
    fy, fy_error = fiscal_year_param(request, default_fiscal_year(plan))
    drafts = tenant.can_read_all and request.GET.get("drafts") == "1"
    department = request.GET.get("department") or None
    status = request.GET.get("status") or None
    options = ReportOptions(department=department, status=status, approved_only=not drafts)
    try:
        report = build_report(kind, plan, fy, options)
    except ReportError as exc:
        return render(request, "reports/error.html", {"plan": plan, "message": str(exc)}, status=400)
    fmt = request.GET.get("format", "html")
    if fmt not in FORMATS:
        raise Http404("出力形式がありません")
    if fmt != "html":
        return download_response(render_report(report, fmt))
    query = urlencode([(k, v) for k, v in request.GET.items() if k != "format" and v])
    ctx = report_context(report)
    ctx.update(
        plan=plan,
        fragment=fragment_template(report),
        kinds=available_kinds(),
        years=[(y, fiscal.label(y)) for y in plan_years(plan)],
        fy_error=fy_error,
        legend=getattr(report, "legend", []),
        department=department or "",
        status=status or "",
        drafts=drafts,
        may_include_drafts=tenant.can_read_all and kind != "findings",
        downloads=DOWNLOADS,
        query=query,
    )
    if kind == "progress-list":
        ctx["departments"] = list(
            Department.objects.filter(ownerships__node__plan=plan).distinct().order_by("name").values_list("name", flat=True)
        )
    return render(request, "reports/report_page.html", ctx)
