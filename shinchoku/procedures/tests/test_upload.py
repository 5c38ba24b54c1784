"""The inventory upload page: upload → dry-run preview (counts, new and changed rows; nothing written)
→ confirm (all or nothing); bad files refused with their place; the size limit; planning only."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from shinchoku.core.importing import ImportFailed, Problem
from shinchoku.core.models import ChangeLog, Municipality, Role
from shinchoku.procedures import services
from shinchoku.procedures.inventory_io import HEADERS, export_xlsx
from shinchoku.procedures.models import Procedure
from shinchoku.procedures.tests.test_drive import inventory_csv, make_user

pytestmark = pytest.mark.django_db

URL = "/procedures/import/"


@pytest.fixture
def ward(db):
    return Municipality.objects.create(code="131164", name="豊島区")


@pytest.fixture
def planner(ward):
    return make_user("u-planning", ward, Role.PLANNING)


@pytest.fixture
def inventory_file(tmp_path):
    path = tmp_path / "手続一覧.csv"
    inventory_csv(path)
    return path


def upload(path_or_bytes, name=None, content_type="text/csv"):
    data = path_or_bytes.read_bytes() if hasattr(path_or_bytes, "read_bytes") else path_or_bytes
    return SimpleUploadedFile(name or path_or_bytes.name, data, content_type=content_type)


def preview(client, file):
    return client.post(URL + "?step=preview", {"file": file})


def token_of(html: str) -> str:
    return html.split('name="token" value="')[1].split('"')[0]


def test_upload_url():
    assert reverse("procedures:import") == URL


def test_preview_shows_counts_and_writes_nothing_until_confirmed(ward, planner, client, inventory_file):
    client.force_login(planner)
    assert "行政手続の一覧を取り込む" in client.get(URL).content.decode()
    logs = ChangeLog.objects.count()
    response = preview(client, upload(inventory_file))
    html = response.content.decode()
    assert response.status_code == 200
    assert "試行結果（まだ取り込んでいません）— 手続一覧.csv" in html
    assert 'data-testid="count-rows">600<' in html and 'data-testid="count-new">600<' in html
    assert 'data-testid="count-updated">0<' in html
    assert ">122</b>オンライン化済" in html and "うち阻害要因あり 110" in html
    assert "ほか400行が新規・更新になります" in html  # the first 200 rows listed
    assert Procedure.objects.count() == 0 and ChangeLog.objects.count() == logs  # nothing written
    token = token_of(html)
    response = client.post(URL + "?step=apply", {"token": token})
    assert response.status_code == 302 and response["Location"] == reverse("procedures:inventory")
    assert Procedure.objects.filter(municipality=ward).count() == 600
    assert ChangeLog.objects.filter(model="procedures.Procedure", user=planner).count() == 600
    html = client.get(reverse("procedures:inventory")).content.decode()
    assert "「手続一覧.csv」を取り込みました（新規 600件、更新 0件、変更なし 0件）" in html
    # the token is used up: confirming twice writes nothing more
    logs = ChangeLog.objects.count()
    response = client.post(URL + "?step=apply", {"token": token})
    assert response.status_code == 400 and "取り込む内容が見つかりません" in response.content.decode()
    assert ChangeLog.objects.count() == logs


def test_preview_lists_changed_rows(ward, planner, client, inventory_file):
    client.force_login(planner)
    html = preview(client, upload(inventory_file)).content.decode()
    client.post(URL + "?step=apply", {"token": token_of(html)})
    # change two rows in an XLSX export and upload it
    wb = load_workbook(io.BytesIO(export_xlsx(ward)))
    ws = wb.active
    ws["F2"] = 999999  # 年間件数 of the first row
    ws["G3"] = "済"
    ws["H3"] = "LoGoフォーム"
    buffer = io.BytesIO()
    wb.save(buffer)
    first, second = ws["A2"].value, ws["A3"].value
    logs = ChangeLog.objects.count()
    response = preview(client, upload(buffer.getvalue(), "更新.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="count-new">0<' in html and 'data-testid="count-updated">2<' in html
    assert 'data-testid="count-unchanged">598<' in html
    assert first in html and "999,999" in html and second in html and "LoGoフォーム" in html
    assert ChangeLog.objects.count() == logs and not Procedure.objects.filter(yearly_volume=999999).exists()
    client.post(URL + "?step=apply", {"token": token_of(html)})
    assert Procedure.objects.get(municipality=ward, key=first).yearly_volume == 999999
    assert Procedure.objects.get(municipality=ward, key=second).channel == "logo"


def test_wrong_header_is_refused_with_its_place(ward, planner, client):
    client.force_login(planner)
    logs = ChangeLog.objects.count()
    response = preview(client, upload("番号X,名前,部\nA1,住民票,区民部\n".encode(), "header.csv"))
    html = response.content.decode()
    assert response.status_code == 400
    assert "取り込めません（何も変更していません）" in html
    assert "header.csv 1行目" in html and "見出し行（「事務番号」「手続名」…）が見つかりません" in html
    response = preview(client, upload("事務番号,手続名\nA1,住民票\n".encode(), "cols.csv"))
    html = response.content.decode()
    assert response.status_code == 400 and "cols.csv 1行目" in html and "必須の列「所管部局」がありません" in html
    assert Procedure.objects.count() == 0 and ChangeLog.objects.count() == logs


def test_text_in_the_volume_column_is_refused_with_row_and_column(ward, planner, client):
    client.force_login(planner)
    text = ("事務番号,手続名,所管部局,年間件数,オンライン化\n"
            "A1,住民票の写しの交付申請,区民部,\"1,200\",未\n"
            "A2,印鑑登録,区民部,多数,未\n")
    response = preview(client, upload(text.encode(), "volume.csv"))
    html = response.content.decode()
    assert response.status_code == 400
    assert "volume.csv 3行目 D列" in html and "年間件数「多数」は0以上の整数で入力してください" in html
    # the same in an XLSX: the sheet is named too
    wb = load_workbook(io.BytesIO(export_xlsx(Municipality.objects.get(pk=ward.pk))))
    ws = wb.active
    ws.append(["B1", "犬の登録", "保健福祉部", "", "", "約50件", "未", "", "", "", ""])
    buffer = io.BytesIO()
    wb.save(buffer)
    response = preview(client, upload(buffer.getvalue(), "volume.xlsx", "application/octet-stream"))
    html = response.content.decode()
    assert response.status_code == 400
    assert "シート「行政手続一覧」 2行 F列" in html and "年間件数「約50件」は0以上の整数で入力してください" in html
    assert Procedure.objects.count() == 0 and not Municipality.objects.get(pk=ward.pk).department_set.exists()


def test_oversize_file_is_refused_and_nothing_written(ward, planner, client, inventory_file, settings):
    settings.SHINCHOKU_MAX_UPLOAD_BYTES = 1000
    client.force_login(planner)
    logs = ChangeLog.objects.count()
    response = preview(client, upload(inventory_file))
    html = response.content.decode()
    assert response.status_code == 413
    assert "手続一覧.csv" in html and "ファイルが大きすぎます" in html and "上限は1,000バイト" in html
    assert Procedure.objects.count() == 0 and ChangeLog.objects.count() == logs
    # far over the limit: refused from the request's length alone
    settings.SHINCHOKU_MAX_UPLOAD_BYTES = 10
    big = upload(b"x" * 200_000, "big.csv")
    response = preview(client, big)
    assert response.status_code == 413 and "ファイルが大きすぎます" in response.content.decode()
    assert Procedure.objects.count() == 0


def test_other_file_types_are_refused(ward, planner, client):
    client.force_login(planner)
    response = preview(client, upload(b"%PDF-1.4", "list.pdf", "application/pdf"))
    assert response.status_code == 400 and "list.pdf" in response.content.decode() and "XLSX（.xlsx）または CSV" in response.content.decode()
    response = preview(client, upload(b"PK\x03\x04broken", "broken.xlsx", "application/octet-stream"))
    assert response.status_code == 400 and "broken.xlsx" in response.content.decode() and "ZIP（XLSX）として読めません" in response.content.decode()


@pytest.mark.parametrize("role", [Role.DEPARTMENT_EDITOR, Role.AUDITOR, Role.EXECUTIVE])
def test_only_planning_imports(ward, client, inventory_file, role):
    user = make_user("u-other", ward, role, ["区民部"] if role == Role.DEPARTMENT_EDITOR else ())
    client.force_login(user)
    assert client.get(URL).status_code == 403
    response = preview(client, upload(inventory_file))
    assert response.status_code == 403 and "行政手続の一覧の取り込み" in response.content.decode()
    with pytest.raises(PermissionDenied):
        services.import_inventory_rows(user, ward, [], source="x.csv", dry_run=True)
    assert Procedure.objects.count() == 0
    assert "一覧の取り込み" not in client.get(reverse("procedures:inventory")).content.decode()


def test_token_is_bound_to_the_user_and_municipality(ward, planner, client, inventory_file):
    from shinchoku.procedures.views import UPLOAD_SESSION_KEY

    client.force_login(planner)
    token = token_of(preview(client, upload(inventory_file)).content.decode())
    other = make_user("u-planning2", ward, Role.PLANNING)
    session = client.session
    session[UPLOAD_SESSION_KEY][token]["user"] = other.pk  # a stash someone else made
    session.save()
    response = client.post(URL + "?step=apply", {"token": token})
    assert response.status_code == 400 and "取り込む内容が見つかりません" in response.content.decode()
    assert Procedure.objects.count() == 0


def test_confirm_is_all_or_nothing(ward, planner, client, inventory_file, monkeypatch):
    client.force_login(planner)
    token = token_of(preview(client, upload(inventory_file)).content.decode())
    real = services.bulk_upsert_procedures

    def fail_halfway(municipality, rows, tally):
        real(municipality, list(rows)[:10], tally)  # ten rows written …
        raise ImportFailed(Problem("途中で失敗しました", file="手続一覧.csv", row=12))

    monkeypatch.setattr(services, "bulk_upsert_procedures", fail_halfway)
    response = client.post(URL + "?step=apply", {"token": token})
    assert response.status_code == 400 and "手続一覧.csv 12行目" in response.content.decode()
    assert Procedure.objects.count() == 0  # … and rolled back


def test_headers_listed_on_the_page(ward, planner, client):
    client.force_login(planner)
    html = client.get(URL).content.decode()
    for h in HEADERS:
        assert h in html
