"""Effect calculations, reproducing the figures of the Koto external audit report (seed 001)."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shinchoku.effects.calc import (
    DEFAULT_THOUSAND_RULES,
    Effect,
    EffectError,
    Factor,
    HoursPart,
    LabourCost,
    RoundingRule,
    average_per_period,
    compare_rules,
    cost_per_unit,
    fmt,
    hours,
    parse_duration,
    roll_up,
    rules_reproducing,
    to_decimal,
    total,
)

NONE = RoundingRule.none()
YEN_HALF_UP = RoundingRule.half_up(0)

# 「江東区職員(一般行政職)の平均給与月額 413 千円」: 413,763円/月 ÷ 平均稼働日 20日 ÷ 所定労働時間 7時間45分
KOTO_LABOUR = LabourCost(D("413763"), 20, "7時間45分", label="江東区職員（一般行政職）平均給与月額")

# 令和6年度 RPA 導入効果 (section 1-2 ①): 10,080 + 4,800 + 205 = 15,085 時間/年
RPA = Effect(
    "シナリオ自作型RPA",
    KOTO_LABOUR,
    parts=(
        HoursPart("きっずクラブ 利用状況集計", 10080),
        HoursPart("現金出納簿 記帳業務", 4800),
        HoursPart("その他(5業務)", 205),
    ),
    period="year",
    plan="情報化推進プラン",
    measure="施策2 業務を自動化する",
    department="DX推進課",
    year=2024,
)

# 生活保護 AI 検索 WAISE: 30分 × 20日 × 140ユーザー = 1,400 時間/月, × 12 カ月
WAISE = Effect(
    "生活保護制度運用のAI検索システム（WAISE）",
    KOTO_LABOUR,
    minutes=30,
    factors=(Factor(20, "日", "月平均稼働日数"), Factor(140, "ユーザー")),
    period="month",
    periods_per_year=12,
    plan="情報化推進プラン",
    measure="施策2 業務を自動化する",
    department="保護第一課・保護第二課",
    year=2024,
)


# --------------------------------------------------------------------------- hourly rate


def test_hourly_rate_unrounded_and_rounded():
    exact = KOTO_LABOUR.hourly_rate()
    assert KOTO_LABOUR.hours_per_day == D("7.75")
    assert exact.value == D(413763) / D(20) / D("7.75")
    assert exact.value.quantize(D("0.0001")) == D("2669.4387")
    assert exact.formula == "413,763円 ÷ 20日 ÷ 7.75時間（7時間45分） = 2,669.4387…円/時間"
    assert exact.unit == "円/時間"

    two = KOTO_LABOUR.hourly_rate(RoundingRule.decimals(2))
    assert two.value == D("2669.44")
    assert two.formula.endswith("→ 2,669.44円/時間（小数第3位を四捨五入）")

    yen = KOTO_LABOUR.with_rounding(YEN_HALF_UP).hourly_rate()
    assert yen.value == D("2669")
    assert yen.exact == exact.value
    assert yen.formula == (
        "413,763円 ÷ 20日 ÷ 7.75時間（7時間45分） = 2,669.4387…円/時間 → 2,669円/時間（円未満四捨五入）"
    )
    assert KOTO_LABOUR.hourly_rate(RoundingRule.floor(0)).value == D("2669")


def test_hours_helpers():
    assert hours(7, 45) == D("7.75")
    assert parse_duration("7時間45分") == D("7.75")
    assert parse_duration("７時間４５分") == D("7.75")
    assert parse_duration("30分") == D("0.5")
    assert parse_duration("1.5時間") == D("1.5")
    for bad in ("", "七時間", "45"):
        with pytest.raises(EffectError):
            parse_duration(bad)
    assert LabourCost(413763, 20, D("7.75")) == LabourCost(413763, 20, "7時間45分")


# --------------------------------------------------------------------------- the two published figures


def test_rpa_reproduced_with_the_unrounded_rate():
    """RPA: 15,085時間 → 40,268千円/年 — the report's figure, from the UNROUNDED hourly rate."""
    res = RPA.compute()
    assert res.hours_per_period.value == D(15085)
    assert res.yearly_hours.value == D(15085)
    assert res.hourly_rate.rounding == NONE
    assert res.yearly_yen.value.quantize(D("0.01")) == D("40268482.94")
    assert res.yearly_thousand_yen.value == D(40268)
    assert res.yearly_thousand_yen.rounding == RoundingRule.half_up(0)
    assert res.formula.splitlines() == [
        "・10,080時間（きっずクラブ 利用状況集計） + 4,800時間（現金出納簿 記帳業務） + 205時間（その他(5業務)）"
        " = 15,085時間/年",
        "・413,763円 ÷ 20日 ÷ 7.75時間（7時間45分） = 2,669.4387…円/時間",
        "・2,669.4387…円/時間 × 15,085時間/年 = 40,268,482.9354…円/年",
        "・40,268,482.9354…円/年 ÷ 1,000 = 40,268.4829…千円/年 → 40,268千円/年（千円未満四捨五入）",
    ]


