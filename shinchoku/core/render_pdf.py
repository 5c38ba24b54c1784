"""PDF rendering with Typst (SPEC: Typst renders a 1,000-row list in ~6 s where WeasyPrint took 37 s).

A report is a ``.typ`` template plus JSON data: :func:`render_pdf` copies the template and the shared
``core/typst/common.typ`` into a temporary folder with ``data.json`` beside them and compiles it.
Templates read their data with ``#let data = json("data.json")`` and import the shared page set-up
with ``#import "common.typ": *``.

Fonts: Noto Sans/Serif CJK from Debian's ``fonts-noto-cjk`` (installed by scripts/env.sh). System
fonts are ignored so the output does not depend on what else a machine has installed, and the
timestamp is fixed, so the same data gives the same PDF bytes.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import tempfile
from pathlib import Path
from typing import Any

import typst

COMMON = Path(__file__).resolve().parent / "typst" / "common.typ"
FONT_DIRS = [
    Path("/usr/share/fonts/opentype/noto"),
    Path("/usr/share/fonts/truetype/noto"),
]
# Any fixed instant: the PDF's creation date, so that equal data gives equal bytes.
FIXED_TIMESTAMP = int(dt.datetime(2000, 1, 1, tzinfo=dt.timezone.utc).timestamp())


class PdfRenderError(RuntimeError):
    pass


def font_paths() -> list[str]:
    found = [str(d) for d in FONT_DIRS if d.is_dir()]
    if not found:
        raise PdfRenderError(
            "日本語フォント（Noto CJK）が見つかりません。`apt-get install fonts-noto-cjk` を実行してください。"
        )
    return found


def render_pdf(template: Path, data: Any, *, extra_files: dict[str, bytes] | None = None) -> bytes:
    """Compile ``template`` (a .typ file) with ``data`` (JSON-serialisable) to PDF bytes."""
    with tempfile.TemporaryDirectory(prefix="shinchoku-typst-") as tmp:
        root = Path(tmp)
        shutil.copy(COMMON, root / "common.typ")
        shutil.copy(template, root / "main.typ")
        (root / "data.json").write_text(json.dumps(data, ensure_ascii=False, default=str), encoding="utf-8")
        for name, content in (extra_files or {}).items():
            (root / name).write_bytes(content)
        try:
            return typst.compile(
                str(root / "main.typ"), root=str(root), font_paths=font_paths(), ignore_system_fonts=True,
                format="pdf", timestamp=FIXED_TIMESTAMP,
            )
        except RuntimeError as exc:
            raise PdfRenderError(f"PDFを作成できませんでした: {exc}") from exc
