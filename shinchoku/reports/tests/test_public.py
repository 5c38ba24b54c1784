"""Public pages and open data: published plans only, official (approved) figures only, a CSV (BOM) and
JSON twin of every page, a data dictionary that matches the files, fixed query counts."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from shinchoku.demo.synthetic import build_ward
from shinchoku.plans.models import ProgressEntry
from shinchoku.reports.opendata import CSV_COLUMNS, DATASETS

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


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_public_query_counts_do_not_grow_with_the_plan(client):
    small, large = build_ward(20, name="架空区"), build_ward(400, name="架空区")
    small.is_published = True
    small.save()
    index_one = [_queries(client, reverse(name)) for name in ("public:index", "public:index-json", "public:index-csv")]
    large.is_published = True
    large.save()
    index_two = [_queries(client, reverse(name)) for name in ("public:index", "public:index-json", "public:index-csv")]
    assert index_one == index_two, "the index reads a fixed number of queries whatever the number of plans"
    for name in ("public:plan", "public:plan-json", "public:plan-progress-csv", "public:plan-summary-csv"):
        counts = [_queries(client, reverse(name, args=[p.pk]) + "?fy=2024") for p in (small, large)]
        assert counts[0] == counts[1], f"{name}: {counts[0]} queries for 20 items, {counts[1]} for 400"
        assert counts[1] <= 16, f"{name}: {counts[1]} queries"
