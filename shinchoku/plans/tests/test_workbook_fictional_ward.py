"""A workbook written by hand for a fictional ward (tests/data/fictional_ward.xlsx, built cell by cell
with plain openpyxl by tests/data/build_fictional_ward.py): no status scale, three levels, an item of
子ども・若者課, indicators with every target shape, effects in 百万円, 千円/年 and 時間/月. It imports,
and ``shinchoku indicators judge`` gives the grades a planner would."""

from __future__ import annotations

import importlib.util
import json
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from shinchoku.effects.models import Effect
from shinchoku.indicators.models import Indicator, IndicatorValue
from shinchoku.plans.models import Plan, PlanNode, ProgressEntry
from shinchoku.plans.queries import status_counts
from shinchoku.plans.workbook.importer import import_workbook
from shinchoku.plans.workbook.reader import read_tables
from shinchoku.plans.workbook.writer import export_plan

pytestmark = pytest.mark.django_db

DATA = Path(__file__).resolve().parent / "data"
WORKBOOK = DATA / "fictional_ward.xlsx"


def _builder():
    spec = importlib.util.spec_from_file_location("build_fictional_ward", DATA / "build_fictional_ward.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


builder = _builder()


@pytest.fixture
def ward(db) -> Plan:
    result = import_workbook(WORKBOOK, dry_run=False)
    return Plan.objects.get(pk=result.plan_id)


def test_committed_workbook_is_what_the_script_builds():
    assert read_tables(builder.build(), filename="built") == read_tables(WORKBOOK)


def test_dry_run_reports_per_sheet_and_writes_nothing(db):
    before = (Plan.objects.count(), PlanNode.objects.count(), Indicator.objects.count(), Effect.objects.count())
    result = import_workbook(WORKBOOK, dry_run=True)
    assert result.dry_run and result.plan_id is None  # the plan would be new
    assert result.created == {"計画": 1, "項目": 13, "進捗": 6, "指標": 14, "指標値": 48, "効果": 4}
    assert (Plan.objects.count(), PlanNode.objects.count(), Indicator.objects.count(), Effect.objects.count()) == before
    assert any("備考" in note and "読み飛ばしました" in note for note in result.notes)


def test_plan_without_scale_with_three_levels(ward):
    assert ward.municipality.code == "990010" and ward.status_scale is None
    assert (ward.period_start, ward.period_end) == (2023, 2027)
    assert ward.level_names == ["基本方針", "施策", "取組"]
    assert status_counts(ward, 2024) == []
    depths = dict(ward.nodes.values_list("code", "depth"))
    assert depths["方針1"] == 0 and depths["1-1"] == 1 and depths["1-1-②"] == 2
    relisted = ward.nodes.get(code="1-2-②")
    assert relisted.relisted_from.code == "1-1-②" and relisted.parent.code == "1-2" and relisted.title == ""


def test_departments_split_on_comma_semicolon_and_line_break_never_on_nakaguro(ward):
    def owners(code):
        return list(PlanNode.objects.get(plan=ward, code=code).ownerships.order_by("order").values_list("department__name", flat=True))

    assert owners("1-1-②") == ["子ども・若者課", "デジタル推進課"]
    assert owners("1-2-①") == ["地域振興課", "生涯学習課"]
    assert owners("2-1-②") == ["総務課", "業務改革課"]
    assert PlanNode.objects.get(plan=ward, code="2-1-①").title == "RPA・AIの活用"
    assert PlanNode.objects.get(plan=ward, code="2-1-①").tags == ["重点", "新規"]


def test_progress_years_in_every_form(ward):
    years = sorted(ProgressEntry.objects.filter(node__plan=ward).values_list("node__code", "fiscal_year"))
    assert years == [("1-1-①", 2023), ("1-1-①", 2024), ("1-1-②", 2024), ("1-2-①", 2024), ("2-1-①", 2024), ("2-1-②", 2024)]
    assert ProgressEntry.objects.get(node__plan=ward, node__code="1-2-①").change_reason == "会場の改修により開始が遅れた。"
    assert not ProgressEntry.objects.filter(node__plan=ward, status__isnull=False).exists()


def test_values_are_stored_as_published_and_missing_never_zero(ward):
    def value(code, year, kind="actual"):
        return IndicatorValue.objects.get(indicator__plan=ward, indicator__code=code, fiscal_year=year, kind=kind)

    assert value("KPI-1", 2019).raw_text == "12.5%"  # 元年度
    percent = value("KPI-1", 2024)
    assert percent.raw_text == "52.3%" and percent.value == Decimal("52.3") and percent.as_of == "令和7年3月末"
    pending = value("KPI-13", 2024)
    assert pending.raw_text == "集計中" and pending.value is None and pending.readable
    text = value("KPI-14", 2024)
    assert text.raw_text == "おおむね良好" and text.value is None and not text.readable
    per_year = value("KPI-6", 2024, "target")
    assert per_year.raw_text == "年 120 時間以下" and per_year.value == 120 and per_year.bound == "le"
    sign = value("KPI-5", 2024, "target")
    assert sign.raw_text == "収支差額 > 0" and sign.value == 0 and sign.bound == "gt"


def test_indicator_directions_inferred_or_declared(ward):
    directions = dict(Indicator.objects.filter(plan=ward).values_list("code", "direction"))
    assert directions["KPI-1"] == "higher"  # 50%以上
    assert directions["KPI-2"] == "lower"  # 85%以下
    assert directions["KPI-3"] == "lower"  # declared, bare target
    assert directions["KPI-5"] == "higher"  # 収支差額 > 0
    assert directions["KPI-6"] == "lower"  # 年 120 時間以下
    assert directions["KPI-9"] == "within"  # 予算額の1割程度
    assert directions["KPI-12"] == "qualitative"
    kpi9 = Indicator.objects.get(plan=ward, code="KPI-9")
    assert kpi9.reference_amounts == {"2024": "12000000"}
    assert kpi9.footnotes == [{"mark": "※1", "text": "予算額は令和6年度当初予算の委託料"}]
    kpi11 = Indicator.objects.get(plan=ward, code="KPI-11")
    assert (kpi11.baseline_year, kpi11.final_target_year) == (2022, 2026)  # final target year ≠ plan end (2027)
    assert sorted(kpi11.nodes.values_list("code", flat=True)) == ["1-1-①", "1-1-②"]


def test_effects_in_base_units(ward):
    effects = {(e.node.code if e.node else "", e.fiscal_year, e.kind): e for e in Effect.objects.filter(plan=ward).select_related("node")}
    rpa = effects[("2-1-①", 2023, "effect")]
    assert (rpa.raw_value, rpa.amount, rpa.unit, rpa.period) == ("182百万円", 182_000_000, "円", "")
    paper = effects[("2-1-②", 2024, "saving")]
    assert (paper.amount, paper.unit, paper.period, paper.until_fiscal_year) == (20_000_000, "円", "year", 2027)
    hours = effects[("2-1-①", 2024, "hours")]
    assert (hours.amount, hours.unit, hours.period, hours.basis) == (1400, "時間", "month", "30分×20日×140人")
    pending = effects[("", 2024, "revenue")]
    assert pending.amount is None and pending.raw_value == "集計中"


def _judge(plan, year):
    out = StringIO()
    call_command("indicators", "judge", "--plan", str(plan.pk), "--fy", str(year), "--json", stdout=out)
    return {row["code"]: row for row in json.loads(out.getvalue())["indicators"]}


def test_judge_gives_the_grades_a_planner_would(ward):
    judged = _judge(ward, 2024)
    assert {code: row["grade"] for code, row in judged.items()} == builder.EXPECTED_GRADES
    assert "事業費が与えられていない" in judged["KPI-10"]["reason"]
    assert "予算額 12,000,000" in judged["KPI-9"]["reason"]
    assert "集計中" in judged["KPI-13"]["reason"]
    assert "令和8年度" in judged["KPI-11"]["reason"]
    assert "おおむね良好" in judged["KPI-14"]["reason"] and "読めない" in judged["KPI-14"]["reason"]
    judged_2023 = _judge(ward, "令和5年度")
    assert {code: judged_2023[code]["grade"] for code in builder.EXPECTED_GRADES_2023} == builder.EXPECTED_GRADES_2023


def test_fictional_ward_round_trips(ward):
    first = export_plan(ward)
    result = import_workbook(first, dry_run=True, filename="ward.xlsx")
    assert result.created == {} and result.updated == {}
    assert read_tables(first)["indicators"][9][8] == "【基準量】令和6年度: 12,000,000円\n※1 予算額は令和6年度当初予算の委託料"
