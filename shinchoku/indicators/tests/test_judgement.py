"""judge(): the 中野区 FY2023 成果指標, 荒川区 指標 rows, the documented rules, and properties."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shinchoku.indicators.judgement import (
    DefinitionChange,
    Direction,
    Grade,
    IndicatorSpec,
    Judgement,
    Kind,
    infer_direction,
    judge,
)
from shinchoku.indicators.values import ParsedValue, parse_value

D = Decimal
HIGHER, LOWER, WITHIN = Direction.HIGHER_IS_BETTER, Direction.LOWER_IS_BETTER, Direction.WITHIN_BOUND


def nakano(
    name: str, direction: Direction, cells: list[str], **kw: object
) -> tuple[IndicatorSpec, dict[int, str]]:
    """A row of 中野区「2 成果指標の推移」: 実績 R4, R5 | 目標 R5, R7 (baseline = R4 actual)."""
    r4, r5, target_r5, target_r7 = cells
    spec = IndicatorSpec(
        name=name,
        direction=direction,
        baseline_year=2022,
        targets={2023: target_r5, 2025: target_r7},
        **kw,  # type: ignore[arg-type]
    )
    return spec, {2022: r4, 2023: r5}


# -- 中野区 FY2023 (令和5年度) -----------------------------------------------------------------------


def test_online_applications_achieved() -> None:
    spec, actuals = nakano(
        "オンラインによる申請受付件数", HIGHER, ["約 179 万件", "約 200 万件", "170 万件", "200 万件"]
    )
    j = judge(spec, actuals, 2023)
    assert j.grade is Grade.ACHIEVED
    assert j.achievement_rate == D("117.6")
    assert "目標 170万件に対し実績 約200万件（達成率 118%）" in j.reason
    assert "2000000" not in j.reason
    assert j.trend == "improved" and not j.definition_break


def test_it_passport_cumulative_achieved() -> None:
    spec, actuals = nakano(
        "ICT資格の「ITパスポート試験」取得者数",
        HIGHER,
        ["22名", "29名", "20名", "30名"],
        cumulative_since=2021,
    )
    j = judge(spec, actuals, 2023)
    assert j.grade is Grade.ACHIEVED and j.achievement_rate == D("145.0")
    assert "令和3年度以降の累計" in j.reason


def test_my_number_card_not_achieved_across_definition_change() -> None:
    spec, actuals = nakano(
        "区内のマイナンバーカード交付率",
        HIGHER,
        ["62.3%", "68.3% ※1", "100%", "100%"],
        definition_changes=[DefinitionChange(2023, "交付率→保有率", "令和5年5月")],
    )
    j = judge(spec, actuals, 2023)
    assert j.grade is Grade.NOT_ACHIEVED
    assert j.definition_break
    assert "交付率→保有率" in j.reason and "前年度" in j.reason and "参考" in j.reason
    assert "令和5年5月に指標の定義が変更" in j.reason
    assert j.achievement_rate == D("68.3")
    assert j.value is not None and j.value.footnotes == ("※1",)


def test_definition_change_as_plain_tuple() -> None:
    spec, actuals = nakano(
        "区内のマイナンバーカード交付率",
        HIGHER,
        ["62.3%", "68.3%", "100%", "100%"],
        definition_changes=[(2023, "交付率→保有率")],
    )
    j = judge(spec, actuals, 2023)
    assert j.definition_break and "令和5年度から指標の定義が変更（交付率→保有率）" in j.reason


def test_shared_documents_lower_is_better_delayed() -> None:
    spec, actuals = nakano(
        "本庁舎の執務室等で保有し、組織で共有している文書量",
        LOWER,
        ["約 5,900fm", "約 3,900fm", "約 3,600fm", "約 3,000fm"],
    )
    j = judge(spec, actuals, 2023)
    assert j.grade is Grade.DELAYED
    assert j.trend == "improved"
    assert j.achievement_rate == D("92.3")  # 3,600 / 3,900
    # Ahead of the straight line 5,900 → 3,000 (4,933 in FY2023), but the year's own target rules.
    assert j.on_track is True
    assert j.expected_value is not None and round(j.expected_value) == 4933
    assert "約3,900fm" in j.reason and "4,933fm" in j.reason


def test_security_incidents_zero_target_not_achieved_and_worsened() -> None:
    spec, actuals = nakano("情報セキュリティ事故発生件数", LOWER, ["9件", "10件", "0件", "0件"])
    j = judge(spec, actuals, 2023)
    assert j.grade is Grade.NOT_ACHIEVED
    assert j.trend == "worsened"
    assert j.achievement_rate is None
    assert "目標が0のため達成率は算出できません" in j.reason


def test_security_incidents_zero_actual_is_achieved_100() -> None:
    spec, _ = nakano("情報セキュリティ事故発生件数", LOWER, ["9件", "10件", "0件", "0件"])
    j = judge(spec, {2022: "9件", 2023: "0件"}, 2023)
    assert j.grade is Grade.ACHIEVED and j.achievement_rate == D(100)


def test_zero_target_is_yes_or_no_even_when_improving() -> None:
    spec, _ = nakano("情報セキュリティ事故発生件数", LOWER, ["9件", "10件", "0件", "0件"])
    j = judge(spec, {2022: "9件", 2023: "2件"}, 2023)
    assert j.trend == "improved" and j.grade is Grade.NOT_ACHIEVED


def test_standardised_systems_fraction_delayed() -> None:
    spec, actuals = nakano("標準化システムへ移行した事業数", HIGHER, ["0/15", "0/15", "1/15", "15/15"])
    j = judge(spec, actuals, 2023)
    assert j.grade is Grade.DELAYED
    assert j.trend == "unchanged"
    assert j.achievement_rate == D(0)
    assert j.on_track is False and "5/15" in j.reason


def test_map_enquiries_all_dashes_undecidable() -> None:
    spec, actuals = nakano(
        "地図情報に関する窓口及び電話等問い合わせ件数", LOWER, ["—", "—", "—", "約 6 万件"]
    )
    j = judge(spec, actuals, 2023)
    assert j.grade is Grade.UNDECIDABLE
    assert "「—」" in j.reason


def test_focus_share_delayed() -> None:
    spec, actuals = nakano(
        "区が特に力を入れていると感じる施策が「情報化の推進」である割合",
        HIGHER,
        ["3.2%", "3.4%", "5%", "10%"],
    )
    j = judge(spec, actuals, 2023)
    assert j.grade is Grade.DELAYED and j.trend == "improved" and j.achievement_rate == D(68)


def test_groups_unchanged_is_delayed() -> None:
    spec, actuals = nakano(
        "区と連携してデジタルデバイドの解消に向けた取組を行う団体数",
        HIGHER,
        ["3 団体", "3 団体", "4 団体", "6 団体"],
    )
    j = judge(spec, actuals, 2023)
    assert j.grade is Grade.DELAYED and j.trend == "unchanged"
    assert "横ばい" in j.reason


def test_ai_rpa_achieved() -> None:
    spec, actuals = nakano("AI・RPAの活用による業務改善数", HIGHER, ["7件", "8件", "7件", "15件"])
    j = judge(spec, actuals, 2023)
    assert j.grade is Grade.ACHIEVED and j.achievement_rate == D("114.3")


# -- 荒川区 事務事業分析シート (2年度, 3年度, 4年度 actual, 5年度見込み, 8年度 target) ---------------------


E_APPLICATIONS = ["4,807", "24,709", "98,440", "30,000", "35,000"]  # 電子申請年間利用件数（件）


def arakawa(
    name: str, unit: str, direction: Direction, cells: list[str]
) -> tuple[IndicatorSpec, dict[int, str], dict[int, str]]:
    r2, r3, r4, r5_estimate, r8_target = cells
    spec = IndicatorSpec(name, unit=unit, direction=direction, baseline_year=2020, targets={2026: r8_target})
    return spec, {2020: r2, 2021: r3, 2022: r4}, {2023: r5_estimate}


def test_arakawa_e_applications_estimate() -> None:
    spec, actuals, estimates = arakawa("電子申請年間利用件数", "件", HIGHER, E_APPLICATIONS)
    j = judge(spec, actuals, 2023, estimates=estimates, kind="estimate")
    assert j.kind == "estimate" and "見込み" in j.reason
    assert j.grade is Grade.ON_TRACK  # no FY2023 target: ahead of the line 4,807 → 35,000
    assert j.trend == "worsened"
    assert "30,000件" in j.reason and "35,000件" in j.reason


def test_arakawa_actual_without_value_mentions_estimate() -> None:
    spec, actuals, estimates = arakawa("電子申請年間利用件数", "件", HIGHER, E_APPLICATIONS)
    j = judge(spec, actuals, 2023, estimates=estimates)
    assert j.grade is Grade.UNDECIDABLE and "見込み 30,000件" in j.reason


def test_arakawa_final_target_met_early() -> None:
    spec, actuals, _ = arakawa("電子申請年間利用件数", "件", HIGHER, E_APPLICATIONS)
    j = judge(spec, actuals, 2022)
    assert j.grade is Grade.ACHIEVED and "前倒し" in j.reason


def test_arakawa_zero_failures_estimate() -> None:
    spec, actuals, estimates = arakawa("システムの停止を伴う重大な障害件数", "件", LOWER, ["0"] * 5)
    j = judge(spec, actuals, 2023, estimates=estimates, kind="estimate")
    assert j.grade is Grade.ACHIEVED  # the final target 0 already met
    assert judge(spec, actuals, 2026, estimates={2026: "0"}, kind="estimate").grade is Grade.ACHIEVED


def test_arakawa_negative_growth_rate_has_no_ratio() -> None:
    spec, actuals, _ = arakawa("印刷枚数前年度増加率", "%", LOWER, ["3.7", "-3.7", "-0.6", "-2.0", "-5.0"])
    j = judge(spec, {**actuals, 2026: "-4.0"}, 2026)
    assert j.grade is Grade.NOT_ACHIEVED and j.achievement_rate is None
    assert "負の値" in j.reason
    assert judge(spec, {2026: "-5.5"}, 2026).grade is Grade.ACHIEVED


def test_arakawa_bare_numbers_take_the_column_unit() -> None:
    spec = IndicatorSpec("システム開発変更", unit="千円", direction=LOWER, targets={2024: "20,000千円"})
    j = judge(spec, {2023: "37,059", 2024: "19,000"}, 2024)
    assert j.grade is Grade.ACHIEVED and "19,000千円" in j.reason


# -- documented rules ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "direction"),
    [
        ("85%以下", LOWER),
        ("10件以上", HIGHER),
        ("3日以内", LOWER),
        ("5件未満", LOWER),
        ("収支差額 > 0", HIGHER),
        ("1割程度", WITHIN),
        ("100%", None),
        ("—", None),
    ],
)
def test_infer_direction(text: str, direction: Direction | None) -> None:
    assert infer_direction(parse_value(text)) is direction


def test_bound_target_85_percent_or_less() -> None:
    spec = IndicatorSpec("予算執行率の上限", targets={2024: "85%以下"})
    assert judge(spec, {2024: "85%"}, 2024).grade is Grade.ACHIEVED
    assert judge(spec, {2024: "80.5%"}, 2024).grade is Grade.ACHIEVED
    j = judge(spec, {2024: "86%"}, 2024)
    assert j.grade is Grade.NOT_ACHIEVED and "85%以下" in j.reason


def test_bound_contradicting_direction_is_undecidable() -> None:
    spec = IndicatorSpec("予約率", direction=HIGHER, targets={2024: "85%以下"})
    j = judge(spec, {2024: "80%"}, 2024)
    assert j.grade is Grade.UNDECIDABLE and "矛盾" in j.reason


def test_per_year_hours_or_less() -> None:
    spec = IndicatorSpec("時間外勤務", targets={2024: "年 120 時間以下"})
    assert judge(spec, {2024: "年 110 時間"}, 2024).grade is Grade.ACHIEVED
    assert judge(spec, {2024: "130時間/年"}, 2024).grade is Grade.NOT_ACHIEVED


def test_positive_balance_condition() -> None:
    spec = IndicatorSpec("行政収支", direction=HIGHER, targets={2024: "収支差額 > 0"})
    assert judge(spec, {2024: "1,000"}, 2024).grade is Grade.ACHIEVED
    j = judge(spec, {2024: "▲1,234"}, 2024)
    assert j.grade is Grade.NOT_ACHIEVED and "▲1,234" in j.reason
    assert judge(spec, {2024: "0"}, 2024).grade is Grade.NOT_ACHIEVED  # > 0, not ≥ 0


def test_share_of_budget_needs_the_reference_amount() -> None:
    spec = IndicatorSpec("効果額", unit="円", targets={2024: "予算額の1割程度"})
    j = judge(spec, {2024: "98,000円"}, 2024)
    assert j.grade is Grade.UNDECIDABLE and "予算額" in j.reason
    budget = {2024: 1_000_000}
    with_budget = IndicatorSpec("効果額", unit="円", targets={2024: "予算額の1割程度"}, reference_amounts=budget)
    j = judge(with_budget, {2024: "98,000円"}, 2024)
    assert j.grade is Grade.ACHIEVED and j.target_amount == 100_000
    assert judge(with_budget, {2024: "50,000円"}, 2024).grade is Grade.NOT_ACHIEVED
    higher = IndicatorSpec(
        "効果額", unit="円", direction=HIGHER, targets={2024: "予算額の1割程度"}, reference_amounts=budget
    )
    assert judge(higher, {2024: "182百万円"}, 2024).grade is Grade.ACHIEVED


def test_approximate_values_compare_at_face_value() -> None:
    spec = IndicatorSpec("文書量", direction=LOWER, targets={2025: "約 3,000fm"})
    assert judge(spec, {2025: "約 3,000fm"}, 2025).grade is Grade.ACHIEVED
    assert judge(spec, {2025: "約 3,100fm"}, 2025).grade is Grade.NOT_ACHIEVED


def test_fraction_against_fraction_target() -> None:
    spec = IndicatorSpec("標準化", direction=HIGHER, targets={2025: "15/15"})
    assert judge(spec, {2025: "15/15"}, 2025).grade is Grade.ACHIEVED
    assert judge(spec, {2025: "14/15"}, 2025).achievement_rate == D("93.3")


def test_fraction_against_plain_number_is_undecidable() -> None:
    spec = IndicatorSpec("標準化", direction=HIGHER, targets={2025: "15件"})
    assert judge(spec, {2025: "15/15"}, 2025).grade is Grade.UNDECIDABLE


def test_incompatible_units_undecidable() -> None:
    spec = IndicatorSpec("x", direction=HIGHER, targets={2024: "10%"})
    j = judge(spec, {2024: "10件"}, 2024)
    assert j.grade is Grade.UNDECIDABLE and "単位が異なる" in j.reason


@pytest.mark.parametrize("cell", ["集計中", "—", "", "-"])
def test_missing_actual_undecidable(cell: str) -> None:
    spec = IndicatorSpec("x", direction=HIGHER, targets={2024: "10件"})
    j = judge(spec, {2024: cell}, 2024)
    assert j.grade is Grade.UNDECIDABLE and "判定できません" in j.reason


def test_unreadable_actual_undecidable_with_parser_reason() -> None:
    spec = IndicatorSpec("x", direction=HIGHER, targets={2024: "10件"})
    j = judge(spec, {2024: "10～20件"}, 2024)
    assert j.grade is Grade.UNDECIDABLE and "範囲" in j.reason


def test_no_direction_undecidable() -> None:
    j = judge(IndicatorSpec("x", targets={2024: "10件"}), {2024: "12件"}, 2024)
    assert j.grade is Grade.UNDECIDABLE and "方向" in j.reason


def test_gap_in_previous_year_gives_not_achieved_when_target_missed() -> None:
    spec = IndicatorSpec("x", direction=HIGHER, targets={2024: "10件", 2026: "20件"})
    j = judge(spec, {2022: "5件", 2024: "8件"}, 2024)
    assert j.trend is None and j.grade is Grade.NOT_ACHIEVED
    assert "前年度（令和5年度）の実績がない" in j.reason


def test_year_without_target_uses_straight_line() -> None:
    spec = IndicatorSpec("x", direction=HIGHER, baseline_year=2020, baseline="0件", targets={2026: "60件"})
    assert judge(spec, {2023: "30件"}, 2023).grade is Grade.ON_TRACK  # line: 30 in FY2023
    j = judge(spec, {2023: "29件"}, 2023)
    assert j.grade is Grade.DELAYED and j.expected_value == 30
    assert judge(spec, {2023: "60件"}, 2023).grade is Grade.ACHIEVED


def test_year_without_target_and_no_baseline_is_undecidable() -> None:
    spec = IndicatorSpec("x", direction=HIGHER, targets={2026: "60件"})
    assert judge(spec, {2023: "30件"}, 2023).grade is Grade.UNDECIDABLE


def test_after_the_final_target_year_the_final_target_stays() -> None:
    spec = IndicatorSpec("x", direction=HIGHER, targets={2025: "60件"}, final_target_year=2025)
    assert judge(spec, {2026: "61件"}, 2026).grade is Grade.ACHIEVED
    j = judge(spec, {2025: "50件", 2026: "59件"}, 2026)
    assert j.grade is Grade.NOT_ACHIEVED and "令和7年度の最終目標" in j.reason


def test_final_target_year_different_from_plan_end() -> None:
    # The plan ends FY2025 but the final target is stated for FY2026: the line runs to FY2026.
    spec = IndicatorSpec("x", direction=HIGHER, baseline_year=2022, baseline="0件", targets={2026: "40件"})
    j = judge(spec, {2025: "30件"}, 2025)
    assert j.expected_value == 30 and j.grade is Grade.ON_TRACK


def test_definition_change_against_baseline_only() -> None:
    spec = IndicatorSpec(
        "x", direction=HIGHER, baseline_year=2020, baseline=parse_value("0件"), targets={2026: "60件"},
        definition_changes=[(2022, "集計方法の変更")],
    )
    j = judge(spec, {2022: "18件", 2023: "31件"}, 2023)
    assert j.definition_break and "基準値との比較は参考" in j.reason
    assert j.grade is Grade.UNDECIDABLE  # the line crosses the change


def test_qualitative_textual_rule() -> None:
    spec = IndicatorSpec("新システム", direction=Direction.QUALITATIVE, targets={2024: "運用開始"})
    assert judge(spec, {2024: "運用開始"}, 2024).grade is Grade.ACHIEVED
    assert judge(spec, {2024: "構築中"}, 2024).grade is Grade.UNDECIDABLE


def test_estimate_requires_kind() -> None:
    with pytest.raises(ValueError):
        judge(IndicatorSpec("x"), {}, 2024, kind="plan")  # type: ignore[arg-type]


# -- properties ------------------------------------------------------------------------------------

_ints = st.integers(min_value=-50, max_value=200)
# Target bounds compatible with higher-is-better, and their lower-is-better mirror images.
MIRROR = {None: None, "以上": "以下", "超": "未満", "程度": "程度"}


@dataclass(frozen=True)
class Scenario:
    """An indicator history around one judged year; values are counts (件)."""

    year: int
    final_year: int
    baseline: int  # FY2021
    previous: int | None  # year - 1
    year_target: int | None
    final_target: int
    bound_word: str | None
    change_year: int | None  # definition change effective year
    kind: Kind

    def judge(self, actual: int, direction: Direction = HIGHER, sign: int = 1) -> Judgement:
        """Judge ``actual``; ``sign=-1`` negates every number and mirrors the bounds."""
        word = self.bound_word if sign == 1 else MIRROR[self.bound_word]

        def v(n: int, *, target: bool = False) -> ParsedValue:
            text = f"{sign * n}件{word if target and word else ''}"
            return parse_value(text)

        targets = {self.final_year: v(self.final_target, target=True)}
        if self.year_target is not None and self.year <= self.final_year:
            targets[self.year] = v(self.year_target, target=True)
        spec = IndicatorSpec(
            "x",
            unit="件",
            direction=direction,
            baseline_year=2021,
            baseline=v(self.baseline),
            targets=targets,
            final_target_year=self.final_year,
            definition_changes=[(self.change_year, "定義変更")] if self.change_year else [],
        )
        actuals = {} if self.previous is None else {self.year - 1: v(self.previous)}
        current = {self.year: v(actual)}
        if self.kind == "actual":
            return judge(spec, {**actuals, **current}, self.year)
        return judge(spec, actuals, self.year, estimates=current, kind="estimate")


scenarios = st.builds(
    Scenario,
    year=st.integers(2022, 2028),
    final_year=st.integers(2024, 2027),
    baseline=_ints,
    previous=st.none() | _ints,
    year_target=st.none() | _ints,
    final_target=_ints,
    bound_word=st.sampled_from(list(MIRROR)),
    change_year=st.none() | st.integers(2021, 2028),
    kind=st.sampled_from(["actual", "estimate"]),
)


@given(scenarios, _ints, _ints)
def test_a_better_actual_never_gets_a_worse_grade(s: Scenario, a1: int, a2: int) -> None:
    low, high = sorted((a1, a2))
    for direction, sign in ((HIGHER, 1), (LOWER, -1)):  # lower is better: −high beats −low
        worse, better = s.judge(low, direction, sign).grade, s.judge(high, direction, sign).grade
        if Grade.UNDECIDABLE in (worse, better):
            continue
        assert better.rank >= worse.rank, (direction, worse, better)  # type: ignore[operator]


@given(scenarios, _ints)
def test_lower_is_better_mirrors_higher_is_better(s: Scenario, actual: int) -> None:
    h, lo = s.judge(actual, HIGHER), s.judge(actual, LOWER, sign=-1)
    assert (h.grade, h.trend, h.on_track) == (lo.grade, lo.trend, lo.on_track)
    assert h.definition_break == lo.definition_break
    if h.expected_value is not None:
        assert lo.expected_value == -h.expected_value


@given(scenarios, _ints)
def test_judge_always_explains(s: Scenario, actual: int) -> None:
    j = s.judge(actual)
    assert j.reason.startswith("令和") and j.reason.endswith("。")
    if s.kind == "estimate":
        assert "見込み" in j.reason
    if j.definition_break:
        assert "定義が変更" in j.reason
    if j.grade is not Grade.UNDECIDABLE:
        assert j.grade.value in j.reason or "達成" in j.reason
