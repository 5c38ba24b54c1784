"""``shinchoku import koto-audit-findings PATH`` — the findings register of Koto's external audit report.

The text is parsed completely first (:mod:`shinchoku.audits.koto`, no database); then the audit,
its findings and their departments are written in one transaction keyed by
(団体, 監査の種類, 年度, テーマ) and (監査, 分類, 番号), so a second import of the same file changes
nothing (no row, no change-log entry) and a corrected report updates what changed.

Decisions (the document does not say them):

- the municipality is Koto (131083) unless ``--municipality`` says otherwise; its name comes from the
  report title;
- departments are matched by name within the municipality and created on first mention; a joint
  cell (``DX推進課・情報システム課``) gives one link per department, split with the parser's rule,
  which also consults the departments already registered;
- findings present in the database but no longer in the file are kept and reported in a note
  (they may carry responses); nothing is deleted by an import;
- the parser's cross-check against the detailed findings of chapter 4 is run; disagreements are
  reported as notes, not errors (the summary table is what the report publishes as the register).
"""

from __future__ import annotations

import re

from shinchoku.audits.koto import (
    KIND_SHITEKI,
    AuditReportData,
    KotoFormatError,
    cross_check_koto,
    department_counts,
    parse_koto_findings,
)
from shinchoku.audits.models import Audit, Finding
from shinchoku.core.access import Access
from shinchoku.core.importing import ImportFailed, ImportResult, Problem, read_text_document, run_atomically
from shinchoku.core.models import Department, Municipality
from shinchoku.core.upsert import UpsertTally

KOTO_CODE = "131083"
KOTO_NAME = "江東区"

_AUDIT_KINDS = {"包括外部監査": Audit.Kind.EXTERNAL, "個別外部監査": Audit.Kind.OTHER}


def audit_kind_of(text: str | None) -> str:
    if not text:
        return Audit.Kind.EXTERNAL
    if "セキュリティ" in text:
        return Audit.Kind.SECURITY
    return _AUDIT_KINDS.get(text, Audit.Kind.OTHER)


def per_department_note(counts: dict[str, int], total: int) -> str:
    joint = sum(counts.values()) - total
    listed = "、".join(f"{d} {n}件" for d, n in counts.items())
    tail = f"（共同所管の{joint}件は各所管課で1件と数えるため合計{sum(counts.values())}件）" if joint else ""
    return f"所管課別の件数: {listed}{tail}"


class KotoAuditImporter:
    help = "江東区包括外部監査報告書（第3章 監査意見の概要・要約の表）のテキストから指摘事項・意見事項を取り込む"

    def add_arguments(self, parser) -> None:
        parser.add_argument("--municipality", default=KOTO_CODE, help=f"団体コード（既定: {KOTO_CODE} {KOTO_NAME}）")
        parser.add_argument("--municipality-name", default=None, help="団体が未登録のときに使う団体名（既定: 報告書の表題から）")

    def run(self, path: str, *, access: Access, dry_run: bool, options: dict) -> ImportResult:
        name, text = read_text_document(path)
        code = options.get("municipality") or KOTO_CODE
        if not re.fullmatch(r"\d{6}", code):
            raise ImportFailed(Problem(f"団体コード「{code}」は6桁の数字ではありません", file=name))
        existing = Municipality.objects.filter(code=code).first()
        known = list(Department.objects.filter(municipality=existing).values_list("name", flat=True)) if existing else None
        try:
            report = parse_koto_findings(text, filename=name, known_departments=known or None)
        except KotoFormatError as exc:
            raise ImportFailed(Problem(exc.message, file=name, row=exc.line))
        if report.fiscal_year is None or not report.theme:
            raise ImportFailed(Problem("報告書の表題から年度・監査テーマを読み取れません", file=name, row=1))
        result = import_audit_report(
            report,
            source=name,
            municipality_code=code,
            municipality_name=options.get("municipality_name") or report.municipality or KOTO_NAME,
            dry_run=dry_run,
        )
        result.notes.extend(f"本文との照合: {p}" for p in cross_check_koto(report, text))
        return result


def import_audit_report(
    report: AuditReportData, *, source: str, municipality_code: str, municipality_name: str, dry_run: bool
) -> ImportResult:
    result = ImportResult(kind="koto-audit-findings", file=source, dry_run=dry_run)

    def apply():
        tally = UpsertTally()
        municipality = Municipality.objects.filter(code=municipality_code).first()
        if municipality is None:
            municipality = Municipality.objects.create(code=municipality_code, name=municipality_name)
            tally.count("団体", "created")
        audit = tally.upsert(
            "監査", Audit,
            {"municipality": municipality, "kind": audit_kind_of(report.audit_kind),
             "fiscal_year": report.fiscal_year, "theme": report.theme},
            {"auditor": report.auditor or "", "auditor_qualification": report.auditor_qualification or "",
             "assistants": list(report.assistants), "source": source},
        )
        departments: dict[str, Department] = {
            d.name: d for d in Department.objects.filter(municipality=municipality)
        }
        seen = set()
        for order, f in enumerate(report.findings, start=1):
            kind = Finding.Kind.SHITEKI if f.kind == KIND_SHITEKI else Finding.Kind.IKEN
            seen.add((kind, f.number))
            finding = tally.upsert(
                "指摘・意見", Finding, {"audit": audit, "kind": kind, "number": f.number},
                {"municipality": municipality, "title": f.title, "summary": f.summary,
                 "department_text": f.department_text, "page": f.page, "order": order},
            )
            wanted = []
            for dept_name in f.departments:
                dept = departments.get(dept_name)
                if dept is None:
                    dept = Department.objects.create(municipality=municipality, name=dept_name, kind=Department.Kind.DIVISION)
                    departments[dept_name] = dept
                    tally.count("所管課", "created")
                wanted.append(dept)
            current = set(finding.departments.values_list("pk", flat=True))
            if current != {d.pk for d in wanted}:
                finding.departments.set(wanted)
                if current:
                    tally.count("対象部局の割当", "updated")
                else:
                    tally.count("対象部局の割当", "created")
            else:
                tally.count("対象部局の割当", "unchanged")
        stale = [
            fd.label for fd in Finding.objects.filter(audit=audit).order_by("order")
            if (fd.kind, fd.number) not in seen
        ]
        if stale:
            result.notes.append(f"ファイルにない指摘・意見が登録済みです（削除していません）: {'、'.join(stale)}")
        result.created, result.updated, result.unchanged = dict(tally.created), dict(tally.updated), dict(tally.unchanged)
        if not dry_run:
            result.counts["監査ID"] = audit.pk
        return audit

    run_atomically(apply, dry_run=dry_run)
    by_kind = report.counts_by_kind()
    counts = department_counts(report.findings)
    result.counts.update({
        "年度": report.fiscal_year,
        "監査": report.audit_kind,
        "テーマ": report.theme,
        "監査人": report.auditor,
        "指摘・意見": len(report.findings),
        **by_kind,
        "所管課別": counts,
    })
    if report.declared_counts and report.declared_counts != by_kind:  # pragma: no cover - the parser refuses it
        result.notes.append(f"報告書の件数 {report.declared_counts} と表の行数 {by_kind} が一致しません")
    result.notes.append(per_department_note(counts, len(report.findings)))
    return result
