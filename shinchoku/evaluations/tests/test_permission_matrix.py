"""Evaluation sheets in the generated permission matrix (``core/testing/matrix.py``): editing a sheet's
budget and classification (screen, action), importing sheets (action, importer, command), reading a
sheet (screen), and the indicator rows the import registers — every role × every door."""

from __future__ import annotations

import io
import tempfile
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse

from shinchoku.core.access import Access
from shinchoku.core.models import Department
from shinchoku.core.rules import Owners
from shinchoku.core.testing.matrix import PLANNING, WRITERS, Case, matrix_params, run_case
from shinchoku.demo import ARAKAWA_SHEETS
from shinchoku.evaluations import actions, queries, rules
from shinchoku.evaluations.importers.arakawa import parse_arakawa_sheets
from shinchoku.evaluations.importers.arakawa_import import ArakawaSheetImporter
from shinchoku.evaluations.models import BudgetYear, Classification, EvaluationSheet
from shinchoku.indicators import actions as indicator_actions
from shinchoku.indicators.models import Indicator

pytestmark = pytest.mark.django_db

# The first published sheet of the seed (03-04-01, 管理部デジタル推進課), as a file of its own.
ONE_SHEET_TEXT = "\n".join(ARAKAWA_SHEETS.read_text(encoding="utf-8").splitlines()[:84]) + "\n"
ONE_SHEET = Path(tempfile.mkdtemp(prefix="matrix-arakawa-")) / "arakawa-03-04-01.txt"
ONE_SHEET.write_text(ONE_SHEET_TEXT, encoding="utf-8")
READERS = frozenset({"planning", "editor_owner", "editor_bureau", "executive", "auditor"})


def sheet_of_owner(world) -> EvaluationSheet:
    """A sheet of the world's 課 ``owner`` with two years of figures and a classification (tests write)."""
    m = world.municipality
    sheet = EvaluationSheet.objects.create(municipality=m, fiscal_year=2024, code="01-02-03", name="電子申請の拡大",
                                           department=world.owner, department_raw="総務部情報政策課")
    for year, budget, settlement in ((2022, 1200, 1100), (2023, 1300, 1250)):
        BudgetYear.objects.create(municipality=m, sheet=sheet, fiscal_year=year, budget=budget, budget_raw=f"{budget:,}",
                                  settlement=settlement, settlement_raw=f"{settlement:,}")
    Classification.objects.create(municipality=m, sheet=sheet, fiscal_year=2024, label="継続")
    return sheet


def budget_rows(world, sheet):
    return (EvaluationSheet.objects.filter(pk=sheet.pk).values_list("version", "classification_reason").get(),
            sorted(BudgetYear.objects.filter(sheet=sheet).values_list("fiscal_year", "budget", "settlement")),
            sorted(Classification.objects.filter(sheet=sheet).values_list("fiscal_year", "label")))


def edit_post(client, world, sheet):
    return client.post(reverse("evaluations:sheet_edit", args=[sheet.pk]), {
        "version": sheet.version, "budget_2022": "1,200", "settlement_2022": "1,100", "budget_2023": "▲50",
        "settlement_2023": "1,250", "classification_2024": "推進", "classification_reason": "電子申請の利用が伸びた",
    })


def imported_rows(world, target=None):
    return (sorted(EvaluationSheet.objects.filter(municipality=world.municipality).values_list("code", "version")),
            sorted(Department.objects.filter(municipality=world.municipality).values_list("name", flat=True)),
            Indicator.objects.filter(municipality=world.municipality).count())


def sheet_indicators(world, target=None):
    return sorted(Indicator.objects.filter(municipality=world.municipality, plan__isnull=True).values_list("code", "name"))


CASES = [
    Case(
        "evaluations.update_budget", WRITERS, build=sheet_of_owner, rows=budget_rows,
        action=lambda a, w, s: actions.update_budget(
            a, s, expected_version=s.version, budget=[actions.BudgetEdit(2023, -50, 1250)], classifications={2024: "推進"}),
        screen=edit_post,
    ),
    Case(
        "evaluations.import_sheets", PLANNING, build=lambda w: None, rows=imported_rows,
        action=lambda a, w, t: actions.import_sheets(a, parse_arakawa_sheets(ONE_SHEET_TEXT, filename=ONE_SHEET.name),
                                                     municipality=w.municipality, source=ONE_SHEET.name),
        importer=lambda a, w, t: ArakawaSheetImporter().run(str(ONE_SHEET), access=a, dry_run=False,
                                                            options={"municipality": w.municipality.code}),
        command=lambda w, t: call_command("import", "arakawa-sheet", str(ONE_SHEET), "--municipality", w.municipality.code,
                                          stdout=io.StringIO()),
    ),
    Case(
        "evaluations.read_sheet (sheet page)", READERS, build=sheet_of_owner, rows=budget_rows, writes=False,
        screen=lambda c, w, s: c.get(reverse("evaluations:sheet", args=[s.pk])),
    ),
    Case(
        "indicators.import_indicator (a sheet's indicator row)", PLANNING, build=lambda w: None, rows=sheet_indicators,
        action=lambda a, w, t: indicator_actions.import_indicator(
            a, w.municipality, "01-02-03-1", name="電子申請の件数", kind="outcome", owner=w.owner,
            create_only={"unit": "件"}),
    ),
]


@pytest.mark.parametrize(("case", "role", "door"), matrix_params(CASES))
def test_matrix(world, case, role, door):
    run_case(world, case, role, door)


@pytest.mark.parametrize("role", ["planning", "editor_owner", "editor_bureau", "editor_other", "executive", "auditor",
                                  "other_planning", "anonymous", "system"])
def test_the_list_shows_exactly_the_sheets_the_rule_lets_read(world, role):
    """The query scope (``readable_sheets``) and the rule (``read_sheet``) agree for every role."""
    sheet = sheet_of_owner(world)
    access = world.access(role)
    readable = queries.readable_sheet(access, sheet.pk) is not None
    if role == "system":
        assert readable  # a command reads every municipality's sheets
        return
    assert readable == (rules.read_sheet(access, sheet.municipality_id, queries.owners_of(sheet)) is None)
    assert readable == (role in READERS)


def test_a_bureau_editor_edits_the_sheets_of_its_division(world):
    """An editor of 総務部 acts for its 情報政策課 (the hierarchy is resolved in Access)."""
    sheet = sheet_of_owner(world)
    access = Access.for_user(world.users["editor_bureau"])
    assert rules.edit_sheet(access, sheet.municipality_id, queries.owners_of(sheet)) is None
    actions.update_budget(access, sheet, expected_version=1, budget=[actions.BudgetEdit(2022, "2,000", None)])
    assert BudgetYear.objects.get(sheet=sheet, fiscal_year=2022).budget == 2000


def test_a_refused_edit_names_the_sheets_department(world):
    sheet = sheet_of_owner(world)
    reason = rules.edit_sheet(Access.for_user(world.users["editor_other"]), sheet.municipality_id,
                              Owners.of([world.owner]))
    assert reason == "事務事業分析シートの編集は、シートの所管課（情報政策課）の担当者または企画・DX推進課（計画管理者）のみが行えます"
    response = world.client("auditor").post(reverse("evaluations:sheet_edit", args=[sheet.pk]), {"version": 1})
    assert response.status_code == 403 and "監査の役割は閲覧のみです" in response.content.decode()
