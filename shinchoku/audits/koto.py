"""Importer for the findings summary table of the Koto ward external audit report.

Source layout (``001_2d49f690baf33b8d.txt``: 令和7年度 江東区包括外部監査報告書, converted from PDF):
chapter 3 (第3章 監査意見の概要・要約) holds a four-column table, tab separated::

    対象部局<TAB>意見の概要<TAB>分類<TAB>頁
    DX推進課<TAB>見積の詳細な分析の必要性について 随意契約の見積について、…<TAB>指摘事項1<TAB>P56

PDF conversion leaves this noise, all of which the parser absorbs:

* the header row is repeated at the top of every page;
* a row broken by a page break continues on the next page *after* the repeated header as a row
  with an empty 分類 and 頁 (``DX推進課・ 情報システム`` … header … ``課<TAB>想を検討…``): its
  cells are appended to the previous row, without a space (Japanese text is cut mid-word);
* stray spaces inside a cell (``DX推進課・ 情報システム 課``) and ``<p>…</p>`` wrappers.

The 意見の概要 cell is "title + space + summary"; the title is the text up to the first
``について`` followed by a space (every title in the report ends so, as the headings of the detailed
findings in chapter 4 — ``<意見事項4> 広義のテレワーク施策の全体構想について(DX推進課・情報システム課)``
— confirm; :func:`cross_check_koto` compares both).

Joint departments: ``DX推進課・情報システム課`` names two departments, but ``・`` also occurs
inside single department names (``企画・DX推進課``, ``保健・福祉課``). The rule used here: a ``・``
separates two departments only when the text on *each* side is a complete organisation name,
i.e. ends with an organisational suffix (課, 室, 部, 局, 係, 館, 所, センター, 担当, 委員会, …,
see :data:`ORG_SUFFIXES`). ``DX推進課・情報システム課`` → [DX推進課, 情報システム課];
``企画・DX推進課`` → [企画・DX推進課] (``企画`` is not an organisation name on its own). Callers
that know the ward's department list can pass ``known_departments``: a joint text is then split
only if every part is a known department, and a text that is itself a known department is never
split.

Nothing here imports Django; the result is plain dataclasses for the audit models to store.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Iterable, Sequence

from shinchoku.core.fiscal import FiscalYearError, parse_fiscal_year
from shinchoku.core.text import nfkc, remove_spaces, squash_spaces

KIND_SHITEKI = "指摘事項"
KIND_IKEN = "意見事項"
KINDS = (KIND_SHITEKI, KIND_IKEN)

#: Endings of a complete organisation name (longest first is not required: plain ``endswith``).
ORG_SUFFIXES: tuple[str, ...] = (
    "課", "室", "部", "局", "係", "館", "所", "センター", "担当", "委員会", "事務局",
    "本部", "グループ", "チーム", "園", "校", "署", "院", "場",
)


class KotoFormatError(ValueError):
    """The file is not (or no longer) the Koto audit report layout.

    ``line`` is the 1-based line of the input the problem was found on (1 when the whole file lacks
    the expected table), ``filename`` the name the caller gave.
    """

    def __init__(self, message: str, *, line: int, filename: str = "<input>") -> None:
        self.message = message
        self.line = line
        self.filename = filename
        super().__init__(f"{filename}:{line}: {message}")


@dataclass
class FindingData:
    kind: str  # "指摘事項" | "意見事項"
    number: int  # numbered per kind: 指摘事項1, 意見事項1–37
    title: str
    summary: str
    departments: list[str]
    page: int
    line: int  # 1-based line of the row's first line in the input
    department_text: str = ""  # the 対象部局 cell as published, continuation joined, spaces removed

    @property
    def label(self) -> str:
        return f"{self.kind}{self.number}"


@dataclass
class AuditReportData:
    municipality: str | None
    audit_kind: str | None  # 包括外部監査
    fiscal_year: int | None
    theme: str | None
    auditor: str | None
    auditor_qualification: str | None = None
    assistants: list[str] = field(default_factory=list)
    declared_counts: dict[str, int] = field(default_factory=dict)  # 「指摘事項1件、意見事項37件」
    findings: list[FindingData] = field(default_factory=list)
    filename: str = "<input>"

    def counts_by_kind(self) -> dict[str, int]:
        c = Counter(f.kind for f in self.findings)
        return {kind: c.get(kind, 0) for kind in KINDS}

    def department_counts(self) -> dict[str, int]:
        return department_counts(self.findings)


@dataclass(frozen=True)
class FindingHeading:
    """A heading of a detailed finding in chapter 4: ``<意見事項4> 題名について(部署・部署)``."""

    kind: str
    number: int
    title: str
    departments: list[str]
    line: int


# --------------------------------------------------------------------------- helpers

_TAGS = re.compile(r"</?(?:p|br|li|ul|ol|span|div)[^>]*>", re.IGNORECASE)
_HEADER_CELLS = ("対象部局", "意見の概要", "分類", "頁")
_CLASS = re.compile(r"^(指摘事項|意見事項)(\d+)$")
_PAGE = re.compile(r"^[PpＰｐ]\.?(\d+)$")
_TITLE_END = re.compile(r"について(?=\s)")
_CHAPTER = re.compile(r"^第\s*[0-9０-９]+\s*章")
_HEADING = re.compile(
    r"^[<＜〈]\s*(指摘事項|意見事項)\s*([0-9０-９]+)\s*[>＞〉]\s*(.+?)\s*[(（]([^()（）]+)[)）]\s*$"
)
_DECLARED = re.compile(r"指摘事項\s*([0-9０-９]+)\s*件[、,，\s]*意見事項\s*([0-9０-９]+)\s*件")
_TOC_ENTRY = re.compile(r"^(.*\S)\t\s*([0-9０-９]+)\s*$")


def _clean_cell(cell: str) -> str:
    return squash_spaces(_TAGS.sub(" ", cell))


def _is_header(cells: Sequence[str]) -> bool:
    return tuple(remove_spaces(c) for c in cells[:4]) == _HEADER_CELLS


def split_departments(text: str, known_departments: Iterable[str] | None = None) -> list[str]:
    """Split a 対象部局 cell into department names (see the module docstring for the rule).

    >>> split_departments("DX推進課・ 情報システム 課")
    ['DX推進課', '情報システム課']
    >>> split_departments("企画・DX推進課")
    ['企画・DX推進課']
    """
    compact = remove_spaces(text).strip("・")
    if not compact:
        return []
    known = {remove_spaces(k) for k in known_departments} if known_departments is not None else None
    if known is not None:
        if compact in known:
            return [compact]
        parts = [p for p in compact.split("・") if p]
        if parts and all(p in known for p in parts):
            return parts
    result: list[str] = []
    buffer = ""
    for part in compact.split("・"):
        if not part:
            continue
        buffer = f"{buffer}・{part}" if buffer else part
        if buffer.endswith(ORG_SUFFIXES):
            result.append(buffer)
            buffer = ""
    if buffer:
        # Trailing text that is not a complete organisation name belongs to the last department
        # (e.g. a name we do not recognise the ending of): keep it rather than invent a department.
        if result:
            result[-1] = f"{result[-1]}・{buffer}"
        else:
            result.append(buffer)
    return result


def split_title(text: str) -> tuple[str, str]:
    """``'…について 要約…'`` → (title, summary). Without ``について`` + space: (text, '')."""
    m = _TITLE_END.search(text)
    if not m:
        return text.strip(), ""
    return text[: m.end()].strip(), text[m.end():].strip()


def department_counts(findings: Iterable[FindingData]) -> dict[str, int]:
    """Findings per department; a joint finding counts once for each of its departments.

    Ordered by count descending, then department name.
    """
    c: Counter[str] = Counter()
    for f in findings:
        for d in dict.fromkeys(f.departments):
            c[d] += 1
    return dict(sorted(c.items(), key=lambda kv: (-kv[1], kv[0])))


# --------------------------------------------------------------------------- parser


@dataclass
class _Row:
    line: int
    dept_parts: list[str]
    text_parts: list[str]
    kind: str
    number: int
    page: int


def parse_koto_findings(
    text: str,
    filename: str = "<input>",
    *,
    known_departments: Iterable[str] | None = None,
) -> AuditReportData:
    """Parse the Koto external audit report text into its metadata and findings register.

    Raises :class:`KotoFormatError` (with the line) when the summary table is missing or a row
    does not have the expected shape, when numbering is broken, or when the findings found do not
    match the counts the report declares (「指摘事項1件、意見事項37件」).
    """
    lines = text.splitlines()
    known = list(known_departments) if known_departments is not None else None

    start = _find_table_start(lines, filename)
    rows: list[_Row] = []
    end_line = len(lines)
    for idx in range(start, len(lines)):
        raw = lines[idx]
        lineno = idx + 1
        if not raw.strip():
            continue
        if "\t" not in raw:
            # First text line without cells: the table is over (next chapter or a paragraph).
            end_line = lineno
            break
        cells = [_clean_cell(c) for c in raw.split("\t")]
        cells += [""] * (4 - len(cells))
        if _is_header(cells):
            continue
        if len(cells) > 4 and any(cells[4:]):
            raise KotoFormatError(
                f"概要表の行の列数が4ではありません（{len(cells)}列）", line=lineno, filename=filename
            )
        dept, body, cls, page = cells[:4]
        cls_n, page_n = remove_spaces(nfkc(cls)), remove_spaces(nfkc(page))
        if not cls_n and not page_n:
            if not rows:
                raise KotoFormatError(
                    "概要表の最初の行に分類（指摘事項n／意見事項n）と頁がありません",
                    line=lineno,
                    filename=filename,
                )
            if not dept and not body:
                continue
            rows[-1].dept_parts.append(dept)
            rows[-1].text_parts.append(body)
            continue
        m_cls = _CLASS.match(cls_n)
        if not m_cls:
            raise KotoFormatError(
                f"分類欄を読めません: 「{cls}」（「指摘事項n」または「意見事項n」が必要です）",
                line=lineno,
                filename=filename,
            )
        m_page = _PAGE.match(page_n)
        if not m_page:
            raise KotoFormatError(
                f"頁欄を読めません: 「{page}」（「P56」の形が必要です）", line=lineno, filename=filename
            )
        if not dept:
            raise KotoFormatError(
                f"{cls_n}の対象部局が空です", line=lineno, filename=filename
            )
        rows.append(
            _Row(
                line=lineno,
                dept_parts=[dept],
                text_parts=[body],
                kind=m_cls.group(1),
                number=int(m_cls.group(2)),
                page=int(m_page.group(1)),
            )
        )
    if not rows:
        raise KotoFormatError(
            "概要表（対象部局・意見の概要・分類・頁）に行がありません", line=start + 1, filename=filename
        )

    findings: list[FindingData] = []
    for row in rows:
        dept_text = remove_spaces("".join(row.dept_parts))
        body = squash_spaces("".join(row.text_parts))
        title, summary = split_title(body)
        findings.append(
            FindingData(
                kind=row.kind,
                number=row.number,
                title=title,
                summary=summary,
                departments=split_departments(dept_text, known),
                page=row.page,
                line=row.line,
                department_text=dept_text,
            )
        )

    _check_numbering(findings, filename)
    report = AuditReportData(
        municipality=None,
        audit_kind=None,
        fiscal_year=None,
        theme=None,
        auditor=None,
        findings=findings,
        filename=filename,
    )
    _read_metadata(lines, report, filename)
    _check_declared(lines, report, filename, end_line)
    return report


def _find_table_start(lines: list[str], filename: str) -> int:
    for idx, raw in enumerate(lines):
        if "\t" in raw and _is_header([_clean_cell(c) for c in raw.split("\t")] + ["", "", "", ""]):
            return idx
    raise KotoFormatError(
        "江東区包括外部監査報告書の概要表（対象部局・意見の概要・分類・頁）が見つかりません。"
        "別の様式のファイルではありませんか",
        line=1,
        filename=filename,
    )


def _check_numbering(findings: list[FindingData], filename: str) -> None:
    for kind in KINDS:
        seen: dict[int, FindingData] = {}
        for f in findings:
            if f.kind != kind:
                continue
            if f.number in seen:
                raise KotoFormatError(
                    f"{kind}{f.number}が重複しています（{seen[f.number].line}行目と{f.line}行目）",
                    line=f.line,
                    filename=filename,
                )
            seen[f.number] = f
        if seen:
            missing = sorted(set(range(1, max(seen) + 1)) - set(seen))
            if missing:
                last = max(seen.values(), key=lambda f: f.line)
                names = "、".join(f"{kind}{n}" for n in missing)
                raise KotoFormatError(
                    f"番号が抜けています: {names}", line=last.line, filename=filename
                )


def _check_declared(lines: list[str], report: AuditReportData, filename: str, end_line: int) -> None:
    for idx, raw in enumerate(lines[:end_line]):
        m = _DECLARED.search(raw)
        if not m:
            continue
        declared = {KIND_SHITEKI: int(nfkc(m.group(1))), KIND_IKEN: int(nfkc(m.group(2)))}
        report.declared_counts = declared
        found = report.counts_by_kind()
        if found != declared:
            raise KotoFormatError(
                f"報告書の件数（指摘事項{declared[KIND_SHITEKI]}件、意見事項{declared[KIND_IKEN]}件）と"
                f"概要表の行数（指摘事項{found[KIND_SHITEKI]}件、意見事項{found[KIND_IKEN]}件）が一致しません",
                line=idx + 1,
                filename=filename,
            )
        return


_TITLE_LINE = re.compile(r"^((?:令和|平成)\s*(?:[0-9０-９]+|元)\s*年度)\s*(\S+?[区市町村都道府県])(\S*外部監査)報告書")


def _read_metadata(lines: list[str], report: AuditReportData, filename: str) -> None:
    title_idx = None
    for idx, raw in enumerate(lines[:40]):
        m = _TITLE_LINE.match(squash_spaces(raw))
        if m:
            title_idx = idx
            try:
                report.fiscal_year = parse_fiscal_year(m.group(1))
            except FiscalYearError as exc:  # pragma: no cover - the regex only admits valid eras
                raise KotoFormatError(str(exc), line=idx + 1, filename=filename) from exc
            report.municipality = m.group(2)
            report.audit_kind = m.group(3)
            break
    # Theme: the paragraph after 「選定した監査テーマ」, else the line after the title.
    for idx, raw in enumerate(lines):
        if "選定した監査テーマ" in raw:
            for nxt in lines[idx + 1: idx + 6]:
                if nxt.strip():
                    report.theme = squash_spaces(nxt)
                    break
            break
    if report.theme is None and title_idx is not None:
        for nxt in lines[title_idx + 1: title_idx + 5]:
            if nxt.strip():
                report.theme = squash_spaces(nxt)
                break
    # Auditor and assistants: the table 「区分 / 氏名 / 資格等」.
    for raw in lines:
        if "\t" not in raw:
            continue
        cells = [squash_spaces(c) for c in raw.split("\t")]
        if len(cells) < 2:
            continue
        role = re.sub(r"^[0-9０-９]+\s*[.．]\s*", "", cells[0])
        if role.endswith("外部監査人") and report.auditor is None:
            report.auditor = cells[1]
            report.auditor_qualification = cells[2] if len(cells) > 2 and cells[2] else None
        elif role == "補助者":
            report.assistants.append(cells[1])
    if report.auditor is None and title_idx is not None:
        # Title page: 「江東区包括外部監査人」 then 「公認会計士 天野 修」.
        for idx in range(title_idx, min(title_idx + 10, len(lines))):
            if lines[idx].strip().endswith("外部監査人"):
                for nxt in lines[idx + 1: idx + 4]:
                    if nxt.strip():
                        parts = squash_spaces(nxt).split(" ", 1)
                        if len(parts) == 2 and parts[0].endswith(("士", "家", "者")):
                            report.auditor_qualification = parts[0]
                            report.auditor = parts[1]
                        else:
                            report.auditor = squash_spaces(nxt)
                        break
                break


# --------------------------------------------------------------------------- cross-check


def parse_koto_finding_headings(text: str) -> list[FindingHeading]:
    """The headings of the detailed findings (chapter 4): ``<意見事項n> 題名(所管課)``."""
    out: list[FindingHeading] = []
    for idx, raw in enumerate(text.splitlines()):
        m = _HEADING.match(raw.strip())
        if m:
            out.append(
                FindingHeading(
                    kind=m.group(1),
                    number=int(nfkc(m.group(2))),
                    title=squash_spaces(m.group(3)),
                    departments=split_departments(m.group(4)),
                    line=idx + 1,
                )
            )
    return out


def _toc_pages(lines: list[str]) -> list[tuple[int, int]]:
    """(body line, page) for every table-of-contents entry found again in the body, in order."""
    try:
        toc_start = next(i for i, raw in enumerate(lines) if remove_spaces(raw) == "目次")
    except StopIteration:
        return []
    entries: list[tuple[str, int]] = []
    idx = toc_start + 1
    while idx < len(lines):
        raw = lines[idx]
        if raw.strip():
            m = _TOC_ENTRY.match(raw.rstrip())
            if not m:
                break
            entries.append((remove_spaces(nfkc(m.group(1))), int(nfkc(m.group(2)))))
        idx += 1
    body = [remove_spaces(nfkc(raw)) for raw in lines]
    found: list[tuple[int, int]] = []
    cursor = idx
    for title, page in entries:
        for j in range(cursor, len(lines)):
            if body[j] == title:
                found.append((j + 1, page))
                cursor = j + 1
                break
    return found


def cross_check_koto(report: AuditReportData, text: str) -> list[str]:
    """Compare the summary table with the detailed findings; return problems (Japanese), [] if none.

    Checks, per finding: a heading ``<kind n>`` exists in chapter 4; its title and departments
    equal the table's (spaces and full-width forms ignored); and the table's page lies within the
    page range of the table-of-contents sections around the heading (the text has no page
    numbers of its own, so the TOC entries found again in the body are the only page anchors).
    """
    problems: list[str] = []
    headings = {(h.kind, h.number): h for h in parse_koto_finding_headings(text)}
    anchors = _toc_pages(text.splitlines())
    for f in report.findings:
        h = headings.pop((f.kind, f.number), None)
        if h is None:
            problems.append(f"{f.label}: 本文に見出しがありません")
            continue
        if remove_spaces(nfkc(h.title)) != remove_spaces(nfkc(f.title)):
            problems.append(f"{f.label}: 題名が本文と異なります（概要表「{f.title}」／本文「{h.title}」）")
        if h.departments != f.departments:
            problems.append(
                f"{f.label}: 対象部局が本文と異なります（概要表{f.departments}／本文{h.departments}）"
            )
        before = [page for line, page in anchors if line < h.line]
        after = [page for line, page in anchors if line > h.line]
        lo = before[-1] if before else None
        hi = after[0] if after else None
        if (lo is not None and f.page < lo) or (hi is not None and f.page > hi):
            problems.append(
                f"{f.label}: 頁P{f.page}が本文の位置（目次上 P{lo}〜P{hi} の間）と合いません"
            )
    for h in headings.values():
        problems.append(f"{h.kind}{h.number}: 本文にあるが概要表にありません（{h.line}行目）")
    return problems
