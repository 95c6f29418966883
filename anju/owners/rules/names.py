"""Search keys for owner names: one box that finds 张三, "zhangsan" and "zs".

The keys are meant to be stored in a side table and matched with a prefix
search (``key LIKE 'query%'``), so everything a user might type must be the
*start* of some key: the name, its full pinyin, its initials and, for
companies, every suffix of the name (so "万科" finds 深圳市万科物业).

pypinyin 0.55 has no surname mode: it reads 曾 as "ceng", 单 as "dan" and
区 as "qu". Person names therefore get a small table of surname readings for
the first one or two characters; the dictionary readings stay available as
alternatives because the table can be wrong for a given family.
"""

from __future__ import annotations

import functools
import heapq
import re
import unicodedata
from dataclasses import dataclass

from pypinyin import Style
from pypinyin.converter import UltimateConverter
from pypinyin.seg.simpleseg import seg

__all__ = [
    "MAX_KEY_LENGTH",
    "MAX_READING_COMBINATIONS",
    "NameReadings",
    "name_initials",
    "name_pinyin",
    "name_readings",
    "name_search_keys",
    "normalize_search_text",
]

MAX_KEY_LENGTH = 64
MAX_READING_COMBINATIONS = 8

# Surname readings that differ from pypinyin's everyday default. The first
# reading is preferred; other readings of the character follow as alternatives.
_SURNAME_READINGS: dict[str, tuple[str, ...]] = {
    "曾": ("zeng",),
    "单": ("shan",),
    "解": ("xie",),
    "仇": ("qiu",),
    "区": ("ou",),
    "朴": ("piao",),
    "查": ("zha",),
    "翟": ("zhai",),
    "盖": ("ge",),
    "覃": ("qin",),
    "缪": ("miao",),
    "召": ("shao",),
    "秘": ("bi",),
    "隗": ("wei",),
    "员": ("yun",),
    "种": ("chong",),
    "重": ("chong",),
    "乐": ("yue", "le"),
    "繁": ("po",),
    "句": ("gou",),
    "阚": ("kan",),
    "卜": ("bu",),
    "都": ("du",),
    "薄": ("bo",),
    "藏": ("zang",),
    "折": ("she",),
    "蕃": ("pi",),
    "牟": ("mou", "mu"),
    "洗": ("xian",),
    "粘": ("nian",),
    "祭": ("zhai",),
    "长": ("chang",),
    "佴": ("nai",),
    "角": ("jue",),
}

# Two-character surnames: one reading list per character. They must be looked
# up before the single-character table (单于 is "chanyu", not "shanyu").
_COMPOUND_SURNAMES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "万俟": (("mo",), ("qi",)),
    "尉迟": (("yu", "wei"), ("chi",)),
    "单于": (("chan", "shan"), ("yu",)),
    "长孙": (("zhang", "chang"), ("sun",)),
    "澹台": (("tan",), ("tai",)),
    "乐正": (("yue", "le"), ("zheng",)),
    "令狐": (("ling",), ("hu",)),
}

_NOT_KEY_CHARS_RE = re.compile(r"[^a-z0-9]")
_WHITESPACE_RE = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class _Slot:
    """One pypinyin item: a Chinese character, or a run of other characters."""

    is_han: bool
    readings: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class NameReadings:
    """Everything stored for a name, from one conversion: see `name_readings`."""

    pinyin: str
    initials: str
    search_keys: tuple[str, ...]


_NO_READINGS = NameReadings("", "", ())


def normalize_search_text(text: str) -> str:
    """NFKC, lowercase, single spaces: apply the same to queries and names."""
    folded = unicodedata.normalize("NFKC", text).lower()
    return _WHITESPACE_RE.sub(" ", folded).strip()


