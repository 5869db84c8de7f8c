"""`stats` and undone batches; fund categories counted from stored marks and hand-set columns (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt

import pytest
from pymarc import Field, Indicators, Leader, Record, Subfield
from sqlalchemy import select

from libcat.catalog import counts
from libcat.catalog import importer as imp
from libcat.catalog import undo as un
from libcat.catalog import records
from libcat.catalog.models import CatalogRecord, Copy, DigitalObject, RecordEvent, Subcatalog
from libcat.digitize import funds
from libcat.marc.flavour import IRBIS, MARC21, UNIMARC, set_flavour
from libcat.stats import period as periods
from libcat.stats import tables
from test_import_helpers import items, marc
from test_stats_tables import by_code, irbis, table

Y2020 = periods.make("year", 2020)


def _edit(s, row: CatalogRecord, note: str, at: dt.datetime | None = None) -> None:
    rec = records.load(row)
    rec.add_field(Field(tag="300", indicators=[" ", " "], subfields=[Subfield("a", note)]))
    assert records.update(s, row, rec, row.flavour)
    s.flush()
    if at is not None:
        ev = s.scalars(select(RecordEvent).where(RecordEvent.record_id == row.id, RecordEvent.kind == "updated")
                       .order_by(RecordEvent.id.desc())).first()
        ev.at = at


@pytest.fixture
def undone(catalog):
    """One record kept; two batches (books entered 2019-2020, local lore entered 2010) undone later."""
    with catalog.session() as s:
        sub = {c.code: c for c in s.scalars(select(Subcatalog))}
        keep = records.create(s, irbis(dt.date(2019, 3, 1), "kaz", "keep"), IRBIS, subcat=sub["books"])
        lore = records.create(s, irbis(dt.date(2015, 5, 5), "kaz", "lore"), IRBIS, subcat=sub["local-lore"])
        for i in range(2):
            s.add(Copy(record_id=keep.id, inventory_number=f"keep-{i}"))
        lore.fund_kazakhstan = True
    books = imp.import_items(catalog, items([
        irbis(dt.date(2019, 4, 4), "kaz", "u1"), irbis(dt.date(2019, 12, 31), "rus", "u2"),
        irbis(dt.date(2020, 5, 5), "kaz", "u3"),
    ]), imp.ImportOptions(source="A", into="books"))
    old_lore = imp.import_items(catalog, items([irbis(dt.date(2010, 1, 1), "kaz", "u4")]),
                                imp.ImportOptions(source="B", into="local-lore"))
    with catalog.session() as s:
        u = {r.title: r for r in s.scalars(select(CatalogRecord).where(CatalogRecord.batch_id.is_not(None)))}
        s.add(Copy(record_id=u["u1"].id, inventory_number="u1-0"))
        s.add(DigitalObject(record_id=u["u1"].id, type="book", digitized_on=dt.date(2020, 2, 2), pages=10, bytes=1))
        u["u4"].fund_kazakhstan = True
        s.add(Copy(record_id=u["u4"].id, inventory_number="u4-0"))
        _edit(s, u["u2"], "edited by hand before the undo")
    un.undo_batch(catalog, books.batch, force=True)
    un.undo_batch(catalog, old_lore.batch, force=True)
    with catalog.session() as s:
        # a forced undo withdraws the DigitalObject (kept, deleted_at set); fund tables must not count it
        assert s.scalar(select(CatalogRecord.deleted_reason).where(CatalogRecord.title == "u1")).startswith("undone:")
        s.add(Copy(record_id=u["u4"].id, inventory_number="u4-late"))
    return catalog


def test_undone_records_count_nowhere_in_ek(undone):
    ek = by_code(table(undone, "ek"))
    assert {k: ek["books"][k] for k in ("at_start", "added", "at_end", "kazakh_at_end")} == {
        "at_start": 1, "added": 0, "at_end": 1, "kazakh_at_end": 1}
    assert {k: ek["local-lore"][k] for k in ("since", "at_start", "added", "at_end")} == {
        "since": 2015, "at_start": 1, "added": 0, "at_end": 1}
    y2019 = by_code(table(undone, "ek", period=periods.make("year", 2019)))["books"]
    assert (y2019["at_start"], y2019["added"], y2019["at_end"]) == (0, 1, 1)
    headline = table(undone, "headline").rows[0].values
    assert (headline["done_previous"], headline["done"]) == (1, 0)
    with undone.session() as s:
        growth = counts.ek_growth(s, 2018, 2020)
        books_id = s.scalar(select(Subcatalog.id).where(Subcatalog.code == "books"))
        assert growth[books_id] == {2018: 0, 2019: 1, 2020: 1}
        assert counts.first_entry_year(s) == 2015


def test_undone_records_count_nowhere_in_funds_and_work(undone):
    fund = by_code(table(undone, "fund-digitization"))
    assert fund["book-fund"] == {"total": 2, "digitized": 0}
    assert fund["kazakhstan"] == {"total": 0, "digitized": 0}
    assert fund["local-lore"] == {"total": 0, "digitized": 0}
    this_year = periods.make("year", dt.date.today().year)
    assert by_code(table(undone, "ek-work", period=this_year))["edited"] == {"count": 0}


def test_undone_update_is_not_edited_work(catalog):
    imp.import_items(catalog, items([marc("x1", "Абай жолы", entered="190404")]), imp.ImportOptions(source="A"))
    second = imp.import_items(catalog, items([marc("x1", "Абай жолы : роман", entered="190404")]),
                              imp.ImportOptions(source="A"))
    assert second.updated == 1
    this_year = periods.make("year", dt.date.today().year)
    assert by_code(table(catalog, "ek-work", period=this_year))["edited"] == {"count": 1}
    un.undo_batch(catalog, second.batch)
    assert by_code(table(catalog, "ek-work", period=this_year))["edited"] == {"count": 0}
    assert table(catalog, "headline", period=periods.make("year", 2019)).rows[0].values["done"] == 1


def _marc21(title: str, f008_country: str = "   ", extra: list[Field] = ()) -> Record:
    r = Record(force_utf8=True)
    r.leader = Leader("00000nam a2200000 a 4500")
    r.add_field(Field("008", data=f"190102s2010    {f008_country}            000 0 kaz d"))
    r.add_field(Field("245", Indicators("1", "0"), [Subfield("a", title)]))
    for f in extra:
        r.add_field(f)
    return set_flavour(r, MARC21)


def _unimarc(flavour: str, title: str, fields: list[tuple[str, str, str]]) -> Record:
    r = Record(force_utf8=True)
    r.add_field(Field("200", Indicators(" ", " "), [Subfield("a", title)]))
    for tag, code, value in fields:
        r.add_field(Field(tag, Indicators(" ", " "), [Subfield(code, value)]))
    return set_flavour(r, flavour)


def _field(tag: str, code: str, value: str) -> Field:
    return Field(tag, Indicators(" ", " "), [Subfield(code, value)])


#: (key, record, sub-catalogue, copies, digitized as a book, hand-set columns)
FUND_CASES = [
    ("plain", lambda: _marc21("Plain"), "books", 2, True, {}),
    ("plain-twin", lambda: _marc21("Plain"), "books", 1, False, {}),
    ("008", lambda: _marc21("Dala", "kz "), "books", 3, True, {}),
    ("044", lambda: _marc21("Tau", extra=[_field("044", "a", "KZ-ALA")]), "rare", 1, False, {}),
    ("043", lambda: _marc21("Su", extra=[_field("043", "a", "a-kz---")]), "books", 1, False, {}),
    ("651", lambda: _marc21("Zher", extra=[_field("651", "a", "ҚАЗАҚСТАН")]), "books", 2, False, {}),
    ("650z", lambda: _marc21("Kol", extra=[_field("650", "z", "Kazakstan")]), "books", 1, True, {}),
    ("650a", lambda: _marc21("Kazakhstan in the title only"), "books", 1, False, {}),
    ("kelvin", lambda: _marc21("Kelvin", extra=[_field("044", "a", "\u212az")]), "books", 1, False, {}),
    ("102", lambda: _unimarc(UNIMARC, "Бір", [("102", "a", "KZ")]), "books", 4, True, {}),
    ("102-ru", lambda: _unimarc(UNIMARC, "Екі", [("102", "a", "RU")]), "books", 1, False, {}),
    ("607", lambda: _unimarc(IRBIS, "Үш", [("607", "a", "КазахСТАН")]), "local-lore", 2, False, {}),
    ("606g", lambda: _unimarc(IRBIS, "Төрт", [("606", "g", "Qazaqstan")]), "books", 1, False, {}),
    ("606a", lambda: _unimarc(IRBIS, "Бес", [("606", "a", "Казахстан")]), "books", 1, False, {}),
    ("629", lambda: _unimarc(IRBIS, "Алты", [("629", "b", "Караганда")]), "books", 2, True, {}),
    ("629-rus", lambda: _unimarc(UNIMARC, "Жеті", [("629", "b", "Караганда")]), "books", 1, False, {}),
    ("629-off", lambda: _unimarc(IRBIS, "Сегіз", [("629", "b", "Караганда")]), "books", 1, False,
     {"fund_local_lore": False}),
    ("102-off", lambda: _unimarc(UNIMARC, "Тоғыз", [("102", "a", "KZ")]), "books", 1, True,
     {"fund_kazakhstan": False}),
    ("hand", lambda: _unimarc(UNIMARC, "Он", []), "books", 5, False,
     {"fund_kazakhstan": True, "fund_rare": True, "fund_local_lore": True}),
    ("rare", lambda: _unimarc(UNIMARC, "Он бір", []), "rare", 1, True, {"fund_rare": None}),
    ("no-copies", lambda: _unimarc(UNIMARC, "Он екі", [("102", "a", "KZ")]), None, 0, True, {}),
]


@pytest.fixture
def fund_catalog(catalog):
    with catalog.session() as s:
        sub = {c.code: c for c in s.scalars(select(Subcatalog))}
        for key, build, code, n, digitized, hand in FUND_CASES:
            rec = build()
            row = records.create(s, rec, rec.flavour, subcat=sub[code] if code else None)
            for column, value in hand.items():
                setattr(row, column, value)
            for i in range(n):
                s.add(Copy(record_id=row.id, inventory_number=f"{key}-{i}"))
            if digitized:
                s.add(DigitalObject(record_id=row.id, type="book", digitized_on=dt.date(2020, 3, 3), pages=1, bytes=1))
    return catalog


def _derived_everywhere(session) -> dict[str, dict[str, int]]:
    """The fund table computed the slow way: derive every record with copies or a book scan."""
    held = {key: 0 for key in tables.FUND_KEYS}
    done = dict(held)
    codes = dict(session.execute(select(Subcatalog.id, Subcatalog.code)).all())
    for row in session.scalars(select(CatalogRecord)):
        n = len(list(session.scalars(select(Copy.id).where(Copy.record_id == row.id))))
        dig = session.scalar(select(DigitalObject.id).where(DigitalObject.record_id == row.id)) is not None
        cats = funds.derive(row, subcat_code=codes.get(row.subcat_id))
        for key, inside in (("total", True), ("rare", cats.rare), ("local_lore", cats.local_lore),
                            ("kazakhstan", cats.kazakhstan)):
            if inside:
                held[key] += n
                done[key] += int(dig)
    return {"book-fund": {"total": held["total"], "digitized": done["total"]},
            "rare": {"total": held["rare"], "digitized": done["rare"]},
            "local-lore": {"total": held["local_lore"], "digitized": done["local_lore"]},
            "kazakhstan": {"total": held["kazakhstan"], "digitized": done["kazakhstan"]}}


def test_fund_table_equals_deriving_every_record(fund_catalog, monkeypatch):
    with fund_catalog.session() as s:
        expected = _derived_everywhere(s)
    assert expected["kazakhstan"] == {"total": 21, "digitized": 4}
    assert expected["local-lore"] == {"total": 10, "digitized": 1}  # RUSMARC 629 ("629-rus") marks local lore too
    loaded = []
    real_load = records.load
    monkeypatch.setattr(records, "load", lambda row: loaded.append(row.title) or real_load(row))
    assert by_code(table(fund_catalog, "fund-digitization")) == expected
    assert loaded == []  # counted from the stored marks: no record is read


def test_fund_totals_equal_deriving_every_live_record(fund_catalog):
    with fund_catalog.session() as s:
        digitized = set(s.scalars(select(DigitalObject.record_id).where(DigitalObject.deleted_at.is_(None))))
        codes = dict(s.execute(select(Subcatalog.id, Subcatalog.code)).all())
        expected = {c: [0, 0] for c in ("all", *funds.CATEGORIES)}
        for row in s.scalars(select(CatalogRecord).where(CatalogRecord.deleted_at.is_(None))):
            cats = funds.derive(row, subcat_code=codes.get(row.subcat_id))
            for c in expected:
                if c == "all" or cats.get(c):
                    expected[c][0] += 1
                    expected[c][1] += int(row.id in digitized)
        assert funds.totals(s) == {c: tuple(v) for c, v in expected.items()}
    assert expected["kazakhstan"] == [11, 4]


def _book(s, key: str, rec: Record, sub: Subcatalog | None = None, **hand: bool) -> CatalogRecord:
    """A record with one copy and hand-set fund columns ``hand``."""
    row = records.create(s, rec, rec.flavour, subcat=sub)
    for column, value in hand.items():
        setattr(row, column, value)
    s.add(Copy(record_id=row.id, inventory_number=key))
    return row


def test_hand_set_category_beats_mark_and_subcatalog_both_ways(catalog):
    with catalog.session() as s:
        sub = {c.code: c for c in s.scalars(select(Subcatalog))}
        kz = _unimarc(UNIMARC, "KZ", [("102", "a", "KZ")])
        lore = _unimarc(IRBIS, "Lore", [("629", "b", "Караганда")])
        plain = _unimarc(UNIMARC, "Plain", [])
        rows = [
            _book(s, "kz-off", kz, fund_kazakhstan=False),
            _book(s, "kz-on", plain, fund_kazakhstan=True),
            _book(s, "lore-off", lore, fund_local_lore=False),
            _book(s, "lore-sub-off", plain, sub["local-lore"], fund_local_lore=False),
            _book(s, "lore-on", plain, fund_local_lore=True),
            _book(s, "rare-off", plain, sub["rare"], fund_rare=False),
            _book(s, "rare-on", plain, sub["books"], fund_rare=True),
        ]
        s.flush()
        marks = [(r.mark_kazakhstan, r.mark_local_lore) for r in rows[:3]]
        assert marks == [(True, False), (False, False), (False, True)]
    fund = by_code(table(catalog, "fund-digitization"))
    assert fund["book-fund"] == {"total": 7, "digitized": 0}
    assert fund["kazakhstan"] == {"total": 1, "digitized": 0}   # kz-on
    assert fund["local-lore"] == {"total": 1, "digitized": 0}   # lore-on
    assert fund["rare"] == {"total": 1, "digitized": 0}         # rare-on


def _categories(catalog) -> dict[str, int]:
    return {code: row["total"] for code, row in by_code(table(catalog, "fund-digitization")).items()}


def test_record_moves_between_categories_when_its_fields_change(catalog):
    with catalog.session() as s:
        row = _book(s, "c1", _unimarc(IRBIS, "Бір", [("102", "a", "KZ")]))
        rid = row.id
    assert _categories(catalog) == {"book-fund": 1, "rare": 0, "local-lore": 0, "kazakhstan": 1}
    with catalog.session() as s:
        lore = _unimarc(IRBIS, "Бір", [("629", "b", "Караганда")])
        assert records.update(s, s.get(CatalogRecord, rid), lore, IRBIS)
    assert _categories(catalog) == {"book-fund": 1, "rare": 0, "local-lore": 1, "kazakhstan": 0}
    with catalog.session() as s:
        assert records.update(s, s.get(CatalogRecord, rid), _unimarc(IRBIS, "Бір", []), IRBIS)
    assert _categories(catalog) == {"book-fund": 1, "rare": 0, "local-lore": 0, "kazakhstan": 0}


def test_import_update_moves_record_between_categories(catalog):
    def book(country: str, extra: list[Field] = ()) -> Record:
        rec = marc("m1", "Дала", copies=[("inv-1", "A")])
        rec["008"].data = rec["008"].data[:15] + country + rec["008"].data[17:]
        for f in extra:
            rec.add_field(f)
        return rec

    first = imp.import_items(catalog, items([book("kz")]), imp.ImportOptions(source="A"))
    assert first.added == 1
    assert _categories(catalog) == {"book-fund": 1, "rare": 0, "local-lore": 0, "kazakhstan": 1}
    update = imp.ImportOptions(source="A", on_duplicate="update")
    assert imp.import_items(catalog, items([book("ru")]), update).updated == 1
    assert _categories(catalog) == {"book-fund": 1, "rare": 0, "local-lore": 0, "kazakhstan": 0}
    assert imp.import_items(catalog, items([book("ru", [_field("651", "a", "Kazakhstan")])]), update).updated == 1
    assert _categories(catalog) == {"book-fund": 1, "rare": 0, "local-lore": 0, "kazakhstan": 1}
