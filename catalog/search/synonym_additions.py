"""An admin's synonym groups: appended to ``settings.admin_synonyms_file`` (``ODP_SEARCH_SYNONYMS_FILE``, else
``<data dir>/search-synonyms.txt``), which ``catalog/search/expand.py`` re-reads when it changes — so a group
added on /admin/search-log or with ``odp synonyms add`` works for the next query, with no reindex.

A group is checked before it is written: two to twenty words, each at most 40 characters, without the file's
own syntax (commas, whitespace, ``#``) or control characters, so one group is always exactly one line.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from catalog.config import Settings

from .expand import _SPLIT_RE
from .zero_hits import _file_lock

MAX_WORDS = 20
MAX_WORD_CHARS = 40
_FORBIDDEN = re.compile(r"[#\x00-\x1f\x7f]")


class SynonymGroupError(ValueError):
    """The words given do not make a group (too few, too long, or with the file's syntax in them)."""


def parse_group(text: str | list[str]) -> list[str]:
    """The group's words (NFKC, lower case, duplicates dropped, order kept) from a line or a list of words."""
    parts = _SPLIT_RE.split(text) if isinstance(text, str) else [w for item in text for w in _SPLIT_RE.split(item)]
    words = list(dict.fromkeys(unicodedata.normalize("NFKC", w).strip().lower() for w in parts if w.strip()))
    if any(_FORBIDDEN.search(w) for w in words):
        raise SynonymGroupError("同义词中不能含有 # 或控制字符")
    if any(len(w) > MAX_WORD_CHARS for w in words):
        raise SynonymGroupError(f"每个词最多 {MAX_WORD_CHARS} 个字符")
    if not 2 <= len(words) <= MAX_WORDS:
        raise SynonymGroupError(f"一组同义词需要 2 到 {MAX_WORDS} 个不同的词")
    return words


def add_group(settings: Settings, text: str | list[str]) -> list[str]:
    """Append one group to the admin's file (under the same lock style as the zero-hit log); its words."""
    words = parse_group(text)
    path: Path = settings.admin_synonyms_file
    path.parent.mkdir(parents=True, exist_ok=True)
    with _file_lock(path):
        existing = path.read_text(encoding="utf-8") if path.exists() else ""
        separator = "" if not existing or existing.endswith("\n") else "\n"
        with path.open("a", encoding="utf-8") as handle:
            handle.write(f"{separator}{', '.join(words)}\n")
    return words


def admin_groups(settings: Settings) -> list[list[str]]:
    """The groups of the admin's file, as written (comments and one-word lines skipped)."""
    try:
        lines = settings.admin_synonyms_file.read_text(encoding="utf-8").splitlines()
    except OSError:
        return []
    groups = ([w for w in _SPLIT_RE.split(line.split("#", 1)[0]) if w] for line in lines)
    return [g for g in groups if len(g) >= 2]
