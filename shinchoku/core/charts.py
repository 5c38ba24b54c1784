"""Server-side SVG charts, the same markup in web pages and PDFs (Typst embeds SVG); no JavaScript.

Two shapes cover what the reports need: :func:`line_chart` (indicator trends: actuals, targets, the
straight line to the final target, markers such as a definition change) and :func:`bar_chart`
(status distribution, budget vs settlement). Values may be ``None`` (a gap: the line is broken, no
bar is drawn). Every text is escaped; fonts fall back to the Noto CJK family.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from html import escape
from typing import Literal, Sequence

Number = int | float | Decimal

PALETTE = ["#0b5cad", "#d4731c", "#1e7d3a", "#8a3ffc", "#b3261e", "#5f6b7a", "#00838f", "#c2185b"]
FONT = "Noto Sans CJK JP, Hiragino Sans, Yu Gothic, Meiryo, sans-serif"


@dataclass
class Series:
    name: str
    values: Sequence[Number | None]
    style: Literal["line", "dashed", "dotted", "points", "bar"] = "line"
    color: str | None = None


@dataclass
class Marker:
    """A vertical marker at a category (e.g. 定義変更 from FY2023)."""

    index: float
    label: str
    color: str = "#b3261e"


@dataclass
class _Frame:
    width: int
    height: int
    left: int = 64
    right: int = 16
    top: int = 40
    bottom: int = 46
    lo: float = 0.0
    hi: float = 1.0
    n: int = 1
    parts: list[str] = field(default_factory=list)

    @property
    def plot_w(self) -> float:
        return self.width - self.left - self.right

    @property
    def plot_h(self) -> float:
        return self.height - self.top - self.bottom

    def x(self, i: float) -> float:
        return self.left + (i + 0.5) * self.plot_w / self.n

    def y(self, v: float) -> float:
        return self.top + (self.hi - v) / (self.hi - self.lo) * self.plot_h


def _nice_ceiling(v: float) -> float:
    if v <= 0:
        return 1.0
    magnitude = 10 ** (len(str(int(v))) - 1) if v >= 1 else 10 ** -(len(f"{v:.10f}".split(".")[1].rstrip("0")) - 1 or 1)
    for step in (1, 2, 2.5, 5, 10):
        if v <= step * magnitude:
            return step * magnitude
    return 10 * magnitude


def _format_tick(v: float) -> str:
    if abs(v) >= 1_0000_0000:
        return f"{v / 1_0000_0000:g}億"
    if abs(v) >= 1_0000:
        return f"{v / 1_0000:g}万"
    return f"{v:,.0f}" if float(v).is_integer() else f"{v:,.2f}".rstrip("0").rstrip(".")


def _frame(categories: Sequence[str], series: Sequence[Series], width: int, height: int, zero: bool) -> _Frame:
    values = [float(v) for s in series for v in s.values if v is not None]
    lo = min(values + ([0.0] if zero else [])) if values else 0.0
    hi = max(values) if values else 1.0
    if hi == lo:
        hi = lo + (abs(lo) or 1.0)
    hi = _nice_ceiling(hi) if hi > 0 else hi
    if lo < 0:
        lo = -_nice_ceiling(-lo)
    elif not zero:
        lo = max(0.0, lo - (hi - lo) * 0.1)
    return _Frame(width, height, lo=lo, hi=hi, n=max(1, len(categories)))


def _axes(f: _Frame, categories: Sequence[str], title: str, unit: str) -> None:
    p = f.parts
    if title:
        p.append(f'<text x="8" y="16" font-size="13" font-weight="bold">{escape(title)}</text>')
    for k in range(5):
        v = f.lo + (f.hi - f.lo) * k / 4
        y = f.y(v)
        p.append(f'<line x1="{f.left}" y1="{y:.1f}" x2="{f.width - f.right}" y2="{y:.1f}" stroke="#e3e8ee"/>')
        p.append(f'<text x="{f.left - 6}" y="{y + 4:.1f}" font-size="10" text-anchor="end" fill="#5f6b7a">{escape(_format_tick(v))}</text>')
    if unit:
        p.append(f'<text x="{f.left - 6}" y="{f.top - 8}" font-size="10" text-anchor="end" fill="#5f6b7a">（{escape(unit)}）</text>')
    base = f.y(max(f.lo, 0.0)) if f.lo < 0 < f.hi else f.top + f.plot_h
    p.append(f'<line x1="{f.left}" y1="{base:.1f}" x2="{f.width - f.right}" y2="{base:.1f}" stroke="#8895a7"/>')
    for i, label in enumerate(categories):
        p.append(f'<text x="{f.x(i):.1f}" y="{f.top + f.plot_h + 16}" font-size="10" text-anchor="middle">{escape(label)}</text>')


def _legend(f: _Frame, series: Sequence[Series], colors: list[str], extra: Sequence[tuple[str, str, str]] = ()) -> None:
    x = f.left
    y = f.height - 10
    items = [(s.name, c, s.style) for s, c in zip(series, colors)] + list(extra)
    for name, color, style in items:
        if style == "bar":
            f.parts.append(f'<rect x="{x}" y="{y - 8}" width="10" height="10" fill="{color}"/>')
        elif style == "points":
            f.parts.append(f'<circle cx="{x + 5}" cy="{y - 3}" r="4" fill="#fff" stroke="{color}" stroke-width="2"/>')
        else:
            dash = _dash(style)
            f.parts.append(f'<line x1="{x}" y1="{y - 3}" x2="{x + 16}" y2="{y - 3}" stroke="{color}" stroke-width="2"{dash}/>')
        f.parts.append(f'<text x="{x + 20}" y="{y + 1}" font-size="10">{escape(name)}</text>')
        x += 28 + 11 * len(name)


def _dash(style: str) -> str:
    return {"dashed": ' stroke-dasharray="6 4"', "dotted": ' stroke-dasharray="2 3"'}.get(style, "")


def _svg(f: _Frame, description: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {f.width} {f.height}" width="{f.width}" '
        f'height="{f.height}" role="img" font-family="{FONT}"><title>{escape(description)}</title>'
        f'<rect width="{f.width}" height="{f.height}" fill="#fff"/>' + "".join(f.parts) + "</svg>"
    )


def line_chart(
    categories: Sequence[str],
    series: Sequence[Series],
    *,
    title: str = "",
    unit: str = "",
    markers: Sequence[Marker] = (),
    width: int = 640,
    height: int = 280,
    zero: bool = True,
) -> str:
    """Lines (or point-only series) over categories; ``None`` breaks a line."""
    f = _frame(categories, series, width, height, zero)
    _axes(f, categories, title, unit)
    colors = [s.color or PALETTE[i % len(PALETTE)] for i, s in enumerate(series)]
    for m in markers:
        x = f.x(m.index)
        f.parts.append(f'<line x1="{x:.1f}" y1="{f.top}" x2="{x:.1f}" y2="{f.top + f.plot_h}" stroke="{m.color}" stroke-dasharray="4 3"/>')
        f.parts.append(f'<text x="{x + 3:.1f}" y="{f.top + 10}" font-size="10" fill="{m.color}">{escape(m.label)}</text>')
    for s, color in zip(series, colors):
        points = [(f.x(i), f.y(float(v))) for i, v in enumerate(s.values) if v is not None]
        if s.style != "points":
            run: list[str] = []
            for i, v in enumerate(list(s.values) + [None]):
                if v is None:
                    if len(run) > 1:
                        f.parts.append(f'<polyline points="{" ".join(run)}" fill="none" stroke="{color}" stroke-width="2"{_dash(s.style)}/>')
                    run = []
                else:
                    run.append(f"{f.x(i):.1f},{f.y(float(v)):.1f}")
        if s.style in ("dashed", "dotted"):
            continue
        for x, y in points:
            fill = "#fff" if s.style == "points" else color
            f.parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{4 if s.style == "points" else 3}" fill="{fill}" stroke="{color}" stroke-width="2"/>')
    _legend(f, series, colors, [(m.label, m.color, "dashed") for m in markers][:0])
    return _svg(f, title or "グラフ")


def bar_chart(
    categories: Sequence[str],
    series: Sequence[Series],
    *,
    title: str = "",
    unit: str = "",
    width: int = 640,
    height: int = 280,
    labels: bool = True,
) -> str:
    """Grouped bars, one group per category, one bar per series; optional value labels."""
    f = _frame(categories, series, width, height, zero=True)
    _axes(f, categories, title, unit)
    colors = [s.color or PALETTE[i % len(PALETTE)] for i, s in enumerate(series)]
    group_w = f.plot_w / f.n * 0.7
    bar_w = group_w / max(1, len(series))
    zero_y = f.y(max(f.lo, 0.0))
    for j, (s, color) in enumerate(zip(series, colors)):
        for i, v in enumerate(s.values):
            if v is None:
                continue
            x = f.x(i) - group_w / 2 + j * bar_w
            y = f.y(float(v))
            top, h = (y, zero_y - y) if y < zero_y else (zero_y, y - zero_y)
            f.parts.append(f'<rect x="{x:.1f}" y="{top:.1f}" width="{bar_w * 0.92:.1f}" height="{max(h, 0.5):.1f}" fill="{color}"/>')
            if labels:
                f.parts.append(
                    f'<text x="{x + bar_w * 0.46:.1f}" y="{top - 3:.1f}" font-size="9" text-anchor="middle">{escape(_format_tick(float(v)))}</text>'
                )
    _legend(f, [Series(s.name, s.values, "bar") for s in series], colors)
    return _svg(f, title or "グラフ")
