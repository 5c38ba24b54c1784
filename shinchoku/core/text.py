"""Text normalisation shared by every importer and parser.

Published documents mix full-width and half-width characters (`１２３`, `（`, `，`) and the PDF
conversion adds stray spaces. NFKC folds the compatibility forms; it is applied to *parsed keys and
numbers*, never to text we store for display, which is kept exactly as published.
"""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"[\s\u3000]+")


def nfkc(text: str) -> str:
    """Full-width digits, letters and punctuation to their ASCII forms (NFKC)."""
    return unicodedata.normalize("NFKC", text)


def squash_spaces(text: str) -> str:
    """Collapse runs of whitespace (including the ideographic space) to one ASCII space, trimmed."""
    return _SPACES.sub(" ", text).strip()


def remove_spaces(text: str) -> str:
    """Drop every whitespace character; PDF conversion puts spaces inside numbers and era names."""
    return _SPACES.sub("", text)
