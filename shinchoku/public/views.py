"""Public pages and open data (/public/, no login): published plans, their official figures only.

Every page with a table answers ``?format=csv`` and ``?format=json`` on its own URL (one URL style,
``core.web``), and its data are the open data described by the data dictionary:

- ``/public/`` — the published plans;
- ``/public/plans/<id>/?fy=`` — status counts, the indicator trend table and the 別紙 progress list
  of one published plan: ``?format=json`` is the whole page as one document, ``?format=csv`` the
  progress list (``&table=summary``: the summary);
- ``/public/data-dictionary/`` — what every column means.

The file URLs published before (``plans.csv``, ``plans/<id>/progress.csv``, ``<id>.json`` …) stay as
aliases that answer the same bytes (open-data users have them bookmarked; :mod:`shinchoku.public.urls`).

A plan that is not published does not exist here (404), and only approved entries are shown: a draft,
a submitted or a returned answer is never on a public page (:mod:`shinchoku.public.opendata`).
Every page reads a fixed number of queries whatever the plan's size.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import Http404
from django.shortcuts import render
from django.urls import reverse

from shinchoku.core import fiscal
from shinchoku.core.tabular import json_bytes
from shinchoku.core.views_helpers import fiscal_year_param
from shinchoku.core.web import Column, Table, table_response, wants_twin
from shinchoku.plans.models import Plan, ProgressEntry
from shinchoku.public.opendata import ALIASES_NOTE, DATASETS, DICTIONARY_COLUMNS, JSON_NOTES, PLANS_COLUMNS
from shinchoku.reports.builder import (
    APPROVED,
    ReportOptions,
    build_progress_list,
    build_summary,
    latest_official_years,
    to_data,
)
from shinchoku.reports.render.page import report_context
from shinchoku.reports.render.tabular import PROGRESS_COLUMNS, SUMMARY_COLUMNS, progress_rows, summary_rows

OFFICIAL = ReportOptions(approved_only=True)
PLAN_TABLES = ("progress", "summary")


@dataclass
class OpenDataTable(Table):
    """A public table. Its JSON twin is the published document when one is given: the shape open-data
    users already read (``{"plans": […]}``, the whole plan page), not the generic columns-and-rows."""

    public: bool = True
    document: Callable[[], Any] | None = None

    @classmethod
    def of(cls, name: str, labels: list[str], records, **kwargs) -> OpenDataTable:
        """A table of list records under column ``labels`` (the CSV header is the labels)."""
        return cls(name, [Column(label, label) for label in labels], (dict(zip(labels, r)) for r in records), **kwargs)

    def json(self) -> bytes:
        return json_bytes(self.document()) if self.document is not None else super().json()


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


# --------------------------------------------------------------------------------------------------
# Index of published plans


def _plan_items() -> list[dict]:
    plans = list(_published().order_by("municipality__code", "-period_start", "name"))
    latest = latest_official_years(plans)
    return [{"plan": p, "latest": latest.get(p.pk)} for p in plans]


def _plan_record(item: dict) -> list:
    p = item["plan"]
    return [p.municipality.code, p.municipality.name, p.pk, p.name, p.kind, p.period_start, p.period_end, item["latest"]]


def _plans_table(items: list[dict]) -> OpenDataTable:
    records = [_plan_record(i) for i in items]
    return OpenDataTable.of("plans", PLANS_COLUMNS, records, document=lambda: {
        "plans": [dict(zip(PLANS_COLUMNS, r)) | {"url": reverse("public:plan", args=[r[2]])} for r in records],
        "data_dictionary": reverse("public:dictionary"),
    })


def index(request, fmt: str | None = None):
    fmt = fmt or wants_twin(request)
    items = _plan_items()
    if fmt:
        return table_response(_plans_table(items), fmt)
    for item in items:
        item["latest_label"] = fiscal.label(item["latest"]) if item["latest"] else "—"
    return render(request, "public/index.html", {"items": items})


# --------------------------------------------------------------------------------------------------
# One published plan


def _plan_document(plan: Plan, years: list[int], fy: int) -> dict:
    summary = build_summary(plan, fy, OFFICIAL)
    progress = build_progress_list(plan, fy, OFFICIAL)
    return {
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


def _plan_table(plan: Plan, years: list[int], fy: int, fmt: str, table: str) -> OpenDataTable:
    if fmt == "json":
        return OpenDataTable(f"plan{plan.pk}_{fy}", [], [], document=lambda: _plan_document(plan, years, fy))
    if table == "summary":
        rows = summary_rows(build_summary(plan, fy, OFFICIAL))
        return OpenDataTable.of(f"plan{plan.pk}_summary_{fy}", SUMMARY_COLUMNS, rows)
    if table == "progress":
        rows = progress_rows(build_progress_list(plan, fy, OFFICIAL))
        return OpenDataTable.of(f"plan{plan.pk}_progress_{fy}", PROGRESS_COLUMNS, rows)
    raise Http404("表がありません（table=progress または table=summary を指定してください）")


def plan_page(request, pk: int, fmt: str | None = None, table: str | None = None):
    fmt = fmt or wants_twin(request)
    plan = _plan(pk)
    years = _official_years(plan)
    fy, fy_error = fiscal_year_param(request, years[0] if years else plan.period_start)
    if fmt:
        return table_response(_plan_table(plan, years, fy, fmt, table or request.GET.get("table") or "progress"), fmt)
    summary = build_summary(plan, fy, OFFICIAL)
    progress = build_progress_list(plan, fy, OFFICIAL)
    return render(request, "public/plan.html", {
        "plan": plan,
        "fy": fy,
        "fy_label": fiscal.label(fy),
        "fy_error": fy_error,
        "years": [(y, fiscal.label(y)) for y in years],
        "summary_ctx": report_context(summary),
        "progress_ctx": report_context(progress),
        "summary": summary,
        "progress": progress,
    })


# --------------------------------------------------------------------------------------------------
# Data dictionary


def _dictionary_table() -> OpenDataTable:
    records = [[d.key, d.title, d.path, f.name, f.type, f.description, f.example] for d in DATASETS for f in d.fields]
    return OpenDataTable.of("data-dictionary", DICTIONARY_COLUMNS, records, document=lambda: {
        "datasets": [
            {"key": d.key, "title": d.title, "path": d.path, "description": d.description,
             "fields": [{"name": f.name, "type": f.type, "description": f.description, "example": f.example} for f in d.fields]}
            for d in DATASETS
        ],
        "json": JSON_NOTES,
    })


def dictionary(request, fmt: str | None = None):
    fmt = fmt or wants_twin(request)
    if fmt:
        return table_response(_dictionary_table(), fmt)
    return render(request, "public/dictionary.html", {"datasets": DATASETS, "json_notes": JSON_NOTES,
                                                      "aliases_note": ALIASES_NOTE})
