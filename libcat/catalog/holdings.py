"""Copies (holdings, экземпляры / даналар) read from a record into the copies table, and written back.

IRBIS 910 (^A status, ^B inventory number, ^C receipt date, ^D location, ^E price, ^H barcode,
^V write-off act), MARC 21 852 + 876 ($a inventory, $p barcode, $c price, $d acquired, $j status,
$l / 852$b location), UNIMARC 995 (Koha-style: $f barcode, $b/$c location, $k call number) and
RUSMARC 899 ($a location, $p inventory number, $x barcode).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from pymarc import Field, Indicators, Record, Subfield

from ..marc.fieldindex import FieldIndex, index
from ..marc.flavour import IRBIS, MARC21, UNIMARC

#: Holdings fields per flavour: they are copies, not description.
HOLDINGS_TAGS = {IRBIS: ("910",), MARC21: ("852", "876"), UNIMARC: ("995", "899")}
#: Status a written-off copy gets in the copies table (IRBIS 910^A 6).
WRITTEN_OFF = "written-off"
IRBIS_STATUS = {
    "0": "available", "1": "on-loan", "2": "waiting", "3": "bindery", "4": "lost", "5": "unavailable",
    "6": WRITTEN_OFF, "8": "in-transit", "9": "reserved", "C": "biblionet", "P": "bound",
    "R": "reproduction", "U": "group",
}
_IRBIS_CODE = {v: k for k, v in IRBIS_STATUS.items()}
_WRITE_OFF_WORDS = re.compile(r"withdrawn|written.?off|discard|списан|есептен", re.I)
_DMY = re.compile(r"\b(\d{1,2})[./](\d{1,2})[./](\d{4})\b")
_YMD = re.compile(r"\b(\d{4})-?(\d{2})-?(\d{2})\b")


def parse_date(text: str | None) -> dt.date | None:
    """A date written YYYYMMDD, YYYY-MM-DD or DD.MM.YYYY anywhere in ``text``; None otherwise.

    Lenient on purpose: it reads dates inside record data (910^C, 876$d...), where a bad date is skipped.
    Dates typed in command-line options go through the strict ``libcat.dates.parse_date``.
    """
    if not text:
        return None
    for rx, order in ((_YMD, (0, 1, 2)), (_DMY, (2, 1, 0))):
        m = rx.search(text)
        if m:
            parts = [int(m.group(i + 1)) for i in order]
            try:
                return dt.date(*parts)
            except ValueError:
                continue
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
    if status and _WRITE_OFF_WORDS.search(status):
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
            inventory_number=f.get("f"), barcode=f.get("f"), location=f.get("c") or f.get("b"),
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


def _ymd(d: dt.date | None) -> str | None:
    return d.strftime("%Y%m%d") if d else None


def to_field(copy: Any, flavour: str) -> Field:
    """A holdings field for one copy row in ``flavour``: IRBIS 910, MARC 21 876, UNIMARC 899."""
    def subs(pairs: list[tuple[str, str | None]]) -> list[Subfield]:
        return [Subfield(c, v) for c, v in pairs if v]

    if flavour == IRBIS:
        return Field("910", Indicators(" ", " "), subs([
            ("a", _IRBIS_CODE.get(copy.status or "", copy.status)), ("b", copy.inventory_number),
            ("c", _ymd(copy.receipt_date)), ("d", copy.location), ("e", copy.price), ("h", copy.barcode),
            ("v", copy.write_off_act or (_ymd(copy.written_off_at) if copy.written_off_at else None)),
        ]))
    if flavour == UNIMARC:
        return Field("899", Indicators(" ", " "), subs([
            ("a", copy.location), ("p", copy.inventory_number), ("x", copy.barcode),
        ]))
    status = copy.status
    if status == WRITTEN_OFF and copy.written_off_at:
        status = f"{WRITTEN_OFF} {copy.written_off_at.isoformat()}"
    return Field("876", Indicators(" ", " "), subs([
        ("a", copy.inventory_number), ("c", copy.price), ("d", _ymd(copy.receipt_date)), ("j", status),
        ("l", copy.location), ("p", copy.barcode),
    ]))


def inventory_numbers(record: Record, flavour: str) -> set[str]:
    """Inventory numbers (and barcodes) already written in the record's holdings fields."""
    return {c[k] for c in extract(record, flavour) for k in ("inventory_number", "barcode") if c.get(k)}
