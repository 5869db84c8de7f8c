"""Queries the OAI-PMH provider needs, kept in catalog/ so oai/ never writes SQL of its own.

Lists are keyset-paginated on (datestamp, id): every page is an index range scan that starts
where the previous page stopped, so page 10,000 costs what page 1 costs, and a record that
changes during a harvest moves to the end of the list instead of shifting the pages.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import LargeBinary, and_, cast, exists, func, or_, select
from sqlalchemy.orm import Session

from .models import CatalogRecord, Collection, DigitalObject, Subcatalog
from .records import IDS_PER_STATEMENT

log = logging.getLogger(__name__)

R = CatalogRecord
SET_EK = "ek"
SET_DIGITIZED = "digitized"
SET_COLLECTION = "collection"

_TRANSLIT = str.maketrans({
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh", "з": "z",
    "и": "i", "й": "i", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r",
    "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch",
    "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "iu", "я": "ia", "ә": "a", "ғ": "g", "қ": "q",
    "ң": "n", "ө": "o", "ұ": "u", "ү": "u", "һ": "h", "і": "i",
})


def slug(name: str) -> str:
    """An ASCII setSpec-safe slug of a collection name (Cyrillic and Kazakh letters transliterated)."""
    text = unicodedata.normalize("NFKD", name.lower().translate(_TRANSLIT))
    text = text.encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")


@dataclass(frozen=True)
class SetInfo:
    """One OAI set: its spec, a display name and an optional description."""

    spec: str
    name: str
    description: str | None = None


@dataclass(frozen=True)
class SetCondition:
    """What a setSpec selects: a sub-catalogue, all sub-catalogued records, a collection, or digitized."""

    kind: str
    value: int | None = None


@dataclass(frozen=True)
class ListFilter:
    """Selective-harvesting filter: from (inclusive), until (exclusive bound), set, flavours."""

    from_: dt.datetime | None = None
    until: dt.datetime | None = None
    set_cond: SetCondition | None = None
    flavours: tuple[str, ...] | None = None


@dataclass
class RecordRow:
    """The columns of a record the provider needs; ``data`` is the MARC-in-JSON text or None."""

    id: int
    datestamp: dt.datetime
    deleted: bool
    flavour: str
    subcat_id: int | None
    data: str | None = None
    bad_utf8: bool = False


def collection_specs(session: Session) -> dict[str, int]:
    """setSpec -> collection id for every collection (slug of the name, made unique with the id)."""
    out: dict[str, int] = {}
    for cid, name in session.execute(select(Collection.id, Collection.name).order_by(Collection.id)):
        s = slug(name) or f"c{cid}"
        spec = f"{SET_COLLECTION}:{s}"
        if spec in out:
            spec = f"{spec}-{cid}"
        out[spec] = cid
    return out


def subcat_codes(session: Session) -> dict[int, str]:
    """Sub-catalogue id -> code."""
    return dict(session.execute(select(Subcatalog.id, Subcatalog.code)).all())


def list_sets(session: Session) -> list[SetInfo]:
    """All sets: `ek` and one `ek:<code>` per sub-catalogue, `digitized`, `collection` and one per collection."""
    out = [SetInfo(SET_EK, "Электронный каталог / Электрондық каталог / Electronic catalogue")]
    for sc in session.scalars(select(Subcatalog).order_by(Subcatalog.sort_order, Subcatalog.id)):
        names = [n for n in (sc.name_ru, sc.name_kk, sc.name_en) if n]
        out.append(SetInfo(f"{SET_EK}:{sc.code}", " / ".join(dict.fromkeys(names)) or sc.code))
    out.append(SetInfo(SET_DIGITIZED, "Оцифрованные документы / Цифрландырылған құжаттар / Digitized documents",
                       "Records with a digitized document the library may publish"))
    colls = collection_specs(session)
    if colls:
        out.append(SetInfo(SET_COLLECTION, "Коллекции / Жинақтар / Collections"))
        names = {c.id: c for c in session.scalars(select(Collection))}
        for spec, cid in colls.items():
            c = names[cid]
            label = " / ".join(dict.fromkeys(n for n in (c.name_ru, c.name_kk, c.name_en, c.name) if n))
            out.append(SetInfo(spec, label))
    return out


def resolve_set(session: Session, spec: str) -> SetCondition | None:
    """The condition a setSpec stands for, or None when there is no such set."""
    if spec == SET_EK:
        return SetCondition("ek")
    if spec == SET_DIGITIZED:
        return SetCondition("digitized")
    if spec == SET_COLLECTION:
        return SetCondition("collection") if collection_specs(session) else None
    if spec.startswith(SET_EK + ":"):
        sid = session.scalar(select(Subcatalog.id).where(Subcatalog.code == spec[len(SET_EK) + 1:]))
        return SetCondition("subcat", sid) if sid is not None else None
    if spec.startswith(SET_COLLECTION + ":"):
        cid = collection_specs(session).get(spec)
        return SetCondition("coll", cid) if cid is not None else None
    return None


def _live_objects(record_id_col=R.id):
    return and_(DigitalObject.record_id == record_id_col, DigitalObject.deleted_at.is_(None))


def _where(flt: ListFilter) -> list:
    conds = []
    if flt.from_ is not None:
        conds.append(R.datestamp >= flt.from_)
    if flt.until is not None:
        conds.append(R.datestamp < flt.until)
    if flt.flavours is not None:
        conds.append(R.flavour.in_(flt.flavours))
    sc = flt.set_cond
    if sc is not None:
        if sc.kind == "subcat":
            conds.append(R.subcat_id == sc.value)
        elif sc.kind == "ek":
            conds.append(R.subcat_id.is_not(None))
        elif sc.kind == "digitized":
            conds.append(exists().where(_live_objects()))
        elif sc.kind == "coll":
            conds.append(exists().where(_live_objects(), DigitalObject.collection_id == sc.value))
        elif sc.kind == "collection":
            conds.append(exists().where(_live_objects(), DigitalObject.collection_id.is_not(None)))
    return conds


def _rights():
    """The digitization rights module, or None while libcat.digitize has no rights check."""
    try:
        from ..digitize import rights
    except ImportError:
        return None
    return rights if hasattr(rights, "decide") else None


def digitized_ids(session: Session, ids: Iterable[int]) -> set[int]:
    """Which of ``ids`` are in the `digitized` set: a live digital object the rights check lets us publish.

    Deleted records keep the membership they had (any live object), so their tombstones keep their sets.
    """
    ids = list(ids)
    if not ids:
        return set()
    rows = session.execute(
        select(DigitalObject, R.deleted_at).join(R, R.id == DigitalObject.record_id)
        .where(DigitalObject.record_id.in_(ids), DigitalObject.deleted_at.is_(None))
    ).all()
    if not rows:
        return set()
    rights = _rights()
    out: set[int] = set()
    for obj, deleted_at in rows:
        if obj.record_id in out:
            continue
        if deleted_at is not None:
            out.add(obj.record_id)
        elif rights is not None and rights.decide(session, obj, scope="publish-aggregator").allowed:
            out.add(obj.record_id)
    return out


def _data_column(session: Session):
    # SQLite hands back text it cannot decode as an error for the whole query: read bytes there.
    if session.get_bind().dialect.name == "sqlite":
        return cast(R.data, LargeBinary)
    return R.data


def _to_row(r, with_data: bool) -> RecordRow:
    data = None
    bad = False
    if with_data:
        raw = r[5]
        if isinstance(raw, (bytes, bytearray, memoryview)):
            raw = bytes(raw)
            try:
                data = raw.decode("utf-8")
            except UnicodeDecodeError:
                data = raw.decode("utf-8", errors="replace")
                bad = True
                log.warning("record %s: stored data is not valid UTF-8; undecodable bytes replaced", r[0])
        else:
            data = raw
    return RecordRow(id=r[0], datestamp=r[1], deleted=r[2] is not None, flavour=r[3], subcat_id=r[4],
                     data=data, bad_utf8=bad)


def _columns(session: Session, with_data: bool) -> list:
    cols = [R.id, R.datestamp, R.deleted_at, R.flavour, R.subcat_id]
    if with_data:
        cols.append(_data_column(session))
    return cols


def page(
    session: Session, flt: ListFilter, after: tuple[dt.datetime, int] | None, limit: int, *,
    with_data: bool = True,
) -> list[RecordRow]:
    """Up to ``limit`` records after the keyset position ``after``, in (datestamp, id) order."""
    out: list[RecordRow] = []
    post = flt.set_cond is not None and flt.set_cond.kind == "digitized"
    while len(out) < limit:
        want = limit - len(out) if not post else max(limit - len(out), 100)
        q = select(*_columns(session, with_data)).where(*_where(flt))
        if after is not None:
            ds, rid = after
            q = q.where(R.datestamp >= ds, or_(R.datestamp > ds, R.id > rid))
        q = q.order_by(R.datestamp, R.id).limit(want)
        rows = [_to_row(r, with_data) for r in session.execute(q)]
        if not rows:
            break
        after = (rows[-1].datestamp, rows[-1].id)
        fetched = len(rows)
        if post:
            keep = digitized_ids(session, [r.id for r in rows])
            rows = [r for r in rows if r.id in keep]
        out.extend(rows)
        if fetched < want:
            break
    return out[:limit]


def count(session: Session, flt: ListFilter) -> int:
    """How many records the filter selects (completeListSize)."""
    if flt.set_cond is not None and flt.set_cond.kind == "digitized":
        ids = list(session.scalars(select(R.id).where(*_where(flt))))
        step = IDS_PER_STATEMENT
        return sum(len(digitized_ids(session, ids[i:i + step])) for i in range(0, len(ids), step))
    return session.scalar(select(func.count()).select_from(R).where(*_where(flt))) or 0


def get(session: Session, record_id: int, *, with_data: bool = True) -> RecordRow | None:
    """One record by catalogue id (deleted ones included), or None."""
    r = session.execute(select(*_columns(session, with_data)).where(R.id == record_id)).first()
    return _to_row(r, with_data) if r is not None else None


def earliest_datestamp(session: Session) -> dt.datetime | None:
    """The oldest datestamp of any record, tombstones included (Identify's earliestDatestamp)."""
    return session.scalar(select(func.min(R.datestamp)))


def has_flavours(session: Session, flavours: Sequence[str]) -> bool:
    """True when at least one record (deleted or not) has one of ``flavours``."""
    return session.scalar(select(R.id).where(R.flavour.in_(flavours)).limit(1)) is not None


def live_objects(session: Session, ids: Iterable[int]) -> list[tuple[int, int | None]]:
    """(record id, collection id) of every live digital object of the records ``ids``, in one query.

    Ids close together (a page of a list usually is) are read as one id range on the record_id index,
    without a bound parameter per id.
    """
    ids = list(ids)
    if not ids:
        return []
    q = select(DigitalObject.record_id, DigitalObject.collection_id).where(DigitalObject.deleted_at.is_(None))
    lo, hi = min(ids), max(ids)
    if hi - lo < 4 * len(ids):
        wanted = set(ids)
        return [(o[0], o[1]) for o in session.execute(q.where(DigitalObject.record_id.between(lo, hi)))
                if o[0] in wanted]
    return [(o[0], o[1]) for o in session.execute(q.where(DigitalObject.record_id.in_(ids)))]


def memberships(
    session: Session, rows: Sequence[RecordRow], *, with_parents: bool = True,
    objects: list[tuple[int, int | None]] | None = None,
) -> dict[int, list[str]]:
    """The setSpecs of each row: its sub-catalogue, `digitized`, its collections (and parent sets).

    ``objects`` is live_objects() of the rows when the caller has it already.
    """
    codes = subcat_codes(session)
    out: dict[int, list[str]] = {r.id: [] for r in rows}
    for r in rows:
        code = codes.get(r.subcat_id) if r.subcat_id is not None else None
        if code is not None:
            if with_parents:
                out[r.id].append(SET_EK)
            out[r.id].append(f"{SET_EK}:{code}")
    ids = [r.id for r in rows]
    if not ids:
        return out
    objs = live_objects(session, ids) if objects is None else objects
    if not objs:
        return out
    for rid in sorted(digitized_ids(session, {o[0] for o in objs})):
        out[rid].append(SET_DIGITIZED)
    colls = {cid: spec for spec, cid in collection_specs(session).items()}
    seen: set[tuple[int, int]] = set()
    for rid, cid in objs:
        if cid is None or (rid, cid) in seen or cid not in colls:
            continue
        seen.add((rid, cid))
        if with_parents and SET_COLLECTION not in out[rid]:
            out[rid].append(SET_COLLECTION)
        out[rid].append(colls[cid])
    return out


def record_objects(session: Session, ids: Iterable[int]) -> set[int]:
    """Which of ``ids`` have at least one live digital object (only those can carry file links)."""
    ids = list(ids)
    if not ids:
        return set()
    return set(session.scalars(
        select(DigitalObject.record_id).where(DigitalObject.record_id.in_(ids), DigitalObject.deleted_at.is_(None))
    ))


def link_fields(session: Session, record_id: int, flavour: str, base_url: str | None) -> list:
    """856/951 fields for the record's publishable files (libcat.digitize.links), or [] before it exists."""
    try:
        from ..digitize import links
    except ImportError:
        return []
    if not hasattr(links, "link_fields"):
        return []
    row = session.get(CatalogRecord, record_id)
    if row is None:
        return []
    return list(links.link_fields(session, row, flavour, base_url))


def publishable_file(session: Session, rel_path: str):
    """The DigitalFile stored at ``rel_path`` when the rights check lets us publish it, else None."""
    from .models import DigitalFile

    f = session.scalar(select(DigitalFile).where(DigitalFile.path == rel_path).limit(1))
    if f is None:
        return None
    obj = session.get(DigitalObject, f.object_id)
    rec = session.get(CatalogRecord, f.record_id)
    if obj is None or obj.deleted_at is not None or rec is None or rec.deleted_at is not None:
        return None
    rights = _rights()
    if rights is None or not rights.decide(session, obj, scope="publish-aggregator").allowed:
        return None
    return f
