"""(a) The summary from Nakano's imported data reproduces the document's two tables: the status counts
(◎0 ○105 △0 ×0) and the 10-indicator trend table, raw text for raw text, read from the seed itself."""

from __future__ import annotations

import pytest

from shinchoku.core.text import remove_spaces
from shinchoku.demo import NAKANO_PROGRESS
from shinchoku.plans.models import ProgressEntry
from shinchoku.reports.builder import ReportOptions, build_report, build_summary

pytestmark = pytest.mark.django_db


def document_status_table() -> list[tuple[str, int]]:
    """進捗状況の区分 / 取組の数 as printed: ('○ 予定どおり取り組んだ', 105) …"""
    text = NAKANO_PROGRESS.read_text(encoding="utf-8")
    section = text.split("進捗状況の区分\t取組の数", 1)[1].split("###", 1)[0]
    rows = []
    for line in section.splitlines():
        if "\t" in line:
            label, count = line.split("\t")
            rows.append((label.strip(), int(count)))
    return rows


def document_indicator_table() -> dict:
    """成果指標の推移 as printed: kinds, years, and per goal the rows (name + 4 cells), raw text."""
    text = NAKANO_PROGRESS.read_text(encoding="utf-8")
    section = text.split("### 2 成果指標の推移", 1)[1].split("### 3", 1)[0]
    table: dict = {"groups": [], "kinds": None, "years": None, "marks": []}
    for line in section.splitlines():
        if not line.strip():
            continue
        if "\t" not in line:
            title = line.lstrip("# ").strip()
            if title.startswith("目標"):
                table["groups"].append((title, []))
            elif title.startswith("※") and not title.startswith("※令和"):
                table["marks"].append(title.split()[0])
            continue
        cells = line.split("\t")
        if cells[0] == "指標項目":
            kinds: list[str] = []
            for c in cells[1:]:  # 実績 | (実績) | 目標 | (目標): a label spans the empty cells after it
                kinds.append(c or kinds[-1])
            table["kinds"] = kinds
            continue
        if cells[0] == "":
            years = [remove_spaces(c) for c in cells[1:] if c.strip()]
            assert table["years"] in (None, years), "both goals' tables have the same columns"
            table["years"] = years
            continue
        table["groups"][-1][1].append(cells)
    table["kinds"] = table["kinds"][: len(table["years"])]
    return table


def test_document_tables_are_read():
    status = document_status_table()
    assert [count for _, count in status] == [0, 105, 0, 0]
    table = document_indicator_table()
    assert table["kinds"] == ["実績", "実績", "目標", "目標"]
    assert table["years"] == ["令和4年度", "令和5年度", "令和5年度", "令和7年度"]
    assert [len(rows) for _, rows in table["groups"]] == [5, 5]
    assert table["marks"] == ["※1", "※2", "※3"]


def test_status_counts_reproduce_the_document(nakano_plan):
    report = build_summary(nakano_plan, 2023)
    assert [(line.symbol, line.count) for line in report.status.lines] == [("◎", 0), ("○", 105), ("△", 0), ("×", 0)]
    assert [(f"{line.symbol} {line.meaning}", line.count) for line in report.status.lines] == document_status_table()
    assert report.status.total == 105
    assert report.status.unanswered == 0


def test_indicator_table_reproduces_the_document_cell_by_cell(nakano_plan):
    report = build_summary(nakano_plan, 2023)
    table = report.indicators
    doc = document_indicator_table()
    assert [c.kind_label for c in table.columns] == doc["kinds"]
    assert [c.year_label for c in table.columns] == doc["years"]
    assert [remove_spaces(g.title) for g in table.groups] == [remove_spaces(t) for t, _ in doc["groups"]]
    compared = 0
    for group, (_, doc_rows) in zip(table.groups, doc["groups"]):
        assert len(group.rows) == len(doc_rows)
        for row, doc_row in zip(group.rows, doc_rows):
            ours = [row.display_name] + [c.raw_text if c is not None else "" for c in row.cells]
            assert ours == doc_row, f"{row.code}: {ours} != {doc_row}"
            compared += len(doc_row)
    assert compared == 10 * 5
    assert [n.mark for n in table.footnotes] == doc["marks"]
    assert table.as_of == "※令和5年度末時点"


def test_grades_come_from_the_judgement_engine(nakano_plan):
    grades = {row.name: row.grade for _, row in build_summary(nakano_plan, 2023).indicators.rows}
    assert grades["オンラインによる申請受付件数"].grade == "達成"
    assert str(grades["オンラインによる申請受付件数"].achievement_rate) == "117.6"
    assert grades["地図情報に関する窓口及び電話等問い合わせ件数"].grade == "判定不可"
    assert grades["情報セキュリティ事故発生件数"].grade == "未達"
    mynumber = grades["区内のマイナンバーカード交付率"]
    assert mynumber.grade == "未達" and mynumber.definition_break  # 交付率 → 保有率 (※1)
    assert grades["本庁舎の執務室等で保有し、組織で共有している文書量 (fm)"].grade == "遅れ"
    assert all(g.reason.startswith("令和5年度") for g in grades.values())


def test_a_later_year_adds_columns_only_up_to_that_year(nakano_plan):
    """FY2022's table: actuals up to 令和4年度, targets from 令和4年度 on; graded on 令和4年度."""
    report = build_summary(nakano_plan, 2022)
    assert [(c.kind_label, c.year_label) for c in report.indicators.columns] == [
        ("実績", "令和4年度"), ("目標", "令和5年度"), ("目標", "令和7年度")]
    # No entries for FY2022: every activity is unanswered, nothing is counted.
    assert report.status.total == 0 and report.status.unanswered == 105


def test_drafts_are_not_counted_unless_asked(nakano_plan):
    entry = ProgressEntry.objects.filter(node__plan=nakano_plan, fiscal_year=2023).order_by("pk").first()
    entry.state = ProgressEntry.State.DRAFT
    entry.save()
    official = build_report("summary", nakano_plan, 2023)
    assert official.status.count_of("○") == 104 and official.status.unanswered == 1
    everything = build_report("summary", nakano_plan, 2023, ReportOptions(approved_only=False))
    assert everything.status.count_of("○") == 105 and everything.header.approved_only is False
