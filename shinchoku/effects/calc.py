"""Effect calculations (効果): hours saved × unit labour cost = yen, roll-ups, cost per unit.

Everything is :class:`~decimal.Decimal` (floats are refused) and every result carries a ``formula``
in Japanese that a person can recompute by hand, e.g.::

    413,763円 ÷ 20日 ÷ 7.75時間（7時間45分） = 2,669.4387…円/時間 → 2,669円/時間（円未満四捨五入）

Rounding is never implicit: each step that rounds says so with a :class:`RoundingRule`, and the
formula names the rule. This matters because published figures are computed with *different*
rules without saying so. The Koto external audit report (FY2025, seed 001) computes the hourly
labour cost once — 413,763円/月 ÷ 20日 ÷ 7時間45分 = 2,669円/時間 — and then

* RPA (15,085時間/年): prints ``2,669円/時間 × 15,085時間 = 40,268千円/年`` — but 2,669 × 15,085
  = 40,261,865円 = 40,262千円; 40,268千円 is reproduced only with the *unrounded* rate
  2,669.4387… (40,268,482.9円);
* AI search WAISE (30分 × 20日 × 140ユーザー = 1,400時間/月): ``2,669円/時間 × 1,400時間/月 ×
  12カ月 = 44,839千円/年`` — reproduced with the rate *rounded to the yen* (2,669 × 16,800 =
  44,839,200円); the unrounded rate gives 44,846,570円 = 44,847千円.

:func:`compare_rules` shows the figure under each rule and :func:`rules_reproducing` finds the rules
that reproduce a published figure.

Display convention in formulas: a value that terminates within 4 decimals is shown exactly
(``7.75``); a longer one is cut after 4 decimals and marked ``…`` (``2,669.4387…``), the full
value is what the next step uses unless a rounding rule is shown (``→ 2,669円/時間（円未満四捨五入）``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass, replace
from decimal import ROUND_DOWN, ROUND_FLOOR, ROUND_HALF_UP, Decimal, localcontext
from typing import Literal

from shinchoku.core.text import nfkc, remove_spaces

PRECISION = 28  # significant digits of every result (the decimal default, enforced even if a caller changed it)
THOUSAND = Decimal(1000)


class EffectError(ValueError):
    """Inputs that cannot give an effect (missing/negative/zero where it matters)."""


# --------------------------------------------------------------------------- numbers


def to_decimal(value: Decimal | int | str, what: str = "値") -> Decimal:
    """Decimal from Decimal, int or text (``'413,763'``, ``'４１３，７６３'``, ``'▲5'``); floats are refused."""
    if isinstance(value, bool):
        raise EffectError(f"{what}に真偽値は使えません")
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise EffectError(f"{what}が有限の数ではありません: {value}")
        return value
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        raise EffectError(f"{what}に浮動小数点数（{value!r}）は使えません。Decimal か文字列で指定してください")
    if isinstance(value, str):
        text = remove_spaces(nfkc(value)).replace(",", "").replace("▲", "-").replace("△", "-")
        try:
            d = Decimal(text)
        except Exception as exc:  # decimal.InvalidOperation
            raise EffectError(f"{what}を数値として読めません: 「{value}」") from exc
        if not d.is_finite():
            raise EffectError(f"{what}が有限の数ではありません: 「{value}」")
        return d
    raise EffectError(f"{what}の型が不正です: {type(value).__name__}")


_DURATION = re.compile(r"^(?:(\d+(?:\.\d+)?)時間)?(?:(\d+(?:\.\d+)?)分)?$")


def hours(h: Decimal | int | str, minutes: Decimal | int | str = 0) -> Decimal:
    """``hours(7, 45)`` → Decimal('7.75')."""
    return to_decimal(h, "時間") + to_decimal(minutes, "分") / Decimal(60)


def parse_duration(text: str) -> Decimal:
    """``'7時間45分'`` → 7.75, ``'30分'`` → 0.5, ``'1.5時間'`` → 1.5 (hours)."""
    compact = remove_spaces(nfkc(text))
    m = _DURATION.match(compact)
    if not compact or not m or not (m.group(1) or m.group(2)):
        raise EffectError(f"時間として読めません: 「{text}」（例: 7時間45分、30分）")
    return hours(m.group(1) or 0, m.group(2) or 0)


def _duration_label(h: Decimal) -> str:
    """7.75 → '7時間45分' (only when the minutes are whole)."""
    whole = int(h)
    minutes = (h - whole) * 60
    if minutes == minutes.to_integral_value() and minutes:
        return f"{whole}時間{int(minutes)}分"
    return ""


def fmt(value: Decimal) -> str:
    """Thousands separators; exact up to 4 decimals, else cut after 4 decimals with '…'."""
    if value == value.to_integral_value():
        return f"{value.quantize(Decimal(1)):,}"
    normal = value.normalize()
    if -normal.as_tuple().exponent <= 4:
        return f"{normal:,}"
    cut = value.quantize(Decimal("0.0001"), rounding=ROUND_DOWN)
    return f"{cut:,}…"


# --------------------------------------------------------------------------- rounding


RoundingMode = Literal["none", "half_up", "floor"]


@dataclass(frozen=True)
class RoundingRule:
    """How a figure is rounded: not at all, half up (四捨五入) or down (floor, 切り捨て).

    ``places`` is the number of decimals kept in the figure's own unit: 0 = whole yen (or whole
    千円 when applied to a 千円 figure), 2 = 0.01. ``floor`` rounds toward −∞ (for the positive
    amounts of effects the same as 切り捨て).
    """

    mode: RoundingMode = "none"
    places: int = 0

    def __post_init__(self) -> None:
        if self.mode not in ("none", "half_up", "floor"):
            raise EffectError(f"端数処理の方法が不正です: {self.mode!r}")

    @classmethod
    def none(cls) -> RoundingRule:
        return cls("none", 0)

    @classmethod
    def half_up(cls, places: int = 0) -> RoundingRule:
        return cls("half_up", places)

    @classmethod
    def floor(cls, places: int = 0) -> RoundingRule:
        return cls("floor", places)

    @classmethod
    def decimals(cls, places: int) -> RoundingRule:
        """Half up to ``places`` decimals (2 → 小数第3位を四捨五入)."""
        return cls("half_up", places)

    @property
    def is_none(self) -> bool:
        return self.mode == "none"

    def apply(self, value: Decimal) -> Decimal:
        if self.mode == "none":
            return value
        exp = Decimal(1).scaleb(-self.places)
        with localcontext() as ctx:
            ctx.prec = PRECISION
            return value.quantize(exp, rounding=ROUND_HALF_UP if self.mode == "half_up" else ROUND_FLOOR)

    def describe(self, unit: str = "円") -> str:
        """Japanese name of the rule: 円未満四捨五入, 千円未満切り捨て, 小数第3位を四捨五入, 端数処理なし."""
        if self.mode == "none":
            return "端数処理なし"
        verb = "四捨五入" if self.mode == "half_up" else "切り捨て"
        if self.places == 0:
            return f"{unit}未満{verb}"
        if self.places > 0:
            return f"小数第{self.places + 1}位を{verb}"
        return f"{10 ** (-self.places):,}{unit}未満{verb}"

    def __str__(self) -> str:
        return self.describe()


NO_ROUNDING = RoundingRule.none()
YEN = RoundingRule.half_up(0)


@dataclass(frozen=True)
class CalcResult:
    """One computed figure: ``value`` (after ``rounding``), ``exact`` (before), unit and formula."""

    value: Decimal
    unit: str
    formula: str
    exact: Decimal
    rounding: RoundingRule = NO_ROUNDING

    def __str__(self) -> str:
        return self.formula


def _result(expression: str, exact: Decimal, unit: str, rule: RoundingRule, rule_unit: str) -> CalcResult:
    value = rule.apply(exact)
    if rule.is_none or value == exact:
        tail = f" = {fmt(exact)}{unit}"
        if not rule.is_none:
            tail += f"（{rule.describe(rule_unit)}）"
    else:
        tail = f" = {fmt(exact)}{unit} → {fmt(value)}{unit}（{rule.describe(rule_unit)}）"
    return CalcResult(value=value, unit=unit, formula=f"{expression}{tail}", exact=exact, rounding=rule)


# --------------------------------------------------------------------------- labour cost


@dataclass(frozen=True)
class LabourCost:
    """Unit labour cost: 月額人件費 ÷ 月あたり稼働日 ÷ 日あたり所定労働時間 = 円/時間.

    ``hours_per_day`` accepts Decimal/int/str (``'7.75'``) or a duration (``'7時間45分'``).
    ``rounding`` says how the hourly rate is rounded before it is used (none by default).
    """

    monthly_salary: Decimal
    days_per_month: Decimal
    hours_per_day: Decimal
    rounding: RoundingRule = NO_ROUNDING
    label: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "monthly_salary", to_decimal(self.monthly_salary, "月額人件費"))
        object.__setattr__(self, "days_per_month", to_decimal(self.days_per_month, "月あたり稼働日数"))
        hpd = self.hours_per_day
        if isinstance(hpd, str) and ("時間" in hpd or "分" in hpd):
            hpd = parse_duration(hpd)
        object.__setattr__(self, "hours_per_day", to_decimal(hpd, "1日あたり所定労働時間"))
        if self.monthly_salary < 0:
            raise EffectError("月額人件費が負です")
        if self.days_per_month <= 0:
            raise EffectError("月あたり稼働日数は0より大きくしてください")
        if self.hours_per_day <= 0:
            raise EffectError("1日あたり所定労働時間は0より大きくしてください")

    def with_rounding(self, rule: RoundingRule) -> LabourCost:
        return replace(self, rounding=rule)

    def hourly_rate(self, rounding: RoundingRule | None = None) -> CalcResult:
        rule = self.rounding if rounding is None else rounding
        with localcontext() as ctx:
            ctx.prec = PRECISION
            exact = self.monthly_salary / self.days_per_month / self.hours_per_day
        dur = _duration_label(self.hours_per_day)
        expr = (
            f"{fmt(self.monthly_salary)}円 ÷ {fmt(self.days_per_month)}日 ÷ "
            f"{fmt(self.hours_per_day)}時間{f'（{dur}）' if dur else ''}"
        )
        return _result(expr, exact, "円/時間", rule, "円")


# --------------------------------------------------------------------------- effects


@dataclass(frozen=True)
class Factor:
    """A multiplier of the hours saved: 20日 (days per month), 140ユーザー, 1,200件 …"""

    value: Decimal
    unit: str
    label: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "value", to_decimal(self.value, self.label or self.unit or "係数"))
        if self.value < 0:
            raise EffectError(f"係数{self.label or self.unit}が負です")


@dataclass(frozen=True)
class HoursPart:
    """One line of a breakdown of hours saved (きっずクラブ利用状況集計 10,080時間)."""

    label: str
    hours: Decimal

    def __post_init__(self) -> None:
        object.__setattr__(self, "hours", to_decimal(self.hours, f"{self.label}の時間"))


Period = Literal["month", "year"]
_PERIOD_LABEL = {"month": "月", "year": "年"}
_DEFAULT_PERIODS = {"month": Decimal(12), "year": Decimal(1)}


@dataclass(frozen=True)
class Effect:
    """Hours saved by a measure and their value in yen.

    Give exactly one of ``hours`` (hours per unit), ``minutes`` (minutes per unit) or ``parts``
    (a breakdown whose sum is the hours per period). ``factors`` multiply the per-unit time
    (days, users, cases). The product is hours per ``period`` (month or year); ``periods_per_year``
    (12 for month, 1 for year by default) turns it into hours per year.

    ``rate`` is a :class:`LabourCost` or an hourly rate in yen; ``rate_rounding`` (when given)
    overrides the LabourCost's own rounding of the hourly rate. Yen per year = rate × hours per
    year, rounded by ``yen_rounding`` (none by default); 千円 = that yen ÷ 1,000 rounded by
    ``thousand_rounding`` (千円未満四捨五入 by default).

    ``plan``, ``measure``, ``department``, ``year`` are keys for :func:`roll_up`.
    """

    name: str
    rate: LabourCost | Decimal
    hours: Decimal | None = None
    minutes: Decimal | None = None
    parts: tuple[HoursPart, ...] = ()
    factors: tuple[Factor, ...] = ()
    period: Period = "year"
    periods_per_year: Decimal | None = None
    rate_rounding: RoundingRule | None = None
    yen_rounding: RoundingRule = NO_ROUNDING
    thousand_rounding: RoundingRule = YEN
    plan: str | None = None
    measure: str | None = None
    department: str | None = None
    year: int | None = None

    def __post_init__(self) -> None:
        given = [x for x in (self.hours is not None, self.minutes is not None, bool(self.parts)) if x]
        if len(given) != 1:
            raise EffectError(f"{self.name}: 削減時間は hours・minutes・parts のいずれか1つで指定してください")
        if self.hours is not None:
            object.__setattr__(self, "hours", to_decimal(self.hours, "削減時間"))
            if self.hours < 0:
                raise EffectError(f"{self.name}: 削減時間が負です")
        if self.minutes is not None:
            object.__setattr__(self, "minutes", to_decimal(self.minutes, "削減時間（分）"))
            if self.minutes < 0:
                raise EffectError(f"{self.name}: 削減時間が負です")
        object.__setattr__(self, "parts", tuple(self.parts))
        object.__setattr__(self, "factors", tuple(self.factors))
        if self.period not in _PERIOD_LABEL:
            raise EffectError(f"{self.name}: 期間の単位は month か year です: {self.period!r}")
        if self.periods_per_year is not None:
            ppy = to_decimal(self.periods_per_year, "年あたり期間数")
            if ppy <= 0:
                raise EffectError(f"{self.name}: 年あたり期間数は0より大きくしてください")
            object.__setattr__(self, "periods_per_year", ppy)
        if not isinstance(self.rate, LabourCost):
            rate = to_decimal(self.rate, "時間単価")
            if rate < 0:
                raise EffectError(f"{self.name}: 時間単価が負です")
            object.__setattr__(self, "rate", rate)

    def compute(self) -> EffectResult:
        return compute(self)


@dataclass(frozen=True)
class EffectResult:
    effect: Effect
    hours_per_period: CalcResult
    yearly_hours: CalcResult
    hourly_rate: CalcResult
    yearly_yen: CalcResult
    yearly_thousand_yen: CalcResult

    @property
    def formula(self) -> str:
        steps = [self.hours_per_period.formula]
        if self.yearly_hours.formula != self.hours_per_period.formula:
            steps.append(self.yearly_hours.formula)
        steps += [self.hourly_rate.formula, self.yearly_yen.formula, self.yearly_thousand_yen.formula]
        return "\n".join(f"・{s}" for s in steps)


def _hourly(effect: Effect) -> CalcResult:
    rate = effect.rate
    if isinstance(rate, LabourCost):
        return rate.hourly_rate(effect.rate_rounding)
    rule = effect.rate_rounding or NO_ROUNDING
    return _result("時間単価", rate, "円/時間", rule, "円")


def compute(effect: Effect) -> EffectResult:
    """Hours per period → hours per year → yen per year → 千円 per year, each with its formula."""
    per = _PERIOD_LABEL[effect.period]
    with localcontext() as ctx:
        ctx.prec = PRECISION
        # hours per period
        factor_text = "".join(f" × {fmt(f.value)}{f.unit}" for f in effect.factors)
        product = Decimal(1)
        for f in effect.factors:
            product *= f.value
        if effect.parts:
            exact = sum((p.hours for p in effect.parts), Decimal(0)) * product
            expr = " + ".join(f"{fmt(p.hours)}時間（{p.label}）" for p in effect.parts)
            if effect.factors:
                expr = f"({expr}){factor_text}"
        elif effect.minutes is not None:
            total_minutes = effect.minutes * product
            exact = total_minutes / Decimal(60)
            expr = f"{fmt(effect.minutes)}分{factor_text}"
            if effect.factors:
                expr += f" = {fmt(total_minutes)}分"
            expr += " ÷ 60"
        else:
            assert effect.hours is not None
            exact = effect.hours * product
            expr = f"{fmt(effect.hours)}時間{factor_text}"
        if not effect.factors and not effect.parts and effect.minutes is None:
            hpp = CalcResult(exact, f"時間/{per}", f"{fmt(exact)}時間/{per}", exact)
        else:
            hpp = _result(expr, exact, f"時間/{per}", NO_ROUNDING, "時間")
        # hours per year
        ppy = effect.periods_per_year or _DEFAULT_PERIODS[effect.period]
        if effect.period == "year" and ppy == 1:
            yearly = CalcResult(hpp.value, "時間/年", hpp.formula.replace(f"/{per}", "/年"), hpp.value)
        else:
            unit = "か月" if effect.period == "month" else "回"
            yearly = _result(f"{fmt(hpp.value)}時間/{per} × {fmt(ppy)}{unit}", hpp.value * ppy, "時間/年",
                             NO_ROUNDING, "時間")
        # yen
        rate = _hourly(effect)
        yen_exact = rate.value * yearly.value
        yen = _result(f"{fmt(rate.value)}円/時間 × {fmt(yearly.value)}時間/年", yen_exact, "円/年",
                      effect.yen_rounding, "円")
        thousand = _result(f"{fmt(yen.value)}円/年 ÷ 1,000", yen.value / THOUSAND, "千円/年",
                           effect.thousand_rounding, "千円")
    return EffectResult(effect, hpp, yearly, rate, yen, thousand)


# --------------------------------------------------------------------------- comparing rules

DEFAULT_RATE_RULES: tuple[RoundingRule, ...] = (
    RoundingRule.none(),
    RoundingRule.half_up(0),
    RoundingRule.floor(0),
    RoundingRule.decimals(2),
)
DEFAULT_THOUSAND_RULES: tuple[RoundingRule, ...] = (RoundingRule.half_up(0), RoundingRule.floor(0))


@dataclass(frozen=True)
class RuleOutcome:
    rate_rule: RoundingRule
    thousand_rule: RoundingRule
    result: EffectResult

    @property
    def hourly_rate(self) -> Decimal:
        return self.result.hourly_rate.value

    @property
    def yearly_yen(self) -> Decimal:
        return self.result.yearly_yen.value

    @property
    def yearly_thousand_yen(self) -> Decimal:
        return self.result.yearly_thousand_yen.value

    @property
    def label(self) -> str:
        return f"時間単価: {self.rate_rule.describe('円')}／千円換算: {self.thousand_rule.describe('千円')}"

    @property
    def formula(self) -> str:
        return self.result.formula


def compare_rules(
    effect: Effect,
    rate_rules: Sequence[RoundingRule] = DEFAULT_RATE_RULES,
    thousand_rules: Sequence[RoundingRule] | None = None,
) -> list[RuleOutcome]:
    """The effect's figures under each combination of hourly-rate rule and 千円 rule.

    ``thousand_rules`` defaults to the effect's own ``thousand_rounding`` only.
    """
    t_rules = tuple(thousand_rules) if thousand_rules is not None else (effect.thousand_rounding,)
    out: list[RuleOutcome] = []
    for r in rate_rules:
        for t in t_rules:
            res = compute(replace(effect, rate_rounding=r, thousand_rounding=t))
            out.append(RuleOutcome(r, t, res))
    return out


def rules_reproducing(
    effect: Effect,
    published_thousand_yen: Decimal | int | str,
    rate_rules: Sequence[RoundingRule] = DEFAULT_RATE_RULES,
    thousand_rules: Sequence[RoundingRule] = DEFAULT_THOUSAND_RULES,
) -> list[RuleOutcome]:
    """The rule combinations under which the effect gives the published 千円 figure."""
    target = to_decimal(published_thousand_yen, "公表値")
    return [o for o in compare_rules(effect, rate_rules, thousand_rules) if o.yearly_thousand_yen == target]


# --------------------------------------------------------------------------- roll-up

ROLL_UP_KEYS = ("plan", "measure", "department", "year")


@dataclass(frozen=True)
class RollUp:
    """Totals of a group of effects.

    ``yearly_yen`` adds each effect's yen (after its own yen rounding); ``yearly_thousand_yen``
    rounds that total once. ``sum_of_thousand_yen`` adds the effects' already rounded 千円 figures,
    as a published table does — the two can differ by the rounding (the Koto report warns
    「表中の合計額と内訳の合計が一致しない場合がある」), so both are kept.
    """

    key: Hashable
    count: int
    yearly_hours: CalcResult
    yearly_yen: CalcResult
    yearly_thousand_yen: CalcResult
    sum_of_thousand_yen: Decimal
    results: tuple[EffectResult, ...]

    @property
    def formula(self) -> str:
        return "\n".join(f"・{r.formula}" for r in (self.yearly_hours, self.yearly_yen, self.yearly_thousand_yen))


def roll_up(
    effects: Iterable[Effect | EffectResult],
    key: str | Callable[[Effect], Hashable] = "plan",
    *,
    thousand_rounding: RoundingRule = YEN,
) -> dict[Hashable, RollUp]:
    """Group effects by ``key`` (plan / measure / department / year, or a function) and total them.

    Groups appear in first-seen order; an effect without the key is grouped under ``None``.
    """
    if isinstance(key, str):
        if key not in ROLL_UP_KEYS:
            raise EffectError(f"集計キーは {', '.join(ROLL_UP_KEYS)} のいずれかです: {key!r}")
        attr = key
        getter: Callable[[Effect], Hashable] = lambda e: getattr(e, attr)  # noqa: E731
    else:
        getter = key
    groups: dict[Hashable, list[EffectResult]] = {}
    for item in effects:
        res = item if isinstance(item, EffectResult) else compute(item)
        groups.setdefault(getter(res.effect), []).append(res)
    out: dict[Hashable, RollUp] = {}
    with localcontext() as ctx:
        ctx.prec = PRECISION
        for k, results in groups.items():
            h = sum((r.yearly_hours.value for r in results), Decimal(0))
            y = sum((r.yearly_yen.value for r in results), Decimal(0))
            h_res = _result(" + ".join(f"{fmt(r.yearly_hours.value)}時間" for r in results), h, "時間/年",
                            NO_ROUNDING, "時間")
            y_res = _result(" + ".join(f"{fmt(r.yearly_yen.value)}円" for r in results), y, "円/年",
                            NO_ROUNDING, "円")
            t_res = _result(f"{fmt(y)}円/年 ÷ 1,000", y / THOUSAND, "千円/年", thousand_rounding, "千円")
            out[k] = RollUp(
                key=k,
                count=len(results),
                yearly_hours=h_res,
                yearly_yen=y_res,
                yearly_thousand_yen=t_res,
                sum_of_thousand_yen=sum((r.yearly_thousand_yen.value for r in results), Decimal(0)),
                results=tuple(results),
            )
    return out


# --------------------------------------------------------------------------- cost per unit


def cost_per_unit(
    cost: Decimal | int | str,
    units: Decimal | int | str,
    *,
    unit: str = "件",
    cost_label: str = "",
    units_label: str = "",
    rounding: RoundingRule = YEN,
) -> CalcResult:
    """Cost per unit of outcome: 費用 ÷ 件数 = 円/件 (e.g. Wi-Fi initial cost per connection).

    >>> cost_per_unit(2640000, 6270, unit="接続").formula
    '2,640,000円 ÷ 6,270接続 = 421.0526…円/接続 → 421円/接続（円未満四捨五入）'
    """
    c = to_decimal(cost, cost_label or "費用")
    n = to_decimal(units, units_label or "件数")
    if n <= 0:
        raise EffectError(f"{units_label or '件数'}が0以下のため単価を計算できません")
    with localcontext() as ctx:
        ctx.prec = PRECISION
        exact = c / n
    left = f"{cost_label}{fmt(c)}円"
    right = f"{units_label}{fmt(n)}{unit}"
    return _result(f"{left} ÷ {right}", exact, f"円/{unit}", rounding, "円")


def average_per_period(
    total: Decimal | int | str,
    periods: Decimal | int | str,
    *,
    unit: str = "件",
    period: str = "月",
    rounding: RoundingRule = YEN,
) -> CalcResult:
    """Average per period: 6,270件 ÷ 18か月 = 348.33…件/月 → 348件/月."""
    t = to_decimal(total, "合計")
    p = to_decimal(periods, "期間数")
    if p <= 0:
        raise EffectError("期間数が0以下のため平均を計算できません")
    with localcontext() as ctx:
        ctx.prec = PRECISION
        exact = t / p
    period_unit = "か月" if period == "月" else period
    return _result(f"{fmt(t)}{unit} ÷ {fmt(p)}{period_unit}", exact, f"{unit}/{period}", rounding, unit)


def total(values: Iterable[Decimal | int | str], *, unit: str = "件") -> CalcResult:
    """Sum with its formula (e.g. the monthly connection counts that make a published total)."""
    vals = [to_decimal(v) for v in values]
    s = sum(vals, Decimal(0))
    return _result(" + ".join(fmt(v) for v in vals) or "0", s, unit, NO_ROUNDING, unit)


__all__ = [
    "CalcResult",
    "DEFAULT_RATE_RULES",
    "DEFAULT_THOUSAND_RULES",
    "Effect",
    "EffectError",
    "EffectResult",
    "Factor",
    "HoursPart",
    "LabourCost",
    "RollUp",
    "RoundingRule",
    "RuleOutcome",
    "average_per_period",
    "compare_rules",
    "compute",
    "cost_per_unit",
    "fmt",
    "hours",
    "parse_duration",
    "roll_up",
    "rules_reproducing",
    "to_decimal",
    "total",
]
