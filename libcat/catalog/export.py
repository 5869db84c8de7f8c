"""Export: the other half of export-import. Records of the catalogue in the form the other side reads.

Records go out in their own flavour or crosswalked (``keep|marc21|rusmarc|irbis``), with their copies
and the links to their digitized objects (951 / 856). Copies the record lists itself are crosswalked
with it; copies only the copies table knows (moved in by a merge) are added in the target's holdings
fields. Both go through ``libcat.marc.crosswalk.holdings``: IRBIS 910, RUSMARC/UNIMARC 995, MARC 21
852 + 876. Whatever the crosswalk or the format cannot hold is reported per record, never dropped
silently. Deletions can be listed separately for the receiving side.

IRBIS plain text holds IRBIS records only (its reader takes every record for IRBIS's own layout):
``--format irbis`` with ``keep`` crosswalks MARC 21 and RUSMARC/UNIMARC records to IRBIS, and is
refused with ``marc21`` or ``rusmarc``. The MARC formats hold every flavour; IRBIS records kept in
their own layout there are counted in a note, since only IRBIS and libcat read that layout.
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
from ..kabis import classify, profiles
from ..marc.crosswalk import holdings as copies_x
from ..marc.crosswalk.common import local_lore_mark
from ..marc.fieldindex import index
from ..marc.flavour import IRBIS, MARC21, UNIMARC
from ..marc.summary import summarize
from . import holdings
from . import records as rec
from .counts import FUND_SUBCATALOGS
from .models import Batch, CatalogRecord, Copy, RecordEvent, Subcatalog
from .store import Catalog, CatalogError

FORMATS = ("iso2709", "marcxml", "json", "mrk", "irbis")
FLAVOURS = ("keep", "marc21", "rusmarc", "irbis")
_TARGET = {"marc21": MARC21, "rusmarc": UNIMARC, "irbis": IRBIS}
_FLAVOUR_NAME = {MARC21: "MARC 21", UNIMARC: "RUSMARC", IRBIS: "IRBIS"}
#: The sub-catalogue whose records go out with the local-lore mark.
LOCAL_LORE = FUND_SUBCATALOGS["local-lore"]

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
    "export.irbis_flavour": {
        "en": "IRBIS plain text holds IRBIS records only, not {flavour}: use --flavour irbis (or keep, which "
              "crosswalks MARC 21 and RUSMARC records to IRBIS), or --format iso2709|marcxml|json|mrk for {flavour}",
        "ru": "текст ИРБИС содержит только записи ИРБИС, не {flavour}: укажите --flavour irbis (или keep — записи "
              "MARC 21 и RUSMARC будут преобразованы в ИРБИС) либо --format iso2709|marcxml|json|mrk для {flavour}",
        "kk": "ИРБИС мәтіні тек ИРБИС жазбаларын сақтайды, {flavour} емес: --flavour irbis (немесе keep — MARC 21 "
              "және RUSMARC жазбалары ИРБИС-ке түрлендіріледі) не {flavour} үшін --format iso2709|marcxml|json|mrk "
              "көрсетіңіз",
    },
    "export.not_carried": {
        "en": "{what} {value} is not carried to {target}: the record reads back as {got}",
        "ru": "{what} {value} не переносится в {target}: запись читается обратно как {got}",
        "kk": "{what} {value} {target} форматына көшпейді: жазба кері {got} болып оқылады",
    },
    "export.what.control_number": {"en": "control number", "ru": "контрольный номер", "kk": "бақылау нөмірі"},
    "export.what.entry_date": {"en": "entry date", "ru": "дата ввода", "kk": "енгізу күні"},
    "export.what.language": {"en": "language", "ru": "язык", "kk": "тілі"},
    "export.what.subcat": {"en": "sub-catalogue", "ru": "подкаталог", "kk": "ішкі каталог"},
    "export.no_batch": {
        "en": "no batch {batch} (see `libcat batches`)",
        "ru": "пакета {batch} нет (см. `libcat batches`)",
        "kk": "{batch} топтамасы жоқ (`libcat batches` қараңыз)",
    },
    "export.irbis_layout": {
        "en": "{n} IRBIS record(s) written in IRBIS's own layout (^-subfields, no leader), which IRBIS and libcat "
              "read; use --flavour rusmarc or marc21 for other systems",
        "ru": "записей ИРБИС в собственном формате ИРБИС (подполя ^, без маркера): {n}; их читают ИРБИС и libcat, "
              "для других систем укажите --flavour rusmarc или marc21",
        "kk": "ИРБИС-тің өз пішімінде (^ қосалқы өрістер, маркерсіз) жазылған ИРБИС жазбалары: {n}; оларды ИРБИС "
              "пен libcat оқиды, басқа жүйелер үшін --flavour rusmarc не marc21 көрсетіңіз",
    },
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
    #: IRBIS records written in IRBIS's own layout into a MARC format (ISO 2709, MARCXML, JSON, mrk).
    irbis_layout: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {"written": self.written, "deleted_listed": self.deleted_listed, "problems": list(self.problems),
                "irbis_layout": self.irbis_layout}

    def notes(self, lang: str | None = None) -> list[str]:
        """What the whole export should tell besides the per-record problems, in English, Russian or Kazakh."""
        return [i18n.t("export.irbis_layout", lang, n=self.irbis_layout)] if self.irbis_layout else []

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


def target_flavour(flavour: str, options: ExportOptions) -> str:
    """The flavour a record of ``flavour`` goes out in: the one asked for; with ``keep``, its own,
    except in IRBIS plain text, which holds IRBIS records only."""
    if options.flavour != "keep":
        return _TARGET[options.flavour]
    return IRBIS if options.fmt == "irbis" else flavour


@dataclass
class ReadBack:
    """What an importing libcat with the same profile reads from an exported record, to give a local-lore
    record the local-lore mark it lacks and report the control number, entry date, language or
    sub-catalogue that does not come back."""

    classifier: classify.Classifier
    subcats: dict[int, str]
    #: Russian name of the local-lore sub-catalogue, the text of a mark the export adds (None: no such sub-catalogue).
    local_lore_name: str | None = None

    @classmethod
    def of(cls, catalog: Catalog, s: Session) -> ReadBack:
        """The catalogue's profile rules (the default profile when its own cannot be loaded) and sub-catalogues."""
        try:
            classifier = classify.load(catalog.setting("profile"))
        except profiles.ProfileError:
            classifier = classify.load()
        rows = s.execute(select(Subcatalog.id, Subcatalog.code, Subcatalog.name_ru)).all()
        lore = next((name for _, code, name in rows if code == LOCAL_LORE), None)
        return cls(classifier, {i: code for i, code, _ in rows}, lore)

    def mark(self, row: CatalogRecord, record: Record, flavour: str) -> None:
        """Add the local-lore mark (629, in MARC 21 886) to a local-lore record the profile rules would
        read back as something else (put there with ``import --into local-lore``)."""
        if (self.local_lore_name is not None and self.subcats.get(row.subcat_id or 0) == LOCAL_LORE
                and self.classifier.classify(record, flavour) != LOCAL_LORE):
            record.add_ordered_field(local_lore_mark(flavour, self.local_lore_name))

    def lost(self, row: CatalogRecord, record: Record, flavour: str, lang: str | None,
             kept: bool = False) -> list[str]:
        """One warning per column the record of ``flavour`` reads back differently from ``row``; only the
        sub-catalogue when the record is ``kept`` in its own flavour (its other columns come back as they are).
        A record in no sub-catalogue has none to lose: the one the rules give it on re-import is not a warning."""
        idx = index(record)
        code = self.subcats.get(row.subcat_id or 0)
        subcat = ("subcat", code, self.classifier.classify(record, flavour, idx) if code is not None else None)
        if kept:
            pairs: tuple[tuple[str, Any, Any], ...] = (subcat,)
        else:
            got = summarize(record, flavour, idx)
            pairs = (("control_number", row.control_number, got.control_number),
                     ("entry_date", row.entry_date, got.entry_date), ("language", row.language, got.language),
                     subcat)
        return [i18n.t("export.not_carried", lang, what=i18n.t(f"export.what.{name}", lang), value=before or "-",
                       target=_FLAVOUR_NAME[flavour], got=after or "-")
                for name, before, after in pairs if before != after]


