"""Parser of Arakawa's 事務事業分析シート, tested on the published FY2023 file."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shinchoku.core.fiscal import FiscalYearError
from shinchoku.demo import ARAKAWA_SHEETS
from shinchoku.evaluations.importers.arakawa import (
    CLASSIFICATIONS,
    AmountError,
    ArakawaFormatError,
    format_amount,
    html_to_text,
    parse_amount,
    parse_arakawa_sheets,
    parse_number,
    parse_radios,
    resolve_year_series,
)

SEED_NAME = "000_6736268acf8379d0.txt"
SEED = ARAKAWA_SHEETS  # shipped with the product (shinchoku/demo/seeds); always present


YEARS7 = [2017, 2018, 2019, 2020, 2021, 2022, 2023]  # 29年度 30年度 元年度 2年度 … 5年度


@pytest.fixture(scope="module")
def seed_text() -> str:
    return SEED.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def sheets(seed_text):
    return {s.code: s for s in parse_arakawa_sheets(seed_text, filename=SEED_NAME)}


# ---------------------------------------------------------------------------------------------
# the whole file


NAMES = {
    "03-04-01": "業務系システム運用管理",
    "03-04-02": "情報系システム運用管理",
    "03-04-03": "システム設置設備管理",
    "03-04-04": "ネットワーク管理",
    # printed so in the conversion (the PDF's "OA機器管理"; its 小事業 is "OA機器管理費"); kept verbatim
    "03-04-05": "○ A 機器管理",
    "03-04-06": "電子自治体推進",
}


def test_six_sheets_in_order(seed_text):
    parsed = parse_arakawa_sheets(seed_text, filename=SEED_NAME)
    assert [s.code for s in parsed] == list(NAMES)
    assert {s.code: s.name for s in parsed} == NAMES
    assert all(s.fiscal_year == 2023 for s in parsed)
    assert all(s.heading == "事務事業分析シート（令和5年度）" for s in parsed)
    assert all(s.page_label == "No1" for s in parsed)
    # the sheets tile the file
    assert parsed[0].line_start == 3
    assert [s.line_start for s in parsed[1:]] == [s.line_end + 1 for s in parsed[:-1]]


def test_common_header_fields(sheets):
    for s in sheets.values():
        assert s.department.raw == "管理部デジタル推進課"
        assert (s.department.bu, s.department.ka, s.department.kakari) == ("管理部", "デジタル推進課", None)
        assert s.manager == "小堀"
        assert s.strategic_plan.labels == ["協働", "業務", "財務", "人事"]
        assert s.strategic_plan.checked == "業務"
        assert s.implementation_standard.labels == ["法令基準内", "都基準内", "区独自基準"]
        assert s.implementation_standard.checked == "区独自基準"
        assert s.plan_category.labels == ["計画", "非計画"]
        assert s.plan_category.checked == "計画"
        assert s.end_year_setting.labels == ["有", "無"]
        assert s.end_year_setting.checked == "無"
        assert s.end_year is None
        assert s.small_projects_year == 2023
        assert s.project_type.labels == ["新規事業", "建設事業", "それ以外の継続事業"]
        assert s.new_project_year.labels == ["5年度", "4年度"]
        assert s.new_project_year.checked is None
        assert s.method.direct_staff.labels == ["常勤職員", "会計年度任用職員"]
        assert s.method.direct_staff.checked is None
        assert s.method.contract_year == 2023
        assert s.other_wards.implemented == 22
        assert s.other_wards.not_implemented == 0
        assert s.other_wards.unknown == 0
        assert s.indicator_years == [2020, 2021, 2022, 2023]
        assert s.indicator_target_year == 2026
        assert [b.fiscal_year for b in s.budget] == YEARS7
        assert [b.settlement_estimate for b in s.budget] == [False] * 6 + [True]
        assert s.cost_statement.years == (2021, 2022)
        assert [c.fiscal_year for c in s.breakdown] == [2021, 2022, 2023]
        assert [c.kind for c in s.breakdown] == ["決算", "決算", "予算"]
        assert len(s.improvements.rows) == 3
        assert s.improvements.headings == [
            "令和4年度に取り組む具体的な改善内容",
            "令和4年度に実施した改善内容および評価",
            "令和5年度以降に取り組む具体的な改善内容",
        ]
        assert len(s.issues) == 3
        assert s.purpose and s.target_group and s.content and s.history and s.necessity
        assert s.remarks.startswith("行政費用の大半")


def test_policy_hierarchy_of_every_sheet(sheets):
    for s in sheets.values():
        assert s.policy.field.level == "分野"
        assert s.policy.field.key == "VII"  # printed Ⅶ, and VII on 03-04-05
        assert s.policy.field.title == "計画推進のために"
        assert (s.policy.policy.code, s.policy.policy.title) == (
            "15",
            "目標の設定と管理による行財政運営の戦略的推進",
        )
        assert (s.policy.measure.code, s.policy.measure.title) == ("05", "情報システムの適正な整備と安全確保")
        assert s.policy.path == "VII-15-05"
    assert sheets["03-04-01"].policy.field.code == "Ⅶ"
    assert sheets["03-04-05"].policy.field.code == "VII"


CLASSIFICATION = {
    "03-04-01": ("重点的に推進", "重点的に推進", "行政手続きのオンライン化や、"),
    "03-04-02": ("重点的に推進", "推進", "令和5年に更改したグループウェアシステム"),
    "03-04-03": ("推進", "継続", "区の保有する情報資産を守るため"),
    "03-04-04": ("継続", "推進", "業務継続性やセキュリティの向上"),
    "03-04-05": ("継続", "推進", "OA機器は業務を行うために必要不可欠"),
    "03-04-06": ("推進", "推進", "区民サービスの向上及び内部事務の効率化"),  # reason on its own line
}


@pytest.mark.parametrize("code", list(CLASSIFICATION))
def test_classification(sheets, code):
    s = sheets[code]
    c2023, c2024, reason = CLASSIFICATION[code]
    assert [(c.fiscal_year, c.label) for c in s.classifications] == [(2023, c2023), (2024, c2024)]
    assert s.classification_for(2023) == c2023
    assert s.classification_reason.startswith(reason)
    assert all(c.label in CLASSIFICATIONS for c in s.classifications)


BUDGET = {
    "03-04-01": (
        [429265, 454535, 444755, 511414, 477304, 323627, 328822],
        [370454, 409032, 435304, 468557, 415491, 296862, 328822],
    ),
    "03-04-02": (
        [117843, 92348, 195046, 91633, 144434, 205756, 190442],
        [89487, 91000, 161149, 90745, 138360, 186492, 190442],
    ),
    "03-04-03": (
        [145701, 59345, 58930, 62822, 63857, 71079, 238320],
        [143673, 57419, 57783, 61960, 61964, 66195, 238320],
    ),
    "03-04-04": (
        [38958, 52568, 48951, 53576, 35707, 34243, 66426],
        [35664, 48210, 44064, 48629, 33970, 32859, 66426],
    ),
    "03-04-05": (
        [134315, 132059, 187082, 140558, 133628, 172902, 231270],
        [125974, 115786, 155761, 134570, 130652, 164271, 231270],
    ),
    "03-04-06": (
        [13898, 15469, 15384, 16135, 15133, 15786, 18046],
        [13000, 14069, 14222, 14813, 14908, 15442, 18046],
    ),
}


@pytest.mark.parametrize("code", list(BUDGET))
def test_seven_year_budget_and_settlement(sheets, code):
    s = sheets[code]
    budget, settlement = BUDGET[code]
    assert [b.budget.value for b in s.budget] == budget
    assert [b.settlement.value for b in s.budget] == settlement
    assert s.budget_for(2017).budget.raw == format_amount(budget[0])


def _values(indicator):
    return [v.raw for v in indicator.values]


def test_indicators_03_04_01(sheets):
    s = sheets["03-04-01"]
    assert [i.number for i in s.indicators] == [1, 2, 3]
    i1, i2, i3 = s.indicators
    assert i1.name == "システムの停止を伴う重大な障害件数"
    assert i1.kind == "成果"
    assert i1.unit is None  # not printed: never guessed
    assert _values(i1) == ["0", "0", "0", "0"] and i1.target.raw == "0"
    assert i1.explanation == "システムの停止を伴う障害件数"
    assert i2.name == "セキュリティ事故発生件数"
    # ③ starts one column to the left in the conversion
    assert i3.name == "システム評価におけるユーザ満足度調査の平均値"
    assert _values(i3) == ["3.4", "3.7", "3.7", "3.8"]
    assert [v.value for v in i3.values] == [Decimal("3.4"), Decimal("3.7"), Decimal("3.7"), Decimal("3.8")]
    assert [v.estimate for v in i3.values] == [False, False, False, True]  # 5年度見込み
    assert (i3.target.fiscal_year, i3.target.raw, i3.target.value) == (2026, "4.0", Decimal("4.0"))
    assert i3.explanation == "システム評価のユーザ満足度の平均値(5段階評価)"
    assert i3.line == 28


def test_indicators_03_04_02(sheets):
    i1, i2, i3 = sheets["03-04-02"].indicators
    assert i1.name == "職員一人あたりシステム経費(円)" and i1.unit == "円"
    assert _values(i1) == ["32,410", "42,217", "59,432", "47,299"]
    assert i1.value_for(2022).value == 59432
    assert i1.target.value == 30000
    assert i1.explanation == "4年度はシステム更改2件実施 グループウェア、仮想ブラウザ"
    assert i2.unit == "%" and _values(i2) == ["45.9", "51.3", "54.8", "57.3"] and i2.target.raw == "60.0"
    assert _values(i3) == ["3.5", "3.2", "3.4", "3.6"]


def test_indicators_03_04_03_and_04_have_one_each(sheets):
    (i1,) = sheets["03-04-03"].indicators  # ② and ③ are blank rows, not zero
    assert i1.name == "サイバー攻撃やウィルス等による障害件数（件）"  # marker and name share a cell
    assert i1.unit == "件"
    assert _values(i1) == ["0", "0", "0", "0"] and i1.target.raw == "0"
    assert i1.explanation is None
    (j1,) = sheets["03-04-04"].indicators
    assert j1.name == "庁内LANの障害件数"
    assert j1.explanation == "複数所属に跨る大規模障害の件数"


def test_indicators_03_04_05(sheets):
    i1, i2, i3 = sheets["03-04-05"].indicators
    assert i1.name == "パソコン稼働率(%)" and _values(i1) == ["79.3", "80.7", "79.5", "81.0"]
    assert i1.target.raw == "95.0"
    assert i2.name == "印刷枚数前年度増加率(%) (複合機・レーザープリンタ)" and i2.unit == "%"
    assert [v.value for v in i2.values] == [Decimal("3.7"), Decimal("-3.7"), Decimal("-0.6"), Decimal("-2.0")]
    assert i2.target.value == Decimal("-5.0")
    assert i3.target.raw == "100"


def test_indicators_03_04_06(sheets):
    i1, i2, i3 = sheets["03-04-06"].indicators
    assert i1.name == "電子申請年間利用件数（件）" and i1.unit == "件"
    assert _values(i1) == ["4,807", "24,709", "98,440", "30,000"]
    assert [v.value for v in i1.values] == [4807, 24709, 98440, 30000]
    assert [v.estimate for v in i1.values] == [False, False, False, True]
    assert (i1.target.raw, i1.target.value, i1.target.fiscal_year) == ("35,000", 35000, 2026)
    assert i1.explanation is None
    assert _values(i2) == ["100"] * 4
    assert _values(i3) == ["68.6", "76.1", "78", "80"]
    # "（4年度は見込み）" in the explanation marks the FY2022 figure as an estimate too
    assert [v.estimate for v in i3.values] == [False, False, True, True]
    # the indicator repeats the activity series 電子申請利用件数
    activity = next(a for a in sheets["03-04-06"].activities if a.name == "電子申請利用件数")
    assert [activity.value_for(y).value for y in (2020, 2021, 2022, 2023)] == [v.value for v in i1.values]


def test_header_fields_per_sheet(sheets):
    s1 = sheets["03-04-01"]
    assert s1.staff == ["栗田", "成田", "高倉", "益"] and s1.staff_raw == "栗田、成田、高倉、益"
    assert s1.extension == "2155"
    assert [(p.code, p.name) for p in s1.small_projects] == [("01-02-01", "業務系システム運用管理費")]
    assert s1.project_type.checked is None  # no box is checked on this sheet
    assert (s1.start_year, s1.start_year_raw) == (1983, "昭和 58（1983）年度")
    assert s1.legal_basis == "荒川区電子情報システム管理運営規程"
    assert sheets["03-04-02"].project_type.checked == "それ以外の継続事業"
    assert sheets["03-04-02"].extension == "2152"
    assert sheets["03-04-03"].legal_basis is None
    assert sheets["03-04-03"].start_year == 2003
    assert sheets["03-04-04"].start_year == 2002
    assert sheets["03-04-05"].start_year == 1986
    s6 = sheets["03-04-06"]
    assert [(p.code, p.name) for p in s6.small_projects] == [
        ("01-07-01", "LGWANの活用"),
        ("01-07-02", "電子申請・電子調達の活用"),
    ]
    assert s6.legal_basis == "行政手続等における情報通信の技術の利用に関する法律等、他"
    assert sheets["03-04-03"].small_projects[0].name == "IDC（インターネットデータセンター）の活用"


def test_method_and_contracts(sheets):
    m1 = sheets["03-04-01"].method
    assert m1.mode == "一部委託" and m1.mode_radio.checked == "一部委託"
    assert [(c.name, c.amount_yen) for c in m1.contracts] == [
        ("住民記録等システム更改及び運用支援等業務委託", 50269560),
        ("税務システム更改及び運用支援等業務委託", 69917760),
    ]
    m2 = sheets["03-04-02"].method
    assert [c.amount_yen for c in m2.contracts] == [12091200, 8008000, 8448000]
    assert sheets["03-04-03"].method.contracts[0].amount_yen == 66384991
    m4 = sheets["03-04-04"].method
    assert m4.mode_printed == "3委託" and m4.mode is None  # misread in the conversion: kept, not guessed
    assert m4.contracts[0].name == "庁内ネットワーク機器保守委託" and m4.contracts[0].amount_yen == 8493100
    assert m4.contracts[1].name == "公共施設ネットワーク回線利用契約"
    assert [(p.name, p.amount_yen) for p in m4.contracts[1].parts] == [
        ("ベストフォート", 12012000),
        ("帯域保証", 8596698),
    ]
    assert m4.contracts[1].amount_yen is None and m4.contracts[1].total_yen == 20608698
    assert any("3委託" in w.message for w in sheets["03-04-04"].warnings)
    m5 = sheets["03-04-05"].method
    assert m5.mode_printed == "二部委託" and m5.mode is None
    assert [c.amount_yen for c in m5.contracts] == [31567250, 52087200]
    m6 = sheets["03-04-06"].method
    assert m6.mode == "一部委託" and m6.mode_radio is None
    assert [(p.name, p.amount_yen) for p in m6.contracts[0].parts] == [
        ("電子申請", 2016396),
        ("電子調達", 11556795),
    ]


def test_activity_series(sheets):
    a = sheets["03-04-01"].activities
    assert [x.name for x in a] == ["システム開発変更(千円)", "汎用機システム業務数", "主管課管理の業務システム数"]
    assert a[0].unit == "千円"
    assert [v.value for v in a[0].values] == [32159, 59477, 70146, 233549, 135262, 61852, 37059]
    assert [v.fiscal_year for v in a[0].values] == YEARS7
    assert [v.estimate for v in a[0].values] == [False] * 6 + [True]
    b = sheets["03-04-02"].activities  # rows repeat the label 実績の推移
    assert [x.name for x in b] == [
        "施設予約システムの申込件数",
        "施設予約システムの振込納付件数",
        "文書管理システムの電子決裁率(%)",
    ]
    assert b[2].values[-1].value == Decimal("76.7")
    c = sheets["03-04-05"].activities
    assert c[1].values[0].raw == "18,102,557" and c[1].values[0].value == 18102557
    assert [x.name for x in sheets["03-04-04"].activities] == ["施設数 (合計)", "・光ファイバ", "・VPN"]


def test_budget_breakdown(sheets):
    b1 = sheets["03-04-01"].breakdown
    assert b1[0].heading == "令和3年度(決算)"
    assert [(i.section, i.description, i.amount.value) for i in b1[0].items] == [
        ("報償費", "情報調達アドバイザー謝礼", 301),
        ("需用費", "指静脈認証機器", 1049),
        ("役務費", "システム稼働基盤(クラウド)", 18833),
        ("委託料", "システム運用経費", 372567),
        ("使用料", "端末更改", 2668),
        ("負担金等補助", "負担金", 10072),
    ]
    # the FY2023 budget column of this sheet prints no 金額 column: amounts are None, not 0
    assert b1[2].amounts_printed is False
    assert [i.amount for i in b1[2].items] == [None] * 5
    assert b1[2].items_sum is None
    b3 = sheets["03-04-03"].breakdown  # FY2021 column blank on the third row
    assert len(b3[0].items) == 2 and len(b3[1].items) == 3
    b5 = sheets["03-04-05"].breakdown
    assert b5[2].items[-1].section == "備品購入費" and b5[2].items[-1].amount.value == 84105


def test_cost_statement_lines(sheets):
    cs = sheets["03-04-01"].cost_statement
    b = cs.by_letter("b")
    assert b.label == "行政費用合計(b)" and b.role == "total" and b.side == "費用"
    assert (b.value(2021), b.value(2022), b.difference.value) == (450376, 350666, -99710)
    assert b.difference.raw == "▲99,710"
    a = cs.by_letter("a")
    assert a.label == "行政収入合計(a)" and a.side == "収入"
    assert (a.value(2021), a.value(2022)) == (6226, 32049)
    assert a.difference is None  # this sheet prints no 差額 for revenue
    c = cs.by_letter("c")
    assert c.role == "derived" and c.terms == [(1, "a"), (-1, "b")] and c.formula == "(a)-(b)=(c)"
    last = cs.by_name("当期収支差額")
    assert last.letter is None and last.terms == [(1, "e"), (1, "h")]
    assert last.value(2021) == -444150
    assert [x.name for x in cs.items("費用")] == [
        "給与関係費", "物件費", "維持補修費", "扶助費", "補助費等", "減価償却費",
        "不納欠損・貸倒引当金繰入額", "賞与・退職給与引当金繰入額", "その他行政費用",
    ]
    assert [x.name for x in cs.items("収入")] == [
        "地方税等", "国庫支出金", "都支出金", "分担金及び負担金", "使用料及び手数料", "その他",
    ]
    assert cs.by_name("物件費").difference.value == -114223
    # 03-04-03: shifted columns and "▲ 1,405" with a space
    cs3 = sheets["03-04-03"].cost_statement
    assert cs3.by_name("補助費等").difference.raw == "▲ 1,405"
    assert cs3.by_name("補助費等").difference.value == -1405
    assert cs3.by_letter("b").label == "行政費用合計 (b)"
    assert cs3.by_letter("c").difference.value == -7040
    assert sheets["03-04-06"].cost_statement.by_letter("c").difference.value == 378


def test_texts_and_lists(sheets):
    s1 = sheets["03-04-01"]
    assert s1.content.splitlines()[0] == "○デジタル推進課が契約しているシステムおよび機器の運用・保守を行う。"
    assert "<li>" in s1.content_raw and "<li>" not in s1.content
    assert s1.history.splitlines()[-1].endswith("令和 5年6月 申請管理システム運用開始")
    assert s1.issues[0].number == 1 and s1.issues[0].text.startswith("国のシステム標準化")
    assert s1.improvements.rows[1].next_plan.startswith("通話音声分析マイニングシステム")
    assert s1.council_fields[0].label == "議会議案要旨" and s1.council_fields[0].text is None
    s2 = sheets["03-04-02"]
    assert s2.history.startswith("<システム共通基盤>")  # not mistaken for an HTML tag
    s3 = sheets["03-04-03"]
    assert [(e.when, e.text) for e in s3.history_entries][:2] == [
        ("平成14年度", "インターネットデータセンターにおける運用監視開始"),
        ("平成15年度", "LGWAN接続機器の導入・インターネット接続開始"),
    ]
    assert len(s3.history_entries) == 11
    s5 = sheets["03-04-05"]
    assert [i.number for i in s5.issues] == [None, None, None]  # printed without ①②③
    s6 = sheets["03-04-06"]
    assert len(s6.history_entries) == 13  # two (date, event) pairs share some rows
    assert s6.history_entries[1].when == "平成16年12月"
    assert "18区" in s6.other_wards.notes


# ---------------------------------------------------------------------------------------------
# years


def test_year_series_rule():
    labels = ["29年度", "30年度", "元年度", "2年度", "3年度", "4年度", "5年度"]
    assert resolve_year_series(labels) == YEARS7
    assert resolve_year_series(["3年度", "4年度"]) == [2021, 2022]
    assert resolve_year_series(["2年度", "3年度", "4年度", "5年度見込み"]) == [2020, 2021, 2022, 2023]
    assert resolve_year_series(["令和3年度(決算)", "令和4年度"]) == [2021, 2022]
    assert resolve_year_series(["６２年度", "６３年度", "元年度"], era="平成") == [1987, 1988, 1989]
    with pytest.raises(FiscalYearError):
        resolve_year_series(["2年度", "4年度"])
    with pytest.raises(FiscalYearError):
        resolve_year_series(["29年度", "2年度"])


# ---------------------------------------------------------------------------------------------
# amounts


def test_parse_amount_examples():
    assert parse_amount("▲114,223") == -114223
    assert parse_amount("▲ 1,405") == -1405
    assert parse_amount("△5") == -5
    assert parse_amount("１２，３４５") == 12345
    assert parse_amount("0") == 0
    assert parse_amount("") is None and parse_amount("  ") is None and parse_amount(None) is None
    for bad in ("12,34", "1,2345", "abc", "12.5", "▲"):
        with pytest.raises(AmountError):
            parse_amount(bad)
    assert parse_number("-3.7") == Decimal("-3.7")
    assert parse_number("98,440") == 98440
    assert parse_number("") is None


@given(
    value=st.integers(min_value=-(10**12), max_value=10**12),
    minus=st.sampled_from(["▲", "△", "-", "−", "－"]),
    grouping=st.booleans(),
    fullwidth=st.booleans(),
    space=st.booleans(),
)
def test_format_then_parse_is_identity(value, minus, grouping, fullwidth, space):
    text = format_amount(value, minus=minus, grouping=grouping, fullwidth=fullwidth, space_after_sign=space)
    assert parse_amount(text) == value
    assert parse_number(text) == value


@given(st.integers(min_value=-(10**9), max_value=10**9))
def test_default_format_is_the_printed_style(value):
    text = format_amount(value)
    assert text == (f"▲{-value:,}" if value < 0 else f"{value:,}")


# ---------------------------------------------------------------------------------------------
# small helpers


def test_radios_and_html():
    group = parse_radios('<input type="radio"/> 有 <input checked="" type="radio"/> 無（ ）年度')
    assert group.labels == ["有", "無"] and group.checked == "無"
    assert parse_radios("no radios").checked is None
    assert html_to_text("<p>a</p> <ul><li>・b</li></ul> <x>") == "a\n・b\n<x>"


# ---------------------------------------------------------------------------------------------
# mangled input


def _mangle(text: str, old: str, new: str) -> str:
    assert text.count(old) >= 1, old
    return text.replace(old, new, 1)


def _line_of(text: str, needle: str) -> int:
    for n, line in enumerate(text.splitlines(), start=1):
        if needle in line:
            return n
    raise AssertionError(needle)


def test_error_not_a_sheet():
    with pytest.raises(ArakawaFormatError) as info:
        parse_arakawa_sheets("これは別の文書です\n", filename="x.txt")
    assert info.value.line == 1
    assert "事務事業分析シート" in info.value.message
    assert str(info.value).startswith("x.txt:1: ")
    assert isinstance(info.value, ValueError)


def test_error_bad_budget_figure(seed_text):
    bad = _mangle(seed_text, "予算額\t429,265", "予算額\t42x,265")
    with pytest.raises(ArakawaFormatError) as info:
        parse_arakawa_sheets(bad, filename="bad.txt")
    assert info.value.line == _line_of(seed_text, "予算額\t429,265") == 34
    assert "金額として読めません" in info.value.message and "42x,265" in info.value.message


def test_error_budget_row_with_too_many_figures(seed_text):
    bad = _mangle(seed_text, "予算額\t429,265", "予算額\t1,000\t429,265")
    with pytest.raises(ArakawaFormatError) as info:
        parse_arakawa_sheets(bad)
    assert info.value.line == 34
    assert "年度の列に揃っていません" in info.value.message


def test_error_missing_code_row(seed_text):
    line = _line_of(seed_text, "03-04-02")
    lines = seed_text.splitlines()
    del lines[line - 1]
    with pytest.raises(ArakawaFormatError) as info:
        parse_arakawa_sheets("\n".join(lines))
    assert info.value.line == 85  # the heading of the second sheet
    assert "事務事業コード" in info.value.message


def test_error_bad_code(seed_text):
    bad = _mangle(seed_text, "03-04-03", "03-4-03")
    with pytest.raises(ArakawaFormatError) as info:
        parse_arakawa_sheets(bad)
    assert info.value.line == 171 and "03-4-03" in info.value.message


def test_error_duplicate_code(seed_text):
    bad = _mangle(seed_text, "03-04-03", "03-04-02")
    with pytest.raises(ArakawaFormatError) as info:
        parse_arakawa_sheets(bad)
    assert "重複" in info.value.message and info.value.line == 167


def test_error_unknown_classification(seed_text):
    bad = _mangle(seed_text, "推進\t継続\t区の保有", "推進\t休止\t区の保有")
    with pytest.raises(ArakawaFormatError) as info:
        parse_arakawa_sheets(bad)
    assert info.value.line == 205 and "休止" in info.value.message


def test_error_cost_statement_row(seed_text):
    bad = _mangle(seed_text, "⇥物件費⇥395,767⇥281,544⇥▲114,223".replace("⇥", "\t"), "\t物件費\t395,767")
    with pytest.raises(ArakawaFormatError) as info:
        parse_arakawa_sheets(bad)
    assert info.value.line == 55 and "物件費" in info.value.message


def test_error_non_consecutive_years(seed_text):
    bad = _mangle(seed_text, "予算・決算額等の推移\t29年度\t30年度", "予算・決算額等の推移\t28年度\t30年度")
    with pytest.raises(ArakawaFormatError) as info:
        parse_arakawa_sheets(bad)
    assert info.value.line == 33 and "連続" in info.value.message


def test_full_width_digits_are_read(seed_text):
    text = _mangle(seed_text, "予算額\t429,265", "予算額\t４２９，２６５")
    s = parse_arakawa_sheets(text)[0]
    assert s.budget[0].budget.value == 429265
    assert s.budget[0].budget.raw == "４２９，２６５"  # kept as printed
