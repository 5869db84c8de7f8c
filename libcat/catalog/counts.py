"""Aggregate counts for the report tables: the one way ``stats/`` reads the store.

SQLAlchemy Core against the models, the same on SQLite and PostgreSQL. Dates are half-open:
``start`` is the first day of the period, ``end`` the day after its last day. A record counts
"at date D" when its entry date is before D and it was not deleted (tombstoned, merged) before D.
Records added by a batch that was later undone (tombstones whose reason starts with ``undone:``)
never count: they were never really in the EK, whatever their entry date says.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import and_, case, distinct, exists, extract, func, literal, or_, select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from ..marc.authors import PROTECTION_YEARS, record_death_year
from ..marc.flavour import set_flavour
from ..marc.marcjson import record_from_json
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


#: How `libcat undo` starts the reason of the tombstones it leaves for the records a batch added.
UNDONE_REASON = "undone:"


def _at(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day)


def _tombstone():
    """Condition: the record is deleted, as a range the deleted_at index serves (SQLite skips it for IS NOT NULL)."""
    return R.c.deleted_at >= dt.datetime(1, 1, 1)


def undone():
    """Condition: the record is a tombstone of `libcat undo` (added by a batch that was undone).

    Only deleted rows qualify, so the deleted_at index narrows it to the tombstones first.
    """
    return and_(_tombstone(), R.c.deleted_reason.like(UNDONE_REASON + "%"))


def _not_undone():
    return or_(R.c.deleted_reason.is_(None), ~R.c.deleted_reason.like(UNDONE_REASON + "%"))


def _present_at(day: dt.date):
    """Condition: the record was not deleted before the start of ``day`` and is not an undone tombstone."""
    return or_(R.c.deleted_at.is_(None), and_(R.c.deleted_at >= _at(day), _not_undone()))


def _live_record_at(day: dt.date):
    """Condition: the record is in the EK at the start of ``day``."""
    return and_(R.c.entry_date < day, _present_at(day))


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
    Records never deleted are counted by one scan of the covering index ``ix_records_counts``
    (there ``added`` is at_end - at_start); tombstones deleted from ``start`` on (earlier ones count
    nowhere), undone ones left out, through the deleted_at index; the first entry of every
    sub-catalogue by one index probe each.
    """
    never = R.c.deleted_at.is_(None)
    # No WHERE clause: a filter on deleted_at would lead SQLite to the deleted_at index, a row lookup per record.
    live = select(
        R.c.subcat_id,
        _n(and_(never, R.c.entry_date < start)),
        _n(and_(never, R.c.entry_date < end)),
        _n(and_(never, R.c.entry_date < end, R.c.language == KAZAKH)),
    ).group_by(R.c.subcat_id)
    at_end = _live_record_at(end)
    # Grouping on an expression keeps SQLite on the deleted_at range rather than walking ix_records_counts.
    group = func.coalesce(R.c.subcat_id, -1)
    tombstones = (
        select(
            group,
            _n(_live_record_at(start)),
            _n(and_(at_end, R.c.entry_date >= start)),
            _n(at_end),
            _n(and_(at_end, R.c.language == KAZAKH)),
        )
        .where(R.c.deleted_at >= _at(start), _not_undone())
        .group_by(group)
    )
    out: dict[int | None, EkCount] = {sc: EkCount() for sc in [None, *conn.execute(select(S.c.id)).scalars()]}
    for sc, a, c, k in conn.execute(live):
        out[sc] = EkCount(int(a), int(c) - int(a), int(c), int(k))
    for sc, a, b, c, k in conn.execute(tombstones):
        n = out.setdefault(None if sc == -1 else sc, EkCount())
        n.at_start += int(a)
        n.added += int(b)
        n.at_end += int(c)
        n.kazakh_at_end += int(k)
    for sc, n in out.items():
        first = _as_date(conn.execute(
            select(R.c.entry_date)
            .where(R.c.subcat_id.is_(None) if sc is None else R.c.subcat_id == sc, R.c.entry_date < end, _not_undone())
            .order_by(R.c.entry_date)
            .limit(1)
        ).scalar())
        n.first_year = first.year if first else None
    return out


