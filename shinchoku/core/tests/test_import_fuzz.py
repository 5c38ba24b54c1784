"""Every ``shinchoku import`` kind, fed files broken the ways files break (hypothesis): a valid file —
exported from real data, or the published seed document — with bytes flipped, cut short, a ZIP member
corrupted, lines shuffled, or cells edited (any text, formulas, huge numbers, dates where text belongs).

Whatever the file, the importer either imports it or raises ImportFailed whose problems name the
file; no other exception escapes, and a refused file writes nothing (every table's row count and the
change log are unchanged). The round answer form and the procedures inventory upload are fuzzed
through their web pages in their own apps' tests.
"""

from __future__ import annotations

import csv
import io

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from shinchoku.core.access import Access
from shinchoku.core.changelog import acting_as
from shinchoku.core.importing import ImportFailed, get_importer, importer_kinds
from shinchoku.core.tests.fuzzing import (
    corrupted_bytes,
    database_state,
    edited_csv,
    edited_csv_zip,
    edited_lines,
    edited_xlsx,
)
from shinchoku.demo import ARAKAWA_SHEETS, KOTO_AUDIT, NAKANO_PROGRESS

pytestmark = pytest.mark.django_db

FUZZ = settings(
    max_examples=30, deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
OPTIONS = {
    "procedures": {"municipality": "131164", "municipality_name": "豊島区"},
}


def import_or_refuse(kind: str, content: bytes, tmp_path, name: str) -> None:
    """Run the importer as ``shinchoku import`` does; a refusal must leave the database as it was."""
    path = tmp_path / name
    path.write_bytes(content)
    before = database_state()
    try:
        with acting_as(None, name="fuzz"):
            get_importer(kind).run(str(path), access=Access.system(), dry_run=False, options=dict(OPTIONS.get(kind, {})))
    except ImportFailed as exc:
        assert exc.problems and all(p.file == name for p in exc.problems), [str(p) for p in exc.problems]
        assert all(p.message for p in exc.problems)
        assert database_state() == before, "a refused file must write nothing"


# --------------------------------------------------------------------------- valid files


@pytest.fixture
def plan_files(nakano_plan):
    from shinchoku.plans.workbook.writer import export_plan

    return {"xlsx": export_plan(nakano_plan, "xlsx"), "csv-zip": export_plan(nakano_plan, "csv-zip")}


@pytest.fixture
def procedure_files(tmp_path):
    from shinchoku.core.models import Municipality
    from shinchoku.procedures.inventory_io import export_csv, export_xlsx
    from shinchoku.procedures.tests.test_drive import inventory_csv

    source = tmp_path / "inventory.csv"
    inventory_csv(source)
    with acting_as(None, name="fixture"):
        get_importer("procedures").run(str(source), access=Access.system(), dry_run=False, options=dict(OPTIONS["procedures"]))
    ward = Municipality.objects.get(code="131164")
    return {"xlsx": export_xlsx(ward), "csv": export_csv(ward)}


@pytest.fixture
def effect_files():
    from shinchoku.demo.koto import KOTO_CODE, load_koto_effects
    from shinchoku.effects.importers.effects import export_rows
    from shinchoku.effects.queries import effects_queryset
    from shinchoku.effects.models import Effect

    load_koto_effects()
    rows = export_rows(effects_queryset(Effect.objects.filter(municipality__code=KOTO_CODE)))
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    book = Workbook()
    for row in rows:
        book.active.append(row)
    xlsx = io.BytesIO()
    book.save(xlsx)
    return {"csv": ("\ufeff" + out.getvalue()).encode("utf-8"), "xlsx": xlsx.getvalue()}


def test_every_importer_is_fuzzed():
    fuzzed = {"workbook", "procedures", "effects", "nakano-progress", "arakawa-sheet", "koto-audit-findings"}
    assert set(importer_kinds()) == fuzzed


# --------------------------------------------------------------------------- plan workbook


@FUZZ
@given(data=st.data())
def test_plan_workbook_xlsx_with_broken_bytes(plan_files, tmp_path, data):
    import_or_refuse("workbook", data.draw(corrupted_bytes(plan_files["xlsx"])), tmp_path, "plan.xlsx")


@FUZZ
@given(data=st.data())
def test_plan_workbook_csv_zip_with_broken_bytes(plan_files, tmp_path, data):
    import_or_refuse("workbook", data.draw(corrupted_bytes(plan_files["csv-zip"])), tmp_path, "plan.zip")


@FUZZ
@given(data=st.data())
def test_plan_workbook_xlsx_with_edited_cells(plan_files, tmp_path, data):
    sheets = ["計画", "項目", "進捗", "指標", "指標値", "効果"]
    import_or_refuse("workbook", data.draw(edited_xlsx(plan_files["xlsx"], sheets)), tmp_path, "plan.xlsx")


@FUZZ
@given(data=st.data())
def test_plan_workbook_csv_zip_with_edited_cells(plan_files, tmp_path, data):
    import_or_refuse("workbook", data.draw(edited_csv_zip(plan_files["csv-zip"])), tmp_path, "plan.zip")


# --------------------------------------------------------------------------- procedures, effects


@FUZZ
@given(data=st.data())
def test_procedures_with_broken_bytes(procedure_files, tmp_path, data):
    fmt = data.draw(st.sampled_from(["xlsx", "csv"]))
    import_or_refuse("procedures", data.draw(corrupted_bytes(procedure_files[fmt])), tmp_path, f"procedures.{fmt}")


@FUZZ
@given(data=st.data())
def test_procedures_with_edited_cells(procedure_files, tmp_path, data):
    if data.draw(st.booleans()):
        content = data.draw(edited_xlsx(procedure_files["xlsx"], max_row=40))
        import_or_refuse("procedures", content, tmp_path, "procedures.xlsx")
    else:
        text = procedure_files["csv"].decode("utf-8-sig")
        import_or_refuse("procedures", data.draw(edited_csv(text)).encode("utf-8"), tmp_path, "procedures.csv")


@FUZZ
@given(data=st.data())
def test_effects_with_broken_bytes(effect_files, tmp_path, data):
    fmt = data.draw(st.sampled_from(["xlsx", "csv"]))
    import_or_refuse("effects", data.draw(corrupted_bytes(effect_files[fmt])), tmp_path, f"effects.{fmt}")


@FUZZ
@given(data=st.data())
def test_effects_with_edited_cells(effect_files, tmp_path, data):
    if data.draw(st.booleans()):
        import_or_refuse("effects", data.draw(edited_xlsx(effect_files["xlsx"])), tmp_path, "effects.xlsx")
    else:
        text = effect_files["csv"].decode("utf-8-sig")
        import_or_refuse("effects", data.draw(edited_csv(text)).encode("utf-8"), tmp_path, "effects.csv")


# --------------------------------------------------------------------------- published text documents

TEXT_DOCUMENTS = {
    "nakano-progress": NAKANO_PROGRESS,
    "arakawa-sheet": ARAKAWA_SHEETS,
    "koto-audit-findings": KOTO_AUDIT,
}


@pytest.mark.parametrize("kind", sorted(TEXT_DOCUMENTS))
@settings(FUZZ, max_examples=20)
@given(data=st.data())
def test_text_documents_with_broken_bytes(kind, tmp_path, data):
    content = TEXT_DOCUMENTS[kind].read_bytes()
    import_or_refuse(kind, data.draw(corrupted_bytes(content)), tmp_path, f"{kind}.txt")


@pytest.mark.parametrize("kind", sorted(TEXT_DOCUMENTS))
@settings(FUZZ, max_examples=20)
@given(data=st.data())
def test_text_documents_with_edited_lines(kind, tmp_path, data):
    text = TEXT_DOCUMENTS[kind].read_text(encoding="utf-8")
    import_or_refuse(kind, data.draw(edited_lines(text)).encode("utf-8"), tmp_path, f"{kind}.txt")
