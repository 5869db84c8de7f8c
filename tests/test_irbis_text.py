"""IRBIS plain-text reader and writer on the real corpus, the samples and hand-made edge cases."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from libcat.marc.flavour import IRBIS, IRBIS_VALUE_CODE
from libcat.marc.irbis import IrbisWriter, detect_encoding, iter_irbis, parse_subfields

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
V = IRBIS_VALUE_CODE


def read(data: bytes, encoding: str | None = None) -> list:
    return list(iter_irbis(io.BytesIO(data), encoding))


def write(records) -> bytes:
    buf = io.BytesIO()
    writer = IrbisWriter(buf)
    for r in records:
        assert writer.write(r) == []
    writer.close()
    return buf.getvalue()


def fields_of(record) -> list:
    return [(f.tag, f.data) if f.is_control_field() else (f.tag, "".join(f.indicators), [tuple(s) for s in f.subfields])
            for f in record.fields]


def test_three_records_counts_and_values(corpus: Path) -> None:
    items = list(iter_irbis(open(corpus / "irbis" / "irbis_plaintext_3records_utf8.txt", "rb")))
    assert [i.ok for i in items] == [True, True, True]
    assert [i.offset for i in items] == [1, 22, 46] and {i.offset_unit for i in items} == {"line"}
    first, article, book = (i.record for i in items)
    assert first.flavour == IRBIS and items[0].flavour == IRBIS
    assert first["200"]["v"] == "Кн. 3" and first["200"]["a"] == "Странные люди"
    assert first["010"]["a"] == "5-86150-048-7" and first["060"][V] == "10"
    assert first["1119"][V] == "7ef4c9af-f1d3-4adc-981b-5012463155a1"
    assert first["920"][V] == "SPEC" and first["101"][V] == "rus"
    assert article["463"]["h"] == "№ 14 (17 янв.)" and article["463"]["c"] == "Восточно-Сибирская правда"
    assert [f[V] for f in article.get_fields("6629")] == ["ELSTN", "VOVSTN"]
    assert items[1].control_number == "63.3(2)622/В 26-637115870"
    assert book["200"]["e"].startswith("Student`s Book")
    assert all(tuple(f.indicators) == (" ", " ") for f in book.fields if not f.is_control_field())


def test_ten_records_quirks(corpus: Path) -> None:
    items = list(iter_irbis(open(corpus / "irbis" / "irbis_plaintext_10records_utf8.txt", "rb")))
    assert len(items) == 10 and all(i.ok for i in items)
    assert items[0].control_number == "37/К88-602720"
    rec = items[0].record
    assert rec["210"]["a"] == "М." and rec["210"]["c"] == 'СП "Вся Москва"'
    ed = rec.get_fields("702")[0]
    assert ed["4"] == "340 ред." and ed["a"] == "Павловский"
    empty_907 = [f for f in rec.get_fields("907") if f.get("c") == "" and f.get("b") == ""]
    assert [tuple(s) for s in empty_907[0].subfields] == [("c", ""), ("a", "20070109"), ("b", "")]
    pseudo = items[0].record["020"]
    assert [tuple(s) for s in pseudo.subfields][:2] == [("0", " "), ("!", " ")] and pseudo["a"] == "RU"
    links = [f for i in items for f in i.record.get_fields("951")]
    assert len(links) == 4 and any(f.get("i") == "http://www.gpntb.ru" for f in links)
    assert sum(len(i.record.get_fields("907")) for i in items) == 243


@pytest.mark.parametrize("name", ["irbis_plaintext_3records_utf8.txt", "irbis_plaintext_10records_utf8.txt"])
def test_round_trip_corpus(corpus: Path, name: str) -> None:
    items = list(iter_irbis(open(corpus / "irbis" / name, "rb")))
    again = read(write(i.record for i in items))
    assert [fields_of(i.record) for i in again] == [fields_of(i.record) for i in items]


def test_round_trip_samples() -> None:
    data = (SAMPLES / "kazakh-books-and-articles.txt").read_bytes()
    items = read(data)
    assert write(i.record for i in items) == data


def test_writer_prints_irbis_conventions(corpus: Path) -> None:
    items = list(iter_irbis(open(corpus / "irbis" / "irbis_plaintext_3records_utf8.txt", "rb")))
    text = write([items[0].record]).decode()
    assert "#10: ^A5-86150-048-7^D80\n" in text and "#1119: 7ef4c9af" in text and "#60: 10\n" in text
    assert text.endswith("*****\n")


def test_broken_record_reported_and_reading_goes_on() -> None:
    data = "#920: PAZK\n#200: ^AОдин\n*****\n#920: PAZK\n#2x0: ^AДва\n*****\n#200 ^AБез двоеточия\n*****\n#200: ^AЧетыре\n*****\n"
    items = read(data.encode())
    assert [i.ok for i in items] == [True, False, False, True]
    assert items[1].error.startswith("line 5: not a field line") and items[1].offset == 4
    assert items[1].raw == "#920: PAZK\n#2x0: ^AДва\n*****\n".encode() and items[1].record is None
    assert items[2].error.startswith("line 7: not a field line")
    assert items[3].record["200"]["a"] == "Четыре" and items[3].position == 4 and items[3].offset == 9


def test_text_before_first_field_is_an_error() -> None:
    items = read("просто текст\n#200: ^AX\n*****\n#200: ^AY\n*****\n".encode())
    assert not items[0].ok and items[0].error.startswith("line 1: text before the first field")
    assert items[0].raw == "просто текст\n#200: ^AX\n*****\n".encode()
    assert items[1].record["200"]["a"] == "Y"


def test_continuation_lines_and_missing_final_separator() -> None:
    items = read("#331: Бірінші жол, \nекінші жол\n#200: ^AА^FБ\n".encode())
    assert len(items) == 1 and items[0].record["331"][V] == "Бірінші жол, екінші жол"


def test_case_insensitive_codes_and_tags() -> None:
    rec = read(b"#10: ^a5-86150-048-7^D80\n#4444: x\n#5: raw^data\n*****\n")[0].record
    assert rec["010"]["a"] == "5-86150-048-7" and rec["010"]["d"] == "80"
    assert rec["4444"][V] == "x" and rec["005"].data == "raw^data"


def test_parse_subfields_edges() -> None:
    assert [tuple(s) for s in parse_subfields("^C^A20070109^B")] == [("c", ""), ("a", "20070109"), ("b", "")]
    assert [tuple(s) for s in parse_subfields("63.3(2)622")] == [(V, "63.3(2)622")]
    assert [tuple(s) for s in parse_subfields("a^^Bb^")] == [(V, "a^"), ("b", "b^")]


@pytest.mark.parametrize("encoding", ["utf-8-sig", "cp1251", "cp866", "kz1048"])
def test_encodings_detected(encoding: str) -> None:
    text = "#920: PAZK\n#200: ^AҚамшы^FН.Кәрім\n#610: ҚАЗАҚ ӘДЕБИЕТІ\n*****\n" if encoding in ("utf-8-sig", "kz1048") \
        else "#920: PAZK\n#200: ^AСтранные люди^FВ. М. Шукшин\n#610: РАССКАЗЫ\n*****\n"
    data = text.encode(encoding)
    assert detect_encoding(data) == encoding
    rec = read(data)[0].record
    assert rec["200"]["a"] == text.split("^A")[1].split("^F")[0] and rec["920"][V] == "PAZK"


def test_explicit_encoding_and_mixed_line() -> None:
    data = "#200: ^AСтранные люди\n".encode("cp1251")
    assert read(data, "cp1251")[0].record["200"]["a"] == "Странные люди"
    mixed = "#200: ^AҚамшы\n".encode() * 5000 + "#610: РАССКАЗЫ\n".encode("cp1251") + b"*****\n"
    item = read(mixed)[0]
    assert item.record["610"][V] == "РАССКАЗЫ" and any("decoded as cp1251" in w for w in item.warnings)


def test_writer_reports_what_irbis_cannot_hold() -> None:
    from pymarc import Field, Record, Subfield

    rec = Record()
    rec.add_field(Field(tag="245", indicators=["1", "0"], subfields=[Subfield("a", "Title ^ caret\nnext")]))
    buf = io.BytesIO()
    problems = IrbisWriter(buf, encoding="cp1251").write(rec)
    assert any("'^'" in p for p in problems) and any("line breaks" in p for p in problems)
    assert buf.getvalue() == b"#245: ^01^!0^ATitle ^ caret next\n*****\n"
    problems = IrbisWriter(io.BytesIO(), encoding="cp1251").write(read("#200: ^AҚамшы\n".encode())[0].record)
    assert problems == ["characters not representable in cp1251 replaced by '?'"]


def test_samples_parse() -> None:
    items = list(iter_irbis(open(SAMPLES / "kazakh-books-and-articles.txt", "rb")))
    assert len(items) == 30 and all(i.ok for i in items)
    sheets = [i.record["920"][V] for i in items]
    assert sheets.count("PAZK") == 17 and sheets.count("ASP") == 13
    assert len({i.control_number for i in items}) == 30
    assert all(i.record.get_fields("463") for i in items if i.record["920"][V] == "ASP")
    text = (SAMPLES / "kazakh-books-and-articles.txt").read_text("utf-8")
    assert all(ch in text.lower() for ch in "әғқңөұүһі")
    broken = list(iter_irbis(open(SAMPLES / "broken-records.txt", "rb")))
    assert [i.ok for i in broken] == [True, True, False, True]
    assert broken[2].error.startswith("line 18: not a field line") and broken[2].offset == 16
