"""The round answer form upload, fuzzed (hypothesis) through its web page: an exported form with bytes
flipped, cut short or a member corrupted, and forms whose cells were edited (any text, formulas without
a saved result, huge numbers, dates; mostly in the cells people fill in). The page answers 200 (the
preview) or 400/413 with located problems — never a server error — and a refused file writes nothing;
a preview that passes is confirmed, and that write succeeds or is refused as a whole."""

from __future__ import annotations

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shinchoku.core.tests.fuzzing import corrupted_bytes, database_state, edited_xlsx
from shinchoku.rounds import xlsx

from .conftest import SHOKUIN, login
from .test_xlsx import export, upload

pytestmark = pytest.mark.django_db

FUZZ = settings(
    max_examples=30, deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)


def _editable_columns(round) -> dict[str, list[int]]:
    fy = round.fiscal_year
    return {
        xlsx.ANSWER_SHEET: [i for i, c in enumerate(xlsx.answer_columns(fy), start=1) if c.kind == "edit"],
        xlsx.ACTUAL_SHEET: [i for i, c in enumerate(xlsx.actual_columns(fy), start=1) if c.kind == "edit"],
    }


def upload_or_refuse(client, round, dep, content: bytes) -> None:
    before = database_state()
    response = upload(client, round, dep, content, submit=False)
    if response.status_code != 200:
        assert response.status_code in (400, 413)
        problems = response.context["problems"]
        assert problems and all(p.message for p in problems)
        assert "取り込めません（何も変更していません）" in response.content.decode()
        assert database_state() == before
        return
    assert database_state() == before, "the preview is a dry run"
    token = response.context["token"]
    applied = client.post(reverse("rounds:import", args=[round.pk, dep.pk]) + "?step=apply", {"token": token})
    assert applied.status_code in (302, 400)
    if applied.status_code == 400:
        assert database_state() == before


@pytest.fixture
def form(round24, departments):
    """The exported form (once: it carries its export time) and a logged-in editor of its department."""
    dep = departments[SHOKUIN]
    return {"round": round24, "department": dep, "data": export(round24, dep), "client": login("shokuin")}


@FUZZ
@given(data=st.data())
def test_round_form_with_broken_bytes(form, data):
    content = data.draw(corrupted_bytes(form["data"]))
    upload_or_refuse(form["client"], form["round"], form["department"], content)


@FUZZ
@given(data=st.data())
def test_round_form_with_edited_cells(form, data):
    content = data.draw(edited_xlsx(
        form["data"], [xlsx.ANSWER_SHEET, xlsx.ACTUAL_SHEET], columns=_editable_columns(form["round"]),
    ))
    upload_or_refuse(form["client"], form["round"], form["department"], content)
