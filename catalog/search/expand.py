"""Query-time expansion: traditional → simplified folding, synonyms, pinyin / initials, typo correction.

Everything here works on the *query*; the index is unchanged (except for the English words that
``catalog/search/indexing.py`` adds to a document). A query word becomes a group of alternatives: the word
itself (weight 1), its synonyms from the dictionary (weight :data:`SYNONYM_WEIGHT`), and, for a Latin word,
the index terms whose pinyin or initials it spells (:data:`PINYIN_WEIGHT`). A group matches a document when
one alternative does; every group must match. Exact words score more than their expansions, so exact results
stay on top. Typo correction (:class:`Vocabulary.correct`) is used by the backend only when the query as typed
finds too little.

The synonym dictionary is ``catalog/search/synonyms.txt`` (shipped) plus the file named by
``ODP_SEARCH_SYNONYMS_FILE`` (an admin's additions): one group a line, words separated by commas or
whitespace, ``#`` starts a comment. Files are re-read when they change; no reindex is needed.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from opencc import OpenCC
from pypinyin import Style, lazy_pinyin, load_phrases_dict

SHIPPED_SYNONYMS = Path(__file__).with_name("synonyms.txt")
SYNONYM_WEIGHT = 0.6
PINYIN_WEIGHT = 0.9
CORRECTION_WEIGHT = 1.0
#: at most this many index terms stand for one pinyin / initials word (the most frequent first)
MAX_PINYIN_TERMS = 6
#: Latin words this long may be two edits from the word meant (kindergarden → kindergartens)
LONG_LATIN_WORD = 8
#: Chinese pieces (3+ characters) of a longer query word tried as typos, at most this many rewrites
MAX_REWRITES = 8

_T2S = OpenCC("t2s")
_CJK_RE = re.compile(r"[\u3400-\u9fff]")
_LATIN_WORD_RE = re.compile(r"^[a-z]+$")
_SPLIT_RE = re.compile(r"[,，;；、\s]+")

#: Readings pypinyin gets wrong for Shanghai place names and government words (phrase dictionary).
PHRASE_READINGS: dict[str, str] = {
    "长宁": "chang ning", "长宁区": "chang ning qu", "闵行": "min hang", "闵行区": "min hang qu",
    "莘庄": "xin zhuang", "七宝": "qi bao", "长兴岛": "chang xing dao", "长江": "chang jiang",
    "行政": "xing zheng", "银行": "yin hang", "行业": "hang ye", "重点": "zhong dian", "重大": "zhong da",
    "长者": "zhang zhe", "长者食堂": "zhang zhe shi tang", "长者照护之家": "zhang zhe zhao hu zhi jia",
    "朝阳": "chao yang", "单位": "dan wei", "调查": "diao cha", "都市": "du shi",
}
load_phrases_dict({k: [[s] for s in v.split()] for k, v in PHRASE_READINGS.items()})


def fold(text: str) -> str:
    """Traditional characters to simplified (OpenCC t2s); text without CJK is returned as is."""
    if not text or not _CJK_RE.search(text):
        return text
    folded = _T2S.convert(text)
    return folded if len(folded) == len(text) else "".join(_T2S.convert(c) for c in text)


def syllables_of(text: str) -> list[str]:
    """The lower-case pinyin of each character of ``text`` (no tones, Shanghai readings), ``""`` for a character
    that is not Chinese: as long as ``text`` (pypinyin reads phrases, but gives one syllable per character)."""
    return lazy_pinyin(text, style=Style.NORMAL, errors=lambda chars: [""] * len(chars))


def pinyin_of(term: str) -> tuple[str, str]:
    """(full pinyin, initials) of a Chinese term, lowercase, no tones: 停车场 → ("tingchechang", "tcc")."""
    syllables = lazy_pinyin(term, style=Style.NORMAL, errors="ignore")
    return "".join(syllables), "".join(s[0] for s in syllables if s)


# ---------------------------------------------------------------------------------------------- synonyms


class Synonyms:
    """Synonym groups from one or more files; a word may be in several groups."""

    def __init__(self, paths: Iterable[Path]) -> None:
        self.paths = [Path(p) for p in paths]
        self._stamp: tuple = ()
        self._groups: dict[str, list[str]] = {}
        self.group_count = 0
        self._lock = threading.Lock()

    def _current_stamp(self) -> tuple:
        out = []
        for p in self.paths:
            try:
                st = p.stat()
                out.append((str(p), st.st_mtime_ns, st.st_size))
            except OSError:
                out.append((str(p), None, None))
        return tuple(out)

    def _load(self) -> None:
        groups: dict[str, list[str]] = {}
        count = 0
        for p in self.paths:
            try:
                lines = p.read_text(encoding="utf-8").splitlines()
            except OSError:
                continue
            for line in lines:
                words = [fold(w.lower()) for w in _SPLIT_RE.split(line.split("#", 1)[0]) if w]
                words = list(dict.fromkeys(words))
                if len(words) < 2:
                    continue
                count += 1
                for w in words:
                    others = groups.setdefault(w, [])
                    others.extend(o for o in words if o != w and o not in others)
        self._groups, self.group_count = groups, count

    def of(self, word: str) -> list[str]:
        stamp = self._current_stamp()
        if stamp != self._stamp:
            with self._lock:
                if stamp != self._stamp:
                    self._load()
                    self._stamp = stamp
        return self._groups.get(word.lower(), [])


_SYNONYMS: dict[tuple[str, ...], Synonyms] = {}


def synonyms(extra_file: str | os.PathLike | None = None) -> Synonyms:
    """The dictionary: the shipped file plus ``extra_file`` (``ODP_SEARCH_SYNONYMS_FILE``)."""
    paths = [SHIPPED_SYNONYMS] + ([Path(extra_file)] if extra_file else [])
    key = tuple(str(p) for p in paths)
    if key not in _SYNONYMS:
        _SYNONYMS[key] = Synonyms(paths)
    return _SYNONYMS[key]


# ----------------------------------------------------------------------------------- index vocabulary


def _edits1(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


def distance_at_most_one(a: str, b: str) -> bool:
    """One character replaced, dropped, added, or two adjacent ones swapped."""
    return edit_distance(a, b, 1) <= 1


def edit_distance(a: str, b: str, limit: int) -> int:
    """Edits (replace, drop, add, swap two adjacent) from ``a`` to ``b``, or ``limit + 1`` when above ``limit``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        cur = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = a[i - 1] != b[j - 1]
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        if min(cur) > limit:
            return limit + 1
        prev2, prev = prev, cur
    return min(prev[-1], limit + 1)


