"""The inventory upload page, fuzzed (hypothesis): the export of a real inventory (XLSX and CSV) with
bytes flipped, cut short or a member corrupted, and with cells edited (any text, formulas, huge
numbers, dates, booleans). The page answers 200 (the preview) or 400/413 with located problems —
never a server error — and a refused file writes nothing; a preview that passes is confirmed."""

from __future__ import annotations

import csv

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shinchoku.core.access import Access
from shinchoku.core.changelog import acting_as
from shinchoku.core.importing import get_importer
from shinchoku.core.models import Role
from shinchoku.core.tests.fuzzing import corrupted_bytes, database_state, edited_csv, edited_xlsx
from shinchoku.procedures.inventory_io import HEADERS, export_csv, export_xlsx
from shinchoku.procedures.selection import BLOCKERS
from shinchoku.procedures.tests.test_drive import make_user
from shinchoku.procedures.tests.test_selection import toshima_like_inventory

from .test_upload import URL, preview, token_of, upload, ward  # noqa: F401 - ward is a fixture

pytestmark = pytest.mark.django_db

FUZZ = settings(
    max_examples=30, deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)


@pytest.fixture
def inventory(ward, tmp_path, client):
    """40 procedures imported through the importer, exported as XLSX and CSV; a planner logged in."""
    path = tmp_path / "inventory.csv"
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(HEADERS)
        for p in toshima_like_inventory()[:40]:
            w.writerow([p.key, p.name, p.department, "", "", p.yearly_volume, "済" if p.online else "未", "",
                        "、".join(BLOCKERS[b] for b in sorted(p.blockers)), "", ""])
    with acting_as(None, name="fixture"):
        get_importer("procedures").run(str(path), access=Access.system(), dry_run=False, options={"municipality": ward.code})
    client.force_login(make_user("u-planning", ward, Role.PLANNING))
    return {"xlsx": export_xlsx(ward), "csv": export_csv(ward), "client": client}


def upload_or_refuse(client, content: bytes, name: str) -> None:
    before = database_state()
    response = preview(client, upload(content, name, "application/octet-stream"))
    if response.status_code != 200:
        assert response.status_code in (400, 413)
        problems = response.context["problems"]
        assert problems and all(p.message for p in problems)
        assert database_state() == before
        return
    assert database_state() == before, "the preview is a dry run"
    applied = client.post(URL + "?step=apply", {"token": token_of(response.content.decode())})
    assert applied.status_code in (302, 400)
    if applied.status_code == 400:
        assert database_state() == before


@FUZZ
@given(data=st.data())
def test_inventory_upload_with_broken_bytes(inventory, data):
    fmt = data.draw(st.sampled_from(["xlsx", "csv"]))
    upload_or_refuse(inventory["client"], data.draw(corrupted_bytes(inventory[fmt])), f"手続一覧.{fmt}")


@FUZZ
@given(data=st.data())
def test_inventory_upload_with_edited_cells(inventory, data):
    if data.draw(st.booleans()):
        upload_or_refuse(inventory["client"], data.draw(edited_xlsx(inventory["xlsx"])), "手続一覧.xlsx")
    else:
        content = data.draw(edited_csv(inventory["csv"].decode("utf-8-sig"))).encode("utf-8")
        upload_or_refuse(inventory["client"], content, "手続一覧.csv")
