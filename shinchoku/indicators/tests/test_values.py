"""parse_value / format_value: published indicator cells (中野区, 荒川区) and properties."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from shinchoku.indicators.values import (
    BASE_UNITS,
    BOUND_WORDS,
    MISSING_WORDS,
    MULTIPLIERS,
    ParsedValue,
    comparable_number,
    display_value,
    format_value,
    parse_value,
    split_unit,
)

D = Decimal


def roundtrip(pv: ParsedValue) -> ParsedValue:
    return parse_value(format_value(pv))


# -- published cells --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value", "unit", "base_unit"),
    [
        ("約 179 万件", D(1790000), "万件", "件"),
        ("約 200 万件", D(2000000), "万件", "件"),
        ("170 万件", D(1700000), "万件", "件"),
        ("約 6 万件", D(60000), "万件", "件"),
        ("182百万円", D(182000000), "百万円", "円"),
        ("3億円", D(300000000), "億円", "円"),
        ("20,000千円/年", D(20000000), "千円", "円"),
        ("約 5,900fm", D(5900), "fm", "fm"),
        ("62.3%", D("62.3"), "%", "%"),
        ("3 団体", D(3), "団体", "団体"),
        ("22名", D(22), "名", "名"),
        ("0件", D(0), "件", "件"),
        ("１２，３４５件", D(12345), "件", "件"),
        ("4,807", D(4807), "", ""),
        ("-3.7", D("-3.7"), "", ""),
        ("1,234円/件", D(1234), "円/件", "円/件"),
    ],
)
def test_numbers_units_and_multipliers(text: str, value: Decimal, unit: str, base_unit: str) -> None:
    pv = parse_value(text)
    assert pv.readable and not pv.is_missing, pv.error
    assert (pv.value, pv.unit, pv.base_unit) == (value, unit, base_unit)
    assert pv.raw == text


def test_approximate_keeps_published_number() -> None:
    pv = parse_value("約 179 万件")
    assert pv.approximate and pv.number == 179 and pv.multiplier == 10000
    assert format_value(pv) == "約179万件"
    assert comparable_number(pv) == 1790000


@pytest.mark.parametrize(
    ("text", "bound", "word", "number"),
    [
        ("85%以下", "le", "以下", D(85)),
        ("100件以上", "ge", "以上", D(100)),
        ("3日以内", "le", "以内", D(3)),
        ("5件未満", "lt", "未満", D(5)),
        ("10%超", "gt", "超", D(10)),
        ("約1割程度", "about", "程度", D(1)),
    ],
)
def test_bound_words(text: str, bound: str, word: str, number: Decimal) -> None:
    pv = parse_value(text)
    assert (pv.bound, pv.bound_word, pv.number) == (bound, word, number)


@pytest.mark.parametrize(
    ("text", "subject", "bound", "number"),
    [
        ("収支差額 > 0", "収支差額", "gt", D(0)),
        ("純資産変動 > 0", "純資産変動", "gt", D(0)),
        ("収支差額＞０", "収支差額", "gt", D(0)),
        ("稼働率 ≧ 99%", "稼働率", "ge", D(99)),
        ("> 0", None, "gt", D(0)),
    ],
)
def test_comparisons_with_subject(text: str, subject: str | None, bound: str, number: Decimal) -> None:
    pv = parse_value(text)
    assert (pv.subject, pv.bound, pv.number) == (subject, bound, number)
    assert roundtrip(pv) == pv


@pytest.mark.parametrize(
    ("text", "numerator", "denominator", "ratio"),
    [("1/15", D(1), D(15), D(1) / D(15)), ("0/15", D(0), D(15), D(0)), ("15/15", D(15), D(15), D(1))],
)
def test_fractions(text: str, numerator: Decimal, denominator: Decimal, ratio: Decimal) -> None:
    pv = parse_value(text)
    assert (pv.number, pv.denominator, pv.is_fraction) == (numerator, denominator, True)
    assert comparable_number(pv) == ratio
    assert format_value(pv) == text


def test_fraction_with_zero_denominator_is_not_comparable() -> None:
    assert comparable_number(parse_value("0/0")) is None


@pytest.mark.parametrize(
    ("text", "period", "number", "bound"),
    [
        ("年 50 時間", "year", D(50), None),
        ("年 120 時間以下", "year", D(120), "le"),
        ("年間 12 回", "year", D(12), None),
        ("20,000千円/年", "year", D(20000), None),
        ("1,400時間/月", "month", D(1400), None),
        ("3件/日", "day", D(3), None),
    ],
)
def test_per_period(text: str, period: str, number: Decimal, bound: str | None) -> None:
    pv = parse_value(text)
    assert (pv.period, pv.number, pv.bound) == (period, number, bound)
    assert roundtrip(pv) == pv


@pytest.mark.parametrize(
    ("text", "number", "mark"),
    [("▲1,234", D(-1234), "▲"), ("△1,234", D(-1234), "△"), ("▲ 114,223", D(-114223), "▲")],
)
def test_triangle_is_minus(text: str, number: Decimal, mark: str) -> None:
    pv = parse_value(text)
    assert pv.number == number and pv.minus_sign == mark
    assert format_value(pv) == f"{mark}{format(-number, ',f')}"  # published style kept


def test_share_of_a_reference_quantity() -> None:
    pv = parse_value("予算額の1割程度")
    assert pv.reference == "予算額" and pv.bound == "about"
    assert (pv.number, pv.unit, pv.base_unit, pv.value) == (D(1), "割", "%", D(10))
    assert comparable_number(pv) is None  # needs the 予算額 of the year
    assert format_value(pv) == "予算額の1割程度"


@pytest.mark.parametrize("text", ["—", "―", "-", "－", "ー", "", "   ", "集計中", "未集計", "調査中"])
def test_missing_markers(text: str) -> None:
    pv = parse_value(text)
    assert pv.is_missing and pv.readable and pv.number is None
    assert pv.missing_reason is not None
    assert comparable_number(pv) is None


def test_missing_reason_is_kept() -> None:
    assert parse_value("集計中").missing_reason == "集計中"
    assert parse_value("—").missing_label == "「—」"
    assert parse_value("").missing_label == "空欄"


def test_footnotes_are_kept_apart() -> None:
    pv = parse_value("68.3% ※1")
    assert pv.number == D("68.3") and pv.footnotes == ("※1",)
    assert format_value(pv) == "68.3% ※1"
    only_note = parse_value("※3")
    assert only_note.is_missing and only_note.footnotes == ("※3",)
    assert parse_value("(※２)").footnotes == ("※2",)


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("運用開始", "数値が含まれていません"),
        ("1,2", "カンマ"),
        ("3 4", "空白"),
        ("10～20件", "範囲"),
        ("令和7年度末までに移行", "読めません"),
        ("5リンゴ", "単位"),
        ("1 > 2 > 3", "複数"),
        ("3件 4件", "複数"),
        ("3件と4件", "複数"),
        ("収支差額 > 0以上", "二重"),
        ("売上の5件", "割合"),
    ],
)
def test_unreadable_text_is_kept_with_a_reason(text: str, fragment: str) -> None:
    pv = parse_value(text)
    assert not pv.readable and pv.number is None
    assert pv.error and fragment in pv.error, pv.error
    assert pv.text
    assert roundtrip(pv) == pv


def test_display_uses_column_unit_for_bare_numbers() -> None:
    assert display_value(parse_value("4,807"), default_unit="件") == "4,807件"
    assert display_value(parse_value("85以下"), default_unit="%") == "85%以下"
    assert display_value(parse_value("約 200 万件")) == "約200万件"
    assert comparable_number(parse_value("32,159"), default_unit="千円") == 32159000


def test_split_unit() -> None:
    assert split_unit("万件") == ("件", 10000)
    assert split_unit("千万円") == ("円", 10**7)
    assert split_unit("割") == ("%", 10)
    assert split_unit("リンゴ") is None


# -- the seeds: 中野区 成果指標 and 荒川区 指標 rows ------------------------------------------------

NAKANO_ROWS = {
    "区内のマイナンバーカード交付率": ["62.3%", "68.3% ※1", "100%", "100%"],
    "オンラインによる申請受付件数": ["約 179 万件", "約 200 万件", "170 万件", "200 万件"],
    "地図情報に関する窓口及び電話等問い合わせ件数": ["—", "—", "—", "約 6 万件"],
    "区が特に力を入れていると感じる施策が「情報化の推進」である割合": ["3.2%", "3.4%", "5%", "10%"],
    "区と連携してデジタルデバイドの解消に向けた取組を行う団体数": ["3 団体", "3 団体", "4 団体", "6 団体"],
    "本庁舎の執務室等で保有し、組織で共有している文書量 (fm) ※2": [
        "約 5,900fm",
        "約 3,900fm",
        "約 3,600fm",
        "約 3,000fm",
    ],
    "AI・RPAの活用による業務改善数": ["7件", "8件", "7件", "15件"],
    "標準化システムへ移行した事業数": ["0/15", "0/15", "1/15", "15/15"],
    "情報セキュリティ事故発生件数": ["9件", "10件", "0件", "0件"],
    "ICT資格の「ITパスポート試験」取得者数 ※3": ["22名", "29名", "20名", "30名"],
}

# 2年度 | 3年度 | 4年度 | 5年度見込み | 目標値(8年度)
ARAKAWA_ROWS = {
    "システムの停止を伴う重大な障害件数": ["0", "0", "0", "0", "0"],
    "セキュリティ事故発生件数": ["0", "0", "0", "0", "0"],
    "システム評価におけるユーザ満足度調査の平均値": ["3.4", "3.7", "3.7", "3.8", "4.0"],
    "職員一人あたりシステム経費(円)": ["32,410", "42,217", "59,432", "47,299", "30,000"],
    "施設予約におけるインターネット予約率(%)": ["45.9", "51.3", "54.8", "57.3", "60.0"],
    "パソコン稼働率(%)": ["79.3", "80.7", "79.5", "81.0", "95.0"],
    "印刷枚数前年度増加率(%)": ["3.7", "-3.7", "-0.6", "-2.0", "-5.0"],
    "ヘルプデスクの当日中間問い合わせ対応(%)": ["99.3", "99.9", "99.5", "99.5", "100"],
    "電子申請年間利用件数（件）": ["4,807", "24,709", "98,440", "30,000", "35,000"],
    "電子調達年間入札割合（%）": ["100", "100", "100", "100", "100"],
    "行政手続オンライン化率（%）": ["68.6", "76.1", "78", "80", "80"],
}


@pytest.mark.parametrize(("name", "cells"), NAKANO_ROWS.items())
def test_nakano_indicator_rows_parse(name: str, cells: list[str]) -> None:
    for cell in cells:
        pv = parse_value(cell)
        assert pv.readable, (name, cell, pv.error)
        assert pv.is_missing == (cell == "—")
        assert roundtrip(pv) == pv


@pytest.mark.parametrize(("name", "cells"), ARAKAWA_ROWS.items())
def test_arakawa_indicator_rows_parse(name: str, cells: list[str]) -> None:
    for cell in cells:
        pv = parse_value(cell)
        assert pv.has_number, (name, cell, pv.error)


def test_arakawa_e_application_row() -> None:
    actual_2020, actual_2021, actual_2022, estimate_2023, target_2026 = (
        parse_value(c) for c in ARAKAWA_ROWS["電子申請年間利用件数（件）"]
    )
    assert [p.value for p in (actual_2020, actual_2021, actual_2022)] == [4807, 24709, 98440]
    assert estimate_2023.value == 30000 and target_2026.value == 35000


# -- properties -------------------------------------------------------------------------------

_prefixed = [prefix + unit for prefix, _ in MULTIPLIERS for unit in ("件", "円", "人", "")]
_units = st.sampled_from(sorted(BASE_UNITS) + _prefixed + ["", "割"])
_numbers = st.decimals(min_value=-10**9, max_value=10**9, allow_nan=False, allow_infinity=False, places=2)


@st.composite
def published_texts(draw: st.DrawFn) -> str:
    """Texts in the published grammar, with the noise PDF conversion adds (spaces, full width)."""
    number = draw(_numbers)
    digits = format(abs(number), draw(st.sampled_from([",f", "f"])))
    sign = "" if number >= 0 else draw(st.sampled_from(["-", "▲", "△"]))
    text = draw(st.sampled_from(["", "約", "約 "])) + sign + digits
    if draw(st.booleans()):
        text += "/" + str(draw(st.integers(1, 99)))
    text += draw(st.sampled_from(["", " "])) + draw(_units)
    text += draw(st.sampled_from(["", "/年", "/月"]))
    text += draw(st.sampled_from(["", *BOUND_WORDS]))
    if draw(st.booleans()):
        text = draw(st.sampled_from(["収支差額 > ", "純資産 >= ", "< "])) + text.lstrip("約")
        text = text.replace("以上", "").replace("以下", "")
    text += draw(st.sampled_from(["", " ※1", " ※2 ※3"]))
    if draw(st.booleans()):
        text = text.translate(str.maketrans("0123456789,.%", "０１２３４５６７８９，．％"))
    return text


@given(published_texts())
@example("約 179 万件")
@example("予算額の1割程度")
@example("年 120 時間以下")
def test_format_then_parse_is_stable_for_published_grammar(text: str) -> None:
    pv = parse_value(text)
    assert roundtrip(pv) == pv
    assert format_value(roundtrip(pv)) == format_value(pv)


@given(st.text())
@example("※")
@example("(※1")
@example("> ")
@example("1e5")
@example("٣")
@example("¨1")
def test_parser_never_raises_and_is_stable_on_arbitrary_text(text: str) -> None:
    pv = parse_value(text)
    assert isinstance(pv, ParsedValue)
    assert pv.raw == text
    if not pv.readable:
        assert pv.error and pv.number is None
    assert roundtrip(pv) == pv


_VALUE_ALPHABET = "0123456789,.約万千件%/ ▲△-以上下内未満超程度※<>=収支の割年月—集計中"


@given(st.text(alphabet=st.sampled_from(list(_VALUE_ALPHABET)), max_size=14))
def test_parser_is_stable_on_value_like_text(text: str) -> None:
    pv = parse_value(text)
    assert roundtrip(pv) == pv


@given(_numbers, st.sampled_from(["", "件", "万件", "百万円", "%", "fm"]), st.booleans())
def test_from_number_roundtrips(number: Decimal, unit: str, approximate: bool) -> None:
    pv = ParsedValue.from_number(number, unit, approximate=approximate)
    assert roundtrip(pv) == pv


def test_missing_words_are_all_recognised() -> None:
    for word in MISSING_WORDS:
        assert parse_value(word).is_missing
