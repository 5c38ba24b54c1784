"""The 注記 cell of the 指標 sheet: footnotes, and the indicator's other attributes as tagged lines.

The format has one free-text notes column per indicator. What the indicator table and the engine
need beyond the sheet's columns is written there as lines a person can read and type::

    【区分】目標1 ICTを活用した行政サービスの提供…   heading of the indicator table (Indicator.group)
    【担当課】デジタル政策課                          department answering for the indicator (owner)
    【基準値】令和4年度: 5,900fm                      baseline year and value (default: the first 実績's year)
    【最終目標年度】令和7年度                         final target year (default: the last 目標's year)
    【累計起点】令和3年度                             cumulative since (default: from 「…年度以降の累計」)
    【基準量】令和6年度: 12,000千円                   reference amount of a share target (予算額の1割程度)
    【定義変更】令和5年度: 交付率から保有率に変更      definition change effective that fiscal year
    ※1 令和5年5月に総務省が定める指標が…              footnote with its mark (Indicator.footnotes)
    なお、交付率は…                                   (a line without a mark continues the line above)
    令和3年度以降の累計                               a note without a mark

``なし`` after 【基準値】 or 【最終目標年度】 says there is none (instead of the default). A note
saying ``令和3年度以降の累計`` (anywhere) sets the cumulative-since year, as wards write it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from shinchoku.core.fiscal import FiscalYearError, parse_fiscal_year, to_wareki
from shinchoku.core.text import nfkc

TAGS = ("区分", "担当課", "基準値", "最終目標年度", "累計起点", "基準量", "定義変更")
_TAG = re.compile(r"^【(" + "|".join(TAGS) + r")】\s*(.*)$", re.DOTALL)
_FOOTNOTE = re.compile(r"^(※[0-9０-９]*)(?:[ \u3000]+|$)")
_YEAR_TEXT = re.compile(r"^(?P<year>[^:：]+?)\s*(?:[:：]\s*(?P<text>.*))?$", re.DOTALL)
_CUMULATIVE = re.compile(r"((?:令和|平成|昭和)\s*(?:[0-9]+|元)\s*年度|[0-9]{4}\s*年度)以降の累計")
NONE_WORDS = ("なし", "無し", "-", "—")


@dataclass
class IndicatorNotes:
    group: str = ""
    owner: str = ""
    footnotes: list[dict] = field(default_factory=list)  # [{"mark": "※1", "text": "…"}]
    changes: list[tuple[int, str]] = field(default_factory=list)  # (effective fiscal year, description)
    references: list[tuple[int, str]] = field(default_factory=list)  # (fiscal year, amount as written)
    baseline_set: bool = False  # 【基準値】 given (else: the first 実績's year)
    baseline_year: int | None = None
    baseline_text: str = ""
    final_set: bool = False
    final_target_year: int | None = None
    cumulative_set: bool = False
    cumulative_since: int | None = None  # explicit, or from 「…年度以降の累計」
    errors: list[str] = field(default_factory=list)


def cumulative_from_text(footnotes: list[dict]) -> int | None:
    for note in footnotes or []:
        if m := _CUMULATIVE.search(nfkc(note.get("text") or "")):
            try:
                return parse_fiscal_year(m.group(1))
            except FiscalYearError:
                return None
    return None


def _year_or_none(text: str, tag: str, errors: list[str]) -> tuple[bool, int | None]:
    """(ok, year) — ``なし`` gives (True, None)."""
    if text.strip() in NONE_WORDS:
        return True, None
    try:
        return True, parse_fiscal_year(text.strip())
    except FiscalYearError as exc:
        errors.append(f"【{tag}】の年度を読めません: {exc}")
        return False, None


def parse_notes(text: str) -> IndicatorNotes:
    notes = IndicatorNotes()
    current: dict | None = None  # the footnote a continuation line belongs to
    current_change: int | None = None  # the definition change a continuation line belongs to
    for line in (text or "").split("\n"):
        tag = _TAG.match(line)
        if tag is not None:
            name, body = tag.group(1), tag.group(2).strip()
            current, current_change = None, None
            if name == "区分":
                notes.group = body
            elif name == "担当課":
                notes.owner = body
            elif name == "最終目標年度":
                ok, year = _year_or_none(body, name, notes.errors)
                if ok:
                    notes.final_set, notes.final_target_year = True, year
            elif name == "累計起点":
                ok, year = _year_or_none(body, name, notes.errors)
                if ok:
                    notes.cumulative_set, notes.cumulative_since = True, year
            else:
                m = _YEAR_TEXT.match(body)
                if m is None or (name != "基準値" and m.group("text") is None):
                    notes.errors.append(f"「{line}」を読めません（【{name}】令和5年度: … の形で書いてください）")
                    continue
                ok, year = _year_or_none(m.group("year"), name, notes.errors)
                if not ok:
                    continue
                value = (m.group("text") or "").strip()
                if name == "基準値":
                    notes.baseline_set, notes.baseline_year, notes.baseline_text = True, year, value
                elif year is None:
                    notes.errors.append(f"【{name}】には年度が必要です")
                elif name == "基準量":
                    notes.references.append((year, value))
                else:
                    notes.changes.append((year, value))
                    current_change = len(notes.changes) - 1
            continue
        m = _FOOTNOTE.match(line)
        if m is not None:
            current = {"mark": nfkc(m.group(1)), "text": line[m.end():]}
            notes.footnotes.append(current)
            current_change = None
            continue
        if current_change is not None:
            year, description = notes.changes[current_change]
            notes.changes[current_change] = (year, f"{description}\n{line}")
            continue
        if current is not None:
            current["text"] += "\n" + line
            continue
        if line == "":
            continue
        current = {"mark": "", "text": line}
        notes.footnotes.append(current)
    for note in notes.footnotes:
        note["text"] = note["text"].rstrip("\n")
    notes.footnotes = [n for n in notes.footnotes if n["mark"] or n["text"]]
    if not notes.cumulative_set:
        notes.cumulative_since = cumulative_from_text(notes.footnotes)
    return notes


def compose_notes(
    *,
    group: str = "",
    owner: str = "",
    footnotes: list[dict] | None = None,
    changes: list[tuple[int, str]] = (),
    references: list[tuple[int, str]] = (),
    baseline: tuple[int | None, str] | None = None,
    final_target_year: tuple[int | None] | None = None,
    cumulative_since: tuple[int | None] | None = None,
) -> str:
    """The 注記 cell (the inverse of :func:`parse_notes`). Optional attributes are written only when
    given (``baseline=(year, text)``, ``final_target_year=(year,)``, ``cumulative_since=(year,)``)."""

    def year(y: int | None) -> str:
        return to_wareki(y) if y is not None else "なし"

    lines: list[str] = []
    if group:
        lines.append(f"【区分】{group}")
    if owner:
        lines.append(f"【担当課】{owner}")
    if baseline is not None:
        y, text = baseline
        lines.append(f"【基準値】{year(y)}: {text}" if text else f"【基準値】{year(y)}")
    if final_target_year is not None:
        lines.append(f"【最終目標年度】{year(final_target_year[0])}")
    if cumulative_since is not None:
        lines.append(f"【累計起点】{year(cumulative_since[0])}")
    for y, text in references:
        lines.append(f"【基準量】{to_wareki(y)}: {text}")
    for note in footnotes or []:
        mark = (note.get("mark") or "").strip()
        text = note.get("text") or ""
        lines.append(f"{mark} {text}" if mark else text)
    for y, description in changes:
        lines.append(f"【定義変更】{to_wareki(y)}: {description}")
    return "\n".join(lines)
