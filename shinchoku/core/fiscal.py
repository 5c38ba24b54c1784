"""Fiscal years (年度) and Japanese era years (和暦).

A Japanese municipality's fiscal year runs from 1 April to 31 March and is named by the calendar
year it starts in: FY2023 = 令和5年度 = April 2023 – March 2024. shinchoku stores fiscal years as
the integer western year (2023) and shows both forms.

Accepted input (whitespace and full-width digits allowed everywhere):
``2023``, ``2023年度``, ``令和5年度``, ``令和 5 年度``, ``R5``, ``R5年度``, ``r05``, ``令5``,
``5年度`` / ``元年度`` (a bare era year needs ``default_era``; without it the current era 令和 is
assumed), ``平成31年度``, ``H31``, ``昭和64年度``, ``S64``, ``元年``.
"""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass

from shinchoku.core.text import nfkc, remove_spaces


class FiscalYearError(ValueError):
    """The text does not name a fiscal year we can resolve."""


@dataclass(frozen=True)
class Era:
    name: str
    letter: str
    first_year: int  # western year of the era's year 1 (元年)
    last_year: int | None  # western calendar year the era ended in, None = current era

    def to_western(self, era_year: int) -> int:
        return self.first_year + era_year - 1

    def covers(self, western: int) -> bool:
        return western >= self.first_year and (self.last_year is None or western <= self.last_year)


# Era boundaries by calendar year. A fiscal year is named after the era in force on 1 April, so
# FY2019 (April 2019) is 平成31年度 in documents written before May 2019 and 令和元年度 after; both
# resolve to 2019. Output always uses the later era (令和元年度).
ERAS: tuple[Era, ...] = (
    Era("令和", "R", 2019, None),
    Era("平成", "H", 1989, 2019),
    Era("昭和", "S", 1926, 1989),
)
ERA_BY_NAME = {era.name: era for era in ERAS}
ERA_BY_LETTER = {era.letter: era for era in ERAS}
ERA_BY_NAME.update({era.name[0]: era for era in ERAS})  # 令5, 平31, 昭64 (abbreviated era names)

CURRENT_ERA = ERAS[0]

# Plausible western fiscal years. Anything outside is a typo, not a plan year.
MIN_YEAR = 1926
MAX_YEAR = 2200

_WESTERN = re.compile(r"^(\d{4})(?:年度?|FY)?$", re.IGNORECASE)
_FY_PREFIX = re.compile(r"^FY(\d{4})$", re.IGNORECASE)
_ERA = re.compile(r"^(令和|平成|昭和|令|平|昭|[RHS])(\d{1,3}|元)(?:年度?)?$", re.IGNORECASE)
_BARE = re.compile(r"^(\d{1,3}|元)年度?$")


def parse_fiscal_year(text: str | int, *, default_era: str | None = None) -> int:
    """Return the western fiscal year named by ``text``; raise :class:`FiscalYearError` if unreadable.

    ``default_era`` ('令和', '平成', '昭和' or their letters) resolves bare era years such as
    ``29年度`` in a document that writes years without the era; without it 令和 is assumed.
    """
    if isinstance(text, int) and not isinstance(text, bool):
        return _checked(text, str(text))
    if not isinstance(text, str):
        raise FiscalYearError(f"年度として読めません: {text!r}")
    original = text
    compact = remove_spaces(nfkc(text))
    if not compact:
        raise FiscalYearError("年度が空です")
    if m := _WESTERN.match(compact) or _FY_PREFIX.match(compact):
        return _checked(int(m.group(1)), original)
    if m := _ERA.match(compact):
        key = m.group(1)
        era = ERA_BY_NAME.get(key) or ERA_BY_LETTER[key.upper()]
        return _era_year(era, m.group(2), original)
    if m := _BARE.match(compact):
        era = _resolve_era(default_era) if default_era else CURRENT_ERA
        return _era_year(era, m.group(1), original)
    raise FiscalYearError(f"年度として読めません: 「{original}」")


def _resolve_era(name: str) -> Era:
    era = ERA_BY_NAME.get(name) or ERA_BY_LETTER.get(name.upper())
    if era is None:
        raise FiscalYearError(f"元号が分かりません: 「{name}」")
    return era


def _era_year(era: Era, number: str, original: str) -> int:
    era_year = 1 if number == "元" else int(number)
    if era_year < 1:
        raise FiscalYearError(f"元号の年は1以上です: 「{original}」")
    western = era.to_western(era_year)
    if era.last_year is not None and western > era.last_year:
        raise FiscalYearError(
            f"{era.name}{era_year}年度は存在しません（{era.name}は{era.to_western(1)}年から"
            f"{era.last_year}年まで）: 「{original}」"
        )
    return _checked(western, original)


def _checked(year: int, original: str) -> int:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise FiscalYearError(f"年度が範囲外です（{MIN_YEAR}〜{MAX_YEAR}）: 「{original}」")
    return year


def era_of(year: int) -> Era:
    for era in ERAS:
        if era.covers(year):
            return era
    raise FiscalYearError(f"{year}年度に対応する元号がありません")


def to_wareki(year: int) -> str:
    """FY2023 → '令和5年度'; FY2019 → '令和元年度'."""
    era = era_of(year)
    n = year - era.first_year + 1
    return f"{era.name}{'元' if n == 1 else n}年度"


def to_short(year: int) -> str:
    """FY2023 → 'R5'."""
    era = era_of(year)
    return f"{era.letter}{year - era.first_year + 1}"


def label(year: int) -> str:
    """Both forms, as shown in the UI: '令和5年度（2023年度）'."""
    return f"{to_wareki(year)}（{year}年度）"


def fiscal_year_of(day: _dt.date) -> int:
    """The fiscal year a date falls in: 31 March 2024 → 2023, 1 April 2024 → 2024."""
    return day.year if day.month >= 4 else day.year - 1


def fiscal_year_bounds(year: int) -> tuple[_dt.date, _dt.date]:
    """First and last day of a fiscal year: 2023 → (2023-04-01, 2024-03-31)."""
    return _dt.date(year, 4, 1), _dt.date(year + 1, 3, 31)
