"""Indicator judgement (指標の達成状況の判定): achievement rate, trajectory, trend and grade.

Pure Python; works on :class:`~shinchoku.indicators.values.ParsedValue` series. Every rule below is
what :func:`judge` does, and every judgement carries a Japanese ``reason`` a person can check
against the published table (values are shown as published: 約200万件, 0/15, 68.3%).

Numbers compared
    :func:`~shinchoku.indicators.values.comparable_number`: base units (約179万件 → 1,790,000);
    fractions as the ratio numerator ÷ denominator (0/15 → 0, 1/15 → 0.0667); a bare number takes
    the indicator's unit (``IndicatorSpec.unit``, e.g. 千円 from the column header). Approximate
    values (約) are compared at face value (約3,900fm is 3,900); the reason keeps the 約. Values in
    different base units (件 vs %) or a fraction against a plain number are not compared
    (判定不可).

Direction (方向)
    ``IndicatorSpec.direction``; when unset, :func:`infer_direction` reads the target's bound:
    以上 / 超 / ``>`` → higher is better, 以下 / 以内 / 未満 / ``<`` → lower is better,
    程度 / 前後 / ``=`` → keep within the bound. No direction → 判定不可 (never assumed).
    A target bound that contradicts the direction (高いほど良い with 85%以下) → 判定不可.

Target met (目標達成)
    The year's target (``targets[year]``), or for a year after the final target year the final
    target (it stays in force). With a bound the bound decides (以上: a ≥ t, 超: a > t, 以下/以内:
    a ≤ t, 未満: a < t, =: a = t); otherwise higher is better: a ≥ t, lower is better: a ≤ t.
    Keep-within with 程度/前後: |a − t| ≤ 10 % of t (:data:`ABOUT_TOLERANCE`); keep-within with no
    bound: a = t. A share of a reference quantity (予算額の1割程度) becomes an amount with
    ``reference_amounts[year]`` (予算額 × 10 %); without it → 判定不可, the reason says which
    amount is missing.

Achievement rate (達成率, percent, one decimal)
    higher is better: actual ÷ target × 100; lower is better: target ÷ actual × 100 (so 3,600 vs
    3,900 → 92.3 %). Not computed (None, the reason says why) when the target is 0, when a value
    is negative (e.g. 増加率 −5.0 %: a ratio of negatives means nothing), when actual is 0 under
    lower is better (target beaten, ratio infinite; except 0 vs 0 = 100 %), or for keep-within.

Trajectory (直線)
    The straight line from the baseline (``baseline`` at ``baseline_year``; if ``baseline`` is not
    given, the actual of ``baseline_year``) to the final target at ``final_target_year`` (default:
    the latest target year). The final target year is the year the final target is stated for,
    not the plan's end year (荒川区 states 8年度 targets on 5年度 sheets). ``expected_value`` is the
    line's value for the year (base units, fractions as ratios); after the final target year it is
    the final target. ``on_track`` = the actual is at least as good as that value.

Trend (前年度比)
    The year against the previous fiscal year only (year − 1): 'improved' / 'worsened' /
    'unchanged' in the indicator's direction (keep-within: distance to satisfying the bound). A gap
    (previous year missing or unreadable) gives None.

Definition changes (定義変更)
    A change effective in a year ``e`` breaks comparisons that span it: previous year < e ≤ year
    (trend) or baseline year < e ≤ year (trajectory). ``definition_break`` is then True, the
    reason says so (「※…指標の定義が変更（交付率→保有率）されたため前年度との比較は参考」), and the
    broken comparison is shown but not used for the grade.

Grade (判定) — 達成 > 順調 > 遅れ > 未達; 判定不可 stands apart
    1. The year has a target (its own, or the final target once its year has come):
       * met → 達成;
       * a target of 0 (zero incidents, a positive balance) is a yes/no condition → 未達;
       * the final target year has come (year ≥ final target year) → 未達;
       * the trend against a comparable previous year is improved or unchanged → 遅れ
         (late but not moving away: 0/15 → 0/15 against 1/15, 3団体 → 3団体 against 4団体);
       * worsened, or no comparable previous year (gap, definition change) → 未達 (a claim of
         "late but progressing" needs evidence).
       The year's own target is the yardstick: being ahead of the straight line does not make a
       missed yearly target 順調 (a planner calls 約3,900fm against 約3,600fm 遅れ even though the
       line from 約5,900fm to 約3,000fm is at 4,933fm); ``on_track`` is still reported.
    2. A year before the final target year without its own target:
       * the final target already met → 達成; on or ahead of the line → 順調; behind → 遅れ;
       * no line (no baseline, baseline across a definition change, keep-within) → 判定不可.
    3. 判定不可 (with the reason): the value is missing (—, 集計中 …) or unreadable, no
       direction, incomparable units, a qualitative indicator whose texts differ, a target that
       needs a reference amount that is not given.
    Monotone: for a fixed indicator and history, a better actual never gets a worse grade
    (判定不可 aside) — every test above is monotone in the actual.

Qualitative (定性的)
    ``Direction.QUALITATIVE``: 達成 only when the actual text equals the target text (after
    normalisation, e.g. 運用開始 / 運用開始); otherwise 判定不可 — a person judges.

Estimates (見込み)
    ``kind='estimate'`` judges ``estimates[year]`` by the same rules against the previous year's
    actual; the reason says 見込み. An actual judgement never falls back to the estimate: with no
    actual it is 判定不可 and the reason mentions the estimate.

Cumulative (累計)
    ``cumulative_since``: values count from that year (※令和3年度以降の累計); the reason says so.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal, NamedTuple

from shinchoku.core.fiscal import to_wareki
from shinchoku.core.text import nfkc, remove_spaces
from shinchoku.indicators.values import (
    ParsedValue,
    comparable_number,
    comparable_unit,
    display_value,
    parse_value,
    split_unit,
)

# Half-width tolerance of a keep-within target stated with 程度 / 前後 (10 % of the target).
ABOUT_TOLERANCE = Decimal("0.1")

Kind = Literal["actual", "estimate"]
Trend = Literal["improved", "worsened", "unchanged"]
TREND_LABELS = {"improved": "改善", "worsened": "悪化", "unchanged": "横ばい"}


class Direction(enum.Enum):
    """方向: which way the indicator should move."""

    HIGHER_IS_BETTER = "higher"  # 高いほど良い
    LOWER_IS_BETTER = "lower"  # 低いほど良い
    WITHIN_BOUND = "within"  # 範囲内に保つ (keep at / within a bound)
    QUALITATIVE = "qualitative"  # 定性的


DIRECTION_LABELS = {
    Direction.HIGHER_IS_BETTER: "高いほど良い",
    Direction.LOWER_IS_BETTER: "低いほど良い",
    Direction.WITHIN_BOUND: "範囲内に保つ",
    Direction.QUALITATIVE: "定性的",
}


class Grade(enum.Enum):
    """判定. Order: 達成 > 順調 > 遅れ > 未達; 判定不可 is outside the order."""

    ACHIEVED = "達成"
    ON_TRACK = "順調"
    DELAYED = "遅れ"
    NOT_ACHIEVED = "未達"
    UNDECIDABLE = "判定不可"

    @property
    def rank(self) -> int | None:
        """Higher is better; None for 判定不可."""
        return _GRADE_RANK.get(self)


_GRADE_RANK = {Grade.NOT_ACHIEVED: 0, Grade.DELAYED: 1, Grade.ON_TRACK: 2, Grade.ACHIEVED: 3}


class DefinitionChange(NamedTuple):
    """定義変更: from ``effective_fiscal_year`` on, the indicator is measured differently."""

    effective_fiscal_year: int
    description: str  # what changed, e.g. '交付率→保有率'
    when: str = ""  # as published, e.g. '令和5年5月'; defaults to the fiscal year


def infer_direction(target: ParsedValue | None) -> Direction | None:
    """Direction implied by a target's bound: 以上→higher, 以下/以内/未満→lower, 程度/=→within."""
    if target is None or target.bound is None:
        return None
    if target.bound in ("ge", "gt"):
        return Direction.HIGHER_IS_BETTER
    if target.bound in ("le", "lt"):
        return Direction.LOWER_IS_BETTER
    return Direction.WITHIN_BOUND


