"""Query budgets of the evaluation-sheet pages (``core/testing/budgets.py``): the same number of queries
with 10 sheets as with 1,000 (the list, its data twin) and with a sheet of 1 or 100 indicator rows,
budget years and cost lines (the sheet page, its data twin)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from shinchoku.core.models import Department, Membership, Municipality, Role
from shinchoku.core.testing.budgets import Budget, check_budgets
from shinchoku.evaluations.models import (
    BudgetYear,
    Classification,
    CostLine,
    EvaluationSheet,
    SheetIndicator,
    SheetIndicatorValue,
)
from shinchoku.indicators.models import Indicator, IndicatorValue
from shinchoku.indicators.values import parsed_fields

pytestmark = pytest.mark.django_db


def _detail_sheet(m, department, rows: int) -> EvaluationSheet:
    """One sheet with ``rows`` budget years, cost lines and indicator rows (each linked to the engine)."""
    sheet = EvaluationSheet.objects.create(municipality=m, fiscal_year=2024, code="99-99-99", name="詳細のシート",
                                           department=department, cost_year_earlier=2022, cost_year_later=2023,
                                           indicator_years=[2022, 2023])
    BudgetYear.objects.bulk_create(BudgetYear(municipality=m, sheet=sheet, fiscal_year=1990 + k, budget=100 + k,
                                              budget_raw=f"{100 + k}", settlement=90 + k, settlement_raw=f"{90 + k}")
                                   for k in range(rows))
    CostLine.objects.bulk_create(CostLine(municipality=m, sheet=sheet, order=k, label=f"科目{k}", name=f"科目{k}", side="費用",
                                          role="item", earlier=k, earlier_raw=str(k), later=k, later_raw=str(k))
                                 for k in range(rows))
    for k in range(1, rows + 1):
        indicator = Indicator.objects.create(municipality=m, code=f"99-99-99-{k}", name=f"指標{k}", unit="件",
                                             direction="higher", baseline_year=2022, final_target_year=2026)
        IndicatorValue.objects.bulk_create(
            IndicatorValue(municipality=m, indicator=indicator, fiscal_year=year, kind=kind, raw_text=raw, **parsed_fields(raw))
            for year, kind, raw in ((2022, "actual", "10"), (2023, "actual", "12"), (2026, "target", "20"))
        )
        row = SheetIndicator.objects.create(municipality=m, sheet=sheet, number=k, name=f"指標{k}", kind="成果", unit="件",
                                            indicator=indicator)
        SheetIndicatorValue.objects.create(municipality=m, row=row, fiscal_year=2023, kind="actual", raw="12", value=12)
    return sheet


def build(n: int):
    m, _ = Municipality.objects.get_or_create(code="990035", defaults={"name": "予算区"})
    EvaluationSheet.objects.filter(municipality=m).delete()
    Indicator.objects.filter(municipality=m).delete()
    department, _ = Department.objects.get_or_create(municipality=m, name="デジタル推進課")
    sheets = EvaluationSheet.objects.bulk_create(
        EvaluationSheet(municipality=m, fiscal_year=2024, code=f"01-01-{k:04d}", name=f"事業{k}", department=department)
        for k in range(n)
    )
    BudgetYear.objects.bulk_create(
        BudgetYear(municipality=m, sheet=s, fiscal_year=year, budget=1000, budget_raw="1,000", settlement=900,
                   settlement_raw="900")
        for s in sheets for year in (2023, 2024)
    )
    Classification.objects.bulk_create(Classification(municipality=m, sheet=s, fiscal_year=2024, label="継続") for s in sheets)
    detail = _detail_sheet(m, department, max(1, n // 10))
    users = {}
    for role, departments in (("planning", []), ("editor", [department])):
        user, _ = get_user_model().objects.get_or_create(username=f"ev-budget-{role}")
        membership, _ = Membership.objects.get_or_create(user=user, defaults={"municipality": m, "role": role})
        membership.departments.set(departments)
        users[role] = user
    return SimpleNamespace(detail=detail, users=users)


def client_for(data, role: str) -> Client:
    client = Client()
    if role:
        client.force_login(data.users[role])
    return client


BUDGETS = {
    "evaluations:list": Budget(lambda d: reverse("evaluations:list"), queries=10),
    "evaluations:list (editor)": Budget(lambda d: reverse("evaluations:list"), queries=11, user="editor"),
    "evaluations:list ?format=json": Budget(lambda d: reverse("evaluations:list") + "?format=json", queries=8),
    "evaluations:sheet": Budget(lambda d: reverse("evaluations:sheet", args=[d.detail.pk]), queries=17),
    "evaluations:sheet ?format=csv": Budget(lambda d: reverse("evaluations:sheet", args=[d.detail.pk]) + "?format=csv",
                                            queries=15),
    "evaluations:sheet_edit": Budget(lambda d: reverse("evaluations:sheet_edit", args=[d.detail.pk]), queries=17),
}


def test_sheet_pages_spend_the_same_queries_at_10_and_1000_items():
    check_budgets(BUDGETS, build, client_for)
