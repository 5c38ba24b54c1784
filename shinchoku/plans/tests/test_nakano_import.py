"""Nakano's published progress report, imported through the real importer, checked against the
figures the document itself publishes (summary table: ◎0 ○105 △0 ×0; 2 goals; 39 initiatives)."""

from __future__ import annotations

import json
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from shinchoku.core.access import Access
from shinchoku.core.importing import ImportFailed, get_importer
from shinchoku.core.models import ChangeLog, Department
from shinchoku.demo import NAKANO_PROGRESS
from shinchoku.indicators.models import Indicator, IndicatorValue
from shinchoku.plans.models import Plan, PlanNode, ProgressEntry
from shinchoku.plans.queries import progress_list, status_counts

pytestmark = pytest.mark.django_db


def _table_counts():
    return {
        "plans": Plan.objects.count(), "nodes": PlanNode.objects.count(), "entries": ProgressEntry.objects.count(),
        "indicators": Indicator.objects.count(), "values": IndicatorValue.objects.count(),
        "departments": Department.objects.count(),
    }


def test_goals_and_initiatives(nakano_plan):
    goals = list(nakano_plan.nodes.filter(depth=0).order_by("path"))
    assert [g.code for g in goals] == ["目標1", "目標2"]
    assert goals[0].title == "ICTを活用した行政サービスの提供による区民の利便性向上と地域の活性化"
    assert goals[1].title == "効率的で質の高い情報基盤の整備による区政運営の推進"
    initiatives = list(nakano_plan.nodes.filter(depth=1).order_by("path"))
    assert len(initiatives) == 39
    assert initiatives[0].code == "1-1-①" and initiatives[0].title == "マイナンバーカードの普及促進"
    assert initiatives[-1].code == "2-5-③"
    assert len({i.code for i in initiatives}) == 39


def test_status_counts_reproduce_the_published_summary(nakano_plan):
    counts = {symbol: count for symbol, _, count in status_counts(nakano_plan, 2023)}
    assert counts == {"◎": 0, "○": 105, "△": 0, "×": 0}


def test_status_counts_command_json(nakano_plan):
    out = StringIO()
    call_command("report", "status-counts", "--plan", str(nakano_plan.pk), "--fy", "令和5年度", "--json", stdout=out)
    payload = json.loads(out.getvalue())
    assert payload["counts"] == {"◎": 0, "○": 105, "△": 0, "×": 0}
    assert payload["fiscal_year"] == 2023 and payload["total"] == 105


def test_every_activity_with_a_status_has_a_department(nakano_plan):
    entries = ProgressEntry.objects.filter(node__plan=nakano_plan, status__isnull=False).select_related("node")
    assert entries.count() == 105
    for entry in entries:
        assert entry.node.departments.exists(), entry.node.code


def test_multi_department_cells_are_split(nakano_plan):
    node = nakano_plan.nodes.get(code="1-1-②-1")
    assert list(node.ownerships.order_by("order").values_list("department__name", flat=True)) == [
        "デジタル政策課", "子育て支援課", "介護保険課"
    ]


def test_relisted_rows_resolve_to_their_originals(nakano_plan):
    relisted = list(nakano_plan.nodes.filter(relisted_from__isnull=False).select_related("relisted_from"))
    assert relisted, "the report has re-listed rows"
    for node in relisted:
        assert node.relisted_from.plan_id == nakano_plan.pk
        assert not node.entries.exists(), f"{node.code} is a 再掲 and must carry no status"
        assert node.relisted_from.relisted_from_id is None
    whole = nakano_plan.nodes.get(code="2-1-①")
    assert whole.relisted_from.code == "1-1-③"
    self_service = next(n for n in relisted if n.parent.code == "2-1-④")
    assert self_service.relisted_from.parent.code == "1-2-②"
    assert "セルフサービス端末の活用" in self_service.relisted_from.title


def test_progress_list_shows_relisted_initiative_with_original_rows(nakano_plan):
    groups = progress_list(nakano_plan, 2023)
    group = next(g for g in groups if g.parent.code == "2-1-①")
    assert [r.title for r in group.rows] == ["ペーパーレスの推進", "押印等の見直し"]
    assert all(r.relisted_from is not None for r in group.rows)
    filtered = progress_list(nakano_plan, 2023, department="職員課")
    rows = [r for g in filtered for r in g.rows]
    assert rows and all("職員課" in r.departments for r in rows)