def _as_value(value: ParsedValue | str) -> ParsedValue:
    return value if isinstance(value, ParsedValue) else parse_value(value)


@dataclass(frozen=True)
class IndicatorSpec:
    """指標の定義: what :func:`judge` needs to know about an indicator.

    ``targets`` and ``baseline`` accept published text ('170万件') or ParsedValue.
    """

    name: str  # 指標名
    unit: str = ""  # 単位 of bare numbers (column header), e.g. '件', '千円', '%'
    direction: Direction | None = None  # 方向; None → inferred from the target's bound
    baseline_year: int | None = None  # 基準年度
    baseline: ParsedValue | None = None  # 基準値; None → actuals[baseline_year]
    targets: Mapping[int, ParsedValue] = field(default_factory=dict)  # 目標値 by fiscal year
    final_target_year: int | None = None  # 最終目標年度; None → latest year in targets
    definition_changes: Sequence[DefinitionChange] = ()  # 定義変更
    cumulative_since: int | None = None  # 累計の起点年度
    reference_amounts: Mapping[int, Decimal] = field(default_factory=dict)  # 基準量 (予算額 …)

    def __post_init__(self) -> None:
        # Accept published text and plain tuples so that specs read like the source table.
        object.__setattr__(self, "targets", {int(y): _as_value(v) for y, v in self.targets.items()})
        if self.baseline is not None:
            object.__setattr__(self, "baseline", _as_value(self.baseline))
        object.__setattr__(
            self, "definition_changes", tuple(DefinitionChange(*c) for c in self.definition_changes)
        )
        object.__setattr__(
            self,
            "reference_amounts",
            {int(y): Decimal(str(v)) for y, v in self.reference_amounts.items()},
        )

    @property
    def final_year(self) -> int | None:
        if self.final_target_year is not None:
            return self.final_target_year
        return max(self.targets) if self.targets else None


