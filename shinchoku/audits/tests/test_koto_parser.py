"""Tests of the Koto external audit findings parser against the published report (seed 001)."""

from __future__ import annotations


import pytest

from shinchoku.demo import KOTO_AUDIT, NAKANO_PROGRESS
from shinchoku.audits.koto import (
    KIND_IKEN,
    KIND_SHITEKI,
    KotoFormatError,
    cross_check_koto,
    department_counts,
    parse_koto_finding_headings,
    parse_koto_findings,
    split_departments,
    split_title,
)


KOTO = KOTO_AUDIT  # shipped with the product (shinchoku/demo/seeds); always present
NAKANO = NAKANO_PROGRESS



@pytest.fixture(scope="module")
def koto_text() -> str:
    return KOTO.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def report(koto_text):
    return parse_koto_findings(koto_text, filename=KOTO.name)


DX = "DX推進課"
IS = "情報システム課"

# (kind, number) → (page, departments), read off the chapter 3 table of the report.
EXPECTED = {
    (KIND_IKEN, 1): (55, [DX]),
    (KIND_SHITEKI, 1): (56, [DX]),
    (KIND_IKEN, 2): (56, [DX]),
    (KIND_IKEN, 3): (57, ["職員課"]),
    (KIND_IKEN, 4): (60, [DX, IS]),
    (KIND_IKEN, 5): (61, [DX]),
    (KIND_IKEN, 6): (62, [DX, IS]),
    (KIND_IKEN, 7): (78, [DX]),
    (KIND_IKEN, 8): (79, [DX]),
    (KIND_IKEN, 9): (79, [DX]),
    (KIND_IKEN, 10): (80, [DX]),
    (KIND_IKEN, 11): (83, ["道路課"]),
    (KIND_IKEN, 12): (88, [DX]),
    (KIND_IKEN, 13): (89, [DX]),
    (KIND_IKEN, 14): (96, [IS]),
    (KIND_IKEN, 15): (96, [IS]),
    (KIND_IKEN, 16): (97, [DX]),
    (KIND_IKEN, 17): (97, [DX]),
    (KIND_IKEN, 18): (98, [DX]),
    (KIND_IKEN, 19): (98, [DX]),
    (KIND_IKEN, 20): (99, [DX]),
    (KIND_IKEN, 21): (102, ["広報広聴課"]),
    (KIND_IKEN, 22): (102, ["広報広聴課"]),
    (KIND_IKEN, 23): (103, ["長寿応援課"]),
    (KIND_IKEN, 24): (113, [DX]),
    (KIND_IKEN, 25): (113, ["職員課"]),
    (KIND_IKEN, 26): (114, [DX]),
    (KIND_IKEN, 27): (115, [IS]),
    (KIND_IKEN, 28): (115, [IS]),
    (KIND_IKEN, 29): (115, [IS]),
    (KIND_IKEN, 30): (122, ["区民課"]),
    (KIND_IKEN, 31): (124, ["江東図書館"]),
    (KIND_IKEN, 32): (124, ["江東図書館"]),
    (KIND_IKEN, 33): (125, ["江東図書館"]),
    (KIND_IKEN, 34): (127, ["経済課"]),
    (KIND_IKEN, 35): (128, ["経済課"]),
    (KIND_IKEN, 36): (128, ["経済課"]),
    (KIND_IKEN, 37): (129, ["経済課"]),
}

# Findings per department derived from the table; a joint finding (意見事項4, 6: DX推進課・情報システム課)
# counts for both departments, so the counts add up to 38 + 2 = 40.
EXPECTED_DEPARTMENT_COUNTS = {
    "DX推進課": 19,  # 指摘事項1 + 意見事項 1,2,4,5,6,7,8,9,10,12,13,16,17,18,19,20,24,26
    "情報システム課": 7,  # 意見事項 4,6,14,15,27,28,29
    "経済課": 4,  # 34–37
    "江東図書館": 3,  # 31–33
    "広報広聴課": 2,  # 21, 22
    "職員課": 2,  # 3, 25
    "区民課": 1,  # 30
    "道路課": 1,  # 11
    "長寿応援課": 1,  # 23
}


# --------------------------------------------------------------------------- the seed document


def test_metadata(report):
    assert report.fiscal_year == 2025  # 令和7年度
    assert report.municipality == "江東区"
    assert report.audit_kind == "包括外部監査"
    assert report.theme == "行政手続の簡素化・合理化とデジタルサービス推進施策に係る財務事務の執行について"
    assert report.auditor == "天野 修"
    assert report.auditor_qualification == "公認会計士・税理士"
    assert len(report.assistants) == 8
    assert report.assistants[0] == "金子 良太"
    assert report.declared_counts == {KIND_SHITEKI: 1, KIND_IKEN: 37}
    assert report.filename == KOTO.name


