"""Issue 18: formula text in the effects' free-text columns. Typed into an effects workbook (text
cells) and imported, it is stored as typed; the effects CSV of the effects page neutralises it, and
importing that CSV changes nothing."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import Workbook

from shinchoku.core.access import Access
from shinchoku.core.cellsafety import put
from shinchoku.core.importing import get_importer
from shinchoku.core.models import Membership, Role
from shinchoku.core.tests.fuzzing import FORMULA_PAYLOADS, assert_csv_neutralises_payloads, database_state
from shinchoku.demo.koto import KOTO_CODE, KOTO_EFFECTS, ensure_koto_plan
from shinchoku.effects.models import Effect

pytestmark = pytest.mark.django_db
TEXT_COLUMNS = ("算定根拠", "注記", "人件費の根拠")
FIELDS = ("basis", "notes", "labour_cost_label")


def test_formula_payloads_round_trip_through_the_effects_csv(client, django_user_model, tmp_path):
    ensure_koto_plan()
    header, *rows = list(csv.reader(io.StringIO(KOTO_EFFECTS.read_text(encoding="utf-8"))))
    book = Workbook()
    for c, label in enumerate(header, start=1):
        put(book.active, 1, c, label)
    for r, payload in enumerate(FORMULA_PAYLOADS, start=2):
        values = dict(zip(header, rows[r % 2]))
        values.update({"効果の名称": f"効果{r}", "年度": f"令和{r}年度"})
        values.update({column: payload for column in TEXT_COLUMNS})
        for c, label in enumerate(header, start=1):
            put(book.active, r, c, values[label])
    path = tmp_path / "effects.xlsx"
    book.save(path)
    get_importer("effects").run(str(path), access=Access.system(), dry_run=False, options={})
    stored = {getattr(e, f) for e in Effect.objects.filter(municipality__code=KOTO_CODE) for f in FIELDS}
    assert stored == {p.strip() for p in FORMULA_PAYLOADS}  # the effects importer trims every cell
    assert {p for p in FORMULA_PAYLOADS if not p[0].isspace()} <= stored

    user = django_user_model.objects.create(username="koto-planner")
    Membership.objects.create(user=user, municipality=Effect.objects.first().municipality, role=Role.PLANNING)
    client.force_login(user)
    response = client.get("/effects/effects.csv", follow=True)  # the old address redirects to ?format=csv
    assert response.status_code == 200
    assert_csv_neutralises_payloads(response.content.decode("utf-8"), stored)

    exported = tmp_path / "effects.csv"
    exported.write_bytes(response.content)
    before = database_state()
    result = get_importer("effects").run(str(exported), access=Access.system(), dry_run=False, options={})
    assert result.created == {} and result.updated == {} and database_state() == before