def prepare(s: Session, row: CatalogRecord, copies: list[Copy], options: ExportOptions,
            links_mod=None, read_back: ReadBack | None = None) -> tuple[Record, str, list[str]]:
    """The record as it goes out: crosswalked, with holdings, digital-object links and the local-lore mark
    its sub-catalogue needs; and the warnings."""
    record = rec.load(row)
    warnings: list[str] = []
    target = target_flavour(row.flavour, options)
    if target != row.flavour:
        from ..marc.crosswalk import convert

        record, cw = convert(record, target, options.lang)
        warnings += list(cw)
    warnings += _add_holdings(record, target, copies, options.lang)
    if links_mod is not None:
        _add_links(record, links_mod.link_fields(s, row, target, base_url=options.base_url))
    if read_back is not None:
        read_back.mark(row, record, target)
        warnings += read_back.lost(row, record, target, options.lang, kept=target == row.flavour)
    return record, target, warnings


def export(catalog: Catalog, out: BinaryIO, options: ExportOptions, deleted_out: TextIO | None = None) -> ExportReport:
    """Write the selected live records to ``out``; list the selected deletions to ``deleted_out``."""
    from ..marc import io as marc_io

    if options.fmt not in FORMATS:
        raise CatalogError(i18n.t("export.bad_format", options.lang, fmt=options.fmt, known=", ".join(FORMATS)))
    if options.flavour not in FLAVOURS:
        raise CatalogError(i18n.t("export.bad_flavour", options.lang, flavour=options.flavour,
                                  known=", ".join(FLAVOURS)))
    if options.fmt == "irbis" and options.flavour not in ("keep", "irbis"):
        raise CatalogError(i18n.t("export.irbis_flavour", options.lang, flavour=options.flavour))
    report = ExportReport()
    links_mod = _links_module()
    with catalog.Session() as s:
        if options.batch is not None and s.get(Batch, options.batch) is None:
            raise CatalogError(i18n.t("export.no_batch", options.lang, batch=options.batch))
        try:
            writer = marc_io.open_writer(out, options.fmt, options.encoding)
        except (LookupError, ValueError) as exc:
            raise CatalogError(i18n.t("export.bad_encoding", options.lang, fmt=options.fmt,
                                      encoding=options.encoding, reason=exc)) from None
        read_back = ReadBack.of(catalog, s)
        for rows in _partitions(s, _selection(s, options, deleted=False)):
            ids = [r.id for r in rows]
            copies: dict[int, list[Copy]] = {}
            for c in s.scalars(select(Copy).where(Copy.record_id.in_(ids)).order_by(Copy.id)):
                copies.setdefault(c.record_id, []).append(c)
            for row in rows:
                try:
                    record, target, warnings = prepare(s, row, copies.get(row.id, []), options, links_mod,
                                                       read_back)
                    warnings += list(writer.write(record) or [])
                except (ValueError, KeyError, UnicodeError) as exc:
                    report.problems.append({"record": row.id, "control_number": row.control_number,
                                            "severity": "error",
                                            "message": i18n.t("export.not_written", options.lang, reason=exc)})
                    continue
                report.written += 1
                if target == IRBIS and options.fmt != "irbis":
                    report.irbis_layout += 1
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
