"""Public pages and open data (/public/, no login): published plans, their official figures only.

- ``/public/`` — the published plans (twins ``plans.csv`` / ``plans.json``);
- ``/public/plans/<id>/?fy=`` — status counts, the indicator trend table and the 別紙 progress list of
  one published plan (twins ``progress.csv``, ``summary.csv``, ``<id>.json``);
- ``/public/data-dictionary/`` — what every column means (twins ``data-dictionary.csv`` / ``.json``).

A plan that is not published does not exist here (404), and only approved entries are shown: a draft,
a submitted or a returned answer is never on a public page (:mod:`shinchoku.reports.opendata`).
Every page reads a fixed number of queries whatever the plan's size.
"""

from __future__ import annotations

import json

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from shinchoku.core import fiscal
from shinchoku.plans.models import Plan, ProgressEntry
from shinchoku.reports.builder import (
    APPROVED,
    ReportOptions,
    build_progress_list,
    build_summary,
    latest_official_years,
    to_data,
)
from shinchoku.reports.opendata import DATASETS, JSON_NOTES, PLANS_COLUMNS
from shinchoku.reports.render.page import report_context
from shinchoku.reports.render.tabular import (
    CSV_CONTENT_TYPE,
    JSON_CONTENT_TYPE,
    PROGRESS_COLUMNS,
    SUMMARY_COLUMNS,
    csv_bytes,
    json_bytes,
    progress_rows,
    summary_rows,
)

OFFICIAL = ReportOptions(approved_only=True)


def _published():
    return Plan.objects.filter(is_published=True).select_related("municipality", "status_scale")


def _plan(pk: int) -> Plan:
    plan = _published().filter(pk=pk).first()
    if plan is None:
        raise Http404("公開されている計画ではありません")
    return plan


def _official_years(plan: Plan) -> list[int]:
    return list(
        ProgressEntry.objects.filter(node__plan=plan, state=APPROVED)
        .order_by("-fiscal_year").values_list("fiscal_year", flat=True).distinct()
    )


def _year(request, plan: Plan, years: list[int]) -> tuple[int, str | None]:
    default = years[0] if years else plan.period_start
    raw = request.GET.get("fy")
    if not raw:
        return default, None
    try:
        return fiscal.parse_fiscal_year(raw), None
    except fiscal.FiscalYearError as exc:
        return default, str(exc)


def _csv(content: bytes, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=CSV_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Access-Control-Allow-Origin"] = "*"
    return response


def _json(content: bytes) -> HttpResponse:
    response = HttpResponse(content, content_type=JSON_CONTENT_TYPE)
    response["Access-Control-Allow-Origin"] = "*"
    return response


# --------------------------------------------------------------------------------------------------
# Index of published plans


def _plan_items() -> list[dict]:
    plans = list(_published().order_by("municipality__code", "-period_start", "name"))
    latest = latest_official_years(plans)
    return [{"plan": p, "latest": latest.get(p.pk)} for p in plans]


def _plan_record(item: dict) -> list:
    p = item["plan"]
    return [p.municipality.code, p.municipality.name, p.pk, p.name, p.kind, p.period_start, p.period_end, item["latest"]]


def index(request):
    items = _plan_items()
    for item in items:
        item["latest_label"] = fiscal.label(item["latest"]) if item["latest"] else "—"
    return render(request, "reports/public/index.html", {"items": items})


def index_data(request, fmt: str):
    items = _plan_items()
    records = [_plan_record(i) for i in items]
    if fmt == "csv":
        return _csv(csv_bytes(PLANS_COLUMNS, records), "plans.csv")
    data = {
        "plans": [dict(zip(PLANS_COLUMNS, r)) | {"url": reverse("public:plan", args=[r[2]])} for r in records],
        "data_dictionary": reverse("public:dictionary"),
    }
    return _json(json_bytes(data))


# --------------------------------------------------------------------------------------------------
# One published plan


def plan_page(request, pk: int):
    plan = _plan(pk)
    years = _official_years(plan)
    fy, fy_error = _year(request, plan, years)
    summary = build_summary(plan, fy, OFFICIAL)
    progress = build_progress_list(plan, fy, OFFICIAL)
    ctx = {
        "plan": plan,
        "fy": fy,
        "fy_label": fiscal.label(fy),
        "fy_error": fy_error,
        "years": [(y, fiscal.label(y)) for y in years],
        "summary_ctx": report_context(summary),
        "progress_ctx": report_context(progress),
        "summary": summary,
        "progress": progress,
    }
    return render(request, "reports/public/plan.html", ctx)


def plan_json(request, pk: int):
    plan = _plan(pk)
    years = _official_years(plan)
    fy, _ = _year(request, plan, years)
    summary = build_summary(plan, fy, OFFICIAL)
    progress = build_progress_list(plan, fy, OFFICIAL)
    data = {
        "plan": dict(zip(PLANS_COLUMNS, _plan_record({"plan": plan, "latest": years[0] if years else None}))),
        "fiscal_year": fy,
        "fiscal_year_label": fiscal.label(fy),
        "published_years": years,
        "legend": to_data(summary.legend),
        "summary": {"status": to_data(summary.status), "indicators": to_data(summary.indicators)},
        "progress_list": {"columns": to_data(progress.columns), "goals": to_data(progress.goals),
                          "row_count": progress.row_count},
        "data_dictionary": reverse("public:dictionary"),
    }
    return _json(json_bytes(data))


def plan_progress_csv(request, pk: int):
    plan = _plan(pk)
    fy, _ = _year(request, plan, _official_years(plan))
    report = build_progress_list(plan, fy, OFFICIAL)
    return _csv(csv_bytes(PROGRESS_COLUMNS, progress_rows(report)), f"plan{plan.pk}_progress_{fy}.csv")


def plan_summary_csv(request, pk: int):
    plan = _plan(pk)
    fy, _ = _year(request, plan, _official_years(plan))
    report = build_summary(plan, fy, OFFICIAL)
    return _csv(csv_bytes(SUMMARY_COLUMNS, summary_rows(report)), f"plan{plan.pk}_summary_{fy}.csv")


# --------------------------------------------------------------------------------------------------
# Data dictionary


def dictionary(request):
    return render(request, "reports/public/dictionary.html", {"datasets": DATASETS, "json_notes": JSON_NOTES})


def dictionary_data(request, fmt: str):
    if fmt == "csv":
        rows = [[d.key, d.title, d.path, f.name, f.type, f.description, f.example] for d in DATASETS for f in d.fields]
        return _csv(csv_bytes(["データセット", "名称", "URL", "列名", "型", "説明", "例"], rows), "data-dictionary.csv")
    data = {
        "datasets": [
            {"key": d.key, "title": d.title, "path": d.path, "description": d.description,
             "fields": [{"name": f.name, "type": f.type, "description": f.description, "example": f.example} for f in d.fields]}
            for d in DATASETS
        ],
        "json": JSON_NOTES,
    }
    return HttpResponse(json.dumps(data, ensure_ascii=False, indent=1), content_type=JSON_CONTENT_TYPE)
