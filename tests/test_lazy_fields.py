"""``iso2709.read_record_lazy`` (the import workers' reader) against the plain rule: the record ``read_record_parts``
gives and ``fieldindex.index`` of it. Same clean decision, repairs and text; the lazy index and record hold the same
fields (tags, indicators, subfields, data, order); the index and the record hand out the same objects whichever is
read first; validation finds the same. And the import steps make only the fields they look up."""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path

import pytest
from pymarc import Field, Record

from libcat.catalog import importer
from libcat.kabis import classify, profiles
from libcat.marc import io as marc_io
from libcat.marc import iso2709
from libcat.marc.fieldindex import LazyIndex, LazyRecord, index
from libcat.marc.flavour import detect
from libcat.marc.validate import validate
from corpus_records import iso_files

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
KAZ = "Қазақ әдебиеті: ғылым, өнер, ұлт, үміт, һәм ілім"
RUS = "Русская литература: история и современность"
F008 = "240101s2023    kz            000 0 kaz d"
F100 = "20240101d2010    k  y0rusy0189    ca"


def _encoded(fields: list[tuple], leader: str = "00000nam a2200000 i 4500", encoding: str = "utf-8") -> bytes:
    """``fields`` written in ``encoding`` (Kazakh letters cp1251 lacks become "?")."""
    data, _ = iso2709.encode(leader, fields, encoding)
    assert data is not None
    return data


def _raw(values: list[tuple[bytes, bytes]]) -> bytes:
    """A record whose field bytes are written as given (empty subfields, missing indicators, ...)."""
    directory, body = b"", b""
    for tag, value in values:
        directory += b"%s%04d%05d" % (tag, len(value) + 1, len(body))
        body += value + b"\x1e"
    base = 24 + len(directory) + 1
    return b"%05dnam a22%05d i 4500" % (base + len(body) + 1, base) + directory + b"\x1e" + body + b"\x1d"


def _crafted() -> Iterator[bytes]:
    """Kazakh and Russian records in UTF-8 and the Cyrillic code pages, clean and not, MARC 21 and RUSMARC."""
    marc21 = [("001", None, "kz-1"), ("003", None, "KZ-AlNL"), ("008", None, F008),
              ("020", "  ", [("a", "9786010045728"), ("c", "1500 тг")]), ("041", "0 ", [("a", "kaz"), ("a", "rus")]),
              ("100", "1 ", [("a", "Құнанбайұлы, Абай")]), ("245", "10", [("a", KAZ), ("b", RUS)]),
              ("264", " 1", [("a", "Алматы :"), ("b", "Атамұра,"), ("c", "2023")]),
              ("650", " 7", [("a", "Тарих"), ("x", "ғылым")]), ("650", " 7", [("a", "Әдебиет"), ("z", "Қазақстан")]),
              ("700", "1 ", [("a", "Әуезов, Мұхтар")]), ("852", "  ", [("b", "ОА"), ("p", "100101")]),
              ("876", "  ", [("a", "100101"), ("c", "1500")]), ("876", "  ", [("a", "100102"), ("j", "списан")])]
    rusmarc = [("001", None, "ru-1"), ("010", "  ", [("a", "5-7667-1234-5")]), ("100", "  ", [("a", F100)]),
               ("101", "0 ", [("a", "rus")]), ("200", "1 ", [("a", RUS), ("f", "Иванов И. И.")]),
               ("210", "  ", [("a", "Москва"), ("d", "2010")]), ("461", " 1", [("1", "2001 "), ("a", "Серия")]),
               ("606", "  ", [("a", "Литература"), ("x", "История")]), ("801", " 0", [("a", "RU"), ("b", "RNB")]),
               ("899", "  ", [("a", "ОА"), ("p", "200201")])]
    for encoding in ("utf-8", "cp1251", "kz1048"):
        yield _encoded(marc21, encoding=encoding)
    for encoding in ("utf-8", "cp1251"):
        yield _encoded(rusmarc, "00000nam  2200000 i 4500", encoding)
    yield _encoded(marc21[3:] + marc21[:3])  # control fields after data fields
    yield _encoded(marc21 + [("245", "10", [("a", "  "), ("a", KAZ)]), ("001", None, "kz-1b")])
    yield _encoded(rusmarc + [("200", "1|", [("ә", RUS)]), ("005", None, "2024\x1fa0101")])
    yield _raw([(b"001", b"kz-2"), (b"245", b"10\x1fa" + KAZ.encode()), (b"650", b" 7\x1f\x1fa" + RUS.encode())])
    yield _raw([(b"001", b"kz-3"), (b"245", b"1\x1fa" + KAZ.encode()), (b"650", b" 7" + RUS.encode())])
    yield _raw([(b"001", b"kz-4\x1f"), (b"245", b"10\x1fa" + KAZ.encode())])
    yield _raw([(b"001", b"kz-5"), (b"245", b"10\x1fa" + KAZ.encode()), (b"500", b"  ")])
    yield _raw([(b"001", b"kz-6"), (b"245", b"10\x1fa" + KAZ.encode()), (b"999", b"\x1faX")])


