"""The few facts the catalogue keeps in columns: title, first author, year, ISBNs, language,
entry date and control number, read from a record of any flavour."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from pymarc import Record
from stdnum import isbn as stdisbn

from .flavour import IRBIS, IRBIS_VALUE_CODE, MARC21, UNIMARC, detect

_YEAR = re.compile(r"(1[0-9]{3}|20[0-9]{2})")
_TRAIL = re.compile(r"[\s/:;,.=]+$")


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


def _first(record: Record, tag: str, code: str) -> str | None:
    for f in record.get_fields(tag):
        if f.is_control_field():
            return f.data or None
        v = f.get(code)
        if v and v.strip():
            return v.strip()
    return None


def _year(text: str | None) -> int | None:
    if not text:
        return None
    m = _YEAR.search(text)
    return int(m.group(1)) if m else None


def _clean(text: str | None) -> str | None:
    if text is None:
        return None
    text = _TRAIL.sub("", text.strip())
    return text or None


def _ymd(text: str | None) -> dt.date | None:
    if not text or len(text) < 8 or not text[:8].isdigit():
        return None
    try:
        return dt.date(int(text[0:4]), int(text[4:6]), int(text[6:8]))
    except ValueError:
        return None


def normalize_isbn(raw: str) -> str | None:
    """ISBN-13 digits of a valid ISBN-10 or ISBN-13 found in ``raw``; None when there is none."""
    m = re.search(r"[0-9][0-9\- ]{8,16}[0-9Xx]", raw or "")
    if not m:
        return None
    compact = stdisbn.compact(m.group(0))
    try:
        return stdisbn.to_isbn13(stdisbn.validate(compact))
    except Exception:
        return None


def _isbns(values: list[str]) -> list[str]:
    out: list[str] = []
    for v in values:
        n = normalize_isbn(v)
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


def _marc21_entry(f008: str | None) -> dt.date | None:
    if not f008 or len(f008) < 6 or not f008[:6].isdigit():
        return None
    yy, mm, dd = int(f008[0:2]), int(f008[2:4]), int(f008[4:6])
    pivot = dt.date.today().year % 100
    year = 2000 + yy if yy <= pivot else 1900 + yy
    try:
        return dt.date(year, mm, dd)
    except ValueError:
        return None


def summarize(record: Record, flavour: str | None = None) -> Summary:
    """Extract the catalogue columns of ``record``; missing facts stay None."""
    flavour = flavour or detect(record)
    s = Summary(flavour=flavour)
    if flavour == IRBIS:
        s.control_number = _first(record, "903", IRBIS_VALUE_CODE) or _first(record, "903", "a")
        title = _first(record, "200", "a")
        s.title = _clean(title)
        s.author = _person(record.get("700")) or _clean(_first(record, "710", "a"))
        s.year = _year(_first(record, "210", "d")) or _year(_first(record, "463", "j"))
        s.isbns = _isbns([f.get("a") or f.get(IRBIS_VALUE_CODE) or "" for f in record.get_fields("010")])
        lang = _first(record, "101", IRBIS_VALUE_CODE) or _first(record, "101", "a")
        s.language = lang.strip().lower()[:3] if lang else None
        for f in record.get_fields("907"):
            d = _ymd(f.get("a"))
            if d:
                s.entry_date = d
                break
    elif flavour == UNIMARC:
        s.control_number = _first(record, "001", "")
        s.title = _clean(_first(record, "200", "a"))
        s.author = _person(record.get("700")) or _clean(_first(record, "710", "a"))
        f100 = _first(record, "100", "a") or ""
        s.year = _year(_first(record, "210", "d")) or _year(_first(record, "214", "d")) or _year(f100[9:13])
        s.isbns = _isbns([f.get("a") or "" for f in record.get_fields("010")])
        lang = _first(record, "101", "a")
        s.language = lang.strip().lower()[:3] if lang else None
        s.entry_date = _ymd(f100[:8])
    else:
        s.control_number = _first(record, "001", "")
        t = record.get("245")
        if t is not None:
            s.title = _clean(" ".join(v for v in [t.get("a"), t.get("b")] if v) or None)
        a = record.get("100") or record.get("110") or record.get("111")
        s.author = _clean(a.get("a")) if a is not None else None
        f008 = _first(record, "008", "")
        s.year = _year(f008[7:11] if f008 and len(f008) >= 11 else None) or _year(
            _first(record, "264", "c") or _first(record, "260", "c")
        )
        s.isbns = _isbns([f.get("a") or "" for f in record.get_fields("020")])
        lang = f008[35:38].strip() if f008 and len(f008) >= 38 else ""
        if not lang or lang in ("|||", "###", "   ") or not lang.isalpha():
            lang = (_first(record, "041", "a") or "")[:3]
        s.language = lang.lower() or None
        s.entry_date = _marc21_entry(f008)
    if s.control_number:
        s.control_number = s.control_number.strip() or None
    return s
