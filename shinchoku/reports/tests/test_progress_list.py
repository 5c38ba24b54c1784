"""(b) 別紙 progress list, (c) department summary, (d) findings follow-up list from stored data."""

from __future__ import annotations

import datetime as dt

import pytest

from shinchoku.plans.models import ProgressEntry
from shinchoku.reports.builder import (
    ReportError,
    ReportOptions,
    build_department,
    build_findings,
    build_progress_list,
    build_report,
    findings_available,
)

pytestmark = pytest.mark.django_db


def test_progress_list_is_grouped_by_goal_and_initiative_in_document_order(nakano_plan):
    report = build_progress_list(nakano_plan, 2023)
    assert [g.code for g in report.goals] == ["目標1", "目標2"]
    codes = [i.code for g in report.goals for i in g.initiatives]
    assert codes[:4] == ["1-1-①", "1-1-②", "1-1-③", "1-2-①"]
    assert codes.index("2-1-①") > codes.index("1-7-③")
    first = report.goals[0].initiatives[0]
    assert first.title == "マイナンバーカードの普及促進"
    assert [r.title for r in first.rows] == ["マイナンバーカード交付窓口の拡大や交付体制の強化", "コンビニ交付サービスの利用促進"]
    assert first.rows[1].status == "○" and "138,069件" in first.rows[1].result
    assert first.rows[1].departments == ["戸籍住民課"]
    # 105 own rows, each counted once, plus the re-listed references.
    own = [row for _, _, row in report.iter_rows() if not row.is_relisting]
    assert len(own) == 105 and all(row.status == "○" for row in own)
    assert report.row_count == 105 + sum(1 for _, _, row in report.iter_rows() if row.is_relisting)


def test_document_column_order_and_year_labels(nakano_plan):
    columns = build_progress_list(nakano_plan, 2023).columns.as_list()
    assert columns == ["実施内容", "事業内容", "進捗状況", "スケジュールの変更理由", "取組結果（令和5年度）",
                       "令和6年度の取組予定", "令和7年度以降の取組予定", "所管課"]


def test_relisted_rows_are_references_not_copies(nakano_plan):
    report = build_progress_list(nakano_plan, 2023)
    groups = {i.code: i for g in report.goals for i in g.initiatives}
    whole = groups["2-1-①"]  # (1-1-③再掲)ペーパーレスの推進と押印の見直し
    assert whole.relisted_from == "1-1-③" and whole.label == "(1-1-③再掲)ペーパーレスの推進と押印の見直し"
    assert [r.title for r in whole.rows] == ["ペーパーレスの推進", "押印等の見直し"]
    assert all(r.is_relisting and r.status == "" and r.result == "" for r in whole.rows)
    assert whole.rows[0].reference == "再掲（1-1-③ に記載）"
    gis = groups["2-1-④"]  # (1-2-②再掲)セルフサービス端末の活用
    relisted = [r for r in gis.rows if r.is_relisting]
    assert len(relisted) == 1 and relisted[0].relisted_from == "1-2-②" and "セルフサービス端末の活用" in relisted[0].title


def test_filters_by_department_and_status(nakano_plan):
    koseki = build_progress_list(nakano_plan, 2023, ReportOptions(department="戸籍住民課"))
    assert koseki.row_count > 0
    assert all("戸籍住民課" in row.departments for _, _, row in koseki.iter_rows())
    assert koseki.header.filters == {"department": "戸籍住民課"}
    assert build_progress_list(nakano_plan, 2023, ReportOptions(status="△")).row_count == 0
    circles = build_progress_list(nakano_plan, 2023, ReportOptions(status="○"))
    assert circles.row_count == 105  # re-listed references have no status of their own


