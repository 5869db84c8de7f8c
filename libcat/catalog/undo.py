"""Undoing a batch: added records become tombstones, changed ones get their previous version back."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sqlalchemy import delete as sql_delete
from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from .. import i18n
from . import holdings
from . import records as rec
from .records import ABSORBED
from .batches import alive
from .counts import UNDONE_REASON
from .importer import keys_of_row, sync_copies, write_keys
from .models import Batch, CatalogRecord, ContractRecord, Copy, DigitalFile, DigitalObject, Quarantine, RecordEvent, RecordKey, utcnow
from .store import Catalog, CatalogError

i18n.register({
    "undo.no_batch": {
        "en": "no batch {batch} (see `libcat batches`)",
        "ru": "нет пакета {batch} (см. `libcat batches`)",
        "kk": "{batch} топтамасы жоқ (`libcat batches` қараңыз)",
    },
    "undo.already": {
        "en": "batch {batch} was already undone at {at}",
        "ru": "пакет {batch} уже отменён {at}",
        "kk": "{batch} топтамасы әлдеқашан болдырылмады ({at})",
    },
    "undo.of_undo": {
        "en": "batch {batch} is itself an undo; import the records again instead",
        "ru": "пакет {batch} сам является отменой; вместо этого импортируйте записи заново",
        "kk": "{batch} топтамасының өзі болдырмау; оның орнына жазбаларды қайта импорттаңыз",
    },
    "undo.running": {
        "en": "batch {batch} is still running (process {pid})",
        "ru": "пакет {batch} ещё выполняется (процесс {pid})",
        "kk": "{batch} топтамасы әлі орындалуда ({pid} процесі)",
    },
    "undo.conflicts": {
        "en": "records of batch {batch} were changed later or have digitized objects (ids {ids}); undo the later "
              "batches first, or use --force (it withdraws the digitized objects of the removed records; their files "
              "are kept)",
        "ru": "записи пакета {batch} изменены позже или имеют оцифрованные объекты (номера {ids}); сначала отмените "
              "более поздние пакеты или используйте --force (оцифрованные объекты удаляемых записей снимаются с "
              "публикации, файлы сохраняются)",
        "kk": "{batch} топтамасының жазбалары кейін өзгертілген немесе цифрланған нысандары бар ({ids} нөмірлері); "
              "алдымен кейінгі топтамаларды болдырмаңыз немесе --force қолданыңыз (жойылатын жазбалардың цифрланған "
              "нысандары жарияланымнан алынады, файлдары сақталады)",
    },
})


def _restore(row: CatalogRecord, before: str) -> None:
    data = json.loads(before)
    for col in rec.SNAPSHOT_COLUMNS:
        if col not in data or col == "datestamp":
            continue
        v = data[col]
        if v is not None and col == "entry_date":
            v = dt.date.fromisoformat(v)
        elif v is not None and col == "deleted_at":
            v = dt.datetime.fromisoformat(v)
        setattr(row, col, v)
    row.datestamp = utcnow()


def _send_back(s: Session, record_id: int, moved: dict[str, Any]) -> None:
    """Undo what a merge moved to ``record_id`` from ``moved["from"]``: copies and digital objects (with their
    files) go home, and the contract links it added to ``record_id`` are dropped (the merged record kept its own)."""
    home = moved["from"]
    if moved.get("copies"):
        s.execute(update(Copy).where(Copy.id.in_(moved["copies"]), Copy.record_id == record_id).values(record_id=home))
    if moved.get("digital_objects"):
        objs = moved["digital_objects"]
        s.execute(update(DigitalObject).where(DigitalObject.id.in_(objs)).values(record_id=home))
        s.execute(update(DigitalFile).where(DigitalFile.object_id.in_(objs)).values(record_id=home))
    if moved.get("contracts"):
        s.execute(sql_delete(ContractRecord).where(ContractRecord.record_id == record_id,
                                                   ContractRecord.contract_id.in_(moved["contracts"])))


def _reinstate(s: Session, objects: list[int]) -> None:
    """Put back the digital objects a merge withdrew from the record it merged (``detail.withdrawn_objects``): only
    those it found live, so an object withdrawn before the merge stays withdrawn."""
    s.execute(update(DigitalObject).where(DigitalObject.id.in_(objects), DigitalObject.deleted_at.is_not(None))
              .values(deleted_at=None))


def _detail(ev: RecordEvent) -> dict[str, Any]:
    if ev.detail and ev.detail.startswith("{"):
        try:
            return json.loads(ev.detail)
        except ValueError:
            return {}
    return {}


def _reverted_later(s: Session, batch_id: int) -> set[int]:
    """Batches after ``batch_id`` whose changes no longer stand: the undone ones and the undos of those."""
    later = list(s.execute(select(Batch.id, Batch.kind, Batch.status, Batch.source).where(Batch.id > batch_id)))
    undone = {b.id for b in later if b.status == "undone"}
    return undone | {b.id for b in later if b.kind == "undo" and b.source and int(b.source) in undone}


def _conflicts(s: Session, batch_id: int, last: dict[int, int], created: set[int]) -> list[int]:
    """Records of the batch changed after its last event on them by a change that still stands, or created
    by it and digitized since."""
    reverted = _reverted_later(s, batch_id)
    ids = list(last)
    conflicts: list[int] = []
    for i in range(0, len(ids), rec.IDS_PER_STATEMENT):
        part = ids[i:i + rec.IDS_PER_STATEMENT]
        for rid, eid, bid in s.execute(
            select(RecordEvent.record_id, RecordEvent.id, RecordEvent.batch_id).where(
                RecordEvent.record_id.in_(part), RecordEvent.batch_id.is_distinct_from(batch_id),
                RecordEvent.id > min(last[r] for r in part))
        ):
            if eid > last[rid] and bid not in reverted:
                conflicts.append(rid)
        conflicts += s.scalars(select(DigitalObject.record_id).where(
            DigitalObject.record_id.in_([r for r in part if r in created]), DigitalObject.deleted_at.is_(None)))
    return conflicts


def undo_batch(catalog: Catalog, batch_id: int, *, force: bool = False, lang: str | None = None) -> dict[str, int]:
    """Revert one batch in one transaction: its added records become tombstones with an `undone` event,
    updated, deleted and merged records get their previous version back with the APPLIED keys they had (kept in
    the events); what a merge gave a record (copies, digital objects, contract links) goes back, and each restored
    record's keys are written once, and the digital objects a merge withdrew from a merged record are live again.

    Refuses (unless ``force``) when a later batch or a digitized object touches the same records; with ``force``
    the live digitized objects of the removed records are withdrawn (``deleted_at`` set, files kept), so nothing
    is published for a tombstone. Returns the counts ``removed``, ``restored`` and ``withdrawn``.
    """
    counts = {"removed": 0, "restored": 0, "withdrawn": 0}
    with catalog.session() as s:
        batch = s.get(Batch, batch_id)
        if batch is None:
            raise CatalogError(i18n.t("undo.no_batch", lang, batch=batch_id))
        if batch.status == "undone":
            raise CatalogError(i18n.t("undo.already", lang, batch=batch_id, at=f"{batch.undone_at:%Y-%m-%d %H:%M}"))
        if batch.kind == "undo":
            raise CatalogError(i18n.t("undo.of_undo", lang, batch=batch_id))
        if batch.status == "running" and alive(batch.options):
            raise CatalogError(i18n.t("undo.running", lang, batch=batch_id, pid=json.loads(batch.options).get("pid")))
        events = list(s.scalars(select(RecordEvent).where(RecordEvent.batch_id == batch_id).order_by(RecordEvent.id.desc())))
        last = {}
        for ev in events:
            last.setdefault(ev.record_id, ev.id)
        created_ids = [ev.record_id for ev in events if ev.kind == "created"]
        created_set = set(created_ids)
        if not force:
            conflicts = _conflicts(s, batch_id, last, created_set)
            if conflicts:
                listed = ", ".join(str(r) for r in sorted(set(conflicts))[:10])
                raise CatalogError(i18n.t("undo.conflicts", lang, batch=batch_id, ids=listed))
        now = utcnow()
        undo = Batch(kind="undo", source=str(batch_id), status="done", started_at=now, finished_at=now,
                     files=batch.files, options=json.dumps({"undo_of": batch_id}))
        s.add(undo)
        s.flush()
        for i in range(0, len(created_ids), rec.IDS_PER_STATEMENT):
            part = created_ids[i:i + rec.IDS_PER_STATEMENT]
            live = list(s.scalars(select(CatalogRecord.id).where(CatalogRecord.id.in_(part),
                                                                 CatalogRecord.deleted_at.is_(None))))
            s.execute(sql_delete(RecordKey).where(RecordKey.record_id.in_(part)))
            s.execute(sql_delete(Copy).where(Copy.record_id.in_(part)))
            if not live:
                continue
            done = s.execute(update(CatalogRecord).where(CatalogRecord.id.in_(live), CatalogRecord.deleted_at.is_(None))
                             .values(deleted_at=now, datestamp=now, deleted_reason=f"{UNDONE_REASON} batch {batch_id}"))
            withdrawn = s.execute(update(DigitalObject).where(DigitalObject.record_id.in_(live),
                                                              DigitalObject.deleted_at.is_(None)).values(deleted_at=now))
            s.execute(insert(RecordEvent), [
                {"record_id": rid, "batch_id": undo.id, "kind": "undone", "at": now, "source": f"batch {batch_id}",
                 "detail": f"undo of batch {batch_id}: added by it"} for rid in live
            ])
            counts["removed"] += done.rowcount
            counts["withdrawn"] += withdrawn.rowcount
        restored: dict[int, CatalogRecord] = {}
        applied: dict[int, list[tuple[str, str]]] = {}
        rekey: set[int] = set()
        for ev in events:
            if ev.kind == "created" or ev.record_id in created_set or ev.kind == "undone":
                continue
            row = s.get(CatalogRecord, ev.record_id)
            detail = _detail(ev)
            current = rec.snapshot(row)
            if ev.before and ev.kind != ABSORBED:
                old_copies = holdings.extract(rec.load(row), row.flavour)
                _restore(row, ev.before)
                if row.deleted_at is None:
                    sync_copies(s, row.id, old_copies, holdings.extract(rec.load(row), row.flavour))
                rekey.add(row.id)
            else:
                row.datestamp = now
            if "applied_keys" in detail:
                # Newest event first, so the oldest that kept keys wins: what the record had before the batch (it
                # gains APPLIED keys only by taking in a duplicate, whose absorbed event always keeps them).
                applied[row.id] = [(k, v) for k, v in detail["applied_keys"]]
                rekey.add(row.id)
            if "copies_added" in detail:
                rekey.add(row.id)
                s.execute(sql_delete(Copy).where(Copy.id.in_(detail["copies_added"])))
            if detail.get("moved"):
                _send_back(s, row.id, detail["moved"])
            if detail.get("withdrawn_objects"):
                _reinstate(s, detail["withdrawn_objects"])
            rec.add_event(s, row, "undone", batch=undo, source=f"batch {batch_id}",
                          detail=f"undo of batch {batch_id}: {ev.kind} restored", before=current)
            restored[row.id] = row
        # Events written before updates and deletions kept their keys say nothing of them: a record they
        # restore keeps the APPLIED keys it has (the batch could add some only by an absorbed event, which says).
        applied.update(rec.applied_keys(s, [rid for rid, row in restored.items()
                                            if row.deleted_at is None and rid in rekey and rid not in applied]))
        key_pairs = []
        for rid, row in restored.items():
            if row.deleted_at is not None:
                s.execute(sql_delete(RecordKey).where(RecordKey.record_id == rid))
            elif rid in rekey:
                key_pairs.append((rid, keys_of_row(row) + applied.get(rid, [])))
        counts["restored"] = len(restored)
        s.flush()
        write_keys(s, key_pairs)
        s.execute(update(Quarantine).where(Quarantine.batch_id == batch_id, Quarantine.resolved_at.is_(None))
                  .values(resolved_at=now))
        batch.status = "undone"
        batch.undone_at = now
        undo.counts = json.dumps(counts)
    return counts
