import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shinchoku.core.fiscal import (
    FiscalYearError, fiscal_year_bounds, fiscal_year_of, label, parse_fiscal_year, to_short, to_wareki,
)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("2023", 2023), ("2023年度", 2023), ("令和5年度", 2023), ("令和 5 年度", 2023), ("R5", 2023), ("r05", 2023),
        ("５年度", 2023), ("令和５年度", 2023), ("元年度", 2019), ("令和元年度", 2019), ("平成31年度", 2019),
        ("H29", 2017), ("平成29年度", 2017), ("昭和64年度", 1989), ("S64", 1989), ("FY2024", 2024), ("令5", 2023),
        (2024, 2024),
    ],
)
def test_accepted_forms(text, expected):
    assert parse_fiscal_year(text) == expected


def test_bare_year_uses_the_given_era():
    assert parse_fiscal_year("29年度", default_era="平成") == 2017
    assert parse_fiscal_year("元年度", default_era="令和") == 2019


@pytest.mark.parametrize("text", ["", "abc", "平成32年度", "令和0年度", "昭和65年度", "12345", "1800", "R"])
def test_rejected_forms_say_why(text):
    with pytest.raises(FiscalYearError) as err:
        parse_fiscal_year(text)
    assert str(err.value)


def test_output_forms():
    assert to_wareki(2023) == "令和5年度"
    assert to_wareki(2019) == "令和元年度"
    assert to_wareki(2018) == "平成30年度"
    assert to_short(2023) == "R5"
    assert label(2023) == "令和5年度（2023年度）"


def test_fiscal_year_runs_april_to_march():
    assert fiscal_year_bounds(2023) == (dt.date(2023, 4, 1), dt.date(2024, 3, 31))
    assert fiscal_year_of(dt.date(2024, 3, 31)) == 2023
    assert fiscal_year_of(dt.date(2024, 4, 1)) == 2024


@given(st.integers(min_value=1927, max_value=2200))
def test_wareki_round_trip(year):
    assert parse_fiscal_year(to_wareki(year)) == year
    assert parse_fiscal_year(to_short(year)) == year
    assert parse_fiscal_year(to_wareki(year).translate(str.maketrans("0123456789", "０１２３４５６７８９"))) == year


@given(st.text(max_size=12))
def test_never_crashes_on_arbitrary_text(text):
    try:
        year = parse_fiscal_year(text)
    except FiscalYearError:
        return
    assert 1926 <= year <= 2200
