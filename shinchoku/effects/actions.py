"""Every write to effects (効果): effect lines with their published figure and computation inputs.

* :func:`save_effect` — create or update one effect line of a plan (an item, or the plan as a whole)
  for a fiscal year and kind. The published figure is read by :func:`.inputs.published_figure` and
  the inputs must compute (:func:`.inputs.input_problem`) — the same checks as the importer's parser.
  Any importer (the effects file, the plan workbook) writes effects through it.
* :func:`import_effects` — the batch variant of ``shinchoku import effects``: finds the municipality,
  plan, item, department and evaluation sheet each row names, and saves every row; any problem is
  collected with its row and column and nothing is written (:class:`~shinchoku.core.importing.ImportFailed`).

Who: the planning division (or a command) — :func:`.rules.edit_effects`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError

from shinchoku.core.access import Access
from shinchoku.core.actions import action, ensure_department, lock
from shinchoku.core.importing import ImportFailed, Problem
from shinchoku.core.models import Municipality
from shinchoku.core.rules import require
from shinchoku.core.upsert import UpsertTally
from shinchoku.effects import queries, rules
from shinchoku.effects.importers.effects import FIELD_COLUMNS, EffectLine
from shinchoku.effects.inputs import INPUT_FIELDS, InputError, input_problem, parse_rule, published_figure
from shinchoku.effects.models import Effect
from shinchoku.plans.models import Plan, PlanNode

EFFECT_FIELDS = frozenset({"until_fiscal_year", "raw_value", "basis", "notes", "department", "sheet", *INPUT_FIELDS})
ROUNDING_FIELDS = ("rate_rounding", "yen_rounding", "thousand_rounding")


def clean_effect(plan: Plan, fiscal_year: int, kind: str, node: PlanNode | None, name: str, fields: dict) -> dict:
    """The row's values (published figure read into amount, unit and period); ValidationError keyed by field."""
    unknown = set(fields) - EFFECT_FIELDS
    if unknown:
        raise TypeError(f"unknown effect fields: {sorted(unknown)}")
    errors: dict[str, list[str]] = {}
    if kind not in Effect.Kind.values:
        errors["kind"] = [f"種別「{kind}」は {'・'.join(Effect.Kind.labels)} のいずれかです"]
    if not isinstance(fiscal_year, int):
        errors["fiscal_year"] = ["年度を入力してください"]
    if node is not None and node.plan_id != plan.pk:
        errors["node"] = [f"計画項目「{node.code}」は計画「{plan.name}」の項目ではありません"]
    for relation, label in (("department", "所管課"), ("sheet", "事務事業分析シート")):
        related = fields.get(relation)
        if related is not None and related.municipality_id != plan.municipality_id:
            errors[relation] = [f"{label}は計画と同じ団体のものを選んでください"]
    if len(name or "") > 300:
        errors["name"] = [f"効果の名称は300文字以内で入力してください（{len(name)}文字）"]
    amount, unit, period = None, "", ""
    try:
        amount, unit, period = published_figure(kind, fields.get("raw_value", ""))
    except InputError as exc:
        errors["raw_value"] = [str(exc)]
    for rounding in ROUNDING_FIELDS:
        try:
            parse_rule(fields.get(rounding))
        except InputError as exc:
            errors[rounding] = [str(exc)]
    if not errors:
        reason = input_problem({**fields, "name": name, "fiscal_year": fiscal_year})
        if reason:
            errors["hours_saved"] = [f"算定できません: {reason}"]
    if errors:
        raise ValidationError(errors)
    return {**fields, "municipality_id": plan.municipality_id, "name": name or "", "amount": amount, "unit": unit,
            "period": period}


@dataclass
class SavedEffect:
    """What :func:`save_effect` did: the row, ``created`` / ``updated`` / ``unchanged``, the fields changed."""

    effect: Effect
    outcome: str
    changed: list[str] = field(default_factory=list)


