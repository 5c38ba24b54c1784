"""``shinchoku findings list|follow-up|remind`` — the audit findings register on the command line."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from shinchoku.audits import queries, services
from shinchoku.core.commandline import dumps, resolve_municipality
from shinchoku.audits.models import Finding
from shinchoku.core.notify import describe
from shinchoku.audits.reports import follow_up_pdf, follow_up_xlsx
from shinchoku.core import fiscal
from shinchoku.core.changelog import acting_as
from shinchoku.core.render_pdf import PdfRenderError


def _fy(value: str | None) -> int | None:
    if not value:
        return None
    try:
        return fiscal.parse_fiscal_year(value)
    except fiscal.FiscalYearError as exc:
        raise CommandError(f"--fy: {exc}")


class Command(BaseCommand):
    help = "監査の指摘事項・意見事項（一覧、措置状況一覧の出力、回答督促メール）"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        p = sub.add_parser("list", help="指摘・意見の一覧と措置状況")
        p.add_argument("--fy", help="監査の年度（2025、令和7年度、R7 など。既定: すべて）")
        p.add_argument("--department", help="対象部局名で絞り込む")
        p.add_argument("--state", choices=queries.STATE_ORDER, help="措置状況で絞り込む")
        p.add_argument("--json", action="store_true", help="JSONで出力する")
        p = sub.add_parser("follow-up", help="措置状況一覧を XLSX または PDF で出力する")
        p.add_argument("--format", choices=["xlsx", "pdf"], required=True)
        p.add_argument("--output", required=True, help="出力するファイル")
        p.add_argument("--fy", help="監査の年度（既定: 最新の監査の年度）")
        p = sub.add_parser("remind", help="未回答の指摘・意見がある所管課に督促メールを送る")
        p.add_argument("--dry-run", action="store_true", help="送らずに宛先と件数だけを表示する")
        p.add_argument("--fy", help="監査の年度で絞り込む")
        p.add_argument("--json", action="store_true")
        for p in sub.choices.values():
            p.add_argument("--municipality", help="団体コード（監査が登録された団体が1つなら省略可）")

    def handle(self, *args, action: str, **options):
        from shinchoku.audits.models import Audit

        municipality = resolve_municipality(options.get("municipality"), Audit, "監査")
        fy = _fy(options.get("fy"))
        getattr(self, f"_{action.replace('-', '_')}")(municipality, fy, options)

    def _list(self, municipality, fy, options):
        qs = queries.findings_queryset(municipality)
        if fy is not None:
            qs = qs.filter(audit__fiscal_year=fy)
        rows = queries.finding_rows(qs)
        if options.get("department"):
            rows = [r for r in rows if options["department"] in r.departments]
        if options.get("state"):
            rows = [r for r in rows if r.state_label == options["state"]]
        if options["json"]:
            self.stdout.write(dumps({
                "municipality": {"code": municipality.code, "name": municipality.name},
                "count": len(rows),
                "counts_by_kind": {k.label: sum(1 for r in rows if r.finding.kind == k.value) for k in Finding.Kind},
                "counts_by_state": queries.state_counts(rows),
                "counts_by_department": queries.department_counts(rows),
                "findings": [
                    {
                        "id": r.finding.pk,
                        "audit": {"id": r.audit.pk, "kind": r.audit.get_kind_display(), "fiscal_year": r.audit.fiscal_year,
                                  "theme": r.audit.theme},
                        "label": r.label, "kind": r.finding.get_kind_display(), "number": r.finding.number,
                        "title": r.finding.title, "summary": r.finding.summary, "departments": r.departments,
                        "page": r.finding.page, "state": r.state_label, "pending_responses": r.pending,
                        "response": r.official.text if r.official else None,
                        "response_date": r.official.date if r.official else None,
                    }
                    for r in rows
                ],
            }))
            return
        current = None
        for r in rows:
            if r.audit.pk != current:
                current = r.audit.pk
                self.stdout.write(f"■ {r.audit}")
            self.stdout.write(
                f"  {r.label:<8} P{r.finding.page or '-':<4} {r.state_label:<4} {'・'.join(r.departments)}  {r.finding.title}"
            )
        counts = queries.state_counts(rows)
        self.stdout.write(f"計 {len(rows)}件（" + "、".join(f"{k} {v}件" for k, v in counts.items()) + "）")

    def _follow_up(self, municipality, fy, options):
        report = queries.follow_up_report(municipality, fy)
        if not report.rows:
            raise CommandError(f"{fiscal.label(report.fiscal_year) if report.fiscal_year else ''}の監査の指摘・意見がありません")
        try:
            data = follow_up_xlsx(report) if options["format"] == "xlsx" else follow_up_pdf(report)
        except PdfRenderError as exc:
            raise CommandError(str(exc))
        out = Path(options["output"])
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(data)
        self.stdout.write(f"{report.title}（{len(report.rows)}件）を {out} に出力しました（{len(data):,}バイト）")

    def _remind(self, municipality, fy, options):
        dry_run = options["dry_run"]
        with acting_as(None, name="shinchoku findings remind"):
            reminders = services.send_finding_reminders(None, municipality, dry_run=dry_run, fiscal_year=fy)
        if options["json"]:
            self.stdout.write(dumps({"dry_run": dry_run, "reminders": [r.as_dict() for r in reminders]}))
            return
        if not reminders:
            self.stdout.write("未回答の指摘・意見はありません")
            return
        self.stdout.write(("【試行】送信はしていません。" if dry_run else "") + f"督促先 {len(reminders)}所管課:")
        for line in describe(reminders, dry_run=dry_run):
            self.stdout.write("  " + line)
