"""Arithmetic checks of the Arakawa sheets, on the published FY2023 file."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import pytest

from shinchoku.evaluations.importers.arakawa import (
    Amount,
    BreakdownColumn,
    BreakdownItem,
    BudgetYear,
    parse_arakawa_sheets,
)
from shinchoku.evaluations.checks import (
    ERROR,
    NG,
    OK,
    UNDECIDABLE,
    WARNING,
    check_breakdown,
    check_cost_statement,
    check_execution_rates,
    check_other_wards,
    check_sheet,
    check_sheets,
    execution_rate,
    execution_rate_result,
    failures,
)
from shinchoku.evaluations.tests.test_arakawa_parser import SEED, SEED_NAME

COST_CHECKS = {"行政コスト計算書の合計", "行政コスト計算書の差額計算", "行政コスト計算書の差額列"}

# Mismatches the DOCUMENT ITSELF contains in its cost statements: none — every total, every
# lettered formula and every 差額 printed in the six sheets is reproduced exactly.
DOCUMENT_COST_MISMATCHES: list[tuple[str, str, str, int, int]] = []

# The 予算・決算の内訳 lists the main items (主な事項) of each 節; in two columns they do not add up to
# the year's 決算額 (warnings, not arithmetic errors of the sheet).
DOCUMENT_BREAKDOWN_WARNINGS = [
    ("03-04-01", "令和3年度(決算)", 405490, 415491),
    ("03-04-02", "令和4年度 (決算)", 186124, 186492),
]


@pytest.fixture(scope="module")
def seed_text() -> str:
    return SEED.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def sheets(seed_text):
    return parse_arakawa_sheets(seed_text, filename=SEED_NAME)


@pytest.fixture(scope="module")
def by_code(sheets):
    return {s.code: s for s in sheets}


def _cost_failures(results):
    return [
        (r.sheet_code, r.label, r.column, r.expected, r.printed)
        for r in results
        if r.check in COST_CHECKS and r.status != OK
    ]


# ---------------------------------------------------------------------------------------------
# 行政コスト計算書


def test_every_printed_cost_statement_figure_is_reproduced(sheets):
    results = check_sheets(sheets)
    assert _cost_failures(results) == DOCUMENT_COST_MISMATCHES
    for sheet in sheets:
        cs = sheet.cost_statement
        wareki = {2021: "令和3年度", 2022: "令和4年度"}
        # every printed derived figure: the two totals and every lettered formula, both years,
        # and every printed 差額
        printed = {
            (cl.label, wareki[y]) for cl in cs.lines if cl.role in ("total", "derived") for y in cs.years
        } | {(cl.label, "差額") for cl in cs.lines if cl.difference is not None}
        checked = {
            (r.label, r.column) for r in results if r.sheet_code == sheet.code and r.check in COST_CHECKS
        }
        assert checked == printed, sheet.code
        assert all(r.ok for r in results if r.sheet_code == sheet.code and r.check in COST_CHECKS)
    per_sheet = {
        s.code: sum(1 for r in results if r.sheet_code == s.code and r.check in COST_CHECKS)
        for s in sheets
    }
    # 2 totals + 4 formulas, two years each = 12; 差額: 12 cost-side lines on 03-04-01 (its revenue
    # column prints no 差額), 24 lines on the others
    assert per_sheet == {
        "03-04-01": 24, "03-04-02": 36, "03-04-03": 36, "03-04-04": 36, "03-04-05": 36, "03-04-06": 36,
    }


EXPECTED_TOTALS = {
    # code: ((b) 3年度, (b) 4年度), ((a) 3年度, (a) 4年度), 当期収支差額 (3年度, 4年度)
    "03-04-01": ((450376, 350666), (6226, 32049), (-444150, -318617)),
    "03-04-02": ((157961, 212558), (13086, 14526), (-144875, -198032)),
    "03-04-03": ((64276, 71316), (0, 0), (-64276, -71316)),
    "03-04-04": ((42234, 43499), (0, 0), (-42234, -43499)),
    "03-04-05": ((138975, 172651), (0, 0), (-138975, -172651)),
    "03-04-06": ((17683, 17305), (0, 0), (-17683, -17305)),
}


@pytest.mark.parametrize("code", list(EXPECTED_TOTALS))
def test_cost_statement_totals(by_code, code):
    results = check_cost_statement(by_code[code])
    costs, revenues, net = EXPECTED_TOTALS[code]

    def expected(label_start, column):
        (r,) = [r for r in results if r.label.startswith(label_start) and r.column == column]
        return r.expected, r.printed

    assert expected("行政費用合計", "令和3年度") == (costs[0], costs[0])
    assert expected("行政費用合計", "令和4年度") == (costs[1], costs[1])
    assert expected("行政収入合計", "令和3年度") == (revenues[0], revenues[0])
    assert expected("行政収入合計", "令和4年度") == (revenues[1], revenues[1])
    assert expected("当期収支差額", "令和3年度") == (net[0], net[0])
    assert expected("当期収支差額", "令和4年度") == (net[1], net[1])


def test_a_wrong_total_is_reported_where_it_is_printed(seed_text):
    bad = seed_text.replace("行政費用合計(b)\t450,376", "行政費用合計(b)\t450,377", 1)
    sheet = parse_arakawa_sheets(bad)[0]
    found = failures(check_sheet(sheet), severity=ERROR)
    assert [(r.check, r.label, r.column, r.expected, r.printed) for r in found] == [
        ("行政コスト計算書の差額計算", "行政収支差額(a)-(b)=(c)", "令和3年度", -444151, -444150),
        ("行政コスト計算書の合計", "行政費用合計(b)", "令和3年度", 450376, 450377),
        ("行政コスト計算書の差額列", "行政費用合計(b)", "差額", -99711, -99710),
    ]
    total = found[1]
    assert total.sheet_code == "03-04-01" and total.year == 2021 and total.line == 63
    assert not total.ok and total.status == NG
    for text in ("03-04-01", "業務系システム運用管理", "行政費用合計(b)", "450,376千円", "450,377千円", "不一致"):
        assert text in total.message


def test_formulas_follow_the_letters_as_printed(seed_text):
    # print the formula the other way round: the check follows the letters, (b) − (a)
    bad = seed_text.replace("行政収支差額(a)-(b)=(c)", "行政収支差額(b)-(a)=(c)", 1)
    sheet = parse_arakawa_sheets(bad)[0]
    found = [r for r in failures(check_sheet(sheet)) if r.check == "行政コスト計算書の差額計算"]
    assert [(r.column, r.expected, r.printed) for r in found] == [
        ("令和3年度", 444150, -444150),
        ("令和4年度", 318617, -318617),
    ]


def test_a_missing_letter_is_undecidable(seed_text):
    bad = seed_text.replace("金融収支差額(d)", "金融収支差額", 1)
    sheet = parse_arakawa_sheets(bad)[0]
    undecided = [r for r in check_cost_statement(sheet) if r.status == UNDECIDABLE]
    assert {r.label for r in undecided} == {"通常収支差額(c)+(d)=(e)"}
    assert all("(d)" in r.message for r in undecided)
    # 金融収支差額 without its letter became a revenue item, so (a) no longer adds up: 0 is added
    assert not failures(check_cost_statement(sheet))


# ---------------------------------------------------------------------------------------------
# 執行率


def test_execution_rates(by_code):
    results = check_execution_rates(by_code["03-04-01"])
    assert [r.expected for r in results] == [
        Decimal("86.3"), Decimal("90.0"), Decimal("97.9"), Decimal("91.6"),
        Decimal("87.0"), Decimal("91.7"), Decimal("100.0"),
    ]
    assert all(r.status == OK for r in results)
    assert results[0].year == 2017 and results[0].column == "平成29年度"
    assert "370,454千円" in results[0].message and "429,265千円" in results[0].message
    assert results[-1].label == "決算額／予算額（決算見込み）"


def test_no_execution_rate_above_100_percent_in_the_document(sheets):
    rates = [r for r in check_sheets(sheets) if r.check == "執行率（決算額／予算額）"]
    assert len(rates) == 42
    assert all(r.status == OK for r in rates)
    assert min(r.expected for r in rates) == Decimal("75.9")  # 03-04-02, FY2017


def test_execution_rate_rounding():
    assert execution_rate(400, 49) == Decimal("12.3")  # 12.25 → half up, not to even
    assert execution_rate(3, 2) == Decimal("66.7")
    assert execution_rate(8, 1) == Decimal("12.5")
    assert execution_rate(100, 0) == Decimal("0.0")
    assert execution_rate(-100, -50) == Decimal("50.0")


def test_zero_budget_is_undecidable_not_an_error(by_code):
    sheet = by_code["03-04-06"]
    row = BudgetYear(fiscal_year=2023, budget=Amount("0", 0), settlement=Amount("5", 5))
    result = execution_rate_result(sheet, row)
    assert result.status == UNDECIDABLE and not result.ok
    assert result.expected is None
    assert "予算額が0" in result.message and "03-04-06" in result.message
    assert execution_rate(0, 5) is None


def test_missing_settlement_is_undecidable(by_code):
    sheet = dataclasses.replace(
        by_code["03-04-06"],
        budget=[
            BudgetYear(2022, Amount("100", 100), None),
            BudgetYear(2023, None, Amount("5", 5)),
            BudgetYear(2024, Amount("100", 100), Amount("120", 120)),
        ],
    )
    results = check_execution_rates(sheet)
    assert [r.status for r in results] == [UNDECIDABLE, UNDECIDABLE, NG]
    assert "決算額が空欄" in results[0].message and "予算額が空欄" in results[1].message
    assert results[2].expected == Decimal("120.0") and "超えて" in results[2].message
    assert all(r.severity == WARNING for r in results)


# ---------------------------------------------------------------------------------------------
# 予算・決算の内訳


def test_breakdown_against_the_budget_series(sheets):
    results = [r for r in check_sheets(sheets) if r.check == "予算・決算の内訳と予算・決算額の照合"]
    assert len(results) == 18
    assert [
        (r.sheet_code, r.column, r.expected, r.printed) for r in results if r.status == NG
    ] == DOCUMENT_BREAKDOWN_WARNINGS
    assert all(r.severity == WARNING for r in results)
    (undecided,) = [r for r in results if r.status == UNDECIDABLE]
    assert (undecided.sheet_code, undecided.column) == ("03-04-01", "令和5年度(予算)")  # no 金額 column
    # rounding of the items to 千円: 66,194 vs 66,195 and 14,909 vs 14,908 agree
    rounding = [
        (r.sheet_code, r.year, r.expected, r.printed)
        for r in results
        if r.ok and r.expected != r.printed
    ]
    assert rounding == [
        ("03-04-03", 2022, 66194, 66195),
        ("03-04-06", 2021, 14909, 14908),
        ("03-04-06", 2022, 15444, 15442),
    ]


def test_breakdown_printed_total(by_code):
    sheet = by_code["03-04-04"]
    column = sheet.breakdown[0]
    good = dataclasses.replace(column, total=Amount("33,970", 33970))
    bad = dataclasses.replace(column, total=Amount("33,971", 33971))
    for col, status in ((good, OK), (bad, NG)):
        results = check_breakdown(dataclasses.replace(sheet, breakdown=[col]))
        (total,) = [r for r in results if r.check == "予算・決算の内訳の合計"]
        assert total.status == status and total.expected == 33970
    assert "33,971千円" in total.message


def test_breakdown_without_amounts(by_code):
    sheet = by_code["03-04-01"]
    column = BreakdownColumn(
        fiscal_year=2023, kind="予算", heading="令和5年度(予算)", amounts_printed=True,
        items=[BreakdownItem("委託料", "システム運用経費", None, 1)],
    )
    (result,) = check_breakdown(dataclasses.replace(sheet, breakdown=[column]))
    assert result.status == UNDECIDABLE


# ---------------------------------------------------------------------------------------------
# 他区の状況 and the whole run


def test_other_wards(sheets, seed_text):
    assert all(r.ok for s in sheets for r in check_other_wards(s))
    bad = seed_text.replace("(実施 22 区 未実施 0 区", "(実施 21 区 未実施 0 区", 1)
    (result,) = check_other_wards(parse_arakawa_sheets(bad)[0])
    assert result.status == NG and result.printed == 21 and result.expected == 22


def test_document_has_no_arithmetic_errors(sheets):
    results = check_sheets(sheets)
    assert failures(results, severity=ERROR) == []
    assert len(failures(results)) == len(DOCUMENT_BREAKDOWN_WARNINGS)
    for r in results:
        assert r.sheet_code in r.message
        assert r.ok == (r.status == OK)