def test_one_shiteki_and_37_iken(report):
    assert len(report.findings) == 38
    assert report.counts_by_kind() == {KIND_SHITEKI: 1, KIND_IKEN: 37}
    iken = [f.number for f in report.findings if f.kind == KIND_IKEN]
    assert iken == list(range(1, 38))
    (shiteki,) = [f for f in report.findings if f.kind == KIND_SHITEKI]
    assert shiteki.number == 1
    assert shiteki.title == "見積の詳細な分析の必要性について"
    assert shiteki.summary == "随意契約の見積について、詳細な検討が必要である。"
    assert shiteki.departments == ["DX推進課"]
    assert shiteki.page == 56
    assert shiteki.line == 1149
    assert shiteki.label == "指摘事項1"


def test_every_row_page_and_departments(report):
    got = {(f.kind, f.number): (f.page, f.departments) for f in report.findings}
    assert got == EXPECTED
    # table order is kept: 意見事項1 comes before 指摘事項1 in the published table
    assert [(f.kind, f.number) for f in report.findings[:3]] == [
        (KIND_IKEN, 1), (KIND_SHITEKI, 1), (KIND_IKEN, 2)
    ]
    assert all(f.line > 0 for f in report.findings)
    assert [f.line for f in report.findings] == sorted(f.line for f in report.findings)


def test_department_counts(report):
    assert report.department_counts() == EXPECTED_DEPARTMENT_COUNTS
    assert department_counts(report.findings) == EXPECTED_DEPARTMENT_COUNTS
    assert sum(EXPECTED_DEPARTMENT_COUNTS.values()) == 40


def test_row_broken_across_page_break(report):
    """意見事項4: 対象部局 `DX推進課・ 情報システム` | header | `課` + rest of the summary."""
    f = _find(report, KIND_IKEN, 4)
    assert f.departments == ["DX推進課", "情報システム課"]
    assert f.department_text == "DX推進課・情報システム課"
    assert f.title == "広義のテレワーク施策の全体構想について"
    assert f.summary == "柔軟な働き方を実現するために、テレワークの全体構想を検討することが望ましい。"
    assert f.page == 60
    assert f.line == 1152


def test_spaces_inside_department_cell(report):
    f = _find(report, KIND_IKEN, 6)
    assert f.departments == ["DX推進課", "情報システム課"]
    assert f.title == "柔軟な働き方を実現する執務スペースの改善について"


def test_continuation_with_empty_department_and_html(report):
    f12 = _find(report, KIND_IKEN, 12)
    assert f12.summary == "申請データを自動的に内部管理帳票に取り込めるよう、DX推進課が支援することが望ましい。"
    assert f12.departments == ["DX推進課"]
    f20 = _find(report, KIND_IKEN, 20)
    assert f20.title == "長期間にわたるサービス停止について"
    assert f20.summary.startswith("公衆無線LANサービスについて、故障リスクを最小化する設計を行うとともに")
    assert f20.summary.endswith("サービス水準管理体制の強化を図るべきである。")
    assert "<p>" not in f20.summary
    f21 = _find(report, KIND_IKEN, 21)
    assert f21.title == "所内研修受講状況の把握について"
    assert f21.page == 102


def test_text_kept_as_published(report):
    # The report's own typo (Cyrillic in デジタルデバイド) is kept: we store what was published.
    f37 = _find(report, KIND_IKEN, 37)
    assert f37.summary.startswith("デジタルデバйд対策は")
    f31 = _find(report, KIND_IKEN, 31)
    assert f31.title == "電子書籍貸出契約の仕様の明確化によるベンダーロックイン低減の必要性について"
    assert f31.departments == ["江東図書館"]
    f24 = _find(report, KIND_IKEN, 24)
    # `・` inside a title is not a department separator
    assert f24.title == "PDCAサイクルを通じた人材育成・DX推進の効率的・効果的改善について"


def test_cross_check_with_detailed_findings(koto_text, report):
    headings = parse_koto_finding_headings(koto_text)
    assert len(headings) == 38
    h4 = next(h for h in headings if h.kind == KIND_IKEN and h.number == 4)
    assert h4.departments == ["DX推進課", "情報システム課"]
    assert h4.line == 1453
    assert cross_check_koto(report, koto_text) == []


def test_cross_check_detects_wrong_page_title_and_department(koto_text):
    bad = koto_text.replace("指摘事項1\tP56", "指摘事項1\tP99", 1)
    bad = bad.replace("道路関連資料の利用状況について 道路", "道路資料の利用について 道路", 1)
    bad = bad.replace("区民課\t証明書類", "戸籍住民課\t証明書類", 1)
    report = parse_koto_findings(bad)
    problems = cross_check_koto(report, bad)
    assert any(p.startswith("指摘事項1: 頁P99") for p in problems)
    assert any(p.startswith("意見事項11: 題名") for p in problems)
    assert any(p.startswith("意見事項30: 対象部局") for p in problems)
    assert len(problems) == 3


def test_other_layout_is_refused():
    with pytest.raises(KotoFormatError) as info:
        parse_koto_findings(NAKANO.read_text(encoding="utf-8"), filename=NAKANO.name)
    err = info.value
    assert isinstance(err, ValueError)
    assert err.line == 1
    assert err.filename == NAKANO.name
    assert "概要表" in err.message
    assert str(err).startswith(f"{NAKANO.name}:1: ")


