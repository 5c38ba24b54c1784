"""Issue 18: formula text typed into an evaluation sheet on its edit page goes out of the sheet's
XLSX as a string cell; the workbook holds no formula."""

from __future__ import annotations

import pytest
from django.urls import reverse

from shinchoku.core.tests.fuzzing import FORMULA_PAYLOADS, assert_xlsx_carries_payloads
from shinchoku.evaluations.models import EvaluationSheet

from .test_views import edit_url, form

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("payload", FORMULA_PAYLOADS)
def test_sheet_xlsx_carries_typed_text_as_a_string_cell(login, users, sheets, payload):
    sheet = sheets["03-04-01"]
    client = login(users["editor"])
    assert client.post(edit_url(sheet), form(sheet, classification_reason=payload)).status_code == 302
    stored = EvaluationSheet.objects.get(pk=sheet.pk).classification_reason
    assert stored in (payload, payload.strip())
    response = client.get(reverse("evaluations:sheet_xlsx", args=[sheet.pk]))
    assert_xlsx_carries_payloads(response.content, [stored])
