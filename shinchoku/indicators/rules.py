"""Who may change an indicator — the reason for a refusal, or None.

Rules (SPEC "Users and roles": the planning division "defines plans, indicators"; a department editor
"fills in … indicator actuals"):

- the planning division (企画・DX推進課) does everything: it adds indicators, changes their definition
  (name, kind, unit, direction, definition, data source, baseline, final target year, cumulative
  start, reference amounts 基準量, owner, linked nodes, group), registers and removes definition
  changes, and enters and clears every value — 実績, 見込み *and* 目標;
- a department editor enters and clears only the 実績 (actual) and 見込み (estimate) values of an
  indicator it answers for: the indicator's owner (担当課) is one of the editor's departments (or
  below one), or the indicator is linked to a plan node one of them owns (a re-listed node 再掲
  counts with its original's departments). It may not set or clear a 目標 (target), change the
  definition, nor add an indicator: targets, direction and baseline decide the grade, and a
  department must not set the bar it is judged against;
- executives and auditors read only; nobody changes another municipality's indicator.

``responsible`` is :class:`~shinchoku.core.rules.Owners` from
:func:`shinchoku.indicators.queries.responsible_departments`, read once by the caller.
"""

from __future__ import annotations

from shinchoku.core import rules
from shinchoku.core.access import Access
from shinchoku.core.rules import PLANNING_DIVISION, Owners
from shinchoku.indicators.models import Indicator, IndicatorValue

EDITOR_HINT = "所管課の担当者が入力できるのは、担当する指標の実績・見込みの値です"


def value_action(kind: str, verb: str = "入力") -> str:
    """What a refusal names: 「目標値の入力」「実績値の削除」… (「指標の値の入力」 for an unknown kind)."""
    if kind in IndicatorValue.Kind.values:
        return f"{IndicatorValue.Kind(kind).label}値の{verb}"
    return f"指標の値の{verb}"


def edit(access: Access, indicator: Indicator, responsible: Owners, what: str = "この指標の編集") -> str | None:
    """Enter 実績・見込み: planning, or an editor who answers for the indicator."""
    refusal = rules.writer(access, indicator.municipality_id, what)
    if refusal or access.is_planning:
        return refusal
    if access.is_editor and access.covers(responsible.ids):
        return None
    return (
        f"{what}は、指標の担当課・関連項目の所管課（{rules.names(responsible.names, '未設定')}）の担当者または"
        f"{PLANNING_DIVISION}のみが行えます"
    )


def define(access: Access, indicator: Indicator, what: str = "指標の定義の変更") -> str | None:
    """Change the definition, the definition changes, the targets: planning only."""
    return rules.planning(access, indicator.municipality_id, what, hint=EDITOR_HINT)


def create(access: Access, municipality_id: int) -> str | None:
    return rules.planning(access, municipality_id, "指標の追加")


def enter_value(access: Access, indicator: Indicator, kind: str, responsible: Owners, what: str | None = None) -> str | None:
    """Enter or clear the ``kind`` value: 実績・見込み as :func:`edit`, 目標 planning only."""
    what = what or value_action(kind)
    if kind == IndicatorValue.Kind.TARGET:
        return rules.planning(access, indicator.municipality_id, what, hint=EDITOR_HINT)
    return edit(access, indicator, responsible, what)


def editable_kinds(access: Access, indicator: Indicator, responsible: Owners) -> tuple[str, ...]:
    """The value kinds ``access`` may enter for ``indicator`` (in the grid's order), () when none."""
    return tuple(
        kind for kind in (IndicatorValue.Kind.ACTUAL, IndicatorValue.Kind.TARGET, IndicatorValue.Kind.ESTIMATE)
        if enter_value(access, indicator, kind, responsible) is None
    )
