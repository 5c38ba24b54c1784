"""``shinchoku import arakawa-sheet``: the six published sheets into the database, idempotently."""

from __future__ import annotations

import dataclasses
import io
import json

import pytest
from django.core.management import call_command

from shinchoku.core.models import ChangeLog, Department
from shinchoku.demo import ARAKAWA_SHEETS
from shinchoku.evaluations.importers.arakawa import parse_arakawa_sheets
from shinchoku.evaluations.models import (
    BudgetYear,
    Contract,
    CostLine,
    EvaluationSheet,
    SheetIndicator,
)
from shinchoku.evaluations.queries import sheet_data, sheets_queryset
from shinchoku.indicators.models import Indicator, IndicatorValue

pytestmark = pytest.mark.django_db

IMPORT_LOG = ChangeLog.objects.filter(actor="shinchoku import arakawa-sheet")
CODES = ["03-04-01", "03-04-02", "03-04-03", "03-04-04", "03-04-05", "03-04-06"]


def run_import(path=ARAKAWA_SHEETS, *args) -> tuple[int, dict]:
    out = io.StringIO()
    try:
        call_command("import", "arakawa-sheet", str(path), "--json", *args, stdout=out)
        code = 0
    except SystemExit as exc:
        code = exc.code
    return code, json.loads(out.getvalue())


def test_six_sheets_import_through_the_command():
    code, result = run_import()
    assert code == 0 and result["ok"] is True
    assert result["counts"]["シート"] == 6
    assert result["counts"]["事務事業コード"] == CODES
    assert result["created"]["事務事業分析シート"] == 6
    assert result["created"]["予算・決算額"] == 42  # 7 years × 6 sheets
    assert result["created"]["行政コスト計算書"] == 144
    assert result["counts"]["検算"]["誤り・適合"] == 204
    assert "誤り・不適合" not in result["counts"]["検算"]
    sheets = {s.code: s for s in EvaluationSheet.objects.filter(municipality__code="131181")}
    assert sorted(sheets) == CODES
    s = sheets["03-04-01"]
    assert s.municipality.name == "荒川区"
    assert (s.fiscal_year, s.name, s.manager, s.extension) == (2023, "業務系システム運用管理", "小堀", "2155")
    assert s.department.name == "デジタル推進課" and s.department.parent.name == "管理部"
    assert s.strategic_plan == "業務" and s.implementation_standard == "区独自基準" and s.plan_category == "計画"
    assert s.end_year_setting == "無" and s.start_year == 1983
    assert (s.policy_field_code, s.policy_policy_code, s.policy_measure_code) == ("Ⅶ", "15", "05")
    assert s.method_mode == "一部委託" and s.method_contract_year == 2023
    assert [(c.name, c.amount_yen) for c in s.contracts.order_by("order")] == [
        ("住民記録等システム更改及び運用支援等業務委託", 50269560),
        ("税務システム更改及び運用支援等業務委託", 69917760),
    ]
    assert {c.fiscal_year: c.label for c in s.classifications.all()} == {2023: "重点的に推進", 2024: "重点的に推進"}
    years = list(s.budget_years.order_by("fiscal_year"))
    assert [b.fiscal_year for b in years] == list(range(2017, 2024))  # 29年度 … 元年度 … 5年度
    assert (years[0].budget, years[0].settlement) == (429265, 370454)
    assert years[-1].settlement_estimate and not years[0].settlement_estimate
    total = s.cost_lines.get(letter="b")
    assert (total.label, total.earlier, total.later, total.difference, total.difference_raw) == (
        "行政費用合計(b)", 450376, 350666, -99710, "▲99,710"
    )
    assert s.other_wards_implemented == 22 and s.other_wards_not_implemented == 0
    assert [i["number"] for i in s.improvements] == [1, 2, 3]
    # a contract split into parts (03-04-04: ベストエフォート + 帯域保証)
    net = sheets["03-04-04"]
    parent = Contract.objects.get(sheet=net, name="公共施設ネットワーク回線利用契約")
    assert sorted(p.amount_yen for p in parent.parts.all()) == [8596698, 12012000]
    assert net.method_mode == "" and net.method_mode_printed == "3委託"  # printed misread, kept as printed
    assert any("3委託" in w["message"] for w in net.parse_warnings)


def test_indicators_are_linked_to_the_indicator_engine():
    run_import()
    row = SheetIndicator.objects.get(sheet__code="03-04-01", number=3)
    indicator = row.indicator
    assert indicator.code == "03-04-01-3" and indicator.plan is None
    assert indicator.municipality.code == "131181" and indicator.owner.name == "デジタル推進課"
    values = {(v.fiscal_year, v.kind): v.raw_text for v in indicator.values.all()}
    assert values == {
        (2020, "actual"): "3.4", (2021, "actual"): "3.7", (2022, "actual"): "3.7",
        (2023, "estimate"): "3.8", (2026, "target"): "4.0",
    }
    assert indicator.direction == Indicator.Direction.HIGHER  # 3.4 → 4.0
    # a target of 0 incidents: lower is better
    assert SheetIndicator.objects.get(sheet__code="03-04-01", number=2).indicator.direction == Indicator.Direction.LOWER
    assert Indicator.objects.filter(municipality__code="131181").count() == 14
    assert IndicatorValue.objects.filter(indicator__municipality__code="131181").count() == 70


