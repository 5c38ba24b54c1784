"""Pages of the audit register and the follow-up list (措置状況一覧) as page, XLSX and PDF; POSTs
refused per role with the reason; other departments' drafts hidden."""

from __future__ import annotations

import io
import subprocess

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from shinchoku.audits import services
from shinchoku.audits.models import Audit, Finding, Response, ResponseState
from shinchoku.core.testing.programs import need_program

pytestmark = pytest.mark.django_db


@pytest.fixture
def as_user(client):
    def login(user):
        client.force_login(user)
        return client

    return login


def shiteki(m):
    return Finding.objects.get(municipality=m, kind=Finding.Kind.SHITEKI, number=1)


def test_audit_pages(users, koto_municipality, as_user):
    c = as_user(users["auditor"])
    html = c.get(reverse("audits:list")).content.decode()
    assert "行政手続の簡素化・合理化とデジタルサービス推進施策に係る財務事務の執行について" in html
    audit = Audit.objects.get(municipality=koto_municipality)
    html = c.get(reverse("audits:detail", args=[audit.pk])).content.decode()
    assert "指摘事項1" in html and "見積の詳細な分析の必要性について" in html and "意見事項37" in html
    assert 'data-department="DX推進課">19<' in html
    html = c.get(reverse("audits:detail", args=[audit.pk]) + "?department=経済課").content.decode()
    assert "意見事項34" in html and "意見事項1<" not in html
    html = c.get(reverse("audits:finding", args=[shiteki(koto_municipality).pk])).content.decode()
    assert "随意契約の見積について、詳細な検討が必要である。" in html
    assert "措置を回答する" not in html  # auditors read only


def test_editor_answers_through_the_page(users, koto_municipality, as_user):
    f = shiteki(koto_municipality)
    c = as_user(users["dx"])
    assert "措置を回答する" in c.get(reverse("audits:finding", args=[f.pk])).content.decode()
    response = c.post(reverse("audits:respond", args=[f.pk]), {
        "text": "見積比較の手順書を作成した。", "state": ResponseState.IN_PROGRESS, "date": "2025-06-01",
    })
    assert response.status_code == 302
    r = Response.objects.get(finding=f)
    assert r.department.name == "DX推進課" and r.submitted_by == users["dx"]


@pytest.mark.parametrize("role", ["shokuin", "auditor", "executive"])
def test_answer_post_refused_with_reason(users, koto_municipality, as_user, role):
    f = shiteki(koto_municipality)
    response = as_user(users[role]).post(reverse("audits:respond", args=[f.pk]), {
        "text": "x", "state": ResponseState.DONE, "date": "2025-06-01",
    })
    assert response.status_code == 403
    assert "指摘事項1への回答" in response.content.decode()
    assert not Response.objects.exists()


@pytest.mark.parametrize("role", ["dx", "auditor", "executive"])
def test_approve_post_refused(users, koto_municipality, as_user, role):
    r = services.submit_response(users["dx"], shiteki(koto_municipality), text="対応", state=ResponseState.DONE)
    response = as_user(users[role]).post(reverse("audits:approve", args=[r.pk]))
    assert response.status_code == 403 and "措置の承認" in response.content.decode()
    assert as_user(users["planning"]).post(reverse("audits:approve", args=[r.pk])).status_code == 302
    r.refresh_from_db()
    assert r.review == Response.Review.APPROVED