def _as_date(value: dt.date | str | None) -> dt.date | None:
    if isinstance(value, str):
        return dt.date.fromisoformat(value[:10])
    return value


def entered(conn: Conn, start: dt.date, end: dt.date) -> int:
    """Records entered in [start, end) and still in the EK at ``end`` (the `added` of the whole EK).

    Never-deleted records on the entry-date range of the covering index ``ix_records_counts``,
    tombstones still present at ``end`` through the deleted_at index. Each test of the other column
    sits inside the count: in the WHERE clause it would lead SQLite to the wider index.
    """
    in_period = and_(R.c.entry_date >= start, R.c.entry_date < end)
    never = conn.execute(select(_n(R.c.deleted_at.is_(None))).where(in_period)).scalar_one()
    tombstones = conn.execute(select(_n(in_period)).where(R.c.deleted_at >= _at(end), _not_undone())).scalar_one()
    return int(never) + int(tombstones)


def first_entry_year(conn: Conn) -> int | None:
    """Year of the earliest entry date in the catalogue (None when it is empty)."""
    first = _as_date(conn.execute(select(func.min(R.c.entry_date)).where(_not_undone())).scalar_one())
    return first.year if first else None


def ek_growth(conn: Conn, first_year: int, last_year: int) -> dict[int | None, dict[int, int]]:
    """Per sub-catalogue id: records in the EK at the end of each year from ``first_year`` to ``last_year``."""
    ey = extract("year", R.c.entry_date)
    dy = extract("year", R.c.deleted_at)
    sc = func.coalesce(R.c.subcat_id, -1)
    q = (
        select(sc, ey, dy, func.count())
        .where(R.c.entry_date < dt.date(last_year + 1, 1, 1), _not_undone())
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
    """Distinct records with an `updated` event and `merged` events in [start, end).

    Left out: events of batches that were undone, and every event of a record whose adding was undone.
    """
    in_period = and_(E.c.at >= _at(start), E.c.at < _at(end))
    not_undone = and_(
        or_(E.c.batch_id.is_(None), ~exists().where(and_(B.c.id == E.c.batch_id, B.c.undone_at.is_not(None)))),
        ~exists().where(R.c.id == E.c.record_id, undone()),
    )
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


#: Fund categories the reports count separately (rare books and manuscripts, local lore, Kazakhstan content).
FUND_CATEGORIES = ("rare", "local-lore", "kazakhstan")
#: Per category, the records column that sets it by hand (None: the record decides).
FUND_COLUMNS = {"rare": "fund_rare", "local-lore": "fund_local_lore", "kazakhstan": "fund_kazakhstan"}
#: Per category, the sub-catalogue code whose records are in it unless set by hand.
FUND_SUBCATALOGS = {"rare": "rare", "local-lore": "local-lore"}


def _in_subcatalog(code: str):
    """Condition: the record is in the sub-catalogue ``code`` (NULL without a sub-catalogue: not in it)."""
    return R.c.subcat_id.in_(select(S.c.id).where(S.c.code == code))


def in_fund_category(category: str):
    """Condition: the record is in ``category`` (one of FUND_CATEGORIES) as ``digitize.funds.derive`` decides.

    The hand-set column when it is set, else the sub-catalogue or the mark its own fields left in
    ``mark_*`` (kept up to date on every create, update and import): no record text is read.
    """
    hand = R.c[FUND_COLUMNS[category]]
    derived = {
        "rare": _in_subcatalog(FUND_SUBCATALOGS["rare"]),
        "local-lore": or_(_in_subcatalog(FUND_SUBCATALOGS["local-lore"]), R.c.mark_local_lore),
        "kazakhstan": R.c.mark_kazakhstan,
    }[category]
    return func.coalesce(hand, derived)


@dataclass
class FundCount:
    """Part of the book fund: copies held and titles digitized as whole books."""

    copies: int = 0
    digitized: int = 0


def _held_at(end: dt.date):
    """Condition: the copy was received before ``end`` (or undated) and not written off before it."""
    return and_(
        or_(C.c.receipt_date.is_(None), C.c.receipt_date < end),
        or_(C.c.written_off_at.is_(None), C.c.written_off_at >= end),
    )


def _whole_book_at(end: dt.date):
    """Condition: the digital object is a whole book and exists at ``end``."""
    return and_(D.c.type == "book", _live_object_at(end))


def _category_sums(conn: Conn, value, from_, where) -> list[int]:
    """Sums of ``value`` (one per record) over the records of ``from_`` where ``where``: for all of
    them, then for those in each of FUND_CATEGORIES."""
    per_record = (
        select(value.label("n"), *(in_fund_category(c).label(f"in{j}") for j, c in enumerate(FUND_CATEGORIES)))
        .select_from(from_).where(where).subquery()
    )
    n = per_record.c.n
    q = select(
        func.coalesce(func.sum(n), 0), *(_total(n, per_record.c[f"in{j}"]) for j in range(len(FUND_CATEGORIES)))
    )
    return [int(v) for v in conn.execute(q).one()]


def _fund_part(conn: Conn, end: dt.date, present, among=None) -> tuple[list[int], list[int]]:
    """Copies held and titles digitized at ``end`` of the records where ``present``, as ``_category_sums``.

    Copies and whole books are grouped per record, then joined to the records; ``among`` (a select of
    record ids) narrows the copies and objects grouped when ``present`` picks only a few records.
    """
    held_where, book_where = [_held_at(end)], [_whole_book_at(end)]
    if among is not None:
        held_where.append(C.c.record_id.in_(among))
        book_where.append(D.c.record_id.in_(among))
    held = (
        select(C.c.record_id.label("rid"), func.count().label("n")).where(*held_where)
        .group_by(C.c.record_id).subquery()
    )
    books = select(D.c.record_id.label("rid")).where(*book_where).group_by(D.c.record_id).subquery()
    copies = _category_sums(conn, held.c.n, held.join(R, R.c.id == held.c.rid), present)
    digitized = _category_sums(conn, literal(1), books.join(R, R.c.id == books.c.rid), present)
    return copies, digitized


def fund_counts(conn: Conn, end: dt.date) -> dict[str, FundCount]:
    """The book fund at ``end``, keyed ``total`` and each of FUND_CATEGORIES, counted in SQL.

    Copies count when received before ``end`` (or undated) and not written off before it; a title is
    digitized when it has a whole-book digital object that exists at ``end``. Both count only for
    records present at ``end`` (not deleted before it, not added by an undone batch): the never-deleted
    ones through the covering index ``ix_records_report`` (the records rows, with their text, are not
    read), then the few tombstones still present at ``end`` through the deleted_at index.
    """
    tombstone = and_(R.c.deleted_at >= _at(end), _not_undone())
    parts = (
        _fund_part(conn, end, R.c.deleted_at.is_(None)),
        _fund_part(conn, end, tombstone, among=select(R.c.id).where(tombstone)),
    )
    keys = ("total", *FUND_CATEGORIES)
    return {
        key: FundCount(sum(copies[i] for copies, _ in parts), sum(digitized[i] for _, digitized in parts))
        for i, key in enumerate(keys)
    }


def fund_records(conn: Conn) -> dict[str, tuple[int, int]]:
    """Live (not deleted) records, keyed ``all`` and each of FUND_CATEGORIES: how many, and how many
    of them have a digital object of any type that is not deleted."""
    digitized = exists().where(D.c.record_id == R.c.id, D.c.deleted_at.is_(None))
    cols = [func.count(), _n(digitized)]
    for c in FUND_CATEGORIES:
        cols += [_n(in_fund_category(c)), _n(and_(in_fund_category(c), digitized))]
    values = [int(v) for v in conn.execute(select(*cols).where(R.c.deleted_at.is_(None))).one()]
    return {key: (values[2 * i], values[2 * i + 1]) for i, key in enumerate(("all", *FUND_CATEGORIES))}


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
    """Contracts signed in a period: how many, with how many holders / authors, works and works on the site."""

    contracts: int = 0
    holders: int = 0
    authors: int = 0
    works: int = 0
    published: int = 0
    names: list[str] = field(default_factory=list)


#: The contract scope that allows putting a work's files on the library's site.
SITE_SCOPE = "publish-site"


def _grants_site(day: dt.date):
    """Condition: a contract covering the record is in force on ``day`` and allows SITE_SCOPE
    (``rights.contract_active`` and ``rights.contract_scopes``; the scope list is comma-separated)."""
    scopes = literal(",") + func.replace(K.c.scope, " ", "") + literal(",")
    return exists().where(
        KR.c.record_id == R.c.id, K.c.id == KR.c.contract_id, K.c.signed_on <= day,
        or_(K.c.valid_until.is_(None), K.c.valid_until >= day), scopes.like(f"%,{SITE_SCOPE},%"),
    )


def _on_site(conn: Conn, among, end: dt.date) -> set[int]:
    """Ids of the records of ``among`` (a select of ids) put on the site at ``end``: as ``rights.decide_record``
    decides for SITE_SCOPE on the period's last day, for records present with a digital object at ``end``.

    Own publications, hand-set death years and contracts in SQL; the death year written in the record
    is read only for the few works none of these allow.
    """
    day = end - dt.timedelta(days=1)
    last_protected = day.year - PROTECTION_YEARS - 1
    allowed = or_(R.c.own_publication.is_(True), R.c.author_death_year <= last_protected, _grants_site(day))
    shown = exists().where(D.c.record_id == R.c.id, _live_object_at(end))
    candidates = conn.execute(
        select(R.c.id, allowed, R.c.author_death_year.is_(None)).where(R.c.id.in_(among), _present_at(end), shown)
    ).all()
    out = {rid for rid, ok, _ in candidates if ok}
    unknown = [rid for rid, ok, no_hand_year in candidates if not ok and no_hand_year]
    if unknown:
        for rid, data, flavour in conn.execute(select(R.c.id, R.c.data, R.c.flavour).where(R.c.id.in_(unknown))):
            year, _ = record_death_year(set_flavour(record_from_json(data), flavour), flavour)
            if year is not None and year <= last_protected:
                out.add(rid)
    return out


def contracts(conn: Conn, start: dt.date, end: dt.date) -> dict[str, ContractCount]:
    """Contracts signed in [start, end), keyed `new`, `renewal` and `total` (distinct counts, not sums).

    A work counts as put on the site when it may be published there at ``end`` (see ``_on_site``).
    """
    signed = and_(K.c.signed_on >= start, K.c.signed_on < end)
    among = select(KR.c.record_id).select_from(KR.join(K, K.c.id == KR.c.contract_id)).where(signed)
    on_site = _on_site(conn, among, end)
    out: dict[str, ContractCount] = {}
    for key, cond in (("new", K.c.renewal_of.is_(None)), ("renewal", K.c.renewal_of.is_not(None)), ("total", None)):
        where = [signed] if cond is None else [signed, cond]
        n, holders, authors = conn.execute(
            select(func.count(), func.count(distinct(K.c.holder)), func.count(distinct(K.c.author))).where(*where)
        ).one()
        works = set(conn.execute(
            select(KR.c.record_id).select_from(KR.join(K, K.c.id == KR.c.contract_id)).where(*where).distinct()
        ).scalars())
        names = list(
            conn.execute(select(K.c.holder).where(*where).group_by(K.c.holder).order_by(K.c.holder)).scalars()
        )
        out[key] = ContractCount(int(n), int(holders), int(authors), len(works), len(works & on_site), names)
    return out
