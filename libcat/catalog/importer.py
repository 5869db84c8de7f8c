"""Import records into the catalogue: read -> flavour -> classify -> validate -> match -> merge -> commit.

Each run is one batch (`batches` row, committed first with status ``running``). Records are committed
in chunks of ``chunk_size`` in one transaction each, so an interrupted import leaves a consistent
catalogue: every record of a committed chunk is complete with its event, keys and copies. Re-running
the same import is idempotent (matched records are "unchanged"), and the batch can be undone.

The hot path (new records) uses bulk inserts with the same columns and events as ``records.create``;
updates and deletions go through ``records.update`` / ``records.delete``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import gc
import hashlib
import itertools
import json
import multiprocessing
import os
import re
import socket
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from operator import itemgetter
from pathlib import Path
from typing import Any

from pymarc import Record
from sqlalchemy import delete as sql_delete
from sqlalchemy import func, insert, select, text, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from .. import dates, i18n
from ..kabis import classify, profiles
from ..marc import iso2709
from ..marc import keys as mkeys
from ..marc.fieldindex import FieldIndex, index
from ..marc.flavour import FLAVOURS, detect, set_flavour
from ..marc.items import ReadItem
from ..marc.marcjson import json_from_text, record_from_json, record_to_json
from ..marc.summary import summarize
from . import bulk, holdings, quarantine
from . import records as rec
from .models import Batch, CatalogRecord, Copy, Quarantine, RecordEvent, RecordKey, Subcatalog, utcnow
from .records import APPLIED, IDS_PER_STATEMENT, applied_keys
from .store import Catalog, CatalogError

DUPLICATE_ACTIONS = ("skip", "update", "merge")
#: Records an import must add (or a tenth of the catalogue) before the planner's statistics are refreshed.
ANALYZE_MIN_ADDED = 10_000
#: The tables an import fills, whose statistics the report and matching queries are planned with, as PostgreSQL
#: analyzes them: the groups at once, each on a connection of its own (one
#: ANALYZE runs on one CPU). Of a 200,000-record catalogue, records took 330-375 ms, copies 57, record_keys 65
#: and record_events 34: one after the other ~0.5 s, while the machine's other CPU had nothing to do (median of 8
#: refreshes alternated on a busy 2-CPU machine: 1,076 ms one after the other, 807 in these groups). SQLite's
#: ANALYZE writes, so a second connection would wait for the first: it analyzes the tables in turn (~0.26 s of
#: CPU at 200,000 records).
ANALYZE_GROUPS = (("records",), ("copies", "record_keys", "record_events"))
ANALYZED_TABLES = tuple(itertools.chain.from_iterable(ANALYZE_GROUPS))
#: Records per transaction. Bigger chunks rewrite the same index pages less often: importing 200,000
#: catalogue-sized records into SQLite, the writing process needed 145 µs of CPU (180 µs of wall time) per
#: record with 4,000, 104 (121) with 16,000, and no less with 32,000. Memory stays bounded by the chunk.
CHUNK_SIZE = 16000
#: Records per unit of work sent to a worker process (a chunk's worth plus ``2 * jobs`` units are in flight).
WORKER_UNIT = 1000
#: Records prepared together, each step over all of them before the next (``_Preparer.many``). Small enough
#: for a batch's records to stay in the CPU's cache: reading and preparing 20,000 catalogue-sized records
#: (``_prepare_raw``) took 148 µs of CPU per record in batches of 200 against 208 record by record (-29%);
#: batches of 100-250 were alike, 1,000 cost 156.
STAGE_SIZE = 200
#: Bytes of an ISO 2709 file read at a time by the importing process to cut it into units for the workers.
BLOCK_BYTES = 1 << 20
#: ISO 2709 files from this size on are read and prepared on worker processes (when ``jobs`` is not given).
PARALLEL_MIN_BYTES = 4_000_000
#: Scheduling priority of the worker processes relative to the process that writes to the database.
WORKER_NICE = 3
#: Page cache of an importing SQLite connection, in KiB (index updates of a big catalogue stay in memory).
SQLITE_CACHE_KB = 65536
#: Allocations between collections of the youngest generation while an import runs (Python's default: 700).
GC_YOUNG_THRESHOLD = 100_000
#: Warnings kept in the report's problem list; beyond that they are counted (``warnings_omitted``).
MAX_WARNINGS = 1000

i18n.register({
    "import.unreadable": {
        "en": "unreadable record: {reason}",
        "ru": "нечитаемая запись: {reason}",
        "kk": "оқылмайтын жазба: {reason}",
    },
    "import.no_records": {
        "en": "{file}: no records found",
        "ru": "{file}: записи не найдены",
        "kk": "{file}: жазбалар табылмады",
    },
    "import.duplicate": {
        "en": "duplicate of catalogue record {id} (same ISBN {isbn}); {action}",
        "ru": "дублет записи каталога {id} (тот же ISBN {isbn}); {action}",
        "kk": "каталогтағы {id} жазбасының дублеті (ISBN {isbn} бірдей); {action}",
    },
    "import.candidate": {
        "en": "possible duplicate of catalogue record {id} (same title, author and year); added, check with `libcat dedupe`",
        "ru": "возможный дублет записи каталога {id} (то же заглавие, автор и год); добавлена, проверьте `libcat dedupe`",
        "kk": "каталогтағы {id} жазбасының ықтимал дублеті (тақырыбы, авторы, жылы бірдей); қосылды, `libcat dedupe` арқылы тексеріңіз",
    },
    "import.earlier": {"en": "(earlier in this input)", "ru": "(ранее в этих данных)", "kk": "(осы деректерде бұрын)"},
    "import.action.skip": {"en": "skipped", "ru": "пропущена", "kk": "өткізілді"},
    "import.action.update": {"en": "existing record replaced", "ru": "существующая запись заменена", "kk": "бар жазба ауыстырылды"},
    "import.action.merge": {"en": "merged into the existing record", "ru": "объединена с существующей записью", "kk": "бар жазбамен біріктірілді"},
    "import.no_subcat": {
        "en": "sub-catalogue {code!r} of the profile rules does not exist in this catalogue; record left without one",
        "ru": "подкаталога {code!r} из правил профиля нет в этом каталоге; запись оставлена без подкаталога",
        "kk": "профиль ережелеріндегі {code!r} ішкі каталогы бұл каталогта жоқ; жазба ішкі каталогсыз қалды",
    },
    "import.repeated": {
        "en": "identifier {cn!r} occurs again in this import; the first record with it was kept, this one skipped",
        "ru": "идентификатор {cn!r} повторяется в этом импорте; оставлена первая запись с ним, эта пропущена",
        "kk": "{cn!r} идентификаторы осы импортта қайталанады; алғашқы жазба қалдырылды, бұл өткізілді",
    },
    "import.summary": {
        "en": "batch {batch}: read {read}, added {added}, updated {updated}, unchanged {unchanged}, "
              "duplicates {duplicates}, deleted {deleted}, rejected {rejected}",
        "ru": "пакет {batch}: прочитано {read}, добавлено {added}, обновлено {updated}, без изменений {unchanged}, "
              "дублетов {duplicates}, удалено {deleted}, отклонено {rejected}",
        "kk": "топтама {batch}: оқылды {read}, қосылды {added}, жаңартылды {updated}, өзгеріссіз {unchanged}, "
              "дублеттер {duplicates}, жойылды {deleted}, қабылданбады {rejected}",
    },
    "import.dry_run": {
        "en": "dry run: nothing was committed",
        "ru": "пробный запуск: ничего не сохранено",
        "kk": "сынақ іске қосу: ештеңе сақталмады",
    },
})


@dataclass
class ImportOptions:
    """How to import: target sub-catalogue, source (branch / harvest source), duplicates policy..."""

    into: str | None = None
    source: str = ""
    on_duplicate: str = "skip"
    dry_run: bool = False
    fmt: str | None = None
    encoding: str | None = None
    progress: bool = False
    lang: str | None = None
    chunk_size: int = CHUNK_SIZE
    profile: str | None = None
    #: Worker processes that read and prepare ISO 2709 files: None = one per CPU for big files, 1 = none.
    jobs: int | None = None


@dataclass
class Problem:
    """A rejected record, or a warning about one, with its place in the input."""

    position: int | None
    control_number: str | None
    severity: str
    code: str
    message: str
    file: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "position": self.position, "control_number": self.control_number, "severity": self.severity,
            "code": self.code, "message": self.message, "file": self.file,
        }


@dataclass
class ImportReport:
    """What an import did: counts, the batch id, and every problem met."""

    batch: int | None = None
    read: int = 0
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    duplicates: int = 0
    rejected: int = 0
    deleted: int = 0
    candidates: int = 0
    duplicate_actions: dict[str, int] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    warnings_omitted: int = 0
    dry_run: bool = False
    status: str = "done"

    def to_dict(self) -> dict[str, Any]:
        """The report as JSON-ready data (keys fixed by docs/architecture.md, plus a few more)."""
        return {
            "batch": self.batch, "read": self.read, "added": self.added, "updated": self.updated,
            "unchanged": self.unchanged, "duplicates": self.duplicates, "rejected": self.rejected,
            "problems": [p.to_dict() for p in self.problems], "deleted": self.deleted,
            "duplicate_candidates": self.candidates, "duplicate_actions": dict(self.duplicate_actions),
            "files": list(self.files), "warnings_omitted": self.warnings_omitted, "dry_run": self.dry_run,
            "status": self.status,
        }

    def counts(self) -> dict[str, int]:
        """Just the counts (stored on the batch row)."""
        d = self.to_dict()
        keys = ("read", "added", "updated", "unchanged", "duplicates", "rejected", "deleted", "duplicate_candidates")
        return {k: d[k] for k in keys}

    def summary(self, lang: str | None = None) -> str:
        """One line of counts in English, Russian or Kazakh."""
        text = i18n.t("import.summary", lang, batch=self.batch if self.batch is not None else "-", **{
            k: getattr(self, k) for k in ("read", "added", "updated", "unchanged", "duplicates", "deleted", "rejected")
        })
        return text + ("; " + i18n.t("import.dry_run", lang) if self.dry_run else "")

    @property
    def exit_code(self) -> int:
        """1 when any record was rejected, else 0."""
        return 1 if self.rejected else 0


#: The columns of a prepared record's ``row``, in the order ``_insert`` writes them (``entry_date`` last, as a
#: day number, ``date.toordinal``: pickling a date cost a worker 1.3 µs more; an empty one becomes the day of the
#: import there). A tuple, not a dict: unpickling the rows the workers send costs the writing process less.
ROW_COLUMNS = ("flavour", "data", "content_hash", "control_number", "title", "author", "year", "isbns", "language",
               "mark_kazakhstan", "mark_local_lore", "external_id", "entry_date")
_DATA, _HASH, _CN, _EXT = map(ROW_COLUMNS.index, ("data", "content_hash", "control_number", "external_id"))


@dataclass(slots=True)
class _Prepared:
    """A readable, valid record ready to be matched and written: its row (``ROW_COLUMNS``), keys, copies,
    sub-catalogue and warnings (those of reading first, then those of validation)."""

    position: int
    offset: int | None
    offset_unit: str
    file: str
    flavour: str
    row: tuple
    keys: list[tuple[str, str]]
    copies: list[dict[str, Any]]
    subcat: str | None
    warnings: list[Problem]
    loaded: Record | None = None

    @property
    def record(self) -> Record:
        """The record (rebuilt from its stored JSON when it was prepared in a worker process)."""
        if self.loaded is None:
            self.loaded = set_flavour(record_from_json(self.row[_DATA]), self.flavour)
        return self.loaded

    def where(self) -> str:
        """``file.iso: record 3 (byte 1234)``."""
        item = ReadItem(self.position, self.offset, b"", offset_unit=self.offset_unit)
        return item.where(Path(self.file).name if self.file else "")


@dataclass(slots=True)
class _Outcome:
    """An input item that is not imported as a record: a deletion, an unreadable or a rejected record."""

    item: ReadItem
    file: str
    kind: str
    read_warnings: list[Problem] = field(default_factory=list)
    errors: list[Problem] = field(default_factory=list)
    cn: str | None = None


def _validator():
    try:
        from ..marc.validate import validate
    except ImportError:
        return None
    return validate


def columns_for(record: Record, flavour: str, idx: FieldIndex | None = None,
                parts: iso2709.Parts | None = None) -> tuple[dict[str, Any], Any]:
    """Row columns extracted from a record, exactly as ``records.apply_record`` fills them (its JSON straight
    from ``parts``, the clean record's text, when given)."""
    data = _stored_json(record, parts)
    s = summarize(record, flavour, idx)
    columns = _row_columns(_row(flavour, data, rec.content_hash(data), s, None))
    del columns["external_id"]
    return columns, s


def _stored_json(record: Record, parts: iso2709.Parts | None) -> str:
    """The JSON a record is stored as (built from the clean record's text when there is one)."""
    return (parts is not None and json_from_text(*parts)) or record_to_json(record)


def _row(flavour: str, data: str | bytes, content_hash: str, s: Any, external_id: str | None) -> tuple:
    """The row (``ROW_COLUMNS``) of a record stored as ``data`` whose summary is ``s``."""
    return (flavour, data, content_hash, s.control_number[:200] if s.control_number else None, s.title,
            s.author[:500] if s.author else None, s.year, " ".join(s.isbns)[:500] or None, s.language,
            s.kazakhstan is not None, s.local_lore, external_id[:300] if external_id else None,
            s.entry_date and s.entry_date.toordinal())


def _row_columns(row: tuple) -> dict[str, Any]:
    """A row as a dictionary of column values (its entry date a date)."""
    return dict(zip(ROW_COLUMNS, (*row[:-1], row[-1] and _DAY(row[-1]))))


_DAY = dt.date.fromordinal


def completeness(record: Record) -> int:
    """How much a record says: its control fields plus its subfields (the survivor of a merge says most)."""
    return sum(1 if f.is_control_field() else len(f.subfields) for f in record.fields)


def write_keys(session: Session, pairs: list[tuple[int, list[tuple[str, str]]]]) -> None:
    """Replace the match keys of the given records (their ids bound ``IDS_PER_STATEMENT`` at a time)."""
    ids = [rid for rid, _ in pairs]
    for i in range(0, len(ids), IDS_PER_STATEMENT):
        session.execute(sql_delete(RecordKey).where(RecordKey.record_id.in_(ids[i:i + IDS_PER_STATEMENT])))
    rows = [{"record_id": rid, "kind": k, "value": v[:500]} for rid, ks in pairs for k, v in ks]
    if rows:
        session.execute(insert(RecordKey), rows)


def applied_key(source: str, identity: tuple[str, str], content_hash: str) -> tuple[str, str]:
    """The APPLIED key of content ``content_hash`` coming from ``identity`` of ``source``."""
    digest = hashlib.sha256("\x1f".join((source, *identity)).encode("utf-8")).hexdigest()
    return (APPLIED, f"{digest}:{content_hash}")


def row_applied_key(row: CatalogRecord) -> tuple[str, str] | None:
    """The APPLIED key of what a stored record holds now, under its own identity (None without one)."""
    if row.external_id:
        return applied_key(row.source, ("ext", row.external_id), row.content_hash)
    if row.control_number:
        return applied_key(row.source, ("cn", row.control_number), row.content_hash)
    return None


def keys_of_row(row: CatalogRecord) -> list[tuple[str, str]]:
    """Match keys of a stored record (ISBN, title key, and the content hash without an identity)."""
    record = rec.load(row)
    identity = row.control_number or row.external_id
    return mkeys.record_keys(record, row.flavour, None, None if identity else row.content_hash)


def sync_copies(session: Session, record_id: int, old: list[dict[str, Any]], new: list[dict[str, Any]]) -> list[int]:
    """Bring the copies of a record from its old content's copies to its new content's copies.

    Copies that came from elsewhere (moved by a merge) are left alone. Returns ids of inserted copies.
    """
    def ident(c: dict[str, Any]) -> tuple:
        return (c.get("inventory_number"), c.get("barcode"), c.get("location"))

    existing = {ident(_copy_dict(c)): c for c in session.scalars(select(Copy).where(Copy.record_id == record_id))}
    new_by = {ident(c): c for c in new}
    for c in old:
        k = ident(c)
        if k not in new_by and k in existing:
            session.delete(existing.pop(k))
    added = []
    for k, c in new_by.items():
        row = existing.get(k)
        if row is None:
            row = Copy(record_id=record_id, **c)
            session.add(row)
            session.flush()
            added.append(row.id)
        else:
            for col, v in c.items():
                if getattr(row, col) != v:
                    setattr(row, col, v)
    return added


def _copy_dict(c: Copy) -> dict[str, Any]:
    return {k: getattr(c, k) for k in ("inventory_number", "barcode", "location")}


class _Preparer:
    """The per-record work that needs no database: flavour, validation, columns, keys, copies, sub-catalogue.

    Picklable and stateless, so it runs the same inline or in a worker process. Records are prepared in
    batches, each step over the whole batch before the next (``many``).
    """

    def __init__(self, lang: str | None, into: str | None, classifier: classify.Classifier) -> None:
        self.lang = lang
        self.into = into
        self.classifier = classifier
        self.validate = _validator()

    def __call__(self, item: ReadItem, file: str, idx: FieldIndex | None = None,
                 parts: iso2709.Parts | None = None) -> _Outcome | _Prepared:
        """The outcome of one item (``many`` of one), for a caller with a single item."""
        return self.many(file, [(item, idx, parts)])[0]

    def many(self, file: str, batch: list[tuple[ReadItem, FieldIndex | None, iso2709.Parts | None]],
             data_bytes: bool = False) -> list[_Outcome | _Prepared]:
        """The outcome of each ``(item, field index, parts)`` of ``batch``: deleted, unreadable, rejected (with
        its errors), or prepared (its stored JSON as UTF-8 bytes with ``data_bytes``, as a worker sends it: the
        bytes its content hash is taken of, not encoded a second time).

        Every step reads a record through one field index (``idx``, made here when None); ``parts``, the
        clean record's text from ``iso2709.read_record_parts``, lets validation and JSON skip the fields.
        Each step runs over the whole batch before the next, so its code and data stay in the CPU's caches:
        29% less CPU per record than taking each record through every step in turn (see ``STAGE_SIZE``).
        """
        out: list[_Outcome | _Prepared | None] = [None] * len(batch)
        live: list[tuple[int, ReadItem, Record, str, FieldIndex, iso2709.Parts | None]] = []
        for i, (item, idx, parts) in enumerate(batch):
            if item.deleted:
                out[i] = _Outcome(item, file, "deleted")
            elif not item.ok:
                cn = item.control_number or raw_control_number(item.raw)
                err = Problem(item.position, cn, "error", "unreadable", item.error or "no record", file)
                out[i] = _Outcome(item, file, "unreadable", errors=[err], cn=cn)
            else:
                record = item.record
                idx = index(record) if idx is None else idx
                flavour = item.flavour if item.flavour in FLAVOURS else detect(record, idx)
                if getattr(record, "flavour", None) != flavour:
                    set_flavour(record, flavour)
                live.append((i, item, record, flavour, idx, parts))
        checked = self._checked(file, live, out)
        datas = [_stored_json(record, parts) for _, _, record, _, _, parts, _ in checked]
        summaries = [summarize(record, flavour, idx) for _, _, record, flavour, idx, _, _ in checked]
        exts = [item.external_id or (f"mfn:{item.mfn}" if item.mfn else None) for _, item, *_ in checked]
        encoded = list(map(str.encode, datas))  # UTF-8
        hashes = list(map(rec.content_hash, encoded))
        rows = list(map(_row, [c[3] for c in checked], encoded if data_bytes else datas, hashes, summaries, exts))
        record_keys = mkeys.record_keys
        keys = [record_keys(record, flavour, s, None if (row[_CN] or row[_EXT]) else row[_HASH], idx)
                for (_, _, record, flavour, idx, _, _), s, row in zip(checked, summaries, rows)]
        classify_one = self.classifier.classify
        codes = [self.into or classify_one(record, flavour, idx) for _, _, record, flavour, idx, _, _ in checked]
        extract = holdings.extract
        copies = [extract(record, flavour, idx) for _, _, record, flavour, idx, _, _ in checked]
        for (i, item, record, flavour, _, _, warnings), row, ks, code, cs in zip(checked, rows, keys, codes, copies):
            for w in warnings:
                w.control_number = w.control_number or row[_CN]
            out[i] = _Prepared(item.position, item.offset, item.offset_unit, file, flavour, row, ks, cs, code,
                               self._read_warnings(item, file) + warnings, record)
        return out  # type: ignore[return-value]

    def _read_warnings(self, item: ReadItem, file: str) -> list[Problem]:
        return [Problem(item.position, item.control_number, "warning", "read", w, file) for w in item.warnings]

    def _checked(self, file: str, live: list[tuple], out: list) -> list[tuple]:
        """The ``live`` entries that pass validation, each with its warnings appended; each rejected one
        becomes its outcome in ``out``."""
        if self.validate is None:
            return [(*entry, []) for entry in live]
        validate = self.validate
        found = [validate(record, flavour, item.position, idx, parts=parts)
                 for _, item, record, flavour, idx, parts in live]
        checked = []
        for entry, findings in zip(live, found):
            i, item, record, flavour, idx, _ = entry
            errors: list[Problem] = []
            warnings: list[Problem] = []
            for f in findings:
                msg = f.message(self.lang) if callable(getattr(f, "message", None)) else str(f)
                where = f"{f.tag or ''}{'$' + f.subfield if getattr(f, 'subfield', None) else ''}"
                text = f"{where}: {msg}" if where else msg
                p = Problem(item.position, item.control_number, f.severity, f.code, text, file)
                (errors if f.severity == "error" else warnings).append(p)
            if errors:
                scn = summarize(record, flavour, idx).control_number
                out[i] = _Outcome(item, file, "rejected", self._read_warnings(item, file), errors,
                                  (scn[:200] if scn else None) or item.control_number)
            else:
                checked.append((*entry, warnings))
        return checked


class _Run:
    """One import batch in progress."""

    def __init__(self, catalog: Catalog, options: ImportOptions, kind: str, label: str, files: list[str]):
        if options.on_duplicate not in DUPLICATE_ACTIONS:
            raise CatalogError(f"--on-duplicate must be one of {', '.join(DUPLICATE_ACTIONS)}, not {options.on_duplicate!r}")
        self.cat = catalog
        self.opt = options
        self.kind = kind
        self.report = ImportReport(files=files, dry_run=options.dry_run)
        self.lang = options.lang
        self.batch_id: int | None = None
        self.event_source = options.source or label or None
        with catalog.Session() as s:
            self.subcats = dict(s.execute(select(Subcatalog.code, Subcatalog.id)).all())
            self.has_quarantine = s.scalar(select(Quarantine.id).where(Quarantine.resolved_at.is_(None)).limit(1)) is not None
            # APPLIED keys only come from --on-duplicate update|merge: a skip run into a catalogue that has
            # none needn't look them up for every new record.
            self.track_applied = options.on_duplicate != "skip" or s.scalar(
                select(RecordKey.record_id).where(RecordKey.kind == APPLIED).limit(1)) is not None
            profile_name = options.profile or catalog.setting("profile") or profiles.DEFAULT_PROFILE
        if options.into is not None and options.into not in self.subcats:
            codes = ", ".join(self.subcats) or i18n.t("records.no_subcats", self.lang)
            raise CatalogError(i18n.t("records.no_subcat", self.lang, code=options.into, codes=codes))
        try:
            self.classifier = classify.load(profile_name)
        except profiles.ProfileError:
            self.classifier = classify.load(profiles.DEFAULT_PROFILE)
        self.warned_subcats: set[str] = set()
        self.preparer = _Preparer(self.lang, options.into, self.classifier)
        self.pool: Any = None
        self.fed = 0
        # Dry runs roll every chunk back, so what they "added" is remembered here instead.
        self.seen_identity: dict[tuple[str, str], str] = {}
        self.seen_keys: dict[tuple[str, str], int] = {}
        self.seen_complete: dict[tuple[str, str], int] = {}
        self.stats_checked = False
        #: ``report.added`` when this run last refreshed the planner's statistics (None: it has not).
        self.analyzed_at: int | None = None
        self.updated_ids: set[int] = set()
        self.warnings_kept = 0
        if not options.dry_run:
            self._open_batch(label, files)

    def _open_batch(self, label: str, files: list[str]) -> None:
        opts = {k: v for k, v in vars(self.opt).items() if k not in ("progress", "jobs")}
        opts.update(host=socket.gethostname(), pid=os.getpid(), label=label)
        with self.cat.session() as s:
            b = Batch(kind=self.kind, source=self.opt.source or None, files=json.dumps(files, ensure_ascii=False),
                      options=json.dumps(opts, ensure_ascii=False), status="running", started_at=utcnow())
            s.add(b)
            s.flush()
            self.batch_id = b.id
        self.report.batch = self.batch_id

    # -- problems ---------------------------------------------------------------------------------
    def problem(self, p: Problem) -> None:
        """Keep a problem for the report (warnings beyond MAX_WARNINGS are only counted)."""
        if p.severity != "error":
            if self.warnings_kept >= MAX_WARNINGS:
                self.report.warnings_omitted += 1
                return
            self.warnings_kept += 1
        self.report.problems.append(p)

    def _repeated(self, p: _Prepared, ident: tuple[str, str]) -> None:
        """The same record (identity) occurs again in this run: the first occurrence wins."""
        if ident[0] == "hash":
            self.report.unchanged += 1
            return
        self.report.duplicates += 1
        self.report.duplicate_actions["skip"] = self.report.duplicate_actions.get("skip", 0) + 1
        self.problem(Problem(p.position, p.row[_CN], "warning", "repeated",
                             i18n.t("import.repeated", self.lang, cn=ident[1]), p.file))

    # -- preparation ------------------------------------------------------------------------------
    def reject(self, session: Session, item: ReadItem, file: str, problems: list[Problem], cn: str | None) -> None:
        """Count the record as rejected and keep it, with its original bytes, in quarantine."""
        self.report.rejected += 1
        for p in problems:
            p.control_number = p.control_number or cn
            self.problem(p)
        reasons = "\n".join(f"{p.code}: {p.message}" for p in problems)
        if item.offset is not None and item.offset_unit != "byte":
            reasons = f"{item.offset_unit} {item.offset}\n{reasons}"
        earlier = quarantine.keep(session, {
            "batch_id": self.batch_id, "file": file or None, "position": item.position,
            "byte_offset": item.offset if item.offset_unit == "byte" else None,
            "format": self.opt.fmt or _format_of(file), "control_number": (cn or None) and cn[:200],
            "raw": item.raw or b"", "reasons": reasons, "created_at": utcnow(),
        })
        if earlier is not None:
            self.problem(Problem(item.position, cn, "warning", quarantine.ALREADY,
                                 i18n.t("quarantine.already", self.lang, id=earlier), file))

    # -- one chunk ----------------------------------------------------------------------------------
    def run_chunk(self, chunk: list[_Outcome | _Prepared]) -> None:
        """Process and commit (or, in a dry run, roll back) one chunk of items in one transaction."""
        with self.cat.Session() as s:
            try:
                self._chunk(s, chunk)
                if self.opt.dry_run:
                    s.rollback()
                else:
                    s.commit()
                    if not self.stats_checked and self.report.added:
                        self._refresh_statistics()
            except BaseException:
                s.rollback()
                raise

    def _refresh_statistics(self) -> None:
        """Once, after the first chunk that added records: refresh the statistics if that made them stale
        (``refresh_statistics``). Planned without statistics, each chunk's matching reads every live record
        (SQLite and PostgreSQL both), so a first import would slow down as the catalogue grows."""
        self.stats_checked = True
        try:
            if refresh_statistics(self.cat, self.report.added):
                self.analyzed_at = self.report.added
        except SQLAlchemyError:
            pass  # statistics only guide the planner: the import goes on, and refreshes them after the batch

    def _chunk(self, s: Session, chunk: list[_Outcome | _Prepared]) -> None:
        source = self.opt.source or ""
        if s.get_bind().dialect.name == "sqlite":
            s.execute(text(f"PRAGMA cache_size=-{SQLITE_CACHE_KB}"))
        prepared: list[_Prepared] = []
        deletions: list[tuple[ReadItem, str]] = []
        self.report.read += len(chunk)
        for p in chunk:
            if isinstance(p, _Outcome):
                if p.kind == "deleted":
                    deletions.append((p.item, p.file))
                    continue
                for w in p.read_warnings:
                    self.problem(w)
                self.reject(s, p.item, p.file, p.errors, p.cn)
                continue
            code = p.subcat
            if code is not None and code not in self.subcats:
                if code not in self.warned_subcats:
                    self.warned_subcats.add(code)
                    p.warnings.append(Problem(p.position, p.row[_CN], "warning", "no-subcatalog",
                                              i18n.t("import.no_subcat", self.lang, code=code), p.file))
                p.subcat = None
            for w in p.warnings:
                self.problem(w)
            prepared.append(p)
        if deletions:
            self._deletions(s, source, deletions)
        if not prepared:
            return
        existing = self._identities(s, source, prepared)
        new: list[_Prepared] = []
        pending: dict[tuple[str, str], _Prepared] = {}
        changed: list[tuple[_Prepared, int]] = []
        for p in prepared:
            row = p.row
            ident = _identity(row)
            hit = existing.get(ident)
            this_run = hit is not None and (
                (self.batch_id is not None and hit[3] == self.batch_id) or hit[0] in self.updated_ids
            )
            if ident in pending or ident in self.seen_identity or this_run:
                self._repeated(p, ident)
                continue
            if hit is not None:
                rid, h, flav, _ = hit
                if h == row[_HASH] and flav == p.flavour:
                    self.report.unchanged += 1
                else:
                    changed.append((p, rid))
                    self.updated_ids.add(rid)
                continue
            new.append(p)
            pending[ident] = p
        if changed:
            self._updates(s, changed)
        if new:
            new = self._duplicates(s, new)
        if new:
            self._insert(s, source, new)
        if self.has_quarantine and not self.opt.dry_run:
            cns = [p.row[_CN] for p in prepared if p.row[_CN]]
            if cns:
                s.execute(update(Quarantine).where(Quarantine.resolved_at.is_(None),
                                                   bulk.among(s, Quarantine.control_number, cns))
                          .values(resolved_at=utcnow()))

    def _identities(self, s: Session, source: str, prepared: list[_Prepared]) -> dict[tuple[str, str], tuple]:
        """Live records of this source with the same external id, control number or (without both) content."""
        wanted: dict[str, set[str]] = {"ext": set(), "cn": set(), "hash": set()}
        for kind, value in map(_identity, [p.row for p in prepared]):
            wanted[kind].add(value)
        by_ext, by_cn, by_hash = wanted["ext"], wanted["cn"], wanted["hash"]
        out: dict[tuple[str, str], tuple] = {}
        base = select(CatalogRecord.id, CatalogRecord.content_hash, CatalogRecord.flavour, CatalogRecord.batch_id)
        live = (CatalogRecord.source == source, CatalogRecord.deleted_at.is_(None))
        if by_ext:
            for rid, h, flav, b, ext in s.execute(base.add_columns(CatalogRecord.external_id)
                                                  .where(*live, bulk.among(s, CatalogRecord.external_id, by_ext))
                                                  .order_by(CatalogRecord.id)):
                out.setdefault(("ext", ext), (rid, h, flav, b))
        if by_cn:
            for rid, h, flav, b, cn in s.execute(base.add_columns(CatalogRecord.control_number)
                                                 .where(*live, bulk.among(s, CatalogRecord.control_number, by_cn))
                                                 .order_by(CatalogRecord.id)):
                out.setdefault(("cn", cn), (rid, h, flav, b))
        if by_hash:
            q = (base.join(RecordKey, RecordKey.record_id == CatalogRecord.id)
                 .where(*live, RecordKey.kind == mkeys.CONTENT, bulk.among(s, RecordKey.value, by_hash)))
            for rid, h, flav, b in s.execute(q):
                out.setdefault(("hash", h), (rid, h, flav, b))
        return out

    def _deletions(self, s: Session, source: str, items: list[tuple[ReadItem, str]]) -> None:
        """Tombstone the records that deleted items (MST deleted records, OAI deleted headers) name."""
        named: dict[int, tuple[CatalogRecord, str]] = {}
        for item, file in items:
            row = None
            ext = item.external_id or (f"mfn:{item.mfn}" if item.mfn else None)
            live = (CatalogRecord.source == source, CatalogRecord.deleted_at.is_(None))
            if ext:
                row = s.scalar(select(CatalogRecord).where(*live, CatalogRecord.external_id == ext).order_by(CatalogRecord.id).limit(1))
            cn = item.control_number
            if row is None and not cn and item.record is not None:
                cn = summarize(item.record).control_number
            if row is None and cn:
                row = s.scalar(select(CatalogRecord).where(*live, CatalogRecord.control_number == cn).order_by(CatalogRecord.id).limit(1))
            if row is None or row.id in named:
                self.report.unchanged += 1
                continue
            named[row.id] = (row, file)
        kept = applied_keys(s, list(named))
        for rid, (row, file) in named.items():
            rec.delete(s, row, reason=f"deleted in source {source or file}".strip(), batch=self._batch_ref(),
                       source=self.event_source, applied=kept[rid])
            self.report.deleted += 1

    def _batch_ref(self) -> Batch | None:
        if self.batch_id is None:
            return None
        b = Batch()
        b.id = self.batch_id
        return b

    def _updates(self, s: Session, changed: list[tuple[_Prepared, int]]) -> None:
        """Replace changed records through ``records.update`` (an `updated` event with the old state)."""
        ids = [rid for _, rid in changed]
        rows = {r.id: r for i in range(0, len(ids), IDS_PER_STATEMENT)
                for r in s.scalars(select(CatalogRecord).where(CatalogRecord.id.in_(ids[i:i + IDS_PER_STATEMENT])))}
        kept = applied_keys(s, list(rows))
        key_pairs = []
        for p, rid in changed:
            row = rows[rid]
            old = holdings.extract(rec.load(row), row.flavour)
            rec.update(s, row, p.record, p.flavour, batch=self._batch_ref(), source=self.event_source,
                       detail=p.where(), applied=kept[rid])
            if p.row[_EXT] and not row.external_id:
                row.external_id = p.row[_EXT]
            if self.opt.into is not None or row.subcat_id is None:
                row.subcat_id = self.subcats.get(p.subcat) if p.subcat else row.subcat_id
            key_pairs.append((rid, p.keys + kept[rid]))
            sync_copies(s, rid, old, p.copies)
            self.report.updated += 1
        s.flush()
        write_keys(s, key_pairs)

    def _duplicates(self, s: Session, new: list[_Prepared]) -> list[_Prepared]:
        """Find duplicates (ISBN) and candidates (title/author/year) of new records; apply --on-duplicate."""
        wanted: dict[str, set[str]] = {mkeys.ISBN: set(), mkeys.TITLE: set(), APPLIED: set()}
        source = self.opt.source or ""
        marks = {id(p): applied_key(source, _identity(p.row), p.row[_HASH]) for p in new} if self.track_applied else {}
        wanted[APPLIED] = {v for _, v in marks.values()}
        for p in new:
            for k, v in p.keys:
                if k in wanted:
                    wanted[k].add(v[:500])
        found: dict[tuple[str, str], int] = {}
        for kind, values in wanted.items():
            if not values:
                continue
            q = (select(RecordKey.value, RecordKey.record_id)
                 .join(CatalogRecord, CatalogRecord.id == RecordKey.record_id)
                 .where(RecordKey.kind == kind, bulk.among(s, RecordKey.value, values), CatalogRecord.deleted_at.is_(None))
                 .order_by(RecordKey.record_id))
            for value, rid in s.execute(q):
                found.setdefault((kind, value), rid)
        keep: list[_Prepared] = []
        chunk_keys: dict[tuple[str, str], int] = {}
        # Keys found in the catalogue win over those added earlier in this (dry) run, as ``found or seen`` would.
        known = {**self.seen_keys, **found} if self.seen_keys else found
        isbn_kind, title_kind = mkeys.ISBN, mkeys.TITLE
        for p in new:
            if marks and marks[id(p)] in found:
                self.report.unchanged += 1
                continue
            keys = [(k, v[:500]) for k, v in p.keys]
            if not _unmet(keys, known, chunk_keys):
                dup = None
                for (k, v), key in zip(p.keys, keys):
                    if k == isbn_kind:
                        rid = known.get(key)
                        if rid is None and key in chunk_keys:
                            rid = -chunk_keys[key] - 1
                        if rid is not None:
                            dup = (rid, v)
                            break
                if dup is not None:
                    self._duplicate(s, p, dup, keep, marks)
                    continue
                for key in keys:
                    if key[0] == title_kind:
                        rid = known.get(key)
                        if rid is None and key in chunk_keys:
                            rid = i18n.t("import.earlier", self.lang)
                        if rid is not None:
                            self.report.candidates += 1
                            self.problem(Problem(p.position, p.row[_CN], "warning", "duplicate-candidate",
                                                 i18n.t("import.candidate", self.lang, id=rid), p.file))
                            break
            for key in keys:
                if key[0] in wanted:
                    chunk_keys.setdefault(key, len(keep))
            keep.append(p)
        return keep

    def _duplicate(self, s: Session, p: _Prepared, dup: tuple[int, str], keep: list[_Prepared],
                   marks: dict[int, tuple[str, str]]) -> None:
        """Apply --on-duplicate to a record whose ISBN is already in the catalogue (or earlier in this chunk);
        the record that holds the result remembers (APPLIED keys) which incoming contents it took in."""
        rid, isbn = dup
        action = self.opt.on_duplicate
        self.report.duplicates += 1
        self.report.duplicate_actions[action] = self.report.duplicate_actions.get(action, 0) + 1
        label = rid if rid >= 0 else i18n.t("import.earlier", self.lang)
        self.problem(Problem(p.position, p.row[_CN], "warning", "duplicate",
                             i18n.t("import.duplicate", self.lang, id=label, isbn=isbn,
                                    action=i18n.t(f"import.action.{action}", self.lang)), p.file))
        if action == "skip":
            return
        if rid < 0:
            # The record it duplicates is still pending in this chunk: merge or replace it there.
            first = keep[-rid - 1]
            if action == "update" or completeness(p.record) > completeness(first.record):
                extra = [c for c in first.copies if c not in p.copies] if action == "merge" else []
                p.copies = p.copies + extra
                p.keys += [marks[id(first)], *(k for k in first.keys if k[0] == APPLIED)]
                keep[-rid - 1] = p
            else:
                first.copies = first.copies + [c for c in p.copies if c not in first.copies]
                first.keys.append(marks[id(p)])
            return
        row = s.get(CatalogRecord, rid)
        if row is None:
            self._dry_duplicate(p, (mkeys.ISBN, isbn[:500]), action)
            return
        before_copies = holdings.extract(rec.load(row), row.flavour)
        had = applied_keys(s, [rid])[rid]
        applied = [k for k in (row_applied_key(row), marks[id(p)]) if k] + had
        if action == "update" or completeness(p.record) > completeness(rec.load(row)):
            rec.update(s, row, p.record, p.flavour, batch=self._batch_ref(), source=self.event_source,
                       detail=f"{p.where()}: duplicate ({action})", applied=had)
            self.report.updated += 1
        write_keys(s, [(rid, keys_of_row(row) + list(dict.fromkeys(applied)))])
        ids: list[int] = []
        if action == "update":
            sync_copies(s, rid, before_copies, p.copies)
        else:
            have = {(c.inventory_number, c.barcode) for c in s.scalars(select(Copy).where(Copy.record_id == rid))}
            for c in p.copies:
                if (c["inventory_number"], c["barcode"]) not in have:
                    cp = Copy(record_id=rid, **c)
                    s.add(cp)
                    s.flush()
                    ids.append(cp.id)
        # Always an event, with the APPLIED keys the record had: undo gives back exactly those.
        rec.add_event(s, row, rec.ABSORBED, batch=self._batch_ref(), source=self.event_source,
                      detail=json.dumps({"note": f"{p.where()}: a duplicate taken in", "copies_added": ids,
                                         "applied_keys": had}, ensure_ascii=False))

    def _dry_duplicate(self, p: _Prepared, key: tuple[str, str], action: str) -> None:
        """Count a duplicate of a record this dry run added in an earlier chunk (rolled back, so not in the
        catalogue) as a real run would: updated when it replaces the record (update, or a more complete one)."""
        if action == "update":
            self.report.updated += 1
            return
        mine = completeness(p.record)
        if mine > self.seen_complete.get(key, 0):
            self.report.updated += 1
            self.seen_complete[key] = mine

    def _insert(self, s: Session, source: str, new: list[_Prepared]) -> None:
        """Bulk-insert new records with their `created` events, match keys and copies (one driver call per table)."""
        now = utcnow()
        today = now.date()
        ids = bulk.reserve_ids(s, len(new), self.batch_id)
        subcats = self.subcats
        bulk.insert_rows(s, CatalogRecord.__table__, [*ROW_COLUMNS, "source", "subcat_id", "created_at", "datestamp",
                                                      "batch_id", "own_publication", "id"], [
            (*p.row[:-1], _DAY(p.row[-1]) if p.row[-1] else today, source, subcats.get(p.subcat) if p.subcat else None,
             now, now, self.batch_id, False, rid)
            for p, rid in zip(new, ids)
        ], utf8=("data",))
        bulk.insert_rows(s, RecordEvent.__table__, ["record_id", "batch_id", "kind", "at", "source"],
                     [(rid, self.batch_id, "created", now, self.event_source) for rid in ids])
        bulk.insert_rows(s, RecordKey.__table__, ["record_id", "kind", "value"],
                     [(rid, k, v[:500]) for rid, p in zip(ids, new) for k, v in p.keys])
        copies = [(c, rid) for rid, p in zip(ids, new) for c in p.copies]
        if copies:
            copy_cols = list(copies[0][0])
            copy_values = itemgetter(*copy_cols)
            bulk.insert_rows(s, Copy.__table__, [*copy_cols, "record_id"], [(*copy_values(c), rid) for c, rid in copies])
        self.report.added += len(ids)
        if self.opt.dry_run:
            for rid, p in zip(ids, new):
                self.seen_identity[_identity(p.row)] = p.row[_HASH]
                for k, v in p.keys:
                    self.seen_keys.setdefault((k, v[:500]), rid)
                    if k == mkeys.ISBN and self.opt.on_duplicate == "merge":  # what a merge compares
                        self.seen_complete.setdefault((k, v[:500]), completeness(p.record))

    # -- the whole run --------------------------------------------------------------------------------
    def _chunk_size(self) -> int:
        return max(1, int(self.opt.chunk_size or CHUNK_SIZE))

    def feed(self, batches: Iterable[list[_Outcome | _Prepared]]) -> None:
        """Process all outcomes, which come in batches, in chunks (``fed`` counts them as they come). Batches,
        not single outcomes: a record passing through generators one at a time cost the writing process more."""
        size = self._chunk_size()
        chunk: list[_Outcome | _Prepared] = []
        for batch in self._progress(batches):
            while batch:
                room = size - len(chunk)
                chunk += batch[:room]
                self.fed += min(room, len(batch))
                batch = batch[room:]
                if len(chunk) >= size:
                    self.run_chunk(chunk)
                    chunk = []
        if chunk:
            self.run_chunk(chunk)

    def _progress(self, batches: Iterable[list]) -> Iterable[list]:
        if not self.opt.progress:
            return batches
        return _counted(batches)

    def item_batches(self, items: Iterable[tuple[ReadItem, str]]) -> Iterator[list[_Outcome | _Prepared]]:
        """Outcomes of items already read, prepared in this process in batches of at most ``STAGE_SIZE`` that
        end at each file's end and at each chunk's end: the source is never asked for an item of the next
        chunk before this one is written (a harvest saves its resumption token when asked, see ``oai.harvester``)."""
        size = self._chunk_size()
        for file, group in itertools.groupby(items, key=itemgetter(1)):
            while batch := list(itertools.islice(group, min(STAGE_SIZE, size - self.fed % size))):
                yield self.preparer.many(file, [(item, None, None) for item, _ in batch])

    def file_batches(self, paths: list[str]) -> Iterator[list[_Outcome | _Prepared]]:
        """Outcomes of every record of the files in order, in batches; big ISO 2709 files are prepared on worker
        processes."""
        for path in paths:
            plan = _parallel_plan(path, self.opt)
            if plan is None:
                yield from self.item_batches(_read_files([path], self.opt))
                continue
            jobs, encoding = plan
            if self.pool is None:
                ctx = multiprocessing.get_context("fork")
                self.pool = ctx.Pool(jobs, initializer=_init_worker, initargs=(self.preparer, self.cat.engine))
            chunk = self._chunk_size()
            unit_size = min(WORKER_UNIT, chunk)
            # The workers may run a whole chunk ahead: while this process writes one chunk they prepare the next.
            ahead = 2 * jobs + -(-chunk // unit_size)
            pending: deque = deque()
            identity = _file_identity(path)
            for unit in _raw_units(path, unit_size):
                pending.append(self.pool.apply_async(_prepare_raw, (path, unit, encoding, identity)))
                while len(pending) > ahead:
                    yield list(map(_unpack, pending.popleft().get()))
            while pending:
                yield list(map(_unpack, pending.popleft().get()))

    def close_pool(self) -> None:
        """Stop the worker processes, if any were started."""
        if self.pool is not None:
            self.pool.terminate()
            self.pool.join()
            self.pool = None

    def finish(self, status: str = "done") -> ImportReport:
        """Mark the batch done (or failed) with its counts."""
        self.report.status = status if not self.opt.dry_run else "dry-run"
        if self.batch_id is not None:
            with self.cat.session() as s:
                s.execute(update(Batch).where(Batch.id == self.batch_id).values(
                    status=status, finished_at=utcnow(), counts=json.dumps(self.report.counts())))
        return self.report


_RAW_CN = (re.compile(rb"^#903: ?([^\r\n^]+)", re.M), re.compile(rb"^=001  ([^\r\n]+)", re.M))


def raw_control_number(raw: bytes | None) -> str | None:
    """Best-effort control number of an unreadable record (IRBIS 903, MarcBreaker or ISO 2709 001)."""
    if not raw:
        return None
    for rx in _RAW_CN:
        m = rx.search(raw)
        if m:
            return m.group(1).decode("utf-8", "replace").strip()[:200] or None
    try:
        base = int(raw[12:17])
        for i in range(24, base - 1, 12):
            if raw[i:i + 3] == b"001":
                length, start = int(raw[i + 3:i + 7]), int(raw[i + 7:i + 12])
                return raw[base + start:base + start + length].rstrip(b"\x1e").decode("utf-8", "replace").strip() or None
    except (ValueError, IndexError):
        return None
    return None


def _unmet(keys: list[tuple[str, str]], known: dict, chunk_keys: dict) -> bool:
    """Whether none of a new record's ``keys`` was met before (in the catalogue, earlier in a dry run or in its
    chunk): then it is neither a duplicate nor a candidate, and ``_Run._duplicates`` skips its loops over them
    (``_duplicates`` over a chunk of 16,000 bench records with 6 duplicates, SQLite: 28,400 -> 26,700
    instructions a record, callgrind)."""
    return known.keys().isdisjoint(keys) and chunk_keys.keys().isdisjoint(keys)


def _identity(row: tuple) -> tuple[str, str]:
    """What a record (its ``row``) is matched by within its source: external id, else control number, else
    its content."""
    if row[_EXT]:
        return ("ext", row[_EXT])
    if row[_CN]:
        return ("cn", row[_CN])
    return ("hash", row[_HASH])


def _format_of(file: str) -> str | None:
    ext = Path(file).suffix.lower().lstrip(".") if file else ""
    return {"iso": "iso2709", "mrc": "iso2709", "xml": "marcxml", "txt": "irbis", "mrk": "mrk",
            "json": "json", "mst": "mst"}.get(ext)


def _run(catalog: Catalog, options: ImportOptions, kind: str, label: str, files: list[str],
         batches: Callable[[_Run], Iterable[list[_Outcome | _Prepared]]]) -> ImportReport:
    run = _Run(catalog, options, kind, label, files)
    try:
        with catalog.background_checkpoints(), _fewer_collections():
            run.feed(batches(run))
    except BaseException:
        run.close_pool()
        if run.batch_id is not None:
            run.finish("failed")
        raise
    run.close_pool()
    report = run.finish("done")
    if not options.dry_run and run.analyzed_at != report.added:
        refresh_statistics(catalog, report.added)
    return report


def _counted(batches: Iterable[list]) -> Iterator[list]:
    """The batches as they are, with a progress bar of the records in them."""
    from tqdm import tqdm

    with tqdm(unit=" rec", desc="import", mininterval=0.5, leave=False) as bar:
        for batch in batches:
            yield batch
            bar.update(len(batch))


@contextlib.contextmanager
def _fewer_collections() -> Iterator[None]:
    """Run the cyclic garbage collector less often while a chunk of prepared records is held in memory.

    Each chunk keeps tens of thousands of small dicts and lists alive until it is written, and the default
    thresholds walk them again and again (about 12 µs of the writing process's CPU per record at 200,000
    records); nothing an import makes depends on cycles being collected early.
    """
    old = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(GC_YOUNG_THRESHOLD, *old[1:])
    try:
        yield
    finally:
        gc.set_threshold(*old)
        gc.unfreeze()


def refresh_statistics(catalog: Catalog, added: int) -> bool:
    """Refresh the planner's statistics of the tables an import fills when it added many records
    (``ANALYZE_MIN_ADDED``, or a tenth of the catalogue), so the report queries keep their plans. The importer
    runs it after the first chunk that crosses that line (so the rest of a first import is matched by index
    probes) and after the batch; each time in transactions of its own (on PostgreSQL, ``ANALYZE_GROUPS`` at
    once). Returns whether it ran."""
    if added <= 0:
        return False
    with catalog.session() as s:
        if added < ANALYZE_MIN_ADDED and added * 10 < (s.scalar(select(func.count()).select_from(CatalogRecord)) or 0):
            return False
        if catalog.dialect != "postgresql":
            for table in ANALYZED_TABLES:
                s.execute(text(f"ANALYZE {table}"))
            return True
    with ThreadPoolExecutor(len(ANALYZE_GROUPS)) as pool:
        list(pool.map(functools.partial(_analyze, catalog), ANALYZE_GROUPS))
    return True


def _analyze(catalog: Catalog, tables: tuple[str, ...]) -> None:
    """ANALYZE ``tables`` in a transaction of its own (on a connection of its own)."""
    with catalog.engine.begin() as c:
        c.execute(text(f"ANALYZE {', '.join(tables)}"))


def import_items(
    catalog: Catalog, items: Iterable[ReadItem], options: ImportOptions, *, kind: str = "import", label: str = "",
) -> ImportReport:
    """Import records already read (by a harvester or a reader) as one batch."""
    return _run(catalog, options, kind, label, [label] if label else [],
                lambda run: run.item_batches((it, label) for it in items))


def _read_files(paths: list[str], options: ImportOptions) -> Iterator[tuple[ReadItem, str]]:
    from ..marc import io as marc_io

    for path in paths:
        try:
            for item in marc_io.read(path, options.fmt, options.encoding, options.lang):
                yield item, path
        except CatalogError:
            raise
        except (OSError, ValueError, LookupError) as exc:
            raise CatalogError(f"{path}: {exc}") from None


def _cpus() -> int:
    """CPUs this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def _parallel_plan(path: str, options: ImportOptions) -> tuple[int, str | None] | None:
    """(worker processes, encoding) when ``path`` is an ISO 2709 file worth preparing in parallel, else None."""
    from ..marc import encoding as enc
    from ..marc import io as marc_io

    jobs = options.jobs if options.jobs is not None else _cpus()
    if jobs < 2 or options.fmt not in (None, "iso2709") or path == "-" or path.lower().endswith(".mst"):
        return None
    if "fork" not in multiprocessing.get_all_start_methods() or not hasattr(os, "pread"):
        return None
    try:
        if options.jobs is None and os.path.getsize(path) < PARALLEL_MIN_BYTES:
            return None
        with open(path, "rb") as fh:
            head = fh.read(65536)
        if not head.strip() or (options.fmt is None and marc_io.detect_format(head, path) != "iso2709"):
            return None
        return jobs, enc.normalize_name(options.encoding) if options.encoding else None
    except (OSError, ValueError, LookupError):
        return None


def _raw_units(path: str, size: int) -> Iterator[tuple[int, int, list[int], list[int]]]:
    """Units of ``size`` records of an ISO 2709 file as ``(first position, byte offset, starts, ends)``: record
    ``i`` is the bytes ``starts[i]:ends[i]`` from the offset, which the workers read themselves
    (``_unit_records``) instead of this process sending them.

    Where each record of a block starts with a leader length no greater than its length up to its first 0x1D,
    ``iso2709.iter_chunks`` cuts it exactly at that 0x1D, so such records are found by splitting blocks at
    0x1D. From the first unit that is not so, the rest of the file is cut by ``iter_chunks`` itself.
    """
    try:
        with open(path, "rb") as fh:
            position, offset = 1, 0
            lengths: list[int] = []
            rest = b""
            while more := fh.read(BLOCK_BYTES):
                pieces = (rest + more).split(iso2709.RT_B)
                rest = pieces.pop()
                found = _plain_lengths(pieces)
                if not found:
                    break
                lengths += found
                while len(lengths) >= size:
                    position, offset, unit = _plain_unit(position, offset, lengths[:size])
                    yield unit
                    del lengths[:size]
            else:
                if not rest:
                    if lengths:
                        yield _plain_unit(position, offset, lengths)[2]
                    return
            fh.seek(offset)
            yield from _chunk_units(fh, position, offset, size)
    except (OSError, ValueError, LookupError) as exc:
        raise CatalogError(f"{path}: {exc}") from None


#: A record's first five bytes, its leader's length (a C callable: no Python call per record).
_HEAD = itemgetter(slice(0, 5))
#: ``n + 1``: a record's length with the 0x1D that ends it (a bound C method, like ``_HEAD``).
_WITH_RT = (1).__add__


def _plain_lengths(pieces: list[bytes]) -> list[int]:
    """The length of each record of ``pieces`` (bytes split at 0x1D), its 0x1D counted, when ``iter_chunks``
    would cut each of them as one record: each starts with a leader length (five digits, so no padding and
    no empty record) no greater than its length; else (or for no pieces) []. C-level loops only."""
    heads = list(map(_HEAD, pieces))
    digits = b"".join(heads)
    if len(digits) != 5 * len(heads) or not digits.isdigit():
        return []
    lengths = list(map(_WITH_RT, map(len, pieces)))
    return [] if any(map(int.__gt__, map(int, heads), lengths)) else lengths


def _plain_unit(position: int, offset: int, lengths: list[int]) -> tuple[int, int, tuple]:
    """(next position, next offset, the unit) of records of ``lengths`` bytes one after the other."""
    bounds = list(itertools.accumulate(lengths, initial=0))
    return position + len(lengths), offset + bounds[-1], (position, offset, bounds[:-1], bounds[1:])


def _chunk_units(fh: Any, position: int, offset: int, size: int) -> Iterator[tuple[int, int, list[int], list[int]]]:
    """``_raw_units`` from record ``position`` at byte ``offset`` (where ``fh`` stands) to the end, as
    ``iter_chunks`` cuts the records (it cuts the same from any record's start: it always holds the next
    200,000 bytes or the rest of the file)."""
    starts: list[int] = []
    ends: list[int] = []
    first = base = 0
    for pos, (at, chunk) in enumerate(iso2709.iter_chunks(fh), position):
        if not starts:
            first, base = pos, at
        starts.append(at - base)
        ends.append(at - base + len(chunk))
        if len(starts) >= size:
            yield first, offset + base, starts, ends
            starts, ends = [], []
    if starts:
        yield first, offset + base, starts, ends


def _file_identity(path: str) -> tuple[int, int, int, int]:
    """What tells the file read at the start of an import from one moved or written over since."""
    try:
        st = os.stat(path)
    except OSError as exc:
        raise CatalogError(f"{path}: {exc.strerror or exc}") from None
    return st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns


def _unit_records(path: str, unit: tuple[int, int, list[int], list[int]],
                  identity: tuple[int, int, int, int] | None = None) -> list[tuple[int, int, bytes]]:
    """The records of a unit of ``_raw_units`` as ``(position, byte offset, bytes)``, read from the file (which
    must still be the one of ``identity``, when given: the file the import started with)."""
    position, offset, starts, ends = unit
    try:
        with open(path, "rb") as fh:
            st = os.fstat(fh.fileno())
            if identity is not None and (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns) != identity:
                raise CatalogError(f"{path}: the file changed or was replaced while it was imported")
            data = os.pread(fh.fileno(), ends[-1], offset)
    except OSError as exc:
        raise CatalogError(f"{path}: {exc.strerror or exc} (the file must stay in place while it is imported)") from None
    if len(data) != ends[-1]:
        raise CatalogError(f"{path}: the file changed while it was imported")
    chunks = map(data.__getitem__, map(slice, starts, ends))
    return list(zip(itertools.count(position), map(offset.__add__, starts), chunks))


_WORKER: _Preparer | None = None


def _init_worker(preparer: _Preparer, engine: Any) -> None:
    """Set up a worker process: the preparer, no database connections, a lower priority than the writing
    process (which must never wait for CPU while workers are ahead of it), and exit with the parent."""
    global _WORKER
    _WORKER = preparer
    engine.dispose(close=False)
    os.nice(WORKER_NICE)
    try:
        import ctypes
        import signal

        ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG: die when the importing process dies
    except (OSError, AttributeError):
        pass


def _prepare_raw(file: str, unit: tuple, encoding: str | None,
                 identity: tuple[int, int, int, int] | None = None) -> list[_Outcome | tuple]:
    """Read and prepare the records of a unit of ``_raw_units`` in a worker, exactly as ``io.read`` and the
    preparer do inline, ``STAGE_SIZE`` records at a time (each step over all of them before the next, see
    ``_Preparer.many``).

    Prepared records travel back as plain tuples, dictionaries and lists (``_pack``): unpickling those is
    done in C, while every dataclass costs the writing process a Python call.
    """
    records = _unit_records(file, unit, identity)
    out: list[_Outcome | tuple] = []
    for start in range(0, len(records), STAGE_SIZE):
        for o in _WORKER.many(file, _read_raw(records[start:start + STAGE_SIZE], encoding), data_bytes=True):
            if isinstance(o, _Outcome):
                o.item.record = None
                out.append(o)
            else:
                out.append(_pack(o))
    return out


def _read_raw(unit: list[tuple[int, int, bytes]], encoding: str | None,
              ) -> list[tuple[ReadItem, FieldIndex | None, iso2709.Parts | None]]:
    """Raw ISO 2709 records read as ``io.read`` reads them (flavour and control number noted), each with
    its field index and clean text; each step over all records before the next. A clean record's fields are
    made only when a step looks them up (``iso2709.read_record_lazy``)."""
    from ..marc import io as marc_io

    read_lazy = iso2709.read_record_lazy
    read: list[tuple[ReadItem, FieldIndex | None, iso2709.Parts | None]] = []
    for position, offset, chunk in unit:
        try:
            record, _, warnings, parts, idx = read_lazy(chunk, encoding)
        except iso2709.RecordError as exc:
            read.append((ReadItem(position=position, offset=offset, raw=chunk, error=str(exc)), None, None))
        else:
            read.append((ReadItem(position=position, offset=offset, raw=chunk, record=record, warnings=warnings),
                         idx, parts))
    out: list[tuple[ReadItem, FieldIndex | None, iso2709.Parts | None]] = []
    finish = marc_io._finish
    for item, idx, parts in read:
        if item.record is None:
            out.append((item, None, None))
        else:
            idx = index(item.record) if idx is None else idx
            out.append((finish(item, idx, parts and parts[2]), idx, parts))
    return out


def _problem_tuple(p: Problem) -> tuple:
    return (p.position, p.control_number, p.severity, p.code, p.message, p.file)


def _pack(p: _Prepared) -> tuple:
    """A prepared record as a plain tuple (the record itself stays behind: it is rebuilt from its JSON if needed).

    Its JSON travels as UTF-8 bytes (``many(data_bytes=True)``), which the writing process stores without
    decoding (``_insert``): a str would be decoded by unpickling and encoded again by the driver, both in the
    writing process.
    """
    row = p.row
    if type(row[_DATA]) is not bytes:
        row = (*row[:_DATA], row[_DATA].encode("utf-8"), *row[_DATA + 1:])
    return (p.position, p.offset, p.offset_unit, p.file, p.flavour, row, p.keys, p.copies, p.subcat,
            [_problem_tuple(w) for w in p.warnings])


def _unpack(t: _Outcome | tuple) -> _Outcome | _Prepared:
    """The prepared record ``_pack`` packed (other outcomes travel as they are)."""
    if not isinstance(t, tuple):
        return t
    return _Prepared(*t[:9], [Problem(*w) for w in t[9]] if t[9] else [])


def import_files(catalog: Catalog, paths: Iterable[str | os.PathLike], options: ImportOptions) -> ImportReport:
    """Import one or more files as one batch; rejected records go to quarantine, the rest go in."""
    files = [str(p) for p in paths]
    for f in files:
        _check_input(f, options)
    label = ", ".join(Path(f).name for f in files)
    return _run(catalog, options, "import", label, files, lambda run: run.file_batches(files))


i18n.register({
    "import.no_file": {
        "en": "{file}: no such file",
        "ru": "{file}: нет такого файла",
        "kk": "{file}: мұндай файл жоқ",
    },
    "import.unknown_encoding": {
        "en": "{file}: unknown encoding {name!r}",
        "ru": "{file}: неизвестная кодировка {name!r}",
        "kk": "{file}: белгісіз кодтау {name!r}",
    },
})


def _check_input(path: str, options: ImportOptions) -> None:
    """Refuse, before a batch is created, a file that is missing, in an unknown encoding or format, or empty."""
    from ..marc import io as marc_io
    from ..marc.encoding import EncodingError

    if not Path(path).is_file():
        raise CatalogError(i18n.t("import.no_file", options.lang, file=path))
    reader = marc_io.read(path, options.fmt, options.encoding, options.lang)
    try:
        first = next(reader, None)
    except EncodingError:
        raise CatalogError(i18n.t("import.unknown_encoding", options.lang, file=path, name=options.encoding)) from None
    except (OSError, ValueError, LookupError) as exc:
        raise CatalogError(f"{path}: {exc}") from None
    finally:
        reader.close()
    if first is None:
        raise CatalogError(i18n.t("import.no_records", options.lang, file=path))


def parse_since(text: str, lang: str | None = None) -> dt.datetime:
    """A date (YYYY-MM-DD or DD.MM.YYYY) or ISO date-time given on the command line."""
    try:
        return dates.parse_datetime(text, lang)
    except dates.DateError as exc:
        raise CatalogError(str(exc)) from None
