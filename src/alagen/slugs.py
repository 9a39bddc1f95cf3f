"""Slugs: the lowercase-hyphenated names used in URLs and heading ids."""

from __future__ import annotations

import re
import unicodedata


def slugify(text: str) -> str:
    """Lowercase words joined by hyphens, letters of any script kept: 'Café & Co' -> 'café-co'."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = re.sub(r"[^\w\s-]", "", text)
    text = re.sub(r"[\s_-]+", "-", text).strip("-")
    return text or "section"