def test_ai_search_reproduced_with_the_rate_rounded_to_the_yen():
    """WAISE: 30分×20日×140ユーザー = 1,400時間/月 → 44,839千円/年 — with the rate ROUNDED to 2,669円."""
    res = replace(WAISE, rate_rounding=YEN_HALF_UP).compute()
    assert res.hours_per_period.value == D(1400)
    assert res.hours_per_period.formula == "30分 × 20日 × 140ユーザー = 84,000分 ÷ 60 = 1,400時間/月"
    assert res.yearly_hours.value == D(16800)
    assert res.yearly_hours.formula == "1,400時間/月 × 12か月 = 16,800時間/年"
    assert res.hourly_rate.value == D(2669)
    assert res.yearly_yen.value == D(44839200)
    assert res.yearly_yen.formula == "2,669円/時間 × 16,800時間/年 = 44,839,200円/年"
    assert res.yearly_thousand_yen.value == D(44839)
    assert res.yearly_thousand_yen.formula == (
        "44,839,200円/年 ÷ 1,000 = 44,839.2千円/年 → 44,839千円/年（千円未満四捨五入）"
    )


def test_the_report_used_two_different_rules():
    """One rule cannot give both published figures: each rule misses one of them."""
    rpa_rounded = replace(RPA, rate_rounding=YEN_HALF_UP).compute()
    assert rpa_rounded.yearly_yen.value == D(2669 * 15085) == D(40261865)
    assert rpa_rounded.yearly_thousand_yen.value == D(40262)  # ≠ 40,268 published

    waise_unrounded = replace(WAISE, rate_rounding=NONE).compute()
    assert waise_unrounded.yearly_yen.value.quantize(D(1)) == D(44846570)
    assert waise_unrounded.yearly_thousand_yen.value == D(44847)  # ≠ 44,839 published

    rpa_rules = {(o.rate_rule, o.thousand_rule) for o in rules_reproducing(RPA, 40268)}
    ai_rules = {(o.rate_rule, o.thousand_rule) for o in rules_reproducing(WAISE, 44839)}
    assert (NONE, YEN_HALF_UP) in rpa_rules
    assert (YEN_HALF_UP, YEN_HALF_UP) in ai_rules
    assert all(rate != YEN_HALF_UP for rate, _ in rpa_rules)
    assert all(rate != NONE for rate, _ in ai_rules)
    assert rpa_rules.isdisjoint(ai_rules)


def test_compare_rules_lists_every_combination():
    outcomes = compare_rules(RPA, thousand_rules=DEFAULT_THOUSAND_RULES)
    table = {(o.rate_rule.describe(), o.thousand_rule.describe("千円")): o.yearly_thousand_yen for o in outcomes}
    assert table == {
        ("端数処理なし", "千円未満四捨五入"): D(40268),
        ("端数処理なし", "千円未満切り捨て"): D(40268),
        ("円未満四捨五入", "千円未満四捨五入"): D(40262),
        ("円未満四捨五入", "千円未満切り捨て"): D(40261),
        ("円未満切り捨て", "千円未満四捨五入"): D(40262),
        ("円未満切り捨て", "千円未満切り捨て"): D(40261),
        ("小数第3位を四捨五入", "千円未満四捨五入"): D(40269),
        ("小数第3位を四捨五入", "千円未満切り捨て"): D(40268),
    }
    ai = {o.rate_rule: o.yearly_thousand_yen for o in compare_rules(WAISE)}
    assert ai == {
        NONE: D(44847),
        RoundingRule.half_up(0): D(44839),
        RoundingRule.floor(0): D(44839),
        RoundingRule.decimals(2): D(44847),
    }
    assert outcomes[0].label == "時間単価: 端数処理なし／千円換算: 千円未満四捨五入"
    assert "40,268千円/年" in outcomes[0].formula


