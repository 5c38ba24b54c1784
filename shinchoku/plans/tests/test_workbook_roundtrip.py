"""Plan workbook round trips: Nakano's imported plan → workbook → an empty database gives the same plan
(tree, 再掲 links, status counts ◎0 ○105 △0 ×0, indicator grades), and export → import → export gives
identical sheets — for Nakano and, with hypothesis, for generated plans of random depth and content."""

from __future__ import annotations

import io
import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shinchoku.core.models import ChangeLog, Department, Municipality
from shinchoku.effects.models import Effect
from shinchoku.indicators.engine import judge_plan
from shinchoku.indicators.models import Indicator, IndicatorDefinitionChange, IndicatorValue
from shinchoku.plans.models import NodeDepartment, Plan, PlanNode, ProgressEntry, StatusScale, StatusSymbol
from shinchoku.plans.queries import status_counts
from shinchoku.plans.workbook import format as fmt
from shinchoku.plans.workbook.importer import import_workbook
from shinchoku.plans.workbook.reader import read_tables
from shinchoku.plans.workbook.writer import export_plan, to_csv_zip, to_xlsx

pytestmark = pytest.mark.django_db

MODELS = (Plan, PlanNode, NodeDepartment, ProgressEntry, StatusScale, StatusSymbol, Indicator, IndicatorValue,
          IndicatorDefinitionChange, Effect, Department, Municipality)


def wipe() -> None:
    """Empty every tenant table (inside the test's transaction, rolled back afterwards)."""
    Plan.objects.all().delete()
    StatusScale.objects.all().delete()
    Department.objects.all().delete()
    Municipality.objects.all().delete()
    # the change-log rows the deletions just wrote point at the deleted municipalities
    ChangeLog.objects.exclude(municipality=None).update(municipality=None)
    assert all(m.objects.count() == 0 for m in MODELS)


def tree(plan: Plan) -> list[tuple]:
    nodes = PlanNode.objects.filter(plan=plan).order_by("path").select_related("parent", "relisted_from")
    return [
        (
            n.code, n.parent.code if n.parent else "", n.depth, n.title, n.relisted_from.code if n.relisted_from else "",
            list(n.ownerships.order_by("order").values_list("department__name", flat=True)), n.tags, n.description,
        )
        for n in nodes
    ]


def grades(plan: Plan, year: int) -> list[tuple]:
    return [(i.code, j.grade.value, j.achievement_rate, j.reason) for i, j in judge_plan(plan, year)]


def entries(plan: Plan) -> list[tuple]:
    return sorted(
        ProgressEntry.objects.filter(node__plan=plan).values_list(
            "node__code", "fiscal_year", "status__symbol", "result", "next_year_plan", "later_plan", "change_reason"
        )
    )


@pytest.mark.parametrize("fmt_name", ["xlsx", "csv-zip"])
def test_nakano_round_trip_into_an_empty_database(nakano_plan, fmt_name):
    before_tree, before_entries = tree(nakano_plan), entries(nakano_plan)
    before_grades = grades(nakano_plan, 2023)
    before_indicators = list(Indicator.objects.filter(plan=nakano_plan).order_by("order").values_list(
        "code", "name", "unit", "direction", "baseline_year", "final_target_year", "cumulative_since", "group", "footnotes",
    ))
    before_values = sorted(IndicatorValue.objects.filter(indicator__plan=nakano_plan).values_list(
        "indicator__code", "fiscal_year", "kind", "raw_text", "value", "readable",
    ))
    relists = sorted((n.code, n.relisted_from.code) for n in nakano_plan.nodes.filter(relisted_from__isnull=False))
    first = export_plan(nakano_plan, fmt_name)

    wipe()
    result = import_workbook(first, dry_run=False, filename=f"nakano.{fmt_name}")
    plan = Plan.objects.get(pk=result.plan_id)

    assert result.created == {"計画": 1, "項目": 152, "進捗": 105, "指標": 10, "指標値": 40}
    assert tree(plan) == before_tree
    assert entries(plan) == before_entries
    assert sorted((n.code, n.relisted_from.code) for n in plan.nodes.filter(relisted_from__isnull=False)) == relists
    assert len(relists) == 7
    assert {s: c for s, _, c in status_counts(plan, 2023)} == {"◎": 0, "○": 105, "△": 0, "×": 0}
    assert grades(plan, 2023) == before_grades
    assert [g for _, g, _, _ in before_grades] == ["未達", "達成", "判定不可", "遅れ", "遅れ", "遅れ", "達成", "遅れ", "未達", "達成"]
    assert list(Indicator.objects.filter(plan=plan).order_by("order").values_list(
        "code", "name", "unit", "direction", "baseline_year", "final_target_year", "cumulative_since", "group", "footnotes",
    )) == before_indicators
    assert sorted(IndicatorValue.objects.filter(indicator__plan=plan).values_list(
        "indicator__code", "fiscal_year", "kind", "raw_text", "value", "readable",
    )) == before_values
    card = Indicator.objects.get(plan=plan, code="目標1-1")
    assert card.definition_changes.get().effective_fiscal_year == 2023

    second = export_plan(plan, fmt_name)
    assert read_tables(second, filename="second") == read_tables(first, filename="first")


