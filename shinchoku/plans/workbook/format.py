"""The plan workbook format (計画ワークブック様式): sheets, columns, header aliases and vocabularies.

One definition serves the reader, the writer, the template's instructions sheet and
``docs/plan-workbook.md``, so that what the template says and what the importer accepts cannot drift.

A header is recognised by its Japanese label (what the template shows) or its English key, compared
after NFKC, without spaces and case-insensitively; ``ラベル [key]`` and ``ラベル（key）`` are accepted too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from shinchoku.core.text import nfkc, remove_spaces


@dataclass(frozen=True)
class Column:
    key: str  # English key (accepted as a header; CSV header alias)
    label: str  # Japanese label (what the template shows)
    ja: str  # description in Japanese (instructions sheet, data dictionary)
    en: str  # description in English (data dictionary)
    example: str = ""
    width: int = 14  # column width in the template (characters)
    text: bool = False  # format the column as text (codes: keeps 1-1 from becoming a date)
    wrap: bool = False  # long text: wrapped
    max_length: int | None = None  # the database column's length


@dataclass(frozen=True)
class Sheet:
    key: str  # English key = CSV file name without .csv
    label: str  # Japanese sheet name
    ja: str
    en: str
    columns: tuple[Column, ...]

    @property
    def csv_name(self) -> str:
        return f"{self.key}.csv"

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)

    def letter(self, key: str) -> str:
        """Column letter in the template layout (A, B, …)."""
        return column_letter([c.key for c in self.columns].index(key))


def column_letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


# --------------------------------------------------------------------------- the 計画 sheet

@dataclass(frozen=True)
class PlanKey:
    key: str
    label: str
    ja: str
    en: str
    example: str = ""
    required: bool = True


PLAN_KEYS: tuple[PlanKey, ...] = (
    PlanKey("municipality_code", "団体コード", "全国地方公共団体コード（6桁）", "6-digit local government code (全国地方公共団体コード)", "131148"),
    PlanKey("municipality_name", "団体名", "団体の名称", "municipality name", "中野区"),
    PlanKey("plan_name", "計画名", "計画の名称。同じ団体・同じ計画名のブックを再度取り込むと、その計画を更新します",
            "plan name; re-importing a workbook with the same municipality and plan name updates that plan",
            "第2次中野区地域情報化推進計画"),
    PlanKey("period_start", "計画期間開始年度", "計画期間の最初の年度", "first fiscal year of the plan period", "令和4年度"),
    PlanKey("period_end", "計画期間終了年度", "計画期間の最後の年度", "last fiscal year of the plan period", "令和7年度"),
    PlanKey("levels", "階層名", "階層ごとの名称を上の階層から「;」区切りで", "labels per depth, top first, `;`-separated",
            "目標;施策;取組", required=False),
    PlanKey("status_scale", "進捗区分", "進捗状況の記号と意味を「記号:意味」の「;」区切りで。空欄＝進捗を文章のみで報告する計画",
            "status symbols with meanings, `symbol:meaning` `;`-separated; empty = narrative-only progress",
            "◎:予定以上;○:予定どおり;△:遅れ;×:未着手", required=False),
    PlanKey("plan_kind", "計画種別", "（任意）計画の種類", "(optional) kind of plan", "DX推進計画", required=False),
    PlanKey("description", "説明", "（任意）計画の説明", "(optional) description of the plan", "", required=False),
)
PLAN_KEY = {k.key: k for k in PLAN_KEYS}

PLAN_SHEET = Sheet(
    "plan", "計画",
    "計画の基本情報。2列（項目・値）で、1行に1項目",
    "plan header: two columns (key / value), one row per key",
    (
        Column("key", "項目", "下の表の項目名（日本語またはEnglish key）", "key name (Japanese label or English key)", "計画名", 22),
        Column("value", "値", "その値", "its value", "第2次中野区地域情報化推進計画", 60, wrap=True),
    ),
)

ITEMS_SHEET = Sheet(
    "items", "項目",
    "計画項目（目標・施策・取組・事業など、任意の深さ）。1行に1項目。上から順に並び順になります",
    "plan items (goals, measures, initiatives, activities … any depth), one per row, in display order",
    (
        Column("code", "コード", "計画内で一意のコード（印刷どおり: 1-1-①、No.11、取組17）", "unique in the plan, as printed",
               "1-1-①", 14, text=True),
        Column("parent_code", "親コード", "上位の項目のコード。空欄＝最上位", "code of the parent item; empty = top level", "1-1", 12, text=True),
        Column("level", "階層", "階層名（計画シートの階層名から選択）。空欄可。親コードから決まる階層と一致すること",
               "level label (from 階層名); may be empty; must match the depth given by the parent", "取組", 10),
        Column("title", "名称", "項目の名称（再掲の行は空欄可）", "title (may be empty on a 再掲 row)", "マイナンバーカードの普及促進", 48, wrap=True, max_length=500),
        Column("departments", "所管課", "所管課。複数は「、」「;」または改行で区切る（「・」は課名の一部なので区切りにならない）",
               "owning departments, separated by 、 ; or a line break — never by ・ (part of real names)",
               "デジタル政策課、子ども・若者課", 24, wrap=True),
        Column("relisted_from", "再掲元コード", "再掲の行は再掲元の項目のコード。再掲の行には進捗を書かない",
               "for a 再掲 (re-listed) row: the code of the original item; a 再掲 row carries no progress", "1-1-③", 12, text=True),
        Column("tags", "タグ", "「;」区切りの自由なラベル（重点、新規 など）", "free labels, `;`-separated (重点, 新規 …)", "重点;新規", 12),
        Column("description", "説明", "説明", "description", "", 40, wrap=True),
    ),
)

PROGRESS_SHEET = Sheet(
    "progress", "進捗",
    "項目ごと・年度ごとの進捗。1行に1項目×1年度",
    "progress per item and fiscal year, one row each",
    (
        Column("code", "コード", "項目のコード", "item code", "1-1-①-1", 14, text=True),
        Column("fiscal_year", "年度", "年度（令和5年度、R5、2023、元年度 など）", "fiscal year (令和5年度, R5, 2023, 元年度 …)", "令和5年度", 11),
        Column("status", "進捗状況", "進捗区分の記号（空欄可）", "a symbol of the plan's status scale, or empty", "○", 9),
        Column("result", "取組結果", "その年度の取組結果", "result of the year", "", 48, wrap=True),
        Column("next_year_plan", "次年度計画", "次年度の取組予定", "next year's plan", "", 36, wrap=True),
        Column("later_plan", "次年度以降計画", "次年度以降の取組予定", "plan for the years after", "", 36, wrap=True),
        Column("change_reason", "計画変更理由", "スケジュールの変更理由", "reason for a schedule change", "", 30, wrap=True),
    ),
)

INDICATORS_SHEET = Sheet(
    "indicators", "指標",
    "成果指標・活動指標。1行に1指標",
    "outcome and activity indicators, one per row",
    (
        Column("indicator_code", "指標コード", "計画内で一意の指標コード", "indicator code, unique in the plan", "目標1-1", 12, text=True),
        Column("name", "指標名", "指標の名称", "indicator name", "オンラインによる申請受付件数", 40, wrap=True, max_length=300),
        Column("kind", "種別", "成果指標 または 活動指標（空欄＝成果指標）", "成果指標 (outcome) or 活動指標 (activity); empty = outcome",
               "成果指標", 10),
        Column("unit", "単位", "単位（数字だけの値はこの単位で読む: 件、%、千円 など）", "unit of bare numbers (件, %, 千円 …)", "件", 8, max_length=30),
        Column("direction", "方向", "高いほど良い／低いほど良い／範囲内／定性。空欄＝目標の「以上」「以下」などから判断",
               "高いほど良い (higher) / 低いほど良い (lower) / 範囲内 (keep within) / 定性 (qualitative); "
               "empty = inferred from the target's bound word", "高いほど良い", 12),
        Column("item_codes", "関連項目コード", "関連する項目のコード。複数は「、」「;」または改行で区切る",
               "related item codes, separated by 、 ; or a line break", "1-1-①", 14, text=True),
        Column("definition", "定義", "指標の定義・算定方法", "definition / how it is computed", "", 30, wrap=True),
        Column("source", "出典", "データの出典", "data source", "", 20, wrap=True, max_length=300),
        Column("notes", "注記", "注記。「※1 …」で始まる行は注記記号つきの注記。次の形の行は指標の属性: "
               "【区分】表の見出し／【担当課】課名／【基準値】令和4年度: 5,900fm／【最終目標年度】令和8年度／"
               "【累計起点】令和3年度／【基準量】令和6年度: 12,000千円（「予算額の1割程度」の予算額）／"
               "【定義変更】令和5年度: 変更内容。「令和3年度以降の累計」と書くと累計の起点年度になる",
               "notes: a line `※1 …` is a footnote with its mark; tagged lines carry the indicator's other "
               "attributes: 【区分】 table heading, 【担当課】 owner, 【基準値】 baseline year: value, 【最終目標年度】 "
               "final target year, 【累計起点】 cumulative since, 【基準量】 year: reference amount of a share target, "
               "【定義変更】 year: definition change; `令和3年度以降の累計` sets the cumulative-since year",
               "※1 令和3年度以降の累計", 40, wrap=True),
    ),
)

INDICATOR_VALUES_SHEET = Sheet(
    "indicator_values", "指標値",
    "指標の実績・目標・見込み。1行に1指標×1年度×1区分。値は公表どおりの文字で",
    "actuals, targets and estimates, one row per indicator × fiscal year × kind; the value as published",
    (
        Column("indicator_code", "指標コード", "指標のコード", "indicator code", "目標1-2", 12, text=True),
        Column("fiscal_year", "年度", "年度", "fiscal year", "令和5年度", 11),
        Column("kind", "区分", "実績／目標／見込み", "実績 (actual) / 目標 (target) / 見込み (estimate)", "実績", 8),
        Column("value", "値", "公表どおりの値（85%以下、約200万件、年 120 時間以下、収支差額 > 0、0件、集計中、- など）。"
               "集計中・-・空欄は「値なし」として保存（0にはならない）",
               "the published text verbatim (85%以下, 約200万件, 年 120 時間以下, 収支差額 > 0, 0件, 集計中, - …); "
               "集計中, - and blank are stored as missing, never as 0", "約200万件", 18, text=True, max_length=300),
        Column("as_of", "時点", "値の時点（令和5年12月現在 など）", "as of (e.g. 令和5年12月現在)", "", 16, max_length=100),
        Column("notes", "注記", "注記", "notes", "", 30, wrap=True),
    ),
)

EFFECTS_SHEET = Sheet(
    "effects", "効果",
    "効果額・削減額・増収額・削減時間。1行に1件",
    "savings, revenue and hours saved, one per row",
    (
        Column("item_code", "項目コード", "効果を生む項目のコード（空欄＝計画全体）", "item code (empty = the plan as a whole)", "2-3-①", 12, text=True),
        Column("fiscal_year", "年度", "年度（期間の最初の年度）", "fiscal year (first year of a span)", "令和5年度", 11),
        Column("until_fiscal_year", "終了年度", "年あたりの額が複数年度続くときの最後の年度（空欄可）",
               "last fiscal year when an amount per year runs over a span (may be empty)", "", 11),
        Column("kind", "種別", "効果額／削減額／増収額／削減時間", "効果額 / 削減額 / 増収額 / 削減時間", "削減時間", 10),
        Column("value", "値", "公表どおりの値（182百万円、20,000千円/年、1,400時間/月 など）",
               "the published text (182百万円, 20,000千円/年, 1,400時間/月 …)", "1,400時間/月", 16, text=True, max_length=300),
        Column("basis", "算定根拠", "算定根拠", "how it was computed", "30分×20日×140人", 36, wrap=True),
        Column("notes", "注記", "注記", "notes", "", 30, wrap=True),
    ),
)

SHEETS: tuple[Sheet, ...] = (
    PLAN_SHEET, ITEMS_SHEET, PROGRESS_SHEET, INDICATORS_SHEET, INDICATOR_VALUES_SHEET, EFFECTS_SHEET,
)
SHEET_BY_KEY = {s.key: s for s in SHEETS}

INSTRUCTIONS_SHEET = "記入方法"
CHOICES_SHEET = "選択肢"  # hidden sheet holding the drop-down lists (階層, 進捗状況)

# --------------------------------------------------------------------------- vocabularies

INDICATOR_KINDS = {"成果指標": "outcome", "活動指標": "activity"}
DIRECTIONS = {"高いほど良い": "higher", "低いほど良い": "lower", "範囲内": "within", "定性": "qualitative"}
DIRECTION_ALIASES = {"範囲内に保つ": "within", "定性的": "qualitative"}
VALUE_KINDS = {"実績": "actual", "目標": "target", "見込み": "estimate"}
VALUE_KIND_ALIASES = {"見込": "estimate", "実績値": "actual", "目標値": "target"}
EFFECT_KINDS = {"効果額": "effect", "削減額": "saving", "増収額": "revenue", "削減時間": "hours"}
EFFECT_UNITS = {"effect": "円", "saving": "円", "revenue": "円", "hours": "時間"}


def label_of(vocab: dict[str, str], code: str) -> str:
    return next((label for label, c in vocab.items() if c == code), "")


def lookup(vocab: dict[str, str], text: str, aliases: dict[str, str] | None = None) -> str | None:
    """The code of ``text`` in a vocabulary: its Japanese label, an alias, or the English code itself."""
    key = normal_header(text)
    for label, code in vocab.items():
        if key in (normal_header(label), code.lower()):
            return code
    for label, code in (aliases or {}).items():
        if key == normal_header(label):
            return code
    return None


# Status categories from the meaning's words (order matters: 未着手 before 予定…).
_CATEGORY_WORDS = (
    (("未着手", "未実施"), "not_started"),
    (("遅れ", "遅延"), "late"),
    (("上回", "前倒", "予定以上"), "ahead"),
    (("どおり", "通り", "順調"), "on_plan"),
)


def status_category(meaning: str) -> str:
    """The StatusSymbol category a meaning implies (予定以上 → ahead, 遅れ → late …; else other)."""
    for words, category in _CATEGORY_WORDS:
        if any(w in meaning for w in words):
            return category
    return "other"


# --------------------------------------------------------------------------- headers

_BRACKETED = re.compile(r"^(.+?)[\[（(](.+?)[\]）)]$")


def normal_header(text: str) -> str:
    return remove_spaces(nfkc(text or "")).lower()


def header_key(sheet: Sheet, text: str) -> str | None:
    """The column key a header cell names, or None."""
    return _match(text, [(c.label, c.key) for c in sheet.columns])


def plan_key(text: str) -> str | None:
    return _match(text, [(k.label, k.key) for k in PLAN_KEYS])


def _match(text: str, pairs: list[tuple[str, str]]) -> str | None:
    key = normal_header(text)
    if not key:
        return None
    candidates = [key]
    if m := _BRACKETED.match(key):
        candidates += [m.group(1), m.group(2)]
    for candidate in candidates:
        for label, k in pairs:
            if candidate in (normal_header(label), k.lower()):
                return k
    return None


def sheet_for_name(name: str) -> Sheet | None:
    """The sheet a worksheet or CSV file name stands for (Japanese label or English key, .csv optional)."""
    key = normal_header(name)
    key = key.removesuffix(".csv")
    for sheet in SHEETS:
        if key in (normal_header(sheet.label), sheet.key):
            return sheet
    return None


# --------------------------------------------------------------------------- list cells

LIST_SPLIT = re.compile(r"[、;；\n]")  # departments, item codes: never split on ・
TAG_SPLIT = re.compile(r"[;；\n]")
LEVEL_SPLIT = re.compile(r"[;；\n]")
SCALE_SPLIT = re.compile(r"[;；\n]")
SCALE_PAIR = re.compile(r"[:：]")


def split_list(text: str, pattern: re.Pattern = LIST_SPLIT) -> list[str]:
    return [part.strip() for part in pattern.split(text or "") if part.strip()]


def join_departments(names: list[str]) -> str:
    return "、".join(names)


def join_codes(codes: list[str]) -> str:
    return "、".join(codes)


def join_tags(tags: list[str]) -> str:
    return ";".join(tags)


def join_levels(levels: list[str]) -> str:
    return ";".join(levels)


def format_scale(symbols: list[tuple[str, str]]) -> str:
    return ";".join(f"{s}:{m}" if m else s for s, m in symbols)


def level_label(levels: list[str], depth: int) -> str:
    """The label of a depth: from 階層名, or 第N階層 beyond them (as Plan.level_name)."""
    return levels[depth] if depth < len(levels) else f"第{depth + 1}階層"
