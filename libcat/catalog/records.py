"""Reading and writing catalogue records: the one place rows are built from pymarc records.

Every change leaves a RecordEvent; deletion leaves a tombstone (``deleted_at``), never a gap.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator

from pymarc import Record
from sqlalchemy import delete as sql_delete
from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import i18n
from ..marc.flavour import set_flavour
from ..marc.marcjson import record_from_json, record_to_json
from ..marc.summary import summarize
from .models import Batch, CatalogRecord, RecordEvent, RecordKey, Subcatalog, utcnow
from .store import CatalogError

i18n.register({
    "records.missing": {
        "en": "no record {ref!r} (neither a catalogue id nor a control number)",
        "ru": "нет записи {ref!r} (это не номер записи в каталоге и не контрольный номер)",
        "kk": "{ref!r} жазбасы жоқ (бұл каталогтағы нөмір де, бақылау нөмірі де емес)",
    },
    "records.ambiguous": {
        "en": "control number {ref!r} is ambiguous: catalogue ids {ids}; use the id",
        "ru": "контрольный номер {ref!r} неоднозначен: записи каталога {ids}; укажите номер записи",
        "kk": "{ref!r} бақылау нөмірі бірмәнді емес: каталог жазбалары {ids}; жазба нөмірін көрсетіңіз",
    },
    "records.no_subcat": {
        "en": "no sub-catalogue {code!r}; known: {codes}",
        "ru": "нет подкаталога {code!r}; есть: {codes}",
        "kk": "{code!r} ішкі каталогы жоқ; бары: {codes}",
    },
    "records.no_subcats": {
        "en": "(none: run libcat init)",
        "ru": "(никаких: выполните libcat init)",
        "kk": "(ешқайсысы жоқ: libcat init іске қосыңыз)",
    },
    "records.already_deleted": {
        "en": "record {id} is already deleted (since {day})",
        "ru": "запись {id} уже удалена ({day})",
        "kk": "{id} жазбасы бұрыннан жойылған ({day})",
    },
})

APPLIED = "applied"
"""Key kind that remembers "the content with this hash from this identity (source, control number) was applied to
this record", so re-importing it is "unchanged" whatever the record holds now (duplicate updates). An update or a
deletion keeps the record's APPLIED keys in its event (``detail.applied_keys``): undo gives back exactly those."""

ABSORBED = "absorbed"
"""Event kind of a record that received the copies, digital objects or contracts of a duplicate (merged by dedupe
or by an import's ``--on-duplicate merge``): its record is unchanged, so the yearly "records edited" leaves it out;
undo takes them back (``detail.moved``, ``detail.copies_added``)."""

#: Columns saved in an event's ``before`` so that an update can be undone.
SNAPSHOT_COLUMNS = (
    "control_number", "source", "subcat_id", "flavour", "data", "title", "author", "year", "isbns",
    "language", "entry_date", "datestamp", "deleted_at", "deleted_reason", "merged_into", "content_hash",
    "mark_kazakhstan", "mark_local_lore",
)


def content_hash(data_json: str | bytes) -> str:
    """SHA-256 of the stored record text (given as text or as its UTF-8 bytes): equal hashes mean an unchanged
    record."""
    return hashlib.sha256(data_json.encode("utf-8") if type(data_json) is str else data_json).hexdigest()


def load(row: CatalogRecord) -> Record:
    """The stored record as a pymarc.Record with its flavour set."""
    return set_flavour(record_from_json(row.data), row.flavour)


def apply_record(row: CatalogRecord, record: Record, flavour: str) -> None:
    """Fill the data and extracted columns of ``row`` from ``record`` (does not touch datestamps)."""
    data = record_to_json(record)
    s = summarize(record, flavour)
    row.flavour = flavour
    row.data = data
    row.content_hash = content_hash(data)
    row.control_number = s.control_number
    row.title = s.title
    row.author = s.author[:500] if s.author else None
    row.year = s.year
    row.isbns = " ".join(s.isbns)[:500] or None
    row.language = s.language
    row.mark_kazakhstan = s.kazakhstan is not None
    row.mark_local_lore = s.local_lore
    if s.entry_date is not None:
        row.entry_date = s.entry_date


def snapshot(row: CatalogRecord) -> str:
    """JSON of the row's columns, for an event's ``before``."""
    out = {}
    for col in SNAPSHOT_COLUMNS:
        v = getattr(row, col)
        out[col] = v.isoformat() if hasattr(v, "isoformat") else v
    return json.dumps(out, ensure_ascii=False)


#: Ids bound in one statement, with room for a few other values: SQLite before 3.32 allows 999 parameters.
IDS_PER_STATEMENT = 900


def applied_keys(session: Session, ids: list[int]) -> dict[int, list[tuple[str, str]]]:
    """The APPLIED keys the given records carry (kept when their other keys are replaced), each record's in the
    order they were written; read ``IDS_PER_STATEMENT`` records at a time, so any number stays within the
    database's limit of bound parameters."""
    out: dict[int, list[tuple[str, str]]] = {rid: [] for rid in ids}
    for i in range(0, len(ids), IDS_PER_STATEMENT):
        for rid, value in session.execute(select(RecordKey.record_id, RecordKey.value)
                                          .where(RecordKey.record_id.in_(ids[i:i + IDS_PER_STATEMENT]), RecordKey.kind == APPLIED)
                                          .order_by(RecordKey.id)):
            out[rid].append((APPLIED, value))
    return out


