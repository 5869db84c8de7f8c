"""The shortcuts the per-record import steps take give what the rules they stand for give.

Flavour detection, summary columns, match keys, copies and sub-catalogues each read every imported
record, so they skip regexes and repeated look-ups where a cheaper test says the same. Each test here
holds a shortcut against the plain rule it replaces, on many generated inputs.
"""

from __future__ import annotations

import calendar
import datetime as dt
import random
import re
import unicodedata
from encodings import kz1048
from types import SimpleNamespace

from pymarc import Field, Indicators, Leader, Record, Subfield

from libcat.catalog.holdings import extract
from libcat.kabis import classify, profiles
from libcat.marc import isbn, keys, summary
from libcat.marc.crosswalk import holdings as xh
from libcat.marc import flavour, validate
from libcat.marc.fieldindex import index, subfield_values
from libcat.marc.flavour import MARC21, UNIMARC, detect, irbis_evidence

from corpus_records import clean_records

_SPACES = " \t\n\x0b\x0c\r\x1c\x1f\x85\xa0\u2028\u3000"


def _texts(alphabet: str, n: int = 20000, longest: int = 12, seed: int = 1) -> list[str]:
    r = random.Random(seed)
    return ["".join(r.choice(alphabet) for _ in range(r.randint(0, longest))) for _ in range(n)]


def _field(tag: str, *pairs: str, ind: str = "  ") -> Field:
    return Field(tag, Indicators(ind[0], ind[1]), [Subfield(pairs[i], pairs[i + 1]) for i in range(0, len(pairs), 2)])


def test_clean_cuts_what_the_trailing_punctuation_pattern_cuts():
    trail = re.compile(r"[\s/:;,.=]+$")
    for text in _texts("ab /:;,.=-" + _SPACES):
        assert summary._clean(text) == (trail.sub("", text.strip()) or None), repr(text)


def test_year_of_four_digits_is_the_year_the_pattern_finds():
    pattern = re.compile(r"(1[0-9]{3}|20[0-9]{2})")
    for text in [f"{n:04d}" for n in range(10000)] + ["１９９９", "19a9", "c1999", "²⁰⁰⁰"]:
        m = pattern.search(text)
        assert summary._year(text) == (int(m.group(1)) if m else None), text


def test_ymd_of_eight_digits_is_the_date_the_patterns_find():
    for text in [f"{y:04d}{m:02d}{d:02d}" for y in (0, 1899, 2019, 9999) for m in range(0, 14) for d in range(0, 33)]:
        m = re.search(r"\b(\d{4})-?(\d{2})-?(\d{2})\b", text)
        mo, d = int(m.group(2)), int(m.group(3))
        assert xh.ymd(text) == (text if 1 <= mo <= 12 and 1 <= d <= 31 else ""), text
        assert xh.ymd(text) == xh.ymd(" " + text), text  # the same date read through the pattern
    assert xh.ymd("١٩٧٨٠١١٥") == "19780115"  # Arabic-Indic digits still go through the pattern


def test_base_letters_fold_as_the_translation_table_folds():
    letters = "".join(map(chr, keys._BASE))
    for text in _texts(letters + "аеикнгоухbBx -"):
        assert keys._to_base(text) == text.translate(keys._BASE), text


def test_subfield_values_come_code_by_code_like_get_subfields():
    r = random.Random(2)
    for _ in range(2000):
        pairs = [x for _ in range(r.randint(0, 8)) for x in (r.choice(["a", "n", "p", "h", "", "np"]), str(r.random()))]
        f = _field("245", *pairs)
        for codes in (("n", "p"), ("p", "n"), ("a", "b", "c")):
            assert subfield_values(f, codes) == [v for c in codes for v in f.get_subfields(c)]


class _Clock:
    """A wall clock and a local date that a test sets, for ``summary``'s ``time`` and ``dt``."""

    def __init__(self) -> None:
        self.minute, self.today = 0, dt.date(2020, 6, 1)
        clock = self

        class _Date(dt.date):
            @classmethod
            def today(cls) -> dt.date:
                return clock.today

        self.time = SimpleNamespace(time=lambda: self.minute * 60.0)
        self.dt = SimpleNamespace(date=_Date, datetime=dt.datetime)

    def set(self, minute: int, year: int) -> None:
        self.minute, self.today = minute, dt.date(year, 6, 1)


