"""Stored effects computed with :mod:`shinchoku.effects.calc`: formulas, published-figure checks, roll-ups.

An :class:`~shinchoku.effects.models.Effect` row holds the published figure (``raw_value``) and, when
known, the computation inputs (hours saved per unit and period, multipliers, the unit labour cost or
its inputs, and the rounding rules). :func:`.inputs.to_calc` turns the row into a ``calc.Effect``;
:func:`compute_effects` computes every effect with its formula and, when a figure was published,
says whether the stated rules reproduce it and which rules would (:func:`calc.rules_reproducing`).
:func:`roll_ups` totals the effects by plan, measure, department and fiscal year.

Measure (施策) of an effect: the ancestor of its plan item at depth 1 (目標/指針 → **施策** → 取組…);
an item at depth 0 or 1 is its own measure; an effect without an item has none.
Department: the effect's own department, else its evaluation sheet's, else the item's first 所管課.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Iterable, Sequence

from shinchoku.core.fiscal import to_wareki
from shinchoku.effects import calc
from shinchoku.effects.inputs import InputError, has_inputs, node_label, to_calc
from shinchoku.effects.models import Effect
from shinchoku.plans.models import PlanNode


def measure_of(node: PlanNode | None, nodes_by_id: dict[int, PlanNode]) -> PlanNode | None:
    if node is None:
        return None
    current = node
    while current.depth > 1 and current.parent_id in nodes_by_id:
        current = nodes_by_id[current.parent_id]
    return current


# ---------------------------------------------------------------------------------------------


@dataclass
class Computation:
    effect: Effect
    measure: PlanNode | None
    department: str | None
    calc_effect: calc.Effect | None = None
    result: calc.EffectResult | None = None
    error: str | None = None
    published_thousand_yen: Decimal | None = None  # the published 千円/年 figure, when it is one
    published_hours: Decimal | None = None  # a published 時間/年 figure
    reproduces: bool | None = None  # the stated rules give the published figure
    alternatives: list[calc.RuleOutcome] = field(default_factory=list)
    reproducing_rules: list[calc.RuleOutcome] = field(default_factory=list)

    @property
    def rate_rule(self) -> calc.RoundingRule | None:
        return self.calc_effect.rate_rounding if self.calc_effect else None


def _published(effect: Effect) -> tuple[Decimal | None, Decimal | None]:
    """The published figure as 千円/年 (money) or 時間/年 (hours); None if it is not a yearly figure."""
    if effect.amount is None:
        return None, None
    per_year = {"year": Decimal(1), "month": Decimal(12)}.get(effect.period)
    if per_year is None:
        return None, None
    yearly = Decimal(effect.amount) * per_year
    if effect.unit == Effect.Unit.YEN:
        return yearly / calc.THOUSAND, None
    return None, yearly


def compute_effects(effects: Iterable[Effect]) -> list[Computation]:
    effects = list(effects)
    plan_ids = {e.plan_id for e in effects}
    nodes_by_id = {n.pk: n for n in PlanNode.objects.filter(plan_id__in=plan_ids).prefetch_related("departments")}
    out: list[Computation] = []
    for effect in effects:
        node = nodes_by_id.get(effect.node_id) if effect.node_id else None
        department = None
        if effect.department_id:
            department = effect.department.name
        elif effect.sheet_id and effect.sheet.department_id:
            department = effect.sheet.department.name
        elif node is not None:
            first = next(iter(node.departments.all()), None)
            department = first.name if first else None
        comp = Computation(effect=effect, measure=measure_of(node, nodes_by_id), department=department)
        comp.published_thousand_yen, comp.published_hours = _published(effect)
        if has_inputs(effect):
            try:
                comp.calc_effect = to_calc(effect, measure=comp.measure, department=department)
                comp.result = comp.calc_effect.compute()
            except (InputError, calc.EffectError) as exc:
                comp.error = str(exc)
        if comp.result is not None:
            if comp.published_thousand_yen is not None:
                comp.reproduces = comp.result.yearly_thousand_yen.value == comp.published_thousand_yen
                comp.alternatives = calc.compare_rules(comp.calc_effect)
                comp.reproducing_rules = calc.rules_reproducing(comp.calc_effect, comp.published_thousand_yen)
            elif comp.published_hours is not None:
                comp.reproduces = comp.result.yearly_hours.value == comp.published_hours
        out.append(comp)
    return out


def roll_ups(computations: Sequence[Computation]) -> dict[str, list[calc.RollUp]]:
    """Totals by plan, measure, department and fiscal year (only effects that could be computed)."""
    results = [c.result for c in computations if c.result is not None]
    return {key: list(calc.roll_up(results, key).values()) for key in calc.ROLL_UP_KEYS}


# ---------------------------------------------------------------------------------------------
# JSON / text


def _num(value: Decimal | None) -> str | None:
    if value is None:
        return None
    return format(value.normalize(), "f") if value == value.to_integral_value() else str(value)


def _step(r: calc.CalcResult) -> dict:
    return {"value": _num(r.value), "exact": _num(r.exact), "unit": r.unit, "formula": r.formula,
            "rounding": r.rounding.describe("千円" if r.unit.startswith("千円") else "円")}


def computation_dict(c: Computation) -> dict:
    e = c.effect
    data = {
        "id": e.pk,
        "name": c.calc_effect.name if c.calc_effect else (e.name or None),
        "municipality": e.municipality.code,
        "plan": e.plan.name,
        "node": node_label(e.node) if e.node_id else None,
        "measure": node_label(c.measure),
        "department": c.department,
        "sheet": f"{e.sheet.code} {e.sheet.name}" if e.sheet_id else None,
        "fiscal_year": e.fiscal_year,
        "fiscal_year_label": to_wareki(e.fiscal_year),
        "kind": e.get_kind_display(),
        "published": e.raw_value or None,
        "published_thousand_yen_per_year": _num(c.published_thousand_yen),
        "published_hours_per_year": _num(c.published_hours),
        "computed": c.result is not None,
        "error": c.error,
    }
    if c.result is None:
        return data
    r = c.result
    data.update({
        "rules": {
            "hourly_rate": c.calc_effect.rate_rounding.describe("円") if c.calc_effect.rate_rounding else "端数処理なし",
            "yen": c.calc_effect.yen_rounding.describe("円"),
            "thousand_yen": c.calc_effect.thousand_rounding.describe("千円"),
        },
        "formula": r.formula,
        "steps": {
            "hours_per_period": _step(r.hours_per_period),
            "hours_per_year": _step(r.yearly_hours),
            "hourly_rate": _step(r.hourly_rate),
            "yen_per_year": _step(r.yearly_yen),
            "thousand_yen_per_year": _step(r.yearly_thousand_yen),
        },
        "hours_per_year": _num(r.yearly_hours.value),
        "hourly_rate": _num(r.hourly_rate.value),
        "yen_per_year": _num(r.yearly_yen.value),
        "thousand_yen_per_year": _num(r.yearly_thousand_yen.value),
        "result": f"{calc.fmt(r.yearly_thousand_yen.value)}千円/年",
        "reproduces_published": c.reproduces,
        "under_other_rules": [
            {"rule": o.label, "hourly_rate": _num(o.hourly_rate), "thousand_yen_per_year": _num(o.yearly_thousand_yen),
             "reproduces_published": (o.yearly_thousand_yen == c.published_thousand_yen)
             if c.published_thousand_yen is not None else None}
            for o in c.alternatives
        ],
        "rules_reproducing_published": [o.label for o in c.reproducing_rules],
    })
    return data


def rule_consistency(computations: Sequence[Computation]) -> dict:
    """Can ONE set of rounding rules reproduce every published figure? (The Koto report's cannot.)

    For each effect with a published yearly figure: the hourly-rate rule stored on it (the one that
    reproduces the figure) and every rule combination that would; ``common`` is the combinations
    that reproduce all of them. Empty → the published figures were computed with different rules.
    """
    stated: dict[str, dict] = {}
    combos: list[set[str]] = []
    for c in computations:
        if c.result is None or c.published_thousand_yen is None:
            continue
        name = c.calc_effect.name
        stated[name] = {
            "hourly_rate_rule": c.calc_effect.rate_rounding.describe("円"),
            "thousand_yen_rule": c.calc_effect.thousand_rounding.describe("千円"),
            "result": _num(c.result.yearly_thousand_yen.value),
            "published": _num(c.published_thousand_yen),
            "reproduces": c.reproduces,
            "rules_reproducing": [o.label for o in c.reproducing_rules],
        }
        combos.append({o.label for o in c.reproducing_rules})
    common = sorted(set.intersection(*combos)) if combos else []
    consistent = bool(common) or len(combos) <= 1
    if not stated:
        message = "公表値と比べられる効果はありません"
    elif consistent:
        message = "公表値はすべて同じ端数処理で再現できます（" + "、".join(common or ["—"]) + "）"
    else:
        message = (
            "公表値を一つの端数処理ですべて再現することはできません。公表値はそれぞれ次の規則で計算されています: "
            + "、".join(f"{name}（{calc.fmt(Decimal(v['result']))}千円/年）は時間単価{v['hourly_rate_rule']}"
                       for name, v in stated.items())
        )
    return {"consistent": consistent, "common_rules": common, "by_effect": stated, "message": message}


def roll_up_dict(kind: str, r: calc.RollUp) -> dict:
    key = r.key
    return {
        "by": kind,
        "key": key if key is None or isinstance(key, (str, int)) else str(key),
        "label": to_wareki(key) if kind == "year" and isinstance(key, int) else key,
        "count": r.count,
        "hours_per_year": _num(r.yearly_hours.value),
        "yen_per_year": _num(r.yearly_yen.value),
        "thousand_yen_per_year": _num(r.yearly_thousand_yen.value),
        "sum_of_thousand_yen": _num(r.sum_of_thousand_yen),
        "formula": r.formula,
    }


def report(computations: Sequence[Computation]) -> dict:
    ups = roll_ups(computations)
    return {
        "effects": [computation_dict(c) for c in computations],
        "rule_consistency": rule_consistency(computations),
        "roll_ups": {kind: [roll_up_dict(kind, r) for r in rows] for kind, rows in ups.items()},
    }
