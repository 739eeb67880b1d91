"""Search-as-you-type: dataset titles, keywords and departments whose words start with what was typed.

A prefix is looked up in one sorted array of keys (numpy ``searchsorted``), not in the full-text index: the
box asks on every keystroke, and a prefix must match in characters (``停车``), full pinyin (``tingche``) and
initials (``tcc``) alike. Each listed dataset title gives a key at each of its word starts (``公共停车场…``,
``停车场…``), in characters, pinyin and initials; keywords and department titles likewise. A key's order value
is its match kind (the start of the whole text before a word inside it, characters before pinyin) times the
number of entries plus the entry's rank: by popularity (downloads; a keyword's and a department's are those of
their datasets) within its kind, the kinds taking turns. So the best suggestions of a prefix are the smallest
values of one slice.

The table is built from the catalog's listing (``access.listed_clause()``: never closed or withdrawn
datasets) and rebuilt when it is older than ``ODP_SUGGEST_REFRESH_SECONDS``.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass

import numpy as np
from sqlalchemy import func
from sqlmodel import Session, select

from catalog import access
from catalog.models import Dataset, Department, DownloadCount
from catalog.search.expand import pinyin_of, syllables_of
from catalog.search.tokenizer import fold, segment

log = logging.getLogger(__name__)

#: the key of a text is cut at this many characters (longer prefixes are cut the same way)
KEY_CHARS = 24
#: word starts of one text that get keys
MAX_STARTS = 8
KINDS = ("dataset", "keyword", "department")


@dataclass(frozen=True)
class Suggestion:
    text: str
    kind: str  # one of KINDS
    name: str  # dataset name, the keyword itself, department slug


def _starts(text: str) -> list[tuple[int, str]]:
    """(0 for the whole text, 1 for a word inside it; the text from there) at each word start."""
    starts = sorted({start for _, start, _, _ in segment(text) if start > 0})[: MAX_STARTS - 1]
    return [(0, text)] + [(1, text[start:]) for start in starts]


def _keys(text: str) -> list[tuple[str, int]]:
    """(key, match rank) of a text: characters rank 0/1, pinyin and initials 2/3."""
    keys = []
    folded = fold(text)
    # One pinyin reading of the whole text, a syllable per character ("" for anything not Chinese), sliced at
    # each word start: pypinyin once per text instead of once per start (it was most of a table's build time).
    syllables = syllables_of(folded)
    for inner, rest in _starts(folded):
        rest = rest.lower()
        keys.append((rest[:KEY_CHARS], inner))
        start = len(folded) - len(rest)
        if len(syllables) == len(folded):
            spelled = [x for x in syllables[start : start + KEY_CHARS] if x]
            full, initials = "".join(spelled), "".join(x[0] for x in spelled)
        else:  # a reading that did not come out one per character: read the piece on its own
            full, initials = pinyin_of(rest[:KEY_CHARS])
        if full and full != rest[:KEY_CHARS]:
            keys.append((full[:KEY_CHARS], 2 + inner))
            if len(initials) >= 2:
                keys.append((initials[:KEY_CHARS], 2 + inner))
    return keys


class SuggestTable:
    """The sorted keys of every suggestion and their order values."""

    def __init__(self, entries: list[tuple[Suggestion, int]]) -> None:
        entries.sort(key=lambda e: (-e[1], e[0].text))
        seen = dict.fromkeys(KINDS, 0)
        ranked = []
        for s, _ in entries:  # the kinds take turns: best dataset, best keyword, best department, second …
            ranked.append((seen[s.kind] * len(KINDS) + KINDS.index(s.kind), s))
            seen[s.kind] += 1
        ranked.sort(key=lambda r: r[0])
        self.entries = [s for _, s in ranked]
        n = max(len(self.entries), 1)
        rows: list[tuple[str, int]] = []
        for rank, s in enumerate(self.entries):
            best: dict[str, int] = {}
            for key, match in _keys(s.text):
                best[key] = min(best.get(key, match), match)
            rows.extend((key, match * n + rank) for key, match in best.items())
        rows.sort()
        self.keys = np.array([k for k, _ in rows], dtype=object)
        self.order = np.array([o for _, o in rows], dtype=np.int64)
        self.size = n

    def lookup(self, prefix: str, size: int) -> list[Suggestion]:
        prefix = fold(prefix.strip()).lower()[:KEY_CHARS]  # the same one-for-one fold as the keys
        if not prefix or not len(self.keys):
            return []
        lo = int(np.searchsorted(self.keys, prefix, side="left"))
        hi = int(np.searchsorted(self.keys, prefix + "\U0010ffff", side="left"))
        if lo >= hi:
            return []
        order = self.order[lo:hi]
        want = min(len(order), size * 4)
        best = np.sort(order[np.argpartition(order, want - 1)[:want]] if want < len(order) else order)
        out: list[Suggestion] = []
        for rank in dict.fromkeys(int(v) % self.size for v in best):
            out.append(self.entries[rank])
            if len(out) == size:
                break
        return out


def build_table(session: Session) -> SuggestTable:
    """Listed datasets, their keywords and departments, with downloads as popularity."""
    downloads = dict(
        session.exec(
            select(DownloadCount.dataset_id, func.sum(DownloadCount.downloads)).group_by(DownloadCount.dataset_id)
        ).all()
    )
    rows = session.exec(
        select(Dataset.id, Dataset.name, Dataset.title, Dataset.keywords, Department.name, Department.title)
        .join(Department, Dataset.department_id == Department.id)
        .where(access.listed_clause())
    ).all()
    keyword_pop: dict[str, int] = {}
    department_pop: dict[tuple[str, str], int] = {}
    entries: list[tuple[Suggestion, int]] = []
    for ds_id, name, title, keywords, dept_name, dept_title in rows:
        pop = int(downloads.get(ds_id) or 0)
        entries.append((Suggestion(title, "dataset", name), pop))
        for kw in dict.fromkeys(keywords or ()):
            keyword_pop[kw] = keyword_pop.get(kw, 0) + pop + 1
        department_pop[(dept_name, dept_title)] = department_pop.get((dept_name, dept_title), 0) + pop + 1
    entries += [(Suggestion(kw, "keyword", kw), pop) for kw, pop in keyword_pop.items()]
    entries += [(Suggestion(title, "department", slug), pop) for (slug, title), pop in department_pop.items()]
    return SuggestTable(entries)


@dataclass
class _Built:
    table: SuggestTable
    built_at: float  # time.monotonic() when it was built
    seconds: float  # how long building it took
    signature: tuple  # the listing it was built from (see _signature)
    checked_at: float
    refreshing: bool = False


#: How often a request may start a background check of the listing (a cheap query, off the request).
CHECK_SECONDS = 5.0
_TABLES: dict[str, _Built] = {}
_LOCK = threading.Lock()


def _signature(session: Session) -> tuple:
    """What a change of the listing changes: how many datasets are listed and the newest ``modified``."""
    count, newest = session.exec(
        select(func.count(), func.max(Dataset.modified)).select_from(Dataset).where(access.listed_clause())
    ).one()
    return int(count), str(newest)


def _build(session: Session) -> _Built:
    started = time.monotonic()
    signature = _signature(session)
    table = build_table(session)
    now = time.monotonic()
    return _Built(table, now, now - started, signature, now)


def suggest(session: Session, prefix: str, size: int, refresh_seconds: float) -> list[Suggestion]:
    """Up to ``size`` suggestions for ``prefix``.

    A keystroke never waits for a rebuild (at 100,000 datasets a build takes tens of seconds): the first table
    is built on the first request, later ones in a background thread while requests keep reading the current
    table. At most every ``CHECK_SECONDS`` a request starts that thread, which rebuilds when the listing changed
    (a dataset added, withdrawn or modified) or when the table is older than ``refresh_seconds`` — and, so a
    big catalog does not rebuild all the time, than ten times its own build time (popularity drifts slowly).
    """
    key = str(session.get_bind().url)
    with _LOCK:
        built = _TABLES.get(key)
        if built is None:
            built = _TABLES[key] = _build(session)
        elif not built.refreshing and time.monotonic() - built.checked_at > min(CHECK_SECONDS, refresh_seconds):
            built.refreshing = True
            threading.Thread(target=_refresh, args=(key, session.get_bind(), built, refresh_seconds),
                             name="odp-suggest-refresh", daemon=True).start()
    return built.table.lookup(prefix, size)


def _refresh(key: str, bind, built: _Built, refresh_seconds: float) -> None:
    try:
        with Session(bind) as session:
            stale = time.monotonic() - built.built_at > max(refresh_seconds, 10 * built.seconds)
            if stale or _signature(session) != built.signature:
                fresh = _build(session)
                with _LOCK:
                    _TABLES[key] = fresh
            else:
                built.checked_at = time.monotonic()
    except Exception:  # a failed refresh keeps the current table; the next check tries again
        log.warning("could not refresh the suggestion table", exc_info=True)
        built.checked_at = time.monotonic()
    finally:
        built.refreshing = False