def test_dry_run_writes_nothing():
    before = ChangeLog.objects.count()
    code, result = run_import(ARAKAWA_SHEETS, "--dry-run")
    assert code == 0 and result["dry_run"] is True and result["created"]["事務事業分析シート"] == 6
    assert not EvaluationSheet.objects.filter(municipality__code="131181").exists()
    assert ChangeLog.objects.count() == before


def test_reimport_is_idempotent():
    run_import()
    log_count = ChangeLog.objects.count()
    versions = dict(EvaluationSheet.objects.values_list("code", "version"))
    code, result = run_import()
    assert code == 0
    assert result["created"] == {} and result["updated"] == {}
    assert result["unchanged"]["事務事業分析シート"] == 6 and result["unchanged"]["行政コスト計算書"] == 144
    assert ChangeLog.objects.count() == log_count
    assert dict(EvaluationSheet.objects.values_list("code", "version")) == versions


def test_a_changed_document_updates_only_what_changed(tmp_path):
    run_import()
    text = ARAKAWA_SHEETS.read_text(encoding="utf-8")
    changed = tmp_path / ARAKAWA_SHEETS.name  # same file name and line numbers: only the figures differ
    # 03-04-01: 予算額 of 29年度, and blank out the third activity row
    text = text.replace("予算額\t429,265\t", "予算額\t429,266\t", 1)
    text = text.replace("主管課管理の業務システム数\t24\t25\t27\t27\t27\t27\t27\n", "\n", 1)
    changed.write_text(text, encoding="utf-8")
    code, result = run_import(changed)
    assert code == 0
    assert result["updated"] == {"予算・決算額": 1}
    assert result["counts"]["削除"] == {"実績の推移": 1}  # its 7 values go with it (cascade, each logged)
    assert IMPORT_LOG.filter(model="evaluations.ActivityValue", action="delete").count() == 7
    sheet = EvaluationSheet.objects.get(code="03-04-01")
    assert sheet.version == 2
    assert BudgetYear.objects.get(sheet=sheet, fiscal_year=2017).budget == 429266
    assert sheet.activities.count() == 2
    assert IMPORT_LOG.filter(model="evaluations.BudgetYear", action="update").count() == 1


def test_a_bad_figure_aborts_with_its_line_and_writes_nothing(tmp_path):
    bad = tmp_path / "bad.txt"
    text = ARAKAWA_SHEETS.read_text(encoding="utf-8")
    bad.write_text(text.replace("予算額\t429,265\t", "予算額\t429,2x5\t", 1), encoding="utf-8")
    code, result = run_import(bad)
    assert code == 1 and result["ok"] is False
    problem = result["problems"][0]
    assert problem["row"] == 34 and "予算額" in problem["message"] and "429,2x5" in problem["message"]
    assert not EvaluationSheet.objects.filter(municipality__code="131181").exists()


def test_stored_sheets_read_back_as_the_parsed_document():
    """Every field survives the database: the dataclass rebuilt from the rows equals the parse."""
    run_import()
    parsed = {s.code: s for s in parse_arakawa_sheets(ARAKAWA_SHEETS.read_text(encoding="utf-8"),
                                                      filename=ARAKAWA_SHEETS.name)}
    stored = list(sheets_queryset(EvaluationSheet.objects.filter(municipality__code="131181")))
    assert len(stored) == 6
    for sheet in stored:
        assert dataclasses.asdict(sheet_data(sheet)) == dataclasses.asdict(parsed[sheet.code]), sheet.code


def test_reading_back_takes_a_fixed_number_of_queries(django_assert_max_num_queries):
    run_import()
    with django_assert_max_num_queries(12):
        for sheet in sheets_queryset(EvaluationSheet.objects.filter(municipality__code="131181")):
            sheet_data(sheet)


def test_every_write_is_in_the_change_log():
    run_import()
    assert IMPORT_LOG.filter(model="evaluations.EvaluationSheet", action="create").count() == 6
    assert IMPORT_LOG.filter(model="evaluations.CostLine").count() == CostLine.objects.count() == 144
    assert IMPORT_LOG.filter(model="core.Department", object_repr="デジタル推進課").exists()
    assert IMPORT_LOG.values("batch").distinct().count() == 1  # one import, one reviewable event
    assert Department.objects.filter(municipality__code="131181").count() == 2
