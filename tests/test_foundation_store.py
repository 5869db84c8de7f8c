"""The catalogue store: migrations, sub-catalogues, records on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest
from pymarc import Field, Indicators, Record, Subfield
from sqlalchemy import func, inspect, select, text

from libcat.catalog import records as rec
from libcat.catalog.models import CatalogRecord, RecordEvent, Subcatalog
from libcat.catalog.store import CatalogError, head_revision, open_catalog
from libcat.marc.flavour import IRBIS, MARC21


def irbis_book(shelf: str, title: str, year: str = "2016", entered: str = "20200115", lang: str = "kaz") -> Record:
    r = Record()
    r.leader = " " * 24
    def f(tag, *subs):
        r.add_field(Field(tag=tag, indicators=Indicators(" ", " "), subfields=[Subfield(c, v) for c, v in subs]))
    f("920", ("*", "PAZK"))
    f("101", ("*", lang))
    f("700", ("a", "Кәрім"), ("b", "Н."))
    f("200", ("a", title), ("f", "Н. Кәрім"))
    f("210", ("a", "Қарағанды"), ("c", "Типография Арко"), ("d", year))
    f("903", ("*", shelf))
    f("907", ("c", "ПК"), ("a", entered), ("b", "Иванова"))
    return r


def marc21_book(cn: str, title: str) -> Record:
    r = Record()
    r.add_field(Field(tag="001", data=cn))
    r.add_field(Field(tag="008", data="190305s2018    kz            000 0 rus d"))
    r.add_field(Field(tag="020", indicators=Indicators(" ", " "), subfields=[Subfield("a", "5-86150-048-7")]))
    r.add_field(Field(tag="245", indicators=Indicators("1", "0"), subfields=[Subfield("a", title + " /"), Subfield("c", "А. Автор.")]))
    return r


def test_init_creates_current_schema_and_kazakh_subcatalogues(catalog):
    assert catalog.current_revision() == head_revision()
    with catalog.session() as s:
        subs = {sc.code: sc for sc in s.scalars(select(Subcatalog))}
    assert list(subs) == [
        "books", "articles", "local-lore", "periodicals", "ecology", "cd", "professional",
        "rare", "e-books", "e-articles", "children",
    ]
    assert subs["local-lore"].name_ru == "Краеведение" and subs["local-lore"].name_kk == "Өлкетану"
    assert subs["professional"].name_kk == "Кәсіби маман"
    assert subs["children"].name_kk == "Балалар әдебиеті"
    assert subs["books"].since_year == 2006


def test_schema_head_constant_matches_the_migrations():
    from libcat.catalog.store import SCHEMA_HEAD

    assert SCHEMA_HEAD == head_revision()


def test_init_twice_keeps_data_and_adds_nothing(catalog):
    with catalog.session() as s:
        rec.create(s, irbis_book("84/К 21-1", "Қамшы"), IRBIS, subcat=rec.subcatalog(s, "books"))
    before, after, added = catalog.init()
    assert before == after == head_revision() and added == 0
    with catalog.session() as s:
        assert s.scalar(select(func.count()).select_from(CatalogRecord)) == 1
        assert s.scalar(select(func.count()).select_from(Subcatalog)) == 11


def test_upgrade_from_first_schema_keeps_records(db_url):
    cat = open_catalog(db_url, must_exist=False)
    cat.upgrade("0001")
    assert cat.current_revision() == "0001"
    with cat.engine.begin() as c:
        c.execute(text(
            "INSERT INTO subcatalogs (code, name_ru, name_kk, name_en, sort_order) VALUES ('books', 'Книги', 'Кітаптар', 'Books', 1)"
        ))
        c.execute(text(
            "INSERT INTO records (source, flavour, data, title, created_at, datestamp, content_hash, own_publication, subcat_id) "
            "VALUES ('', 'marc21', '{\"leader\":\"\",\"fields\":[]}', 'Ескі жазба', '2020-01-01 00:00:00', '2020-01-01 00:00:00', 'x', false, 1)"
        ))
    assert "external_id" not in {c["name"] for c in inspect(cat.engine).get_columns("records")}
    with pytest.raises(CatalogError, match="run `libcat init` to upgrade"):
        cat.require_schema()
    before, after, added = cat.init()
    assert (before, after) == ("0001", head_revision())
    assert added == 10  # books existed already
    assert "external_id" in {c["name"] for c in inspect(cat.engine).get_columns("records")}
    assert "digital_objects" in inspect(cat.engine).get_table_names()
    with cat.session() as s:
        assert s.scalar(select(CatalogRecord.title)) == "Ескі жазба"
    cat.engine.dispose()


def test_create_extracts_columns_and_leaves_event(catalog):
    with catalog.session() as s:
        row = rec.create(s, irbis_book("84/К 21-1", "Қамшы", entered="20191231"), IRBIS, subcat=rec.subcatalog(s, "books"), source="branch-1")
        rid = row.id
    with catalog.session() as s:
        row = s.get(CatalogRecord, rid)
        assert (row.control_number, row.title, row.author, row.year, row.language) == ("84/К 21-1", "Қамшы", "Кәрім, Н.", 2016, "kaz")
        assert row.entry_date == dt.date(2019, 12, 31)
        assert [e.kind for e in s.scalars(select(RecordEvent).where(RecordEvent.record_id == rid))] == ["created"]
        loaded = rec.load(row)
        assert loaded.flavour == IRBIS and loaded["200"]["a"] == "Қамшы"


def test_update_is_noop_for_identical_record_and_keeps_datestamp(catalog):
    with catalog.session() as s:
        row = rec.create(s, marc21_book("kz-1", "Абай жолы"), MARC21)
        stamp = row.datestamp
        assert rec.update(s, row, marc21_book("kz-1", "Абай жолы"), MARC21) is False
        assert row.datestamp == stamp
        assert rec.update(s, row, marc21_book("kz-1", "Абай жолы. 1-кітап"), MARC21) is True
        assert row.title == "Абай жолы. 1-кітап"
        kinds = [e.kind for e in s.scalars(select(RecordEvent).where(RecordEvent.record_id == row.id).order_by(RecordEvent.id))]
    assert kinds == ["created", "updated"]


def test_marc21_isbn10_is_kept_as_isbn13(catalog):
    with catalog.session() as s:
        row = rec.create(s, marc21_book("kz-2", "Страные люди"), MARC21)
        assert row.isbns == "9785861500487"  # 978586150048 + check digit 7
        assert row.entry_date == dt.date(2019, 3, 5)
        assert row.language == "rus"


def test_find_by_id_or_control_number_and_ambiguity(catalog):
    with catalog.session() as s:
        a = rec.create(s, marc21_book("same", "Бірінші"), MARC21, source="a")
        b = rec.create(s, marc21_book("same", "Екінші"), MARC21, source="b")
        c = rec.create(s, marc21_book("only", "Үшінші"), MARC21)
        assert rec.find(s, str(c.id)).id == c.id
        assert rec.find(s, "only").id == c.id
        with pytest.raises(CatalogError, match="ambiguous"):
            rec.find(s, "same")
        rec.delete(s, b, reason="списание")
        assert rec.find(s, "same").id == a.id
        with pytest.raises(CatalogError, match="already deleted"):
            rec.delete(s, b)
        with pytest.raises(CatalogError, match="no record"):
            rec.find(s, "нет-такой")
        assert [r.id for r in rec.live(s)] == [a.id, c.id]


def test_delete_drops_the_match_keys_of_the_tombstone(catalog):
    from sqlalchemy import func, select

    from libcat.catalog.models import RecordKey

    with catalog.session() as s:
        row = rec.create(s, marc21_book("k-1", "Қазақ әдебиеті"), MARC21)
        s.add(RecordKey(record_id=row.id, kind="isbn", value="9786010000000"))
        s.flush()
        rec.delete(s, row, reason="written off")
        assert s.scalar(select(func.count()).select_from(RecordKey).where(RecordKey.record_id == row.id)) == 0


def test_migrations_build_the_indexes_the_models_declare(catalog):
    """`libcat init` runs the migrations; their indexes must be the ones models.py declares (no more, no fewer),
    less those PostgreSQL does not hold there (``NOT_ON_POSTGRESQL``)."""
    from libcat.catalog.models import NOT_ON_POSTGRESQL, Base

    found = inspect(catalog.engine)
    postgresql = catalog.engine.dialect.name == "postgresql"
    for table in Base.metadata.sorted_tables:
        # PostgreSQL also lists the indexes behind UNIQUE constraints: those are constraints, not declared indexes
        in_db = {i["name"] for i in found.get_indexes(table.name) if "duplicates_constraint" not in i}
        assert in_db == {i.name for i in table.indexes if not (postgresql and i.info == NOT_ON_POSTGRESQL)}, table.name


def test_0003_drops_the_redundant_indexes_and_its_downgrade_restores_them(catalog):
    """0003 drops the single-column indexes the covering ones make redundant; downgrading to 0002 puts them back."""
    from alembic import command

    from libcat.catalog.store import _alembic_config

    redundant = {("records", "ix_records_language"), ("records", "ix_records_entry_date"),
                 ("record_events", "ix_record_events_kind"), ("copies", "ix_copies_record_id")}

    def present() -> set[tuple[str, str]]:
        found = inspect(catalog.engine)
        return {(t, i["name"]) for t in ("records", "record_events", "copies") for i in found.get_indexes(t)}

    assert not redundant & present()
    assert ("records", "ix_records_counts") in present()
    # 0009 drops ix_records_subcat_id on PostgreSQL only (ix_records_counts starts with its column)
    assert (("records", "ix_records_subcat_id") in present()) is (catalog.engine.dialect.name == "sqlite")
    with catalog.engine.begin() as conn:
        command.downgrade(_alembic_config(conn), "0002")
    assert redundant <= present()
    catalog.upgrade()
    assert not redundant & present()
    with catalog.session() as s:
        rec.create(s, irbis_book("84/К 21-1", "Қамшы"), IRBIS, subcat=rec.subcatalog(s, "books"))
        assert s.scalar(select(func.count()).select_from(CatalogRecord)) == 1
