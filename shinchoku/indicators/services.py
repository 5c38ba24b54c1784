"""Writes to indicators — values are always stored as published *and* as read by the value parser."""

from __future__ import annotations

from decimal import Decimal
from typing import Sequence

from shinchoku.core.upsert import UpsertTally
from shinchoku.indicators import values as value_parser
from shinchoku.indicators.models import Indicator, IndicatorValue


def parsed_fields(raw: str) -> dict:
    """The IndicatorValue columns derived from the published text."""
    pv = value_parser.parse_value(raw or "")
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


def set_indicator_value(
    indicator: Indicator, fiscal_year: int, kind: str, raw: str, *, tally: UpsertTally | None = None, **extra
) -> IndicatorValue:
    tally = tally or UpsertTally()
    fields = {"municipality": indicator.municipality, "raw_text": raw, **parsed_fields(raw), **extra}
    value = tally.upsert(
        "指標値", IndicatorValue, {"indicator": indicator, "fiscal_year": fiscal_year, "kind": kind}, fields
    )
    if not indicator.unit and fields["unit"]:
        indicator.unit = fields["unit"]
        indicator.save(update_fields=["unit"])
    return value


def infer_direction_from_values(stored: Sequence[IndicatorValue]) -> str | None:
    """Higher or lower is better, when the plan does not say: the final target against the first actual.

    A bound word on the target decides first (``85%以下`` → lower). Otherwise a final target below the
    first actual means lower is better (文書量 5,900fm → 3,000fm; 事故 9件 → 0件), above it higher.
    Equal or missing figures leave the direction unset (the engine then says 判定不可).
    """
    targets = sorted((v for v in stored if v.kind == IndicatorValue.Kind.TARGET and v.readable), key=lambda v: v.fiscal_year)
    for target in reversed(targets):
        inferred = value_parser_direction(target.raw_text)
        if inferred:
            return inferred
    actuals = sorted(
        (v for v in stored if v.kind == IndicatorValue.Kind.ACTUAL and v.value is not None), key=lambda v: v.fiscal_year
    )
    final = next((t for t in reversed(targets) if t.value is not None), None)
    if not actuals or final is None:
        return None
    first = _comparable(actuals[0])
    goal = _comparable(final)
    if goal < first:
        return Indicator.Direction.LOWER
    if goal > first:
        return Indicator.Direction.HIGHER
    return None


def _comparable(v: IndicatorValue) -> Decimal:
    if v.denominator:
        return v.value / v.denominator
    return v.value


def value_parser_direction(raw: str) -> str | None:
    from shinchoku.indicators.judgement import infer_direction

    direction = infer_direction(value_parser.parse_value(raw))
    return direction.value if direction is not None else None
