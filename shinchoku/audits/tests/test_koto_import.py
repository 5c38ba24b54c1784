"""``shinchoku import koto-audit-findings``: Koto's chapter 3 table into the register (38 findings),
per-department counts checked against the document, idempotent re-import, dry run, bad files."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command

from shinchoku.audits.models import Audit, Finding
from shinchoku.audits.queries import department_counts, finding_rows
from shinchoku.audits.tests.test_koto_parser import EXPECTED, EXPECTED_DEPARTMENT_COUNTS
from shinchoku.core.access import Access
from shinchoku.core.changelog import acting_as
from shinchoku.core.importing import ImportFailed, get_importer
from shinchoku.core.models import ChangeLog, Department
from shinchoku.demo import KOTO_AUDIT

pytestmark = pytest.mark.django_db

KIND = {"指摘事項": Finding.Kind.SHITEKI, "意見事項": Finding.Kind.IKEN}


def test_koto_imports_as_38_findings(koto, koto_municipality):
    audit = Audit.objects.get(municipality=koto_municipality)
    assert audit.kind == Audit.Kind.EXTERNAL and audit.fiscal_year == 2025
    assert audit.theme == "行政手続の簡素化・合理化とデジタルサービス推進施策に係る財務事務の執行について"
    assert audit.auditor == "天野 修"
    findings = Finding.objects.filter(audit=audit)
    assert findings.count() == 38
    shiteki = list(findings.filter(kind=Finding.Kind.SHITEKI))
    assert len(shiteki) == 1
    (f,) = shiteki
    assert (f.number, f.title, f.page) == (1, "見積の詳細な分析の必要性について", 56)
    assert [d.name for d in f.departments.all()] == ["DX推進課"]
    assert f.label == "指摘事項1"
    iken = findings.filter(kind=Finding.Kind.IKEN).order_by("number")
    assert list(iken.values_list("number", flat=True)) == list(range(1, 38))


def test_every_finding_has_its_page_and_departments(koto, koto_municipality):
    got = {
        (f.get_kind_display(), f.number): (f.page, sorted(d.name for d in f.departments.all()))
        for f in Finding.objects.filter(municipality=koto_municipality).prefetch_related("departments")
    }
    assert got == {k: (page, sorted(depts)) for k, (page, depts) in EXPECTED.items()}


def test_joint_departments_are_two_links(koto, koto_municipality):
    f = Finding.objects.get(municipality=koto_municipality, kind=Finding.Kind.IKEN, number=4)
    assert sorted(d.name for d in f.departments.all()) == ["DX推進課", "情報システム課"]
    assert f.department_text == "DX推進課・情報システム課"
    assert Department.objects.filter(municipality=koto_municipality).count() == 9


def test_per_department_counts_match_the_document(koto, koto_municipality):
    """The closing note and the register both give the counts read off the report's table."""
    rows = finding_rows(Finding.objects.filter(municipality=koto_municipality).prefetch_related("departments", "responses"))
    assert department_counts(rows) == EXPECTED_DEPARTMENT_COUNTS
    assert koto.counts["所管課別"] == EXPECTED_DEPARTMENT_COUNTS
    note = next(n for n in koto.notes if n.startswith("所管課別の件数"))
    assert note == (
        "所管課別の件数: DX推進課 19件、情報システム課 7件、経済課 4件、江東図書館 3件、広報広聴課 2件、職員課 2件、"
        "区民課 1件、道路課 1件、長寿応援課 1件（共同所管の2件は各所管課で1件と数えるため合計40件）"
    )
    assert koto.counts["指摘事項"] == 1 and koto.counts["意見事項"] == 37
    # the report's own cross-check (chapter 4 headings) finds nothing to note
    assert not [n for n in koto.notes if n.startswith("本文との照合")]


def test_reimport_changes_nothing(koto, koto_municipality):
    logs = ChangeLog.objects.count()
    with acting_as(None, name="test reimport"):
        again = get_importer("koto-audit-findings").run(str(KOTO_AUDIT), access=Access.system(), dry_run=False, options={})
    assert again.created == {}
    assert again.updated == {}
    assert again.unchanged == {"監査": 1, "指摘・意見": 38, "対象部局の割当": 38}
    assert ChangeLog.objects.count() == logs
    assert Finding.objects.filter(municipality=koto_municipality).count() == 38


def test_reimport_updates_a_corrected_row(koto, koto_municipality, tmp_path):
    text = KOTO_AUDIT.read_text(encoding="utf-8").replace("\t指摘事項1\tP56", "\t指摘事項1\tP57")
    path = tmp_path / "koto.txt"
    path.write_text(text, encoding="utf-8")
    with acting_as(None, name="test"):
        result = get_importer("koto-audit-findings").run(str(path), access=Access.system(), dry_run=False, options={})
    assert result.updated == {"指摘・意見": 1, "監査": 1}  # the audit's 取込元 is the new file name
    f = Finding.objects.get(municipality=koto_municipality, kind=Finding.Kind.SHITEKI, number=1)
    assert f.page == 57
    log = ChangeLog.objects.filter(model="audits.Finding", object_id=str(f.pk), action="update").latest("id")
    assert log.before["page"] == 56 and log.after["page"] == 57


def test_dry_run_writes_nothing(db):
    out = io.StringIO()
    call_command("import", "koto-audit-findings", str(KOTO_AUDIT), "--dry-run", "--json", stdout=out)
    payload = json.loads(out.getvalue())
    assert payload["ok"] and payload["dry_run"]
    assert payload["created"]["指摘・意見"] == 38
    assert not Audit.objects.exists() and not Finding.objects.exists()


def test_other_file_is_refused_with_its_place(db, tmp_path):
    path = tmp_path / "other.txt"
    path.write_text("何かの文書\n対象部局\t意見の概要\t分類\t頁\nDX推進課\t題名について 要約\t指摘事項x\tP1\n", encoding="utf-8")
    with pytest.raises(ImportFailed) as exc:
        get_importer("koto-audit-findings").run(str(path), access=Access.system(), dry_run=False, options={})
    (problem,) = exc.value.problems
    assert problem.file == "other.txt" and problem.row == 3
    assert "分類欄を読めません" in problem.message
    assert not Audit.objects.exists()
