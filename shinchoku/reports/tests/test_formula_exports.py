"""Issue 18: formula text typed into progress entries goes out of every report and open-data file as
text — string cells in the council report XLSX, neutralised fields in the report CSV and the public
CSV files — and no file the reports write holds a formula."""

from __future__ import annotations

import pytest
from django.urls import reverse

from shinchoku.core.tests.fuzzing import (
    FORMULA_PAYLOADS,
    assert_csv_neutralises_payloads,
    assert_xlsx_carries_payloads,
)
from shinchoku.plans.models import PlanNode, ProgressEntry
from shinchoku.core.access import Access
from shinchoku.plans.actions import save_progress
from shinchoku.reports.builder import build_report
from shinchoku.reports.render import render

pytestmark = pytest.mark.django_db
FIELDS = ("result", "next_year_plan", "later_plan", "change_reason")


@pytest.fixture
def typed(nakano_plan):
    """The payloads saved (through the write layer) into the FY2023 progress of six activities."""
    entries = ProgressEntry.objects.filter(node__plan=nakano_plan, fiscal_year=2023).select_related("node").order_by("node__path")[:6]
    for i, entry in enumerate(entries):
        texts = {f: FORMULA_PAYLOADS[(i + k) % len(FORMULA_PAYLOADS)] for k, f in enumerate(FIELDS)}
        save_progress(Access.system(), PlanNode.objects.get(pk=entry.node_id), 2023, **texts)
    stored = {getattr(e, f) for e in ProgressEntry.objects.filter(node__plan=nakano_plan, fiscal_year=2023) for f in FIELDS}
    assert set(FORMULA_PAYLOADS) <= stored
    return nakano_plan


def test_progress_list_xlsx_and_csv_carry_the_payloads_as_text(typed):
    report = build_report("progress-list", typed, 2023)
    assert_xlsx_carries_payloads(render(report, "xlsx").content, FORMULA_PAYLOADS)
    assert_csv_neutralises_payloads(render(report, "csv").content.decode("utf-8"), FORMULA_PAYLOADS)


@pytest.mark.parametrize("kind", ["summary", "department"])
def test_other_reports_hold_no_formula(typed, kind):
    report = build_report(kind, typed, 2023)
    assert_xlsx_carries_payloads(render(report, "xlsx").content, [])
    assert_csv_neutralises_payloads(render(report, "csv").content.decode("utf-8"), [])


def test_public_csv_files_carry_the_payloads_as_text(typed, client):
    typed.is_published = True
    typed.save()
    progress = client.get(reverse("public:plan-progress-csv", args=[typed.pk]) + "?fy=2023")
    assert progress.status_code == 200
    assert_csv_neutralises_payloads(progress.content.decode("utf-8"), FORMULA_PAYLOADS)
    for name, args in (("public:plan-summary-csv", [typed.pk]), ("public:index-csv", []), ("public:dictionary-csv", [])):
        response = client.get(reverse(name, args=args))
        assert response.status_code == 200, name
        assert_csv_neutralises_payloads(response.content.decode("utf-8"), [])
