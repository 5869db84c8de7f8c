"""Helpers shared by the digitization tests: real scan files and records made in the tests."""

from __future__ import annotations

import io
import struct
from pathlib import Path

from pymarc import Field, Indicators, Record, Subfield
from pypdf import PdfWriter
from PIL import Image

from libcat.catalog import records
from libcat.catalog.models import CatalogRecord


def make_pdf(path: Path, pages: int, title: str = "scan") -> Path:
    """A real PDF with ``pages`` A4 pages."""
    w = PdfWriter()
    for _ in range(pages):
        w.add_blank_page(width=595, height=842)
    w.add_metadata({"/Title": title})
    with open(path, "wb") as fh:
        w.write(fh)
    return path


def make_image(path: Path, fmt: str, frames: int = 1, shade: int = 200) -> Path:
    """A real JPEG / PNG / (multi-page) TIFF image."""
    imgs = [Image.new("L", (40, 60), color=(shade + i * 7) % 256) for i in range(frames)]
    if frames > 1:
        imgs[0].save(path, format=fmt, save_all=True, append_images=imgs[1:])
    else:
        imgs[0].save(path, format=fmt)
    return path


def _chunk(cid: bytes, body: bytes) -> bytes:
    out = cid + struct.pack(">I", len(body)) + body
    return out + (b"\x00" if len(body) % 2 else b"")


def djvu_bytes(pages: int) -> bytes:
    """A DjVu file in its IFF structure: FORM:DJVU for one page, bundled FORM:DJVM for more."""
    info = _chunk(b"INFO", struct.pack(">HHBBHB", 40, 60, 24, 0, 300, 22))
    page = _chunk(b"FORM", b"DJVU" + info)
    if pages == 1:
        return b"AT&T" + page
    shared = _chunk(b"FORM", b"DJVI" + _chunk(b"Djbz", b"\x00" * 5))
    dirm = _chunk(b"DIRM", bytes([0x81]) + struct.pack(">H", pages + 1) + b"\x00" * (4 * (pages + 1)) + b"\x00" * 7)
    body = b"DJVM" + dirm + shared + page * pages
    return b"AT&T" + _chunk(b"FORM", body)


def make_djvu(path: Path, pages: int) -> Path:
    path.write_bytes(djvu_bytes(pages))
    return path


def irbis_record(
    title: str, *, cn: str, lang: str = "kaz", author: tuple[str, str] | None = None, dates: str | None = None,
    source: dict[str, str] | None = None, extra: list[Field] | None = None,
) -> Record:
    """An IRBIS-flavour pymarc record (903 shelf code, 101 language, 200 title, optional 700 and 463)."""
    rec = Record()
    rec.add_field(Field("903", indicators=Indicators(" ", " "), subfields=[Subfield("*", cn)]))
    rec.add_field(Field("101", indicators=Indicators(" ", " "), subfields=[Subfield("*", lang)]))
    rec.add_field(Field("200", indicators=Indicators(" ", " "), subfields=[Subfield("a", title)]))
    if author:
        subs = [Subfield("a", author[0]), Subfield("b", author[1])]
        if dates:
            subs.append(Subfield("f", dates))
        rec.add_field(Field("700", indicators=Indicators(" ", " "), subfields=subs))
    if source:
        rec.add_field(Field("463", indicators=Indicators(" ", " "),
                            subfields=[Subfield(k, v) for k, v in source.items()]))
        rec.add_field(Field("920", indicators=Indicators(" ", " "), subfields=[Subfield("*", "ASP")]))
    else:
        rec.add_field(Field("920", indicators=Indicators(" ", " "), subfields=[Subfield("*", "PAZK")]))
        rec.add_field(Field("210", indicators=Indicators(" ", " "), subfields=[Subfield("d", "2016")]))
    for f in extra or []:
        rec.add_field(f)
    return rec


def add_record(catalog, rec: Record, flavour: str = "irbis", subcat: str | None = None) -> int:
    """Store a record and return its catalogue id."""
    with catalog.session() as s:
        sc = records.subcatalog(s, subcat) if subcat else None
        row = records.create(s, rec, flavour, subcat=sc, source="test")
        return row.id


def kamshy(catalog, dates: str | None = None) -> int:
    """The Kazakh book «Қамшы» by Кәрім, Н. (Қарағанды, 2016)."""
    return add_record(catalog, irbis_record("Қамшы", cn="KZ-0001", author=("Кәрім", "Н."), dates=dates))


def newspaper_article(catalog) -> int:
    """A Kazakh newspaper article from «Балқаш өңірі» (2018, №1-2)."""
    return add_record(catalog, irbis_record(
        "Рухани жаңғыру – кітапхана келбетінде", cn="KZ-0002", author=("Мұхаметжанова", "Б."),
        source={"c": "Балқаш өңірі", "j": "2018", "h": "5 қаңтар (№1-2)", "s": "4"},
    ), subcat="articles")


def row(catalog, rid: int) -> CatalogRecord:
    with catalog.Session() as s:
        return s.get(CatalogRecord, rid)


def pdf_bytes(pages: int) -> bytes:
    buf = io.BytesIO()
    w = PdfWriter()
    for _ in range(pages):
        w.add_blank_page(width=100, height=100)
    w.write(buf)
    return buf.getvalue()
