"""Issue 18: formula text in a finding's title and summary and in the approved response goes out of
the follow-up list (措置状況一覧) XLSX as string cells; the workbook holds no formula."""

from __future__ import annotations

import pytest
from django.urls import reverse

from shinchoku.audits import services
from shinchoku.audits.models import Audit, Finding, ResponseState
from shinchoku.core.models import Department
from shinchoku.core.tests.fuzzing import FORMULA_PAYLOADS, assert_xlsx_carries_payloads

pytestmark = pytest.mark.django_db


def test_follow_up_xlsx_carries_the_payloads_as_text(users, koto_municipality, client):
    audit = Audit.objects.filter(municipality=koto_municipality).first()
    dx = Department.objects.get(municipality=koto_municipality, name="DX推進課")
    stored = set()
    for i, payload in enumerate(FORMULA_PAYLOADS, start=1):
        finding = services.add_finding(users["planning"], audit, kind=Finding.Kind.IKEN, number=900 + i,
                                       title=payload, summary=payload, departments=[dx])
        response = services.submit_response(users["dx"], finding, text=payload, state=ResponseState.DONE)
        services.approve_response(users["planning"], response)
        finding.refresh_from_db()
        response.refresh_from_db()
        stored |= {finding.title, finding.summary, response.text}
    assert {p for p in FORMULA_PAYLOADS if not p[0].isspace()} <= stored
    client.force_login(users["planning"])
    data = client.get(reverse("audits:follow-up-xlsx") + f"?fy={audit.fiscal_year}")
    assert data.status_code == 200
    assert_xlsx_carries_payloads(data.content, stored)
