"""Tests of the Nakano progress-report parser on the published seed document (pure Python, no Django)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shinchoku.plans.importers.nakano import (
    NakanoFormatError,
    NakanoReport,
    match_key,
    normalise_code,
    parse_nakano_report,
)

from shinchoku.demo import NAKANO_PROGRESS  # noqa: E402

SEED_NAME = NAKANO_PROGRESS.name


def _seed_path() -> Path:
    """The seed document shipped with the product (shinchoku/demo/seeds); always present."""
    return NAKANO_PROGRESS


@pytest.fixture(scope="module")
def text() -> str:
    return _seed_path().read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def report(text: str) -> NakanoReport:
    return parse_nakano_report(text, SEED_NAME)


def _replace_line(text: str, lineno: int, new: str) -> str:
    lines = text.split("\n")
    lines[lineno - 1] = new
    return "\n".join(lines)


def _line(text: str, lineno: int) -> str:
    return text.split("\n")[lineno - 1]


def _activity_at(report: NakanoReport, lineno: int):
    found = [(ini, act) for ini, act in report.iter_activities() if act.line == lineno]
    assert len(found) == 1, lineno
    return found[0]


EXPECTED_INITIATIVES = [
    ("1-1-①", "マイナンバーカードの普及促進"),
    ("1-1-②", "びったりサービスなどマイナンバーカードを活用した電子手続の拡充"),
    ("1-1-③", "ペーパーレスの推進と押印の見直し"),
    ("1-2-①", "ホームページのリニューアル"),
    ("1-2-②", "統合型GISの活用"),
    ("1-2-③", "区民意識・実態調査のオンライン化、各事業のニーズ・満足度等調査の実施"),
    ("1-3-①", "オンラインを活用した相談・講座の開催"),
    ("1-3-②", "地域をつなげる仕組みの構築"),
    ("1-3-③", "区有施設の区民向けオンライン環境の整備"),
    ("1-3-④", "区が主催する会議のオンライン化の推進"),
    ("1-4-①", "ICT技術を活用した高齢者の見守り・支えあいの推進"),
    ("1-4-②", "マイナポータルから本人や家族が健康情報を把握するための仕組み(PHR)の整備"),
    ("1-5-①", "データ活用による商業振興等の推進"),
    ("1-5-②", "区内事業者のICT化促進"),
    ("1-5-③", "商店街のキャッシュレス化推進"),
    ("1-5-④", "電子商品券事業"),
    ("1-5-⑤", "区の窓口等でのキャッシュレス化推進(使用料・手数料)"),
    ("1-6-①", "デジタルデバイド解消に向けた支援"),
    ("1-6-②", "町会・自治会等公益活動団体におけるICT環境の支援(町会・自治会公益活動推進助成制度)"),
    ("1-7-①", "オープンデータの公開数の拡大"),
    ("1-7-②", "東京都が整備する横断的な連携を可能とするデータ基盤(東京データプラットフォーム:TDPF)の活用"),
    ("1-7-③", "産学官民の協働に関するデータ連携"),
    ("2-1-①", "ペーパーレスの推進と押印の見直し"),
    ("2-1-②", "AI・RPAの利用促進"),
    ("2-1-③", "窓口支援システムの導入"),
    ("2-1-④", "統合型GISの活用"),
    ("2-1-⑤", "防災情報システムの導入"),
    ("2-2-①", "場所を選ばない働き方の推進"),
    ("2-2-②", "新庁舎における区民サービスを向上させるシステムの整備"),
    ("2-2-③", "新庁舎における情報基盤の整備"),
    ("2-2-④", "庁外施設における無線ネットワーク環境の整備"),
    ("2-2-⑤", "統合仮想サーバ環境の最適化 (ガバメントクラウドを見据えた方針の決定)"),
    ("2-3-①", "情報システムの標準化・共通化(クラウドサービス)"),
    ("2-4-①", "「GovTech東京」における協働事業の検討"),
    ("2-4-②", "システムや機器、運用管理について統合等の見直し"),
    ("2-4-③", "強固な情報セキュリティレベルの確保"),
    ("2-5-①", "ICTスキルの高い人材の育成"),
    ("2-5-②", "外部人材の活用"),
    ("2-5-③", "「GovTech東京」におけるデジタル人材の共同活用"),
]

# Activity rows per initiative, in document order (line numbers of the seed file).
EXPECTED_ACTIVITY_LINES = {
    "1-1-①": [64, 65], "1-1-②": [66, 67, 68, 69, 70], "1-1-③": [73, 74], "1-2-①": [75], "1-2-②": [76],
    "1-2-③": [77, 78], "1-3-①": [81, 82, 83], "1-3-②": [84], "1-3-③": [85, 86, 87, 88], "1-3-④": [89],
    "1-4-①": [92], "1-4-②": [93, 94, 95, 96], "1-5-①": [99, 100], "1-5-②": [101], "1-5-③": [102],
    "1-5-④": [103, 104], "1-5-⑤": [105, 106, 107, 108], "1-6-①": [111, 112, 113, 114, 115],
    "1-6-②": [118, 119, 120], "1-7-①": [121, 122, 123, 124, 125], "1-7-②": [128, 129, 130], "1-7-③": [131],
    "2-1-①": [132, 133], "2-1-②": [134, 135, 136, 139, 140, 141, 142, 143, 144, 145, 146], "2-1-③": [149],
    "2-1-④": [150, 151], "2-1-⑤": [152], "2-2-①": [153, 154], "2-2-②": [155, 156, 157, 158],
    "2-2-③": [161, 162, 163, 164, 165], "2-2-④": [166, 167], "2-2-⑤": [170, 171, 172, 173, 174],
    "2-3-①": [177, 178, 179, 180, 181, 182, 183, 184, 187, 188, 189, 190], "2-4-①": [193, 194],
    "2-4-②": [195, 196], "2-4-③": [197], "2-5-①": [198, 199, 200], "2-5-②": [201, 202], "2-5-③": [205, 206],
}

# (name, footnote marks, [actual FY2022, actual FY2023, target FY2023, target FY2025]) as published.
EXPECTED_INDICATORS = [
    (1, "区内のマイナンバーカード交付率", ["※1"], ["62.3%", "68.3% ※1", "100%", "100%"]),
    (1, "オンラインによる申請受付件数", [], ["約 179 万件", "約 200 万件", "170 万件", "200 万件"]),
    (1, "地図情報に関する窓口及び電話等問い合わせ件数", [], ["—", "—", "—", "約 6 万件"]),
    (1, "区が特に力を入れていると感じる施策が「情報化の推進」である割合", [], ["3.2%", "3.4%", "5%", "10%"]),
    (1, "区と連携してデジタルデバイドの解消に向けた取組を行う団体数", [], ["3 団体", "3 団体", "4 団体", "6 団体"]),
    (2, "本庁舎の執務室等で保有し、組織で共有している文書量 (fm)", ["※2"],
     ["約 5,900fm", "約 3,900fm", "約 3,600fm", "約 3,000fm"]),
    (2, "AI・RPAの活用による業務改善数", [], ["7件", "8件", "7件", "15件"]),
    (2, "標準化システムへ移行した事業数", [], ["0/15", "0/15", "1/15", "15/15"]),
    (2, "情報セキュリティ事故発生件数", [], ["9件", "10件", "0件", "0件"]),
    (2, "ICT資格の「ITパスポート試験」取得者数", ["※3"], ["22名", "29名", "20名", "30名"]),
]

# Re-listed rows: line → (code of the original initiative, line of the original activity).
EXPECTED_RELISTED = {
    132: ("1-1-③", 73),
    133: ("1-1-③", 74),
    150: ("1-2-②", 76),
    155: ("2-1-③", 149),
    158: ("1-3-③", 87),
    166: ("1-3-③", 88),
    179: ("2-2-⑤", 170),
    180: ("2-2-⑤", 171),
}


# ------------------------------------------------------------------------------------------
# The real document


def test_header_legend_and_summary(report: NakanoReport) -> None:
    assert report.plan_name == "第2次中野区地域情報化推進計画改定版"
    assert report.fiscal_year == 2023
    assert [(e.symbol, e.meaning) for e in report.status_legend] == [
        ("◎", "目標を大きく上回る、スケジュールを前倒しするなど、予定を上回る取組となった"),
        ("○", "予定どおり取り組んだ"),
        ("△", "予定よりも遅れて取り組んだ"),
        ("×", "未着手"),
    ]
    assert report.summary_counts == {"◎": 0, "○": 105, "△": 0, "×": 0}


def test_goals(report: NakanoReport) -> None:
    assert [(g.number, g.title) for g in report.goals] == [
        (1, "ICTを活用した行政サービスの提供による区民の利便性向上と地域の活性化"),
        (2, "効率的で質の高い情報基盤の整備による区政運営の推進"),
    ]
    assert [len(g.initiatives) for g in report.goals] == [22, 17]
    for goal in report.goals:
        assert all(ini.goal_number == goal.number for ini in goal.initiatives)


def test_initiatives_in_order(report: NakanoReport) -> None:
    assert len(report.initiatives) == 39
    assert [(ini.code, ini.title) for ini in report.initiatives] == EXPECTED_INITIATIVES
    assert {ini.code: [a.line for a in ini.activities] for ini in report.initiatives} == EXPECTED_ACTIVITY_LINES


def test_status_counts_reproduce_summary(report: NakanoReport) -> None:
    activities = report.activities
    assert len(activities) == 113
    assert sum(a.status is not None for a in activities) == 105
    assert sum(a.relisted_from is not None for a in activities) == 8
    counts = report.status_counts()
    assert counts == {"◎": 0, "○": 105, "△": 0, "×": 0}
    assert counts == report.summary_counts
    assert report.check() == []


def test_every_status_row_has_departments(report: NakanoReport) -> None:
    for _, act in report.iter_activities():
        if act.status is not None:
            assert act.departments, act.line
            assert all(d and not any(ch.isspace() for ch in d) for d in act.departments)
        if act.relisted_from is not None:
            assert act.status is None and act.departments == [] and act.result == ""


def test_relisted_rows_resolve_to_exactly_one_original(report: NakanoReport) -> None:
    relisted = {act.line: act for _, act in report.iter_activities() if act.relisted_from}
    assert set(relisted) == set(EXPECTED_RELISTED)
    for lineno, act in relisted.items():
        code, original_line = EXPECTED_RELISTED[lineno]
        assert act.relisted_from == code
        original = report.original_activity(act)
        assert original is not None and original.line == original_line
        assert original.relisted_from is None and original.status == "○"
        # exactly one candidate in the original initiative
        candidates = [
            a for a in report.initiative(code).activities
            if a.relisted_from is None and match_key(a.title) == match_key(act.title)
        ]
        assert candidates == [original]
    # a ☆ on the original is ignored when matching
    assert relisted[150].title == "セルフサービス端末の活用"
    assert report.original_activity(relisted[150]).title == "☆セルフサービス端末の活用"
    # the (国) prefix is part of the title on both sides
    assert relisted[179].title == "(国)共通化(クラウドサービス)「ガバメントクラウド」の提供"


def test_whole_relisted_initiative(report: NakanoReport) -> None:
    ini = report.initiative("2-1-①")
    assert ini.relisted_from == "1-1-③"
    assert ini.title == "ペーパーレスの推進と押印の見直し"
    original = report.original_initiative(ini)
    assert original is report.initiative("1-1-③")
    assert [a.title for a in ini.activities] == [a.title for a in original.activities] == [
        "ペーパーレスの推進",
        "押印等の見直し",
    ]
    assert all(a.relisted_from == "1-1-③" and a.status is None for a in ini.activities)
    assert [report.original_activity(a) for a in ini.activities] == original.activities
    assert all(i.relisted_from is None for i in report.initiatives if i.code != "2-1-①")


def test_tables_split_across_pages_are_merged(report: NakanoReport) -> None:
    codes = [ini.code for ini in report.initiatives]
    assert codes.count("2-1-②") == 1 and codes.count("2-3-①") == 1
    ai = report.initiative("2-1-②")
    assert len(ai.activities) == 11 and ai.continued_lines == [139]
    assert ai.activities[3].title == "多言語AI通訳システムの充実"
    assert ai.activities[3].departments == ["文化振興・多文化共生推進課"]
    std = report.initiative("2-3-①")
    assert len(std.activities) == 12 and std.continued_lines == [187]
    assert sum(a.status == "○" for a in std.activities) == 10
    assert sum(a.relisted_from == "2-2-⑤" for a in std.activities) == 2
    assert std.activities[8].title == "2期の標準仕様と現行システム及び事務や関連システム等の対応度調査"


def test_row_with_leading_cells_missing(report: NakanoReport) -> None:
    ini, act = _activity_at(report, 184)
    assert ini.code == "2-3-①"
    assert act.title == "1期の標準化・共通化への移行"
    assert act.status == "○"
    assert act.departments == ["税務課", "介護保険課", "福祉推進課", "障害福祉課", "学務課"]
    assert act.change_reason == ""
    assert act.result.startswith("移行スケジュールを策定し")
    assert act.next_year_plan == "構築作業を開始するとともに条例等の改正を行う。"
    assert act.later_plan == "標準準拠システムへの移行"


def test_shifted_and_sparse_rows(report: NakanoReport) -> None:
    # extra empty cell before 所管課
    _, act = _activity_at(report, 181)
    assert (act.later_plan, act.departments) == ("標準準拠システムへの移行", ["戸籍住民課"])
    _, act = _activity_at(report, 182)
    assert act.later_plan == "—"
    assert act.departments == ["デジタル政策課", "税務課", "介護保険課", "福祉推進課", "学務課"]
    # trailing empty cell after 所管課
    _, act = _activity_at(report, 177)
    assert (act.next_year_plan, act.later_plan, act.departments) == ("—", "—", ["戸籍住民課"])
    # empty plan cells stay empty
    _, act = _activity_at(report, 172)
    assert (act.result, act.next_year_plan, act.later_plan) == ("利用方針を決定した。", "", "")
    assert act.departments == ["デジタル政策課"]


def test_activity_fields_as_published(report: NakanoReport) -> None:
    _, act = _activity_at(report, 64)
    assert act.title == "マイナンバーカード交付窓口の拡大や交付体制の強化"
    assert act.status == act.status_raw == "○"
    assert act.result == "夜間日曜開庁などカード受取りの利便性を図った。(令和5年度交付数44,025件)"
    assert (act.next_year_plan, act.later_plan, act.departments) == ("(推進)", "(推進)", ["戸籍住民課"])
    _, act = _activity_at(report, 66)
    assert act.departments == ["デジタル政策課", "子育て支援課", "介護保険課"]
    _, act = _activity_at(report, 68)
    assert act.title == "(都)電子申請サービスの共同運営・共同調達" and act.sponsor == "都"
    _, act = _activity_at(report, 94)
    assert act.title == "(国)自治体間の健診受診情報の共有" and act.sponsor == "国"
    assert (act.result, act.next_year_plan, act.later_plan) == ("-", "-", "-")
    _, act = _activity_at(report, 111)
    assert (act.next_year_plan, act.later_plan) == ("—", "—")
    _, act = _activity_at(report, 76)
    assert act.title == "☆セルフサービス端末の活用" and act.starred
    assert act.departments == ["都市計画課", "道路管理課", "道路建設課", "建築課"]
    _, act = _activity_at(report, 81)
    assert act.departments == ["企画課", "区民サービス課", "子ども・若者相談課", "地域支えあい推進部", "環境課"]


def test_indicators(report: NakanoReport) -> None:
    assert len(report.indicators) == 10
    got = [
        (ind.goal_number, ind.name, ind.footnote_marks, [v.raw for v in ind.values])
        for ind in report.indicators
    ]
    assert got == EXPECTED_INDICATORS
    for ind in report.indicators:
        assert [(v.fiscal_year, v.kind) for v in ind.values] == [
            (2022, "actual"), (2023, "actual"), (2023, "target"), (2025, "target"),
        ]
    card = report.indicators[0]
    assert [v.footnote_marks for v in card.values] == [[], ["※1"], [], []]
    assert [ind.line for ind in report.indicators] == [25, 26, 27, 28, 29, 35, 36, 37, 38, 39]


def test_footnotes(report: NakanoReport) -> None:
    assert set(report.footnotes) == {"※1", "※2", "※3"}
    assert report.footnotes["※1"] == (
        "令和5年5月に総務省が定める指標が交付率から保有率に変更されたため令和5年度の中野区実績は保有率としている。\n"
        "なお、交付率は再交付や更新を含む累計カード交付枚数で算出した割合であり、保有率は現にカードを保有している人の割合である。"
    )
    assert report.footnotes["※2"].startswith("fm (ファイルメーター)：")
    assert report.footnotes["※3"] == "令和3年度以降の累計"


# ------------------------------------------------------------------------------------------
# Errors


def test_mangled_status_symbol_names_the_line(text: str) -> None:
    lineno = 140
    line = _line(text, lineno)
    assert "\t○\t" in line
    bad = _replace_line(text, lineno, line.replace("\t○\t", "\t●\t", 1))
    with pytest.raises(NakanoFormatError) as info:
        parse_nakano_report(bad, SEED_NAME)
    err = info.value
    assert err.line == lineno
    assert "●" in err.message and "凡例" in err.message
    assert str(err) == f"{SEED_NAME}:{lineno}: {err.message}"


def test_status_without_department_names_the_line(text: str) -> None:
    lineno = 65
    cells = _line(text, lineno).split("\t")
    assert cells[-1] == "戸籍住民課"
    bad = _replace_line(text, lineno, "\t".join(cells[:-1] + [""]))
    with pytest.raises(NakanoFormatError) as info:
        parse_nakano_report(bad, SEED_NAME)
    assert info.value.line == lineno and "所管課" in info.value.message


def test_missing_status_names_the_line(text: str) -> None:
    lineno = 65
    bad = _replace_line(text, lineno, _line(text, lineno).replace("\t○\t", "\t\t", 1))
    with pytest.raises(NakanoFormatError) as info:
        parse_nakano_report(bad, SEED_NAME)
    assert info.value.line == lineno and "進捗状況" in info.value.message


def test_unrelated_text_is_rejected() -> None:
    unrelated = (
        "令和5年度 包括外部監査の結果報告書\n\n"
        "番号\t区分\t指摘事項\t所管課\n"
        "1\t意見\t契約事務について\t契約課\n"
    )
    with pytest.raises(NakanoFormatError) as info:
        parse_nakano_report(unrelated, "audit.txt")
    err = info.value
    assert err.line is None
    assert "別紙" in err.message and "様式ではない" in err.message
    assert str(err).startswith("audit.txt: ")


def test_table_without_legend_is_rejected(text: str) -> None:
    lines = text.split("\n")
    start = lines.index("別紙")
    header = next(i for i, line in enumerate(lines) if line.startswith("実施内容\t"))
    table_only = "\n".join(lines[start:header + 3])
    with pytest.raises(NakanoFormatError) as info:
        parse_nakano_report(table_only)
    assert "凡例" in info.value.message


def test_garbage_line_inside_the_table_names_the_line(text: str) -> None:
    bad = _replace_line(text, 71, "これは表の行ではありません")
    with pytest.raises(NakanoFormatError) as info:
        parse_nakano_report(bad)
    assert info.value.line == 71


def test_unresolvable_relisting_names_the_line(text: str) -> None:
    lineno = 150
    bad = _replace_line(text, lineno, _line(text, lineno).replace("(1-2-②再掲)", "(1-2-③再掲)"))
    with pytest.raises(NakanoFormatError) as info:
        parse_nakano_report(bad)
    assert info.value.line == lineno and "再掲" in info.value.message


def test_continuation_with_other_title_is_rejected(text: str) -> None:
    lineno = 139
    bad = _replace_line(text, lineno, _line(text, lineno).replace("AI・RPAの利用促進", "AIの利用促進", 1))
    with pytest.raises(NakanoFormatError) as info:
        parse_nakano_report(bad)
    assert info.value.line == lineno


def test_summary_mismatch_is_reported_by_check(text: str) -> None:
    report = parse_nakano_report(text.replace("○ 予定どおり取り組んだ\t105", "○ 予定どおり取り組んだ\t104"))
    assert report.summary_counts["○"] == 104
    assert len(report.check()) == 1 and "○" in report.check()[0]


# ------------------------------------------------------------------------------------------
# Width, whitespace and column-shift variants (hypothesis)

_FULL_WIDTH = str.maketrans("0123456789-()", "０１２３４５６７８９－（）")
_PAD = st.sampled_from(["", " ", "\u3000", "  ", " \u3000"])

_REPORT_CACHE: dict[str, NakanoReport] = {}


def _seed_report() -> tuple[str, NakanoReport]:
    text = _seed_path().read_text(encoding="utf-8")
    if "report" not in _REPORT_CACHE:
        _REPORT_CACHE["report"] = parse_nakano_report(text)
    return text, _REPORT_CACHE["report"]


def _status_lines() -> list[int]:
    _, report = _seed_report()
    return [act.line for act in report.activities]


def _is_code(cell: str) -> bool:
    try:
        normalise_code(cell)
    except ValueError:
        return False
    return True


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(lineno=st.sampled_from(_status_lines()), data=st.data())
def test_row_variants_parse_the_same(lineno: int, data: st.DataObject) -> None:
    text, report = _seed_report()
    ini, expected = _activity_at(report, lineno)
    cells = text.split("\n")[lineno - 1].split("\t")

    # whitespace around every cell
    cells = [data.draw(_PAD) + c + data.draw(_PAD) if c or data.draw(st.booleans()) else c for c in cells]
    nonempty = [i for i, c in enumerate(cells) if c.strip()]
    last = nonempty[-1]
    # departments separated by other whitespace
    if expected.departments:
        sep = data.draw(st.sampled_from([" ", "\u3000", "  ", " \u3000 "]))
        cells[last] = cells[last].replace(" ", sep) if " " in cells[last].strip() else cells[last]
        # an extra empty cell before 所管課
        if data.draw(st.booleans()):
            cells.insert(last, "")
    if _is_code(cells[0]):
        title_index = 2
        # full-width code
        if data.draw(st.booleans()):
            cells[0] = cells[0].translate(_FULL_WIDTH)
    else:
        title_index = nonempty[0]
        if data.draw(st.booleans()):
            # the leading empty cells lost by the conversion
            cells = cells[nonempty[0]:]
            title_index = 0
    # full-width parentheses/digits in a re-listing prefix
    if expected.relisted_from and "再掲" in cells[title_index] and data.draw(st.booleans()):
        prefix, _, rest = cells[title_index].partition("再掲)")
        cells[title_index] = prefix.translate(_FULL_WIDTH) + " 再掲）" + rest
    cells += [""] * data.draw(st.integers(0, 3))  # trailing tabs

    variant = parse_nakano_report(_replace_line(text, lineno, "\t".join(cells)))
    got_ini, got = _activity_at(variant, lineno)
    assert got_ini.code == ini.code
    assert (got.title, got.status, got.change_reason, got.result, got.next_year_plan, got.later_plan) == (
        expected.title, expected.status, expected.change_reason, expected.result,
        expected.next_year_plan, expected.later_plan,
    )
    assert got.departments == expected.departments
    assert (got.relisted_from, got.original_index) == (expected.relisted_from, expected.original_index)
    assert variant.status_counts() == report.status_counts()


@given(
    goal=st.integers(1, 9),
    measure=st.integers(1, 20),
    item=st.integers(1, 20),
    full_digits=st.booleans(),
    dash=st.sampled_from(["-", "－", "‐", "ー", "−"]),
    pad=st.sampled_from(["", " ", "\u3000"]),
    circled=st.booleans(),
)
def test_codes_normalise(goal, measure, item, full_digits, dash, pad, circled) -> None:
    numbers = [str(goal), str(measure)]
    if full_digits:
        numbers = [n.translate(_FULL_WIDTH) for n in numbers]
    item_text = chr(0x2460 + item - 1) if circled else f"({item})"
    text = pad + f"{pad}{dash}{pad}".join([*numbers, item_text]) + pad
    assert normalise_code(text) == f"{goal}-{measure}-{chr(0x2460 + item - 1)}"


def test_fiscal_year_header_with_spaces_and_full_width(text: str) -> None:
    variant = text.replace("取組結果 (令和5年度)", "取組結果（令和 ５ 年度）")
    assert parse_nakano_report(variant).fiscal_year == 2023


def test_explicit_width_and_shift_variants(text: str, report: NakanoReport) -> None:
    # full-width re-listing prefix, code cell shifted right by one empty cell, ideographic spaces
    variant = _replace_line(text, 150, _line(text, 150).replace("(1-2-②再掲)", "（１－２－② 再掲）"))
    variant = _replace_line(variant, 134, "\t" + _line(variant, 134).replace("デジタル政策課", "\u3000デジタル政策課 "))
    parsed = parse_nakano_report(variant)
    _, act = _activity_at(parsed, 150)
    assert (act.title, act.relisted_from, parsed.original_activity(act).line) == ("セルフサービス端末の活用", "1-2-②", 76)
    ini, act = _activity_at(parsed, 134)
    assert (ini.code, act.title, act.departments) == ("2-1-②", "生成AIの活用", ["デジタル政策課"])
    assert [(i.code, i.title) for i in parsed.initiatives] == EXPECTED_INITIATIVES
    assert parsed.status_counts() == report.status_counts()


def test_legend_falls_back_to_summary_table(text: str, report: NakanoReport) -> None:
    lines = text.split("\n")
    start = next(i for i, line in enumerate(lines) if "凡例" in line)
    without_block = "\n".join(lines[:start] + [""] * 5 + lines[start + 5:])
    parsed = parse_nakano_report(without_block)
    assert parsed.status_legend == report.status_legend
    assert parsed.status_counts() == report.status_counts()


def test_legend_on_one_line() -> None:
    from shinchoku.plans.importers.nakano import _Parser

    parser = _Parser("", "<input>")
    legend = parser._parse_legend([(1, "【進捗状況の凡例】 ◎・・・前倒し ○・・・予定どおり △…遅れ ×：未着手")])
    assert [(e.symbol, e.meaning) for e in legend] == [
        ("◎", "前倒し"), ("○", "予定どおり"), ("△", "遅れ"), ("×", "未着手"),
    ]