def _keeping(session: Session, row: CatalogRecord, detail: str | None,
             applied: list[tuple[str, str]] | None, for_undo: dict[str, list[int]] | None = None) -> str | None:
    """An event's detail that also keeps the record's APPLIED keys (read when not given) and what else undo needs
    (``for_undo``), as JSON with the text as ``note``, so that undo gives them back; the plain text when there is
    nothing to keep."""
    if applied is None:
        applied = applied_keys(session, [row.id])[row.id]
    if not applied and not for_undo:
        return detail
    return json.dumps({"note": detail, **({"applied_keys": applied} if applied else {}), **(for_undo or {})},
                      ensure_ascii=False)


def add_event(
    session: Session, row: CatalogRecord, kind: str, *, batch: Batch | None = None,
    source: str | None = None, detail: str | None = None, before: str | None = None,
) -> RecordEvent:
    """Record that ``row`` was created / updated / merged / deleted / restored."""
    ev = RecordEvent(
        record_id=row.id, batch_id=batch.id if batch else None, kind=kind, at=utcnow(),
        source=source, detail=detail, before=before,
    )
    session.add(ev)
    return ev


def find(session: Session, ref: str | int, lang: str | None = None) -> CatalogRecord:
    """A record by catalogue id, or by control number (001 / IRBIS 903); errors name the reference."""
    text = str(ref).strip()
    if text.isdigit():
        row = session.get(CatalogRecord, int(text))
        if row is not None:
            return row
    rows = list(session.scalars(select(CatalogRecord).where(CatalogRecord.control_number == text)))
    live = [r for r in rows if r.deleted_at is None]
    rows = live or rows
    if not rows:
        raise CatalogError(i18n.t("records.missing", lang, ref=text))
    if len(rows) > 1:
        ids = ", ".join(str(r.id) for r in rows[:10])
        raise CatalogError(i18n.t("records.ambiguous", lang, ref=text, ids=ids))
    return rows[0]


def subcatalog(session: Session, code: str, lang: str | None = None) -> Subcatalog:
    """A sub-catalogue by code, with the list of valid codes in the error."""
    sc = session.scalar(select(Subcatalog).where(Subcatalog.code == code))
    if sc is None:
        codes = ", ".join(session.scalars(select(Subcatalog.code).order_by(Subcatalog.sort_order)))
        raise CatalogError(i18n.t("records.no_subcat", lang, code=code, codes=codes or i18n.t("records.no_subcats", lang)))
    return sc


def live(session: Session, subcat: str | None = None) -> Iterator[CatalogRecord]:
    """Live (not deleted) records in catalogue-id order, optionally of one sub-catalogue."""
    q = select(CatalogRecord).where(CatalogRecord.deleted_at.is_(None)).order_by(CatalogRecord.id)
    if subcat:
        q = q.where(CatalogRecord.subcat_id == subcatalog(session, subcat).id)
    yield from session.scalars(q.execution_options(yield_per=1000))


def create(
    session: Session, record: Record, flavour: str, *, subcat: Subcatalog | None = None,
    source: str = "", batch: Batch | None = None, event_source: str | None = None,
) -> CatalogRecord:
    """Add a new record with a `created` event; entry date falls back to today when the record has none."""
    now = utcnow()
    row = CatalogRecord(
        source=source, subcat_id=subcat.id if subcat else None, created_at=now, datestamp=now,
        batch_id=batch.id if batch else None, own_publication=False,
    )
    apply_record(row, record, flavour)
    if row.entry_date is None:
        row.entry_date = now.date()
    session.add(row)
    session.flush()
    add_event(session, row, "created", batch=batch, source=event_source or source)
    return row


def update(
    session: Session, row: CatalogRecord, record: Record, flavour: str, *,
    batch: Batch | None = None, source: str | None = None, detail: str | None = None,
    applied: list[tuple[str, str]] | None = None,
) -> bool:
    """Replace the record's content; returns False (and changes nothing) when it is identical.

    ``applied``: the record's APPLIED keys when the caller has read them (they are kept in the event)."""
    data = record_to_json(record)
    if content_hash(data) == row.content_hash and flavour == row.flavour:
        return False
    before = snapshot(row)
    detail = _keeping(session, row, detail, applied)
    apply_record(row, record, flavour)
    row.datestamp = utcnow()
    add_event(session, row, "updated", batch=batch, source=source, detail=detail, before=before)
    return True


def delete(
    session: Session, row: CatalogRecord, *, reason: str | None = None, batch: Batch | None = None,
    source: str | None = None, merged_into: CatalogRecord | None = None, lang: str | None = None,
    applied: list[tuple[str, str]] | None = None, for_undo: dict[str, list[int]] | None = None,
) -> None:
    """Tombstone a record (kept for OAI-PMH and the counts "at 1 January") with an event; drop its match keys
    (the event keeps its APPLIED keys, ``applied`` when the caller has read them, and ``for_undo``, more that undo
    reads: a merge's ``withdrawn_objects``)."""
    if row.deleted_at is not None:
        raise CatalogError(i18n.t("records.already_deleted", lang, id=row.id, day=f"{row.deleted_at:%Y-%m-%d}"))
    before = snapshot(row)
    detail = _keeping(session, row, reason, applied, for_undo)
    now = utcnow()
    row.deleted_at = now
    row.datestamp = now
    row.deleted_reason = reason
    kind = "deleted"
    if merged_into is not None:
        row.merged_into = merged_into.id
        kind = "merged"
    add_event(session, row, kind, batch=batch, source=source, detail=detail, before=before)
    session.execute(sql_delete(RecordKey).where(RecordKey.record_id == row.id))

