"""The computation inputs of an effect as stored (算定の入力) → a ``calc.Effect``; rounding rule codes.

Plain Python (no Django): the importer's parser checks a row with the same code that computes a
stored :class:`~shinchoku.effects.models.Effect` (:func:`to_calc` reads attributes only), and
:func:`published_figure` reads a published figure the same way for the importer, the actions and the
admin.
"""

from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace

from shinchoku.core.text import nfkc, remove_spaces
from shinchoku.effects import calc
from shinchoku.indicators.values import parse_value

YEN, HOURS = "円", "時間"
KIND_LABELS = {"effect": "効果額", "saving": "削減額", "revenue": "増収額", "hours": "削減時間"}  # Effect.Kind
PERIOD_LABELS = {"year": "年", "month": "月"}
# The computation inputs of an effect (the columns of Effect that hold them).
INPUT_FIELDS = (
    "hours_saved", "minutes_saved", "hours_breakdown", "multipliers", "period_unit", "periods_per_year", "hourly_rate",
    "monthly_salary", "working_days", "hours_per_day", "labour_cost_label", "rate_rounding", "yen_rounding",
    "thousand_rounding",
)


class InputError(ValueError):
    """The stored inputs cannot be computed (the message says which)."""


def unit_of(kind: str) -> str:
    """The base unit of an effect of ``kind``: 時間 for 削減時間, 円 for the amounts."""
    return HOURS if kind == "hours" else YEN


def published_figure(kind: str, raw: str) -> tuple[Decimal | None, str, str]:
    """(amount in base units, unit, period) of a published figure (公表値) of an effect of ``kind``.

    A figure published as not yet known (集計中, -) or left blank has no amount (never 0). Anything
    else must be one amount of the kind's unit (円・千円・百万円 … or 時間), in total or per year or
    month; otherwise :class:`InputError` says what is wrong.
    """
    unit = unit_of(kind)
    text = (raw or "").strip()
    if not text:
        return None, unit, ""
    pv = parse_value(text)
    if pv.is_missing:
        return None, unit, ""
    label = KIND_LABELS.get(kind, "効果")
    if not pv.readable or not pv.has_number or pv.value is None:
        raise InputError(f"公表値「{text}」を{label}として読めません（{pv.error or f'例: 40,268千円/年、1,400時間/月'}）")
    if pv.reference or pv.denominator is not None or pv.subject:
        raise InputError(f"公表値「{text}」は金額・時間ではありません（{label}は 182百万円、1,400時間/月 のように書きます）")
    if pv.base_unit != unit:
        raise InputError(f"公表値「{text}」を{unit}の値として読めません（{label}は{'円・千円・百万円など' if unit == YEN else '時間'}で書きます）")
    if pv.period not in (None, "year", "month"):
        raise InputError(f"公表値「{text}」の期間は使えません（年あたり・月あたり、または期間なし）")
    return pv.value, unit, pv.period or ""


def node_label(node) -> str | None:
    if node is None:
        return None
    return f"{node.code} {node.title}".strip()


# Rounding rule codes stored in Effect.*_rounding ("" = none) and their Japanese names.
ROUNDING_CHOICES: tuple[tuple[str, str], ...] = (
    ("", "端数処理なし"),
    ("half_up:0", "円未満四捨五入"),
    ("floor:0", "円未満切り捨て"),
    ("half_up:2", "小数第3位を四捨五入"),
    ("half_up:1", "小数第2位を四捨五入"),
)
THOUSAND_ROUNDING_CHOICES: tuple[tuple[str, str], ...] = (
    ("half_up:0", "千円未満四捨五入"),
    ("floor:0", "千円未満切り捨て"),
    ("", "端数処理なし"),
)


def parse_rule(code: str | None) -> calc.RoundingRule:
    """``""`` / ``none`` → no rounding; ``half_up:0``, ``floor:0``, ``half_up:2`` …"""
    code = (code or "").strip()
    if code in ("", "none"):
        return calc.RoundingRule.none()
    mode, _, places = code.partition(":")
    try:
        return calc.RoundingRule(mode, int(places or 0))  # type: ignore[arg-type]
    except (ValueError, calc.EffectError) as exc:
        raise InputError(f"端数処理の指定が読めません: 「{code}」") from exc


def rule_code(rule: calc.RoundingRule) -> str:
    return "" if rule.is_none else f"{rule.mode}:{rule.places}"