def _samples() -> Iterator[bytes]:
    """Our samples: the RUSMARC file, and the Kazakh IRBIS records written as ISO 2709."""
    with open(SAMPLES / "rusmarc-sample.iso", "rb") as fh:
        yield from (chunk for _, chunk in iso2709.iter_chunks(fh))
    for item in marc_io.read(SAMPLES / "kazakh-books-and-articles.txt"):
        if item.record is not None:
            leader, fields = iso2709.record_to_fields(item.record)
            data, _ = iso2709.encode(leader, fields)
            if data is not None:
                yield data


def _corpus(corpus: Path) -> Iterator[bytes]:
    for path in iso_files(corpus):
        with open(path, "rb") as fh:
            yield from (chunk for _, chunk in iso2709.iter_chunks(fh))


def _shape(f: Field) -> tuple:
    """Everything a Field holds, with the classes of its indicators and subfields."""
    ind = f._indicators
    return (type(f), f.tag, f.control_field, f.data, type(ind), ind,
            [(type(sf), tuple(sf)) for sf in f.subfields])


def _read_both(chunk: bytes, encoding: str | None = None) -> tuple[tuple, tuple] | None:
    """(``read_record_parts``, ``read_record_lazy``) of ``chunk``, asserted to agree on everything but the
    record; None when neither can read it."""
    try:
        eager = iso2709.read_record_parts(chunk, encoding)
    except iso2709.RecordError as exc:
        with pytest.raises(iso2709.RecordError, match=str(exc)[:20]):
            iso2709.read_record_lazy(chunk, encoding)
        return None
    lazy = iso2709.read_record_lazy(chunk, encoding)
    assert lazy[1:4] == eager[1:]
    assert (lazy[4] is None) == (eager[3] is None) == (type(lazy[0]) is not LazyRecord)
    assert str(lazy[0].leader) == str(eager[0].leader)
    return eager, lazy


