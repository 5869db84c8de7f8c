"""Copies (holdings, экземпляры / даналар) read from a record into the copies table, and written back.

IRBIS 910 (^A status, ^B inventory number, ^C receipt date, ^D location, ^E price, ^H barcode,
^V write-off act), MARC 21 852 + 876 ($a inventory, $p barcode, $c price, $d acquired, $j status,
$l / 852$b location), UNIMARC 995 ($f inventory number, as libcat's export writes it; $b/$c location)
and RUSMARC 899 ($a location, $p inventory number, $x barcode). The status table, the holdings tags
and the date reading are those of ``libcat.marc.crosswalk.holdings``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pymarc import Record

from ..marc.crosswalk.holdings import HOLDINGS_TAGS, IRBIS_STATUS, WRITE_OFF_WORDS, WRITTEN_OFF, ymd
from ..marc.fieldindex import FieldIndex, index
from ..marc.flavour import IRBIS, UNIMARC


def parse_date(text: str | None) -> dt.date | None:
    """A date written YYYYMMDD, YYYY-MM-DD or DD.MM.YYYY anywhere in ``text`` (``crosswalk.holdings.ymd``);
    None when there is none or it is not a day of the calendar.

    Lenient on purpose: it reads dates inside record data (910^C, 876$d...), where a bad date is skipped.
    Dates typed in command-line options go through the strict ``libcat.dates.parse_date``.
    """
    d = ymd(text)
    try:
        return dt.date(int(d[:4]), int(d[4:6]), int(d[6:])) if d else None
    except ValueError:
        return None


def _clip(value: str | None, size: int) -> str | None:
    value = (value or "").strip()
    return value[:size] or None


def _copy(**kw: Any) -> dict[str, Any]:
    row = {
        "inventory_number": _clip(kw.get("inventory_number"), 100), "barcode": _clip(kw.get("barcode"), 100),
        "location": _clip(kw.get("location"), 200), "receipt_date": kw.get("receipt_date"),
        "status": _clip(kw.get("status"), 20), "price": _clip(kw.get("price"), 50),
        "written_off_at": kw.get("written_off_at"), "write_off_act": _clip(kw.get("write_off_act"), 100),
    }
    return row


def _irbis_write_off_date(idx: FieldIndex) -> dt.date | None:
    for f in idx.get("907", ()):
        if (f.get("c") or "").strip().upper() in ("ВБ", "VB"):
            d = parse_date(f.get("a"))
            if d:
                return d
    return None


def _irbis(idx: FieldIndex) -> list[dict[str, Any]]:
    out = []
    for f in idx.get("910", ()):
        code = (f.get("a") or "").strip().upper()
        status = IRBIS_STATUS.get(code, code or None)
        off = None
        if status == WRITTEN_OFF:
            off = parse_date(f.get("v")) or _irbis_write_off_date(idx)
        out.append(_copy(
            inventory_number=f.get("b"), barcode=f.get("h"), location=f.get("d"),
            receipt_date=parse_date(f.get("c")), status=status, price=f.get("e"),
            written_off_at=off, write_off_act=f.get("v") if status == WRITTEN_OFF else None,
        ))
    return out


def _status(text: str | None, *notes: str | None) -> tuple[str | None, dt.date | None]:
    """An item status as MARC 21 876$j / UNIMARC 995$o write it, and a written-off copy's date.

    ``written-off 2023-11-20`` (as libcat's export writes it) gives the status and the date; a
    write-off word without a date takes the date from ``notes`` (876$x, $z).
    """
    status = (text or "").strip() or None
    if status and WRITE_OFF_WORDS.search(status):
        return WRITTEN_OFF, parse_date(status) or next((d for d in map(parse_date, notes) if d), None)
    return status, None


def _marc21(idx: FieldIndex) -> list[dict[str, Any]]:
    out = []
    locations = {}
    first_location = None
    for f in idx.get("852", ()):
        loc = " ".join(v for v in (f.get("a"), f.get("b"), f.get("c")) if v) or None
        first_location = first_location or loc
        if f.get("8"):
            locations[f.get("8").split(".")[0]] = loc
    items = idx.get("876", ())
    for f in items:
        status, off = _status(f.get("j"), f.get("x"), f.get("z"))
        link = (f.get("8") or "").split(".")[0]
        out.append(_copy(
            inventory_number=f.get("a"), barcode=f.get("p"), price=f.get("c"),
            receipt_date=parse_date(f.get("d")), status=status, written_off_at=off,
            location=f.get("l") or (locations.get(link) if link else first_location),
        ))
    if not items:
        for f in idx.get("852", ()):
            out.append(_copy(
                barcode=f.get("p"), inventory_number=f.get("p"),
                location=" ".join(v for v in (f.get("a"), f.get("b"), f.get("c")) if v),
            ))
    return out


def _unimarc(idx: FieldIndex) -> list[dict[str, Any]]:
    out = []
    for f in idx.get("995", ()):
        status, off = _status(f.get("o"))
        out.append(_copy(
            inventory_number=f.get("f"), location=f.get("c") or f.get("b"),
            receipt_date=parse_date(f.get("5")), status=status, price=f.get("p"), written_off_at=off,
        ))
    for f in idx.get("899", ()):
        out.append(_copy(
            inventory_number=f.get("p") or f.get("x"), barcode=f.get("x"),
            location=" ".join(v for v in (f.get("a"), f.get("b")) if v),
        ))
    return out


def extract(record: Record, flavour: str, idx: FieldIndex | None = None) -> list[dict[str, Any]]:
    """The copies a record carries, as dictionaries of Copy columns (without record_id);
    ``idx`` is the record's field index when the caller has one."""
    idx = index(record) if idx is None else idx
    if flavour == IRBIS:
        return _irbis(idx)
    if flavour == UNIMARC:
        return _unimarc(idx)
    return _marc21(idx)


def has_print_copy(record: Record, flavour: str) -> bool:
    """True when the record lists at least one holdings field (a copy on a shelf)."""
    return any(record.get_fields(tag) for tag in HOLDINGS_TAGS.get(flavour, ()))


def inventory_numbers(record: Record, flavour: str) -> set[str]:
    """Inventory numbers (and barcodes) already written in the record's holdings fields."""
    return {c[k] for c in extract(record, flavour) for k in ("inventory_number", "barcode") if c.get(k)}
