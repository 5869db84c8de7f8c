"""The fast encoding guesser (byte counts, integer scores, translate tables) against the per-byte rule it replaces."""

from __future__ import annotations

import random
import string
from fractions import Fraction
from pathlib import Path

import pytest
from corpus_records import iso_files

from libcat.marc import encoding as enc
from libcat.marc import iso2709

KAZAKH = "әғқңөұүһіӘҒҚҢӨҰҮҺІ"
SUMMED_IN_ORDER = enc._best_in_order
RUSSIAN = "Библиографическое описание документа: каталогизация, «Ёлка» № 5 — съезд"
KAZAKH_TEXT = "Қазақстан Республикасының ұлттық кітапханасы, әдебиет және өнер, Һ, Ү, Ғ"


def rule_looks_marc8(data: bytes) -> bool:
    """The per-byte rule: more ANSEL diacritics (0xE0-0xFE) before an ASCII letter than adjacent 8-bit pairs."""
    if b"\x1b" in data:
        return True
    pairs = list(zip(data, data[1:]))
    adjacent_high = sum(a >= 0x80 and b >= 0x80 for a, b in pairs)
    before_letter = sum(0xE0 <= a <= 0xFE and chr(b) in string.ascii_letters for a, b in pairs)
    return before_letter > adjacent_high


def rule_guess_cyrillic(data: bytes) -> str:
    """The per-character rule: each code page's reading scored character by character in floating point."""
    if not any(b >= 0x80 for b in data):
        return enc.CP1251
    sample = data[:65536]
    scores = []
    for codec in enc.CYRILLIC:
        score = 0.0
        for ch in sample.decode(codec, errors="replace"):
            score += enc._char_score(ch)
        scores.append(score)
    best = enc.CYRILLIC[scores.index(max(scores))]
    if best == enc.CP1251 and any(bytes([b]) in data for b in b"\x8d\x9d\xa3\xbc\xbe\xbf\xaf"):
        kazakh = sum(ch in KAZAKH for ch in sample.decode(enc.KZ1048, errors="replace"))
        rare = sum(ch in enc._RARE for ch in sample.decode(enc.CP1251, errors="replace"))
        if kazakh > rare // 2:
            best = enc.KZ1048
    return best


def texts() -> list[bytes]:
    """Russian and Kazakh text in every code page (Kazakh letters cp1251 lacks become '?' or go), and MARC-8."""
    out = []
    for text in (RUSSIAN, KAZAKH_TEXT, RUSSIAN.upper(), f"{RUSSIAN} {KAZAKH_TEXT}", "Ќ" + KAZAKH_TEXT):
        for codec in enc.CYRILLIC:
            out.append(text.encode(codec, errors="replace"))
            out.append(text.encode(codec, errors="ignore"))
    out += [b"Caf\xe2e cr\xe8eme", b"\xe2e\xe8e\xc1\xc1", b"M\xe1uller \xd0", b"\xfeA\xffA\xdfA", b"\xe0"]
    return out


def random_bytes(seed: int, count: int) -> list[bytes]:
    """Random strings of all bytes, of 8-bit bytes, and of a few bytes (where code pages tie), 0 to 600 long."""
    rnd = random.Random(seed)
    out = []
    for k in range(count):
        n = rnd.choice([0, 1, 2, 3, 5, 8, 13, 40, 600])
        if k % 3 == 0:
            alphabet = list(range(256))
        elif k % 3 == 1:
            alphabet = list(range(0x80, 0x100))
        else:
            alphabet = rnd.sample(range(0x80, 0x100), rnd.randint(1, 3)) + list(b"aZ ")
        out.append(bytes(rnd.choice(alphabet) for _ in range(n)))
    return out


@pytest.fixture
def in_order_calls(monkeypatch) -> list[bytes]:
    """Every call of the byte-by-byte float summation, which the guesser falls back on for tied unit sums."""
    calls: list[bytes] = []
    summed = enc._best_in_order

    def spy(scored: bytes) -> str:
        calls.append(scored)
        return summed(scored)

    monkeypatch.setattr(enc, "_best_in_order", spy)
    return calls


def test_unit_sums_order_like_float_sums():
    """The premise of ``_best``: a float sum of up to 65,536 values is within a quarter unit of its sum in units."""
    n = 65536
    largest = max(abs(Fraction(v)) for row in enc._VALUES for v in row)
    off_unit = max(abs(Fraction(v) - Fraction(u, enc._PER_UNIT)) for vs, us in zip(enc._VALUES, enc._UNITS)
                   for v, u in zip(vs, us))
    summing = Fraction(n - 1, 2**53) / (1 - Fraction(n - 1, 2**53)) * n * largest
    assert n * off_unit + summing < Fraction(1, 4 * enc._PER_UNIT)


def test_looks_marc8_follows_the_rule():
    samples = texts() + random_bytes(1, 3000)
    assert any(rule_looks_marc8(s) for s in samples) and not all(rule_looks_marc8(s) for s in samples)
    for data in samples:
        assert enc.looks_marc8(data) == rule_looks_marc8(data), data


def test_guess_cyrillic_follows_the_rule_on_text(in_order_calls):
    """Real text is decided from the counts alone, and each code page wins on its own text."""
    for data in texts():
        assert enc.guess_cyrillic(data) == rule_guess_cyrillic(data), data
    assert in_order_calls == []
    for codec in (enc.CP1251, enc.CP866, enc.KOI8):
        assert enc.guess_cyrillic(RUSSIAN.encode(codec, errors="replace")) == codec
    assert enc.guess_cyrillic(KAZAKH_TEXT.encode(enc.KZ1048)) == enc.KZ1048


def test_guess_cyrillic_follows_the_rule_on_random_bytes():
    for data in random_bytes(2, 3000):
        assert enc.guess_cyrillic(data) == rule_guess_cyrillic(data), data
        assert enc.detect_text(data) in (enc.UTF8, rule_guess_cyrillic(data))


@pytest.mark.parametrize("data", [
    b"\xcb\xfd\xfd", b"\x9c\xe4\xe4", b"\xc0\xc0\xc0\xc4", b"\xdb\x83\x83\xdb\x83", b"\xca\xf2\xca\xca\xca\xca",
    b"\x82\xd6\xd6\xd6\x82\x92",
])
def test_tied_unit_sums_are_summed_in_order(data, in_order_calls):
    """Bytes where two code pages score the same in units, but floating point rounding puts one ahead."""
    scored = data.translate(None, enc._NEUTRAL)
    units = [sum(row[b] for b in scored) for row in enc._UNITS]
    assert units.count(max(units)) > 1
    assert enc.guess_cyrillic(data) == rule_guess_cyrillic(data)
    assert in_order_calls == [scored]
    assert SUMMED_IN_ORDER(scored) != enc.CYRILLIC[units.index(max(units))]


def test_corpus_records_follow_the_rules(corpus: Path):
    """Every record of the corpus (its bytes after the leader, as the reader guesses them)."""
    seen = marc8 = 0
    for path in iso_files(corpus):
        with open(path, "rb") as fh:
            for _, chunk in iso2709.iter_chunks(fh):
                data = chunk[24:]
                if data.isascii():
                    continue
                seen += 1
                assert enc.looks_marc8(data) == rule_looks_marc8(data), path
                marc8 += rule_looks_marc8(data)
                assert enc.guess_cyrillic(data) == rule_guess_cyrillic(data), path
    assert seen > 100 and marc8 > 10
