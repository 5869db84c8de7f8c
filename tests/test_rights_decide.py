"""Rights: public domain (70-year boundary), contracts by scope and date, own publication; links; bulk ids."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from pymarc import Field, Indicators, Subfield
from sqlalchemy import select

from libcat.catalog.models import CatalogRecord, DigitalObject
from libcat.catalog.store import CatalogError
from libcat.digitize import contracts, links, registry, rights
from libcat.marc import authors

from test_digitize_helpers import add_record, irbis_record, kamshy, make_pdf, newspaper_article


def test_death_year_parsing() -> None:
    assert authors.death_year_from_text("1900-1955") == 1955
    assert authors.death_year_from_text("1900–1955 гг.") == 1955
    assert authors.death_year_from_text("ум. 1955") == 1955
    assert authors.death_year_from_text("d. 1888") == 1888
    assert authors.death_year_from_text("1950-") is None
    assert authors.death_year_from_text("р. 1950") is None
    assert rights.public_domain_from(1955) == dt.date(2026, 1, 1)


def _setup(catalog, tmp_path: Path, dates: str | None = "1900-1955"):
    rid = kamshy(catalog, dates=dates)
    obj = registry.add_object(catalog, rid, [make_pdf(tmp_path / "k.pdf", 2)], date=dt.date(2024, 1, 10))
    return rid, obj


def test_seventy_year_boundary(catalog, tmp_path: Path) -> None:
    rid, obj = _setup(catalog, tmp_path)
    with catalog.Session() as s:
        before = rights.decide(s, obj, today=dt.date(2025, 12, 31))
        after = rights.decide(s, obj, today=dt.date(2026, 1, 1))
    assert not before.allowed and before.basis == "none"
    assert "protected by copyright until 2025-12-31" in before.reason and "700^F" in before.reason
    assert "no contract covers the record" in before.reason
    assert after.allowed and after.basis == "public-domain"
    assert after.reason == "public domain since 2026-01-01: the author died in 1955 (field 700^F)"
    assert "общественное достояние с 01.01.2026" in after.message("ru")
    assert "қоғам игілігі" in after.message("kk")


def test_death_year_set_by_hand_and_unknown(catalog, tmp_path: Path) -> None:
    rid, obj = _setup(catalog, tmp_path, dates=None)
    with catalog.session() as s:
        d = rights.decide(s, obj, today=dt.date(2030, 1, 1))
        assert not d.allowed and "death year is unknown" in d.reason
        row = s.get(CatalogRecord, rid)
        stamp = row.datestamp
        rights.set_death_year(s, row, 1940)
    with catalog.session() as s:
        d = rights.decide(s, obj, today=dt.date(2011, 1, 1))
        assert d.allowed and "set by hand" in d.reason
        assert not rights.decide(s, obj, today=dt.date(2010, 12, 31)).allowed
        assert s.get(CatalogRecord, rid).datestamp >= stamp


def test_hand_set_year_overrides_the_record(catalog, tmp_path: Path) -> None:
    rid, obj = _setup(catalog, tmp_path, dates="1900-1930")
    with catalog.session() as s:
        assert rights.decide(s, obj, today=dt.date(2024, 1, 1)).allowed
        rights.set_death_year(s, s.get(CatalogRecord, rid), 2000)
    with catalog.Session() as s:
        assert not rights.decide(s, obj, today=dt.date(2024, 1, 1)).allowed


def test_co_authors_count_from_the_last_death(catalog, tmp_path: Path) -> None:
    rec = irbis_record("Бірге", cn="CO-1", author=("Бірінші", "А."), dates="1880-1940")
    rec.add_field(Field("701", indicators=Indicators(" ", " "),
                        subfields=[Subfield("a", "Екінші"), Subfield("b", "Б."), Subfield("f", "1890-1960")]))
    rid = add_record(catalog, rec)
    obj = registry.add_object(catalog, rid, [make_pdf(tmp_path / "co.pdf", 1)])
    with catalog.Session() as s:
        assert not rights.decide(s, obj, today=dt.date(2030, 12, 31)).allowed
        assert rights.decide(s, obj, today=dt.date(2031, 1, 1)).allowed
    rec2 = irbis_record("Белгісіз", cn="CO-2", author=("Бірінші", "А."), dates="1880-1940")
    rec2.add_field(Field("701", indicators=Indicators(" ", " "), subfields=[Subfield("a", "Тірі"), Subfield("f", "1970-")]))
    rid2 = add_record(catalog, rec2)
    obj2 = registry.add_object(catalog, rid2, [make_pdf(tmp_path / "co2.pdf", 2)])
    with catalog.Session() as s:
        assert not rights.decide(s, obj2, today=dt.date(2100, 1, 1)).allowed


def test_own_publication(catalog, tmp_path: Path) -> None:
    rid, obj = _setup(catalog, tmp_path, dates=None)
    with catalog.session() as s:
        rights.set_own_publication(s, s.get(CatalogRecord, rid), True)
    with catalog.Session() as s:
        d = rights.decide(s, obj, scope="publish-aggregator")
        assert d.allowed and d.basis == "own-publication" and d.reason == "the library's own publication"
        assert d.message("kk") == "кітапхананың өз басылымы"


def test_contract_paths(catalog, tmp_path: Path) -> None:
    rid, obj = _setup(catalog, tmp_path, dates=None)
    c1 = contracts.add(catalog, holder="Кәрім Н.", signed=dt.date(2021, 3, 1), until=dt.date(2023, 12, 31),
                       record_refs=[rid], scope="digitize,publish-site", number="7/2021")
    with catalog.Session() as s:
        d = rights.decide(s, obj, scope="publish-site", today=dt.date(2022, 6, 1))
        assert d.allowed and d.basis == "contract" and d.contract_id == c1.id
        assert "№ 7/2021" in d.reason and "2021-03-01 to 2023-12-31" in d.reason
        assert rights.decide(s, obj, scope="digitize", today=dt.date(2022, 6, 1)).allowed
        d = rights.decide(s, obj, scope="publish-aggregator", today=dt.date(2022, 6, 1))
        assert not d.allowed and "allows only digitize, publish-site, not publish-aggregator" in d.reason
        d = rights.decide(s, obj, scope="publish-site", today=dt.date(2021, 2, 28))
        assert not d.allowed and "starts on 2021-03-01" in d.reason
        assert rights.decide(s, obj, scope="publish-site", today=dt.date(2023, 12, 31)).allowed
        d = rights.decide(s, obj, scope="publish-site", today=dt.date(2024, 1, 1))
        assert not d.allowed and "expired on 2023-12-31" in d.reason
        assert "истёк 31.12.2023" in d.message("ru")
    # renewal ("повторно"): its own contract, linked, covering the same record, open-ended
    c2 = contracts.add(catalog, holder="Кәрім Н.", signed=dt.date(2024, 2, 1), renewal_of=c1.id,
                       scope="digitize,publish-site,publish-aggregator")
    with catalog.Session() as s:
        assert c2.renewal_of == c1.id and c2.author is None
        v = contracts.view(s, contracts.get(s, c1.id), today=dt.date(2024, 3, 1))
        assert v.renewed_by == [c2.id] and v.status == "expired"
        assert [r.id for r in contracts.view(s, contracts.get(s, c2.id)).records] == [rid]
        d = rights.decide(s, obj, scope="publish-aggregator", today=dt.date(2030, 1, 1))
        assert d.allowed and d.contract_id == c2.id and "open-ended" in d.reason
        assert not rights.decide(s, obj, scope="publish-site", today=dt.date(2024, 1, 15)).allowed


def test_withdrawn_object_and_deleted_record(catalog, tmp_path: Path) -> None:
    rid, obj = _setup(catalog, tmp_path, dates="1800-1850")
    with catalog.session() as s:
        o = s.get(DigitalObject, obj.id)
        assert rights.decide(s, o).allowed
        o.deleted_at = dt.datetime(2024, 1, 1)
        s.flush()
        assert not rights.decide(s, o).allowed and "withdrawn" in rights.decide(s, o).reason


def test_link_fields_follow_rights(catalog, tmp_path: Path) -> None:
    rid, obj = _setup(catalog, tmp_path, dates="1900-1955")
    with catalog.Session() as s:
        row = s.get(CatalogRecord, rid)
        path = registry.files_of(s, obj.id)[0].path
        denied = links.link_fields(s, row, "marc21", "http://lib.example/files/", today=dt.date(2025, 12, 31))
        allowed = links.link_fields(s, row, "marc21", "http://lib.example/files/", today=dt.date(2026, 1, 1))
        rus = links.link_fields(s, row, "unimarc", "http://lib.example/files", today=dt.date(2026, 1, 1))
        irbis_no = links.link_fields(s, row, "irbis", "http://lib.example/files/", today=dt.date(2025, 1, 1))
        irbis_yes = links.link_fields(s, row, "irbis", "http://lib.example/files/", today=dt.date(2026, 1, 1))
    size = str(obj.bytes)
    assert len(denied) == 1 and denied[0].tag == "856" and denied[0].get("u") is None
    assert denied[0].get("q") == "application/pdf" and denied[0].get("s") == size
    assert denied[0].get("z") == "Толық мәтін тек кітапханада қолжетімді"
    assert allowed[0].get("u") == f"http://lib.example/files/{path}" and allowed[0].get("z") is None
    assert list(allowed[0].indicators) == ["4", "1"] and list(rus[0].indicators) == ["4", " "]
    assert rus[0].get("u") == f"http://lib.example/files/{path}"
    assert irbis_no[0].tag == "951" and irbis_no[0].get("i") is None and irbis_no[0].get("a") is None
    assert irbis_no[0].get("n") == "2"
    assert irbis_yes[0].get("a") == path and irbis_yes[0].get("i") == f"http://lib.example/files/{path}"


def test_publishable_record_ids(catalog, tmp_path: Path) -> None:
    pd_rid, _ = _setup(catalog, tmp_path, dates="1880-1940")
    art = newspaper_article(catalog)
    registry.add_object(catalog, art, [make_pdf(tmp_path / "a.pdf", 1)])
    own = add_record(catalog, irbis_record("Кітапхана жылнамасы", cn="OWN-1"))
    registry.add_object(catalog, own, [make_pdf(tmp_path / "o.pdf", 3)])
    hand = add_record(catalog, irbis_record("Ескі кітап", cn="OLD-1", author=("Ескі", "Е.")))
    registry.add_object(catalog, hand, [make_pdf(tmp_path / "h.pdf", 4)])
    covered = add_record(catalog, irbis_record("Жаңа кітап", cn="NEW-1", author=("Жаңа", "Ж.")))
    registry.add_object(catalog, covered, [make_pdf(tmp_path / "c.pdf", 5)])
    undigitized = add_record(catalog, irbis_record("Цифрланбаған", cn="ND-1", author=("Ескі", "Е."), dates="1800-1850"))
    with catalog.session() as s:
        rights.set_own_publication(s, s.get(CatalogRecord, own), True)
        rights.set_death_year(s, s.get(CatalogRecord, hand), 1900)
    contracts.add(catalog, holder="Жаңа Ж.", signed=dt.date(2020, 1, 1), record_refs=["NEW-1"], scope="publish-site")
    with catalog.Session() as s:
        agg = rights.publishable_record_ids(s, "publish-aggregator", today=dt.date(2024, 6, 1))
        site = rights.publishable_record_ids(s, "publish-site", today=dt.date(2024, 6, 1))
        again = rights.publishable_record_ids(s, "publish-aggregator", today=dt.date(2024, 6, 1))
        # the bulk answer agrees with one-by-one decisions
        one_by_one = {
            o.record_id for o in s.scalars(select(DigitalObject))
            if rights.decide(s, o, "publish-site", today=dt.date(2024, 6, 1)).allowed
        }
    assert agg == again == {pd_rid, own, hand}
    assert site == one_by_one == {pd_rid, own, hand, covered}
    assert art not in site and undigitized not in site


def test_unknown_scope_is_an_error(catalog, tmp_path: Path) -> None:
    _rid, obj = _setup(catalog, tmp_path)
    with catalog.Session() as s, pytest.raises(CatalogError, match="unknown scope 'publish-moon'"):
        rights.decide(s, obj, scope="publish-moon")


def test_a_deletion_counts_from_its_day_on(catalog, tmp_path: Path) -> None:
    """Asked about a date, rights see a record or object as it was then: deleted ones were still there before."""
    rid, obj = _setup(catalog, tmp_path, dates="1800-1850")
    with catalog.session() as s:
        s.get(CatalogRecord, rid).deleted_at = dt.datetime(2024, 6, 1, 12, 0)
    with catalog.Session() as s:
        row = s.get(CatalogRecord, rid)
        o = s.get(DigitalObject, obj.id)
        assert rights.decide_record(s, row, today=dt.date(2024, 5, 31)).basis == "public-domain"
        assert rights.decide_record(s, row, today=dt.date(2024, 6, 1)).basis == "deleted"
        assert rights.decide_record(s, row).basis == "deleted"
        assert rights.decide(s, o, today=dt.date(2024, 5, 31)).allowed
        assert rid in rights.publishable_record_ids(s, today=dt.date(2024, 5, 31))
        assert rid not in rights.publishable_record_ids(s, today=dt.date(2024, 6, 1))
        assert rid not in rights.publishable_record_ids(s)
    with catalog.session() as s:
        s.get(CatalogRecord, rid).deleted_at = None
        s.get(DigitalObject, obj.id).deleted_at = dt.datetime(2024, 6, 1, 9, 30)
    with catalog.Session() as s:
        o = s.get(DigitalObject, obj.id)
        assert rights.decide(s, o, today=dt.date(2024, 5, 31)).allowed
        withdrawn = rights.decide(s, o, today=dt.date(2024, 6, 1))
        assert not withdrawn.allowed and withdrawn.basis == "withdrawn"
        assert rid in rights.publishable_record_ids(s, today=dt.date(2024, 5, 31))
        assert rid not in rights.publishable_record_ids(s, today=dt.date(2024, 6, 1))
