"""Indicator values (指標値) as published: from a table cell to a structured value and back.

A cell of an indicator table (成果指標の推移, 指標の推移) holds much more than a number:

============================  =====================================================================
published text                what it means
============================  =====================================================================
``約 179 万件``                approximate (約) 179 × 10,000 件 → value 1,790,000, base unit 件
``182百万円``                  182 × 1,000,000 円
``85%以下``                    a bound (上限): at most 85 %
``収支差額 > 0``               a condition on a named quantity (subject 収支差額), greater than 0
``予算額の1割程度``            a share (1割 = 10 %) of another quantity (reference 予算額), about
``0/15``                       a fraction (分数): 0 of 15
``年 120 時間以下``            per period (期間あたり): at most 120 hours a year
``20,000千円/年``              20,000 × 1,000 円 a year
``▲1,234`` / ``△1,234``       minus 1,234 (▲ and △ are minus signs in money columns)
``—`` ``-`` ``集計中`` blank   no value (is_missing), the marker kept as the reason
``68.3% ※1``                  68.3 % with footnote marker ※1 kept apart
============================  =====================================================================

:func:`parse_value` never raises and never guesses: whatever it cannot read is kept as text with
``readable=False`` and a Japanese ``error`` that says why. :func:`format_value` writes a canonical
text that parses back to an equal :class:`ParsedValue` (equality ignores ``raw``).

Vocabulary
----------
* bound (条件): ``'ge'`` 以上 / ``>=`` ``≧``; ``'gt'`` 超 / ``>``; ``'le'`` 以下・以内 / ``<=`` ``≦``;
  ``'lt'`` 未満 / ``<``; ``'eq'`` ``=``; ``'about'`` 程度・前後. ``bound_word`` keeps the word used.
* approximate (概数): 約, 概ね, およそ.
* period (期間): ``'year'`` (年, 年間, /年), ``'month'`` (月, 月間, /月), ``'week'``, ``'day'``.
* missing (数値なし): a dash (``—`` ``―`` ``-`` ``－`` ``ー`` …), blank, or one of :data:`MISSING_WORDS`.
* units (単位): :data:`BASE_UNITS`, optionally after a multiplier prefix (:data:`MULTIPLIERS`:
  千, 万, 百万, 億 …), optionally ``/unit`` (円/件). 割 is a share: 1割 = 10 %. A unit that is not
  registered makes the value unreadable rather than silently accepted; extend the tuple instead.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation, localcontext
from typing import Literal

from shinchoku.core.text import nfkc, remove_spaces, squash_spaces

Bound = Literal["ge", "gt", "le", "lt", "eq", "about"]
Period = Literal["year", "month", "week", "day"]

# Words written after the number (以上…) and comparison operators written before it (> 0).
BOUND_WORDS: dict[str, Bound] = {
    "以上": "ge",
    "以下": "le",
    "以内": "le",
    "未満": "lt",
    "超": "gt",
    "程度": "about",
    "前後": "about",
}
OPERATORS: dict[str, Bound] = {
    ">=": "ge",
    "≧": "ge",
    "≥": "ge",
    "<=": "le",
    "≦": "le",
    "≤": "le",
    ">": "gt",
    "<": "lt",
    "=": "eq",
}
APPROXIMATE_WORDS = ("約", "概ね", "およそ")
MISSING_WORDS = ("集計中", "未集計", "調査中", "算出中", "確認中", "未定", "非公表")
# Dash-like characters a PDF conversion leaves in empty cells (after NFKC: － → -, ｰ → ー).
_DASHES = "-‐‑‒–—―−ー─━"

PERIOD_PREFIXES: dict[str, Period] = {
    "年間": "year",
    "毎年": "year",
    "年": "year",
    "月間": "month",
    "毎月": "month",
    "月": "month",
    "週": "week",
    "毎日": "day",
    "日": "day",
}
PERIOD_SUFFIXES: dict[str, Period] = {
    "年間": "year",
    "年": "year",
    "か月": "month",
    "ヶ月": "month",
    "月": "month",
    "週": "week",
    "日": "day",
}
PERIOD_LABELS: dict[str, str] = {"year": "年", "month": "月", "week": "週", "day": "日"}

# Multiplier prefixes, longest first so that 百万 wins over 万 and 千万 over 千.
MULTIPLIERS: tuple[tuple[str, Decimal], ...] = (
    ("千万", Decimal(10) ** 7),
    ("百万", Decimal(10) ** 6),
    ("十万", Decimal(10) ** 5),
    ("兆", Decimal(10) ** 12),
    ("億", Decimal(10) ** 8),
    ("万", Decimal(10) ** 4),
    ("千", Decimal(10) ** 3),
    ("百", Decimal(10) ** 2),
)
# Units that convert to another base unit: 1割 = 10 %.
CONVERTED_UNITS: dict[str, tuple[str, Decimal]] = {"割": ("%", Decimal(10))}
BASE_UNITS: frozenset[str] = frozenset(
    """
    % ポイント pt 倍 円 ドル
    件 人 名 団体 回 時間 分 秒 日 週 か月 ヶ月 カ月 月 年 年度 歳
    手続 手続き 台 点 校 園 施設 箇所 か所 ヶ所 カ所 所 個 枚 本 冊 社 課 部 局 室 区 者 世帯
    事業 業務 システム 機関 店舗 店 品目 項目 種類 講座 拠点 地区 回線 ページ 頁 人日 人月 人時
    fm m km m2 m3 kg g t kWh kW MWh GB TB MB Mbps Gbps
    """.split()
)

_NUMBER = r"[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?|[0-9]+(?:\.[0-9]+)?"
_VALUE = re.compile(
    rf"""^
    (?P<pre>{"|".join(PERIOD_PREFIXES)})?
    (?P<approx>{"|".join(APPROXIMATE_WORDS)})?
    (?P<sign>[▲△+\-])?
    (?P<num>{_NUMBER})
    (?:/(?P<den>{_NUMBER}))?
    (?P<unit>[^0-9<>=]*?)
    (?:/(?P<suf>{"|".join(PERIOD_SUFFIXES)}))?
    (?P<bound>{"|".join(BOUND_WORDS)})?
    $""",
    re.VERBOSE | re.ASCII,
)
_REFERENCE = re.compile(
    rf"^(?P<ref>[^0-9]+?)の(?=(?:{'|'.join(APPROXIMATE_WORDS)})?[▲△+\-]?[0-9])"
)
_OPERATOR = re.compile("|".join(re.escape(op) for op in OPERATORS))
# ※1, ※ 2, (※3), ※① (NFKC turns ① into 1). Capped at two digits so ※100 is not a footnote 100.
_FOOTNOTE = re.compile(r"\(?※(?:\s*([0-9]{1,2})(?![0-9.,]))?\)?")
# Only ASCII digits count: NFKC has folded full-width ones, anything else is not a published number.
_DIGIT = re.compile(r"[0-9]")
_DIGIT_SPACE_DIGIT = re.compile(r"[0-9]\s+[0-9]")
_RANGE = re.compile(r"[0-9]\s*[~〜～]")
_ANY_NUMBER = re.compile(r"[0-9][0-9,]*(?:\.[0-9]+)?")


@dataclass(frozen=True)
class ParsedValue:
    """One published indicator value (指標値), structured.

    ``number`` and ``unit`` are as printed (約179万件 → 179, '万件'); ``value`` applies the
    multiplier into ``base_unit`` (1,790,000 件). Equality ignores ``raw``.
    """

    raw: str = field(default="", compare=False)  # 原文: the text exactly as published
    readable: bool = True  # 読取可否: False = kept as text, see ``error``
    number: Decimal | None = None  # 数値 as printed (179 for 約179万件); numerator of a fraction
    unit: str = ""  # 単位 as printed ('万件', '百万円', '%', '')
    base_unit: str = ""  # 基本単位 ('件', '円', '%')
    multiplier: Decimal = Decimal(1)  # 倍率 from unit to base unit (万 → 10,000)
    approximate: bool = False  # 概数 (約)
    bound: Bound | None = None  # 条件: 'ge' 'gt' 'le' 'lt' 'eq' 'about'
    bound_word: str | None = None  # 条件の語 as written (以上, 以内, >, ≧ …)
    subject: str | None = None  # 対象: the quantity compared in ``収支差額 > 0``
    reference: str | None = None  # 基準量: 予算額 in ``予算額の1割程度`` (the value is a share of it)
    minus_sign: str | None = None  # 負号 as published: '-', '▲' or '△' (money columns)
    denominator: Decimal | None = None  # 分母 of ``1/15``
    period: Period | None = None  # 期間: 'year' (年/年間), 'month', 'week', 'day'
    footnotes: tuple[str, ...] = ()  # 注記 markers ('※1',)
    is_missing: bool = False  # 数値なし (—, blank, 集計中 …)
    missing_reason: str | None = None  # the marker as published ('—', '集計中', '' for blank)
    text: str | None = None  # 本文: normalised text of an unreadable value
    error: str | None = None  # 読めない理由 (Japanese)

    def __post_init__(self) -> None:
        # The minus sign is kept for display (▲1,234 stays ▲1,234) and must agree with the number.
        signed = self.number is not None and self.number.is_signed()
        if signed and self.minus_sign is None:
            object.__setattr__(self, "minus_sign", "-")
        elif not signed and self.minus_sign is not None:
            object.__setattr__(self, "minus_sign", None)

    @property
    def value(self) -> Decimal | None:
        """The number in base units (約179万件 → 1,790,000); None when there is no number."""
        if self.number is None:
            return None
        with localcontext() as ctx:
            ctx.prec = 60  # published numbers are short; never round them away
            return self.number * self.multiplier

    @property
    def is_fraction(self) -> bool:
        return self.denominator is not None

    @property
    def has_number(self) -> bool:
        return self.readable and not self.is_missing and self.number is not None

    @property
    def missing_label(self) -> str:
        """Human wording of the missing marker: '空欄', '「—」', '集計中'."""
        if not self.is_missing:
            return ""
        if not self.missing_reason:
            return "空欄"
        if self.missing_reason in MISSING_WORDS:
            return self.missing_reason
        return f"「{self.missing_reason}」"

    @classmethod
    def from_number(
        cls, number: Decimal | int | str, unit: str = "", **qualifiers: object
    ) -> ParsedValue:
        """Build a value programmatically, e.g. ``ParsedValue.from_number(3600, 'fm', approximate=True)``.

        Raises ValueError for an unregistered unit (a programming error, not published text).
        """
        split = split_unit(unit)
        if split is None:
            raise ValueError(f"登録されていない単位です: {unit!r}")
        base, multiplier = split
        number = number if isinstance(number, Decimal) else Decimal(str(number))
        pv = cls(number=number, unit=unit, base_unit=base, multiplier=multiplier)
        # Qualifiers (approximate, bound, denominator …) go through replace() so that a misspelt
        # field name fails loudly instead of being ignored.
        return replace(pv, **qualifiers)  # type: ignore[arg-type]


def split_unit(unit: str) -> tuple[str, Decimal] | None:
    """'万件' → ('件', 10000); '百万円' → ('円', 1000000); '割' → ('%', 10); unknown → None."""
    if unit == "":
        return "", Decimal(1)
    if unit in CONVERTED_UNITS:
        return CONVERTED_UNITS[unit]
    if unit in BASE_UNITS:
        return unit, Decimal(1)
    if "/" in unit:
        # A rate unit such as 円/件 (cost per use): the multiplier belongs to the numerator unit.
        head, _, tail = unit.partition("/")
        head_split = split_unit(head)
        if head_split is None or head_split[0] == "" or tail not in BASE_UNITS:
            return None
        return f"{head_split[0]}/{tail}", head_split[1]
    for prefix, multiplier in MULTIPLIERS:
        if unit.startswith(prefix):
            rest = unit[len(prefix) :]
            if rest == "":
                return "", multiplier
            if rest in BASE_UNITS:
                return rest, multiplier
            return None
    return None


def parse_value(text: str) -> ParsedValue:
    """Read one published indicator value. Never raises; unreadable text gets ``readable=False``."""
    return _parse_cached(text if isinstance(text, str) else str(text))


@functools.lru_cache(maxsize=16384)
def _parse_cached(raw: str) -> ParsedValue:
    # ParsedValue is frozen, so one parse of a published text can serve every page that shows it.
    try:
        return _parse(raw)
    except Exception as exc:  # noqa: BLE001 - a parser for published cells must not crash an import
        return ParsedValue(
            raw=raw,
            readable=False,
            text=squash_spaces(nfkc(raw)),
            error=f"読み取り中に想定外のエラーが発生しました（{type(exc).__name__}）",
        )


def _parse(raw: str) -> ParsedValue:
    normal = nfkc(raw)
    footnotes = tuple(f"※{m.group(1) or ''}" for m in _FOOTNOTE.finditer(normal))
    body = squash_spaces(_FOOTNOTE.sub(" ", normal))

    def unreadable(error: str) -> ParsedValue:
        return ParsedValue(raw=raw, readable=False, footnotes=footnotes, text=body, error=error)

    compact = remove_spaces(body)
    if compact == "" or compact in MISSING_WORDS or all(ch in _DASHES for ch in compact):
        return ParsedValue(raw=raw, footnotes=footnotes, is_missing=True, missing_reason=body)
    if not _DIGIT.search(body):
        if any(ch.isdecimal() for ch in body):
            return unreadable("算用数字（0〜9）以外の数字は読めません")
        return unreadable("数値が含まれていません（文章として保存しました）")
    if _RANGE.search(body):
        return unreadable("範囲（〜）は1つの値として読めません")
    if _DIGIT_SPACE_DIGIT.search(body):
        return unreadable("数字の間に空白があり、1つの数値か複数の数値か判断できません")

    subject = None
    bound: Bound | None = None
    bound_word = None
    operators = _OPERATOR.findall(compact)
    if len(operators) > 1:
        return unreadable("比較記号（> < = など）が複数あります")
    if operators:
        found = _OPERATOR.search(compact)
        assert found is not None
        op, left, right = found.group(), compact[: found.start()], compact[found.end() :]
        if _DIGIT.search(left):
            return unreadable(f"比較記号「{op}」の左側「{left}」に数字があり、比較の対象として読めません")
        subject = left or None
        bound, bound_word = OPERATORS[op], op
        compact = right

    reference = None
    ref_match = _REFERENCE.match(compact)
    if ref_match:
        reference = ref_match.group("ref")
        compact = compact[ref_match.end() :]

    if not _DIGIT.search(compact):
        return unreadable(f"比較記号「{bound_word}」の後に数値がありません")
    m = _VALUE.match(compact)
    if m is None:
        return unreadable(_diagnose(compact))

    if m.group("bound"):
        if bound is not None:
            return unreadable(f"条件が二重です（「{bound_word}」と「{m.group('bound')}」）")
        bound_word = m.group("bound")
        bound = BOUND_WORDS[bound_word]
    if m.group("pre") and m.group("suf"):
        return unreadable("期間（年・月など）が前後に二重に書かれています")
    period_word = m.group("pre") or m.group("suf")
    period = (PERIOD_PREFIXES if m.group("pre") else PERIOD_SUFFIXES).get(period_word or "")

    unit = m.group("unit")
    split = split_unit(unit)
    if split is None:
        return unreadable(f"「{unit}」を単位として読めません（登録されていない単位です）")
    base_unit, multiplier = split
    if reference is not None and base_unit != "%":
        return unreadable(f"「{reference}の」の後の値は割合（%・割）で書かれている必要があります")

    try:
        number = _decimal(m.group("num"))
        denominator = _decimal(m.group("den")) if m.group("den") else None
    except InvalidOperation:
        return unreadable("数値として読めません")
    minus_sign = m.group("sign") if m.group("sign") in ("▲", "△", "-") else None
    if minus_sign:
        number = -number

    return ParsedValue(
        raw=raw,
        number=number,
        unit=unit,
        base_unit=base_unit,
        multiplier=multiplier,
        approximate=m.group("approx") is not None,
        bound=bound,
        bound_word=bound_word,
        subject=subject,
        reference=reference,
        minus_sign=minus_sign,
        denominator=denominator,
        period=period,
        footnotes=footnotes,
    )


def _decimal(text: str) -> Decimal:
    return Decimal(text.replace(",", ""))


def _diagnose(compact: str) -> str:
    """Say in Japanese why ``compact`` (spaces removed, operator split off) is not a value."""
    numbers = _ANY_NUMBER.findall(compact)
    for token in numbers:
        if "," in token and not re.fullmatch(_NUMBER, token):
            return f"桁区切りのカンマの位置が正しくありません（{token}）"
    first = _ANY_NUMBER.search(compact)
    if first is None:
        return "数値が含まれていません"
    before, after = compact[: first.start()], compact[first.end() :]
    if len(numbers) > 1 and not re.fullmatch(rf"/(?:{_NUMBER}).*", after):
        return "数値が複数含まれているため、1つの値として読めません"
    if before and not re.fullmatch(
        rf"(?:{'|'.join(PERIOD_PREFIXES)})?(?:{'|'.join(APPROXIMATE_WORDS)})?[▲△+\-]?", before
    ):
        return f"数値の前の「{before}」を読めません"
    return f"数値の後の「{after}」を単位・条件として読めません"


def _number_text(number: Decimal) -> str:
    # Thousands separators as published (4,807); fixed-point so that 1E+3 never appears.
    return format(number, ",f")


def format_value(pv: ParsedValue) -> str:
    """Canonical text of a value; ``parse_value(format_value(pv)) == pv`` (``raw`` aside).

    Canonical choices: the minus sign as published (▲1,234), a period as a suffix (``50時間/年``),
    digits get thousands separators, footnotes go last separated by a space.
    """
    notes = " ".join(pv.footnotes)
    if pv.is_missing:
        body = pv.missing_reason or ""
    elif not pv.readable or pv.number is None:
        body = pv.text or ""
    else:
        body = _format_body(pv)
    return f"{body} {notes}".strip() if notes else body


def _format_body(pv: ParsedValue) -> str:
    assert pv.number is not None
    parts: list[str] = []
    is_operator = pv.bound_word in OPERATORS
    if is_operator:
        parts.append(f"{pv.subject} {pv.bound_word} " if pv.subject else f"{pv.bound_word} ")
    if pv.reference:
        parts.append(f"{pv.reference}の")
    if pv.approximate:
        parts.append("約")
    if pv.number.is_signed():
        parts.append(f"{pv.minus_sign or '-'}{_number_text(abs(pv.number))}")
    else:
        parts.append(_number_text(pv.number))
    if pv.denominator is not None:
        parts.append(f"/{_number_text(pv.denominator)}")
    parts.append(pv.unit)
    if pv.period:
        parts.append(f"/{PERIOD_LABELS[pv.period]}")
    if pv.bound_word and not is_operator:
        parts.append(pv.bound_word)
    return "".join(parts)


def display_value(pv: ParsedValue, *, default_unit: str = "", footnotes: bool = False) -> str:
    """Text for a sentence a person reads: published style (約200万件, 0/15, 68.3%).

    ``default_unit`` is appended to a bare number whose unit is in the column header
    (荒川区: 電子申請年間利用件数（件） | 4,807).
    """
    if pv.is_missing:
        return pv.missing_reason or "空欄"
    shown = format_value(replace(pv, footnotes=pv.footnotes if footnotes else ()))
    if pv.has_number and not pv.unit and default_unit and pv.bound_word not in OPERATORS:
        shown = _insert_unit(shown, pv, default_unit)
    return shown


def _insert_unit(shown: str, pv: ParsedValue, unit: str) -> str:
    if pv.bound_word and shown.endswith(pv.bound_word):
        return shown[: -len(pv.bound_word)] + unit + pv.bound_word
    if pv.period:
        suffix = f"/{PERIOD_LABELS[pv.period]}"
        return shown[: -len(suffix)] + unit + suffix
    return shown + unit


def comparable_number(pv: ParsedValue, *, default_unit: str = "") -> Decimal | None:
    """The number to compare values with: base units, or a ratio for a fraction.

    * plain value: ``value`` in base units (約179万件 → 1,790,000; 182百万円 → 182,000,000);
      a bare number takes the multiplier of ``default_unit`` (the column's unit, e.g. 千円).
    * fraction (分数): numerator ÷ denominator (``1/15`` → 0.0666…), so that years stay
      comparable when the denominator changes (14/15 vs 15/16); denominator 0 → None.
    * share of a reference (``予算額の1割``): None — it needs the reference amount
      (see ``judgement.IndicatorSpec.reference_amounts``).
    * missing or unreadable: None.
    """
    if not pv.has_number or pv.reference is not None:
        return None
    assert pv.number is not None
    if pv.denominator is not None:
        if pv.denominator == 0:
            return None
        with localcontext() as ctx:
            ctx.prec = 28
            return pv.number / pv.denominator
    if not pv.unit and default_unit:
        split = split_unit(default_unit)
        if split is not None:
            return pv.number * split[1]
    return pv.value


def comparable_unit(pv: ParsedValue, *, default_unit: str = "") -> str:
    """The base unit ``comparable_number`` is expressed in ('件', '%', '' …); '分数' for fractions."""
    if pv.denominator is not None:
        return "分数"
    if not pv.unit and default_unit:
        split = split_unit(default_unit)
        return split[0] if split is not None else default_unit
    return pv.base_unit


def parsed_fields(raw: str) -> dict:
    """The stored columns of an indicator value (IndicatorValue, a round's actual) read from its
    published text: the number, unit, qualifiers, and whether and why it could not be read."""
    pv = parse_value(raw or "")
    return {
        "value": pv.value if pv.readable and not pv.is_missing else None,
        "unit": pv.base_unit or pv.unit or "",
        "approximate": bool(pv.approximate),
        "bound": pv.bound or "",
        "denominator": pv.denominator,
        "readable": bool(pv.readable),
        "parse_note": (pv.error or pv.missing_reason or "")[:300],
        "footnote_marks": list(pv.footnotes),
    }
