"""Effects with their computation inputs, through the database, the importer and the command.

The Koto report (seed 001) prints 2,669円/時間 for both effects, but its two figures need two
different rules: RPA 40,268千円/年 only with the UNROUNDED hourly rate, AI search (WAISE)
44,839千円/年 only with the rate rounded to 2,669円. Each effect states its rule; the command shows
both figures, the figure under the other rule, and that no single rule reproduces both.
"""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal as D

import pytest
from django.core.management import call_command
from openpyxl import Workbook

from shinchoku.core.access import Access
from shinchoku.core.importing import ImportFailed, get_importer
from shinchoku.core.models import ChangeLog, Membership, Municipality, Role
from shinchoku.effects.compute import compute_effects, effects_queryset, parse_rule, rule_code, to_calc
from shinchoku.demo.koto import KOTO_CODE, KOTO_EFFECTS, ensure_koto_plan, load_koto_effects
from shinchoku.effects.importers import COLUMNS, export_rows
from shinchoku.effects.models import Effect
from shinchoku.plans.models import Plan

pytestmark = pytest.mark.django_db

RPA = "シナリオ自作型RPA"
WAISE = "生活保護制度運用のAI検索システム（WAISE）"


def compute_json(*args) -> dict:
    out = io.StringIO()
    call_command("effect", "compute", "--json", *args, stdout=out)
    return json.loads(out.getvalue())


def import_file(path, dry_run=False):
    return get_importer("effects").run(str(path), access=Access.system(), dry_run=dry_run, options={})


@pytest.fixture
def koto(db):
    load_koto_effects()
    return {e.name: e for e in Effect.objects.filter(municipality__code=KOTO_CODE)}


def test_the_inputs_are_stored_on_the_effect(koto):
    rpa, waise = koto[RPA], koto[WAISE]
    assert rpa.plan.name == "江東区情報化推進プラン" and rpa.node.code == "個別施策2" and rpa.fiscal_year == 2024
    assert (rpa.kind, rpa.raw_value, rpa.amount, rpa.unit, rpa.period) == ("effect", "40,268千円/年", D(40268000), "円", "year")
    assert [p["hours"] for p in rpa.hours_breakdown] == ["10080", "4800", "205"]
    assert (rpa.monthly_salary, rpa.working_days, rpa.hours_per_day) == (D(413763), D(20), D("7.75"))
    assert (rpa.rate_rounding, rpa.thousand_rounding) == ("", "half_up:0")
    assert waise.minutes_saved == D(30) and waise.period_unit == "month" and waise.periods_per_year == 12
    assert [(m["value"], m["unit"], m["label"]) for m in waise.multipliers] == [("20", "日", "月平均稼働日数"), ("140", "ユーザー", "")]
    assert waise.rate_rounding == "half_up:0" and waise.department.name == "保護第一課"
    assert ChangeLog.objects.filter(model="effects.Effect", object_id=str(rpa.pk), action="create").exists()


def test_koto_figures_through_the_database(koto):
    results = {c.effect.name: c for c in compute_effects(effects_queryset(Effect.objects.filter(municipality__code=KOTO_CODE)))}
    rpa, waise = results[RPA], results[WAISE]
    assert rpa.result.hourly_rate.formula == "413,763円 ÷ 20日 ÷ 7.75時間（7時間45分） = 2,669.4387…円/時間"
    assert rpa.result.yearly_hours.value == 15085
    assert rpa.result.yearly_thousand_yen.value == 40268 and rpa.reproduces
    assert waise.result.hours_per_period.value == 1400 and waise.result.yearly_hours.value == 16800
    assert waise.result.hourly_rate.value == 2669
    assert waise.result.yearly_yen.value == 44839200 and waise.result.yearly_thousand_yen.value == 44839 and waise.reproduces


