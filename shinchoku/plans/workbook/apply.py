"""Write a checked plan workbook into the database: all or nothing, keyed by codes.

The plan is found by municipality and plan name; items by code, progress by item × fiscal year,
indicators by indicator code, values by indicator × fiscal year × kind, effects by item × fiscal
year × kind. A row that exists is updated only where it differs (so that re-importing the same
workbook changes nothing and writes no change-log rows); new rows are created in bulk (with their
change-log rows, :func:`shinchoku.core.changelog.log_bulk`). The outcome of every sheet row —
created, changed or unchanged — is counted per sheet (:class:`~shinchoku.core.upsert.UpsertTally`).

What the workbook lists for a row is authoritative for that row (an item's departments, an
indicator's related items and definition changes). Rows the workbook does not list are never
deleted: the result says how many there are.

A progress entry that changes gets its ``version`` raised, like an edit through the screen, so that
an editor who opened it before the import cannot overwrite the import unknowingly.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from typing import Any

from django.db import models

from shinchoku.core.changelog import log_bulk
from shinchoku.core.fiscal import to_wareki
from shinchoku.core.importing import ImportFailed, ImportResult, Problem, run_atomically
from shinchoku.core.models import Department, Municipality
from shinchoku.core.upsert import UpsertTally
from shinchoku.effects.models import Effect
from shinchoku.indicators.models import Indicator, IndicatorDefinitionChange, IndicatorValue
from shinchoku.indicators.values import parsed_fields
from shinchoku.plans.models import NodeDepartment, Plan, PlanNode, ProgressEntry, StatusScale, StatusSymbol
from shinchoku.plans.services import node_path
from shinchoku.plans.workbook import format as fmt
from shinchoku.plans.workbook.check import CheckedWorkbook

KIND = "workbook"
MAX_CHANGE_NOTES = 30
SHEET_LABELS = {s.key: s.label for s in fmt.SHEETS}


def _same(obj: models.Model, name: str, value: Any) -> bool:
    if isinstance(value, models.Model) or (value is None and _is_relation(obj, name)):
        return getattr(obj, f"{name}_id") == (value.pk if value is not None else None)
    return getattr(obj, name) == value


def _is_relation(obj: models.Model, name: str) -> bool:
    try:
        return obj._meta.get_field(name).is_relation
    except Exception:  # noqa: BLE001
        return False


class _Rows:
    """The existing rows of one table keyed by natural key; new rows are buffered for one bulk insert."""

    def __init__(self, model: type[models.Model], rows: Iterable[models.Model], key: Callable[[models.Model], Hashable]):
        self.model = model
        self.by_key: dict[Hashable, models.Model] = {key(r): r for r in rows}
        self.new: list[models.Model] = []
        self.seen: set[Hashable] = set()

    def put(self, key: Hashable, values: dict[str, Any], on_update: Callable[[models.Model], None] | None = None):
        """(row, outcome, changed field names); outcome is 'created', 'updated' or 'unchanged'."""
        self.seen.add(key)
        obj = self.by_key.get(key)
        if obj is None:
            obj = self.model(**values)
            self.new.append(obj)
            self.by_key[key] = obj
            return obj, "created", []
        changed = [name for name, value in values.items() if not _same(obj, name, value)]
        if not changed:
            return obj, "unchanged", []
        for name in changed:
            setattr(obj, name, values[name])
        if on_update is not None:
            on_update(obj)
        obj.save()
        return obj, "updated", changed

    def flush(self) -> None:
        if self.new:
            self.model._default_manager.bulk_create(self.new, batch_size=500)
            log_bulk(self.new)
            self.new = []

    def unseen(self) -> list[models.Model]:
        return [obj for key, obj in self.by_key.items() if key not in self.seen]


def _field_labels(model: type[models.Model], names: list[str]) -> str:
    labels = []
    for name in names:
        try:
            labels.append(str(model._meta.get_field(name).verbose_name))
        except Exception:  # noqa: BLE001
            labels.append(name)
    return "・".join(dict.fromkeys(labels))


class _Writer:
    def __init__(self, checked: CheckedWorkbook, source: str):
        self.checked = checked
        self.data = checked.data
        self.source = source
        self.tally = UpsertTally()
        self.changes: list[str] = []
        self.notes: list[str] = []
        self.plan_created = False

    def outcome(self, sheet: str, row: int, what: str, parts: list[tuple[str, str, type, list[str]]]) -> None:
        """Count one sheet row from the outcomes of the records it wrote (main record first)."""
        label = SHEET_LABELS[sheet]
        main = parts[0][1] if parts else "unchanged"
        if main == "created":
            self.tally.count(label, "created")
            return
        touched = [(m, o, f) for _, o, m, f in parts if o != "unchanged"]
        if not touched:
            self.tally.count(label, "unchanged")
            return
        self.tally.count(label, "updated")
        if len(self.changes) < MAX_CHANGE_NOTES:
            fields = "・".join(
                _field_labels(m, f) if f else (str(m._meta.verbose_name) + ("を追加" if o == "created" else "を変更"))
                for m, o, f in touched
            )
            self.changes.append(f"{label} {row}行「{what}」: {fields}")

    # -- 計画 --------------------------------------------------------------------------------

    def plan(self) -> Plan:
        info = self.data.plan
        municipality = Municipality.objects.filter(code=info.municipality_code).first()
        if municipality is None:
            municipality = Municipality.objects.create(code=info.municipality_code, name=info.municipality_name)
            self.notes.append(f"団体「{info.municipality_name}」（{info.municipality_code}）を新しく登録しました")
        elif municipality.name != info.municipality_name:
            self.notes.append(
                f"団体名はブックでは「{info.municipality_name}」、登録は「{municipality.name}」です（登録の団体名は変えていません）"
            )
        self.municipality = municipality
        plan = Plan.objects.filter(municipality=municipality, name=info.plan_name).select_related("status_scale").first()
        parts: list = []
        scale = None
        symbol_outcomes = []
        if info.status_scale:
            scale = plan.status_scale if plan is not None and plan.status_scale_id else None
            if scale is None:
                scale = StatusScale.objects.create(municipality=municipality, name=f"{info.plan_name} 進捗区分")
                symbol_outcomes.append(("", "created", StatusScale, []))
            symbols = _Rows(StatusSymbol, scale.symbols.all(), lambda s: s.symbol)
            for order, (symbol, meaning) in enumerate(info.status_scale):
                _, outcome, changed = symbols.put(symbol, {
                    "municipality": municipality, "scale": scale, "symbol": symbol, "meaning": meaning,
                    "category": fmt.status_category(meaning), "order": order,
                })
                symbol_outcomes.append(("", outcome, StatusSymbol, changed))
            symbols.flush()
            self.symbols = {s.symbol: s for s in symbols.by_key.values()}
            extra = [s.symbol for s in symbols.unseen()]
            if extra:
                self.notes.append(f"進捗区分の記号 {'・'.join(extra)} はブックにありませんが、削除していません")
        else:
            self.symbols = {}
        values = {
            "municipality": municipality, "name": info.plan_name, "kind": info.plan_kind,
            "period_start": info.period_start, "period_end": info.period_end, "status_scale": scale,
            "level_names": list(info.levels), "description": info.description,
        }
        plans = _Rows(Plan, [plan] if plan else [], lambda p: p.name)
        plan, outcome, changed = plans.put(info.plan_name, values)
        if outcome == "created":
            plan.source = self.source
            self.plan_created = True
        plans.flush()
        parts = [("", outcome, Plan, changed), *symbol_outcomes]
        self.outcome("plan", info.rows.get("plan_name", 1), info.plan_name, parts)
        self.plan_obj = plan
        return plan

    # -- 項目 --------------------------------------------------------------------------------

    def items(self) -> None:
        plan, municipality = self.plan_obj, self.municipality
        departments = self.departments = self._departments()
        nodes = _Rows(PlanNode, PlanNode.objects.filter(plan=plan), lambda n: n.code)
        self.nodes = nodes
        outcomes: dict[str, tuple[str, list[str]]] = {}
        for wave in self.checked.generations:
            for ip in wave:
                item = ip.item
                parent = nodes.by_key[item.parent_code] if item.parent_code else None
                original = nodes.by_key[item.relisted_from] if item.relisted_from else None
                _, outcome, changed = nodes.put(item.code, {
                    "municipality": municipality, "plan": plan, "parent": parent, "depth": ip.depth, "code": item.code,
                    "title": item.title, "description": item.description, "order": ip.order,
                    "path": node_path(parent.path if parent else None, ip.order), "relisted_from": original,
                    "tags": list(item.tags),
                })
                outcomes[item.code] = (outcome, changed)
            nodes.flush()

        links = _Rows(
            NodeDepartment, NodeDepartment.objects.filter(node__plan=plan).select_related("node", "department"),
            lambda l: (l.node_id, l.department_id),
        )
        link_outcomes: dict[str, list[tuple]] = {}
        for ip in self.checked.items:
            node = nodes.by_key[ip.item.code]
            wanted = list(dict.fromkeys(departments[name] for name in ip.item.departments))
            parts = []
            for order, department in enumerate(wanted):
                _, outcome, changed = links.put((node.pk, department.pk), {
                    "municipality": municipality, "node": node, "department": department, "order": order,
                })
                parts.append(("", outcome, NodeDepartment, changed))
            link_outcomes[ip.item.code] = parts
        listed = {nodes.by_key[ip.item.code].pk: ip.item.code for ip in self.checked.items}
        for link in links.unseen():
            if link.node_id in listed:  # the workbook lists this item's departments: drop the others
                link.delete()
                link_outcomes[listed[link.node_id]].append(("", "deleted", NodeDepartment, []))
        links.flush()
        for ip in self.checked.items:
            outcome, changed = outcomes[ip.item.code]
            self.outcome("items", ip.item.row, ip.item.code,
                         [("", outcome, PlanNode, changed), *link_outcomes[ip.item.code]])
        missing = len(nodes.unseen())
        if missing:
            self.notes.append(f"ブックにない計画項目が{missing}件あります（削除していません）")

    def _departments(self) -> dict[str, Department]:
        by_name: dict[str, Department] = {}
        existing = list(Department.objects.filter(municipality=self.municipality))
        for department in existing:  # former names still resolve to the renamed department
            for former in department.previous_names or []:
                if isinstance(former, dict) and former.get("name"):
                    by_name.setdefault(former["name"], department)
        for department in existing:
            by_name[department.name] = department
        created = []
        wanted = [name for ip in self.checked.items for name in ip.item.departments]
        wanted += [ip.notes.owner for ip in self.checked.indicators if ip.notes.owner]
        for name in wanted:
            if name not in by_name:
                by_name[name] = Department.objects.create(municipality=self.municipality, name=name)
                created.append(name)
        if created:
            shown = "、".join(created[:10]) + (f" ほか{len(created) - 10}件" if len(created) > 10 else "")
            self.notes.append(f"所管課を{len(created)}件新しく登録しました: {shown}")
        return by_name

    # -- 進捗 --------------------------------------------------------------------------------

    def progress(self) -> None:
        nodes = self.nodes.by_key
        entries = _Rows(
            ProgressEntry, ProgressEntry.objects.filter(node__plan=self.plan_obj).select_related("node"),
            lambda e: (e.node_id, e.fiscal_year),
        )

        def bump(entry: ProgressEntry) -> None:
            entry.version += 1

        for row in self.data.progress:
            node = nodes[row.code]
            values = {
                "municipality": self.municipality, "node": node, "fiscal_year": row.fiscal_year,
                "status": self.symbols.get(row.status) if row.status else None, "result": row.result,
                "next_year_plan": row.next_year_plan, "later_plan": row.later_plan, "change_reason": row.change_reason,
            }
            key = (node.pk, row.fiscal_year)
            if key not in entries.by_key:
                values["state"] = ProgressEntry.State.APPROVED
            _, outcome, changed = entries.put(key, values, on_update=bump)
            self.outcome("progress", row.row, f"{row.code} {to_wareki(row.fiscal_year)}",
                         [("", outcome, ProgressEntry, changed)])
        entries.flush()
        missing = len(entries.unseen())
        if missing:
            self.notes.append(f"ブックにない進捗が{missing}件あります（削除していません）")

    # -- 指標・指標値 ---------------------------------------------------------------------------

    def indicators(self) -> None:
        plan, municipality = self.plan_obj, self.municipality
        indicators = _Rows(Indicator, Indicator.objects.filter(plan=plan), lambda i: i.code)
        outcomes = {}
        for ip in self.checked.indicators:
            ind = ip.row
            _, outcome, changed = indicators.put(ind.code, {
                "municipality": municipality, "plan": plan, "code": ind.code, "name": ind.name, "kind": ind.kind,
                "unit": ip.unit, "direction": ip.direction, "definition": ind.definition, "data_source": ind.source,
                "baseline_year": ip.baseline_year, "baseline_text": ip.baseline_text,
                "final_target_year": ip.final_target_year, "cumulative_since": ip.cumulative_since,
                "reference_amounts": ip.reference_amounts, "group": ip.notes.group,
                "owner": self.departments[ip.notes.owner] if ip.notes.owner else None,
                "footnotes": ip.notes.footnotes, "order": ip.order,
            })
            outcomes[ind.code] = [("", outcome, Indicator, changed)]
        indicators.flush()
        self.indicator_rows = indicators

        changes = _Rows(
            IndicatorDefinitionChange, IndicatorDefinitionChange.objects.filter(indicator__plan=plan).select_related("indicator"),
            lambda c: (c.indicator_id, c.effective_fiscal_year),
        )
        linked: dict[int, set[int]] = {}
        for ind_id, node_id in Indicator.nodes.through.objects.filter(indicator__plan=plan).values_list("indicator_id", "plannode_id"):
            linked.setdefault(ind_id, set()).add(node_id)
        nodes = self.nodes.by_key
        for ip in self.checked.indicators:
            indicator = indicators.by_key[ip.row.code]
            for year, description in ip.notes.changes:
                _, outcome, changed = changes.put((indicator.pk, year), {
                    "municipality": municipality, "indicator": indicator, "effective_fiscal_year": year,
                    "description": description,
                })
                outcomes[ip.row.code].append(("", outcome, IndicatorDefinitionChange, changed))
            wanted = {nodes[code].pk for code in ip.row.item_codes}
            if wanted != linked.get(indicator.pk, set()):
                indicator.nodes.set([nodes[code] for code in ip.row.item_codes])
                outcomes[ip.row.code].append(("", "updated", Indicator, ["nodes"]))
        listed = {indicators.by_key[ip.row.code].pk: ip.row.code for ip in self.checked.indicators}
        for change in changes.unseen():
            if change.indicator_id in listed:
                change.delete()
                outcomes[listed[change.indicator_id]].append(("", "deleted", IndicatorDefinitionChange, []))
        changes.flush()
        for ip in self.checked.indicators:
            self.outcome("indicators", ip.row.row, ip.row.code, outcomes[ip.row.code])
        missing = len(indicators.unseen())
        if missing:
            self.notes.append(f"ブックにない指標が{missing}件あります（削除していません）")

    def indicator_values(self) -> None:
        indicators = self.indicator_rows.by_key
        values = _Rows(
            IndicatorValue, IndicatorValue.objects.filter(indicator__plan=self.plan_obj).select_related("indicator"),
            lambda v: (v.indicator_id, v.fiscal_year, v.kind),
        )
        for row in self.data.indicator_values:
            indicator = indicators[row.indicator_code]
            _, outcome, changed = values.put((indicator.pk, row.fiscal_year, row.kind), {
                "municipality": self.municipality, "indicator": indicator, "fiscal_year": row.fiscal_year,
                "kind": row.kind, "raw_text": row.value, **parsed_fields(row.value), "as_of": row.as_of, "notes": row.notes,
            })
            self.outcome("indicator_values", row.row,
                         f"{row.indicator_code} {to_wareki(row.fiscal_year)} {fmt.label_of(fmt.VALUE_KINDS, row.kind)}",
                         [("", outcome, IndicatorValue, changed)])
        values.flush()
        missing = len(values.unseen())
        if missing:
            self.notes.append(f"ブックにない指標値が{missing}件あります（削除していません）")

    # -- 効果 --------------------------------------------------------------------------------

    def effects(self) -> None:
        nodes = self.nodes.by_key
        effects = _Rows(
            Effect, Effect.objects.filter(plan=self.plan_obj), lambda e: (e.node_id, e.fiscal_year, e.kind)
        )
        for ep in self.checked.effects:
            row = ep.row
            node = nodes[row.item_code] if row.item_code else None
            _, outcome, changed = effects.put((node.pk if node else None, row.fiscal_year, row.kind), {
                "municipality": self.municipality, "plan": self.plan_obj, "node": node, "fiscal_year": row.fiscal_year,
                "until_fiscal_year": row.until_fiscal_year, "kind": row.kind, "raw_value": row.value,
                "amount": ep.amount, "unit": ep.unit, "period": ep.period, "basis": row.basis, "notes": row.notes,
            })
            self.outcome("effects", row.row,
                         f"{row.item_code or '計画全体'} {to_wareki(row.fiscal_year)} {fmt.label_of(fmt.EFFECT_KINDS, row.kind)}",
                         [("", outcome, Effect, changed)])
        effects.flush()
        missing = len(effects.unseen())
        if missing:
            self.notes.append(f"ブックにない効果が{missing}件あります（削除していません）")


def apply_workbook(
    checked: CheckedWorkbook, *, dry_run: bool, source: str | None = None, expect_municipality: str | None = None
) -> ImportResult:
    """Write the workbook (or, with ``dry_run``, write and roll back) and report per sheet."""
    data = checked.data
    source = source or data.source
    if expect_municipality is not None and data.plan.municipality_code != expect_municipality:
        raise ImportFailed(Problem(
            f"団体コード「{data.plan.municipality_code}」は、あなたの団体（{expect_municipality}）ではありません。"
            "自分の団体の計画だけを取り込めます",
            file=data.source, sheet=data.sheet_name("plan"), row=data.plan.rows.get("municipality_code"),
            column="B",
        ))
    result = ImportResult(kind=KIND, file=source, dry_run=dry_run)
    writer = _Writer(checked, source)

    def apply():
        plan = writer.plan()
        writer.items()
        writer.progress()
        writer.indicators()
        writer.indicator_values()
        writer.effects()
        result.plan_id = None if (dry_run and writer.plan_created) else plan.pk
        result.counts = _counts(checked, plan)
        return plan

    run_atomically(apply, dry_run=dry_run)
    tally = writer.tally
    order = [s.label for s in fmt.SHEETS]
    for target, counter in ((result.created, tally.created), (result.updated, tally.updated), (result.unchanged, tally.unchanged)):
        target.update({label: counter[label] for label in order if counter[label]})
    result.notes = [*data.notes, *writer.notes, *(f"変更: {c}" for c in writer.changes)]
    hidden = sum(tally.updated.values()) - len(writer.changes)
    if hidden > 0:
        result.notes.append(f"変更: ほか{hidden}行")
    return result


def _counts(checked: CheckedWorkbook, plan: Plan) -> dict[str, Any]:
    data = checked.data
    counts: dict[str, Any] = {
        "計画": 1,
        "計画名": plan.name,
        "項目": len(data.items),
        "再掲": sum(1 for i in data.items if i.relisted_from),
        "進捗": len(data.progress),
        "指標": len(data.indicators),
        "指標値": len(data.indicator_values),
        "効果": len(data.effects),
    }
    if data.plan.status_scale:
        years = sorted({p.fiscal_year for p in data.progress})
        counts["進捗状況"] = {
            str(year): {
                symbol: sum(1 for p in data.progress if p.fiscal_year == year and p.status == symbol)
                for symbol, _ in data.plan.status_scale
            }
            for year in years
        }
    return counts