def _check_lazy(chunk: bytes, position: int, encoding: str | None = None) -> bool:
    """Asserts the lazy reading of ``chunk`` is the plain one; True when it was read lazily (clean)."""
    both = _read_both(chunk, encoding)
    if both is None:
        return False
    (plain, _, _, parts), (record, _, _, _, idx) = both
    if idx is None:
        assert list(map(_shape, record.fields)) == list(map(_shape, plain.fields))
        return False
    want = index(plain)
    assert list(idx) == list(want)  # every tag a key from the start, in record order
    tags = list(want)
    random.Random(position).shuffle(tags)
    looked_up = {tag: idx[tag] if i % 2 else idx.get(tag) for i, tag in enumerate(tags[: len(tags) // 2])}
    assert {tag: list(map(_shape, fields)) for tag, fields in looked_up.items()} == {
        tag: list(map(_shape, want[tag])) for tag in looked_up}
    assert list(map(_shape, record.fields)) == list(map(_shape, plain.fields))
    by_tag = {tag: [f for f in record.fields if f.tag == tag] for tag in want}
    assert all(a is b for tag, fields in looked_up.items() for a, b in zip(fields, by_tag[tag], strict=True))
    assert all(a is b for tag, fields in idx.items() for a, b in zip(fields, by_tag[tag], strict=True))
    assert record.fields is record.fields
    fresh = iso2709.read_record_lazy(chunk, encoding)
    flavour = detect(plain)
    assert detect(fresh[0], fresh[4], parts[2]) == flavour
    assert validate(fresh[0], flavour, position, fresh[4], parts=parts) == validate(plain, flavour, position)
    return True


def test_lazy_reading_is_the_plain_one_on_the_corpus(corpus):
    checked = lazy = 0
    for position, chunk in enumerate(_corpus(corpus), 1):
        lazy += _check_lazy(chunk, position)
        checked += 1
    assert checked > 1000 and lazy > checked // 4, (lazy, checked)


@pytest.mark.parametrize("encoding", [None, "cp1251"])
def test_lazy_reading_is_the_plain_one_on_our_samples(encoding):
    chunks = list(_samples()) + list(_crafted())
    lazy = [_check_lazy(chunk, position, encoding) for position, chunk in enumerate(chunks, 1)]
    assert sum(lazy) >= 5 and not all(lazy)


def test_fields_read_first_are_the_ones_the_index_hands_out():
    chunk = next(_crafted())
    record, _, _, _, idx = iso2709.read_record_lazy(chunk)
    fields = record.fields
    assert [f for f in fields if f.tag == "650"] == idx["650"] and all(
        a is b for a, b in zip([f for f in fields if f.tag == "876"], idx.get("876"), strict=True))
    record.add_field(Field(tag="999", data="x"))
    assert record.fields[-1].tag == "999" and len(record.fields) == len(fields)


def test_a_lazy_record_is_a_pymarc_record_of_every_field():
    chunk = next(_crafted())
    record, _, _, _, idx = iso2709.read_record_lazy(chunk)
    assert isinstance(record, Record) and isinstance(idx, LazyIndex)
    assert record["245"]["a"] == KAZ and [f["a"] for f in record.get_fields("650")] == ["Тарих", "Әдебиет"]
    assert record.as_marc() == iso2709.read_record(chunk)[0].as_marc()


def test_the_import_steps_make_only_the_fields_they_look_up():
    """A clean MARC 21 record prepared as the workers prepare it: its record's field list is never made (reading
    it would make every field, the cost the lazy index saves), and 650, 700 are never looked up."""
    chunk = next(_crafted())
    preparer = importer._Preparer(None, None, classify.load(profiles.DEFAULT_PROFILE))
    batch = importer._read_raw([(1, 0, chunk)], None)
    (item, idx, parts), = batch
    prepared = preparer.many("x.mrc", batch)[0]
    assert isinstance(prepared, importer._Prepared) and parts is not None
    assert idx._all is None and isinstance(dict.get(idx, "245"), list)
    assert not isinstance(dict.get(idx, "650"), list) and not isinstance(dict.get(idx, "700"), list)


def test_dict_methods_of_a_lazy_index_hand_out_fields_never_positions():
    chunk = next(_crafted())
    plain = index(iso2709.read_record(chunk)[0])

    def fresh() -> LazyIndex:
        return iso2709.read_record_lazy(chunk)[4]

    shape = {tag: [_shape(f) for f in fields] for tag, fields in plain.items()}
    for made in (fresh().copy(), fresh() | {}):
        assert type(made) is dict and {tag: [_shape(f) for f in fs] for tag, fs in made.items()} == shape
    idx = fresh()
    assert idx == dict(idx.copy()) and not (idx != idx.copy()) and fresh() != plain  # pymarc fields: by identity
    shown = repr(fresh())
    assert shown.count("pymarc.field.Field") == sum(map(len, plain.values())) and ": [" in shown
    for method, args in (("setdefault", ("650",)), ("pop", ("650",))):
        assert [_shape(f) for f in getattr(fresh(), method)(*args)] == shape["650"]
    assert fresh().pop("жоқ", []) == []
    idx = fresh()
    assert idx.setdefault("999", []) == [] and "999" in idx
    tag, fields = fresh().popitem()
    assert [_shape(f) for f in fields] == shape[tag]
