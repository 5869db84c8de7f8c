"""The few facts the catalogue keeps in columns: title, first author, year, ISBNs, language,
entry date, control number and the fund marks the reports count (Kazakhstan content, local lore),
read from a record of any flavour."""

from __future__ import annotations

import datetime as dt
import re
import time
from dataclasses import dataclass, field

from pymarc import Record

from . import isbn
from .crosswalk.common import has_local_lore_mark
from .fieldindex import FieldIndex, index
from .flavour import IRBIS, IRBIS_VALUE_CODE, MARC21, UNIMARC, detect
from .iso2709 import Memo

_YEAR = re.compile(r"(1[0-9]{3}|20[0-9]{2})")
#: Punctuation and spaces cut from the end of a title or name (with any other whitespace).
_TRAIL = "/:;,.= \t\n\r"
#: Words of a geographic heading that mark Kazakhstan content.
KZ_WORDS = re.compile(r"казахстан|қазақстан|kazakh?stan|qazaqstan|kazakstan", re.IGNORECASE)


@dataclass
class Summary:
    """Extracted, display-ready facts of one record."""

    flavour: str
    control_number: str | None = None
    title: str | None = None
    author: str | None = None
    year: int | None = None
    isbns: list[str] = field(default_factory=list)
    language: str | None = None
    entry_date: dt.date | None = None
    #: Where the record says it is about Kazakhstan ("102", "008/15-17", "651", ...), or None.
    kazakhstan: str | None = None
    #: True when the record carries the local-lore mark (629; in MARC 21, 886 $2 rusmarc $a 629).
    local_lore: bool = False


def _first(by_tag: dict[str, list], tag: str, code: str) -> str | None:
    for f in by_tag.get(tag, ()):
        if f.control_field:
            return f.data or None
        v = f.get(code)
        if v and v.strip():
            return v.strip()
    return None


def _one(by_tag: dict[str, list], tag: str):
    got = by_tag.get(tag)
    return got[0] if got else None


def _year(text: str | None) -> int | None:
    """The first year (1000-2099) written in ``text``, or None."""
    if not text:
        return None
    if len(text) == 4 and text.isascii() and text.isdigit():  # 008/07-10 as written: no regex needed
        year = int(text)
        return year if 1000 <= year <= 2099 else None
    m = _YEAR.search(text)
    return int(m.group(1)) if m else None


#: ``_year`` of the 008/07-10 seen so far (a few hundred years): a look-up costs 3,000 instructions less.
_YEARS_008: Memo = Memo(_year, 10000)


def _lang_008(code: str) -> str | None:
    """The language column of 008/35-37 ``code``; None when it names none (the summary reads 041 $a then)."""
    code = code.strip()
    if not code or code in ("|||", "###", "   ") or not code.isalpha():
        return None
    return code.lower()


#: ``_lang_008`` of the codes seen so far.
_LANGS_008: Memo = Memo(_lang_008, 1000)


def _clean(text: str | None) -> str | None:
    """``text`` stripped of whitespace and of trailing ISBD punctuation (" /", " :", "."); None when empty."""
    if text is None:
        return None
    text = text.strip().rstrip(_TRAIL)
    while text[-1:].isspace():  # a space _TRAIL lacks (no-break space...): cut on
        text = text.rstrip().rstrip(_TRAIL)
    return text or None