def test_reimporting_the_export_changes_nothing(nakano_plan):
    data = export_plan(nakano_plan)
    log_before = ChangeLog.objects.count()
    result = import_workbook(data, dry_run=False, filename="nakano.xlsx")
    assert result.plan_id == nakano_plan.pk
    assert result.created == {} and result.updated == {}
    assert result.unchanged == {"計画": 1, "項目": 152, "進捗": 105, "指標": 10, "指標値": 40}
    assert ChangeLog.objects.count() == log_before


def test_reimport_updates_by_code_reports_the_diff_and_never_duplicates(nakano_plan):
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(export_plan(nakano_plan)))
    items = book["項目"]
    row = next(r for r in items.iter_rows(min_row=2) if r[0].value == "1-1-①-1")
    row[3].value = "マイナンバーカードの普及促進（改）"
    values = book["指標値"]
    target = next(r for r in values.iter_rows(min_row=2) if r[0].value == "目標1-2" and r[2].value == "実績" and r[1].value == "令和5年度")
    target[3].value = "約 210 万件"
    progress = book["進捗"]
    entry_row = next(r for r in progress.iter_rows(min_row=2) if r[0].value == "1-1-①-1")
    entry_row[3].value = "取組結果を書き直した。"
    buffer = io.BytesIO()
    book.save(buffer)
    entry = ProgressEntry.objects.get(node__plan=nakano_plan, node__code="1-1-①-1", fiscal_year=2023)
    counts = (PlanNode.objects.count(), ProgressEntry.objects.count(), IndicatorValue.objects.count())

    preview = import_workbook(buffer.getvalue(), dry_run=True, filename="nakano-edited.xlsx")
    assert preview.updated == {"項目": 1, "進捗": 1, "指標値": 1}
    assert PlanNode.objects.get(plan=nakano_plan, code="1-1-①-1").title != "マイナンバーカードの普及促進（改）"

    result = import_workbook(buffer.getvalue(), dry_run=False, filename="nakano-edited.xlsx")
    assert result.updated == {"項目": 1, "進捗": 1, "指標値": 1}
    assert result.unchanged["項目"] == 151
    assert any("1-1-①-1" in note and "名称" in note for note in result.notes)
    assert (PlanNode.objects.count(), ProgressEntry.objects.count(), IndicatorValue.objects.count()) == counts
    assert PlanNode.objects.get(plan=nakano_plan, code="1-1-①-1").title == "マイナンバーカードの普及促進（改）"
    value = IndicatorValue.objects.get(indicator__plan=nakano_plan, indicator__code="目標1-2", fiscal_year=2023, kind="actual")
    assert value.value == 2_100_000 and value.approximate
    entry.refresh_from_db()
    assert entry.result == "取組結果を書き直した。" and entry.version == 2  # an import is an edit: stale forms are refused


def test_import_command_json_names_plan_and_counts_per_sheet(nakano_plan, tmp_path):
    path = tmp_path / "nakano.xlsx"
    path.write_bytes(export_plan(nakano_plan))
    out = StringIO()
    call_command("import", "workbook", str(path), "--dry-run", "--json", stdout=out)
    payload = json.loads(out.getvalue())
    assert payload["ok"] and payload["plan_id"] == nakano_plan.pk and payload["kind"] == "workbook"
    assert payload["counts"]["項目"] == 152 and payload["counts"]["進捗状況"]["2023"] == {"◎": 0, "○": 105, "△": 0, "×": 0}
    assert payload["unchanged"]["項目"] == 152


