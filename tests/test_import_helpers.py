"""Builders shared by the import, dedupe and export tests (no tests here)."""

from __future__ import annotations

import io
from pathlib import Path

from pymarc import Field, Indicators, Leader, Record, Subfield
from sqlalchemy import func, select

from libcat.catalog.models import CatalogRecord
from libcat.marc.flavour import IRBIS, MARC21, set_flavour
from libcat.marc.items import ReadItem


def marc(cn: str | None, title: str, author: str = "Абай", year: int = 2010, isbn: str | None = None,
         leader7: str = "m", copies: list[tuple[str, str]] = (), entered: str = "190102") -> Record:
    """A MARC 21 record with 001, 008 (entry date and year), 020, 100, 245 and 852/876 copies."""
    r = Record(force_utf8=True)
    r.leader = Leader(f"00000na{leader7} a2200000 a 4500")
    if cn:
        r.add_field(Field("001", data=cn))
    r.add_field(Field("008", data=f"{entered}s{year}    kz            000 0 kaz d"))
    if isbn:
        r.add_field(Field("020", Indicators(" ", " "), [Subfield("a", isbn)]))
    r.add_field(Field("100", Indicators("1", " "), [Subfield("a", author)]))
    r.add_field(Field("245", Indicators("1", "0"), [Subfield("a", title)]))
    for inv, loc in copies:
        r.add_field(Field("852", Indicators(" ", " "), [Subfield("b", loc)]))
        r.add_field(Field("876", Indicators(" ", " "), [Subfield("a", inv), Subfield("c", "100"), Subfield("d", "20190102")]))
    return set_flavour(r, MARC21)


def irbis(fields: list[tuple[str, list[tuple[str, str]]]]) -> Record:
    """An IRBIS record from (tag, [(code, value)...]) pairs."""
    r = Record(force_utf8=True)
    for tag, subs in fields:
        r.add_field(Field(tag, Indicators(" ", " "), [Subfield(c, v) for c, v in subs]))
    return set_flavour(r, IRBIS)


def items(records: list[Record]) -> list[ReadItem]:
    """ReadItems as a reader would yield them."""
    return [ReadItem(position=i, offset=None, raw=b"", record=r, flavour=getattr(r, "flavour", None))
            for i, r in enumerate(records, 1)]


def write_iso(path: Path, records: list[Record]) -> Path:
    """Write records as ISO 2709 (UTF-8) with libcat's writer."""
    from libcat.marc import io as marc_io

    buf = io.BytesIO()
    w = marc_io.open_writer(buf, "iso2709", "utf-8")
    for r in records:
        w.write(r)
    w.close()
    path.write_bytes(buf.getvalue())
    return path


def live_count(catalog) -> int:
    with catalog.Session() as s:
        return s.scalar(select(func.count()).select_from(CatalogRecord).where(CatalogRecord.deleted_at.is_(None)))


def datestamps(catalog) -> dict[int, object]:
    with catalog.Session() as s:
        return dict(s.execute(select(CatalogRecord.id, CatalogRecord.datestamp)).all())


def isbn(n: int) -> str:
    """A valid ISBN-13 built from a number."""
    from stdnum.ean import calc_check_digit

    body = f"978601{n:06d}"
    return body + calc_check_digit(body)