def test_unapproved_entries_are_blank_in_the_official_list(nakano_plan):
    entry = ProgressEntry.objects.filter(node__plan=nakano_plan, fiscal_year=2023, node__code="1-1-①-2").get()
    entry.state = ProgressEntry.State.SUBMITTED
    entry.result = "未承認の下書きの文"
    entry.save()
    official = build_progress_list(nakano_plan, 2023)
    row = next(r for _, _, r in official.iter_rows() if r.code == "1-1-①-2")
    assert row.result == "" and row.status == "" and not row.answered
    drafts = build_progress_list(nakano_plan, 2023, ReportOptions(approved_only=False))
    assert next(r for _, _, r in drafts.iter_rows() if r.code == "1-1-①-2").result == "未承認の下書きの文"


def test_department_summary(nakano_plan):
    report = build_department(nakano_plan, 2023)
    assert report.totals.total == 105 and report.totals.counts == [0, 105, 0, 0]
    lines = {line.name: line for line in report.lines}
    assert lines["戸籍住民課"].total == sum(
        1 for _, _, r in build_progress_list(nakano_plan, 2023).iter_rows() if not r.is_relisting and "戸籍住民課" in r.departments
    )
    assert sum(line.total for line in report.lines) >= 105  # co-owned activities count for each owner
    assert report.attention == []


def test_department_summary_lists_late_items_with_reason(nakano_plan):
    late = nakano_plan.status_scale.symbols.get(symbol="△")
    entry = ProgressEntry.objects.get(node__plan=nakano_plan, fiscal_year=2023, node__code="1-1-①-1")
    entry.status = late
    entry.change_reason = "システム改修の遅れ"
    entry.save()
    report = build_department(nakano_plan, 2023)
    assert [(a.code, a.status, a.change_reason) for a in report.attention] == [("1-1-①-1", "△", "システム改修の遅れ")]
    assert {line.name: line.counts for line in report.lines}["戸籍住民課"][2] == 1


def test_unknown_kind_is_refused(nakano_plan):
    with pytest.raises(ReportError):
        build_report("budget", nakano_plan, 2023)


def test_findings_follow_up_list(nakano_plan):
    assert findings_available(), "the audits app's migration has landed: the findings report must work"
    from shinchoku.audits.models import Audit, Finding, Response
    from shinchoku.core.models import Department

    audit = Audit.objects.create(municipality=nakano_plan.municipality, kind="external", fiscal_year=2023, theme="情報システムの調達")
    dept = Department.objects.get(municipality=nakano_plan.municipality, name="デジタル政策課")
    f1 = Finding.objects.create(municipality=nakano_plan.municipality, audit=audit, kind="shiteki", number=1, title="見積の分析", order=1)
    f1.departments.add(dept)
    f2 = Finding.objects.create(municipality=nakano_plan.municipality, audit=audit, kind="iken", number=1, title="KPIの設定", order=2)
    Response.objects.create(municipality=nakano_plan.municipality, finding=f1, text="手順を改めた", date=dt.date(2024, 3, 1),
                            state="done", review="approved")
    Response.objects.create(municipality=nakano_plan.municipality, finding=f2, text="未承認の回答", date=dt.date(2024, 3, 2),
                            state="done", review="submitted")
    report = build_findings(nakano_plan, 2023)
    rows = [(f.label, f.state, f.response, f.departments) for a in report.audits for f in a.findings]
    assert rows == [("指摘事項1", "措置済", "手順を改めた", ["デジタル政策課"]), ("意見事項1", "未措置", "", [])]
    assert dict(report.state_counts) == {"未措置": 1, "措置中": 0, "措置済": 1}
    assert build_findings(nakano_plan, 2022).audits == []  # audits of later years are not in an earlier list
    from shinchoku.reports.render import render

    assert render(report, "pdf").content.startswith(b"%PDF")
    assert "手順を改めた" in render(report, "csv").content.decode("utf-8-sig")
    assert "指摘事項1" in render(report, "html").content.decode()
    assert render(report, "xlsx").content == render(build_findings(nakano_plan, 2023), "xlsx").content