def _latin_key(text: str) -> str:
    """Lowercase a-z/0-9 only; accents are dropped (José -> jose)."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return _NOT_KEY_CHARS_RE.sub("", decomposed)


def _is_han(char: str) -> bool:
    return "\u4e00" <= char <= "\u9fff" or "\u3400" <= char <= "\u4dbf"


def _dedup(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))


def _surname_overrides(text: str) -> dict[int, tuple[str, ...]]:
    """Preferred readings for slot 0 (and 1 for compound surnames)."""
    compound = _COMPOUND_SURNAMES.get(text[:2])
    if compound is not None:
        return {0: compound[0], 1: compound[1]}
    single = _SURNAME_READINGS.get(text[:1])
    return {0: single} if single is not None else {}


# pypinyin passes text it has no reading for (Latin runs, punctuation, rare
# characters) to ``errors``; the marker tells those runs apart from pinyin.
_VERBATIM = "\x00"


def _mark_verbatim(chars: str) -> str:
    return _VERBATIM + chars


# The converter that pypinyin.pinyin() builds on each call, with the same (default) options.
_CONVERTER = UltimateConverter()


@functools.lru_cache(maxsize=16384)
def _segment_readings(segment: str) -> tuple[tuple[bool, tuple[str, ...]], ...]:
    """(is Chinese, readings as key text) per pypinyin item of one segment of a name.

    A segment is what pypinyin's own segmenter cuts a text into (a phrase, a character
    or a run of other characters), and the readings are what
    ``pinyin(segment, style=Style.NORMAL, heteronym=True)`` gives for it, most likely
    first: the first is also the phrase-aware ``lazy_pinyin`` reading, since both come
    from the same item list. Cached per segment because names share characters (a name
    itself rarely repeats); pypinyin's dictionaries are never changed at run time.
    """
    items = _CONVERTER.convert(segment, Style.NORMAL, True, _mark_verbatim, True)
    return tuple(
        (
            not readings[0].startswith(_VERBATIM),
            tuple(key for key in map(_latin_key, readings) if key),
        )
        for readings in items
    )


def _slots(text: str, *, is_company: bool) -> list[_Slot]:
    """Candidate readings per position: the surname table's, then pypinyin's."""
    overrides = {} if is_company or not _is_han(text[:1]) else _surname_overrides(text)
    items = [item for segment in seg(text) for item in _segment_readings(segment)]
    slots = []
    for index, (is_han, readings) in enumerate(items):
        preferred = overrides.get(index)
        if preferred is not None:
            readings = tuple(_dedup([*preferred, *readings]))
        if readings:
            slots.append(_Slot(is_han=is_han, readings=readings))
    return slots


def _best_combinations(slots: list[_Slot], limit: int) -> list[tuple[str, ...]]:
    """The ``limit`` reading combinations with the fewest, mildest deviations."""
    return [
        tuple([slot.readings[rank] for slot, rank in zip(slots, ranks, strict=True)])
        for ranks in _best_ranks(tuple(len(slot.readings) for slot in slots), limit)
    ]


@functools.lru_cache(maxsize=4096)
def _best_ranks(counts: tuple[int, ...], limit: int) -> tuple[tuple[int, ...], ...]:
    """Which reading of each slot, for the best ``limit`` combinations, most likely first.

    A plain ``itertools.product`` would spend the whole budget on the last
    characters' rare readings; ordering by the sum of reading ranks keeps the
    default first and then every single-character alternative. Only the number of
    readings per slot matters, and names share those shapes: cached.
    """
    if not counts:
        return ()
    start = (0,) * len(counts)
    heap = [(0, start)]
    seen = {start}
    found: list[tuple[int, ...]] = []
    while heap and len(found) < limit:
        cost, ranks = heapq.heappop(heap)
        found.append(ranks)
        for position, count in enumerate(counts):
            if ranks[position] + 1 < count:
                bumped = (*ranks[:position], ranks[position] + 1, *ranks[position + 1 :])
                if bumped not in seen:
                    seen.add(bumped)
                    heapq.heappush(heap, (cost + 1, bumped))
    return tuple(found)


def _initials(slots: list[_Slot], combination: tuple[str, ...]) -> str:
    """First letter of each syllable; non-Chinese runs are kept whole."""
    return "".join(
        reading[0] if slot.is_han else reading
        for slot, reading in zip(slots, combination, strict=True)
    )


def _suffixes(text: str) -> list[str]:
    """Every suffix of at least 2 characters, so prefix search finds substrings.

    Suffixes starting with punctuation or a space are skipped: nobody starts
    a query with ")" and they would only bloat the index.
    """
    suffixes = (text[start:] for start in range(len(text)))
    return [suffix for suffix in suffixes if len(suffix) >= 2 and suffix[0].isalnum()]


def name_readings(name: str, *, is_company: bool = False) -> NameReadings:
    """The usual full pinyin, its initials and every search key of a name, in one pass.

    What a write stores for a name; `name_pinyin`, `name_initials` and
    `name_search_keys` are its three parts.
    """
    return _text_readings(normalize_search_text(name), is_company)


@functools.lru_cache(maxsize=8192)
def _text_readings(text: str, is_company: bool) -> NameReadings:
    """Cached: a write asks for the pinyin, the initials and the keys of the same name."""
    if not text:
        return _NO_READINGS
    slots = _slots(text, is_company=is_company)
    combinations = _best_combinations(slots, MAX_READING_COMBINATIONS)
    keys = [text]
    if is_company:
        keys.extend(_suffixes(text))
    for combination in combinations:
        keys.append("".join(combination))
        keys.append(_initials(slots, combination))
    search_keys = tuple(_dedup([key[:MAX_KEY_LENGTH] for key in keys if key]))
    if not combinations:
        return NameReadings("", "", search_keys)
    usual = combinations[0]
    return NameReadings("".join(usual), _initials(slots, usual), search_keys)


def name_pinyin(name: str, *, is_company: bool = False) -> str:
    """Most likely full pinyin, lowercase, no tones or spaces: 曾国藩 -> zengguofan."""
    return name_readings(name, is_company=is_company).pinyin


def name_initials(name: str, *, is_company: bool = False) -> str:
    """Most likely initials: 张三 -> zs, 区志强 -> ozq."""
    return name_readings(name, is_company=is_company).initials


def name_search_keys(name: str, *, is_company: bool) -> list[str]:
    """All keys to index for a one-box prefix search, most specific first.

    Order: the normalised name, (companies) its suffixes, then pairs of full
    pinyin and initials for up to ``MAX_READING_COMBINATIONS`` readings.
    Keys are lowercase, deduplicated and cut to ``MAX_KEY_LENGTH`` characters
    (a cut key still matches every prefix a user can reasonably type).
    """
    return list(name_readings(name, is_company=is_company).search_keys)
