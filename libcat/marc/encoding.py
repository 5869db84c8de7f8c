"""Detect and decode the character sets catalogue files come in.

UTF-8 (with or without BOM), Windows-1251, KZ-1048 (the Kazakh Windows code page), cp866 (DOS),
KOI8-R and MARC-8 (through pymarc's MARC-8 tables). UNIMARC / RUSMARC records declare theirs in
100$a/26-29; MARC 21 records in leader/09 (blank = MARC-8, ``a`` = UCS).
"""

from __future__ import annotations

import contextlib
import io
import math
import string
import unicodedata
from collections import Counter
from fractions import Fraction
from operator import mul

from pymarc import marc8_mapping
from pymarc.marc8 import MARC8ToUnicode

from .. import i18n

UTF8 = "utf-8"
MARC8 = "marc-8"
CP1251 = "cp1251"
KZ1048 = "kz1048"
CP866 = "cp866"
KOI8 = "koi8_r"
#: Single-byte Cyrillic code pages the guesser chooses between.
CYRILLIC = (CP1251, KZ1048, CP866, KOI8)

#: UNIMARC 100$a/26-29 character-set codes that name one code page (RUSMARC additions 79, 89, 99).
UNIMARC_CHARSETS = {"50": UTF8, "79": CP866, "89": CP1251, "99": KOI8}
#: The 100$a/26-29 value each output encoding is declared with.
UNIMARC_CODES = {UTF8: "50  ", CP866: "0179", CP1251: "0189", KOI8: "0199"}

_ALIASES = {
    "utf8": UTF8, "utf-8": UTF8, "utf_8": UTF8, "utf-8-sig": "utf-8-sig", "utf8-sig": "utf-8-sig",
    "marc8": MARC8, "marc-8": MARC8, "marc_8": MARC8, "ansel": MARC8,
    "cp1251": CP1251, "windows-1251": CP1251, "win1251": CP1251, "win-1251": CP1251, "1251": CP1251,
    "ansi": CP1251,
    "kz1048": KZ1048, "kz-1048": KZ1048, "kz_1048": KZ1048, "rk1048": KZ1048, "strk1048": KZ1048,
    "cp866": CP866, "866": CP866, "dos": CP866, "oem": CP866, "ibm866": CP866,
    "koi8": KOI8, "koi8-r": KOI8, "koi8_r": KOI8, "koi-8": KOI8, "koi8r": KOI8,
}

# Frequent Russian letters weigh more: the guesser scores each candidate decoding by them.
_COMMON = "оеаинтсрвлкмдпуяыьгзбчйхжшюцщэфъё"
_WEIGHT = {c: 3.0 - 2.0 * i / len(_COMMON) for i, c in enumerate(_COMMON)}
_KAZAKH = set("әғқңөұүһіӘҒҚҢӨҰҮҺІ")
_RARE = set("ЂЃѓЉЊЌЋЏђљњќћџЎўЈҐЄЇЅѕјґєї")


def _supplement_marc8() -> None:
    """Fill gaps in pymarc's MARC-8 tables: space in every set, and the 7-bit (G0) positions of sets
    pymarc only lists in their 8-bit (G1) range, such as Extended Cyrillic (``ESC ( Q``: љ, њ, ј)."""
    for table in marc8_mapping.CODESETS.values():
        table.setdefault(0x20, (0x20, False))
        if table and min(k for k in table if k != 0x20) >= 0xA0:
            for k, v in list(table.items()):
                if k >= 0xA0:
                    table.setdefault(k - 0x80, v)


_supplement_marc8()


i18n.register({
    "encoding.unknown": {
        "en": "unknown encoding {name!r}",
        "ru": "неизвестная кодировка {name!r}",
        "kk": "белгісіз кодтау {name!r}",
    },
})


class EncodingError(ValueError):
    """An encoding name libcat does not know."""


def normalize_name(name: str, lang: str | None = None) -> str:
    """The canonical codec name for a user-given encoding (``win1251`` -> ``cp1251``, ``marc8`` -> ``marc-8``);
    EncodingError in ``lang`` (default: LIBCAT_LANG) for a name no codec answers to."""
    key = name.strip().lower()
    if key in _ALIASES:
        return _ALIASES[key]
    import codecs

    try:
        return codecs.lookup(key).name
    except LookupError:
        raise EncodingError(i18n.t("encoding.unknown", lang, name=name)) from None