def _ymd(text: str | None) -> dt.date | None:
    if not text or len(text) < 8:
        return None
    head = text[:8]
    if not head.isdigit():
        return None
    try:  # one int() for the three; digits int() cannot read (superscripts) give None
        ymd = int(head)
        return dt.date(ymd // 10000, ymd // 100 % 100, ymd % 100)
    except ValueError:
        return None


def _isbns(values: list[str]) -> list[str]:
    out: list[str] = []
    for v in values:
        n = isbn.normalize(v)
        if n and n not in out:
            out.append(n)
    return out


def _person(f) -> str | None:
    if f is None:
        return None
    name = (f.get("a") or "").strip()
    rest = (f.get("b") or f.get("g") or "").strip()
    if not name:
        return None
    return f"{name}, {rest}" if rest else name


def _values(by_tag: dict[str, list], tag: str, *codes: str) -> list[str]:
    """Every value of ``tag`` (control data, or the subfields ``codes``; all subfields when none given)."""
    out: list[str] = []
    for f in by_tag.get(tag, ()):
        if f.control_field:
            out.append(f.data or "")
        else:
            out += [sf.value for sf in f.subfields if not codes or sf.code in codes]
    return out


def _first_value(by_tag: dict[str, list], tag: str) -> str:
    """The first of ``_values(by_tag, tag)``, or "" when there is none, without listing the rest."""
    for f in by_tag.get(tag, ()):
        if f.is_control_field():
            return f.data or ""
        if f.subfields:
            return f.subfields[0].value
    return ""


def kazakhstan_field(by_tag: dict[str, list], flavour: str) -> str | None:
    """The field that marks Kazakhstan content (country KZ or a Kazakhstan geographic heading), or None."""
    if flavour == MARC21:
        return _marc21_kazakhstan(by_tag, _first_value(by_tag, "008"))
    code = (IRBIS_VALUE_CODE, "a") if flavour == IRBIS else ("a",)
    if any(v.strip().upper() == "KZ" for v in _values(by_tag, "102", *code)):
        return "102"
    return _geographic([("607", _values(by_tag, "607")), ("620", _values(by_tag, "620")),
                        ("606", _values(by_tag, "606", "g", "e", "o", "y"))])


def _marc21_kazakhstan(by_tag: dict[str, list], f008: str) -> str | None:
    """``kazakhstan_field`` of a MARC 21 record whose 008 reads ``f008`` (as ``_first_value`` gives it)."""
    if f008[15:17] == "kz":
        return "008/15-17"
    if "044" in by_tag and any(v.strip().lower().startswith("kz") for v in _values(by_tag, "044", "a")):
        return "044"
    if "043" in by_tag and any(v.strip().lower().startswith("a-kz") for v in _values(by_tag, "043", "a")):
        return "043"
    return _geographic([("651", _values(by_tag, "651")), ("650", _values(by_tag, "650", "z"))])


def _geographic(geo: list[tuple[str, list[str]]]) -> str | None:
    """The first tag of ``geo`` with a value naming Kazakhstan, or None."""
    for tag, values in geo:
        if values and _names_kazakhstan(values):
            return tag
    return None


def _names_kazakhstan(values: list[str]) -> bool:
    """True when a value names Kazakhstan (``KZ_WORDS``) or is the code KZ; ``any`` of the two per value, as one
    search of the values' lines (no word runs across a line break) and, for the code, only when there is a
    "z" or "Z" (the only letters upper-cased to Z). Corpus summaries, with the 008 look-ups: 86k -> 76k
    instructions a record."""
    text = "\n".join(values)
    if KZ_WORDS.search(text):
        return True
    return ("z" in text or "Z" in text) and any(v.strip().upper() == "KZ" for v in values)


#: (UTC minute, this year's last two digits then): see ``_pivot``.
_PIVOT: tuple[float, int] = (-1.0, 0)


def _pivot() -> int:
    """This year's last two digits (008/00-05 years up to it are 20xx), looked up again whenever the UTC
    minute changes, either way: the local date cannot change within one (time zones and clock changes fall
    on whole minutes), so a clock set back is followed at once."""
    global _PIVOT
    minute = time.time() // 60
    if minute != _PIVOT[0]:
        _PIVOT = (minute, dt.date.today().year % 100)
    return _PIVOT[1]


def _entry_dates(head: str) -> tuple[int, dt.date | None, dt.date | None] | None:
    """008/00-05 ``head`` as (its two-digit year, its date in the 2000s, its date in the 1900s); None unless
    all digits. One int() for the three; digits int() cannot read (superscripts) give no dates."""
    if not head.isdigit():
        return None
    try:
        yymmdd = int(head)
    except ValueError:
        return None
    yy, mm, dd = yymmdd // 10000, yymmdd // 100 % 100, yymmdd % 100
    return yy, _date(2000 + yy, mm, dd), _date(1900 + yy, mm, dd)


def _date(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


#: ``_entry_dates`` of the 008/00-05 seen so far: a catalogue's records share a few thousand entry dates, and
#: a look-up here costs 3,000 instructions less than an int() and a date (dates are immutable: rows share them).
_ENTRY_DATES: Memo = Memo(_entry_dates, 10000)


def _marc21_entry(f008: str | None) -> dt.date | None:
    if not f008 or len(f008) < 6:
        return None
    dates = _ENTRY_DATES[f008[:6]]
    if dates is None:
        return None
    return dates[1] if dates[0] <= _pivot() else dates[2]


def summarize(record: Record, flavour: str | None = None, idx: FieldIndex | None = None) -> Summary:
    """Extract the catalogue columns of ``record``; missing facts stay None (``idx``: its field index, if made)."""
    idx = index(record) if idx is None else idx
    flavour = flavour or detect(record, idx)
    if flavour != IRBIS and flavour != UNIMARC:
        return _marc21_summary(idx, flavour)
    s = Summary(flavour=flavour)
    if flavour == IRBIS:
        s.control_number = _first(idx, "903", IRBIS_VALUE_CODE) or _first(idx, "903", "a")
        title = _first(idx, "200", "a")
        s.title = _clean(title)
        s.author = _person(_one(idx, "700")) or _clean(_first(idx, "710", "a"))
        s.year = _year(_first(idx, "210", "d")) or _year(_first(idx, "463", "j"))
        s.isbns = _isbns([f.get("a") or f.get(IRBIS_VALUE_CODE) or "" for f in idx.get("010", ())])
        lang = _first(idx, "101", IRBIS_VALUE_CODE) or _first(idx, "101", "a")
        s.language = lang.strip().lower()[:3] if lang else None
        for f in idx.get("907", ()):
            d = _ymd(f.get("a"))
            if d:
                s.entry_date = d
                break
    else:
        s.control_number = _first(idx, "001", "")
        s.title = _clean(_first(idx, "200", "a"))
        s.author = _person(_one(idx, "700")) or _clean(_first(idx, "710", "a"))
        f100 = _first(idx, "100", "a") or ""
        s.year = _year(_first(idx, "210", "d")) or _year(_first(idx, "214", "d")) or _year(f100[9:13])
        s.isbns = _isbns([f.get("a") or "" for f in idx.get("010", ())])
        lang = _first(idx, "101", "a")
        s.language = lang.strip().lower()[:3] if lang else None
        s.entry_date = _ymd(f100[:8])
    if s.control_number:
        s.control_number = s.control_number.strip() or None
    s.kazakhstan = kazakhstan_field(idx, flavour)
    s.local_lore = has_local_lore_mark(idx, flavour)
    return s


def _marc21_summary(idx: FieldIndex, flavour: str) -> Summary:
    """``summarize`` by the MARC 21 fields (the rules for any flavour but IRBIS and UNIMARC), 008 read once."""
    control_number = _first(idx, "001", "")
    if control_number:
        control_number = control_number.strip() or None
    title = None
    got = idx.get("245")
    if got:
        a, b = got[0].get("a"), got[0].get("b")
        title = _clean(f"{a} {b}" if a and b else a or b or None)
    got = idx.get("100") or idx.get("110") or idx.get("111")
    author = _clean(got[0].get("a")) if got else None
    f008 = _first(idx, "008", "")
    year = (_YEARS_008[f008[7:11]] if f008 and len(f008) >= 11 else None) or _year(
        _first(idx, "264", "c") or _first(idx, "260", "c")
    )
    got = idx.get("020")
    isbns = _isbns([f.get("a") or "" for f in got]) if got else []
    lang = _LANGS_008[f008[35:38]] if f008 and len(f008) >= 38 else None
    if lang is None:
        lang = (_first(idx, "041", "a") or "")[:3].lower() or None
    if flavour == MARC21:
        got = idx.get("008")  # a first 008 of control data reads as _first_value reads it
        kazakhstan = _marc21_kazakhstan(idx, (f008 or "") if not got or got[0].control_field
                                        else _first_value(idx, "008"))
    else:
        kazakhstan = kazakhstan_field(idx, flavour)
    # Positional, in the order of Summary's fields: nine keywords cost as much again as the whole call.
    return Summary(flavour, control_number, title, author, year, isbns, lang,
                   _marc21_entry(f008), kazakhstan, has_local_lore_mark(idx, flavour))
