"""Fund marks kept in columns: Kazakhstan content and local lore read off the fields, filled by every
path that stores a record (create, update, import), back-filled by migration 0003 and read again by 0004
(the local-lore mark in every flavour)."""

from __future__ import annotations

import pytest
from pymarc import Field, Indicators, Record, Subfield
from sqlalchemy import select, text

from libcat.catalog import importer as imp
from libcat.catalog import records as rec
from libcat.catalog.models import CatalogRecord
from libcat.catalog.store import head_revision, open_catalog
from libcat.marc.flavour import IRBIS, MARC21, UNIMARC, set_flavour
from libcat.marc.marcjson import record_to_json
from libcat.marc.summary import summarize


def _record(*fields: tuple) -> Record:
    r = Record()
    r.leader = "00000nam a2200000 i 4500"
    for tag, *rest in fields:
        if tag < "010":
            r.add_field(Field(tag, data=rest[0]))
        else:
            r.add_field(Field(tag, Indicators(" ", " "), [Subfield(c, v) for c, v in rest]))
    return r


#: (title, flavour, record, Kazakhstan content, local lore)
CASES = [
    ("Қарағанды өлкесі", IRBIS, _record(("200", ("a", "Қарағанды өлкесі")), ("102", ("*", "KZ")), ("629", ("*", "Қарағанды"))), True, True),
    ("Балқаш жыры", IRBIS, _record(("200", ("a", "Балқаш жыры")), ("629", ("a", "Балқаш"))), False, True),
    ("Степи Казахстана", IRBIS, _record(("200", ("a", "Степи Казахстана")), ("607", ("a", "Казахстан"))), True, False),
    ("Ғылым жолы", UNIMARC, _record(("001", "U-1"), ("200", ("a", "Ғылым жолы")), ("607", ("a", "ҚАЗАҚСТАН"), ("x", "тарих"))), True, False),
    ("Өнер", UNIMARC, _record(("001", "U-2"), ("200", ("a", "Өнер")), ("629", ("a", "Алматы"))), False, True),
    ("Іле өңірі", MARC21, _record(("001", "M-3"), ("245", ("a", "Іле өңірі")),
                                  ("886", ("2", "rusmarc"), ("a", "629"), ("b", "##"), ("b", "Алматы облысы"))), False, True),
    ("Ұлытау", MARC21, _record(("001", "M-4"), ("245", ("a", "Ұлытау")),
                               ("886", ("2", "ukmarc"), ("a", "629"), ("b", "##"), ("b", "Ұлытау"))), False, False),
    ("Көлік", MARC21, _record(("001", "M-5"), ("245", ("a", "Көлік")),  # a kept RUSMARC 686 with class 629
                              ("886", ("2", "rusmarc"), ("a", "686"), ("b", "##"), ("a", "629"))), False, False),
    ("Құс жолы", MARC21, _record(("001", "M-1"), ("008", "190305s2018    kz            000 0 kaz d"), ("245", ("a", "Құс жолы"))), True, False),
    ("Һәм", MARC21, _record(("001", "M-2"), ("008", "190305s2018    ru            000 0 rus d"), ("245", ("a", "Һәм"))), False, False),
]


@pytest.mark.parametrize("title,flavour,record,kz,lore", CASES)
def test_summary_reads_the_marks(title, flavour, record, kz, lore) -> None:
    s = summarize(record, flavour)
    assert (s.kazakhstan is not None, s.local_lore) == (kz, lore)


def test_create_update_and_import_fill_the_columns(catalog) -> None:
    with catalog.session() as s:
        ids = {title: rec.create(s, set_flavour(record, flavour), flavour).id for title, flavour, record, _, _ in CASES}
    with catalog.session() as s:
        got = {r.title: (r.mark_kazakhstan, r.mark_local_lore) for r in s.scalars(select(CatalogRecord))}
    assert got == {title: (kz, lore) for title, _, _, kz, lore in CASES}
    with catalog.session() as s:
        row = s.get(CatalogRecord, ids["Степи Казахстана"])
        rec.update(s, row, set_flavour(_record(("200", ("a", "Степи")), ("629", ("*", "Дала"))), IRBIS), IRBIS)
    with catalog.session() as s:
        row = s.get(CatalogRecord, ids["Степи Казахстана"])
        assert (row.mark_kazakhstan, row.mark_local_lore) == (False, True)
    # the importer's own column path gives what apply_record gives
    for title, flavour, record, kz, lore in CASES:
        cols, _ = imp.columns_for(set_flavour(record, flavour), flavour)
        assert (cols["mark_kazakhstan"], cols["mark_local_lore"]) == (kz, lore), title


def test_upgrade_to_0003_backfills_the_marks(db_url) -> None:
    cat = open_catalog(db_url, must_exist=False)
    cat.upgrade("0002")
    with cat.engine.begin() as c:
        for title, flavour, record, _, _ in CASES:
            c.execute(
                text("INSERT INTO records (source, flavour, data, title, created_at, datestamp, content_hash, own_publication) "
                     "VALUES ('', :f, :d, :t, '2020-01-01 00:00:00', '2020-01-01 00:00:00', 'x', false)"),
                {"f": flavour, "d": record_to_json(record), "t": title},
            )
    before, after, _ = cat.init()
    assert (before, after) == ("0002", head_revision())
    with cat.session() as s:
        got = {r.title: (r.mark_kazakhstan, r.mark_local_lore) for r in s.scalars(select(CatalogRecord))}
    assert got == {title: (kz, lore) for title, _, _, kz, lore in CASES}
    cat.engine.dispose()


def test_upgrade_to_0004_reads_the_local_lore_mark_in_every_flavour(db_url) -> None:
    """A catalogue at 0003 marked local lore in IRBIS records only; 0004 reads RUSMARC 629 and MARC 21 886 too,
    and leaves the records that cannot carry the mark alone (their stored marks are not recomputed)."""
    cat = open_catalog(db_url, must_exist=False)
    cat.upgrade("0003")  # a real 0003 catalogue: the later migrations run against the schema they expect
    with cat.session() as s:
        for title, flavour, record, _, _ in CASES:
            rec.create(s, set_flavour(record, flavour), flavour)
    with cat.engine.begin() as c:  # as 0003's reading left them, and one stale mark 0004 must not touch
        c.execute(text("UPDATE records SET mark_local_lore = (flavour = 'irbis' AND data LIKE '%\"629\":%')"))
        c.execute(text("UPDATE records SET mark_kazakhstan = true WHERE title = 'Һәм'"))
    before, after, _ = cat.init()
    assert (before, after) == ("0003", head_revision())
    with cat.session() as s:
        got = {r.title: (r.mark_kazakhstan, r.mark_local_lore) for r in s.scalars(select(CatalogRecord))}
    want = {title: (kz, lore) for title, _, _, kz, lore in CASES}
    want["Һәм"] = (True, False)
    assert got == want
    assert got["Өнер"] == (False, True) and got["Іле өңірі"] == (False, True)
    cat.engine.dispose()


def test_dates_in_digits_int_cannot_read_give_no_entry_date() -> None:
    """Superscript digits pass str.isdigit but not int(): no entry date, no crash (MARC 21 008, UNIMARC 100$a)."""
    marc = _record(("001", "M-9"), ("008", "²40101s2019    kz            000 0 kaz d"), ("245", ("a", "Күн")))
    assert summarize(marc, MARC21).entry_date is None
    uni = _record(("001", "U-9"), ("100", ("a", "²0240101d2019    k  y0kazy50      ca")), ("200", ("a", "Күн")))
    assert summarize(uni, UNIMARC).entry_date is None