def test_effect_compute_json_states_both_rules(koto):
    payload = compute_json("--municipality", KOTO_CODE)
    by_name = {e["name"]: e for e in payload["effects"]}
    rpa, waise = by_name[RPA], by_name[WAISE]
    assert rpa["thousand_yen_per_year"] == "40268" and rpa["result"] == "40,268千円/年"
    assert rpa["rules"] == {"hourly_rate": "端数処理なし", "yen": "端数処理なし", "thousand_yen": "千円未満四捨五入"}
    assert rpa["reproduces_published"] is True
    assert "2,669.4387…円/時間 × 15,085時間/年 = 40,268,482.9354…円/年" in rpa["formula"]
    assert "10,080時間（きっずクラブ 利用状況集計） + 4,800時間（現金出納簿 記帳業務） + 205時間（その他(5業務)） = 15,085時間/年" in rpa["formula"]
    assert waise["thousand_yen_per_year"] == "44839" and waise["hourly_rate"] == "2669"
    assert waise["rules"]["hourly_rate"] == "円未満四捨五入" and waise["reproduces_published"] is True
    assert "30分 × 20日 × 140ユーザー = 84,000分 ÷ 60 = 1,400時間/月" in waise["formula"]
    assert "2,669円/時間 × 16,800時間/年 = 44,839,200円/年" in waise["formula"]
    # the other rule gives the other figure: the report used two different rules
    other = {o["rule"]: o["thousand_yen_per_year"] for o in rpa["under_other_rules"]}
    assert other["時間単価: 円未満四捨五入／千円換算: 千円未満四捨五入"] == "40262"
    other = {o["rule"]: o["thousand_yen_per_year"] for o in waise["under_other_rules"]}
    assert other["時間単価: 端数処理なし／千円換算: 千円未満四捨五入"] == "44847"
    consistency = payload["rule_consistency"]
    assert consistency["consistent"] is False and consistency["common_rules"] == []
    assert consistency["by_effect"][RPA]["hourly_rate_rule"] == "端数処理なし"
    assert consistency["by_effect"][WAISE]["hourly_rate_rule"] == "円未満四捨五入"
    assert "40,268千円/年" in consistency["message"] and "44,839千円/年" in consistency["message"]


def test_roll_ups_by_plan_measure_department_and_year(koto):
    ups = compute_json("--municipality", KOTO_CODE)["roll_ups"]
    assert [(r["key"], r["count"], r["hours_per_year"], r["thousand_yen_per_year"], r["sum_of_thousand_yen"])
            for r in ups["plan"]] == [("江東区情報化推進プラン", 2, "31885", "85108", "85107")]
    assert [r["key"] for r in ups["measure"]] == ["施策2 業務を自動化する"]
    assert {r["key"]: r["thousand_yen_per_year"] for r in ups["department"]} == {"DX推進課": "40268", "保護第一課": "44839"}
    assert [(r["key"], r["label"], r["count"]) for r in ups["year"]] == [(2024, "令和6年度", 2)]


def test_text_output(koto):
    out = io.StringIO()
    call_command("effect", "compute", "--municipality", KOTO_CODE, stdout=out)
    text = out.getvalue()
    assert "結果: 40,268千円/年" in text and "結果: 44,839千円/年" in text
    assert "端数処理: 時間単価 端数処理なし／千円換算 千円未満四捨五入" in text
    assert "端数処理: 時間単価 円未満四捨五入／千円換算 千円未満四捨五入" in text
    assert "公表値: 40,268千円/年 — 一致" in text
    assert "一つの端数処理ですべて再現することはできません" in text


def test_reimport_is_idempotent_and_the_export_imports_unchanged(koto, tmp_path):
    result = import_file(KOTO_EFFECTS)
    assert result.created == {} and result.updated == {} and result.unchanged == {"効果": 2}
    exported = tmp_path / "effects.csv"
    with exported.open("w", encoding="utf-8-sig", newline="") as fh:
        csv.writer(fh).writerows(export_rows(effects_queryset(Effect.objects.filter(municipality__code=KOTO_CODE))))
    result = import_file(exported)
    assert result.created == {} and result.updated == {} and result.unchanged == {"効果": 2}


def test_xlsx_import(db, tmp_path):
    ensure_koto_plan()
    rows = list(csv.reader(io.StringIO(KOTO_EFFECTS.read_text(encoding="utf-8"))))
    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    path = tmp_path / "effects.xlsx"
    wb.save(path)
    dry = import_file(path, dry_run=True)
    assert dry.created["効果"] == 2 and not Effect.objects.exists()
    assert import_file(path).created["効果"] == 2
    payload = compute_json()
    assert sorted(e["thousand_yen_per_year"] for e in payload["effects"]) == ["40268", "44839"]


def test_errors_name_row_and_column_and_nothing_is_written(db, tmp_path):
    ensure_koto_plan()
    header, good, second = list(csv.reader(io.StringIO(KOTO_EFFECTS.read_text(encoding="utf-8"))))
    bad = dict(zip(header, second))
    bad.update({"年度": "平成99年度", "時間単価の端数処理": "五捨六入", "乗数": "二十日"})
    path = tmp_path / "bad.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerow(good)
        w.writerow([bad[h] for h in header])
    with pytest.raises(ImportFailed) as exc:
        import_file(path)
    places = {(p.row, p.column) for p in exc.value.problems}
    assert places == {(3, "年度"), (3, "時間単価の端数処理"), (3, "乗数")}
    assert "存在しません" in str(exc.value) and "bad.csv 3行目 年度列" in str(exc.value)
    assert not Effect.objects.exists()  # the good first row is not written either