@dataclass(frozen=True)
class Judgement:
    """判定結果 for one indicator, fiscal year and kind (実績 / 見込み)."""

    indicator: str
    fiscal_year: int
    kind: Kind
    grade: Grade
    reason: str  # 判定理由, Japanese, with values as published
    achievement_rate: Decimal | None = None  # 達成率 (%), one decimal
    on_track: bool | None = None  # 直線以上の進捗か
    expected_value: Decimal | None = None  # 直線上の値 (base units; fractions as ratios)
    trend: Trend | None = None  # 前年度比
    definition_break: bool = False  # 定義変更をまたぐ比較を含む
    value: ParsedValue | None = None  # the actual / estimate judged
    target: ParsedValue | None = None  # the target judged against (None: trajectory only)
    target_amount: Decimal | None = None  # target as a comparable number (reference resolved)


_Goal = tuple[Decimal, ParsedValue]  # a target as (comparable number, published value)


class _Undecidable(Exception):
    """判定不可 with a reason; raised inside judge() to short-circuit."""


def judge(
    spec: IndicatorSpec,
    actuals: Mapping[int, ParsedValue | str],
    fiscal_year: int,
    *,
    estimates: Mapping[int, ParsedValue | str] | None = None,
    kind: Kind = "actual",
) -> Judgement:
    """Judge ``fiscal_year``'s actual (or, with ``kind='estimate'``, its estimate 見込み)."""
    if kind not in ("actual", "estimate"):
        raise ValueError(f"kind must be 'actual' or 'estimate', not {kind!r}")
    return _Judge(spec, actuals, fiscal_year, estimates or {}, kind).run()


