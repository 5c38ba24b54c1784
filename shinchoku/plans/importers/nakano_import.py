"""``shinchoku import nakano-progress`` — Nakano's progress report (進捗状況等について + 別紙) into a plan.

The text is parsed completely first (:mod:`shinchoku.plans.importers.nakano`, no database); then
the plan is written in one transaction, keyed by codes, so a second import of the same file changes
nothing and a later report of the same plan updates it.

Mapping (decisions written down here because the document does not say them):

- tree: 目標 (code ``目標1``) → 実施内容 (``1-1-①``) → 事業内容 (``1-1-①-1``: the initiative's code
  and the row's position, since the document gives activities no code of their own);
- a row ``(1-2-②再掲)セルフサービス端末の活用`` becomes a 再掲 node pointing at the original activity;
  a whole re-listed initiative (``2-1-① (1-1-③再掲)…``) becomes a 再掲 node pointing at the original
  initiative, whose activities it shows; neither carries progress of its own;
- the year's entries are the official figures of the report's fiscal year (取組結果 (令和5年度));
- indicators get codes ``目標1-1`` …; the direction (higher or lower is better), which the report
  does not print, is inferred from the final target against the first actual (5,900fm → 3,000fm:
  lower is better); a footnote saying the indicator changed ``…から…に変更`` in a month becomes a
  definition change effective in that month's fiscal year; ``…年度以降の累計`` sets the cumulative
  start year.
"""

from __future__ import annotations

import re

from shinchoku.core import fiscal
from shinchoku.core.access import Access
from shinchoku.core.importing import (
    ImportFailed,
    ImportResult,
    Problem,
    municipality_code,
    read_text_document,
    run_atomically,
)
from shinchoku.core.models import Municipality
from shinchoku.core.text import nfkc, remove_spaces
from shinchoku.core.upsert import UpsertTally
from shinchoku.indicators.actions import import_values
from shinchoku.indicators.engine import infer_direction_from_values
from shinchoku.indicators.models import Indicator, IndicatorDefinitionChange
from shinchoku.plans.importers.nakano import NakanoFormatError, NakanoReport, parse_nakano_report
from shinchoku.plans.models import Plan, PlanNode, ProgressEntry, StatusScale, StatusSymbol
from shinchoku.plans.services import department_by_name, node_path, set_departments

NAKANO_CODE = "131148"
NAKANO_NAME = "中野区"

_CATEGORY_WORDS = (
    ("上回る", StatusSymbol.Category.AHEAD),
    ("前倒し", StatusSymbol.Category.AHEAD),
    ("遅れ", StatusSymbol.Category.LATE),
    ("未着手", StatusSymbol.Category.NOT_STARTED),
    ("予定どおり", StatusSymbol.Category.ON_PLAN),
)


def category_for(meaning: str) -> str:
    for word, category in _CATEGORY_WORDS:
        if word in meaning:
            return category
    return StatusSymbol.Category.OTHER


_CHANGE = re.compile(r"(令和|平成)(\d+|元)年(\d+)月.*?指標が(.+?)から(.+?)に変更")
_CUMULATIVE = re.compile(r"((?:令和|平成)(?:\d+|元)年度)以降の累計")


class NakanoProgressImporter:
    help = "中野区「地域情報化推進計画の進捗状況等について」（別紙 進捗状況一覧・成果指標）のテキストを取り込む"

    def add_arguments(self, parser) -> None:
        parser.add_argument("--municipality", default=NAKANO_CODE, help=f"団体コード（既定: {NAKANO_CODE} {NAKANO_NAME}）")
        parser.add_argument("--municipality-name", default=NAKANO_NAME, help="団体が未登録のときに使う団体名")

    def run(self, path: str, *, access: Access, dry_run: bool, options: dict) -> ImportResult:
        name, text = read_text_document(path)
        try:
            report = parse_nakano_report(text, filename=name)
        except NakanoFormatError as exc:
            raise ImportFailed(Problem(exc.message, file=name, row=exc.line)) from exc
        code = municipality_code(options, NAKANO_CODE, name)
        return import_report(
            report, access=access, source=name, municipality_code=code,
            municipality_name=options.get("municipality_name") or NAKANO_NAME, dry_run=dry_run,
        )


