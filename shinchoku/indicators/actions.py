"""Every write to indicators — 指標 (definitions, definition changes, values).

Values are always stored as published *and* as read by the value parser (``values.parsed_fields``).
Each action asks :mod:`shinchoku.indicators.rules` first and raises ``Refused`` with the Japanese
reason; invalid input raises ``ValidationError`` keyed by the form field it belongs to (the forms show
it next to the field); a cell changed since the editor opened it raises ``StaleError``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from shinchoku.core import fiscal
from shinchoku.core.access import Access
from shinchoku.core.actions import StaleError, action, lock
from shinchoku.core.rules import Refused, require
from shinchoku.core.text import nfkc, remove_spaces
from shinchoku.core.upsert import UpsertTally
from shinchoku.indicators import rules
from shinchoku.indicators import values as value_parser
from shinchoku.indicators.models import Indicator, IndicatorDefinitionChange, IndicatorValue
from shinchoku.indicators.queries import responsible_departments
from shinchoku.indicators.values import parsed_fields
from shinchoku.plans.models import Plan

DEFINITION_FIELDS = (
    "name", "kind", "unit", "direction", "definition", "data_source", "baseline_year", "baseline_text",
    "final_target_year", "cumulative_since", "owner", "nodes", "reference_amounts", "group",
)
YEAR_FIELDS = ("baseline_year", "final_target_year", "cumulative_since")


class UnreadableValueError(ValidationError):
    """The value parser cannot read the text; it is stored only when the editor confirms."""

    def __init__(self, parsed: value_parser.ParsedValue):
        self.parsed = parsed
        super().__init__({"raw_text": [f"「{parsed.raw}」は数値として読めません（{parsed.error}）"]})


@dataclass
class ValueChange:
    """What a value save did: created / updated / unchanged / deleted / absent (nothing to clear)."""

    indicator: Indicator
    fiscal_year: int
    kind: str
    action: str
    value: IndicatorValue | None
    before: str | None  # the published text before, None when there was no row
    parsed: value_parser.ParsedValue | None = None

    @property
    def changed(self) -> bool:
        return self.action in ("created", "updated", "deleted")


# --------------------------------------------------------------------------- validation (shared with the forms)


def _year(value, field: str, errors: dict) -> int | None:
    if value in (None, ""):
        return None
    try:
        return fiscal.parse_fiscal_year(value)
    except fiscal.FiscalYearError as exc:
        errors.setdefault(field, []).append(str(exc))
        return None


def _text(value, field: str, label: str, max_length: int, errors: dict, *, required: bool = False) -> str:
    text = "" if value is None else str(value).strip()
    if required and not text:
        errors.setdefault(field, []).append(f"{label}を入力してください")
    if len(text) > max_length:
        errors.setdefault(field, []).append(f"{label}は{max_length}文字以内で入力してください（{len(text)}文字）")
    return text


def normalise_reference_amounts(amounts, errors: dict | None = None) -> dict[str, str]:
    """{2024: Decimal('120000000')} or {"2024": "120,000,000円"} → {"2024": "120000000"} (base units)."""
    errors = {} if errors is None else errors
    out: dict[str, str] = {}
    for year, amount in dict(amounts or {}).items():
        fy = _year(year, "reference_amounts", errors)
        if fy is None:
            continue
        if isinstance(amount, (int, Decimal)) and not isinstance(amount, bool):
            amount = _plain_decimal(Decimal(amount))
        pv = amount if isinstance(amount, value_parser.ParsedValue) else value_parser.parse_value(str(amount))
        if not pv.has_number or pv.denominator is not None or pv.reference or pv.bound or pv.approximate:
            why = pv.error or "金額・数量を1つの数値で書いてください（約・以上・分数は使えません）"
            errors.setdefault("reference_amounts", []).append(f"{fy}年度の基準量「{pv.raw}」を読めません（{why}）")
            continue
        out[str(fy)] = _plain_decimal(pv.value)
    return dict(sorted(out.items()))


def _plain_decimal(number: Decimal) -> str:
    text = format(number, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def clean_definition(municipality_id: int, plan_id: int | None, fields: dict, current: Indicator | None) -> dict:
    """Validate and normalise definition fields; raises ValidationError keyed by field.

    The one check of an indicator's definition: the form, the API and the plan-workbook import all
    call it, so a value the form refuses is refused everywhere.
    """
    unknown = set(fields) - set(DEFINITION_FIELDS)
    if unknown:
        raise TypeError(f"unknown indicator fields: {sorted(unknown)}")
    errors: dict[str, list[str]] = {}
    out: dict = {}
    for name, value in fields.items():
        if name == "name":
            out[name] = _text(value, name, "指標名", 300, errors, required=True)
        elif name == "kind":
            if value not in Indicator.Kind.values:
                errors.setdefault(name, []).append(f"種別「{value}」は選べません（{'・'.join(Indicator.Kind.labels)}）")
            out[name] = value
        elif name == "direction":
            value = value or ""
            if value and value not in Indicator.Direction.values:
                errors.setdefault(name, []).append(f"方向「{value}」は選べません（{'・'.join(Indicator.Direction.labels)}）")
            out[name] = value
        elif name == "unit":
            unit = _text(nfkc(value or ""), name, "単位", 30, errors)
            if unit and value_parser.split_unit(unit) is None:
                errors.setdefault(name, []).append(
                    f"「{unit}」は登録されていない単位です（例: 件・%・人・団体・時間・千円・万件）"
                )
            out[name] = unit
        elif name == "definition":
            out[name] = "" if value is None else str(value).strip()
        elif name == "data_source":
            out[name] = _text(value, name, "出典", 300, errors)
        elif name == "group":
            out[name] = _text(value, name, "区分", 300, errors)
        elif name in YEAR_FIELDS:
            out[name] = _year(value, name, errors)
        elif name == "baseline_text":
            text = _text(value, name, "基準値", 100, errors)
            if text:
                pv = value_parser.parse_value(text)
                if not pv.readable:
                    errors.setdefault(name, []).append(f"基準値「{text}」を読めません（{pv.error}）")
                elif not pv.has_number:
                    errors.setdefault(name, []).append("基準値には数値を入力してください（空欄: 基準年度の実績を使います）")
            out[name] = text
        elif name == "owner":
            if value is not None and value.municipality_id != municipality_id:
                raise Refused("担当課は同じ団体の所管課から選んでください")
            out[name] = value
        elif name == "nodes":
            nodes = list(value or [])
            for node in nodes:
                if node.municipality_id != municipality_id:
                    raise Refused("関連項目は同じ団体の計画項目から選んでください")
                if plan_id is not None and node.plan_id != plan_id:
                    errors.setdefault(name, []).append(f"「{node}」はこの指標の計画の項目ではありません")
            out[name] = nodes
        elif name == "reference_amounts":
            out[name] = normalise_reference_amounts(value, errors)
    baseline = out.get("baseline_year", current.baseline_year if current else None)
    final = out.get("final_target_year", current.final_target_year if current else None)
    if baseline is not None and final is not None and baseline > final and "baseline_year" not in errors:
        errors.setdefault("final_target_year" if "final_target_year" in out else "baseline_year", []).append(
            f"最終目標年度（{fiscal.label(final)}）が基準年度（{fiscal.label(baseline)}）より前です"
        )
    if errors:
        raise ValidationError(errors)
    return out


def _differs(indicator: Indicator, name: str, value) -> bool:
    if name == "nodes":
        return set(indicator.nodes.values_list("pk", flat=True)) != {n.pk for n in value}
    if name == "owner":
        return indicator.owner_id != (value.pk if value is not None else None)
    return getattr(indicator, name) != value


# --------------------------------------------------------------------------- definitions


@action
def update_definition(access: Access, indicator: Indicator, **fields) -> list[str]:
    """Change the definition fields given (see DEFINITION_FIELDS); returns the names that changed.

    Planning division only — every field, including who answers for the indicator (owner, linked
    nodes) and its group: direction, baseline, final target year and reference amounts decide the
    grade, so a department editor (even of the indicator's own department) is refused.
    """
    require(rules.define(access, indicator, "指標の定義の変更"))
    cleaned = clean_definition(indicator.municipality_id, indicator.plan_id, fields, indicator)
    changed = [name for name, value in cleaned.items() if _differs(indicator, name, value)]
    row = [name for name in changed if name != "nodes"]
    for name in row:
        setattr(indicator, name, cleaned[name])
    if row:
        indicator.save()
    if "nodes" in changed:
        indicator.nodes.set(cleaned["nodes"])
    return changed


def _next_code(plan: Plan, group: str) -> str:
    existing = set(Indicator.objects.filter(plan=plan).values_list("code", flat=True))
    m = re.match(r"^\s*(目標\s*\d+)", nfkc(group or ""))
    prefix = f"{remove_spaces(m.group(1))}-" if m else "指標"
    n = Indicator.objects.filter(plan=plan, group=group).count() + 1 if m else len(existing) + 1
    while f"{prefix}{n}" in existing:
        n += 1
    return f"{prefix}{n}"


@action
def create_indicator(access: Access, plan: Plan, *, name: str, code: str = "", **fields) -> Indicator:
    """A new indicator of ``plan`` (planning division only), placed after the last one of its group.

    ``code`` (指標コード, unique in the plan) defaults to the next free code of the group
    (目標1-6 after 目標1-5) or 指標N.
    """
    require(rules.create(access, plan.municipality_id))
    fields = {"kind": Indicator.Kind.OUTCOME, **fields, "name": name}
    cleaned = clean_definition(plan.municipality_id, plan.pk, fields, None)
    code = nfkc(code or "").strip()
    if len(code) > 50:
        raise ValidationError({"code": ["指標コードは50文字以内で入力してください"]})
    group = cleaned.get("group", "")
    code = code or _next_code(plan, group)
    if Indicator.objects.filter(plan=plan, code=code).exists():
        raise ValidationError({"code": [f"指標コード「{code}」はこの計画で既に使われています"]})
    siblings = Indicator.objects.filter(plan=plan).order_by("order", "code")
    last_of_group = siblings.filter(group=group).last()
    if last_of_group is None:
        order = (siblings.last().order + 1) if siblings.exists() else 1
    else:
        order = last_of_group.order + 1
        for later in siblings.filter(order__gte=order):
            later.order += 1
            later.save(update_fields=["order"])
    nodes = cleaned.pop("nodes", [])
    indicator = Indicator.objects.create(municipality_id=plan.municipality_id, plan=plan, code=code, order=order, **cleaned)
    if nodes:
        indicator.nodes.set(nodes)
    return indicator


@action
def add_definition_change(access: Access, indicator: Indicator, effective_fiscal_year, description: str) -> IndicatorDefinitionChange:
    """Record that the indicator is measured differently from ``effective_fiscal_year`` on (planning only)."""
    require(rules.define(access, indicator, "定義変更の登録"))
    errors: dict[str, list[str]] = {}
    year = _year(effective_fiscal_year, "effective_fiscal_year", errors)
    if year is None and "effective_fiscal_year" not in errors:
        errors["effective_fiscal_year"] = ["適用年度を入力してください"]
    text = _text(description, "description", "変更内容", 2000, errors, required=True)
    if year is not None and indicator.definition_changes.filter(effective_fiscal_year=year).exists():
        errors.setdefault("effective_fiscal_year", []).append(
            f"{fiscal.label(year)}の定義変更は既に登録されています（変えるときは削除してから登録し直してください）"
        )
    if errors:
        raise ValidationError(errors)
    return IndicatorDefinitionChange.objects.create(
        municipality_id=indicator.municipality_id, indicator=indicator, effective_fiscal_year=year, description=text
    )


@action
def remove_definition_change(access: Access, change: IndicatorDefinitionChange) -> None:
    """Planning only, like registering one."""
    require(rules.define(access, change.indicator, "定義変更の削除"))
    change.delete()


# --------------------------------------------------------------------------- values


def _value_key(fiscal_year, kind: str) -> int:
    errors: dict[str, list[str]] = {}
    year = _year(fiscal_year, "fiscal_year", errors)
    if kind not in IndicatorValue.Kind.values:
        errors.setdefault("kind", []).append(f"区分「{kind}」は選べません（{'・'.join(IndicatorValue.Kind.labels)}）")
    if year is None and not errors:
        errors["fiscal_year"] = ["年度を入力してください"]
    if errors:
        raise ValidationError(errors)
    return year


def _cell_label(indicator: Indicator, year: int, kind: str) -> str:
    return f"指標「{indicator.name}」の{fiscal.to_wareki(year)}の{IndicatorValue.Kind(kind).label}値"


def _check_expected(indicator: Indicator, year: int, kind: str, row: IndicatorValue | None, expected: str | None) -> None:
    if expected is None:
        return
    current = row.raw_text if row is not None else ""
    if current != expected:
        raise StaleError(
            _cell_label(indicator, year, kind), expected=expected, current=row, current_version=current,
            theirs={"raw_text": current},
        )


_UNREAD = object()


def _store(indicator: Indicator, fiscal_year: int, kind: str, raw: str, tally: UpsertTally, row=_UNREAD,
           **extra) -> IndicatorValue:
    """Create or update one cell: ``row`` is the cell as the caller locked and checked it (None: there
    was none), else it is locked here. A new row is inserted, never upserted after a look that may be
    stale (another transaction may insert it in between, and the unique constraint then says so)."""
    fields = {"municipality_id": indicator.municipality_id, "raw_text": raw, **parsed_fields(raw), **extra}
    if row is _UNREAD:
        row = lock(IndicatorValue, indicator=indicator, fiscal_year=fiscal_year, kind=kind)
    if row is None:
        row = IndicatorValue.objects.create(indicator=indicator, fiscal_year=fiscal_year, kind=kind, **fields)
        tally.count("指標値", "created")
    else:
        changed = [k for k, v in fields.items() if getattr(row, k) != v]
        for k in changed:
            setattr(row, k, fields[k])
        if changed:
            row.save()
        tally.count("指標値", "updated" if changed else "unchanged")
    if not indicator.unit and fields["unit"]:
        indicator.unit = fields["unit"]
        indicator.save(update_fields=["unit"])
    return row


@action
def save_value(
    access: Access, indicator: Indicator, fiscal_year, kind: str, raw: str, *,
    confirm_unreadable: bool = False, expected: str | None = None, notes: str | None = None, as_of=None,
) -> ValueChange:
    """Store the published text of one cell (年度 × 実績/目標/見込み) as written, and as read.

    * The text is kept verbatim (surrounding whitespace aside). A blank text clears the cell.
    * Text the value parser cannot read raises :class:`UnreadableValueError` (nothing written) unless
      ``confirm_unreadable``: then it is stored with ``readable=False`` and no number — the engine
      judges it 判定不可, never a guessed figure.
    * ``expected``: the text the editor started from ('' = empty cell); if the cell changed since,
      ``StaleError`` and nothing is written.
    * Who: 実績・見込み — planning, or an editor who answers for the indicator; 目標 — planning only
      (「目標値の入力は企画・DX推進課（計画管理者）のみが行えます…」) — the same rule on the screen,
      the API and in a survey round.
    """
    require(rules.enter_value(access, indicator, kind, responsible_departments(indicator), rules.value_action(kind, "入力")))
    year = _value_key(fiscal_year, kind)
    text = (raw or "").strip()
    if not text:
        return clear_value(access, indicator, year, kind, expected=expected)
    if len(text) > IndicatorValue._meta.get_field("raw_text").max_length:
        raise ValidationError({"raw_text": ["公表値は300文字以内で入力してください"]})
    parsed = value_parser.parse_value(text)
    row = lock(IndicatorValue, indicator=indicator, fiscal_year=year, kind=kind)
    _check_expected(indicator, year, kind, row, expected)
    before = row.raw_text if row is not None else None
    extra = {k: v for k, v in (("notes", notes), ("as_of", as_of)) if v is not None}
    if row is not None and row.raw_text == text and all(getattr(row, k) == v for k, v in extra.items()):
        return ValueChange(indicator, year, kind, "unchanged", row, before, parsed)
    if not parsed.readable and not confirm_unreadable:
        raise UnreadableValueError(parsed)
    try:
        with transaction.atomic():
            value = _store(indicator, year, kind, text, UpsertTally(), row=row, **extra)
    except IntegrityError:  # another editor created the cell a moment ago
        winner = IndicatorValue.objects.get(indicator=indicator, fiscal_year=year, kind=kind)
        raise StaleError(_cell_label(indicator, year, kind), expected=expected or "", current=winner,
                         current_version=winner.raw_text, theirs={"raw_text": winner.raw_text}) from None
    return ValueChange(indicator, year, kind, "created" if row is None else "updated", value, before, parsed)


@action
def clear_value(access: Access, indicator: Indicator, fiscal_year, kind: str, *, expected: str | None = None) -> ValueChange:
    """Delete the cell's row (年度 × 区分); nothing to delete is not an error. Who: as for saving."""
    require(rules.enter_value(access, indicator, kind, responsible_departments(indicator), rules.value_action(kind, "削除")))
    year = _value_key(fiscal_year, kind)
    row = lock(IndicatorValue, indicator=indicator, fiscal_year=year, kind=kind)
    _check_expected(indicator, year, kind, row, expected)
    if row is None:
        return ValueChange(indicator, year, kind, "absent", None, None)
    before = row.raw_text
    row.delete()
    return ValueChange(indicator, year, kind, "deleted", None, before)


@action
def import_values(
    access: Access, indicator: Indicator, values: list[tuple[int, str, str]], *, tally: UpsertTally | None = None,
) -> list[IndicatorValue]:
    """Batch variant for importers of published documents: ``values`` = (fiscal year, kind, text).

    Published figures include targets, so this is the planning division's (or a command's); texts are
    stored as published even when the parser cannot read them (the engine then says 判定不可).
    """
    require(rules.define(access, indicator, "指標の値の取込"))
    tally = tally or UpsertTally()
    return [_store(indicator, year, kind, raw, tally) for year, kind, raw in values]
