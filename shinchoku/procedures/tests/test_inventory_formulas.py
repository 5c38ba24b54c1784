"""Issue 18: formula text in the procedure inventory. Typed into the text fields through the write
layer, it is exported as string cells (XLSX) and neutralised fields (CSV), and importing either
export changes nothing."""

from __future__ import annotations

import pytest

from shinchoku.core.access import Access
from shinchoku.core.changelog import acting_as
from shinchoku.core.importing import get_importer
from shinchoku.core.models import Department, Municipality, Role
from shinchoku.core.tests.fuzzing import (
    FORMULA_PAYLOADS,
    assert_csv_neutralises_payloads,
    assert_xlsx_carries_payloads,
    database_state,
)
from shinchoku.procedures import services
from shinchoku.procedures.inventory_io import export_csv, export_xlsx, stored_text
from shinchoku.procedures.models import Procedure
from shinchoku.procedures.tests.test_drive import make_user

pytestmark = pytest.mark.django_db
FIELDS = ("name", "section", "legal_basis", "note")


def test_formula_payloads_round_trip_through_both_exports(tmp_path):
    ward = Municipality.objects.create(code="131164", name="豊島区")
    planner = make_user("u-planning", ward, Role.PLANNING)
    bureau = Department.objects.create(municipality=ward, name="区民部", kind=Department.Kind.BUREAU)
    for i, payload in enumerate(FORMULA_PAYLOADS):
        texts = {f: FORMULA_PAYLOADS[(i + k) % len(FORMULA_PAYLOADS)] for k, f in enumerate(FIELDS)}
        services.create_procedure(planner, ward, key=f"A-{i:03d}", department=bureau, yearly_volume=i * 10, **texts)
    values = {getattr(p, f) for p in Procedure.objects.filter(municipality=ward) for f in FIELDS}
    assert values == {stored_text(p, keep_lines=keep) for p in FORMULA_PAYLOADS for keep in (False, True)}
    assert {p for p in FORMULA_PAYLOADS if not p[0].isspace()} <= values, "text without surrounding blanks is kept as typed"

    xlsx, csv = export_xlsx(ward), export_csv(ward)
    assert_xlsx_carries_payloads(xlsx, values)
    assert_csv_neutralises_payloads(csv.decode("utf-8-sig"), values)
    for data, name in ((xlsx, "手続一覧.xlsx"), (csv, "手続一覧.csv")):
        path = tmp_path / name
        path.write_bytes(data)
        before = database_state()
        with acting_as(None, name="test"):
            result = get_importer("procedures").run(str(path), access=Access.system(), dry_run=False, options={"municipality": ward.code})
        assert result.created == {} and result.updated == {}, (name, result.updated)
        assert database_state() == before
        assert {getattr(p, f) for p in Procedure.objects.filter(municipality=ward) for f in FIELDS} == values