def test_declared_count_mismatch_is_an_error(koto_text):
    # Drop 意見事項37's row: the report still declares 37.
    lines = koto_text.splitlines()
    idx = next(i for i, line in enumerate(lines) if "\t意見事項37\t" in line)
    del lines[idx]
    with pytest.raises(KotoFormatError) as info:
        parse_koto_findings("\n".join(lines))
    assert info.value.line == 1139
    assert "一致しません" in info.value.message


# --------------------------------------------------------------------------- synthetic inputs

HEADER = "対象部局\t意見の概要\t分類\t頁"


def _doc(*rows: str, preamble: str = "") -> str:
    return "\n".join([preamble, "第3章 監査意見の概要・要約", "", HEADER, *rows, "", "第4章 監査の結果及び意見"])


def test_minimal_table_with_page_break():
    text = _doc(
        "総務課\t文書管理について 文書を管理すべきである。\t指摘事項1\tP10",
        "企画・DX推進課\t計画の見直しについて 計画を見直すことが望ま\t意見事項1\tP12",
        "",
        HEADER,
        "\tしい。\t\t",
        "保護第一課・ 保護第二\t検索システムについて 効果を測定されたい。\t意見事項2\tＰ１３",
        HEADER,
        "課\t\t\t",
    )
    report = parse_koto_findings(text, filename="mini.txt")
    assert [f.label for f in report.findings] == ["指摘事項1", "意見事項1", "意見事項2"]
    f1 = report.findings[1]
    assert f1.departments == ["企画・DX推進課"]  # `企画` alone is not a department: one name
    assert f1.summary == "計画を見直すことが望ましい。"
    f2 = report.findings[2]
    assert f2.departments == ["保護第一課", "保護第二課"]
    assert f2.page == 13  # full-width page number
    assert report.fiscal_year is None  # no title line in this fragment
    assert report.declared_counts == {}


def test_bad_classification_cell_reports_its_line():
    text = _doc(
        "総務課\t文書管理について 文書を管理すべきである。\t指摘事項1\tP10",
        "総務課\t別の件について 何か。\t要望1\tP11",
    )
    with pytest.raises(KotoFormatError) as info:
        parse_koto_findings(text, filename="bad.txt")
    assert info.value.line == 6
    assert "分類欄" in info.value.message


def test_bad_page_cell():
    text = _doc("総務課\t文書管理について 要約。\t意見事項1\t五十六頁")
    with pytest.raises(KotoFormatError) as info:
        parse_koto_findings(text)
    assert info.value.line == 5
    assert "頁欄" in info.value.message


def test_missing_and_duplicate_numbers():
    gap = _doc(
        "総務課\tAについて a。\t意見事項1\tP1",
        "総務課\tBについて b。\t意見事項3\tP2",
    )
    with pytest.raises(KotoFormatError) as info:
        parse_koto_findings(gap)
    assert "意見事項2" in info.value.message
    dup = _doc(
        "総務課\tAについて a。\t意見事項1\tP1",
        "総務課\tBについて b。\t意見事項1\tP2",
    )
    with pytest.raises(KotoFormatError) as info:
        parse_koto_findings(dup)
    assert info.value.line == 6
    assert "重複" in info.value.message


def test_continuation_before_any_row_is_an_error():
    with pytest.raises(KotoFormatError) as info:
        parse_koto_findings(_doc("課\t続き\t\t"))
    assert info.value.line == 5


def test_empty_and_foreign_text():
    for text in ("", "令和5年度 進捗状況報告\n\n項目\t状況\n1\t○"):
        with pytest.raises(KotoFormatError) as info:
            parse_koto_findings(text)
        assert info.value.line == 1


def test_split_departments_rule():
    assert split_departments("DX推進課・情報システム課") == ["DX推進課", "情報システム課"]
    assert split_departments("DX推進課・ 情報システム 課") == ["DX推進課", "情報システム課"]
    assert split_departments("企画・DX推進課") == ["企画・DX推進課"]
    assert split_departments("保健・福祉課・子育て支援課") == ["保健・福祉課", "子育て支援課"]
    assert split_departments("江東図書館") == ["江東図書館"]
    assert split_departments("DX推進課・庶務課") == ["DX推進課", "庶務課"]
    assert split_departments("") == []
    # an unrecognised tail stays with the last department rather than becoming one of its own
    assert split_departments("DX推進課・情報システム") == ["DX推進課・情報システム"]
    # with the ward's department list, known names decide
    known = ["都市計画課・建築課連絡室", "都市計画課", "建築課"]
    assert split_departments("都市計画課・建築課", known) == ["都市計画課", "建築課"]
    assert split_departments("都市計画課・建築課連絡室", known) == ["都市計画課・建築課連絡室"]


def test_split_title():
    assert split_title("見積の詳細な分析の必要性について 随意契約の見積について、詳細な検討が必要である。") == (
        "見積の詳細な分析の必要性について",
        "随意契約の見積について、詳細な検討が必要である。",
    )
    assert split_title("題名だけ") == ("題名だけ", "")


def _find(report, kind, number):
    return next(f for f in report.findings if f.kind == kind and f.number == number)
