"""Report pages for signed-in users (/reports/): the report on screen and its downloads.

Views stay thin: the builder makes the report model, a renderer makes the bytes; every format is the
page's own URL with ``?format=`` (html, xlsx, pdf, csv, json). Official figures only, unless a user
whom :func:`shinchoku.reports.rules.include_unapproved` allows (planning, auditors, executives) ticks
「承認前の進捗を含む」. Another municipality's plan does not exist here (404).
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import Http404
from django.shortcuts import render

from shinchoku.core import fiscal
from shinchoku.core.access import Access
from shinchoku.core.models import Department
from shinchoku.core.rules import allowed
from shinchoku.core.views_helpers import fiscal_year_param
from shinchoku.core.web import access_of, download, member_view
from shinchoku.plans.models import Plan, ProgressEntry
from shinchoku.reports import rules
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
INLINE = (".json", ".html")  # shown in the browser; the other formats are saved


def available_kinds() -> list[tuple[str, str]]:
    return [(k, label) for k, label in REPORT_KINDS.items() if k != "findings" or findings_available()]


def plan_years(plan: Plan) -> list[int]:
    years = set(ProgressEntry.objects.filter(node__plan=plan).values_list("fiscal_year", flat=True).distinct())
    years.update(range(plan.period_start, plan.period_end + 1))
    return sorted(years, reverse=True)


def _plans(access: Access):
    """The plans of the municipality the user acts for (none for a user of no municipality)."""
    if allowed(rules.read_reports(access, access.municipality_id)):
        return Plan.objects.filter(municipality_id=access.municipality_id)
    return Plan.objects.none()


@member_view
def index(request):
    plans = list(_plans(access_of(request)).order_by("-period_start", "name"))
    latest = latest_official_years(plans)
    items = []
    for plan in plans:
        fy = latest.get(plan.pk) or plan.period_start
        items.append({"plan": plan, "fy": fy, "fy_label": fiscal.label(fy)})
    kinds = available_kinds()
    return render(request, "reports/index.html", {"plans": items, "kinds": kinds, "findings": len(kinds) > 3})


@member_view
def report_view(request, pk: int, kind: str):
    if kind not in dict(available_kinds()):
        raise Http404("報告書の種類がありません")
    access = access_of(request)
    plan = _plans(access).select_related("municipality", "status_scale").filter(pk=pk).first()
    if plan is None:
        raise Http404("見つかりません")
    fmt = request.GET.get("format") or "html"
    if fmt not in FORMATS:
        raise Http404("出力形式がありません")
    fy, fy_error = fiscal_year_param(request, default_fiscal_year(plan))
    may_include_drafts = allowed(rules.include_unapproved(access, plan.municipality_id))
    drafts = may_include_drafts and request.GET.get("drafts") == "1"
    department = request.GET.get("department") or None
    status = request.GET.get("status") or None
    options = ReportOptions(department=department, status=status, approved_only=not drafts)
    try:
        report = build_report(kind, plan, fy, options)
    except ReportError as exc:
        return render(request, "reports/error.html", {"plan": plan, "message": str(exc)}, status=400)
    if fmt != "html":
        rendered = render_report(report, fmt)
        return download(rendered.content, rendered.filename, rendered.content_type, inline=rendered.filename.endswith(INLINE))
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
        may_include_drafts=may_include_drafts and kind != "findings",
        downloads=DOWNLOADS,
        query=urlencode([(k, v) for k, v in request.GET.items() if k != "format" and v]),
    )
    if kind == "progress-list":
        ctx["departments"] = list(
            Department.objects.filter(ownerships__node__plan=plan).distinct().order_by("name").values_list("name", flat=True)
        )
    return render(request, "reports/report_page.html", ctx)