def import_report(
    report: NakanoReport, *, access: Access, source: str, municipality_code: str, municipality_name: str, dry_run: bool
) -> ImportResult:
    result = ImportResult(kind="nakano-progress", file=source, dry_run=dry_run)

    def apply():
        tally = UpsertTally()
        municipality = Municipality.objects.filter(code=municipality_code).first()
        if municipality is None:
            municipality = Municipality.objects.create(code=municipality_code, name=municipality_name)
            tally.count("団体", "created")
        plan = _write_plan(report, municipality, source, tally)
        _write_indicators(access, report, plan, tally)
        result.plan_id = plan.pk
        result.created, result.updated, result.unchanged = dict(tally.created), dict(tally.updated), dict(tally.unchanged)
        return plan

    run_atomically(apply, dry_run=dry_run)
    activities = [a for g in report.goals for i in g.initiatives for a in i.activities]
    own = [a for a in activities if a.relisted_from is None]
    status_counts = {e.symbol: sum(1 for a in own if a.status == e.symbol) for e in report.status_legend}
    result.counts = {
        "年度": report.fiscal_year,
        "目標": len(report.goals),
        "実施内容": sum(len(g.initiatives) for g in report.goals),
        "事業内容": len(own),
        "再掲の行": sum(1 for a in activities if a.relisted_from),
        "再掲の実施内容": sum(1 for g in report.goals for i in g.initiatives if i.relisted_from),
        "成果指標": len(report.indicators),
        "進捗状況": status_counts,
    }
    if status_counts != report.summary_counts:
        result.notes.append(f"明細から数えた進捗状況 {status_counts} が、冒頭の集計表 {report.summary_counts} と一致しません")
    return result


def _write_plan(report: NakanoReport, municipality: Municipality, source: str, tally: UpsertTally) -> Plan:
    plan = Plan.objects.filter(municipality=municipality, name=report.plan_name).first()
    scale = plan.status_scale if plan is not None and plan.status_scale_id else None
    if scale is None:
        scale = StatusScale.objects.create(municipality=municipality, name=f"{report.plan_name} 進捗状況の区分")
        tally.count("進捗区分", "created")
    symbols = {}
    for order, legend in enumerate(report.status_legend):
        symbols[legend.symbol] = tally.upsert(
            "進捗区分の記号", StatusSymbol, {"scale": scale, "symbol": legend.symbol},
            {"municipality": municipality, "meaning": legend.meaning, "category": category_for(legend.meaning), "order": order},
        )
    years = [report.fiscal_year] + [v.fiscal_year for ind in report.indicators for v in ind.values]
    plan = tally.upsert(
        "計画", Plan, {"municipality": municipality, "name": report.plan_name},
        {
            "kind": "地域情報化推進計画",
            "period_start": min(years) if plan is None else min(plan.period_start, *years),
            "period_end": max(years) if plan is None else max(plan.period_end, *years),
            "status_scale": scale,
            "level_names": ["目標", "実施内容", "事業内容"],
            "source": source,
        },
    )

    def node(code: str, parent: PlanNode | None, order: int, title: str, relisted_from: PlanNode | None = None) -> PlanNode:
        return tally.upsert(
            "計画項目", PlanNode, {"plan": plan, "code": code},
            {
                "municipality": municipality, "parent": parent, "depth": parent.depth + 1 if parent else 0,
                "title": title, "order": order, "path": node_path(parent.path if parent else None, order),
                "relisted_from": relisted_from,
            },
        )

    by_code: dict[str, PlanNode] = {}
    activity_by_key: dict[tuple[str, str], PlanNode] = {}
    pending_relists: list[tuple] = []
    for g_order, goal in enumerate(report.goals, start=1):
        goal_node = node(f"目標{goal.number}", None, g_order, goal.title)
        for i_order, initiative in enumerate(goal.initiatives, start=1):
            if initiative.relisted_from:
                pending_relists.append(("initiative", initiative.code, goal_node, i_order, initiative.relisted_from, None))
                continue
            init_node = node(initiative.code, goal_node, i_order, initiative.title)
            by_code[initiative.code] = init_node
            for a_order, activity in enumerate(initiative.activities, start=1):
                code = f"{initiative.code}-{a_order}"
                if activity.relisted_from:
                    pending_relists.append(("activity", code, init_node, a_order, activity.relisted_from, activity))
                    continue
                act_node = node(code, init_node, a_order, activity.title)
                activity_by_key[(initiative.code, _title_key(activity.title))] = act_node
                set_departments(act_node, [department_by_name(municipality, d) for d in activity.departments])
                status = symbols.get(activity.status) if activity.status else None
                tally.upsert(
                    "進捗", ProgressEntry, {"node": act_node, "fiscal_year": report.fiscal_year},
                    {
                        "municipality": municipality, "status": status, "result": activity.result,
                        "next_year_plan": activity.next_year_plan, "later_plan": activity.later_plan,
                        "change_reason": activity.change_reason, "state": ProgressEntry.State.APPROVED,
                    },
                )
    for kind, code, parent, order, original_code, activity in pending_relists:
        if kind == "initiative":
            original = by_code.get(original_code)
            if original is None:
                raise ImportFailed(Problem(f"再掲元 {original_code} が見つかりません（{code}）", file=source))
            node(code, parent, order, "", relisted_from=original)
        else:
            original = activity_by_key.get((original_code, _title_key(activity.title)))
            if original is None:
                raise ImportFailed(Problem(
                    f"再掲元 {original_code} に「{activity.title}」が見つかりません", file=source, row=activity.line
                ))
            node(code, parent, order, "", relisted_from=original)
    return plan