def is_utf8(data: bytes) -> bool:
    """True when ``data`` is valid UTF-8 (pure ASCII included)."""
    return utf8_text(data) is not None


def utf8_text(data: bytes) -> str | None:
    """``data`` decoded as UTF-8, or None when it is not valid UTF-8: the check and the text from one pass."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def unimarc_charset(f100a: str) -> str | None:
    """The code page named by UNIMARC 100$a/26-29 (G1 set first, then G0); None when not one we map."""
    if len(f100a) < 28:
        return None
    for code in (f100a[28:30], f100a[26:28]):
        if code in UNIMARC_CHARSETS:
            return UNIMARC_CHARSETS[code]
    return None


def _char_score(ch: str) -> float:
    """What one character of a candidate decoding adds to its score: frequent Russian letters most, Kazakh
    letters some, rare Cyrillic letters and non-letters take away; ASCII and other letters nothing."""
    if ch < "\x80":
        return 0.0
    low = ch.lower()
    w = _WEIGHT.get(low)
    if w is not None:
        return w if ch == low else w * 0.6
    if ch in _KAZAKH:
        return 1.5
    if ch in _RARE:
        return -1.0
    if "а" <= low <= "я":
        return 0.3
    if unicodedata.category(ch)[0] != "L":
        return -2.0
    return 0.0


#: Per code page, what each byte adds to the score (the code pages read one byte as one character).
_VALUES = tuple(tuple(_char_score(bytes([b]).decode(e, errors="replace")) for b in range(256)) for e in CYRILLIC)
#: The values are all near whole multiples of 1/330 (the weights are (99 - 2i)/33, capitals (99 - 2i)/55, the
#: rest halves): ``_UNITS`` holds them in those units, so a code page's score is a small integer sum.
_PER_UNIT = math.lcm(*(Fraction(v).limit_denominator(1000).denominator for row in _VALUES for v in row))
_UNITS = tuple([round(v * _PER_UNIT) for v in row] for row in _VALUES)
#: Bytes that add nothing in every code page (ASCII among them): left out before counting.
_NEUTRAL = bytes(b for b in range(256) if not any(row[b] for row in _VALUES))
#: Bytes KZ-1048 uses for Kazakh letters and cp1251 for rare ones: cp1251 is only questioned when one occurs.
_KZ_MARKS = b"\x8d\x9d\xa3\xbc\xbe\xbf\xaf"
_KZ_BYTES = bytes(b for b in range(256) if bytes([b]).decode(KZ1048, errors="replace") in _KAZAKH)
_RARE_BYTES = bytes(b for b in range(256) if bytes([b]).decode(CP1251, errors="replace") in _RARE)


def _count(data: bytes, members: bytes) -> int:
    """How many bytes of ``data`` are among ``members``."""
    return len(data) - len(data.translate(None, members))


def _best_in_order(scored: bytes) -> str:
    """The code page whose score, summed in floating point byte by byte, is highest (the first on a tie)."""
    best, best_score = CP1251, float("-inf")
    for enc, values in zip(CYRILLIC, _VALUES):
        s = 0.0
        for b in scored:
            s += values[b]
        if s > best_score:
            best, best_score = enc, s
    return best


def _best(scored: bytes) -> str:
    """``_best_in_order`` from a count of each byte: the float sum of at most 65,536 values strays from the sum in
    units by less than a quarter unit (``tests/test_encoding_guess_speed.py`` checks it), so the code page with
    the most units has the highest float sum. A later one with as many units and the same values on these bytes
    has the same float sum and loses the tie; with other values, the float sums decide."""
    tally = Counter(scored)
    counts = list(tally.values())
    sums = [sum(map(mul, counts, map(units.__getitem__, tally))) for units in _UNITS]
    first = sums.index(max(sums))
    values = list(map(_VALUES[first].__getitem__, tally))
    for page, s in enumerate(sums):
        if page > first and s == sums[first] and list(map(_VALUES[page].__getitem__, tally)) != values:
            return _best_in_order(scored)
    return CYRILLIC[first]


def guess_cyrillic(data: bytes) -> str:
    """The most likely single-byte Cyrillic code page of 8-bit ``data`` (cp1251, KZ-1048, cp866 or KOI8-R).

    Each reading of the first 64 KiB is scored by its letters (``_char_score``); cp1251 gives way to KZ-1048
    when bytes only KZ-1048 uses occur and its Kazakh letters outnumber half cp1251's rare letters.
    """
    if data.isascii():
        return CP1251
    sample = data if len(data) < 65536 else data[:65536]
    best = _best(sample.translate(None, _NEUTRAL))
    if best == CP1251 and _count(data, _KZ_MARKS):
        if _count(sample, _KZ_BYTES) > _count(sample, _RARE_BYTES) // 2:
            best = KZ1048
    return best


#: ``bytes.translate`` tables for ``looks_marc8``: H for a byte 0x80-0xFF, L for the others; D for an ANSEL
#: combining diacritic (0xE0-0xFE), A for an ASCII letter, "." for any other byte.
_HIGH_LOW = b"L" * 128 + b"H" * 128
_DIACRITIC_LETTER = bytes(
    ord("D") if 0xE0 <= b <= 0xFE else ord("A") if chr(b) in string.ascii_letters else ord(".") for b in range(256)
)


def looks_marc8(data: bytes) -> bool:
    """True when 8-bit ``data`` reads as MARC-8: escape sequences, or more ANSEL diacritics before ASCII letters
    than pairs of adjacent 8-bit bytes (which Cyrillic text is full of)."""
    if b"\x1b" in data:
        return True
    before_letter = data.translate(_DIACRITIC_LETTER).count(b"DA")
    classes = data.translate(_HIGH_LOW)
    high_runs = classes.count(b"LH") + classes.startswith(b"H")
    adjacent_high = classes.count(b"H") - high_runs
    return before_letter > adjacent_high


def guess(data: bytes, marc8_possible: bool = False) -> str:
    """Best guess for the encoding of ``data``: UTF-8 when valid, else MARC-8 (if possible) or a Cyrillic code page."""
    if data.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    if is_utf8(data):
        return UTF8
    if marc8_possible and looks_marc8(data):
        return MARC8
    return guess_cyrillic(data)


def decode_marc8(data: bytes) -> tuple[str, list[str]]:
    """MARC-8 bytes as text (NFC, as pymarc does), with pymarc's complaints about unmapped bytes as warnings."""
    err = io.StringIO()
    problems: list[str] = []
    with contextlib.redirect_stderr(err):
        try:
            text = MARC8ToUnicode().translate(data)
        except (TypeError, ValueError, IndexError, KeyError):
            problems.append("broken MARC-8 escape sequence removed")
            cut = data.rfind(b"\x1b")
            data = data[:cut] if cut >= len(data) - 3 else data.replace(b"\x1b", b"")
            try:
                text = MARC8ToUnicode().translate(data)
            except (TypeError, ValueError, IndexError, KeyError):
                text = data.decode("latin-1")
                problems.append("MARC-8 could not be decoded; bytes kept as Latin-1")
    problems.extend(line for line in err.getvalue().splitlines() if line.strip())
    return text, problems


def decode(data: bytes, encoding: str) -> tuple[str, list[str]]:
    """``data`` decoded with ``encoding``; undecodable bytes become U+FFFD and are reported."""
    if encoding == MARC8:
        return decode_marc8(data)
    try:
        return data.decode(encoding), []
    except UnicodeDecodeError as exc:
        return data.decode(encoding, errors="replace"), [f"invalid {encoding} at byte {exc.start}: replaced"]


def detect_text(head: bytes) -> str:
    """Encoding of a text file (IRBIS plain text, .mrk) from its first bytes."""
    if head.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    try:
        head.decode("utf-8")
        return UTF8
    except UnicodeDecodeError as exc:
        # a multi-byte character cut at the end of the sample is still UTF-8
        if exc.start >= len(head) - 3 and exc.reason.startswith("unexpected end"):
            return UTF8
    return guess_cyrillic(head)
