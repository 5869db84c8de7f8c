"""Match keys for finding duplicate records: ISBN-13 and a folded title + first author + year.

Folding makes keys agree across the ways the same book is typed in Kazakh and Russian catalogues:
case, punctuation, ё/е, й/и, Kazakh letters typed with their Russian base letters (ә/а, ғ/г, қ/к,
ң/н, ө/о, ұ/у, ү/у, һ/х, і/и), and Latin look-alike letters mixed into Cyrillic words.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from encodings import kz1048
from functools import lru_cache

from pymarc import Record

from .fieldindex import FieldIndex, index, subfield_values
from .flavour import IRBIS, IRBIS_VALUE_CODE, MARC21, UNIMARC, detect
from .summary import Summary, summarize

ISBN = "isbn"
TITLE = "tay"
CONTENT = "hash"
#: Key kinds that mean "duplicate" (ISBN) and "duplicate candidate" (title/author/year).
DUPLICATE_KINDS = (ISBN, TITLE)

#: Latin (and other) letters that look like Cyrillic ones, folded when they sit inside a Cyrillic word.
_LOOKALIKE = str.maketrans({
    "A": "А", "B": "В", "C": "С", "E": "Е", "H": "Н", "K": "К", "M": "М", "O": "О", "P": "Р", "T": "Т",
    "X": "Х", "Y": "У", "a": "а", "c": "с", "e": "е", "o": "о", "p": "р", "x": "х", "y": "у", "k": "к",
    "i": "і", "I": "І", "h": "һ", "ə": "ә", "Ə": "Ә", "ɵ": "ө", "Ɵ": "Ө",
})
#: Letters folded to one base letter after lower-casing (Kazakh to Russian base letters, ё/е, й/и).
_BASE = str.maketrans({
    "ё": "е", "й": "и", "ә": "а", "ə": "а", "ғ": "г", "қ": "к", "ҝ": "к", "ң": "н", "ӊ": "н", "ө": "о",
    "ɵ": "о", "ұ": "у", "ү": "у", "һ": "х", "і": "и", "ї": "и", "ѐ": "е", "ў": "у",
})
#: The letters ``_BASE`` folds, as a character class, and each with its base letter.
_BASE_LETTERS = re.compile("[" + re.escape("".join(map(chr, _BASE))) + "]")
_BASE_OF = {chr(c): base for c, base in _BASE.items()}
_WORD = re.compile(r"\w+")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_MIXABLE = re.compile("[" + "".join(chr(c) for c in _LOOKALIKE) + "]")
_LEADING_ARTICLE = re.compile(r"^\[?(the|a|an|der|die|das|le|la|les|l')\s+", re.I)
#: The characters a ``_LEADING_ARTICLE`` match can begin with (under re.I only ASCII letters match t, a, d, l):
#: titles beginning with any other are not searched (3,600 -> 1,900 instructions a title).
_ARTICLE_STARTS = "[ADLTadlt"


def _fold_word(word: str) -> str:
    if _CYRILLIC.search(word):
        word = word.translate(_LOOKALIKE)
    return word


def _unmix(text: str) -> str:
    """``text`` with the look-alike letters of its Cyrillic words made Cyrillic."""
    return _WORD.sub(lambda m: _fold_word(m.group(0)), text)


def _to_base(text: str) -> str:
    """``text.translate(_BASE)``, as one replace per letter present: translate looks every character up
    as a Python object, and titles have few letters to fold (no base letter is itself folded)."""
    for letter in set(_BASE_LETTERS.findall(text)):
        text = text.replace(letter, _BASE_OF[letter])
    return text


def _fold_bytes() -> bytes:
    """Per KZ-1048 byte, what ``_fold_text`` makes of its character: its base letter's byte when it lowers to
    one letter or digit that is its own NFD and no combining mark (the word characters ``_WORD`` keeps), a
    space for any other such character, and NUL for the rest (ѓ, ...), which ``fold`` leaves to ``_fold_text``."""
    out = bytearray(256)
    for byte, char in enumerate(kz1048.decoding_table):
        low = char.lower()
        base = _BASE_OF.get(low, low)
        if len(low) != 1 or unicodedata.normalize("NFD", base) != base or unicodedata.combining(base):
            continue
        if _WORD.fullmatch(base) and base != "_":
            out[byte] = codecs.charmap_encode(base, "strict", kz1048.encoding_table)[0][0]
        else:
            out[byte] = 0x20
    return bytes(out)


_FOLD_BYTES = _fold_bytes()
#: The KZ-1048 bytes of the ``_MIXABLE`` characters.
_MIXABLE_BYTES = bytes(b for b, char in enumerate(kz1048.decoding_table) if _MIXABLE.match(char))


def fold(text: str | None) -> str:
    """Normalise text for matching: look-alikes, case, diacritics, ё/е, Kazakh letters, punctuation.

    Text that KZ-1048 holds (Russian and Kazakh letters, ASCII, common punctuation) is already NFC and its
    characters fold one by one (``_FOLD_BYTES``): it is folded as bytes; any other text by ``_fold_text``.
    """
    if not text:
        return ""
    try:
        raw = codecs.charmap_encode(text, "strict", kz1048.encoding_table)[0]
    except UnicodeEncodeError:
        return _fold_text(unicodedata.normalize("NFC", text))
    source = text
    # A mixable byte present: deleting them shortens raw (a short table to delete by, 800 instructions less than
    # deleting every other byte).
    if not raw.isascii() and len(raw.translate(None, _MIXABLE_BYTES)) < len(raw) and _CYRILLIC.search(text):
        text = _unmix(text)  # its Cyrillic letters are all in KZ-1048 too
        raw = codecs.charmap_encode(text, "strict", kz1048.encoding_table)[0]
    folded = raw.translate(_FOLD_BYTES)
    # `0 in` and find(), not `b"..." in`: bytes.__contains__ tries its operand as an int first, and the TypeError
    # it raises and clears for a bytes operand costs 1,000 instructions a test.
    if 0 in folded:
        return _fold_text(source)
    folded = folded.strip()
    if folded.find(b"  ") >= 0:
        folded = b" ".join(folded.split())
    return codecs.charmap_decode(folded, "strict", kz1048.decoding_table)[0]


def _fold_text(text: str) -> str:
    """``fold`` of NFC ``text``, character by character through Unicode tables."""
    if _MIXABLE.search(text) and _CYRILLIC.search(text):
        text = _unmix(text)
    text = _to_base(text.lower())
    decomposed = unicodedata.normalize("NFD", text)
    if decomposed != text:
        text = _to_base("".join(ch for ch in decomposed if not unicodedata.combining(ch)))
    return " ".join(_WORD.findall(text.replace("_", " ")))


#: Per flavour: the title field, its part-designation codes, the parent's field and its title code.
_TITLE_FIELDS = {
    MARC21: ("245", ("n", "p"), "773", "t"),
    UNIMARC: ("200", ("v", "h", "i"), "461", "a"),
    IRBIS: ("200", ("v", "h", "i"), "461", "c"),
}


def title_proper(record: Record, flavour: str, idx: FieldIndex | None = None) -> str | None:
    """The title proper with its part designation, after the parent's title for a volume or article
    (IRBIS 461^C, UNIMARC 461$a, MARC 21 773$t): "Т. 2" alone says nothing."""
    idx = index(record) if idx is None else idx
    tag, part_codes, parent_tag, parent_code = _TITLE_FIELDS.get(flavour) or _TITLE_FIELDS[UNIMARC]
    title = None
    for f in idx.get(tag, ()):
        if f.control_field:
            continue
        first_a, has_parts = None, False  # in one pass: f.get("a") and whether subfield_values finds any
        for code, v in f.subfields:
            if code == "a":
                if first_a is None:
                    first_a = v
            elif code in part_codes:
                has_parts = True
        value = first_a or (f.get(IRBIS_VALUE_CODE) if flavour == IRBIS else None)
        parts = subfield_values(f, part_codes) if has_parts else []
        if (value and value.strip()) or parts:
            title = (" ".join([value or "", *parts]) if parts else value).strip()
            break
    parent = None
    for f in idx.get(parent_tag, ()):
        if not f.control_field and f.get(parent_code):
            parent = f.get(parent_code)
            break
    if parent and title:
        return f"{parent} {title}"
    return title or parent


@lru_cache(maxsize=4096)
def _surname(author: str | None) -> str:
    """The first folded word of ``author``; cached, as the same authors come back record after record."""
    words = fold(author).split()
    return words[0] if words else ""


def title_key(title: str | None, author: str | None, year: int | None) -> str | None:
    """``title|surname|year`` folded; None without a title or a year (too weak to match on)."""
    title = title or ""
    article = _LEADING_ARTICLE.match(title) if title[:1] in _ARTICLE_STARTS else None
    t = fold(title[article.end():] if article else title)
    if not t or not year or (not author and len(t.replace(" ", "")) < 5):
        return None
    return f"{t[:300]}|{_surname(author)[:100]}|{year}"


def record_keys(
    record: Record, flavour: str | None = None, summary: Summary | None = None,
    content_hash: str | None = None, idx: FieldIndex | None = None,
) -> list[tuple[str, str]]:
    """All match keys of a record as (kind, value): its ISBN-13s, its title key, its content hash
    (``idx``: the record's field index, when the caller has one)."""
    idx = index(record) if idx is None else idx
    flavour = flavour or detect(record, idx)
    s = summary or summarize(record, flavour, idx)
    out: list[tuple[str, str]] = [(ISBN, i) for i in s.isbns] if s.isbns else []
    tk = title_key(title_proper(record, flavour, idx) or s.title, s.author, s.year)
    if tk:
        out.append((TITLE, tk))
    if content_hash:
        out.append((CONTENT, content_hash))
    return out
