"""ISBNs: one tokenizer and one ISBN-13 normaliser for validation, summaries (dedupe keys) and Dublin Core."""

from __future__ import annotations

from pymarc import Field, Record, Subfield

from libcat.marc import isbn, keys, validate
from libcat.marc.crosswalk.dc import to_dc
from libcat.marc.flavour import IRBIS, MARC21, set_flavour
from libcat.marc.summary import summarize


def test_tokens_checks_and_isbn13():
    assert isbn.find("ISBN 5-7667-1234-Х (в пер.)") == "5-7667-1234-X"
    assert isbn.to_isbn13("0-306-40615-2") == "9780306406157"
    assert isbn.to_isbn13("978-0-306-40615-7") == "9780306406157"
    assert isbn.to_isbn13("030640615") is None
    assert isbn.verdict("0-306-40615-3") == "checksum"
    assert isbn.verdict("977-0-306-40615-8") == "format"
    assert isbn.normalize("ISBN 0-8044-2957-х : 100 р.") == "9780804429573"
    assert isbn.normalize("без ISBN") is None


def _irbis(value: str) -> Record:
    r = Record(force_utf8=True)
    r.add_field(Field("010", subfields=[Subfield("a", value)]))
    r.add_field(Field("200", subfields=[Subfield("a", "Абай жолы")]))
    set_flavour(r, IRBIS)
    return r


def test_cyrillic_x_gives_a_dedupe_key_and_passes_validation():
    record = _irbis("0-8044-2957-Х")
    assert summarize(record, IRBIS).isbns == ["9780804429573"]
    assert (keys.ISBN, "9780804429573") in keys.record_keys(record, IRBIS, summarize(record, IRBIS), None)
    codes = [f.code for f in validate.validate(record, IRBIS)]
    assert not [c for c in codes if c.startswith("isbn")]


def test_dublin_core_identifier_reads_cyrillic_x():
    r = Record(force_utf8=True)
    r.add_field(Field("245", indicators=["0", "0"], subfields=[Subfield("a", "Title")]))
    r.add_field(Field("020", indicators=[" ", " "], subfields=[Subfield("a", "0-8044-2957-Х (pbk.)")]))
    set_flavour(r, MARC21)
    assert ("identifier", "ISBN 0-8044-2957-X") in to_dc(r)


def test_digit_values_are_found_without_the_search():
    """``find``'s shortcut for plain digits gives what ``TOKEN`` finds, at every length and for non-ASCII digits."""
    for n in range(1, 26):
        for value in ("9" * n, "978601004572"[:n], "٩" * n, "１" * n, " " + "7" * n, "7" * n + "X"):
            assert isbn.find(value) == isbn._search(value), value
    assert isbn.find("") is None and isbn.find(None) is None


def test_verdict_of_plain_digits_is_unchanged():
    for token in ("9786010045729", "9786010045728", "9776010045720", "0306406152", "030640615", "030640615X",
                  "٩٧٨٦٠١٠٠٤٥٧٢٩", "12345678901"):
        assert isbn.verdict(token) == isbn.verdict(" ".join(token)), token