def test_century_pivot_follows_the_date_back_and_forth(monkeypatch):
    """008/00-05 years up to this year's last two digits are 20xx, whichever way the date last moved."""
    clock = _Clock()
    monkeypatch.setattr(summary, "time", clock.time)
    monkeypatch.setattr(summary, "dt", clock.dt)
    monkeypatch.setattr(summary, "_PIVOT", (-1, 0))
    for minute, year, expected in ((1, 2020, 1925), (2, 2030, 2025), (3, 2020, 1925), (4, 2025, 2025)):
        clock.set(minute, year)
        assert summary._pivot() == year % 100
        assert summary._marc21_entry("250101") == dt.date(expected, 1, 1)


def test_leading_article_cut_as_the_pattern_substitution_cuts():
    """Kazakh and Russian titles keep their first word (Cyrillic «А», «Ла»...); Latin articles go."""
    def old(title, author, year):
        t = keys.fold(keys._LEADING_ARTICLE.sub("", title or ""))
        if not t or not year or (not author and len(t.replace(" ", "")) < 5):
            return None
        return f"{t[:300]}|{keys._surname(author)[:100]}|{year}"

    titles = ["Абай жолы", "А. Құнанбаев", "А жолы", "A Абай жолы", "[The] Қазақстан", "[A Алматы", "Ла-Манш",
              "La Қазақстан", "l' Алматы", "Les", "An ", "Дер Сайт", "Өлең a", "The"]
    titles += _texts("aAАleLtTh'[ -әңДер", n=5000, longest=10, seed=3)
    for title in titles:
        for author in (None, "Әуезов М."):
            assert keys.title_key(title, author, 1964) == old(title, author, 1964), title


def test_valid_date_agrees_with_the_calendar_for_every_month():
    """Last day of each month of years 1-9999 valid, the day after not (YYMMDD: years 2000-2099)."""
    valid = validate._valid_date.__wrapped__
    for year in range(1, 10000):
        for month in range(1, 13):
            last = calendar.monthrange(year, month)[1]
            assert valid(f"{year:04d}{month:02d}{last:02d}", "ymd8"), (year, month)
            assert not valid(f"{year:04d}{month:02d}{last + 1:02d}", "ymd8"), (year, month)
            if 2000 <= year <= 2099:
                assert valid(f"{year % 100:02d}{month:02d}{last:02d}", "ymd6")
                assert not valid(f"{year % 100:02d}{month:02d}{last + 1:02d}", "ymd6")


def test_unimarc_most_is_the_score_of_every_unimarc_sign():
    """``_UNIMARC_MOST`` is kept in step with ``_unimarc_evidence`` by hand: a record showing every sign."""
    r = Record()
    r.add_field(_field("100", "a", "20190102d2019    u  y0rusy50      ca"))
    r.add_field(_field("200", "a", "Абай жолы"))
    r.add_field(_field("461", "1", "001x"))
    r.add_field(_field("801", "a", "KZ"))
    assert flavour._unimarc_evidence(index(r)) == flavour._UNIMARC_MOST


def test_marc21_tags_outweigh_unimarc_signs_without_reading_them():
    """Five MARC 21 points beat any UNIMARC score (at most five): such a record is MARC 21."""
    r = Record()
    r.leader = Leader("00000nam a2200000 i 4500")
    r.add_field(Field("008", data="190102s2019    kz            000 0 kaz d"))
    r.add_field(_field("100", "a", "20190102d2019    u  y0rusy50      ca"))
    for tag in ("040", "200", "801", "300"):
        r.add_field(_field(tag, "a", "x"))
    r.add_field(_field("461", "1", "001x"))
    assert irbis_evidence(r) == 0
    assert detect(r) == MARC21
    r.remove_fields("008", "040", "300")
    assert detect(r) == UNIMARC


def test_classify_asks_for_electronic_once_and_still_follows_rule_order(monkeypatch):
    r = Record()
    r.leader = Leader("00000naa a2200000 i 4500")
    r.add_field(_field("856", "u", "http://example.org/a.pdf"))
    asked = []
    real = classify.is_electronic
    monkeypatch.setattr(classify, "is_electronic", lambda *a: asked.append(a) or real(*a))
    c = classify.load(profiles.DEFAULT_PROFILE)
    assert c.classify(r, MARC21, index(r)) == "e-articles"
    assert len(asked) == 1
    assert [rule.subcat for rule in c.rules if rule.matches(r, MARC21)][0] == "e-articles"
    r.add_field(_field("852", "b", "Ф1"))
    asked.clear()
    assert c.classify(r, MARC21) == "articles"  # two electronic rules, one look-up
    assert len(asked) == 1


