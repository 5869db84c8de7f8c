"""Aggregate counts for the report tables: the one way ``stats/`` reads the store.

SQLAlchemy Core against the models, the same on SQLite and PostgreSQL. Dates are half-open:
``start`` is the first day of the period, ``end`` the day after its last day. A record counts
"at date D" when its entry date is before D and it was not deleted (tombstoned, merged) before D.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field

from sqlalchemy import and_, case, distinct, exists, extract, func, or_, select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from .models import (
    Batch,
    CatalogRecord,
    Collection,
    Contract,
    ContractRecord,
    Copy,
    DigitalObject,
    RecordEvent,
    Subcatalog,
)

Conn = Connection | Session

#: Digital object types in report order.
DIGITAL_TYPES = ("newspaper-article", "journal-article", "book-chapter", "book")
#: Language code of Kazakh in records (MARC / ISO 639-2).
KAZAKH = "kaz"

R = CatalogRecord.__table__
S = Subcatalog.__table__
D = DigitalObject.__table__
C = Copy.__table__
E = RecordEvent.__table__
B = Batch.__table__
K = Contract.__table__
KR = ContractRecord.__table__
COL = Collection.__table__


def _at(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day)


def _live_record_at(day: dt.date):
    """Condition: the record is in the EK at the start of ``day``."""
    return and_(R.c.entry_date < day, or_(R.c.deleted_at.is_(None), R.c.deleted_at >= _at(day)))


def _live_object_at(day: dt.date):
    """Condition: the digital object exists (digitized, not deleted) at the start of ``day``."""
    return and_(D.c.digitized_on < day, or_(D.c.deleted_at.is_(None), D.c.deleted_at >= _at(day)))


def _n(cond):
    return func.coalesce(func.sum(case((cond, 1), else_=0)), 0)


def _total(expr, cond):
    return func.coalesce(func.sum(case((cond, expr), else_=0)), 0)


@dataclass
class SubcatalogInfo:
    """A sub-catalogue as the tables name it."""

    id: int
    code: str
    name_ru: str
    name_kk: str
    name_en: str
    since_year: int | None


def subcatalogs(conn: Conn) -> list[SubcatalogInfo]:
    """All sub-catalogues in report order (profile order)."""
    rows = conn.execute(
        select(S.c.id, S.c.code, S.c.name_ru, S.c.name_kk, S.c.name_en, S.c.since_year).order_by(
            S.c.sort_order, S.c.id
        )
    )
    return [SubcatalogInfo(*r) for r in rows]


@dataclass
class EkCount:
    """Records of one sub-catalogue: at the start, entered during, at the end, Kazakh at the end."""

    at_start: int = 0
    added: int = 0
    at_end: int = 0
    kazakh_at_end: int = 0
    first_year: int | None = None


def ek_counts(conn: Conn, start: dt.date, end: dt.date) -> dict[int | None, EkCount]:
    """Per sub-catalogue id (None = without one): the `ek` table's counts for [start, end).

    ``added`` counts records whose entry date falls in the period and that are still in the EK
    at its end: a duplicate entered and merged within the period was not added.
    """
    at_end = _live_record_at(end)
    # Grouping on an expression keeps SQLite from walking the subcat index with a row lookup per record.
    group = func.coalesce(R.c.subcat_id, -1)
    q = select(
        group.label("sc"),
        _n(_live_record_at(start)),
        _n(and_(at_end, R.c.entry_date >= start)),
        _n(at_end),
        _n(and_(at_end, R.c.language == KAZAKH)),
        func.min(case((R.c.entry_date < end, R.c.entry_date), else_=None)),
    ).group_by(group)
    out: dict[int | None, EkCount] = {}
    for sc, a, b, c, k, first in conn.execute(q):
        if isinstance(first, str):
            first = dt.date.fromisoformat(first[:10])
        out[None if sc == -1 else sc] = EkCount(int(a), int(b), int(c), int(k), first.year if first else None)
    return out


def entered(conn: Conn, start: dt.date, end: dt.date) -> int:
    """Records entered in [start, end) and still in the EK at ``end`` (the `added` of the whole EK).

    A range on the entry-date index: cheap even on a large catalogue.
    """
    q = select(func.count()).where(R.c.entry_date >= start, _live_record_at(end))
    return int(conn.execute(q).scalar_one())


def first_entry_year(conn: Conn) -> int | None:
    """Year of the earliest entry date in the catalogue (None when it is empty)."""
    first = conn.execute(select(func.min(R.c.entry_date))).scalar_one()
    if isinstance(first, str):
        first = dt.date.fromisoformat(first[:10])
    return first.year if first else None


def ek_growth(conn: Conn, first_year: int, last_year: int) -> dict[int | None, dict[int, int]]:
    """Per sub-catalogue id: records in the EK at the end of each year from ``first_year`` to ``last_year``."""
    ey = extract("year", R.c.entry_date)
    dy = extract("year", R.c.deleted_at)
    sc = func.coalesce(R.c.subcat_id, -1)
    q = (
        select(sc, ey, dy, func.count())
        .where(R.c.entry_date < dt.date(last_year + 1, 1, 1))
        .group_by(sc, ey, dy)
    )
    out: dict[int | None, dict[int, int]] = {}
    for sc, entered, deleted, n in conn.execute(q):
        years = out.setdefault(None if sc == -1 else sc, {y: 0 for y in range(first_year, last_year + 1)})
        for y in years:
            if int(entered) <= y and (deleted is None or int(deleted) > y):
                years[y] += int(n)
    return out


@dataclass
class EkWork:
    """Editing work on the EK in a period: records edited, duplicate records deleted by merging."""

    edited: int = 0
    duplicates_deleted: int = 0


def ek_work(conn: Conn, start: dt.date, end: dt.date) -> EkWork:
    """Distinct records with an `updated` event and `merged` events in [start, end), undone batches left out."""
    in_period = and_(E.c.at >= _at(start), E.c.at < _at(end))
    not_undone = or_(E.c.batch_id.is_(None), ~exists().where(and_(B.c.id == E.c.batch_id, B.c.undone_at.is_not(None))))
    edited = conn.execute(
        select(func.count(distinct(E.c.record_id))).where(in_period, E.c.kind == "updated", not_undone)
    ).scalar_one()
    merged = conn.execute(
        select(func.count(distinct(E.c.record_id))).where(in_period, E.c.kind == "merged", not_undone)
    ).scalar_one()
    return EkWork(int(edited), int(merged))


@dataclass
class DigitizationCount:
    """Digitized documents of one type: the period and all years up to its end, each with the Kazakh part."""

    docs_period: int = 0
    docs_period_kaz: int = 0
    docs_all: int = 0
    docs_all_kaz: int = 0
    pages_period: int = 0
    pages_period_kaz: int = 0
    pages_all: int = 0
    pages_all_kaz: int = 0
    bytes_period: int = 0
    bytes_all: int = 0

    def add(self, other: DigitizationCount) -> None:
        """Add ``other`` into this count (for the total row)."""
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))


def digitization(conn: Conn, start: dt.date, end: dt.date) -> dict[str, DigitizationCount]:
    """Per digital-object type: documents, pages and bytes digitized in [start, end) and before ``end``.

    An object is in Kazakh by its own language, else by its record's.
    """
    lang = func.coalesce(D.c.language, R.c.language)
    period = D.c.digitized_on >= start
    kaz = lang == KAZAKH
    q = (
        select(
            D.c.type,
            _n(period), _n(and_(period, kaz)), func.count(), _n(kaz),
            _total(D.c.pages, period), _total(D.c.pages, and_(period, kaz)),
            func.coalesce(func.sum(D.c.pages), 0), _total(D.c.pages, kaz),
            _total(D.c.bytes, period), func.coalesce(func.sum(D.c.bytes), 0),
        )
        .select_from(D.outerjoin(R, R.c.id == D.c.record_id))
        .where(_live_object_at(end))
        .group_by(D.c.type)
    )
    return {t: DigitizationCount(*(int(v) for v in vals)) for t, *vals in conn.execute(q)}


def digitization_by_year(conn: Conn, last_year: int) -> dict[int, tuple[int, int]]:
    """Documents and pages digitized per year up to ``last_year`` (objects not deleted by its end)."""
    y = extract("year", D.c.digitized_on)
    q = (
        select(y, func.count(), func.coalesce(func.sum(D.c.pages), 0))
        .where(_live_object_at(dt.date(last_year + 1, 1, 1)))
        .group_by(y)
        .order_by(y)
    )
    return {int(year): (int(n), int(p)) for year, n, p in conn.execute(q)}


def has_copies(conn: Conn) -> bool:
    """True when the catalogue keeps holdings (copies): then fund totals are counted from them."""
    return bool(conn.execute(select(exists().where(C.c.id.is_not(None)))).scalar_one())


def fund_records(session: Session, end: dt.date) -> Iterator[tuple[CatalogRecord, str | None, int, bool]]:
    """Records in the EK at ``end`` that are in the book fund or digitized as whole books.

    Yields (record, sub-catalogue code, copies held at ``end``, digitized as a book before ``end``);
    a copy is held when received before ``end`` (or undated) and not written off before it.
    """
    held = (
        select(func.count())
        .where(
            C.c.record_id == R.c.id,
            or_(C.c.receipt_date.is_(None), C.c.receipt_date < end),
            or_(C.c.written_off_at.is_(None), C.c.written_off_at >= end),
        )
        .correlate(R)
        .scalar_subquery()
    )
    digitized = exists().where(D.c.record_id == R.c.id, D.c.type == "book", _live_object_at(end)).correlate(R)
    ids = select(C.c.record_id.label("rid")).union(
        select(D.c.record_id.label("rid")).where(D.c.type == "book")
    ).subquery()
    q = (
        select(CatalogRecord, S.c.code, held, digitized)
        .select_from(ids.join(R, R.c.id == ids.c.rid).outerjoin(S, S.c.id == R.c.subcat_id))
        .where(or_(R.c.deleted_at.is_(None), R.c.deleted_at >= _at(end)))
        .order_by(R.c.id)
        .execution_options(yield_per=2000)
    )
    for row, code, n, dig in session.execute(q):
        if n or dig:
            yield row, code, int(n), bool(dig)


@dataclass
class CollectionCount:
    """Items of one collection: added in the period and all up to its end, with their bytes."""

    id: int
    name: str
    name_ru: str | None
    name_kk: str | None
    name_en: str | None
    items: int = 0
    bytes: int = 0
    items_all: int = 0
    bytes_all: int = 0


def collections(conn: Conn, start: dt.date, end: dt.date) -> list[CollectionCount]:
    """Every collection with the digital objects added to it in [start, end) and before ``end``."""
    period = and_(D.c.id.is_not(None), D.c.digitized_on >= start)
    q = (
        select(
            COL.c.id, COL.c.name, COL.c.name_ru, COL.c.name_kk, COL.c.name_en,
            _n(period), _total(D.c.bytes, period), func.count(D.c.id), func.coalesce(func.sum(D.c.bytes), 0),
        )
        .select_from(COL.outerjoin(D, and_(D.c.collection_id == COL.c.id, _live_object_at(end))))
        .group_by(COL.c.id, COL.c.name, COL.c.name_ru, COL.c.name_kk, COL.c.name_en)
        .order_by(COL.c.name)
    )
    return [CollectionCount(*r[:5], *(int(v) for v in r[5:])) for r in conn.execute(q)]


@dataclass
class ContractCount:
    """Contracts signed in a period: how many, with how many holders / authors, works and published works."""

    contracts: int = 0
    holders: int = 0
    authors: int = 0
    works: int = 0
    published: int = 0
    names: list[str] = field(default_factory=list)


def contracts(conn: Conn, start: dt.date, end: dt.date) -> dict[str, ContractCount]:
    """Contracts signed in [start, end), keyed `new`, `renewal` and `total` (distinct counts, not sums).

    A work is published when it has a digital object that exists at ``end``.
    """
    signed = and_(K.c.signed_on >= start, K.c.signed_on < end)
    published = exists().where(and_(D.c.record_id == KR.c.record_id, _live_object_at(end)))
    out: dict[str, ContractCount] = {}
    for key, cond in (("new", K.c.renewal_of.is_(None)), ("renewal", K.c.renewal_of.is_not(None)), ("total", None)):
        where = [signed] if cond is None else [signed, cond]
        n, holders, authors = conn.execute(
            select(func.count(), func.count(distinct(K.c.holder)), func.count(distinct(K.c.author))).where(*where)
        ).one()
        works_q = select(KR.c.record_id).select_from(KR.join(K, K.c.id == KR.c.contract_id)).where(*where)
        works = conn.execute(select(func.count(distinct(KR.c.record_id))).where(KR.c.record_id.in_(works_q))).scalar_one()
        pub = conn.execute(
            select(func.count(distinct(KR.c.record_id))).where(KR.c.record_id.in_(works_q), published)
        ).scalar_one()
        names = list(
            conn.execute(select(K.c.holder).where(*where).group_by(K.c.holder).order_by(K.c.holder)).scalars()
        )
        out[key] = ContractCount(int(n), int(holders), int(authors), int(works), int(pub), names)
    return out