def test_export_command_writes_both_formats_and_the_template(nakano_plan, tmp_path):
    for name, expected in (("a.xlsx", b"PK"), ("b.zip", b"PK")):
        call_command("export", "workbook", "--plan", str(nakano_plan.pk), "--output", str(tmp_path / name), stdout=StringIO())
        assert (tmp_path / name).read_bytes()[:2] == expected
    assert read_tables(tmp_path / "a.xlsx") == read_tables(tmp_path / "b.zip")
    call_command("export", "template", "--output", str(tmp_path / "t.xlsx"), stdout=StringIO())
    tables = read_tables(tmp_path / "t.xlsx")
    assert tables["items"] == [[c.label for c in fmt.ITEMS_SHEET.columns]]


# --------------------------------------------------------------------------- generated plans

DEPARTMENTS = ["子ども・若者課", "デジタル政策課", "総務課", "保育園・幼稚園課", "区民サービス課", "税務課"]
CODE_CHARS = "0123456789-①②③ABCNo.計画取組目標"
TEXT_CHARS = "あいうえおアイウエオ漢字計画取組推進・ー－（）()=＝%％0123456789 abc\n"
VALUE_POOL = ["85%以下", "約200万件", "年 120 時間以下", "収支差額 > 0", "0件", "集計中", "-", "", "12件", "1/15",
              "予算額の1割程度", "3,900fm", "運用開始", "▲300千円", "68.3% ※1", "50%以上"]
EFFECT_POOL = {"effect": ["182百万円", "約 5,000千円", "集計中"], "saving": ["20,000千円/年", "1,000円"],
               "revenue": ["3百万円", "-"], "hours": ["1,400時間/月", "120時間/年", "50時間"]}
YEARS = list(range(2019, 2031))