def test_ten_indicators_with_values_and_footnotes(nakano_plan):
    indicators = list(Indicator.objects.filter(plan=nakano_plan).order_by("order"))
    assert len(indicators) == 10
    card = next(i for i in indicators if "マイナンバーカード" in i.name)
    assert [n["mark"] for n in card.footnotes] == ["※1"]
    assert "保有率" in card.footnotes[0]["text"]
    assert card.definition_changes.get().effective_fiscal_year == 2023
    values = {(v.fiscal_year, v.kind): v for v in card.values.all()}
    assert values[(2023, "actual")].raw_text.startswith("68.3%")
    assert values[(2023, "actual")].value == Decimal("68.3")
    online = next(i for i in indicators if i.name.startswith("オンラインによる申請受付件数"))
    online_values = {(v.fiscal_year, v.kind): v for v in online.values.all()}
    assert online_values[(2022, "actual")].value == 1_790_000 and online_values[(2022, "actual")].approximate
    assert online_values[(2025, "target")].value == 2_000_000
    assert sum(i.values.count() for i in indicators) == 40
    passport = next(i for i in indicators if "ITパスポート" in i.name)
    assert passport.cumulative_since == 2021
    documents = next(i for i in indicators if "文書量" in i.name)
    assert documents.direction == Indicator.Direction.LOWER
    incidents = next(i for i in indicators if "セキュリティ事故" in i.name)
    assert incidents.direction == Indicator.Direction.LOWER
    assert online.direction == Indicator.Direction.HIGHER


def test_second_import_changes_nothing(nakano_plan):
    before = _table_counts()
    log_before = ChangeLog.objects.count()
    result = get_importer("nakano-progress").run(str(NAKANO_PROGRESS), access=Access.system(), dry_run=False, options={})
    assert result.plan_id == nakano_plan.pk
    assert result.created == {} and result.updated == {}
    assert _table_counts() == before
    assert ChangeLog.objects.count() == log_before


def test_dry_run_writes_nothing(db, tmp_path):
    Plan.objects.all().delete()
    before = _table_counts()
    result = get_importer("nakano-progress").run(str(NAKANO_PROGRESS), access=Access.system(), dry_run=True, options={"municipality": "131148"})
    assert result.dry_run and result.created["計画項目"] > 100
    assert _table_counts() == before


def test_unknown_status_symbol_names_the_line_and_writes_nothing(db, tmp_path):
    text = NAKANO_PROGRESS.read_text(encoding="utf-8")
    lines = text.splitlines()
    target = next(i for i, line in enumerate(lines) if "コンビニ交付サービスの利用促進" in line)
    lines[target] = lines[target].replace("\t○\t", "\t●\t", 1)
    bad = tmp_path / "nakano-bad.txt"
    bad.write_text("\n".join(lines), encoding="utf-8")
    Plan.objects.all().delete()
    before = _table_counts()
    with pytest.raises(ImportFailed) as err:
        get_importer("nakano-progress").run(str(bad), access=Access.system(), dry_run=False, options={})
    problem = err.value.problems[0]
    assert problem.row == target + 1
    assert "●" in problem.message
    assert _table_counts() == before


def test_other_layout_is_refused(db, tmp_path):
    other = tmp_path / "other.txt"
    other.write_text(Path(__file__).read_text(encoding="utf-8"), encoding="utf-8")
    with pytest.raises(ImportFailed):
        get_importer("nakano-progress").run(str(other), access=Access.system(), dry_run=False, options={})


def test_import_command_json_names_plan_and_counts(nakano_plan):
    out = StringIO()
    call_command("import", "nakano-progress", str(NAKANO_PROGRESS), "--dry-run", "--json", stdout=out)
    payload = json.loads(out.getvalue())
    assert payload["ok"] and payload["plan_id"] == nakano_plan.pk
    assert payload["counts"]["目標"] == 2 and payload["counts"]["実施内容"] == 39
    assert payload["counts"]["進捗状況"] == {"◎": 0, "○": 105, "△": 0, "×": 0}
    assert payload["counts"]["成果指標"] == 10


@pytest.mark.parametrize("content, message", [
    (None, "ファイルが見つかりません"),
    (b"\xff\xfe not utf-8", "UTF-8 のテキストとして読めません"),
])
def test_unreadable_files_are_refused_with_the_file_named(tmp_path, db, content, message):
    path = tmp_path / "report.txt"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(ImportFailed) as err:
        get_importer("nakano-progress").run(str(path), access=Access.system(), dry_run=False, options={})
    assert message in str(err.value) and "report.txt" in str(err.value)


def test_an_oversized_file_is_refused_before_reading(tmp_path, db, settings):
    settings.SHINCHOKU_MAX_UPLOAD_BYTES = 1000
    path = tmp_path / "big.txt"
    path.write_text("あ" * 1000, encoding="utf-8")
    with pytest.raises(ImportFailed) as err:
        get_importer("nakano-progress").run(str(path), access=Access.system(), dry_run=False, options={})
    assert "大きすぎます" in str(err.value)


def test_a_bad_municipality_code_is_refused(db):
    with pytest.raises(ImportFailed) as err:
        get_importer("nakano-progress").run(str(NAKANO_PROGRESS), access=Access.system(), dry_run=False, options={"municipality": "12AB"})
    assert "6桁" in str(err.value)