class _Judge:
    """One judgement, built step by step; collects the reason's sentences as it goes."""

    def __init__(
        self,
        spec: IndicatorSpec,
        actuals: Mapping[int, ParsedValue | str],
        year: int,
        estimates: Mapping[int, ParsedValue | str],
        kind: Kind,
    ) -> None:
        self.spec = spec
        self.year = year
        self.kind: Kind = kind
        self.actuals = {int(y): _as_value(v) for y, v in actuals.items()}
        self.estimates = {int(y): _as_value(v) for y, v in estimates.items()}
        self.label = "実績" if kind == "actual" else "見込み"
        self.head = f"{to_wareki(year)}{'（見込み）' if kind == 'estimate' else ''}："
        self.sentences: list[str] = []
        self.notes: list[str] = []
        self.result: dict[str, object] = {}

        self.value = (self.actuals if kind == "actual" else self.estimates).get(year)
        self.final_year = spec.final_year
        self.baseline_year = spec.baseline_year
        self.baseline = spec.baseline
        if self.baseline is None and self.baseline_year is not None:
            self.baseline = self.actuals.get(self.baseline_year)
        self.break_prev = self._changes(year - 1)
        self.break_base = (
            self._changes(self.baseline_year)
            if self.baseline_year is not None and self.baseline_year < year
            else []
        )

    # -- helpers ---------------------------------------------------------------------------

    def _changes(self, since: int) -> list[DefinitionChange]:
        return [c for c in self.spec.definition_changes if since < c.effective_fiscal_year <= self.year]

    def show(self, pv: ParsedValue) -> str:
        return display_value(pv, default_unit=self.spec.unit)

    def number(self, pv: ParsedValue, year: int | None) -> Decimal | None:
        """Comparable number of a value; a share of a reference resolves with that year's amount."""
        if pv.reference is not None and pv.has_number and pv.value is not None:
            amount = self.spec.reference_amounts.get(year) if year is not None else None
            if amount is None:
                return None
            return amount * pv.value / Decimal(100)
        return comparable_number(pv, default_unit=self.spec.unit)

    def unit_key(self, pv: ParsedValue) -> str:
        if pv.reference is not None:
            return _reference_unit(self.spec.unit)
        return comparable_unit(pv, default_unit=self.spec.unit)

    def good(self, x: Decimal, direction: Direction, goal: _Goal | None) -> Decimal | None:
        """How good ``x`` is, larger = better; keep-within needs the goal to measure distance."""
        if direction is Direction.HIGHER_IS_BETTER:
            return x
        if direction is Direction.LOWER_IS_BETTER:
            return -x
        if goal is None:
            return None
        t, target = goal
        return Decimal(0) if _meets(x, t, target, direction) else -abs(x - t)

    def undecidable(self, why: str) -> Judgement:
        sentences = [*self.sentences, why, *self.notes]
        return self.finish(Grade.UNDECIDABLE, sentences)

    def finish(self, grade: Grade, sentences: list[str]) -> Judgement:
        text = self.head + "。".join(s.rstrip("。") for s in sentences if s) + "。"
        return Judgement(
            indicator=self.spec.name,
            fiscal_year=self.year,
            kind=self.kind,
            grade=grade,
            reason=text,
            definition_break=bool(self.break_prev or self.break_base),
            value=self.value,
            **self.result,  # type: ignore[arg-type]
        )

    # -- the judgement ---------------------------------------------------------------------

    def run(self) -> Judgement:
        self._collect_notes()
        value = self.value
        if value is None or value.is_missing:
            return self.undecidable(self._missing_sentence(value))
        goal_year, target = self._goal()
        direction = self.spec.direction or infer_direction(target) or infer_direction(
            self.spec.targets.get(self.final_year) if self.final_year is not None else None
        )
        if direction is Direction.QUALITATIVE:
            return self._qualitative(target)
        if not value.readable:
            return self.undecidable(_unreadable_sentence(self.label, value))
        if direction is None:
            return self.undecidable(
                "指標の方向（高いほど良い／低いほど良い）が設定されておらず、"
                "目標にも以上・以下などの条件がないため判定できません"
            )
        if target is not None:
            return self._against_target(direction, goal_year, target)
        return self._against_line(direction)

    def _collect_notes(self) -> None:
        if self.spec.cumulative_since is not None:
            self.notes.append(f"※{to_wareki(self.spec.cumulative_since)}以降の累計")
        seen: set[DefinitionChange] = set()
        for change in [*self.break_prev, *self.break_base]:
            if change in seen:
                continue
            seen.add(change)
            compared = "・".join(
                name
                for name, broken in (
                    ("前年度", change in self.break_prev),
                    ("基準値", change in self.break_base),
                )
                if broken
            )
            when = f"{change.when}に" if change.when else f"{to_wareki(change.effective_fiscal_year)}から"
            self.notes.append(
                f"※{when}指標の定義が変更（{change.description}）されたため{compared}との比較は参考"
            )

    def _missing_sentence(self, value: ParsedValue | None) -> str:
        shown = "がない" if value is None else f"が{value.missing_label}の"
        sentence = f"{self.label}{shown}ため判定できません"
        estimate = self.estimates.get(self.year)
        if self.kind == "actual" and estimate is not None and estimate.has_number:
            sentence += f"（見込み {self.show(estimate)} は見込みとして別に判定します）"
        return sentence

    def _goal(self) -> tuple[int | None, ParsedValue | None]:
        """The target this year is held to: its own, or the final one once its year has come."""
        own = self.spec.targets.get(self.year)
        if own is not None and not own.is_missing:
            return self.year, own
        if self.final_year is not None and self.year >= self.final_year:
            final = self.spec.targets.get(self.final_year)
            if final is not None and not final.is_missing:
                return self.final_year, final
        return None, None

    def _qualitative(self, target: ParsedValue | None) -> Judgement:
        assert self.value is not None
        if target is None:
            return self.undecidable("定性的な指標で、当該年度の目標がないため判定できません")
        actual_text, target_text = _plain_text(self.value), _plain_text(target)
        self.sentences.append(f"目標「{target_text}」に対し{self.label}「{actual_text}」")
        if remove_spaces(nfkc(actual_text)) == remove_spaces(nfkc(target_text)):
            self.sentences.append("目標の記述どおりのため達成")
            return self.finish(Grade.ACHIEVED, [*self.sentences, *self.notes])
        return self.undecidable("定性的な指標のため、記述が目標と一致しない場合は担当者が判定します")

    def _compare_units(self, a: ParsedValue, b: ParsedValue, what: str) -> None:
        ua, ub = self.unit_key(a), self.unit_key(b)
        if ua != ub:
            raise _Undecidable(
                f"{self.label}（{self.show(a)}）と{what}（{self.show(b)}）の単位が異なる"
                f"（{ua or '単位なし'}／{ub or '単位なし'}）ため比較できません"
            )

    def _target_number(self, target: ParsedValue, year: int | None, what: str) -> Decimal:
        if not target.readable:
            raise _Undecidable(_unreadable_sentence(what, target))
        t = self.number(target, year)
        if t is None:
            if target.reference is not None:
                raise _Undecidable(
                    f"{what}が「{self.show(target)}」で、{to_wareki(year) if year else ''}の"
                    f"{target.reference}が与えられていないため判定できません"
                )
            raise _Undecidable(f"{what}「{self.show(target)}」を比較できる数値にできないため判定できません")
        return t

    def _against_target(self, direction: Direction, goal_year: int | None, target: ParsedValue) -> Judgement:
        value = self.value
        assert value is not None
        try:
            t = self._target_number(target, goal_year, "目標")
            self._compare_units(value, target, "目標")
            _check_bound(direction, target)
        except _Undecidable as exc:
            return self.undecidable(str(exc))
        a = comparable_number(value, default_unit=self.spec.unit)
        assert a is not None
        self.result.update(target=target, target_amount=t)

        met = _meets(a, t, target, direction)
        rate, rate_note = _rate(a, t, direction)
        self.result["achievement_rate"] = rate
        target_text = self.show(target)
        if target.reference is not None and goal_year is not None:
            amount = _plain_number(self.spec.reference_amounts[goal_year])
            target_text += f"（{target.reference} {amount} × {_plain_number(target.value)}% = {_plain_number(t)}）"
        if goal_year is not None and goal_year != self.year:
            target_text = f"{to_wareki(goal_year)}の最終目標 {target_text}"
        else:
            target_text = f"目標 {target_text}"
        rate_text = f"達成率 {_percent(rate)}" if rate is not None else rate_note
        self.sentences.append(f"{target_text}に対し{self.label} {self.show(value)}（{rate_text}）")

        trend, comparable = self._trend(direction, a, (t, target))
        self._trajectory(direction, a, value)

        zero_target = t == 0 and direction in (Direction.HIGHER_IS_BETTER, Direction.LOWER_IS_BETTER)
        final_year_reached = self.final_year is None or self.year >= self.final_year
        if met:
            return self._done(Grade.ACHIEVED, "目標を達成")
        if zero_target:
            return self._done(Grade.NOT_ACHIEVED, "目標が0のため、0でなければ未達（部分的な進捗は認めない）")
        if final_year_reached:
            when = to_wareki(self.final_year) if self.final_year is not None else "目標年度"
            return self._done(Grade.NOT_ACHIEVED, f"最終目標年度（{when}）に目標に届かないため未達")
        if comparable and trend in ("improved", "unchanged"):
            how = "改善している" if trend == "improved" else "悪化していない（横ばい）"
            return self._done(Grade.DELAYED, f"年度目標に届かないが、前年度から{how}ため遅れ")
        if comparable:
            return self._done(Grade.NOT_ACHIEVED, "年度目標に届かず、前年度から悪化しているため未達")
        why = "指標の定義が変更された" if self.break_prev else "前年度の実績がない"
        return self._done(
            Grade.NOT_ACHIEVED, f"年度目標に届かず、{why}ため改善を確認できないので未達"
        )

    def _against_line(self, direction: Direction) -> Judgement:
        """A year without its own target, before the final target year."""
        value = self.value
        assert value is not None
        if self.final_year is None:
            return self.undecidable("目標が設定されていないため判定できません")
        a = comparable_number(value, default_unit=self.spec.unit)
        assert a is not None
        final = self.spec.targets.get(self.final_year)
        if final is None or final.is_missing:
            return self.undecidable("当該年度の目標も最終目標もないため判定できません")
        try:
            tf = self._target_number(final, self.final_year, "最終目標")
            self._compare_units(value, final, "最終目標")
            _check_bound(direction, final)
        except _Undecidable as exc:
            return self.undecidable(str(exc))
        self.sentences.append(
            f"当該年度の目標はなく、{to_wareki(self.final_year)}の最終目標 {self.show(final)}"
            f"に対し{self.label} {self.show(value)}"
        )
        self.result["target_amount"] = None
        self._trend(direction, a, (tf, final) if direction is Direction.WITHIN_BOUND else None)
        if _meets(a, tf, final, direction):
            return self._done(Grade.ACHIEVED, "最終目標を前倒しで達成")
        on_track = self._trajectory(direction, a, value)
        if on_track is None or self.break_base:
            why = (
                "基準値との間で指標の定義が変更されたため直線との比較ができず"
                if self.break_base and on_track is not None
                else "基準値がないか範囲内に保つ指標のため直線との比較ができず"
            )
            return self.undecidable(f"{why}、当該年度の目標もないため判定できません")
        if on_track:
            return self._done(Grade.ON_TRACK, "最終目標への直線どおりかそれ以上に進んでいるため順調")
        return self._done(Grade.DELAYED, "最終目標への直線に届かないため遅れ")

    def _done(self, grade: Grade, verdict: str) -> Judgement:
        return self.finish(grade, [*self.sentences, f"{verdict}", *self.notes])

    def _trend(
        self, direction: Direction, a: Decimal, goal: _Goal | None
    ) -> tuple[Trend | None, bool]:
        """Trend against the previous year's actual; returns (trend, usable for the grade)."""
        prev = self.actuals.get(self.year - 1)
        prev_year = to_wareki(self.year - 1)
        if prev is None or not prev.has_number:
            label = "がない" if prev is None else (
                f"が{prev.missing_label}の" if prev.is_missing else "を数値として読めない"
            )
            self.sentences.append(f"前年度（{prev_year}）の実績{label}ため前年度比較はできません")
            return None, False
        p = comparable_number(prev, default_unit=self.spec.unit)
        assert self.value is not None
        if p is None or self.unit_key(prev) != self.unit_key(self.value):
            self.sentences.append(
                f"前年度（{prev_year} {self.show(prev)}）とは単位が異なるため比較できません"
            )
            return None, False
        ga, gp = self.good(a, direction, goal), self.good(p, direction, goal)
        if ga is None or gp is None:
            return None, False
        trend: Trend = "improved" if ga > gp else "worsened" if ga < gp else "unchanged"
        self.result["trend"] = trend
        caveat = "（定義変更のため参考）" if self.break_prev else ""
        self.sentences.append(f"前年度（{prev_year} {self.show(prev)}）から{TREND_LABELS[trend]}{caveat}")
        return trend, not self.break_prev

    def _trajectory(self, direction: Direction, a: Decimal, value: ParsedValue) -> bool | None:
        """Expected value on the straight line baseline → final target; sets on_track."""
        if direction not in (Direction.HIGHER_IS_BETTER, Direction.LOWER_IS_BETTER):
            return None
        base, base_year, final_year = self.baseline, self.baseline_year, self.final_year
        if base is None or base_year is None or final_year is None or not base_year < self.year:
            return None
        final = self.spec.targets.get(final_year)
        if final is None or not final.has_number or not base.has_number or final_year <= base_year:
            return None
        b = comparable_number(base, default_unit=self.spec.unit)
        tf = self.number(final, final_year)
        if b is None or tf is None:
            return None
        if len({self.unit_key(base), self.unit_key(final), self.unit_key(value)}) != 1:
            return None
        if self.year >= final_year:
            expected = tf
        else:
            expected = b + (tf - b) * Decimal(self.year - base_year) / Decimal(final_year - base_year)
        on_track = (a >= expected) if direction is Direction.HIGHER_IS_BETTER else (a <= expected)
        self.result.update(expected_value=expected, on_track=on_track)
        position = "直線どおりかそれ以上" if on_track else "直線に届かない"
        caveat = "（定義変更のため参考）" if self.break_base else ""
        self.sentences.append(
            f"基準値（{to_wareki(base_year)} {self.show(base)}）から最終目標（{to_wareki(final_year)} "
            f"{self.show(final)}）への直線上の値は {self._show_expected(expected, base, final)} で、"
            f"{position}{caveat}"
        )
        return on_track

    def _show_expected(self, expected: Decimal, base: ParsedValue, final: ParsedValue) -> str:
        """The line's value in the final target's published unit and precision (4,933fm, 5/15)."""
        places = max(_places(base.number), _places(final.number))
        quantum = Decimal(1).scaleb(-places)
        if final.denominator is not None:
            numerator = (expected * final.denominator).quantize(quantum, rounding=ROUND_HALF_UP)
            return f"{format(numerator, ',f')}/{format(final.denominator, ',f')}{final.unit}"
        unit, multiplier = final.unit, final.multiplier
        if not unit and final.reference is None:
            unit = self.spec.unit
            multiplier = (split_unit(unit) or ("", Decimal(1)))[1]
        number = (expected / multiplier).quantize(quantum, rounding=ROUND_HALF_UP)
        return f"{format(number, ',f')}{unit}"


