"""The follow-up list (措置状況一覧) as XLSX and PDF, from :class:`~shinchoku.audits.queries.FollowUpReport`."""

from __future__ import annotations

from pathlib import Path

from shinchoku.audits.queries import FollowUpReport
from shinchoku.core.render_pdf import render_pdf
from shinchoku.core.render_xlsx import Column, TableSheet, render_xlsx

FOLLOW_UP_TYP = Path(__file__).resolve().parent / "templates" / "audits" / "follow_up.typ"


def _subheadings(report: FollowUpReport) -> list[str]:
    counts = "、".join(f"{k} {v}件" for k, v in report.state_counts.items())
    lines = [f"{report.municipality}　基準日 {report.as_of:%Y年%m月%d日}　全{len(report.rows)}件（{counts}）"]
    lines += [f"対象: {a}" for a in report.audits]
    return lines


def follow_up_xlsx(report: FollowUpReport) -> bytes:
    columns = [Column("No.", 5, "integer")]
    if report.several_audits:
        columns.append(Column("監査", 22, "wrap"))
    columns += [
        Column("分類・番号", 11, "center"),
        Column("題名", 34, "wrap"),
        Column("概要", 48, "wrap"),
        Column("対象部局", 16, "wrap"),
        Column("頁", 6, "integer"),
        Column("措置状況", 9, "center"),
        Column("措置の内容", 48, "wrap"),
        Column("措置日", 11, "date"),
        Column("承認日", 11, "date"),
    ]
    rows = []
    for r in report.rows:
        row = [r.no] + ([r.audit] if report.several_audits else [])
        row += [r.label, r.title, r.summary, "・".join(r.departments), r.page, r.state, r.response, r.response_date, r.approved_at]
        rows.append(row)
    sheet = TableSheet(
        title="措置状況一覧",
        heading=report.title,
        subheadings=_subheadings(report),
        columns=columns,
        rows=rows,
        notes=["措置状況は、企画・DX推進課（監査事務担当）が承認した最新の措置によります。承認前の回答は含みません。"],
    )
    return render_xlsx([sheet])


def follow_up_pdf(report: FollowUpReport) -> bytes:
    return render_pdf(FOLLOW_UP_TYP, report.as_dict())
