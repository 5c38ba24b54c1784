"""One renderer per format over the same report model (:mod:`shinchoku.reports.builder`).

``render(report, fmt)`` → :class:`Rendered` (bytes, content type, file name). The web page is a
Django template (``reports/<kind>.html``) rendered by the views, since it needs the request; the
``html`` format here renders the same template standalone (for the command line).
"""

from __future__ import annotations

from dataclasses import dataclass

FORMATS = ("html", "xlsx", "pdf", "csv", "json")


@dataclass(frozen=True)
class Rendered:
    content: bytes
    content_type: str
    filename: str


def filename(report, fmt: str) -> str:
    h = report.header
    return f"{h.municipality_code}_plan{h.plan_id}_{report.kind}_{h.fiscal_year}.{fmt}"


def render(report, fmt: str) -> Rendered:
    if fmt == "xlsx":
        from shinchoku.reports.render.xlsx import CONTENT_TYPE, render_xlsx

        return Rendered(render_xlsx(report), CONTENT_TYPE, filename(report, fmt))
    if fmt == "pdf":
        from shinchoku.reports.render.pdf import CONTENT_TYPE, render_pdf

        return Rendered(render_pdf(report), CONTENT_TYPE, filename(report, fmt))
    if fmt == "csv":
        from shinchoku.reports.render.tabular import CSV_CONTENT_TYPE, render_csv

        return Rendered(render_csv(report), CSV_CONTENT_TYPE, filename(report, fmt))
    if fmt == "json":
        from shinchoku.reports.render.tabular import JSON_CONTENT_TYPE, render_json

        return Rendered(render_json(report), JSON_CONTENT_TYPE, filename(report, fmt))
    if fmt == "html":
        from shinchoku.reports.render.page import render_standalone

        return Rendered(render_standalone(report).encode("utf-8"), "text/html; charset=utf-8", filename(report, fmt))
    raise ValueError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