def test_copies_link_to_the_first_located_holding_and_by_link_number():
    r = Record()
    r.add_field(_field("852", "8", "1"))
    r.add_field(_field("852", "8", "2", "b", "Ф2", "j", "84"))
    r.add_field(_field("852", "8", "2", "b", "Ф3"))
    r.add_field(_field("876", "a", "1", "d", "19780115"))
    r.add_field(_field("876", "8", "2.1", "a", "2", "j", "списан 01.02.2003"))
    r.add_field(_field("876", "8", "1", "a", "3", "d", "19781315"))
    rows = extract(r, MARC21)
    assert [(c["inventory_number"], c["location"]) for c in rows] == [("1", "Ф2"), ("2", "Ф3"), ("3", None)]
    assert [str(c["receipt_date"]) for c in rows] == ["1978-01-15", "None", "None"]
    assert rows[1]["status"] == xh.WRITTEN_OFF and str(rows[1]["written_off_at"]) == "2003-02-01"


def _corpus_texts(corpus) -> set[str]:
    return {sf.value for _, record, _ in clean_records(corpus) for f in record.fields if not f.control_field
            for sf in f.subfields}


#: Kazakh and Russian letters, ё, Latin look-alikes and punctuation: text ``keys.fold`` folds as KZ-1048 bytes.
_KZ_TEXT = "әғқңөұүһіӘҒҚҢӨҰҮҺІёЁйЙабвгдежзиклмнопрстуфхцчшщъыьэюяАКМХOoXxAaCcEeIiHh0123456789 -_.,:;/=!?«»()[]'\"№—–…\u00a0\u00ad"
#: Characters KZ-1048 lacks (or folds apart from their neighbours), which send text to ``keys._fold_text``.
_NOT_KZ = ["Σ", "é", "е\u0301", "і\u0308", "ə", "ɵ", "Ї", "ў", "ӊ", "ҝ", "ѓ", "Ѓ", "\u2028", "\u0130", "\u017f", "\u212a"]


def test_fold_gives_what_the_unicode_rule_gives(corpus):
    """Text in KZ-1048 is folded byte by byte; the rule it stands for is ``_fold_text`` of the NFC text."""
    texts = _corpus_texts(corpus) | set(_texts(_KZ_TEXT, n=20000, longest=30, seed=4))
    texts |= {a + b + "ж" + a for a in kz1048.decoding_table for b in kz1048.decoding_table[::5]}
    texts |= {"".join(t) for t in zip(_texts(_KZ_TEXT, n=5000, seed=5), random.Random(6).choices(_NOT_KZ, k=5000))}
    for text in texts:
        assert keys.fold(text) == keys._fold_text(unicodedata.normalize("NFC", text)), repr(text)


def test_fold_takes_the_unicode_rule_only_outside_kz1048(monkeypatch):
    taken: list[str] = []
    rule = keys._fold_text
    monkeypatch.setattr(keys, "_fold_text", lambda text: taken.append(text) or rule(text))
    for text, expected in (("Қазақстан тарихы: ЁЛКА, «Әуезов» № 5_б", "казакстан тарихы елка ауезов 5 б"),
                           ("ӘҒҚҢӨҰҮҺІ әғқңөұүһі", "агкноуухи агкноуухи"), ("Mиp XIX ғасыр", "мир xix гасыр"),
                           ("  Абай  жолы . ", "абаи жолы")):
        assert keys.fold(text) == expected and not taken, text
    for odd in _NOT_KZ:
        taken.clear()
        keys.fold("Абай " + odd + " жолы")
        assert taken, odd


def test_two_kz1048_characters_are_nfc():
    """``fold`` skips NFC for text KZ-1048 holds: no character of it, nor any pair, changes under NFC."""
    chars = [c for c in kz1048.decoding_table if c != "\ufffe"]
    for a in chars:
        assert all(unicodedata.is_normalized("NFC", a + b) for b in chars), a