# --------------------------------------------------------------------------- roll-up


def test_roll_up_by_measure_department_and_year():
    ai = replace(WAISE, rate_rounding=YEN_HALF_UP)
    by_measure = roll_up([RPA, ai], key="measure")
    assert list(by_measure) == ["施策2 業務を自動化する"]
    group = by_measure["施策2 業務を自動化する"]
    assert group.count == 2
    assert group.yearly_hours.value == D(15085 + 16800)
    assert group.yearly_hours.formula == "15,085時間 + 16,800時間 = 31,885時間/年"
    assert group.yearly_yen.value == RPA.compute().yearly_yen.value + D(44839200)
    # 40,268,482.94 + 44,839,200 = 85,107,682.94 円 → 85,108 千円, while 40,268 + 44,839 = 85,107
    assert group.yearly_thousand_yen.value == D(85108)
    assert group.sum_of_thousand_yen == D(85107)
    assert "千円未満四捨五入" in group.formula

    by_dept = roll_up([RPA, ai], key="department")
    assert set(by_dept) == {"DX推進課", "保護第一課・保護第二課"}
    assert by_dept["DX推進課"].yearly_thousand_yen.value == D(40268)
    assert roll_up([RPA, ai], key="year")[2024].count == 2
    assert roll_up([RPA.compute(), ai], key="plan")["情報化推進プラン"].count == 2
    by_fn = roll_up([RPA, ai], key=lambda e: e.name[:3])
    assert len(by_fn) == 2
    other = Effect("未分類", D(2000), hours=10)
    assert roll_up([other], key="plan")[None].yearly_yen.value == D(20000)
    with pytest.raises(EffectError):
        roll_up([RPA], key="colour")


# --------------------------------------------------------------------------- cost per unit


def test_wifi_cost_per_connection():
    """意見事項16: 初期整備費用 2,640,000円 ÷ 総接続数 6,270件 = 1接続あたり約421円 (有明こども図書館)."""
    monthly = [122, 192, 424, 300, 399, 499, 290, 303, 407, 291, 442, 460, 299, 315, 440, 297, 474, 316]
    connections = total(monthly)
    assert connections.value == D(6270)  # the 18 monthly figures add up to the published total
    per = cost_per_unit(D(2640000), connections.value, unit="接続", cost_label="初期整備費用")
    assert per.value == D(421)
    assert per.formula == "初期整備費用2,640,000円 ÷ 6,270接続 = 421.0526…円/接続 → 421円/接続（円未満四捨五入）"
    avg = average_per_period(connections.value, 18)
    assert avg.value == D(348)  # 「月平均約348件」
    assert avg.formula == "6,270件 ÷ 18か月 = 348.3333…件/月 → 348件/月（件未満四捨五入）"
    assert cost_per_unit(2640000, 6270, rounding=RoundingRule.decimals(2)).value == D("421.05")
    with pytest.raises(EffectError):
        cost_per_unit(100, 0)


# --------------------------------------------------------------------------- rules and validation


def test_rounding_rules():
    assert RoundingRule.half_up(0).apply(D("2.5")) == D(3)
    assert RoundingRule.floor(0).apply(D("2.9")) == D(2)
    assert RoundingRule.decimals(2).apply(D("2669.4387")) == D("2669.44")
    assert RoundingRule.none().apply(D("1.23456")) == D("1.23456")
    assert RoundingRule.half_up(-3).apply(D("40268483")) == D("4.0268E+7")
    assert RoundingRule.half_up(-3).describe() == "1,000円未満四捨五入"
    assert RoundingRule.floor(0).describe("千円") == "千円未満切り捨て"
    assert str(RoundingRule.decimals(2)) == "小数第3位を四捨五入"
    with pytest.raises(EffectError):
        RoundingRule("banker")  # type: ignore[arg-type]