def allowed_edits(word: str) -> int:
    """How far a typo may be from the word meant: one edit; two for Latin words of 8+ letters."""
    return 2 if len(word) >= LONG_LATIN_WORD and _LATIN_WORD_RE.match(word) else 1


@dataclass
class Vocabulary:
    """Index terms (with document frequencies) seen through pinyin, initials and one-edit neighbours.

    Built by the backend from its term dictionary once per reader generation; the pinyin of each term is
    memoised across generations (``_PINYIN``)."""

    df: dict[str, int]

    def __post_init__(self) -> None:
        self.full: dict[str, list[str]] = {}
        self.initials: dict[str, list[str]] = {}
        self.deletes: dict[str, list[str]] = {}
        self.latin_by_length: dict[int, list[str]] = {}
        for term in self.df:
            if _CJK_RE.match(term) and 2 <= len(term) <= 8 and all(_CJK_RE.match(c) for c in term):
                full, ini = _PINYIN.get(term) or _PINYIN.setdefault(term, pinyin_of(term))
                if full:
                    self.full.setdefault(full, []).append(term)
                if len(ini) >= 2:
                    self.initials.setdefault(ini, []).append(term)
                for key in _edits1(term) | {term}:
                    self.deletes.setdefault(key, []).append(term)
            elif _LATIN_WORD_RE.match(term) and len(term) >= 4:
                for key in _edits1(term) | {term}:
                    self.deletes.setdefault(key, []).append(term)
                self.latin_by_length.setdefault(len(term), []).append(term)
        for table in (self.full, self.initials):
            for key, terms in table.items():
                terms.sort(key=lambda t: (-self.df[t], t))
                del terms[MAX_PINYIN_TERMS:]
        self._pinyin_deletes: dict[str, list[str]] | None = None

    def pinyin_terms(self, word: str) -> list[str]:
        """Index terms whose full pinyin is ``word`` or, failing that, whose initials are ``word``."""
        word = word.lower()
        if not _LATIN_WORD_RE.match(word):
            return []
        return self.full.get(word) or (self.initials.get(word, []) if len(word) <= 6 else [])

    def correct(self, word: str) -> str | None:
        """The most frequent index term of 3+ characters one edit from ``word`` (Chinese of 3+ characters;
        Latin of 4+ letters, also against the pinyin of the index terms; two edits for Latin words of 8+
        letters), or None. Fewer edits first, then the more frequent term."""
        word = word.lower()
        is_cjk = all(_CJK_RE.match(c) for c in word)
        if (is_cjk and len(word) < 3) or (not is_cjk and (len(word) < 4 or not _LATIN_WORD_RE.match(word))):
            return None
        candidates: set[str] = set()
        for key in _edits1(word) | {word}:
            candidates.update(self.deletes.get(key, ()))
        found = [t for t in candidates if t != word and distance_at_most_one(word, t) and len(t) >= 3]
        if not is_cjk:
            found += [p for p in self._pinyin_neighbours(word) if p != word and distance_at_most_one(word, p)]
            if not found and allowed_edits(word) == 2:
                found = [
                    t
                    for n in range(len(word) - 2, len(word) + 3)
                    for t in self.latin_by_length.get(n, ())
                    if t != word and edit_distance(word, t, 2) <= 2
                ]
        if not found:
            return None

        def weight(t: str) -> int:
            return self.df.get(t) or max((self.df[x] for x in self.full.get(t, ())), default=0)

        return max(found, key=lambda t: (-edit_distance(word, t, 2), weight(t), t))

    def _pinyin_neighbours(self, word: str) -> set[str]:
        if self._pinyin_deletes is None:
            self._pinyin_deletes = {}
            for full in self.full:
                if len(full) >= 4:
                    for key in _edits1(full) | {full}:
                        self._pinyin_deletes.setdefault(key, []).append(full)
        pins: set[str] = set()
        for key in _edits1(word) | {word}:
            pins.update(self._pinyin_deletes.get(key, ()))
        return pins

    def rewrites(self, word: str) -> list[str]:
        """Corrections of a query word that finds nothing, most likely first: the whole word corrected, then
        (Chinese) the word with one of its pieces of 3+ characters corrected, longest pieces first.

        The pieces matter because the index holds jieba's words, not the user's: 律师事物所 is no index term
        one edit away from anything, but its piece 事物所 is one edit from 事务所, giving 律师事务所. The
        caller keeps the first rewrite that finds documents."""
        word = word.lower()
        out: list[str] = []
        whole = self.correct(word)
        if whole:
            out.append(whole)
        if all(_CJK_RE.match(c) for c in word):
            for size in range(min(len(word) - 1, 8), 2, -1):
                for start in range(len(word) - size + 1):
                    piece = word[start : start + size]
                    if piece in self.df:
                        continue
                    fixed = self.correct(piece)
                    if fixed:
                        out.append(word[:start] + fixed + word[start + size :])
        return list(dict.fromkeys(out))[:MAX_REWRITES]


_PINYIN: dict[str, tuple[str, str]] = {}