@action
def save_effect(
    access: Access, plan: Plan, fiscal_year: int, kind: str, *, node: PlanNode | None = None, name: str = "",
    tally: UpsertTally | None = None, **fields,
) -> SavedEffect:
    """Create or update the effect line of ``plan`` for ``fiscal_year`` and ``kind``.

    A line is keyed by its item (``node``), fiscal year and kind; a line of the plan as a whole
    (no item) also by its ``name``. ``fields`` are the other columns (:data:`EFFECT_FIELDS`); only
    those given are set, and only what differs is saved (counted in ``tally`` as 効果).
    """
    require(rules.edit_effects(access, plan.municipality_id))
    values = clean_effect(plan, fiscal_year, kind, node, name, fields)
    key = {"plan": plan, "node": node, "fiscal_year": fiscal_year, "kind": kind}
    if node is None:
        key["name"] = values.pop("name")
    tally = tally or UpsertTally()
    row = lock(Effect, **key)
    if row is None:
        tally.count("効果", "created")
        return SavedEffect(Effect.objects.create(**key, **values), "created")
    changed = [k for k, v in values.items() if getattr(row, k) != v]
    for k in changed:
        setattr(row, k, values[k])
    if changed:
        row.save()
    tally.count("効果", "updated" if changed else "unchanged")
    return SavedEffect(row, "updated" if changed else "unchanged", changed)


class _Lookups:
    """What the rows name, each found once: municipalities, plans, items, departments, sheets."""

    def __init__(self, access: Access, tally: UpsertTally):
        self.access, self.tally = access, tally
        self.cache: dict[tuple, object] = {}

    def _once(self, key: tuple, find):
        if key not in self.cache:
            self.cache[key] = find()
        return self.cache[key]

    def municipality(self, code: str) -> Municipality | None:
        def find():
            municipality = Municipality.objects.filter(code=code).first()
            if municipality is not None:
                require(rules.edit_effects(self.access, municipality.pk))
            return municipality
        return self._once(("municipality", code), find)

    def plan(self, municipality: Municipality, name: str) -> Plan | None:
        return self._once(("plan", municipality.pk, name),
                          lambda: Plan.objects.filter(municipality=municipality, name=name).first())

    def node(self, plan: Plan, code: str) -> PlanNode | None:
        return self._once(("node", plan.pk, code), lambda: PlanNode.objects.filter(plan=plan, code=code).first())

    def department(self, municipality: Municipality, name: str):
        def find():
            seen = UpsertTally()
            department = ensure_department(self.access, municipality, name, tally=seen)
            if seen.created["所管課"]:
                self.tally.count("所管課", "created")
            return department
        return self._once(("department", municipality.pk, name), find)


def _resolve(line: EffectLine, found: _Lookups, problem) -> dict | None:
    """The plan, item, department and sheet the row names (None after reporting what is missing)."""
    municipality = found.municipality(line.municipality_code)
    if municipality is None:
        return problem(f"団体コード {line.municipality_code} の団体が登録されていません", "団体コード")
    plan = found.plan(municipality, line.plan_name)
    if plan is None:
        return problem(f"計画「{line.plan_name}」が{municipality.name}に登録されていません", "計画")
    node = None
    if line.node_code:
        node = found.node(plan, line.node_code)
        if node is None:
            return problem(f"計画項目コード「{line.node_code}」が計画「{plan.name}」にありません", "計画項目コード")
    department = found.department(municipality, line.department_name) if line.department_name else None
    sheet = None
    if line.sheet_code:
        sheet = queries.sheet_by_code(municipality, line.sheet_code, line.fields.get("fiscal_year"))
        if sheet is None:
            return problem(f"事務事業コード {line.sheet_code} のシートが{municipality.name}にありません", "事務事業コード")
    return {"plan": plan, "node": node, "department": department, "sheet": sheet}


@action
def import_effects(
    access: Access, lines: Sequence[EffectLine], *, file: str, sheet: str = "", tally: UpsertTally | None = None,
) -> list[Effect]:
    """Save every line of an effects file through :func:`save_effect` (all or nothing)."""
    tally = tally or UpsertTally()
    found = _Lookups(access, tally)
    problems: list[Problem] = []
    saved: list[Effect] = []
    for line in lines:
        def problem(message: str, column: str, row: int = line.row) -> None:
            problems.append(Problem(message, file=file, sheet=sheet, row=row, column=column))

        where = _resolve(line, found, problem)
        if where is None:
            continue
        fields = dict(line.fields)
        fiscal_year, kind, name = fields.pop("fiscal_year"), fields.pop("kind"), fields.pop("name", "")
        try:
            saved.append(save_effect(access, where["plan"], fiscal_year, kind, node=where["node"], name=name, tally=tally,
                                     department=where["department"], sheet=where["sheet"], **fields).effect)
        except ValidationError as exc:
            for field_name, messages in exc.message_dict.items():
                for message in messages:
                    problem(message, FIELD_COLUMNS.get(field_name, ""))
    if problems:
        raise ImportFailed(problems)  # the whole import is one transaction: nothing is written
    return saved