def _title_key(title: str) -> str:
    """Match a re-listed row to its original: ignore width, spaces and the ☆ mark of new items."""
    return remove_spaces(nfkc(title)).lstrip("☆★")


def _write_indicators(access: Access, report: NakanoReport, plan: Plan, tally: UpsertTally) -> None:
    goal_titles = {g.number: f"目標{g.number} {g.title}" for g in report.goals}
    per_goal: dict[int, int] = {}
    for order, ind in enumerate(report.indicators, start=1):
        per_goal[ind.goal_number] = per_goal.get(ind.goal_number, 0) + 1
        notes = [{"mark": m, "text": report.footnotes.get(m, "")} for m in ind.footnote_marks]
        actual_years = sorted(v.fiscal_year for v in ind.values if v.kind == "actual")
        target_years = sorted(v.fiscal_year for v in ind.values if v.kind == "target")
        cumulative_since = None
        changes: list[tuple[int, str]] = []
        for note in notes:
            if m := _CUMULATIVE.search(note["text"]):
                cumulative_since = fiscal.parse_fiscal_year(m.group(1))
            if m := _CHANGE.search(note["text"]):
                era = fiscal.ERA_BY_NAME[m.group(1)]
                year = era.to_western(1 if m.group(2) == "元" else int(m.group(2)))
                month = int(m.group(3))
                effective = year if month >= 4 else year - 1
                changes.append((effective, f"{m.group(4)}から{m.group(5)}に変更（{m.group(1)}{m.group(2)}年{month}月、{note['mark']}）"))
        indicator = tally.upsert(
            "成果指標", Indicator, {"plan": plan, "code": f"目標{ind.goal_number}-{per_goal[ind.goal_number]}"},
            {
                "municipality": plan.municipality, "name": ind.name, "kind": Indicator.Kind.OUTCOME,
                "group": goal_titles.get(ind.goal_number, ""), "footnotes": notes, "order": order,
                "baseline_year": actual_years[0] if actual_years else None,
                "final_target_year": target_years[-1] if target_years else None,
                "cumulative_since": cumulative_since,
            },
        )
        for effective, description in changes:
            tally.upsert(
                "指標の定義変更", IndicatorDefinitionChange, {"indicator": indicator, "effective_fiscal_year": effective},
                {"municipality": plan.municipality, "description": description},
            )
        stored = import_values(access, indicator, [(v.fiscal_year, v.kind, v.raw) for v in ind.values], tally=tally)
        direction = infer_direction_from_values(stored)
        if direction and indicator.direction != direction:
            indicator.direction = direction
            indicator.save(update_fields=["direction"])
