"""The online drive through the database and the commands: a generated Toshima-sized inventory (600
procedures: 122 online, 478 not, 110 of them blocked) imported from CSV, the selection of N = 180,
quotas, swaps (a swap that lowers a quota is refused with the message), progress and the
far-above-peers warning, rates, import errors with their place, XLSX/CSV round trip, permissions."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from shinchoku.core.access import Access
from shinchoku.core.changelog import acting_as
from shinchoku.core.importing import ImportFailed, get_importer
from shinchoku.core.models import ChangeLog, Department, Membership, Municipality, Role
from shinchoku.procedures import queries, services
from shinchoku.procedures.inventory_io import HEADERS, export_csv, export_xlsx
from shinchoku.procedures.models import (
    DepartmentQuota,
    PeerAchievement,
    Procedure,
    SelectionItem,
    TargetSelection,
)
from shinchoku.procedures.selection import BLOCKERS
from shinchoku.procedures.tests.test_selection import toshima_like_inventory

pytestmark = pytest.mark.django_db

CODE = "131164"


def inventory_csv(path) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(HEADERS)
        for p in toshima_like_inventory():
            w.writerow([
                p.key, p.name, p.department, "", "住民基本台帳法" if p.department == "区民部" else "",
                f"{p.yearly_volume:,}", "済" if p.online else "未", "東京共同電子申請" if p.online else "",
                "、".join(BLOCKERS[b] for b in sorted(p.blockers)), "", "",
            ])


@pytest.fixture
def toshima(db, tmp_path):
    path = tmp_path / "inventory.csv"
    inventory_csv(path)
    out = io.StringIO()
    call_command("import", "procedures", str(path), "--municipality", CODE, "--municipality-name", "豊島区", "--json", stdout=out)
    payload = json.loads(out.getvalue())
    assert payload["ok"], payload
    return Municipality.objects.get(code=CODE)


def make_user(username, municipality, role, departments=()):
    user = get_user_model().objects.create_user(username, f"{username}@example.invalid")
    m = Membership.objects.create(user=user, municipality=municipality, role=role)
    if departments:
        m.departments.set(Department.objects.filter(municipality=municipality, name__in=departments))
    return user


@pytest.fixture
def pusers(toshima):
    return {
        "planning": make_user("t-planning", toshima, Role.PLANNING),
        "kumin": make_user("t-kumin", toshima, Role.DEPARTMENT_EDITOR, ["区民部"]),
        "hoken": make_user("t-hoken", toshima, Role.DEPARTMENT_EDITOR, ["保健福祉部"]),
        "auditor": make_user("t-auditor", toshima, Role.AUDITOR),
        "executive": make_user("t-exec", toshima, Role.EXECUTIVE),
    }


def select(*args) -> dict:
    out = io.StringIO()
    call_command("procedures", "select", "--municipality", CODE, "--json", *args, stdout=out)
    return json.loads(out.getvalue())


# --------------------------------------------------------------------------- the inventory


def test_inventory_imported(toshima):
    procs = Procedure.objects.filter(municipality=toshima)
    assert procs.count() == 600
    assert procs.filter(online=True).count() == 122
    assert procs.filter(online=False).count() == 478
    blocked = [p for p in procs.filter(online=False) if p.blockers]
    assert len(blocked) == 110
    assert {b for p in blocked for b in p.blockers} == {"law_requires_paper", "payment", "original_documents"}
    assert Department.objects.get(municipality=toshima, name="区民部").kind == Department.Kind.BUREAU


def test_select_180_through_the_command(toshima):
    payload = select("--target-total", "300", "--n", "180", "--fy", "令和6年度", "--name", "令和6年度 来庁不要区役所")
    assert payload["chosen"] == payload["n"] == 180
    assert payload["already_online"] == 122 and payload["not_online"] == 478 and payload["blocked"] == 110
    assert payload["needed_for_target"] == 178 and payload["difference"] == 2
    assert any("178件と2件多い" in n for n in payload["notes"])
    chosen_keys = {p["key"] for p in payload["procedures"]}
    assert len(chosen_keys) == 180
    by_key = {p.key: p for p in Procedure.objects.filter(municipality=toshima)}
    chosen = [by_key[k] for k in chosen_keys]
    assert not any(p.online for p in chosen)
    assert not any(p.blockers for p in chosen)
    left_out = [p for p in by_key.values() if p.eligible and p.key not in chosen_keys]
    assert min(p.yearly_volume for p in chosen) >= max(p.yearly_volume for p in left_out)  # largest volumes first
    volumes = [p["yearly_volume"] for p in payload["procedures"]]
    assert volumes == sorted(volumes, reverse=True)
    assert sum(payload["quotas"].values()) == 180
    # persisted
    sel = TargetSelection.objects.get(pk=payload["id"])
    assert sel.fiscal_year == 2024 and sel.name == "令和6年度 来庁不要区役所"
    assert SelectionItem.objects.filter(selection=sel).count() == 180
    quotas = {q.department.name: q.quota for q in DepartmentQuota.objects.filter(selection=sel)}
    assert quotas == payload["quotas"]
    for dept, q in quotas.items():
        assert sum(1 for p in chosen if p.department.name == dept) == q


def test_select_dry_run_saves_nothing(toshima):
    payload = select("--n", "180", "--dry-run")
    assert payload["chosen"] == 180 and payload["id"] is None and payload["dry_run"]
    assert not TargetSelection.objects.exists()


def test_target_total_alone_gives_n(toshima):
    payload = select("--target-total", "300")
    assert payload["n"] == 178 and payload["chosen"] == 178


# --------------------------------------------------------------------------- swaps


@pytest.fixture
def selection(toshima):
    with acting_as(None, name="test"):
        return services.create_selection(None, toshima, n=180, target_total=300, fiscal_year=2024)


def chosen_of(sel, dept):
    return list(sel.items.filter(procedure__department__name=dept).select_related("procedure").order_by("rank"))


def candidate_of(sel, dept):
    return queries.swap_candidates(sel, Department.objects.get(municipality=sel.municipality, name=dept).pk)[0]


def test_swap_within_the_department(selection, pusers):
    out_p = chosen_of(selection, "区民部")[-1].procedure
    in_p = candidate_of(selection, "区民部")
    before = {q.department.name: q.quota for q in selection.quotas.all()}
    with acting_as(pusers["kumin"]):
        swap = services.swap_procedure(pusers["kumin"], selection, out_key=out_p.key, in_key=in_p.key, reason="窓口での本人確認が必須")
    assert swap.department.name == "区民部" and swap.swapped_by == pusers["kumin"]
    keys = set(selection.items.values_list("procedure__key", flat=True))
    assert in_p.key in keys and out_p.key not in keys and len(keys) == 180
    assert {r.department: r.quota for r in queries.dashboard(selection).rows} == before
    assert ChangeLog.objects.filter(model="procedures.SelectionItem", actor="t-kumin", action="update").count() == 1
    assert ChangeLog.objects.filter(model="procedures.SelectionSwap", actor="t-kumin", action="create").count() == 1


def test_swap_that_lowers_a_quota_is_refused(selection, pusers):
    kumin = chosen_of(selection, "区民部")
    quota = len(kumin)
    other = candidate_of(selection, "保健福祉部")
    with pytest.raises(ValidationError) as exc:
        services.swap_procedure(pusers["kumin"], selection, out_key=kumin[0].procedure.key, in_key=other.key)
    assert exc.value.messages == [(
        f"区民部の割当件数が{quota}件から{quota - 1}件に減るため入れ替えできません"
        f"（「{other.name}」は保健福祉部の事務です。部に割り振られた件数は変更できません）"
    )]
    assert len(chosen_of(selection, "区民部")) == quota
    # the same refusal through the command and the page
    with pytest.raises(CommandError, match=f"区民部の割当件数が{quota}件から{quota - 1}件に減るため入れ替えできません"):
        call_command("procedures", "swap", "--municipality", CODE, "--out", kumin[0].procedure.key, "--in", other.key,
                     stdout=io.StringIO())


def test_swap_refused_on_the_page_with_the_message(selection, pusers, client):
    kumin = chosen_of(selection, "区民部")
    other = candidate_of(selection, "保健福祉部")
    client.force_login(pusers["kumin"])
    response = client.post(reverse("procedures:swap", args=[selection.pk]),
                           {"out_key": kumin[0].procedure.key, "in_key": other.key}, follow=True)
    html = response.content.decode()
    assert "減るため入れ替えできません" in html and "部に割り振られた件数は変更できません" in html


@pytest.mark.parametrize("role, status", [("hoken", 403), ("auditor", 403), ("executive", 403), ("kumin", 302), ("planning", 302)])
def test_swap_permission_per_role(selection, pusers, client, role, status):
    out_p = chosen_of(selection, "区民部")[-1].procedure
    in_p = candidate_of(selection, "区民部")
    client.force_login(pusers[role])
    response = client.post(reverse("procedures:swap", args=[selection.pk]), {"out_key": out_p.key, "in_key": in_p.key})
    assert response.status_code == status
    assert selection.swaps.count() == (1 if status == 302 else 0)
    if status == 403:
        assert "対象事務の入替え" in response.content.decode()


def test_blocked_or_online_procedures_cannot_be_swapped_in(selection, pusers):
    out_p = chosen_of(selection, "区民部")[-1].procedure
    blocked = Procedure.objects.filter(municipality=selection.municipality, department__name="区民部", online=False).exclude(blockers=[]).first()
    with pytest.raises(ValidationError, match="阻害要因"):
        services.swap_procedure(pusers["kumin"], selection, out_key=out_p.key, in_key=blocked.key)
    online = Procedure.objects.filter(municipality=selection.municipality, department__name="区民部", online=True).first()
    with pytest.raises(ValidationError, match="既にオンライン化済み"):
        services.swap_procedure(pusers["kumin"], selection, out_key=out_p.key, in_key=online.key)


# --------------------------------------------------------------------------- progress, warnings, rates


def test_progress_against_quota_and_peer_warning(selection, pusers, client):
    kumin = chosen_of(selection, "区民部")
    for it in kumin[:3]:
        services.set_online(pusers["kumin"], it.procedure, channel="pittari")
    PeerAchievement.objects.create(municipality=selection.municipality, department=Department.objects.get(
        municipality=selection.municipality, name="区民部"), peer="江戸川区", online_count=10)
    board = queries.dashboard(selection)
    row = next(r for r in board.rows if r.department == "区民部")
    assert (row.quota, row.done, row.remaining) == (len(kumin), 3, len(kumin) - 3)
    assert board.done_total == 3 and board.quota_total == 180
    assert board.online_now == 125 and board.target_gap == 175
    (warning,) = board.warnings
    assert warning.department == "区民部" and row.warning is warning
    assert warning.message.startswith(f"区民部: 割当{row.quota}件＋オンライン化済み{row.already_online}件＝{row.planned_total}件は、他自治体の同部局の実績（中央値10件）")
    client.force_login(pusers["executive"])
    html = client.get(reverse("procedures:selection", args=[selection.pk])).content.decode()
    assert 'class="quota-warning" data-department="区民部"' in html and "江戸川区 10件" in html
    out = io.StringIO()
    call_command("procedures", "progress", "--json", "--municipality", CODE, stdout=out)
    payload = json.loads(out.getvalue())
    assert payload["done_total"] == 3 and payload["warnings"] == [warning.message]


def test_online_rates_by_count_and_volume(toshima):
    overall, by_dept = queries.rates(toshima)
    procs = list(Procedure.objects.filter(municipality=toshima))
    assert overall.rate.count_online == 122 and overall.rate.count_total == 600
    assert overall.rate.volume_online == sum(p.yearly_volume for p in procs if p.online)
    assert overall.by_count == "20.3%"
    assert sum(r.rate.count_total for r in by_dept) == 600
    out = io.StringIO()
    call_command("procedures", "rates", "--json", "--municipality", CODE, stdout=out)
    assert json.loads(out.getvalue())["overall"]["rate_by_count_pct"] == "20.3%"


def test_inventory_page(toshima, pusers, client, django_assert_max_num_queries):
    client.force_login(pusers["kumin"])
    with django_assert_max_num_queries(20):
        html = client.get(reverse("procedures:inventory")).content.decode()
    assert 'data-testid="rate-count">20.3%<' in html
    n_kumin = Procedure.objects.filter(municipality=toshima, department__name="区民部").count()
    assert html.count(">変更</summary>") == n_kumin  # the editor may change only 区民部's procedures


# --------------------------------------------------------------------------- permissions on the inventory


def test_set_online_per_role(toshima, pusers):
    kumin_p = Procedure.objects.filter(municipality=toshima, department__name="区民部", online=False).first()
    services.set_online(pusers["kumin"], kumin_p, channel="logo")
    kumin_p.refresh_from_db()
    assert kumin_p.online and kumin_p.channel == "logo"
    with pytest.raises(ValidationError, match="手段を選んでください"):
        services.set_online(pusers["kumin"], kumin_p, channel="")
    for role in ("hoken", "auditor", "executive"):
        with pytest.raises(PermissionDenied):
            services.set_online(pusers[role], kumin_p, online=False)
    with pytest.raises(PermissionDenied, match="所管部局の変更"):
        services.update_procedure(pusers["kumin"], kumin_p, department=Department.objects.get(municipality=toshima, name="総務部"))


@pytest.mark.parametrize("role", ["kumin", "auditor", "executive"])
def test_selection_and_peers_are_planning_only(toshima, pusers, role):
    with pytest.raises(PermissionDenied, match="オンライン化対象事務の選定"):
        services.create_selection(pusers[role], toshima, n=180)
    with pytest.raises(PermissionDenied):
        services.record_peer_achievement(pusers[role], toshima, department=Department.objects.get(municipality=toshima, name="区民部"),
                                         peer="江戸川区", online_count=36)
    assert services.create_selection(pusers["planning"], toshima, n=10).items.count() == 10


# --------------------------------------------------------------------------- import errors, round trip


def test_bad_rows_are_refused_with_their_place(toshima, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(
        "事務番号,手続名,所管部局,年間件数,オンライン化,手段,阻害要因,目標年度\n"
        "X1,住民票の写しの交付申請,区民部,\"1,200\",未,,,R6\n"
        "X2,印鑑登録,区民部,多数,未,,,\n"
        "X1,転入届,区民部,300,済,ファクス,,\n"
        "X4,犬の登録,,50,はい,,押印が必要,平成40年度\n",
        encoding="utf-8",
    )
    with pytest.raises(ImportFailed) as exc:
        get_importer("procedures").run(str(path), access=Access.system(), dry_run=False, options={"municipality": CODE})
    places = [(p.row, p.column, p.message) for p in exc.value.problems]
    assert (3, "D", "年間件数「多数」は0以上の整数で入力してください") in places
    assert (4, "A", "事務番号「X1」が重複しています（2行目と同じ）") in places
    assert any(row == 4 and col == "F" and "手段「ファクス」は選べません" in msg for row, col, msg in places)
    assert (5, "C", "所管部局が空です") in places
    assert any(row == 5 and col == "G" and "阻害要因「押印が必要」は選べません" in msg for row, col, msg in places)
    assert any(row == 5 and col == "H" and "平成40年度は存在しません" in msg for row, col, msg in places)
    assert str(exc.value.problems[0]).startswith("bad.csv 3行目 D列: ")
    assert not Procedure.objects.filter(key__in=["X1", "X2"]).exists()


def test_missing_column_is_reported(db, tmp_path):
    path = tmp_path / "cols.csv"
    path.write_text("事務番号,手続名\nA,B\n", encoding="utf-8")
    with pytest.raises(ImportFailed) as exc:
        get_importer("procedures").run(str(path), access=Access.system(), dry_run=False, options={"municipality": CODE, "municipality_name": "豊島区"})
    assert [p.message for p in exc.value.problems] == ["必須の列「所管部局」がありません", "必須の列「年間件数」がありません"]


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_export_imports_again_unchanged(toshima, tmp_path, fmt):
    p = Procedure.objects.filter(municipality=toshima).first()
    services.update_procedure(None, p, legal_basis="戸籍法第10条", target_year=2024, note="1行目\n2行目")
    path = tmp_path / f"export.{fmt}"
    path.write_bytes(export_xlsx(toshima) if fmt == "xlsx" else export_csv(toshima))
    logs = ChangeLog.objects.count()
    with acting_as(None, name="round trip"):
        result = get_importer("procedures").run(str(path), access=Access.system(), dry_run=False, options={"municipality": CODE})
    assert result.created == {} and result.updated == {}
    assert result.unchanged == {"行政手続": 600}
    assert ChangeLog.objects.count() == logs


def test_export_command(toshima, tmp_path):
    from openpyxl import load_workbook

    out = tmp_path / "procedures.xlsx"
    call_command("procedures", "export", "--format", "xlsx", "--output", str(out), "--municipality", CODE, stdout=io.StringIO())
    ws = load_workbook(out).active
    assert [c.value for c in ws[1]] == HEADERS and ws.max_row == 601


@pytest.mark.parametrize("role, status", [("kumin", 302), ("hoken", 403), ("auditor", 403), ("executive", 403)])
def test_online_post_per_role(toshima, pusers, client, role, status):
    p = Procedure.objects.filter(municipality=toshima, department__name="区民部", online=False).first()
    client.force_login(pusers[role])
    response = client.post(reverse("procedures:online", args=[p.pk]), {"online": "1", "channel": "pittari"})
    assert response.status_code == status
    p.refresh_from_db()
    assert p.online == (status == 302)


def test_export_downloads(toshima, pusers, client):
    from openpyxl import load_workbook

    client.force_login(pusers["auditor"])
    xlsx = client.get(reverse("procedures:export-xlsx"))
    assert xlsx.status_code == 200 and load_workbook(io.BytesIO(xlsx.content)).active.max_row == 601
    text = client.get(reverse("procedures:export-csv")).content.decode("utf-8-sig")
    assert text.splitlines()[0] == ",".join(HEADERS) and len(text.splitlines()) == 601
