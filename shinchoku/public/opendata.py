"""Open data — オープンデータ: what the public pages publish and the data dictionary (データ辞書) of it.

Published = a plan marked 公開 (``Plan.is_published``); of its progress only the official entries
(``ProgressEntry.state == approved``): drafts, submitted and returned answers are never published.
Indicator values are the published figures (the survey rounds keep departments' answers apart until
approved). Every public page has CSV (UTF-8 with BOM) and JSON twins at its own URL (``?format=csv``,
``?format=json``); the columns of each CSV are described here, and a test checks that the dictionary
and the files agree.
"""

from __future__ import annotations

from dataclasses import dataclass

from shinchoku.reports.render.tabular import PROGRESS_COLUMNS, SUMMARY_COLUMNS


@dataclass(frozen=True)
class Field:
    name: str
    type: str  # 文字列 / 整数 / 数値 / 年度
    description: str
    example: str = ""


@dataclass(frozen=True)
class Dataset:
    key: str
    title: str
    path: str  # URL pattern under /public/
    description: str
    fields: tuple[Field, ...]


PLANS = Dataset(
    "plans",
    "公開計画の一覧",
    "/public/?format=csv",
    "公開されている計画（団体、計画名、計画期間、最新の公表年度）。",
    (
        Field("団体コード", "文字列", "全国地方公共団体コード（6桁）", "131148"),
        Field("団体名", "文字列", "団体の名称", "中野区"),
        Field("計画ID", "整数", "shinchoku の計画ID（各データのURLに使う）", "1"),
        Field("計画名", "文字列", "計画の名称", "第2次中野区地域情報化推進計画改定版"),
        Field("種別", "文字列", "計画の種類", "地域情報化推進計画"),
        Field("計画期間開始年度", "年度", "西暦の年度（4月始まり）", "2022"),
        Field("計画期間終了年度", "年度", "西暦の年度", "2025"),
        Field("最新の公表年度", "年度", "承認済の進捗がある最新の年度（なければ空欄）", "2023"),
    ),
)

PROGRESS = Dataset(
    "progress",
    "進捗状況一覧（別紙）",
    "/public/plans/{計画ID}/?fy={年度}&format=csv",
    "事業内容ごとの進捗状況・取組結果・今後の予定（承認済の進捗のみ）。再掲の行は「再掲元」に元の実施内容のコードがあり、"
    "進捗は元の行にだけ記載します（重複して数えないため）。",
    (
        Field("年度", "年度", "進捗の対象年度（西暦、4月始まり）。2023 = 令和5年度", "2023"),
        Field("目標コード", "文字列", "計画の最上位の項目（目標）のコード", "目標1"),
        Field("目標", "文字列", "目標の名称", "ICTを活用した行政サービスの提供による区民の利便性向上と地域の活性化"),
        Field("実施内容コード", "文字列", "事業内容をまとめる項目（実施内容・取組）のコード", "1-1-①"),
        Field("実施内容", "文字列", "実施内容の名称。実施内容ごと再掲のときは「(元のコード再掲)名称」", "マイナンバーカードの普及促進"),
        Field("事業内容コード", "文字列", "事業内容（別紙の1行）のコード", "1-1-①-1"),
        Field("事業内容", "文字列", "事業内容の名称", "コンビニ交付サービスの利用促進"),
        Field("再掲元", "文字列", "再掲の行のとき、進捗が記載されている実施内容のコード（再掲でなければ空欄）", "1-2-②"),
        Field("進捗状況", "文字列", "計画の進捗区分の記号（凡例は JSON の legend）。記入がなければ空欄", "○"),
        Field("スケジュールの変更理由", "文字列", "遅れ・未着手などの理由", ""),
        Field("取組結果", "文字列", "対象年度の取組結果", "夜間日曜開庁などカード受取りの利便性を図った。"),
        Field("次年度の取組予定", "文字列", "対象年度の翌年度の取組予定", "(推進)"),
        Field("次年度以降の取組予定", "文字列", "翌々年度以降の取組予定", "(推進)"),
        Field("所管課", "文字列", "所管課（複数は「、」区切り、公表順）", "デジタル政策課、子育て支援課"),
    ),
)

SUMMARY = Dataset(
    "summary",
    "進捗状況の概要（進捗状況の区分ごとの取組数・成果指標の推移）",
    "/public/plans/{計画ID}/?fy={年度}&format=csv&table=summary",
    "1行が公表された1つの数値です。「表」が「進捗状況」の行は進捗区分ごとの取組の数、「成果指標」の行は成果指標の"
    "実績・目標（公表値は文書のとおりの表記）。判定は対象年度の実績の行にだけあります。",
    (
        Field("表", "文字列", "「進捗状況」または「成果指標」", "成果指標"),
        Field("分類", "文字列", "成果指標の区分（表の見出し）", "目標1 ICTを活用した…"),
        Field("コード", "文字列", "進捗状況: 記号／成果指標: 指標コード", "目標1-2"),
        Field("項目", "文字列", "進捗状況: 記号の意味／成果指標: 指標名（注記の記号を含む）", "オンラインによる申請受付件数"),
        Field("年度", "年度", "値の年度（西暦、4月始まり）", "2023"),
        Field("種別", "文字列", "取組の数／実績／見込み／目標", "実績"),
        Field("公表値", "文字列", "公表されたとおりの表記（約・以上・分数・注記を含む）", "約 200 万件"),
        Field("数値", "数値", "公表値を基本単位の数値にしたもの（読めない・値なしは空欄。分数は分子）", "2000000"),
        Field("単位", "文字列", "数値の単位（万件 → 件）", "件"),
        Field("判定", "文字列", "対象年度の実績の判定（達成／順調／遅れ／未達／判定不可）", "達成"),
        Field("達成率", "数値", "達成率（%、小数1桁。算出しない場合は空欄）", "117.6"),
    ),
)

DATASETS = (PLANS, PROGRESS, SUMMARY)

PLANS_COLUMNS = [f.name for f in PLANS.fields]
DICTIONARY_COLUMNS = ["データセット", "名称", "URL", "列名", "型", "説明", "例"]

# The CSV renderers' columns, which the dictionary describes (a test checks that they agree).
CSV_COLUMNS = {"plans": PLANS_COLUMNS, "progress": PROGRESS_COLUMNS, "summary": SUMMARY_COLUMNS}

JSON_NOTES = (
    "JSON（/public/plans/{計画ID}/?fy={年度}&format=json）は、計画の情報（plan）、進捗状況の概要（summary）と進捗状況一覧"
    "（progress_list）を1つにまとめたものです。各項目の意味は上の CSV の列と同じです。数値は文字列で表し、"
    "丸めずに公表値のとおりの桁を保ちます。"
)

ALIASES_NOTE = (
    "以前のファイルのURL（/public/plans.csv、/public/plans.json、/public/plans/{計画ID}/progress.csv、"
    "/public/plans/{計画ID}/summary.csv、/public/plans/{計画ID}.json、/public/data-dictionary.csv・.json）も、"
    "同じ内容を返します。"
)
