"""The engine on stored indicators: Nakano's FY2023 grades a planner would agree with, through the
database, the command line and the pages."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from shinchoku.indicators.engine import judge_plan
from shinchoku.indicators.judgement import Grade

pytestmark = pytest.mark.django_db

EXPECTED_FY2023 = {
    "区内のマイナンバーカード交付率": "未達",
    "オンラインによる申請受付件数": "達成",
    "地図情報に関する窓口及び電話等問い合わせ件数": "判定不可",
    "区が特に力を入れていると感じる施策が「情報化の推進」である割合": "遅れ",
    "区と連携してデジタルデバイドの解消に向けた取組を行う団体数": "遅れ",
    "本庁舎の執務室等で保有し、組織で共有している文書量 (fm)": "遅れ",
    "AI・RPAの活用による業務改善数": "達成",
    "標準化システムへ移行した事業数": "遅れ",
    "情報セキュリティ事故発生件数": "未達",
    "ICT資格の「ITパスポート試験」取得者数": "達成",
}


def _by_name(plan, fy=2023):
    return {ind.name: j for ind, j in judge_plan(plan, fy)}


def test_nakano_fy2023_grades(nakano_plan):
    results = _by_name(nakano_plan)
    assert {name: j.grade.value for name, j in results.items()} == EXPECTED_FY2023


def test_reasons_a_person_can_check(nakano_plan):
    r = _by_name(nakano_plan)
    online = r["オンラインによる申請受付件数"]
    assert "目標 170万件に対し実績 約200万件" in online.reason and "118%" in online.reason
    card = r["区内のマイナンバーカード交付率"]
    assert card.definition_break and "定義が変更" in card.reason and "保有率" in card.reason
    documents = r["本庁舎の執務室等で保有し、組織で共有している文書量 (fm)"]
    assert documents.trend == "improved" and "5,900" in documents.reason
    incidents = r["情報セキュリティ事故発生件数"]
    assert incidents.trend == "worsened" and incidents.achievement_rate is None
    assert "目標が0" in incidents.reason
    maps = r["地図情報に関する窓口及び電話等問い合わせ件数"]
    assert maps.grade is Grade.UNDECIDABLE and "—" in maps.reason
    passport = r["ICT資格の「ITパスポート試験」取得者数"]
    assert "累計" in passport.reason


def test_judge_command_json(nakano_plan):
    out = StringIO()
    call_command("indicators", "judge", "--plan", str(nakano_plan.pk), "--fy", "R5", "--json", stdout=out)
    payload = json.loads(out.getvalue())
    assert payload["fiscal_year"] == 2023 and len(payload["indicators"]) == 10
    grades = {row["name"]: row["grade"] for row in payload["indicators"]}
    assert grades == EXPECTED_FY2023
    online = next(row for row in payload["indicators"] if row["name"].startswith("オンライン"))
    assert online["achievement_rate"] == "117.6"


def test_changing_an_actual_changes_the_grade(nakano_plan):
    from shinchoku.indicators.models import Indicator
    from shinchoku.core.access import Access
    from shinchoku.indicators.actions import save_value

    incidents = Indicator.objects.get(plan=nakano_plan, name="情報セキュリティ事故発生件数")
    save_value(Access.system(), incidents, 2023, "actual", "0件")
    assert _by_name(nakano_plan)["情報セキュリティ事故発生件数"].grade is Grade.ACHIEVED


def test_indicator_list_page_filters_by_grade(planner_client, nakano_plan):
    url = reverse("indicators:plan", args=[nakano_plan.pk])
    html = planner_client.get(url + "?fy=2023&grade=達成").content.decode()
    assert "オンラインによる申請受付件数" in html and "情報セキュリティ事故発生件数" not in html
    html = planner_client.get(url + "?fy=2023").content.decode()
    assert html.count('class="grade grade-遅れ"') >= 4


def test_indicator_page_has_chart_grade_and_definition_change(planner_client, nakano_plan):
    from shinchoku.indicators.models import Indicator

    card = Indicator.objects.get(plan=nakano_plan, name="区内のマイナンバーカード交付率")
    html = planner_client.get(reverse("indicators:detail", args=[card.pk])).content.decode()
    assert "<svg" in html and "定義変更" in html and "目標への直線" in html
    assert "grade-未達" in html
