"""Parser for Nakano ward's progress report of its regional informatization plan (中野区 進捗状況等について).

The published PDF, converted to tab-separated text, has this layout (see
``shared/seeds/003_851246767f938c12.txt``)::

    ## 第 2 次中野区地域情報化推進計画改定版の進捗状況等について        ← title
    進捗状況の区分 ⇥ 取組の数                                            ← summary table
    ◎ 目標を大きく上回る、… ⇥ 0
    ○ 予定どおり取り組んだ ⇥ 105 …
    ### 2 成果指標の推移
    目標 1 ICTを活用した…                                               ← goal heading
    指標項目 ⇥ 実績 ⇥ ⇥ 目標 ⇥                                         ← indicator table
     ⇥ 令和 4 年度 ⇥ 令和 5 年度 ⇥ 令和 5 年度 ⇥ 令和 7 年度
    区内のマイナンバーカード交付率 ⇥ 62.3% ⇥ 68.3% ※1 ⇥ 100% ⇥ 100%
    ※1 令和5年5月に…                                                    ← footnotes (+ following paragraphs)
    第2次中野区地域情報化推進計画改定版進捗状況一覧
    【進捗状況の凡例】 ◎・・・… ○・・・… △・・・… ×・・・未着手          ← status legend
    別紙
    実施内容 ⇥ ⇥ 事業内容 ⇥ 進捗状況 ⇥ スケジュールの変更理由 ⇥ 取組結果 (令和5年度) ⇥ … ⇥ 所管課
    1-1-① ⇥ 実施内容名 ⇥ 事業内容 ⇥ ○ ⇥ 理由 ⇥ 結果 ⇥ 翌年度予定 ⇥ 翌々年度以降予定 ⇥ 所管課 所管課
     ⇥  ⇥ 事業内容 ⇥ ○ ⇥ …                                            ← further rows of 1-1-①

What the PDF conversion did, and how it is handled:

* Tables split across pages repeat the header row (sometimes with one column fewer) and repeat the
  code and title of the initiative in the first continuation row: a row whose code equals the
  current initiative's code continues that initiative (the title must match).
* Rows with their leading cells missing (no leading tabs), an extra empty cell before 所管課, or
  trailing tabs: columns are found by content, not by position. Leading empty cells are dropped;
  the status is the cell after the activity title (a single symbol); the department is the last
  non-empty cell, which must come at least five cells after the status (reason, result, next year,
  later years, 所管課); surplus *empty* cells before 所管課 are dropped.
* Re-listed rows ``(1-2-②再掲)セルフサービス端末の活用`` carry no status and no department; they
  are resolved after parsing to the original activity: the non-re-listed activity of initiative
  ``1-2-②`` whose title is equal ignoring a leading ☆/★, whitespace and full/half width (see
  :func:`match_key`). The index found is stored in :attr:`NakanoActivity.original_index` and
  :meth:`NakanoReport.original_activity` returns the original. A whole initiative can be re-listed
  (``2-1-① (1-1-③再掲)ペーパーレスの推進と押印の見直し``); its rows re-list the original's
  activities. A re-listing that does not resolve to exactly one original is a format error.
* Full-width and half-width characters and stray spaces: codes, years, counts and footnote marks
  are read after NFKC and space removal; every text kept for display is kept as published
  (only stripped of surrounding whitespace).

Errors are :class:`NakanoFormatError` with the 1-based line number and a Japanese message; the
parse is all-or-nothing. Consistency checks that are not format errors (summary counts against the
detail rows, footnote marks without a footnote, …) are returned by :meth:`NakanoReport.check`.

This module is plain Python (no Django): the import service maps the dataclasses to models.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field

from shinchoku.core.fiscal import FiscalYearError, parse_fiscal_year
from shinchoku.core.text import nfkc, remove_spaces, squash_spaces

__all__ = [
    "NakanoActivity",
    "NakanoFormatError",
    "NakanoGoal",
    "NakanoIndicator",
    "NakanoIndicatorValue",
    "NakanoInitiative",
    "NakanoReport",
    "StatusLegendEntry",
    "match_key",
    "normalise_code",
    "parse_nakano_report",
]


# --------------------------------------------------------------------------------------------
# Errors and data classes


class NakanoFormatError(ValueError):
    """The text is not a Nakano progress report, or a row cannot be read.

    ``line`` is the 1-based line number (``None`` when the problem is the document as a whole),
    ``message`` the Japanese explanation. ``str()`` is ``"{filename}:{line}: {message}"``
    (``"{filename}: {message}"`` without a line).
    """

    def __init__(self, message: str, line: int | None = None, filename: str = "<input>"):
        self.message = message
        self.line = line
        self.filename = filename
        super().__init__(message)

    def __str__(self) -> str:
        if self.line is None:
            return f"{self.filename}: {self.message}"
        return f"{self.filename}:{self.line}: {self.message}"


@dataclass
class StatusLegendEntry:
    symbol: str
    meaning: str


@dataclass
class NakanoActivity:
    """One 事業内容 row of the 別紙 table."""

    title: str  # as published, minus the "(1-2-②再掲)" prefix
    status: str | None  # legend symbol; None for re-listed rows
    change_reason: str  # スケジュールの変更理由
    result: str  # 取組結果 (the reported fiscal year)
    next_year_plan: str  # 翌年度の取組予定
    later_plan: str  # 翌々年度以降の取組予定
    departments: list[str]  # 所管課, split on whitespace
    relisted_from: str | None  # code of the initiative holding the original activity
    line: int
    status_raw: str | None = None  # the status cell exactly as published
    original_index: int | None = None  # index of the original in the original initiative's activities

    @property
    def is_relisted(self) -> bool:
        return self.relisted_from is not None

    @property
    def starred(self) -> bool:
        """The title is marked ☆ (as published; the report does not explain the mark)."""
        return self.title.lstrip().startswith(("☆", "★"))

    @property
    def sponsor(self) -> str | None:
        """'国' or '都' for the (国) / (都) prefixes: an item run by the state or Tokyo."""
        m = _SPONSOR.match(nfkc(self.title.lstrip("☆★ ")))
        return m.group(1) if m else None


@dataclass
class NakanoInitiative:
    """One 実施内容 (code ``1-1-①``) with its 事業内容 rows."""

    code: str
    title: str
    relisted_from: str | None
    activities: list[NakanoActivity]
    line: int
    continued_lines: list[int] = field(default_factory=list)  # rows repeating the code after a page break

    @property
    def goal_number(self) -> int:
        return int(self.code.split("-")[0])

    @property
    def measure_code(self) -> str:
        """'1-1' for '1-1-①' (the 施策 level the codes imply)."""
        return self.code.rsplit("-", 1)[0]


@dataclass
class NakanoGoal:
    number: int
    title: str
    initiatives: list[NakanoInitiative]


@dataclass
class NakanoIndicatorValue:
    fiscal_year: int
    kind: str  # "actual" | "target" | "estimate"
    raw: str  # exactly the cell text (stripped), e.g. "約 179 万件", "68.3% ※1", "—"
    footnote_marks: list[str] = field(default_factory=list)


@dataclass
class NakanoIndicator:
    goal_number: int
    name: str  # without the ※ mark
    footnote_marks: list[str]  # from the name cell and the value cells, in order, e.g. ["※1"]
    values: list[NakanoIndicatorValue]
    line: int


@dataclass
class NakanoReport:
    plan_name: str
    fiscal_year: int  # the year reported on (取組結果 (令和5年度) → 2023)
    status_legend: list[StatusLegendEntry]
    summary_counts: dict[str, int]
    goals: list[NakanoGoal]
    indicators: list[NakanoIndicator]
    footnotes: dict[str, str]
    filename: str = "<input>"

    # -- navigation --------------------------------------------------------------------------

    @property
    def initiatives(self) -> list[NakanoInitiative]:
        return [ini for goal in self.goals for ini in goal.initiatives]

    def initiative(self, code: str) -> NakanoInitiative:
        wanted = normalise_code(code)
        for ini in self.initiatives:
            if ini.code == wanted:
                return ini
        raise KeyError(code)

    def iter_activities(self) -> Iterator[tuple[NakanoInitiative, NakanoActivity]]:
        for ini in self.initiatives:
            for act in ini.activities:
                yield ini, act

    @property
    def activities(self) -> list[NakanoActivity]:
        return [act for _, act in self.iter_activities()]

    # -- re-listing ------------------------------------------------------------------------

    def original_initiative(self, initiative: NakanoInitiative) -> NakanoInitiative | None:
        """The initiative a whole re-listed initiative repeats; None if it is not re-listed."""
        if initiative.relisted_from is None:
            return None
        return self.initiative(initiative.relisted_from)

    def original_activity(self, activity: NakanoActivity) -> NakanoActivity | None:
        """The activity a re-listed row repeats; None if it is not re-listed."""
        if activity.relisted_from is None or activity.original_index is None:
            return None
        return self.initiative(activity.relisted_from).activities[activity.original_index]

    # -- summaries -------------------------------------------------------------------------

    @property
    def legend_symbols(self) -> list[str]:
        return [entry.symbol for entry in self.status_legend]

    def status_counts(self) -> dict[str, int]:
        """Activities per status over the rows that are not re-listed (every legend symbol present)."""
        counts = {symbol: 0 for symbol in self.legend_symbols}
        for _, act in self.iter_activities():
            if act.relisted_from is None and act.status is not None:
                counts[act.status] = counts.get(act.status, 0) + 1
        return counts

    def check(self) -> list[str]:
        """Consistency problems that do not stop the parse (Japanese messages; empty = consistent)."""
        problems: list[str] = []
        if not self.summary_counts:
            problems.append("冒頭の進捗状況の集計表がありません")
        else:
            counts = self.status_counts()
            for symbol in self.legend_symbols:
                published = self.summary_counts.get(symbol, 0)
                if counts.get(symbol, 0) != published:
                    problems.append(
                        f"進捗状況「{symbol}」の数が集計表（{published}）と明細（{counts.get(symbol, 0)}）で"
                        "一致しません"
                    )
        for goal in self.goals:
            if not goal.title:
                problems.append(f"目標 {goal.number} の名称が見つかりません")
        known_goals = {goal.number for goal in self.goals}
        for ind in self.indicators:
            if ind.goal_number not in known_goals:
                problems.append(f"{ind.line}行目: 成果指標「{ind.name}」の目標 {ind.goal_number} に実施内容がありません")
            for mark in ind.footnote_marks:
                if mark not in self.footnotes:
                    problems.append(f"{ind.line}行目: 成果指標「{ind.name}」の注 {mark} の本文がありません")
        for _, act in self.iter_activities():
            for dept in act.departments:
                if not _DEPARTMENT_SUFFIX.search(dept):
                    problems.append(f"{act.line}行目: 所管課「{dept}」は課・局などの名称に見えません")
        return problems


# --------------------------------------------------------------------------------------------
# Normalisation helpers

_DASHES = "-‐‑‒–—―−－ーｰ"
_DASH_CLASS = "[" + re.escape(_DASHES) + "]"
_CIRCLED = "".join(chr(c) for c in range(0x2460, 0x2474)) + "".join(chr(c) for c in range(0x3251, 0x3260))
_CODE_BODY = (
    rf"([0-9０-９]+)\s*{_DASH_CLASS}\s*([0-9０-９]+)\s*{_DASH_CLASS}\s*"
    rf"([{_CIRCLED}]|[(（]\s*[0-9０-９]+\s*[)）]|[0-9０-９]+)"
)
_CODE = re.compile(rf"^\s*{_CODE_BODY}\s*$")
_RELISTED = re.compile(rf"^\s*[(（]\s*{_CODE_BODY}\s*再\s*掲\s*[)）]\s*(.*)$", re.DOTALL)
_SPONSOR = re.compile(r"^\((国|都)\)")
_FOOTNOTE_MARK = re.compile(r"※\s*([0-9０-９]+)")
_DEPARTMENT_SUFFIX = re.compile(r"(課|局|部|室|所|センター|係|担当|委員会|園|館|会)$")

# Symbols that are commonly typed for the legend's symbols (ideographic zero, large circle, …).
_STATUS_ALIASES = {"〇": "○", "◯": "○", "⭕": "○", "✕": "×", "✖": "×", "╳": "×", "☓": "×", "▲": "△"}


def _circled(number: int) -> str:
    if 1 <= number <= 20:
        return chr(0x2460 + number - 1)
    if 21 <= number <= 35:
        return chr(0x3251 + number - 21)
    raise ValueError(number)


def _code_from_match(m: re.Match[str]) -> str:
    goal, measure, item = m.group(1), m.group(2), m.group(3)
    if item in _CIRCLED:
        circled = item
    else:
        circled = _circled(int(re.sub(r"\D", "", nfkc(item))))
    return f"{int(nfkc(goal))}-{int(nfkc(measure))}-{circled}"


def normalise_code(text: str) -> str:
    """'１－１－①', '1-1-①', '1‐1‐(1)' → '1-1-①' (ASCII digits and hyphens, circled item number)."""
    m = _CODE.match(text)
    if not m:
        raise ValueError(f"実施内容の番号として読めません: 「{text}」")
    return _code_from_match(m)


def match_key(title: str) -> str:
    """Key used to match a re-listed title with its original: NFKC, no whitespace, no leading ☆/★."""
    return remove_spaces(nfkc(title)).lstrip("☆★")


def _split_relisted(title: str) -> tuple[str | None, str]:
    m = _RELISTED.match(title)
    if not m:
        return None, title
    return _code_from_match(m), m.group(4).strip()


def _cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.split("\t")]


def _trim_right(cells: list[str]) -> list[str]:
    end = len(cells)
    while end and not cells[end - 1]:
        end -= 1
    return cells[:end]


def _compact(text: str) -> str:
    return remove_spaces(nfkc(text))


def _tidy_japanese(text: str) -> str:
    """Drop the spaces the PDF conversion put next to Japanese characters ('第 2 次' → '第2次')."""
    text = squash_spaces(text)
    return re.sub(r"(?<=[^\x00-\x7f]) | (?=[^\x00-\x7f])", "", text)


def _footnote_marks(text: str) -> list[str]:
    return [f"※{int(nfkc(m.group(1)))}" for m in _FOOTNOTE_MARK.finditer(text)]


def _strip_heading(line: str) -> str:
    return line.strip().lstrip("#").strip()


# --------------------------------------------------------------------------------------------
# Parser


def parse_nakano_report(text: str, filename: str = "<input>") -> NakanoReport:
    """Parse the tab-separated text of a Nakano progress report; raise NakanoFormatError if unreadable."""
    return _Parser(text, filename).parse()


class _Parser:
    def __init__(self, text: str, filename: str):
        self.filename = filename
        self.lines = [line.rstrip("\r") for line in text.lstrip("\ufeff").split("\n")]

    def error(self, message: str, line: int | None = None) -> NakanoFormatError:
        return NakanoFormatError(message, line, self.filename)

    # -- top level ---------------------------------------------------------------------------

    def parse(self) -> NakanoReport:
        table_start = self._find_table_start()
        prose = list(enumerate(self.lines[:table_start], start=1))
        legend = self._parse_legend(prose)
        self.legend = legend
        self.symbols = {entry.symbol for entry in legend}
        summary = self._parse_summary(prose)
        plan_name = self._parse_plan_name(prose)
        goal_titles = self._parse_goal_titles(prose)
        indicators = self._parse_indicators(prose)
        footnotes = self._parse_footnotes(prose)
        fiscal_year, initiatives = self._parse_table(table_start)
        self._resolve_relisted(initiatives)

        numbers = sorted({ini.goal_number for ini in initiatives})
        goals = [
            NakanoGoal(n, goal_titles.get(n, ""), [ini for ini in initiatives if ini.goal_number == n])
            for n in numbers
        ]
        return NakanoReport(
            plan_name=plan_name,
            fiscal_year=fiscal_year,
            status_legend=legend,
            summary_counts=summary,
            goals=goals,
            indicators=indicators,
            footnotes=footnotes,
            filename=self.filename,
        )

    @staticmethod
    def _is_table_header(cells: list[str]) -> bool:
        first = next((c for c in cells if c), "")
        return _compact(first) == "実施内容" and any(_compact(c) == "所管課" for c in cells)

    def _find_table_start(self) -> int:
        for index, line in enumerate(self.lines):
            if "\t" in line and self._is_table_header(_cells(line)):
                return index
        raise self.error(
            "別紙の進捗状況一覧表（「実施内容」「事業内容」「進捗状況」…「所管課」の見出し行）が見つかりません。"
            "中野区の地域情報化推進計画の進捗状況報告の様式ではないようです"
        )

    # -- prose before the table ----------------------------------------------------------

    def _parse_legend(self, prose: list[tuple[int, str]]) -> list[StatusLegendEntry]:
        entries: list[StatusLegendEntry] = []
        for pos, (lineno, line) in enumerate(prose):
            if "凡例" not in line:
                continue
            block = [line.split("凡例", 1)[1].lstrip("】]）) ")]
            for _, following in prose[pos + 1 :]:
                if not following.strip() or "\t" in following:
                    break
                block.append(following)
            joined = squash_spaces(" ".join(block))
            matches = list(re.finditer(r"(?:^|(?<=\s))([^\s・･…‥:：])\s*(?:[・･]{2,}|[…‥]+|[:：])\s*", joined))
            for i, m in enumerate(matches):
                end = matches[i + 1].start() if i + 1 < len(matches) else len(joined)
                meaning = joined[m.end() : end].strip()
                symbol = nfkc(m.group(1))
                if not meaning:
                    raise self.error(f"凡例の記号「{symbol}」に意味が書かれていません", lineno)
                entries.append(StatusLegendEntry(symbol, meaning))
            if entries:
                return entries
        # No 【凡例】 block: the summary table names the same symbols with their meanings.
        for lineno, symbol, meaning, _ in self._summary_rows(prose):
            entries.append(StatusLegendEntry(symbol, meaning))
        if not entries:
            raise self.error(
                "進捗状況の凡例（【進捗状況の凡例】の ◎・・・ ○・・・ などの行、または進捗状況の区分の集計表）"
                "が見つかりません。中野区の進捗状況報告の様式ではないようです"
            )
        return entries

    def _summary_rows(self, prose: list[tuple[int, str]]) -> Iterator[tuple[int, str, str, int]]:
        """Rows of the 進捗状況の区分 ⇥ 取組の数 table: (line, symbol, meaning, count)."""
        inside = False
        for lineno, line in prose:
            cells = _trim_right(_cells(line))
            if "\t" in line and cells and "区分" in _compact(cells[0]):
                inside = True
                continue
            if not inside:
                continue
            if "\t" not in line or len(cells) < 2:
                if line.strip():
                    return
                continue
            label, count_text = cells[0], _compact(cells[-1])
            if not count_text.isdigit():
                raise self.error(f"進捗状況の集計表の数「{cells[-1]}」が整数ではありません", lineno)
            if not label:
                raise self.error("進捗状況の集計表に記号がありません", lineno)
            symbol = nfkc(label[0])
            yield lineno, _STATUS_ALIASES.get(symbol, symbol), label[1:].strip(), int(count_text)

    def _parse_summary(self, prose: list[tuple[int, str]]) -> dict[str, int]:
        counts: dict[str, int] = {}
        for lineno, symbol, _meaning, count in self._summary_rows(prose):
            if symbol not in self.symbols:
                raise self.error(
                    f"集計表の進捗状況「{symbol}」が凡例（{'、'.join(e.symbol for e in self.legend)}）にありません",
                    lineno,
                )
            if symbol in counts:
                raise self.error(f"集計表に進捗状況「{symbol}」が2回あります", lineno)
            counts[symbol] = count
        return counts

    def _parse_plan_name(self, prose: list[tuple[int, str]]) -> str:
        for _, line in prose:
            m = re.match(r"^(.+?)(?:の)?進捗状況一覧$", _strip_heading(line))
            if m and "\t" not in line:
                return _tidy_japanese(m.group(1))
        for _, line in prose:
            m = re.match(r"^(.+?)の進捗状況等?について", _strip_heading(line))
            if m:
                return _tidy_japanese(m.group(1))
        raise self.error("計画名（「…の進捗状況等について」または「…進捗状況一覧」の行）が見つかりません")

    def _parse_goal_titles(self, prose: list[tuple[int, str]]) -> dict[int, str]:
        titles: dict[int, str] = {}
        for lineno, line in prose:
            m = _GOAL_HEADING.match(_strip_heading(line))
            if m and "\t" not in line:
                number = int(nfkc(m.group(1)))
                title = m.group(2).strip()
                if number in titles and _compact(titles[number]) != _compact(title):
                    raise self.error(f"目標 {number} の名称が2通りあります", lineno)
                titles[number] = title
        return titles

    def _parse_indicators(self, prose: list[tuple[int, str]]) -> list[NakanoIndicator]:
        indicators: list[NakanoIndicator] = []
        goal: int | None = None
        columns: list[tuple[int, str]] | None = None  # (fiscal year, kind) per value column
        header: tuple[int, list[str]] | None = None
        for lineno, line in prose:
            stripped = _strip_heading(line)
            if "\t" not in line:
                if m := _GOAL_HEADING.match(stripped):
                    goal = int(nfkc(m.group(1)))
                if line.strip():
                    columns, header = None, None
                continue
            cells = _cells(line)
            if _compact(cells[0]) == "指標項目":
                if goal is None:
                    raise self.error("成果指標の表の前に「目標 N …」の見出しがありません", lineno)
                header, columns = (lineno, cells[1:]), None
                continue
            if header is not None and columns is None:
                columns = self._indicator_columns(header, cells, lineno)
                continue
            if columns is None:
                continue
            name_cell = cells[0]
            if not name_cell:
                raise self.error("成果指標の名称が空です", lineno)
            values_cells = cells[1:]
            extra = [c for c in values_cells[len(columns) :] if c]
            if extra:
                raise self.error(
                    f"成果指標「{name_cell}」の値が列より多くあります（{len(columns)}列: 余分な値「{extra[0]}」）", lineno
                )
            marks = _footnote_marks(name_cell)
            values: list[NakanoIndicatorValue] = []
            for (year, kind), raw in zip(columns, values_cells):
                if not raw:
                    continue
                value_marks = _footnote_marks(raw)
                marks.extend(m for m in value_marks if m not in marks)
                values.append(NakanoIndicatorValue(year, kind, raw, value_marks))
            name = _FOOTNOTE_MARK.sub("", name_cell).strip()
            assert goal is not None
            indicators.append(NakanoIndicator(goal, name, marks, values, lineno))
        return indicators

    def _indicator_columns(
        self, header: tuple[int, list[str]], year_cells: list[str], lineno: int
    ) -> list[tuple[int, str]]:
        header_line, labels = header
        if year_cells and year_cells[0]:
            raise self.error("成果指標の表の2行目（年度の行）の先頭の列は空のはずです", lineno)
        years_text = _trim_right(year_cells[1:])
        if not years_text:
            raise self.error("成果指標の表に年度の行がありません", lineno)
        columns: list[tuple[int, str]] = []
        kind: str | None = None
        for index, year_text in enumerate(years_text):
            label = _compact(labels[index]) if index < len(labels) else ""
            if label:
                if "実績" in label:
                    kind = "actual"
                elif "見込" in label:
                    kind = "estimate"
                elif "目標" in label:
                    kind = "target"
                else:
                    raise self.error(f"成果指標の見出し「{labels[index]}」は実績・目標・見込みのどれでもありません", header_line)
            if kind is None:
                raise self.error("成果指標の見出しの最初の列に「実績」または「目標」がありません", header_line)
            try:
                year = parse_fiscal_year(year_text)
            except FiscalYearError as exc:
                raise self.error(f"成果指標の年度「{year_text}」が読めません: {exc}", lineno) from None
            columns.append((year, kind))
        return columns

    def _parse_footnotes(self, prose: list[tuple[int, str]]) -> dict[str, str]:
        footnotes: dict[str, str] = {}
        current: str | None = None
        for lineno, line in prose:
            stripped = line.strip()
            if not stripped:
                continue
            m = re.match(r"^※\s*([0-9０-９]+)\s*(.*)$", stripped)
            if m and "\t" not in line:
                current = f"※{int(nfkc(m.group(1)))}"
                if current in footnotes:
                    raise self.error(f"注 {current} が2回あります", lineno)
                footnotes[current] = m.group(2).strip()
                continue
            if current is None:
                continue
            if (
                "\t" in line
                or stripped.startswith(("#", "※", "【", "別紙"))
                or _GOAL_HEADING.match(stripped)
                or re.match(r"^[0-9０-９]+\s+\S{1,20}$", stripped)  # numbered heading without '#'
                or "進捗状況一覧" in stripped
            ):
                current = None
                continue
            footnotes[current] += "\n" + stripped
        return footnotes

    # -- the 別紙 table ---------------------------------------------------------------------

    def _parse_table(self, table_start: int) -> tuple[int, list[NakanoInitiative]]:
        fiscal_year: int | None = None
        initiatives: list[NakanoInitiative] = []
        seen: set[str] = set()
        current: NakanoInitiative | None = None
        for index in range(table_start, len(self.lines)):
            lineno = index + 1
            line = self.lines[index]
            if not line.strip():
                continue
            cells = _cells(line)
            if self._is_table_header(cells):
                year = self._header_year(cells, lineno)
                if fiscal_year is None:
                    fiscal_year = year
                elif year != fiscal_year:
                    raise self.error(f"見出しの取組結果の年度（{year}年度）が最初の表（{fiscal_year}年度）と違います", lineno)
                continue
            if len(cells) == 1:
                if _PAGE_NUMBER.match(line.strip()):
                    continue
                raise self.error(f"別紙の表の行として読めません（タブ区切りの列がありません）: 「{line.strip()[:40]}」", lineno)
            first = next((i for i, c in enumerate(cells) if c), None)
            if first is None:
                continue
            code_match = _CODE.match(cells[first]) if first <= 1 else None
            if code_match:
                # The code cell (normally the first; one cell to the right if an empty cell was inserted).
                code = _code_from_match(code_match)
                title_cell = cells[first + 1] if len(cells) > first + 1 else ""
                rest = cells[first + 2 :]
                relisted_from, title = _split_relisted(title_cell)
                if not title:
                    raise self.error(f"実施内容 {code} の名称が空です", lineno)
                if current is not None and current.code == code:
                    # The table was split across pages: the code and title are repeated.
                    if match_key(title) != match_key(current.title) or relisted_from != current.relisted_from:
                        raise self.error(
                            f"実施内容 {code} の名称「{title_cell}」が前の表の「{current.title}」と一致しません", lineno
                        )
                    current.continued_lines.append(lineno)
                else:
                    if code in seen:
                        raise self.error(f"実施内容 {code} が離れた位置に2回あります", lineno)
                    seen.add(code)
                    current = NakanoInitiative(code, title, relisted_from, [], lineno)
                    initiatives.append(current)
            else:
                if current is None:
                    raise self.error("別紙の表の最初の行に実施内容の番号（1-1-① など）がありません", lineno)
                rest = cells[first:]
            if not any(rest):
                continue  # an initiative line whose activities follow on the next rows
            current.activities.append(self._parse_activity(rest, current, lineno))
        if fiscal_year is None:  # pragma: no cover - _find_table_start guarantees a header
            raise self.error("別紙の表の見出しがありません")
        if not initiatives:
            raise self.error("別紙の表に実施内容の行がありません", table_start + 1)
        for ini in initiatives:
            if not ini.activities:
                raise self.error(f"実施内容 {ini.code} に事業内容の行がありません", ini.line)
        return fiscal_year, initiatives

    def _header_year(self, cells: list[str], lineno: int) -> int:
        for cell in cells:
            m = re.search(r"取組結果\s*[(（]\s*(.+?)\s*[)）]", cell)
            if m:
                try:
                    return parse_fiscal_year(m.group(1))
                except FiscalYearError as exc:
                    raise self.error(f"見出し「{cell}」の年度が読めません: {exc}", lineno) from None
        raise self.error("別紙の表の見出しに「取組結果 (令和N年度)」の列がありません", lineno)

    def _status_symbol(self, cell: str) -> str | None:
        """The legend symbol a status cell stands for, or None if it is not one."""
        text = nfkc(remove_spaces(cell))
        text = _STATUS_ALIASES.get(text, text)
        return text if text in self.symbols else None

    @staticmethod
    def _looks_like_symbol(cell: str) -> bool:
        text = nfkc(remove_spaces(cell))
        return len(text) == 1 and (unicodedata.category(text).startswith("S") or text in _STATUS_ALIASES)

    def _parse_activity(self, rest: list[str], initiative: NakanoInitiative, lineno: int) -> NakanoActivity:
        title_cell = rest[0]
        if not title_cell or self._status_symbol(title_cell) or self._looks_like_symbol(title_cell):
            raise self.error("事業内容が空です（行の先頭の列が欠けています）", lineno)
        relisted_from, title = _split_relisted(title_cell)
        if relisted_from is None:
            relisted_from = initiative.relisted_from
        if not title:
            raise self.error("再掲の事業内容の名称が空です", lineno)

        # Status column: right after the title, or one further if an empty cell was inserted.
        position = 1
        if len(rest) > 2 and not rest[1] and self._looks_like_symbol(rest[2]):
            position = 2
        status_raw = rest[position] if position < len(rest) and rest[position] else None
        status: str | None = None
        if status_raw is not None:
            status = self._status_symbol(status_raw)
            if status is None:
                symbols = "、".join(e.symbol for e in self.legend)
                if self._looks_like_symbol(status_raw) or len(nfkc(status_raw)) <= 2:
                    raise self.error(f"進捗状況の記号「{status_raw}」が凡例（{symbols}）にありません", lineno)
                raise self.error(
                    f"進捗状況の列に凡例の記号（{symbols}）ではなく「{status_raw[:30]}」があります", lineno
                )

        after = _trim_right(rest[position + 1 :])
        departments_cell = ""
        if len(after) >= 5:
            departments_cell = after[-1]
            middle = after[:-1]
            while len(middle) > 4 and not middle[-1]:
                middle = middle[:-1]  # the extra empty cell before 所管課
            if len(middle) > 4:
                raise self.error(
                    f"列が多すぎます（進捗状況と所管課の間に{len(middle)}列あります。4列のはずです）", lineno
                )
        else:
            middle = after
        middle = middle + [""] * (4 - len(middle))
        change_reason, result, next_year_plan, later_plan = middle
        departments = departments_cell.split()

        if relisted_from is None:
            if status is None:
                raise self.error(f"事業内容「{title}」の進捗状況が記入されていません", lineno)
            if not departments:
                raise self.error(f"事業内容「{title}」に所管課がありません（進捗状況の後の列が足りません）", lineno)
        elif status is not None and not departments:
            raise self.error(f"事業内容「{title}」に所管課がありません", lineno)

        return NakanoActivity(
            title=title,
            status=status,
            change_reason=change_reason,
            result=result,
            next_year_plan=next_year_plan,
            later_plan=later_plan,
            departments=departments,
            relisted_from=relisted_from,
            line=lineno,
            status_raw=status_raw,
        )

    def _resolve_relisted(self, initiatives: list[NakanoInitiative]) -> None:
        by_code = {ini.code: ini for ini in initiatives}
        for ini in initiatives:
            if ini.relisted_from is not None:
                original = by_code.get(ini.relisted_from)
                if original is None:
                    raise self.error(f"再掲元の実施内容 {ini.relisted_from} が表にありません", ini.line)
                if original.relisted_from is not None:
                    raise self.error(f"再掲元の実施内容 {ini.relisted_from} 自体が再掲です", ini.line)
                if match_key(original.title) != match_key(ini.title):
                    raise self.error(
                        f"再掲の実施内容「{ini.title}」が再掲元 {original.code} の「{original.title}」と一致しません",
                        ini.line,
                    )
            for act in ini.activities:
                if act.relisted_from is None:
                    continue
                original = by_code.get(act.relisted_from)
                if original is None:
                    raise self.error(f"再掲元の実施内容 {act.relisted_from} が表にありません", act.line)
                key = match_key(act.title)
                found = [
                    i
                    for i, candidate in enumerate(original.activities)
                    if candidate.relisted_from is None and match_key(candidate.title) == key
                ]
                if len(found) != 1:
                    what = "ありません" if not found else f"{len(found)}件あります"
                    raise self.error(
                        f"再掲の事業内容「{act.title}」に当たる事業内容が実施内容 {original.code} に{what}", act.line
                    )
                act.original_index = found[0]


_GOAL_HEADING = re.compile(r"^目標\s*([0-9０-９]+)\s*[:：.．\s]\s*(\S.*)$")
_PAGE_NUMBER = re.compile(r"^(?:[-－‐―—\s]*[0-9０-９]+[-－‐―—\s]*|[0-9０-９]+\s*/\s*[0-9０-９]+|別紙\s*[0-9０-９]*)$")