def test_unknown_plan_and_column_are_reported(db, tmp_path):
    ensure_koto_plan()
    path = tmp_path / "bad.csv"
    path.write_text("団体コード,計画,効果の名称,年度,色\n131083,存在しない計画,X,2024,赤\n", encoding="utf-8")
    with pytest.raises(ImportFailed) as exc:
        import_file(path)
    assert [(p.row, p.column) for p in exc.value.problems] == [(1, "色")]
    path.write_text("団体コード,計画,効果の名称,年度,削減時間,時間単価\n131083,存在しない計画,X,2024,10,2000\n", encoding="utf-8")
    with pytest.raises(ImportFailed) as exc:
        import_file(path)
    assert [(p.row, p.column) for p in exc.value.problems] == [(2, "計画")]
    assert not Effect.objects.exists()


def test_inputs_that_cannot_compute_are_refused(db, tmp_path):
    ensure_koto_plan()
    path = tmp_path / "bad.csv"
    path.write_text("団体コード,計画,効果の名称,年度,削減時間,月額人件費\n131083,江東区情報化推進プラン,X,2024,10,413763\n",
                    encoding="utf-8")
    with pytest.raises(ImportFailed) as exc:
        import_file(path)
    assert "月あたり稼働日数" in str(exc.value) and exc.value.problems[0].row == 2


def test_published_only_effect_is_listed_without_a_computation(db):
    plan = ensure_koto_plan()
    Effect.objects.create(municipality=plan.municipality, plan=plan, fiscal_year=2024, kind=Effect.Kind.SAVING,
                          raw_value="182百万円", amount=D(182000000), unit="円")
    payload = compute_json()
    assert payload["effects"][0]["computed"] is False and payload["effects"][0]["published"] == "182百万円"
    assert payload["roll_ups"]["plan"] == []


def test_an_effect_linked_to_an_evaluation_sheet_rolls_up_under_its_department(db, tmp_path):
    from shinchoku.demo import ARAKAWA_SHEETS

    get_importer("arakawa-sheet").run(str(ARAKAWA_SHEETS), access=Access.system(), dry_run=False, options={})
    arakawa = Municipality.objects.get(code="131181")
    Plan.objects.create(municipality=arakawa, name="荒川区DX推進計画", period_start=2023, period_end=2027)
    path = tmp_path / "arakawa.csv"
    path.write_text(
        "団体コード,計画,効果の名称,年度,事務事業コード,削減時間,乗数,期間,時間単価,時間単価の端数処理\n"
        "131181,荒川区DX推進計画,電子申請による窓口受付の削減,令和5年度,03-04-06,10分,\"30,000件\",年,2500,なし\n",
        encoding="utf-8")
    assert import_file(path).created["効果"] == 1
    effect = Effect.objects.get(municipality=arakawa)
    assert effect.sheet.code == "03-04-06" and effect.department is None
    e = compute_json("--municipality", "131181")["effects"][0]
    assert e["department"] == "デジタル推進課" and e["sheet"] == "03-04-06 電子自治体推進"
    assert e["hours_per_year"] == "5000" and e["thousand_yen_per_year"] == "12500"
    assert e["formula"].splitlines()[0] == "・10分 × 30,000件 = 300,000分 ÷ 60 = 5,000時間/年"


def test_rule_codes_round_trip():
    for code in ("", "half_up:0", "floor:0", "half_up:2"):
        assert rule_code(parse_rule(code)) == code
    assert parse_rule("").describe() == "端数処理なし" and parse_rule("half_up:0").describe() == "円未満四捨五入"


def test_to_calc_needs_inputs(koto):
    effect = koto[RPA]
    effect.hours_breakdown = []
    with pytest.raises(ValueError):
        to_calc(effect)


def test_effects_page_lists_formulas_for_the_municipality_only(client, koto):
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.create_user("koto-planning-test")
    Membership.objects.create(user=user, municipality=Municipality.objects.get(code=KOTO_CODE), role=Role.PLANNING)
    client.force_login(user)
    html = client.get("/effects/").content.decode()
    assert "結果 <b>40,268千円/年</b>" in html and "結果 <b>44,839千円/年</b>" in html
    assert "413,763円 ÷ 20日 ÷ 7.75時間（7時間45分） = 2,669.4387…円/時間 → 2,669円/時間（円未満四捨五入）" in html
    assert "一つの端数処理ですべて再現することはできません" in html
    csv_text = client.get("/effects/effects.csv").content.decode("utf-8-sig")
    assert csv_text.splitlines()[0] == ",".join(COLUMNS)
    client.force_login(get_user_model().objects.get(username="planning"))  # Nakano
    assert "40,268" not in client.get("/effects/").content.decode()