def test_title_proper_reads_the_title_field_as_get_and_subfield_values_read_it():
    r = random.Random(7)
    for flavour_ in (MARC21, UNIMARC, flavour.IRBIS):
        tag, part_codes = keys._TITLE_FIELDS[flavour_][:2]
        for _ in range(3000):
            pairs = [x for _ in range(r.randint(0, 6))
                     for x in (r.choice(["a", "b", "c", "n", "p", "v", "h", "i", "*"]), r.choice(["", " ", "Т. 2", "Абай"]))]
            rec = Record()
            rec.add_field(_field(tag, *pairs))
            f = rec.fields[0]
            value = f.get("a") or (f.get("*") if flavour_ == flavour.IRBIS else None)
            parts = subfield_values(f, part_codes)
            title = (" ".join([value or "", *parts]) if parts else value).strip() if (value and value.strip()) or parts else None
            assert keys.title_proper(rec, flavour_) == (title or None), (flavour_, pairs)


def test_isbn_checksums_of_ascii_digits_are_the_int_per_digit_sums():
    r = random.Random(8)
    for _ in range(20000):
        digits = "".join(r.choice("0123456789") for _ in range(r.choice([9, 12, r.randint(1, 14)])))
        rev = digits[::-1]
        assert isbn._ean_check(digits) == str((10 - 3 * sum(map(int, rev[0::2])) - sum(map(int, rev[1::2]))) % 10)
        check = sum((i + 1) * int(n) for i, n in enumerate(digits)) % 11
        assert isbn._isbn10_check(digits) == ("X" if check == 10 else str(check))
    assert isbn._ean_check("٩٧٨٦٠١٠٠٤٥٧٢") == isbn._ean_check("978601004572") == "9"  # Arabic-Indic digits by int()
    assert isbn._isbn10_check("٠٨٠٤٤٢٩٥٧") == isbn._isbn10_check("080442957") == "X"


def test_isbn_verdicts_cached_or_not_agree():
    for token in ("0-8044-2957-X", "0-8044-2957-x", "0-8044-2957-1", "080442957X", "978-601-7151-13-4",
                  "978-601-7151-13-5", "977-1-234-56789-7", "030640615", "030640615X", "978601715113X", "1234"):
        number = isbn._number(token)
        assert isbn.verdict(token) == isbn._verdict.__wrapped__(number) == isbn.verdict(token), token
    assert isbn.to_isbn13("0-8044-2957-X") == "9780804429573" and isbn.to_isbn13("0-8044-2957-1") is None


def test_dates_read_with_one_int_are_the_dates_of_three():
    for text in [f"{y:04d}{m:02d}{d:02d}" for y in (0, 1, 1899, 2019, 9999) for m in range(0, 14) for d in range(0, 33)]:
        try:
            rule = dt.date(int(text[0:4]), int(text[4:6]), int(text[6:8]))
        except ValueError:
            rule = None
        assert summary._ymd(text) == rule, text
        yy = int(text[2:4])
        try:
            entry = dt.date(2000 + yy if yy <= summary._pivot() else 1900 + yy, int(text[4:6]), int(text[6:8]))
        except ValueError:
            entry = None
        assert summary._marc21_entry(text[2:]) == entry, text
    assert summary._ymd("٢٠١٩٠١٠٢") == dt.date(2019, 1, 2) and summary._marc21_entry("١٩٠١٠٢") == dt.date(2019, 1, 2)


def test_marc21_summary_reads_008_once_for_the_kazakhstan_mark(corpus):
    """The summary hands its 008 to the country test; ``kazakhstan_field`` reads it itself."""
    records = [record for _, record, _ in clean_records(corpus)]
    data_008 = object.__new__(Field)  # a data field tagged 008, as a reader may make one: not read as 008 data
    data_008.tag, data_008.control_field, data_008.data = "008", False, None
    data_008.subfields, data_008._indicators = [Subfield("a", "141116s1959    kz")], Indicators(" ", " ")
    for country in ("kz", "ru"):
        r = Record()
        r.add_field(Field("008", data=f"141116s1959    {country}            000 0 kaz d"))
        r.add_field(_field("651", "a", "Алматы (Қазақстан)"))
        records.append(r)
    r = Record()
    r.add_ordered_field(data_008)
    records.append(r)
    for record in records:
        idx = index(record)
        assert summary.summarize(record, MARC21, idx).kazakhstan == summary.kazakhstan_field(idx, MARC21)
    assert [summary.summarize(r, MARC21).kazakhstan for r in records[-3:]] == ["008/15-17", "651", "008/15-17"]
