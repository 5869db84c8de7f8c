"""ISBNs in record data: one tokenizer (a Cyrillic «Х» read as X), one check, one ISBN-13 normaliser."""

from __future__ import annotations

import re

#: An ISBN-like token: digits, hyphens and spaces, ending in a digit or X (9-digit SBNs included).
TOKEN = re.compile(r"[0-9][0-9Xx\- ]{7,20}[0-9Xx]")
_CYRILLIC_X = str.maketrans({"Х": "X", "х": "X"})


def find(text: str | None) -> str | None:
    """The first ISBN-like token in ``text`` (Cyrillic «Х» read as X), stripped; None when there is none.

    A value of 9 to 22 ASCII digits is its own token (``TOKEN`` matches all of it), found without the search.
    """
    if text and 9 <= len(text) <= 22 and text.isdigit() and text.isascii():
        return text
    return _search(text)


def _search(text: str | None) -> str | None:
    """``find`` by ``TOKEN`` alone."""
    m = TOKEN.search((text or "").translate(_CYRILLIC_X))
    return m.group(0).strip() if m else None


def _ean_check(digits: str) -> str:
    rev = digits[::-1]  # weights 3, 1, 3, ... from the right
    return str((10 - 3 * sum(map(int, rev[0::2])) - sum(map(int, rev[1::2]))) % 10)


def _isbn10_check(digits: str) -> str:
    check = sum((i + 1) * int(n) for i, n in enumerate(digits)) % 11
    return "X" if check == 10 else str(check)


def verdict(token: str) -> str | None:
    """None for a valid ISBN-10 or ISBN-13 token, else "checksum" or "format"."""
    number = token if token.isdigit() else token.replace(" ", "").replace("-", "").upper()
    if len(number) == 9:
        number = "0" + number
    body = number[:-1]
    if len(number) not in (10, 13) or not body.isdigit() or (len(number) == 13 and number[-1] == "X"):
        return "format"
    if len(number) == 10:
        return None if _isbn10_check(body) == number[-1] else "checksum"
    if _ean_check(body) != number[-1]:
        return "checksum"
    return None if number[:3] in ("978", "979") else "format"


def to_isbn13(token: str) -> str | None:
    """ISBN-13 digits of a valid ISBN-10 or ISBN-13 token; None when it is not one."""
    if verdict(token) is not None:
        return None
    number = token.replace(" ", "").replace("-", "").upper()
    if len(number) == 13:
        return number
    body = number.rjust(10, "0")[:-1]
    return "978" + body + _ean_check("978" + body)


def normalize(text: str | None) -> str | None:
    """ISBN-13 digits of the valid ISBN found in ``text``; None when there is none."""
    token = find(text)
    return to_isbn13(token) if token else None