@st.composite
def plans(draw):
    n = draw(st.integers(1, 18))
    codes = draw(st.lists(st.text(CODE_CHARS, min_size=1, max_size=8), min_size=n, max_size=n, unique=True))
    max_depth = draw(st.integers(1, 6))
    items = []
    depth: dict[int, int] = {}
    for i, code in enumerate(codes):
        candidates = [j for j in range(i) if depth[j] + 1 < max_depth]
        parent = draw(st.sampled_from([None, *candidates])) if candidates else None
        depth[i] = depth[parent] + 1 if parent is not None else 0
        relist = None
        originals = [j for j in range(i) if items[j]["relisted_from"] is None and j != parent]
        if originals and draw(st.integers(0, 5)) == 0:
            relist = draw(st.sampled_from(originals))
        items.append({
            "code": code, "parent": parent, "relisted_from": relist,
            "title": "" if relist is not None and draw(st.booleans()) else draw(st.text(TEXT_CHARS, min_size=1, max_size=20)).strip() or "名称",
            "departments": draw(st.lists(st.sampled_from(DEPARTMENTS), max_size=3, unique=True)),
            "tags": draw(st.lists(st.sampled_from(["重点", "新規", "継続"]), max_size=2, unique=True)),
            "description": draw(st.text(TEXT_CHARS, max_size=15)),
        })
    order = draw(st.permutations(list(range(n))))  # rows in any order: a child may come before its parent
    levels = draw(st.lists(st.sampled_from(["目標", "施策", "取組", "事業", "指針"]), max_size=max_depth, unique=True))
    scale = draw(st.sampled_from([[], [("◎", "予定以上"), ("○", "予定どおり"), ("△", "遅れ"), ("×", "未着手")],
                                  [("A", "実施済"), ("B", "作業中"), ("C", "検討中"), ("D", "未着手")]]))
    progress = []
    for i, item in enumerate(items):
        if item["relisted_from"] is not None:
            continue
        for year in draw(st.lists(st.sampled_from(YEARS), max_size=2, unique=True)):
            progress.append([
                item["code"], draw(st.sampled_from([str(year), f"R{year - 2018}", f"令和{year - 2018}年度"])) if year > 2019 else "令和元年度",
                draw(st.sampled_from(["", *[s for s, _ in scale]])), draw(st.text(TEXT_CHARS, max_size=30)),
                draw(st.text(TEXT_CHARS, max_size=10)), "", draw(st.text(TEXT_CHARS, max_size=10)),
            ])
    indicators, values = [], []
    for k in range(draw(st.integers(0, 3))):
        code = f"KPI-{k + 1}"
        unit = draw(st.sampled_from(["件", "%", "千円", ""]))
        notes = draw(st.sampled_from(["", "※1 令和3年度以降の累計", "【区分】目標1\n※2 注記の本文\n2行目",
                                      "【定義変更】令和5年度: 交付率から保有率に変更", "【担当課】子ども・若者課",
                                      "【基準値】令和2年度: 40件\n【最終目標年度】なし",
                                      *(["【基準量】令和6年度: 12,000千円"] if unit == "千円" else [])]))
        indicators.append([
            code, f"指標{k + 1}", draw(st.sampled_from(["成果指標", "活動指標", ""])),
            unit, draw(st.sampled_from(["高いほど良い", "低いほど良い", "範囲内", "定性"])),
            "、".join(draw(st.lists(st.sampled_from(codes), max_size=2, unique=True))), draw(st.text(TEXT_CHARS, max_size=10)),
            "", notes,
        ])
        for year, kind in draw(st.lists(st.tuples(st.sampled_from(YEARS), st.sampled_from(["実績", "目標", "見込み"])),
                                        max_size=5, unique=True)):
            values.append([code, str(year), kind, draw(st.sampled_from(VALUE_POOL)), draw(st.sampled_from(["", "令和5年12月現在"])), ""])
    effects = []
    for key in draw(st.lists(st.tuples(st.sampled_from(["", *codes]), st.sampled_from(YEARS),
                                       st.sampled_from(list(fmt.EFFECT_KINDS))), max_size=4, unique=True)):
        item, year, label = key
        kind = fmt.EFFECT_KINDS[label]
        effects.append([item, str(year), draw(st.sampled_from(["", str(min(year + 3, 2030))])), label,
                        draw(st.sampled_from(EFFECT_POOL[kind])), draw(st.text(TEXT_CHARS, max_size=10)), ""])
    code_of = {i: item["code"] for i, item in enumerate(items)}
    tables = {
        "plan": [["団体コード", "990050"], ["団体名", "生成区"], ["計画名", draw(st.text("計画推進第12次", min_size=1, max_size=10))],
                 ["計画期間開始年度", "令和2年度"], ["計画期間終了年度", "2030"], ["階層名", ";".join(levels)],
                 ["進捗区分", fmt.format_scale(scale)], ["計画種別", "DX推進計画"], ["説明", ""]],
        "items": [
            [items[i]["code"], code_of.get(items[i]["parent"], ""), "", items[i]["title"], "、".join(items[i]["departments"]),
             code_of.get(items[i]["relisted_from"], ""), ";".join(items[i]["tags"]), items[i]["description"]]
            for i in order
        ],
        "progress": progress, "indicators": indicators, "indicator_values": values, "effects": effects,
    }
    return tables, items, draw(st.sampled_from(["xlsx", "csv-zip"]))


def _write(tables, fmt_name: str) -> bytes:
    return to_csv_zip(tables) if fmt_name == "csv-zip" else to_xlsx(tables)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(generated=plans())
def test_generated_plans_round_trip(db, generated):
    tables, items, fmt_name = generated
    with transaction.atomic():
        first_import = import_workbook(_write(tables, fmt_name), dry_run=False, filename=f"generated.{fmt_name}")
        plan = Plan.objects.get(pk=first_import.plan_id)
        imported = {code: (parent, title, relisted, departments) for code, parent, _, title, relisted, departments, *_ in tree(plan)}
        for item in items:
            parent = items[item["parent"]]["code"] if item["parent"] is not None else ""
            relisted = items[item["relisted_from"]]["code"] if item["relisted_from"] is not None else ""
            assert imported[item["code"]] == (parent, item["title"], relisted, item["departments"])
        exported = export_plan(plan, fmt_name)
        transaction.set_rollback(True)
    with transaction.atomic():
        second_import = import_workbook(exported, dry_run=False, filename=f"exported.{fmt_name}")
        assert second_import.created.get("項目", 0) == len(items)
        again = export_plan(Plan.objects.get(pk=second_import.plan_id), fmt_name)
        assert read_tables(again, filename="again") == read_tables(exported, filename="exported")
        third = import_workbook(again, dry_run=True, filename="again")
        assert third.created == {} and third.updated == {}
        transaction.set_rollback(True)
