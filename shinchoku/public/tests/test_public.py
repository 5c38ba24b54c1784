"""Public pages and open data: published plans only, official (approved) figures only, a CSV (BOM) and
JSON twin of every page at its own URL (the old file URLs as aliases), a data dictionary that matches
the files. Query counts: ``test_query_budgets.py``."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.urls import reverse

from shinchoku.plans.models import ProgressEntry
from shinchoku.public.opendata import CSV_COLUMNS, DATASETS

pytestmark = pytest.mark.django_db

SECRET = "下書きの取組結果（未承認）"


@pytest.fixture
def published(nakano_plan):
    nakano_plan.is_published = True
    nakano_plan.save()
    return nakano_plan


@pytest.fixture
def with_draft(published):
    entry = ProgressEntry.objects.get(node__plan=published, fiscal_year=2023, node__code="1-1-①-2")
    entry.state = ProgressEntry.State.DRAFT
    entry.result = SECRET
    entry.save()
    return entry


def _csv(response) -> list[dict]:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert body.startswith(b"\xef\xbb\xbf"), "CSV must start with the UTF-8 BOM"
    return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))


def test_unpublished_plan_is_not_public(client, nakano_plan):
    assert not nakano_plan.is_published
    for name in ("public:plan", "public:plan-json", "public:plan-progress-csv", "public:plan-summary-csv"):
        assert client.get(reverse(name, args=[nakano_plan.pk])).status_code == 404, name
    index = client.get(reverse("public:index"))
    assert index.status_code == 200 and nakano_plan.name not in index.content.decode()
    assert json.loads(client.get(reverse("public:index-json")).content)["plans"] == []
    assert _csv(client.get(reverse("public:index-csv"))) == []


def test_published_plan_page_without_login(client, published):
    response = client.get(reverse("public:plan", args=[published.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    for expected in ("第2次中野区地域情報化推進計画改定版", "進捗状況の区分", "予定どおり取り組んだ", "約 200 万件",
                     "0/15", "コンビニ交付サービスの利用促進", "再掲（1-1-③ に記載）", "<svg"):
        assert expected in html, expected
    assert "令和5年度" in html
    listed = json.loads(client.get(reverse("public:index-json")).content)["plans"]
    assert [(p["計画ID"], p["最新の公表年度"]) for p in listed] == [(published.pk, 2023)]


def test_twins_of_the_plan_page(client, published):
    progress = _csv(client.get(reverse("public:plan-progress-csv", args=[published.pk]) + "?fy=2023"))
    assert len(progress) == 113 and progress[0]["事業内容"] == "マイナンバーカード交付窓口の拡大や交付体制の強化"
    summary = _csv(client.get(reverse("public:plan-summary-csv", args=[published.pk]) + "?fy=令和5年度"))
    counts = {r["コード"]: r["公表値"] for r in summary if r["表"] == "進捗状況"}
    assert counts == {"◎": "0", "○": "105", "△": "0", "×": "0"}
    data = json.loads(client.get(reverse("public:plan-json", args=[published.pk])).content)
    assert data["fiscal_year"] == 2023 and data["published_years"] == [2023]
    assert data["progress_list"]["row_count"] == 113
    assert [line["count"] for line in data["summary"]["status"]["lines"]] == [0, 105, 0, 0]
    rows = [r for g in data["summary"]["indicators"]["groups"] for r in g["rows"]]
    assert len(rows) == 10 and rows[1]["cells"][1]["raw_text"] == "約 200 万件"


def test_drafts_never_reach_the_public(client, with_draft):
    pk = with_draft.node.plan_id
    pages = [
        client.get(reverse("public:plan", args=[pk])).content,
        client.get(reverse("public:plan-json", args=[pk])).content,
        client.get(reverse("public:plan-progress-csv", args=[pk])).content,
        client.get(reverse("public:plan-summary-csv", args=[pk])).content,
    ]
    for body in pages:
        assert SECRET.encode() not in body
    progress = _csv(client.get(reverse("public:plan-progress-csv", args=[pk])))
    row = next(r for r in progress if r["事業内容コード"] == "1-1-①-2")
    assert row["進捗状況"] == "" and row["取組結果"] == ""
    summary = _csv(client.get(reverse("public:plan-summary-csv", args=[pk])))
    assert {r["コード"]: r["公表値"] for r in summary if r["表"] == "進捗状況"}["○"] == "104"


def test_a_year_with_only_drafts_is_not_offered(client, published):
    ProgressEntry.objects.filter(node__plan=published, fiscal_year=2023).update(state=ProgressEntry.State.SUBMITTED)
    data = json.loads(client.get(reverse("public:plan-json", args=[published.pk])).content)
    assert data["published_years"] == []
    assert data["summary"]["status"]["total"] == 0
    assert all(not r["status"] and not r["result"] for g in data["progress_list"]["goals"] for i in g["initiatives"] for r in i["rows"])


def test_bad_year_falls_back_with_a_message(client, published):
    response = client.get(reverse("public:plan", args=[published.pk]) + "?fy=令和99999年度")
    assert response.status_code == 200 and "年度" in response.content.decode()


def test_data_dictionary_matches_the_files(client):
    page = client.get(reverse("public:dictionary"))
    assert page.status_code == 200
    html = page.content.decode()
    for dataset in DATASETS:
        assert [f.name for f in dataset.fields] == CSV_COLUMNS[dataset.key], dataset.key
        for f in dataset.fields:
            assert f.name in html
    rows = _csv(client.get(reverse("public:dictionary-csv")))
    assert len(rows) == sum(len(d.fields) for d in DATASETS)
    data = json.loads(client.get(reverse("public:dictionary-json")).content)
    assert [d["key"] for d in data["datasets"]] == ["plans", "progress", "summary"]


def test_public_csv_columns_are_the_dictionary(client, published):
    for name, key in (("public:plan-progress-csv", "progress"), ("public:plan-summary-csv", "summary")):
        body = client.get(reverse(name, args=[published.pk])).content.decode("utf-8-sig")
        assert next(csv.reader(io.StringIO(body))) == CSV_COLUMNS[key]
    body = client.get(reverse("public:index-csv")).content.decode("utf-8-sig")
    assert next(csv.reader(io.StringIO(body))) == CSV_COLUMNS["plans"]


def test_every_page_answers_its_twins_at_its_own_url_and_the_old_files_stay(client, published):
    """One URL style (``?format=csv|json`` on the page's own URL); the file URLs published before answer
    the same bytes (open-data users have them bookmarked)."""
    plan = reverse("public:plan", args=[published.pk])
    pairs = [
        (reverse("public:index") + "?format=csv", reverse("public:index-csv")),
        (reverse("public:index") + "?format=json", reverse("public:index-json")),
        (plan + "?fy=2023&format=csv", reverse("public:plan-progress-csv", args=[published.pk]) + "?fy=2023"),
        (plan + "?fy=2023&format=csv&table=progress", reverse("public:plan-progress-csv", args=[published.pk]) + "?fy=2023"),
        (plan + "?fy=2023&format=csv&table=summary", reverse("public:plan-summary-csv", args=[published.pk]) + "?fy=2023"),
        (plan + "?fy=2023&format=json", reverse("public:plan-json", args=[published.pk]) + "?fy=2023"),
        (reverse("public:dictionary") + "?format=csv", reverse("public:dictionary-csv")),
        (reverse("public:dictionary") + "?format=json", reverse("public:dictionary-json")),
    ]
    for canonical, alias in pairs:
        new, old = client.get(canonical), client.get(alias)
        assert new.status_code == old.status_code == 200, (canonical, alias)
        assert new.content == old.content, (canonical, alias)
        assert new["Content-Type"] == old["Content-Type"]
        assert new["Access-Control-Allow-Origin"] == "*", canonical
    assert client.get(plan + "?format=csv")["Content-Disposition"].startswith(
        f'attachment; filename="plan{published.pk}_progress_2023.csv"')
    assert client.get(plan + "?format=csv&table=budget").status_code == 404
    assert client.get(plan + "?format=xml").status_code == 404
    assert client.get(reverse("public:index") + "?format=html").status_code == 200


def test_pages_link_their_twins_in_the_one_url_style(client, published):
    index = client.get(reverse("public:index")).content.decode()
    plan_url = reverse("public:plan", args=[published.pk])
    assert 'href="?format=csv"' in index and f'href="{plan_url}?format=csv&amp;table=summary"' in index
    page = client.get(plan_url + "?fy=2023").content.decode()
    assert 'href="?fy=2023&amp;format=json"' in page and ".csv" not in page
    dictionary = client.get(reverse("public:dictionary")).content.decode()
    assert "/public/plans/{計画ID}/?fy={年度}&amp;format=csv" in dictionary and "/public/plans.csv" in dictionary
