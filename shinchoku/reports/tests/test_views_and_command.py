"""Report pages for signed-in users (/reports/) and the ``shinchoku report`` command."""

from __future__ import annotations

import io
import json
from io import StringIO

import openpyxl
import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.urls import reverse

from shinchoku.plans.models import ProgressEntry

pytestmark = pytest.mark.django_db


def _login(client, username: str):
    client.force_login(get_user_model().objects.get(username=username))
    return client


def test_reports_need_login(client, nakano_plan):
    response = client.get(reverse("reports:report", args=[nakano_plan.pk, "summary"]))
    assert response.status_code == 302 and "/login/" in response["Location"]


@pytest.mark.parametrize("kind", ["summary", "progress-list", "department", "findings"])
def test_report_pages(planner_client, nakano_plan, kind):
    response = planner_client.get(reverse("reports:report", args=[nakano_plan.pk, kind]) + "?fy=2023")
    assert response.status_code == 200
    html = response.content.decode()
    assert "第2次中野区地域情報化推進計画改定版" in html and "ダウンロード" in html


def test_report_downloads(planner_client, nakano_plan):
    url = reverse("reports:report", args=[nakano_plan.pk, "progress-list"]) + "?fy=2023&department=戸籍住民課"
    xlsx = planner_client.get(url + "&format=xlsx")
    assert xlsx.status_code == 200 and xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    assert 'filename="131148_plan' in xlsx["Content-Disposition"]
    ws = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    assert "所管課: 戸籍住民課" in ws["A2"].value
    pdf = planner_client.get(url + "&format=pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    csv = planner_client.get(url + "&format=csv")
    assert csv.content.startswith(b"\xef\xbb\xbf")
    data = json.loads(planner_client.get(url + "&format=json").content)
    assert data["header"]["filters"] == {"department": "戸籍住民課"}
    assert planner_client.get(url + "&format=docx").status_code == 404


def test_other_municipalities_plans_are_not_found(planner_client, db):
    from shinchoku.demo.synthetic import build_ward

    other = build_ward(5)
    assert planner_client.get(reverse("reports:report", args=[other.pk, "summary"])).status_code == 404


def test_only_readers_of_everything_may_include_drafts(client, nakano_plan):
    entry = ProgressEntry.objects.get(node__plan=nakano_plan, fiscal_year=2023, node__code="1-1-①-1")
    entry.state = ProgressEntry.State.DRAFT
    entry.result = "下書きの文"
    entry.save()
    url = reverse("reports:report", args=[nakano_plan.pk, "progress-list"]) + "?fy=2023&drafts=1"
    assert "下書きの文" in _login(client, "planning").get(url).content.decode()
    assert "下書きの文" not in _login(client, "digital").get(url).content.decode()  # an editor of another department


def test_index_lists_the_plans(planner_client, nakano_plan):
    html = planner_client.get(reverse("reports:index")).content.decode()
    assert nakano_plan.name in html and "進捗状況一覧（別紙）" in html


def test_status_counts_command_still_works(nakano_plan):
    out = StringIO()
    call_command("report", "status-counts", "--plan", str(nakano_plan.pk), "--fy", "令和5年度", "--json", stdout=out)
    assert json.loads(out.getvalue())["counts"] == {"◎": 0, "○": 105, "△": 0, "×": 0}


@pytest.mark.parametrize("kind", ["summary", "progress-list", "department", "findings"])
@pytest.mark.parametrize("fmt", ["html", "xlsx", "pdf", "csv", "json"])
def test_report_command_writes_every_format(nakano_plan, tmp_path, kind, fmt):
    path = tmp_path / f"out.{fmt}"
    call_command("report", kind, "--plan", str(nakano_plan.pk), "--fy", "2023", "--format", fmt, "--output", str(path),
                 stderr=StringIO())
    content = path.read_bytes()
    magic = {"xlsx": b"PK", "pdf": b"%PDF", "csv": b"\xef\xbb\xbf", "json": b"{", "html": b"<!doctype html>"}[fmt]
    assert content.startswith(magic)


def test_report_command_to_stdout_and_errors(nakano_plan):
    out = StringIO()
    call_command("report", "progress-list", "--plan", str(nakano_plan.pk), "--fy", "R5", "--format", "csv",
                 "--status", "○", stdout=out)
    lines = out.getvalue().lstrip("\ufeff").splitlines()
    assert lines[0].startswith("年度,目標コード") and len(lines) == 106
    with pytest.raises(CommandError, match="計画ID"):
        call_command("report", "summary", "--plan", "999999", "--fy", "2023")
    with pytest.raises(CommandError, match="--fy"):
        call_command("report", "summary", "--plan", str(nakano_plan.pk), "--fy", "来年")


def test_a_user_of_no_municipality_sees_no_reports(client, nakano_plan):
    stranger = get_user_model().objects.create_user("no-membership", password="x-password-1")
    client.force_login(stranger)
    assert nakano_plan.name not in client.get(reverse("reports:index")).content.decode()
    assert client.get(reverse("reports:report", args=[nakano_plan.pk, "summary"])).status_code == 404


@pytest.mark.parametrize(("username", "may"), [("auditor", True), ("executive", True), ("digital", False)])
def test_the_drafts_checkbox_is_offered_to_readers_of_everything(client, nakano_plan, username, may):
    html = _login(client, username).get(reverse("reports:report", args=[nakano_plan.pk, "progress-list"])).content.decode()
    assert ('name="drafts"' in html) is may
