"""Checks across rows and sheets, before anything is written (plain Python, no database).

Each problem names the cell that causes it: an unknown parent (項目 親コード), a cycle (the first row
of the cycle), a duplicate code (the second occurrence), a 再掲 pointing nowhere, a status off the
scale, progress for an item that does not exist, a value for an indicator that does not exist, an
indicator whose direction cannot be inferred, an effect that is not an amount in 円 or 時間.

A row already reported is left out of the checks that depend on it, so one defect gives one message.
The result carries what the writer derives from the rows: depth and sibling order of each item, the
order in which items can be created (parents and 再掲 originals first), each indicator's direction,
unit, baseline and final target years, footnotes and definition changes, and each effect's amount.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from shinchoku.core.fiscal import to_wareki
from shinchoku.core.importing import ImportFailed, Problem
from shinchoku.indicators.judgement import infer_direction
from shinchoku.indicators.values import PERIOD_LABELS, comparable_number, parse_value, split_unit
from shinchoku.plans.workbook import format as fmt
from shinchoku.plans.workbook.data import EffectRow, IndicatorRow, ItemRow, WorkbookData
from shinchoku.plans.workbook.notes import IndicatorNotes, parse_notes

MAX_DEPTH = 50  # PlanNode.path holds 50 levels


@dataclass
class ItemPlan:
    item: ItemRow
    depth: int
    order: int  # 1-based position among its siblings, in sheet order
    generation: int  # items of one generation can be created together (parents and originals before)


@dataclass
class IndicatorPlan:
    row: IndicatorRow
    order: int
    unit: str
    direction: str
    baseline_year: int | None
    baseline_text: str
    final_target_year: int | None
    cumulative_since: int | None
    reference_amounts: dict[str, str]  # fiscal year → amount in base units (as Indicator.reference_amounts)
    notes: IndicatorNotes


@dataclass
class EffectPlan:
    row: EffectRow
    amount: Decimal | None
    unit: str
    period: str


@dataclass
class CheckedWorkbook:
    data: WorkbookData
    items: list[ItemPlan] = field(default_factory=list)  # in sheet order
    indicators: list[IndicatorPlan] = field(default_factory=list)
    effects: list[EffectPlan] = field(default_factory=list)

    @property
    def generations(self) -> list[list[ItemPlan]]:
        waves: dict[int, list[ItemPlan]] = {}
        for plan in self.items:
            waves.setdefault(plan.generation, []).append(plan)
        return [waves[g] for g in sorted(waves)]


class _Checker:
    def __init__(self, data: WorkbookData):
        self.data = data
        self.problems: list[Problem] = []

    def fail(self, sheet: str, row: int | None, column: str, message: str) -> None:
        self.problems.append(Problem(
            message, file=self.data.source, sheet=self.data.sheet_name(sheet), row=row,
            column=self.data.column(sheet, column) if column else "",
        ))

    # -- 項目 --------------------------------------------------------------------------------

    def items(self) -> list[ItemPlan]:
        by_code: dict[str, ItemRow] = {}
        rows: list[ItemRow] = []
        for item in self.data.items:
            if item.code in by_code:
                self.fail("items", item.row, "code", f"コード「{item.code}」が重複しています（{by_code[item.code].row}行と同じ）")
                continue
            by_code[item.code] = item
            rows.append(item)
        bad: set[str] = set()
        for item in rows:
            if item.parent_code and item.parent_code not in by_code:
                self.fail("items", item.row, "parent_code", f"親コード「{item.parent_code}」の項目がありません")
                bad.add(item.code)
            elif item.parent_code == item.code:
                self.fail("items", item.row, "parent_code", f"親コードが自分自身（{item.code}）です")
                bad.add(item.code)
            if item.relisted_from:
                original = by_code.get(item.relisted_from)
                if original is None:
                    self.fail("items", item.row, "relisted_from", f"再掲元コード「{item.relisted_from}」の項目がありません")
                    bad.add(item.code)
                elif original.code == item.code:
                    self.fail("items", item.row, "relisted_from", "再掲元コードが自分自身です")
                    bad.add(item.code)
                elif original.relisted_from:
                    self.fail("items", item.row, "relisted_from",
                              f"再掲元「{original.code}」も再掲の項目です。再掲元には元の項目（{original.relisted_from}）を指定してください")
                    bad.add(item.code)
            elif not item.title.strip():
                self.fail("items", item.row, "title", "名称が空です（空欄にできるのは再掲の行だけです）")
                bad.add(item.code)

        # Cycles through 親コード: report each once, at its first row in the sheet.
        broken = {i.code for i in rows if i.parent_code and (i.parent_code not in by_code or i.parent_code == i.code)}
        depth: dict[str, int | None] = {}
        for item in rows:
            path: list[str] = []
            position: dict[str, int] = {}
            code = item.code
            while True:
                if code in depth:
                    base = depth[code]
                    break
                if code in broken:
                    depth[code] = base = None
                    break
                if code in position:
                    cycle = path[position[code]:]
                    first = min(cycle, key=lambda c: by_code[c].row)
                    start = cycle.index(first)
                    shown = cycle[start:] + cycle[:start] + [first]
                    self.fail("items", by_code[first].row, "parent_code",
                              "親コードをたどると循環しています（" + " → ".join(shown) + "）")
                    for c in cycle:
                        depth[c] = None
                    path = path[:position[code]]
                    base = None
                    break
                position[code] = len(path)
                path.append(code)
                parent = by_code[code].parent_code
                if not parent:
                    depth[code] = base = 0
                    path.pop()
                    break
                code = parent
            for c in reversed(path):
                base = None if base is None else base + 1
                depth[c] = base

        # A 再掲 of one's own descendant cannot exist (it would have to be created before itself).
        for item in rows:
            original = by_code.get(item.relisted_from) if item.relisted_from else None
            if original is None or item.code in bad or depth.get(original.code) is None:
                continue
            ancestor = original.parent_code
            while ancestor:
                if ancestor == item.code:
                    self.fail("items", item.row, "relisted_from",
                              f"再掲元「{original.code}」がこの項目の下位の項目です（自分の下位項目は再掲できません）")
                    bad.add(item.code)
                    break
                ancestor = by_code[ancestor].parent_code

        levels = self.data.plan.levels
        plans: list[ItemPlan] = []
        siblings: dict[str, int] = {}
        for item in rows:
            d = depth.get(item.code)
            if d is None or item.code in bad:
                continue
            if d >= MAX_DEPTH:
                self.fail("items", item.row, "parent_code", f"階層が深すぎます（{d + 1}階層。{MAX_DEPTH}階層まで）")
                continue
            if item.level and levels:
                expected = fmt.level_label(levels, d)
                if item.level != expected:
                    self.fail("items", item.row, "level",
                              f"階層「{item.level}」が、親コードから決まる第{d + 1}階層「{expected}」と一致しません")
                    continue
            siblings[item.parent_code] = siblings.get(item.parent_code, 0) + 1
            plans.append(ItemPlan(item, d, siblings[item.parent_code], 0))

        ok = {p.item.code: p for p in plans}
        generation: dict[str, int | None] = {}

        def gen(start: str) -> int | None:
            """Creation wave: 0 for roots, else after the parent and the 再掲 original (None: depends on a bad row)."""
            stack = [start]
            visiting: set[str] = set()
            while stack:
                code = stack[-1]
                if code in generation:
                    stack.pop()
                    continue
                if code not in ok:
                    generation[code] = None
                    stack.pop()
                    continue
                item = ok[code].item
                deps = [d for d in (item.parent_code, item.relisted_from) if d]
                pending = [d for d in deps if d not in generation]
                if any(d in visiting for d in pending):
                    cycle = [c for c in stack if c in visiting]
                    self.fail("items", ok[start].item.row, "relisted_from",
                              "再掲元と親コードをたどると循環しています（" + " → ".join(cycle + [pending[0]]) + "）")
                    for c in stack:
                        generation[c] = None
                    return None
                if pending:
                    visiting.add(code)
                    stack.extend(pending)
                    continue
                visiting.discard(code)
                gens = [generation[d] for d in deps]
                generation[code] = None if any(g is None for g in gens) else max((g + 1 for g in gens), default=0)
                stack.pop()
            return generation[start]

        final: list[ItemPlan] = []
        for plan in plans:
            g = gen(plan.item.code)
            if g is None:
                continue  # under a row with a problem, already reported
            plan.generation = g
            final.append(plan)
        return final

    # -- 進捗 --------------------------------------------------------------------------------

    def progress(self, items: dict[str, ItemRow], all_codes: set[str]) -> None:
        scale = [s for s, _ in self.data.plan.status_scale]
        seen: dict[tuple[str, int], int] = {}
        for entry in self.data.progress:
            if entry.code not in all_codes:
                self.fail("progress", entry.row, "code", f"コード「{entry.code}」の項目が項目シートにありません")
                continue
            item = items.get(entry.code)
            if item is None:
                continue  # the item itself has a problem, reported on the 項目 sheet
            if item.relisted_from:
                self.fail("progress", entry.row, "code",
                          f"「{entry.code}」は再掲の項目のため進捗を書けません（再掲元「{item.relisted_from}」に書いてください）")
                continue
            key = (entry.code, entry.fiscal_year)
            if key in seen:
                self.fail("progress", entry.row, "fiscal_year",
                          f"「{entry.code}」の{to_wareki(entry.fiscal_year)}の進捗が2行あります（{seen[key]}行と同じ）")
                continue
            seen[key] = entry.row
            if entry.status and not scale:
                self.fail("progress", entry.row, "status",
                          f"進捗状況「{entry.status}」がありますが、この計画には進捗区分がありません（文章のみの計画）。"
                          "空欄にするか、計画シートの進捗区分に記号を書いてください")
            elif entry.status and entry.status not in scale:
                self.fail("progress", entry.row, "status",
                          f"進捗状況「{entry.status}」は進捗区分（{'・'.join(scale)}）にありません")

    # -- 指標・指標値 ---------------------------------------------------------------------------

    def indicators(self, all_codes: set[str]) -> list[IndicatorPlan]:
        by_code: dict[str, IndicatorRow] = {}
        for ind in self.data.indicators:
            if ind.code in by_code:
                self.fail("indicators", ind.row, "indicator_code",
                          f"指標コード「{ind.code}」が重複しています（{by_code[ind.code].row}行と同じ）")
                continue
            by_code[ind.code] = ind
            for code in ind.item_codes:
                if code not in all_codes:
                    self.fail("indicators", ind.row, "item_codes", f"関連項目コード「{code}」の項目が項目シートにありません")
        values: dict[str, list] = {code: [] for code in by_code}
        seen: dict[tuple[str, int, str], int] = {}
        for value in self.data.indicator_values:
            if value.indicator_code not in by_code:
                self.fail("indicator_values", value.row, "indicator_code",
                          f"指標コード「{value.indicator_code}」の指標が指標シートにありません")
                continue
            key = (value.indicator_code, value.fiscal_year, value.kind)
            if key in seen:
                self.fail("indicator_values", value.row, "kind",
                          f"「{value.indicator_code}」の{to_wareki(value.fiscal_year)}の"
                          f"{fmt.label_of(fmt.VALUE_KINDS, value.kind)}が2行あります（{seen[key]}行と同じ）")
                continue
            seen[key] = value.row
            values[value.indicator_code].append(value)

        plans: list[IndicatorPlan] = []
        for order, ind in enumerate(by_code.values(), start=1):
            rows = values[ind.code]
            notes = parse_notes(ind.notes)
            for error in notes.errors:
                self.fail("indicators", ind.row, "notes", error)
            parsed = [(v, parse_value(v.value)) for v in rows]
            unit = ind.unit
            if not unit:  # as indicators.services.set_indicator_value: the first value's unit
                unit = next((pv.base_unit or pv.unit for _, pv in parsed if pv.readable and (pv.base_unit or pv.unit)), "")
            direction = ind.direction
            if not direction:
                targets = sorted(((v, pv) for v, pv in parsed if v.kind == "target"), key=lambda t: -t[0].fiscal_year)
                inferred = next((d for d in (infer_direction(pv) for _, pv in targets) if d is not None), None)
                if inferred is not None:
                    direction = inferred.value
                else:
                    judged = [pv for v, pv in parsed if v.kind != "target" and not pv.is_missing]
                    stated = [(v, pv) for v, pv in targets if not pv.is_missing]
                    if judged and stated:
                        v, pv = stated[0]
                        self.fail("indicators", ind.row, "direction",
                                  f"方向が空で、目標（{to_wareki(v.fiscal_year)}「{v.value.strip()}」）に「以上」「以下」などの"
                                  "条件もないため、良し悪しの向きを判断できません。方向を 高いほど良い／低いほど良い／範囲内／定性 "
                                  "から選んでください")
            actual_years = [v.fiscal_year for v in rows if v.kind == "actual"]
            target_years = [v.fiscal_year for v in rows if v.kind == "target"]
            for what, text, limit in (("区分", notes.group, 300), ("担当課", notes.owner, 100), ("基準値", notes.baseline_text, 100)):
                if len(text) > limit:
                    self.fail("indicators", ind.row, "notes", f"【{what}】が長すぎます（{limit}文字まで）")
            if notes.baseline_text:
                pv = parse_value(notes.baseline_text)
                if not pv.has_number:
                    self.fail("indicators", ind.row, "notes",
                              f"【基準値】「{notes.baseline_text}」を数値として読めません（{pv.error or pv.missing_label}）")
            references = {}
            for year, text in notes.references:
                amount, error = reference_amount(text, unit)
                if error:
                    self.fail("indicators", ind.row, "notes", f"【基準量】{to_wareki(year)}「{text}」: {error}")
                else:
                    references[str(year)] = amount
            plans.append(IndicatorPlan(
                row=ind, order=order, unit=unit, direction=direction,
                baseline_year=notes.baseline_year if notes.baseline_set else (min(actual_years) if actual_years else None),
                baseline_text=notes.baseline_text,
                final_target_year=notes.final_target_year if notes.final_set else (max(target_years) if target_years else None),
                cumulative_since=notes.cumulative_since,
                reference_amounts=dict(sorted(references.items())),
                notes=notes,
            ))
        return plans

    # -- 効果 --------------------------------------------------------------------------------

    def effects(self, all_codes: set[str]) -> list[EffectPlan]:
        plans: list[EffectPlan] = []
        seen: dict[tuple[str, int, str], int] = {}
        for effect in self.data.effects:
            if effect.item_code and effect.item_code not in all_codes:
                self.fail("effects", effect.row, "item_code", f"項目コード「{effect.item_code}」の項目が項目シートにありません")
                continue
            key = (effect.item_code, effect.fiscal_year, effect.kind)
            kind_label = fmt.label_of(fmt.EFFECT_KINDS, effect.kind)
            if key in seen:
                self.fail("effects", effect.row, "kind",
                          f"「{effect.item_code or '計画全体'}」の{to_wareki(effect.fiscal_year)}の{kind_label}が2行あります"
                          f"（{seen[key]}行と同じ）。1行にまとめてください")
                continue
            seen[key] = effect.row
            pv = parse_value(effect.value)
            expected = fmt.EFFECT_UNITS[effect.kind]
            if pv.is_missing:
                plans.append(EffectPlan(effect, None, expected, ""))
                continue
            shown = effect.value.strip()
            if not pv.readable:
                self.fail("effects", effect.row, "value", f"値「{shown}」を{kind_label}として読めません（{pv.error}）")
                continue
            if pv.reference or pv.denominator is not None or pv.subject:
                self.fail("effects", effect.row, "value", f"値「{shown}」は金額・時間ではありません（{kind_label}は 182百万円、1,400時間/月 のように書きます）")
                continue
            if pv.base_unit != expected:
                unit = pv.unit or "単位なし"
                self.fail("effects", effect.row, "value",
                          f"{kind_label}の値「{shown}」の単位（{unit}）が違います（{'円・千円・百万円など' if expected == '円' else '時間'}で書いてください）")
                continue
            if pv.period not in (None, "year", "month"):
                self.fail("effects", effect.row, "value",
                          f"値「{shown}」の期間（{PERIOD_LABELS.get(pv.period, pv.period)}あたり）は使えません（年あたり・月あたりのみ）")
                continue
            plans.append(EffectPlan(effect, pv.value, expected, pv.period or ""))
        return plans


def plain_decimal(number: Decimal) -> str:
    text = format(number, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def reference_amount(text: str, unit: str) -> tuple[str, str]:
    """The reference amount of a share target in the indicator's base unit: (amount, error)."""
    pv = parse_value(text)
    if not pv.has_number or pv.denominator is not None or pv.reference or pv.bound or pv.subject:
        return "", pv.error or "金額・数量を1つの数値で書いてください（以上・分数・割合は使えません）"
    split = split_unit(unit) if unit else None
    if pv.unit and split is not None and split[0] != pv.base_unit:
        return "", f"単位（{pv.unit}）が指標の単位（{unit}）と違います"
    amount = comparable_number(pv, default_unit=unit)
    if amount is None:
        return "", "数値として読めません"
    return plain_decimal(amount), ""


def check(data: WorkbookData) -> CheckedWorkbook:
    """Check the workbook across rows and sheets; raise ImportFailed with every problem's place."""
    checker = _Checker(data)
    items = checker.items()
    all_codes = {i.code for i in data.items}
    good = {p.item.code: p.item for p in items}
    checker.progress(good, all_codes)
    indicators = checker.indicators(all_codes)
    effects = checker.effects(all_codes)
    if checker.problems:
        raise ImportFailed(checker.problems[:100])
    return CheckedWorkbook(data, items, indicators, effects)
