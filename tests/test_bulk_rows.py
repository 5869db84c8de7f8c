"""catalog.bulk.insert_rows stores exactly what the ORM stores, on SQLite and on PostgreSQL (binary COPY)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import DateTime, Integer, MetaData, String, Table, Column, select, text
from sqlalchemy.exc import DBAPIError

from libcat.catalog import bulk
from libcat.catalog.models import CatalogRecord, Copy, RecordEvent, RecordKey

WHEN = dt.datetime(2025, 3, 21, 9, 30, 15)
# Kazakh and Russian letters, and the characters COPY's text form must escape (tab, newline, backslash, CR).
TEXTS = ["Абай жолы: әғқңөұүһі", "Война и мир\tтом 1\nчасть 2\\3\r", "", "ёЁ «Қазақ» — 2-бас."]


def _record_rows(n: int, as_bytes: bool) -> tuple[list[str], list[tuple]]:
    cols = ["id", "flavour", "data", "content_hash", "control_number", "title", "author", "year", "isbns",
            "language", "mark_kazakhstan", "mark_local_lore", "external_id", "entry_date", "source", "created_at",
            "datestamp", "own_publication", "fund_rare"]
    rows = []
    for i in range(1, n + 1):
        text = TEXTS[i % len(TEXTS)]
        data = f'{{"leader": "x", "fields": [{{"245": "{i} {text!r}"}}]}}'
        rows.append((i, "marc21", data.encode("utf-8") if as_bytes else data, f"h{i}", f"КН-{i}", text or None,
                     "Әуезов, М." if i % 2 else None, 1900 + i, None, "kaz", bool(i % 2), False, None,
                     dt.date(2024, 1, i % 28 + 1), "", WHEN, WHEN, False, None if i % 3 else True))
    return cols, rows


def _stored(cat) -> list[tuple]:
    with cat.session() as s:
        recs = s.execute(select(CatalogRecord.id, CatalogRecord.data, CatalogRecord.title, CatalogRecord.author,
                                CatalogRecord.year, CatalogRecord.mark_kazakhstan, CatalogRecord.entry_date,
                                CatalogRecord.created_at, CatalogRecord.fund_rare, CatalogRecord.external_id)
                         .order_by(CatalogRecord.id)).all()
        keys = s.execute(select(RecordKey.record_id, RecordKey.kind, RecordKey.value).order_by(RecordKey.id)).all()
        events = s.execute(select(RecordEvent.record_id, RecordEvent.kind, RecordEvent.at, RecordEvent.source)
                           .order_by(RecordEvent.id)).all()
        copies = s.execute(select(Copy.record_id, Copy.inventory_number, Copy.receipt_date, Copy.written_off_at)
                           .order_by(Copy.id)).all()
    return [tuple(r) for r in recs + keys + events + copies]


def _fill(cat, as_bytes: bool, orm: bool) -> None:
    cols, rows = _record_rows(12, as_bytes)
    key_rows = [(i, "title", TEXTS[i % len(TEXTS)] + f" {i}") for i in range(1, 13)]
    event_rows = [(i, "created", WHEN, "ішкі\\көз") for i in range(1, 13)]
    copy_rows = [(i, f"инв-{i}", dt.date(2020, 5, 1), None if i % 2 else dt.date(2023, 1, 2)) for i in range(1, 13)]
    with cat.session() as s:
        if orm:
            for r in rows:
                values = dict(zip(cols, r))
                if isinstance(values["data"], bytes):
                    values["data"] = values["data"].decode("utf-8")
                s.add(CatalogRecord(**values))
            s.flush()
            s.add_all([RecordKey(record_id=a, kind=b, value=c) for a, b, c in key_rows])
            s.add_all([RecordEvent(record_id=a, kind=b, at=c, source=d) for a, b, c, d in event_rows])
            s.add_all([Copy(record_id=a, inventory_number=b, receipt_date=c, written_off_at=d) for a, b, c, d in copy_rows])
            return
        bulk.insert_rows(s, CatalogRecord.__table__, cols, rows, utf8=("data",))
        bulk.insert_rows(s, RecordKey.__table__, ["record_id", "kind", "value"], key_rows)
        bulk.insert_rows(s, RecordEvent.__table__, ["record_id", "kind", "at", "source"], event_rows)
        bulk.insert_rows(s, Copy.__table__, ["record_id", "inventory_number", "receipt_date", "written_off_at"],
                         copy_rows)


@pytest.mark.parametrize("as_bytes", [False, True], ids=["str", "utf8-bytes"])
def test_insert_rows_stores_what_the_orm_stores(db_url, tmp_path, as_bytes):
    from libcat.catalog.store import open_catalog

    by_orm = open_catalog(f"sqlite:///{tmp_path / 'orm.db'}", must_exist=False)
    by_orm.init()
    _fill(by_orm, as_bytes, orm=True)
    cat = open_catalog(db_url, must_exist=False)
    cat.init()
    _fill(cat, as_bytes, orm=False)
    got, want = _stored(cat), _stored(by_orm)
    assert got == want
    texts = [v for r in got for v in r if isinstance(v, str)]
    assert any("әғқңөұүһі" in v for v in texts) and any("\t" in v and "\\" in v for v in texts)
    cat.engine.dispose()
    by_orm.engine.dispose()


def test_binary_copy_types_follow_the_columns():
    table = CatalogRecord.__table__
    assert bulk._binary_types(table, ["id", "data", "year", "entry_date", "created_at", "own_publication", "title"],
                              ("data",)) == ["int4", "bytea", "int4", "date", "timestamp", "bool", "text"]
    meta = MetaData()
    zoned = Table("zoned", meta, Column("id", Integer, primary_key=True), Column("at", DateTime(timezone=True)),
                  Column("name", String(5)))
    # A type without a binary form listed here falls back to COPY's text form.
    assert bulk._binary_types(zoned, ["id", "at"], ()) is None
    assert bulk._binary_types(zoned, ["id", "name"], ()) == ["int4", "text"]


def test_a_value_too_long_for_its_column_fails_as_an_insert_would(catalog):
    import psycopg

    row = (1, "қ" * 11, "v")  # kind is VARCHAR(10)
    with catalog.session() as s:
        bulk.insert_rows(s, CatalogRecord.__table__, *_record_rows(1, False))
    if catalog.engine.dialect.name == "sqlite":  # SQLite keeps the whole value, as its INSERT does
        with catalog.session() as s:
            bulk.insert_rows(s, RecordKey.__table__, ["record_id", "kind", "value"], [row])
        with catalog.session() as s:
            assert s.scalar(select(RecordKey.kind)) == row[1]
        return
    with pytest.raises((DBAPIError, psycopg.Error), match="too long"):
        with catalog.session() as s:
            bulk.insert_rows(s, RecordKey.__table__, ["record_id", "kind", "value"], [row])


def test_among_finds_exactly_the_values_given(catalog):
    # Values an array's text form would have to quote or escape: braces, commas, quotes, backslashes, NULL.
    odd = ['{a,b}', '"Абай"', "back\\slash", "NULL", "қ ң ө", "", "x" * 500]
    plain = [f"кілт {i}" for i in range(3000)]
    with catalog.session() as s:
        bulk.insert_rows(s, CatalogRecord.__table__, *_record_rows(1, False))
        bulk.insert_rows(s, RecordKey.__table__, ["record_id", "kind", "value"],
                         [(1, "title", v) for v in odd + plain])
    with catalog.session() as s:
        def found(values):
            return sorted(v for v, in s.execute(select(RecordKey.value).where(bulk.among(s, RecordKey.value, values))))

        assert found(odd + ["жоқ", "{a}"]) == sorted(odd)
        assert found(set(plain[::7])) == sorted(plain[::7])
        assert found([]) == []


def test_postgresql_connections_are_utf8_whatever_the_environment_says(db_url, monkeypatch):
    from libcat.catalog.store import open_catalog

    if not db_url.startswith("postgresql"):
        cat = open_catalog(db_url, must_exist=False)
        with cat.engine.connect() as c:  # SQLite text is always Unicode
            assert c.exec_driver_sql("SELECT 'Қазақ әдебиеті'").scalar() == "Қазақ әдебиеті"
        return
    monkeypatch.setenv("PGCLIENTENCODING", "WIN1251")
    cat = open_catalog(db_url, must_exist=False)
    cat.init()
    with cat.engine.connect() as c:
        assert c.exec_driver_sql("SHOW client_encoding").scalar() == "UTF8"
    cat.engine.dispose()


def test_utf8_bytes_are_stored_right_on_a_connection_in_another_encoding(catalog):
    from sqlalchemy import text

    cols, rows = _record_rows(1, True)
    data = '{"245": "Война и мир. Абай жолы"}'
    values = dict(zip(cols, rows[0]), data=data.encode("utf-8"), title="Война и мир", author="Толстой, Л. Н.")
    with catalog.session() as s:
        if catalog.engine.dialect.name == "postgresql":  # WIN1251 holds Russian letters, not Kazakh ones
            s.execute(text("SET client_encoding TO 'WIN1251'"))
        bulk.insert_rows(s, CatalogRecord.__table__, cols, [tuple(values[c] for c in cols)], utf8=("data",))
    with catalog.session() as s:
        assert s.execute(select(CatalogRecord.data, CatalogRecord.title)).one() == (data, "Война и мир")


def test_reserved_ids_are_new_distinct_and_in_order(catalog):
    with catalog.session() as s:
        bulk.insert_rows(s, CatalogRecord.__table__, *_record_rows(3, False))  # ids 1-3 taken by hand
        if catalog.engine.dialect.name == "postgresql":  # as the importer leaves it: the sequence past them
            s.execute(text("SELECT setval(pg_get_serial_sequence('records', 'id'), 3)"))
        first = bulk.reserve_ids(s, 2500, None)
        cols, rows = _record_rows(2500, False)
        bulk.insert_rows(s, CatalogRecord.__table__, cols, [(i, *r[1:]) for i, r in zip(first, rows)])
    with catalog.session() as s:
        second = bulk.reserve_ids(s, 5, None)
    assert first == list(range(first[0], first[0] + 2500)) and first[0] > 3
    assert second == list(range(second[0], second[0] + 5)) and second[0] > first[-1]
