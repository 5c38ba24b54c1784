"""``shinchoku check sheets [--json]``: the checks recompute every printed figure from the STORED data."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command

from shinchoku.demo import ARAKAWA_SHEETS
from shinchoku.evaluations.importers.arakawa import parse_arakawa_sheets
from shinchoku.evaluations.checks import check_sheets
from shinchoku.evaluations.models import BudgetYear, CostLine
from shinchoku.evaluations.queries import execution_rates

pytestmark = pytest.mark.django_db

COST_CHECKS = {"行政コスト計算書の合計", "行政コスト計算書の差額計算", "行政コスト計算書の差額列"}


def check_json(*args) -> tuple[int, dict]:
    out = io.StringIO()
    try:
        call_command("check", "sheets", "--json", *args, stdout=out)
        code = 0
    except SystemExit as exc:
        code = exc.code
    return code, json.loads(out.getvalue())


def parsed():
    return parse_arakawa_sheets(ARAKAWA_SHEETS.read_text(encoding="utf-8"), filename=ARAKAWA_SHEETS.name)


def test_every_printed_cost_statement_figure_is_reproduced(arakawa):
    code, report = check_json("--municipality", arakawa)
    assert code == 0 and report["ok"] is True
    assert report["summary"]["sheets"] == 6
    assert report["summary"]["cost_statement"] == {"figures": 204, "reproduced": 204, "mismatches": 0, "undecidable": 0}
    cost_results = {(r["sheet_code"], r["label"], r["column"]): r for r in report["results"] if r["check"] in COST_CHECKS}
    # every total, every lettered formula and every printed 差額 of the document has a result, and it agrees
    expected = set()
    for sheet in parsed():
        cs = sheet.cost_statement
        for cl in cs.lines:
            if cl.role in ("total", "derived"):
                for year in cs.years:
                    expected.add((sheet.code, cl.label, f"令和{year - 2018}年度"))
            if cl.difference is not None:
                expected.add((sheet.code, cl.label, "差額"))
    assert set(cost_results) == expected and len(expected) == 204
    assert all(r["status"] == "適合" and r["expected"] == r["printed"] for r in cost_results.values())
    # the 03-04-01 statement, line by line, as printed
    b = cost_results[("03-04-01", "行政費用合計(b)", "令和4年度")]
    assert (b["expected"], b["printed"]) == (350666, 350666)
    c = cost_results[("03-04-01", "行政収支差額(a)-(b)=(c)", "令和3年度")]
    assert (c["expected"], c["printed"]) == (-444150, -444150)
    assert report["mismatches"] == [
        r for r in report["results"] if r["status"] == "不適合"
    ] and {r["check"] for r in report["mismatches"]} == {"予算・決算の内訳と予算・決算額の照合"}


def test_checks_on_stored_data_equal_checks_on_the_document(arakawa):
    _, report = check_json("--municipality", arakawa)
    from_document = [(r.sheet_code, r.check, r.label, r.column, r.status, r.message) for r in check_sheets(parsed())]
    from_db = [(r["sheet_code"], r["check"], r["label"], r["column"], r["status"], r["message"]) for r in report["results"]]
    assert from_db == from_document


def test_a_changed_figure_is_reported_with_sheet_line_and_both_figures(arakawa):
    line = CostLine.objects.get(sheet__code="03-04-01", letter="b")
    line.later = 350000
    line.later_raw = "350,000"
    line.save()
    code, report = check_json("--municipality", arakawa, "--code", "03-04-01")
    assert code == 1 and report["ok"] is False
    errors = [r for r in report["mismatches"] if r["severity"] == "誤り"]
    messages = {r["message"] for r in errors}
    assert "03-04-01「業務系システム運用管理」 行政費用合計(b)（令和4年度）: 計算値 350,666千円（行政費用の科目9件の合計）、記載値 350,000千円 — 不一致（差 ▲666千円）" in messages
    # (b)'s 差額 column and the line computed from (b) as printed, (c) = (a) − (b), disagree too
    assert {(r["label"], r["column"]) for r in errors} == {
        ("行政費用合計(b)", "令和4年度"), ("行政費用合計(b)", "差額"), ("行政収支差額(a)-(b)=(c)", "令和4年度"),
    }
    out = io.StringIO()
    with pytest.raises(SystemExit):
        call_command("check", "sheets", "--code", "03-04-01", stdout=out)
    assert "計算の合わない箇所があります" in out.getvalue()


def test_budget_zero_or_missing_settlement_gives_undecidable(arakawa):
    BudgetYear.objects.filter(sheet__code="03-04-02", fiscal_year=2017).update(budget=0, budget_raw="0")
    BudgetYear.objects.filter(sheet__code="03-04-02", fiscal_year=2018).update(settlement=None, settlement_raw="")
    code, report = check_json("--municipality", arakawa, "--code", "03-04-02")
    assert code == 0  # a rate that cannot be computed is not an arithmetic error
    rates = {r["column"]: r for r in report["results"] if r["check"] == "執行率（決算額／予算額）"}
    assert rates["平成29年度"]["status"] == "判定不可" and "予算額が0" in rates["平成29年度"]["message"]
    assert rates["平成30年度"]["status"] == "判定不可" and "決算額が空欄" in rates["平成30年度"]["message"]
    assert rates["令和元年度"]["status"] == "適合"
    from shinchoku.evaluations.models import EvaluationSheet

    sheet = EvaluationSheet.objects.get(code="03-04-02")
    by_year = {r["fiscal_year"]: r for r in execution_rates(sheet)}
    assert by_year[2017]["text"] == "判定不可" and by_year[2017]["undecidable"] == "予算額が0"
    assert by_year[2018]["undecidable"] == "決算額が空欄"


def test_execution_rates_of_the_published_sheets(arakawa):
    _, report = check_json("--municipality", arakawa)
    rates = {(r["sheet_code"], r["year"]): r["expected"] for r in report["results"] if r["check"].startswith("執行率")}
    assert len(rates) == 42
    assert rates[("03-04-01", 2017)] == "86.3" and rates[("03-04-01", 2023)] == "100.0"
    assert all(r["status"] == "適合" for r in report["results"] if r["check"].startswith("執行率"))


def test_text_output_and_django_system_checks_still_work(arakawa):
    out = io.StringIO()
    call_command("check", "sheets", "--municipality", arakawa, stdout=out)
    text = out.getvalue()
    assert "印字された計算結果 204 件のうち再現 204 件、不一致 0 件" in text
    assert "計算の合わない箇所はありません" in text
    out = io.StringIO()
    call_command("check", stdout=out)  # Django's own system checks, unchanged
    assert "System check identified no issues" in out.getvalue()