def test_yen_rounding_before_thousands():
    e = Effect("x", D("0.5"), hours=3, yen_rounding=RoundingRule.half_up(0), thousand_rounding=RoundingRule.floor(0))
    res = e.compute()
    assert res.yearly_yen.value == D(2)  # 1.5円 → 2円
    assert res.yearly_thousand_yen.value == D(0)
    assert res.hours_per_period.formula == "3時間/年"


def test_validation_messages_are_japanese():
    with pytest.raises(EffectError, match="浮動小数点数"):
        LabourCost(413763.0, 20, "7.75")  # type: ignore[arg-type]
    with pytest.raises(EffectError, match="稼働日数"):
        LabourCost(413763, 0, "7.75")
    with pytest.raises(EffectError, match="いずれか1つ"):
        Effect("x", KOTO_LABOUR, hours=1, minutes=60)
    with pytest.raises(EffectError, match="いずれか1つ"):
        Effect("x", KOTO_LABOUR)
    with pytest.raises(EffectError, match="期間の単位"):
        Effect("x", KOTO_LABOUR, hours=1, period="week")  # type: ignore[arg-type]
    with pytest.raises(EffectError, match="負"):
        Effect("x", KOTO_LABOUR, hours=-1)
    assert to_decimal("４１３，７６３") == D(413763)
    assert to_decimal("▲5") == D(-5)
    with pytest.raises(EffectError):
        to_decimal("abc")
    with pytest.raises(EffectError):
        to_decimal(True)  # type: ignore[arg-type]


def test_fmt():
    assert fmt(D("413763")) == "413,763"
    assert fmt(D("7.75")) == "7.75"
    assert fmt(D("7.7500")) == "7.75"
    assert fmt(D("44839.2")) == "44,839.2"
    assert fmt(D(413763) / D(20) / D("7.75")) == "2,669.4387…"
    assert fmt(D("1E+3")) == "1,000"


# --------------------------------------------------------------------------- properties

money = st.decimals(min_value=D(1), max_value=D(10_000_000), places=0, allow_nan=False, allow_infinity=False)
small = st.integers(min_value=1, max_value=400)
rules = st.sampled_from(
    [RoundingRule.none(), RoundingRule.half_up(0), RoundingRule.floor(0), RoundingRule.decimals(2)]
)


@given(salary=money, days=st.integers(1, 31), minutes=st.integers(1, 24 * 60), rule=rules)
def test_hourly_rate_rounding_is_close(salary, days, minutes, rule):
    lc = LabourCost(salary, days, hours(0, minutes))
    res = lc.hourly_rate(rule)
    step = D(1) if rule.places == 0 else D("0.01")
    assert abs(res.value - res.exact) <= (0 if rule.is_none else step)
    if rule.mode == "floor":
        assert res.value <= res.exact
    assert res.formula.startswith(f"{fmt(salary)}円 ÷ {days}日 ÷ ")


@given(
    h=st.lists(small, min_size=1, max_size=6),
    rate=st.integers(1000, 5000),
    months=st.booleans(),
)
def test_roll_up_totals_are_sums(h, rate, months):
    effects = [
        Effect(f"e{i}", D(rate), hours=x, period="month" if months else "year", department=f"d{i % 2}")
        for i, x in enumerate(h)
    ]
    groups = roll_up(effects, key="department")
    factor = 12 if months else 1
    assert sum(g.yearly_hours.value for g in groups.values()) == sum(h) * factor
    assert sum(g.yearly_yen.value for g in groups.values()) == sum(h) * factor * rate
    assert sum(g.count for g in groups.values()) == len(h)
    for g in groups.values():
        assert abs(g.yearly_thousand_yen.value * 1000 - g.yearly_yen.value) <= 500
