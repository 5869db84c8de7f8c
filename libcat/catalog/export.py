"""Export: the other half of export-import. Records of the catalogue in the form the other side reads.

Records go out in their own flavour or crosswalked (``keep|marc21|rusmarc|irbis``), with their copies
and the links to their digitized objects (951 / 856). Copies the record lists itself are crosswalked
with it; copies only the copies table knows (moved in by a merge) are added in the target's holdings
fields. Both go through ``libcat.marc.crosswalk.holdings``: IRBIS 910, RUSMARC/UNIMARC 995, MARC 21
852 + 876. Whatever the crosswalk or the format cannot hold is reported per record, never dropped
silently. Deletions can be listed separately for the receiving side.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, BinaryIO, TextIO

from pymarc import Field, Record
from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import i18n
from ..marc.crosswalk import holdings as copies_x
from ..marc.flavour import IRBIS, MARC21, UNIMARC
from . import holdings
from . import records as rec
from .models import CatalogRecord, Copy, RecordEvent
from .store import Catalog, CatalogError

FORMATS = ("iso2709", "marcxml", "json", "mrk", "irbis")
FLAVOURS = ("keep", "marc21", "rusmarc", "irbis")
_TARGET = {"marc21": MARC21, "rusmarc": UNIMARC, "irbis": IRBIS}

i18n.register({
    "export.summary": {
        "en": "exported {written} records ({problems} problems){deleted}",
        "ru": "выгружено записей: {written} (проблем: {problems}){deleted}",
        "kk": "шығарылған жазбалар: {written} (мәселелер: {problems}){deleted}",
    },
    "export.deleted": {
        "en": "; {n} deletions listed",
        "ru": "; удалений в списке: {n}",
        "kk": "; тізімдегі жойылғандар: {n}",
    },
    "export.bad_format": {
        "en": "unknown export format {fmt!r}; expected one of {known}",
        "ru": "неизвестный формат выгрузки {fmt!r}; допустимы: {known}",
        "kk": "{fmt!r} шығару форматы белгісіз; рұқсат етілгендер: {known}",
    },
    "export.bad_flavour": {
        "en": "unknown flavour {flavour!r}; expected one of {known}",
        "ru": "неизвестная разновидность MARC {flavour!r}; допустимы: {known}",
        "kk": "{flavour!r} MARC түрі белгісіз; рұқсат етілгендер: {known}",
    },
    "export.bad_encoding": {
        "en": "cannot write {fmt} in {encoding}: {reason}",
        "ru": "нельзя записать {fmt} в кодировке {encoding}: {reason}",
        "kk": "{fmt} форматын {encoding} кодтауында жазу мүмкін емес: {reason}",
    },
    "export.not_written": {"en": "not written: {reason}", "ru": "не записана: {reason}", "kk": "жазылмады: {reason}"},
})


@dataclass
class ExportOptions:
    """What to export and how: filters (sub-catalogue, since, batch), format, flavour, encoding."""

    subcat: str | None = None
    since: dt.datetime | None = None
    batch: int | None = None
    fmt: str = "iso2709"
    flavour: str = "keep"
    encoding: str = "utf-8"
    base_url: str | None = None
    lang: str | None = None


@dataclass
class ExportReport:
    """How many records were written, and every problem met on the way."""

    written: int = 0
    deleted_listed: int = 0
    problems: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"written": self.written, "deleted_listed": self.deleted_listed, "problems": list(self.problems)}

    def summary(self, lang: str | None = None) -> str:
        """One line in English, Russian or Kazakh."""
        deleted = i18n.t("export.deleted", lang, n=self.deleted_listed) if self.deleted_listed else ""
        return i18n.t("export.summary", lang, written=self.written, problems=len(self.problems), deleted=deleted)


def _links_module():
    try:
        from ..digitize import links
    except ImportError:
        return None
    return links


def _selection(s: Session, options: ExportOptions, *, deleted: bool):
    q = select(CatalogRecord)
    q = q.where(CatalogRecord.deleted_at.is_not(None) if deleted else CatalogRecord.deleted_at.is_(None))
    if options.subcat:
        q = q.where(CatalogRecord.subcat_id == rec.subcatalog(s, options.subcat, options.lang).id)
    if options.since is not None:
        col = CatalogRecord.deleted_at if deleted else CatalogRecord.datestamp
        q = q.where(col >= options.since)
    if options.batch is not None:
        q = q.where(CatalogRecord.id.in_(select(RecordEvent.record_id).where(RecordEvent.batch_id == options.batch)))
    return q.order_by(CatalogRecord.id)


def _partitions(s: Session, q) -> Iterator[list[CatalogRecord]]:
    result = s.scalars(q.execution_options(yield_per=500))
    yield from result.partitions(500)


def _urls(record: Record) -> set[str]:
    out = set()
    for tag in ("856", "951"):
        for f in record.get_fields(tag):
            for code in ("u", "i", "a"):
                for v in f.get_subfields(code):
                    out.add(v.strip())
    return out


def _item(c: Copy) -> copies_x.Item:
    """A row of the copies table as a crosswalk item."""
    def ymd(d: dt.date | None) -> str:
        return d.strftime("%Y%m%d") if d else ""

    return copies_x.Item(
        inventory=c.inventory_number or "", barcode=c.barcode or "", location=c.location or "",
        received=ymd(c.receipt_date), status=c.status or "", price=c.price or "",
        written_off=ymd(c.written_off_at), act=c.write_off_act or "",
    )


def _add_holdings(record: Record, flavour: str, copies: list[Copy], lang: str | None) -> list[str]:
    """Append holdings fields for copies the record does not list itself; returns what they could not hold."""
    present = holdings.inventory_numbers(record, flavour)
    has_any = holdings.has_print_copy(record, flavour)
    missing = []
    for c in copies:
        ids = {v for v in (c.inventory_number, c.barcode) if v}
        if not ((ids and ids & present) or (not ids and has_any)):
            missing.append(_item(c))
    fields, problems = copies_x.write(missing, flavour, copies_x.next_link(record))
    for f in fields:
        record.add_ordered_field(f)
    return [p.message(lang) for p in problems]


def _add_links(record: Record, links: list[Field]) -> None:
    known = _urls(record)
    for f in links:
        values = {v.strip() for code in ("u", "i", "a") for v in f.get_subfields(code)}
        if values and values & known:
            continue
        record.add_field(f)


def prepare(s: Session, row: CatalogRecord, copies: list[Copy], options: ExportOptions,
            links_mod=None) -> tuple[Record, str, list[str]]:
    """The record as it goes out: crosswalked, with holdings and digital-object links; and the warnings."""
    record = rec.load(row)
    warnings: list[str] = []
    target = row.flavour if options.flavour == "keep" else _TARGET[options.flavour]
    if options.flavour != "keep" and target != row.flavour:
        from ..marc.crosswalk import convert

        record, cw = convert(record, options.flavour, options.lang)
        warnings += list(cw)
    warnings += _add_holdings(record, target, copies, options.lang)
    if links_mod is not None:
        _add_links(record, links_mod.link_fields(s, row, target, base_url=options.base_url))
    return record, target, warnings


def export(catalog: Catalog, out: BinaryIO, options: ExportOptions, deleted_out: TextIO | None = None) -> ExportReport:
    """Write the selected live records to ``out``; list the selected deletions to ``deleted_out``."""
    from ..marc import io as marc_io

    if options.fmt not in FORMATS:
        raise CatalogError(i18n.t("export.bad_format", options.lang, fmt=options.fmt, known=", ".join(FORMATS)))
    if options.flavour not in FLAVOURS:
        raise CatalogError(i18n.t("export.bad_flavour", options.lang, flavour=options.flavour,
                                  known=", ".join(FLAVOURS)))
    report = ExportReport()
    links_mod = _links_module()
    try:
        writer = marc_io.open_writer(out, options.fmt, options.encoding)
    except (LookupError, ValueError) as exc:
        raise CatalogError(i18n.t("export.bad_encoding", options.lang, fmt=options.fmt, encoding=options.encoding,
                                  reason=exc)) from None
    with catalog.Session() as s:
        for rows in _partitions(s, _selection(s, options, deleted=False)):
            ids = [r.id for r in rows]
            copies: dict[int, list[Copy]] = {}
            for c in s.scalars(select(Copy).where(Copy.record_id.in_(ids)).order_by(Copy.id)):
                copies.setdefault(c.record_id, []).append(c)
            for row in rows:
                try:
                    record, _, warnings = prepare(s, row, copies.get(row.id, []), options, links_mod)
                    warnings += list(writer.write(record) or [])
                except (ValueError, KeyError, UnicodeError) as exc:
                    report.problems.append({"record": row.id, "control_number": row.control_number,
                                            "severity": "error",
                                            "message": i18n.t("export.not_written", options.lang, reason=exc)})
                    continue
                report.written += 1
                for w in warnings:
                    report.problems.append({"record": row.id, "control_number": row.control_number,
                                            "severity": "warning", "message": str(w)})
        writer.close()
        if deleted_out is not None:
            deleted_out.write("id\tcontrol_number\tsource\texternal_id\tdeleted_at\treason\n")
            for rows in _partitions(s, _selection(s, options, deleted=True)):
                for row in rows:
                    reason = (row.deleted_reason or "").replace("\t", " ").replace("\n", " ")
                    deleted_out.write("\t".join([
                        str(row.id), row.control_number or "", row.source or "", row.external_id or "",
                        row.deleted_at.isoformat(sep=" "), reason,
                    ]) + "\n")
                    report.deleted_listed += 1
    return report