def _check_bound(direction: Direction, target: ParsedValue) -> None:
    allowed = {
        Direction.HIGHER_IS_BETTER: {None, "ge", "gt", "about"},
        Direction.LOWER_IS_BETTER: {None, "le", "lt", "about"},
    }.get(direction)
    if allowed is not None and target.bound not in allowed:
        raise _Undecidable(
            f"目標の条件「{target.bound_word}」が指標の方向（{DIRECTION_LABELS[direction]}）と"
            "矛盾するため判定できません"
        )


def _meets(a: Decimal, t: Decimal, target: ParsedValue, direction: Direction) -> bool:
    bound = target.bound
    if bound == "ge":
        return a >= t
    if bound == "gt":
        return a > t
    if bound == "le":
        return a <= t
    if bound == "lt":
        return a < t
    if bound == "eq":
        return a == t
    if direction is Direction.HIGHER_IS_BETTER:
        return a >= t
    if direction is Direction.LOWER_IS_BETTER:
        return a <= t
    if bound == "about":
        return abs(a - t) <= abs(t) * ABOUT_TOLERANCE
    return a == t


def _unreadable_sentence(what: str, pv: ParsedValue) -> str:
    return f"{what}「{pv.text}」を数値として読めないため判定できません（{pv.error}）"


def _rate(a: Decimal, t: Decimal, direction: Direction) -> tuple[Decimal | None, str]:
    """Achievement rate (percent, one decimal) or None with the reason it is not computed."""
    if direction not in (Direction.HIGHER_IS_BETTER, Direction.LOWER_IS_BETTER):
        return None, "範囲内に保つ指標のため達成率は算出しません"
    if a < 0 or t < 0:
        return None, "負の値を含むため達成率は算出しません"
    if t == 0:
        if direction is Direction.LOWER_IS_BETTER and a == 0:
            return Decimal("100.0"), ""
        return None, "目標が0のため達成率は算出できません"
    if direction is Direction.HIGHER_IS_BETTER:
        ratio = a / t
    elif a == 0:
        return None, "実績が0のため達成率は算出しません（目標を下回り達成）"
    else:
        ratio = t / a
    return (ratio * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP), ""


def _percent(rate: Decimal) -> str:
    return f"{rate.quantize(Decimal(1), rounding=ROUND_HALF_UP)}%"


def _plain_number(x: Decimal | None) -> str:
    if x is None:
        return ""
    x = x.quantize(Decimal(1)) if x == x.to_integral_value() else x.normalize()
    return format(x, ",f")


def _plain_text(pv: ParsedValue) -> str:
    if pv.is_missing:
        return pv.missing_reason or ""
    return pv.text if not pv.readable else display_value(pv)  # type: ignore[return-value]


def _reference_unit(unit: str) -> str:
    split = split_unit(unit)
    return split[0] if split is not None else unit




def _places(number: Decimal | None) -> int:
    if number is None:
        return 0
    exponent = number.as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0