def test_other_departments_drafts_are_hidden(users, koto_municipality, as_user, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    f = shiteki(koto_municipality)
    r = services.submit_response(users["dx"], f, text="下書きの措置内容", state=ResponseState.IN_PROGRESS)
    ev = services.add_evidence(users["dx"], r, SimpleUploadedFile("memo.txt", b"memo"))
    html = as_user(users["shokuin"]).get(reverse("audits:finding", args=[f.pk])).content.decode()
    assert "下書きの措置内容" not in html and "承認前の回答が1件あります" in html
    assert as_user(users["shokuin"]).get(reverse("audits:evidence-download", args=[ev.pk])).status_code == 404
    assert "下書きの措置内容" in as_user(users["auditor"]).get(reverse("audits:finding", args=[f.pk])).content.decode()
    download = as_user(users["dx"]).get(reverse("audits:evidence-download", args=[ev.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == b"memo"


def test_other_municipality_finding_is_not_found(users, koto_municipality, planner_client):
    assert planner_client.get(reverse("audits:finding", args=[shiteki(koto_municipality).pk])).status_code == 404


# --------------------------------------------------------------------------- follow-up list


def test_follow_up_page(users, koto_municipality, as_user):
    html = as_user(users["executive"]).get(reverse("audits:follow-up") + "?fy=令和7年度").content.decode()
    assert "令和7年度 包括外部監査 指摘事項・意見事項 措置状況一覧" in html
    assert "全38件（未措置 38件、措置中 0件、措置済 0件）" in html


def test_follow_up_xlsx_has_38_rows(users, koto_municipality, as_user):
    r = services.submit_response(users["dx"], shiteki(koto_municipality), text="手順書を作成", state=ResponseState.DONE)
    services.approve_response(users["planning"], r)
    response = as_user(users["auditor"]).get(reverse("audits:follow-up-xlsx") + "?fy=2025")
    assert response.status_code == 200
    wb = load_workbook(io.BytesIO(response.content))
    ws = wb["措置状況一覧"]
    header_row = next(row for row in range(1, 10) if ws.cell(row=row, column=1).value == "No.")
    headers = [c.value for c in ws[header_row]]
    assert headers[:4] == ["No.", "分類・番号", "題名", "概要"]
    data = [
        [c.value for c in row] for row in ws.iter_rows(min_row=header_row + 1)
        if isinstance(row[0].value, int)
    ]
    assert len(data) == 38
    assert data[1][1:3] == ["指摘事項1", "見積の詳細な分析の必要性について"]
    assert data[1][headers.index("措置状況")] == "措置済" and data[1][headers.index("措置の内容")] == "手順書を作成"
    assert [row[1] for row in data if row[1].startswith("意見事項")] == [f"意見事項{n}" for n in range(1, 38)]
    # print set-up: A4 landscape, header repeated on every page, frozen below the header
    assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == 9
    assert ws.print_title_rows == f"${header_row}:${header_row}"
    assert ws.freeze_panes == f"A{header_row + 1}"
    assert ws.cell(row=header_row, column=1).style == "sk_header"
    assert "sk_wrap" in wb.named_styles


def test_follow_up_pdf_renders(users, koto_municipality, as_user, tmp_path):
    response = as_user(users["auditor"]).get(reverse("audits:follow-up-pdf") + "?fy=2025")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    pdf = tmp_path / "follow-up.pdf"
    pdf.write_bytes(response.content)
    pdftoppm = need_program("pdftoppm", package="poppler-utils")
    pdftotext = need_program("pdftotext", package="poppler-utils")
    subprocess.run([pdftoppm, "-png", "-r", "60", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "page")], check=True)
    assert (tmp_path / "page-1.png").stat().st_size > 10_000
    text = subprocess.run([pdftotext, "-layout", str(pdf), "-"], capture_output=True, check=True, text=True).stdout
    compact = "".join(text.split())  # pdftotext puts spaces between kanji and digits
    assert "措置状況一覧" in compact and "指摘事項1" in compact and "意見事項37" in compact and "DX推進課" in compact
    pages = text.split("\f")
    assert len([p for p in pages if p.strip()]) >= 2
    assert all("分類・番号" in p for p in pages if p.strip())  # the header row repeats on every page


# --------------------------------------------------------------------------- commands


def test_findings_list_json(koto):
    import json

    out = io.StringIO()
    call_command("findings", "list", "--json", "--municipality", "131083", stdout=out)
    payload = json.loads(out.getvalue())
    assert payload["count"] == 38
    assert payload["counts_by_kind"] == {"指摘事項": 1, "意見事項": 37}
    assert payload["counts_by_state"] == {"未措置": 38, "措置中": 0, "措置済": 0}
    shiteki_row = next(f for f in payload["findings"] if f["label"] == "指摘事項1")
    assert shiteki_row["departments"] == ["DX推進課"] and shiteki_row["page"] == 56


def test_findings_follow_up_command(koto, tmp_path):
    for fmt in ("xlsx", "pdf"):
        out = tmp_path / f"follow-up.{fmt}"
        call_command("findings", "follow-up", "--format", fmt, "--output", str(out), "--fy", "R7", stdout=io.StringIO())
        assert out.stat().st_size > 1000
    assert (tmp_path / "follow-up.pdf").read_bytes().startswith(b"%PDF")
    assert len(load_workbook(tmp_path / "follow-up.xlsx").active["B"]) >= 38


def test_audit_pages_have_a_fixed_query_count(users, koto_municipality, as_user):
    """More findings and answers do not mean more queries (no per-row queries in the templates)."""
    audit = Audit.objects.get(municipality=koto_municipality)
    c = as_user(users["dx"])
    urls = [reverse("audits:list"), reverse("audits:detail", args=[audit.pk]), reverse("audits:follow-up")]
    budgets = {}
    for url in urls:
        with CaptureQueriesContext(connection) as ctx:
            assert c.get(url).status_code == 200
        budgets[url] = len(ctx.captured_queries)
        assert budgets[url] <= 15, url
    dx = audit.findings.first().departments.first()
    for n in range(40, 80):
        f = services.add_finding(None, audit, kind=Finding.Kind.IKEN, number=n, title=f"追加の意見{n}について", departments=[dx])
        r = services.submit_response(None, f, text="対応中", state=ResponseState.IN_PROGRESS)
        services.approve_response(None, r)
    for url in urls:
        with CaptureQueriesContext(connection) as ctx:
            assert c.get(url).status_code == 200
        assert len(ctx.captured_queries) == budgets[url], url