_RULE_WORDS = {
    "なし": "", "端数処理なし": "", "none": "",
    "円未満四捨五入": "half_up:0", "四捨五入": "half_up:0", "千円未満四捨五入": "half_up:0",
    "円未満切り捨て": "floor:0", "切り捨て": "floor:0", "千円未満切り捨て": "floor:0",
    "円未満切捨て": "floor:0", "千円未満切捨て": "floor:0",
    "小数第3位を四捨五入": "half_up:2", "小数第2位を四捨五入": "half_up:1",
}


def rule_from_text(text: str | None) -> str:
    """A rule as staff write it (円未満四捨五入, なし, half_up:0) → the stored code; InputError if unknown."""
    raw = remove_spaces(nfkc(text or ""))
    if raw in _RULE_WORDS:
        return _RULE_WORDS[raw]
    parse_rule(raw)  # raises for anything else
    return raw


def has_inputs(effect) -> bool:
    return effect.hours_saved is not None or effect.minutes_saved is not None or bool(effect.hours_breakdown)


def labour_cost(effect) -> calc.LabourCost | Decimal:
    if effect.hourly_rate is not None:
        return calc.to_decimal(effect.hourly_rate)
    missing = [label for label, value in (("月額人件費", effect.monthly_salary), ("月あたり稼働日数", effect.working_days),
                                          ("1日あたり所定労働時間", effect.hours_per_day)) if value is None]
    if missing:
        raise InputError(f"時間単価がなく、算出に必要な{'・'.join(missing)}もありません")
    return calc.LabourCost(
        calc.to_decimal(effect.monthly_salary), calc.to_decimal(effect.working_days),
        calc.to_decimal(effect.hours_per_day).normalize(), label=effect.labour_cost_label,
    )


def to_calc(effect, *, measure=None, department: str | None = None) -> calc.Effect:
    """The stored inputs as a ``calc.Effect`` (raises :class:`InputError` / ``calc.EffectError`` on bad inputs).

    ``effect`` is an :class:`~shinchoku.effects.models.Effect` or any object with its input attributes
    (the importer checks a row this way before anything is written); ``measure`` a plan item.
    """
    if not has_inputs(effect):
        raise InputError("削減時間（時間・分・内訳のいずれか）が入力されていません")
    given = [effect.hours_saved is not None, effect.minutes_saved is not None, bool(effect.hours_breakdown)]
    if sum(given) > 1:
        raise InputError("削減時間は「時間」「分」「内訳」のいずれか1つで指定してください")
    parts = tuple(calc.HoursPart(p["label"], calc.to_decimal(str(p["hours"]))) for p in effect.hours_breakdown or [])
    factors = tuple(
        calc.Factor(calc.to_decimal(str(m["value"])), m.get("unit", ""), m.get("label", ""))
        for m in effect.multipliers or []
    )
    return calc.Effect(
        name=effect.name or (effect.node.title if effect.node_id else "") or f"効果 #{effect.pk}",
        rate=labour_cost(effect),
        hours=calc.to_decimal(effect.hours_saved).normalize() if effect.hours_saved is not None else None,
        minutes=calc.to_decimal(effect.minutes_saved).normalize() if effect.minutes_saved is not None else None,
        parts=parts,
        factors=factors,
        period=effect.period_unit or "year",  # type: ignore[arg-type]
        periods_per_year=calc.to_decimal(effect.periods_per_year).normalize() if effect.periods_per_year is not None else None,
        rate_rounding=parse_rule(effect.rate_rounding),
        yen_rounding=parse_rule(effect.yen_rounding),
        thousand_rounding=parse_rule(effect.thousand_rounding),
        plan=effect.plan.name if effect.plan_id else None,
        measure=node_label(measure),
        department=department,
        year=effect.fiscal_year,
    )


def input_problem(fields: dict) -> str | None:
    """Why the computation inputs in ``fields`` cannot be computed (None: they can, or there are none)."""
    probe = SimpleNamespace(**{k: fields.get(k) for k in INPUT_FIELDS}, name=fields.get("name", ""), node_id=None,
                            plan_id=None, pk=None, fiscal_year=fields.get("fiscal_year") or 2000)
    if probe.hours_saved is None and probe.minutes_saved is None and not probe.hours_breakdown:
        return None
    try:
        to_calc(probe).compute()
    except (InputError, calc.EffectError) as exc:
        return str(exc)
    return None
