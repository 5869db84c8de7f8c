"""ISBNs in record data: one tokenizer (a Cyrillic «Х» read as X), one check, one ISBN-13 normaliser."""

from __future__ import annotations

import re
from functools import lru_cache
from operator import mul

#: An ISBN-like token: digits, hyphens and spaces, ending in a digit or X (9-digit SBNs included).
TOKEN = re.compile(r"[0-9][0-9Xx\- ]{7,20}[0-9Xx]")
_CYRILLIC_X = str.maketrans({"Х": "X", "х": "X"})
_DIGITS = "0123456789"
#: Each ASCII digit's byte made its value, every other byte left as it is (see ``_ean_check``).
_VALUES = bytes(range(48)) + bytes(range(10)) + bytes(range(58, 256))


def find(text: str | None) -> str | None:
    """The first ISBN-like token in ``text`` (Cyrillic «Х» read as X), stripped; None when there is none.

    A value of 9 to 22 ASCII digits is its own token (``TOKEN`` matches all of it), found without the search.
    """
    if text and 9 <= len(text) <= 22 and text.isascii() and text.isdigit():
        return text
    return _search(text)


def _search(text: str | None) -> str | None:
    """``find`` by ``TOKEN`` alone."""
    m = TOKEN.search((text or "").translate(_CYRILLIC_X))
    return m.group(0).strip() if m else None


def _pair_sums(digits: str) -> tuple[int, int]:
    """The sums of the values of ASCII ``digits`` (28 at most) at even and at odd places, from the left.

    The values as the bytes of one integer, which modulo 65535 (256 ** 2 - 1) is the even sum plus 256 times
    the odd sum (each below 256): three C calls instead of an ``int()`` or a byte per digit.
    """
    pairs = int.from_bytes(digits.encode().translate(_VALUES), "little") % 65535
    return pairs & 255, pairs >> 8


def _ean_check(digits: str) -> str:
    """The EAN-13 check digit of ``digits`` (weights 3, 1, 3, ... from the right)."""
    if digits.isascii() and len(digits) <= 28:
        even, odd = _pair_sums(digits)
        return _DIGITS[-(even + odd + 2 * (odd if len(digits) % 2 == 0 else even)) % 10]
    rev = digits[::-1]
    return str((10 - 3 * sum(map(int, rev[0::2])) - sum(map(int, rev[1::2]))) % 10)


def _isbn10_check(digits: str) -> str:
    """The ISBN-10 check character of ``digits`` (weights 1, 2, 3, ... from the left; 10 is "X")."""
    if digits.isascii():  # as in _ean_check: weight times byte, less 48 times the sum of the weights
        n = len(digits)
        check = (sum(map(mul, digits.encode(), range(1, n + 1))) - 24 * n * (n + 1)) % 11
    else:
        check = sum((i + 1) * int(n) for i, n in enumerate(digits)) % 11
    return "X" if check == 10 else _DIGITS[check]


def _number(token: str) -> str:
    """``token`` without spaces and hyphens, upper-cased (a token of digits alone as it is)."""
    return token if token.isdigit() else token.replace(" ", "").replace("-", "").upper()


def verdict(token: str) -> str | None:
    """None for a valid ISBN-10 or ISBN-13 token, else "checksum" or "format"."""
    return _verdict(_number(token))


@lru_cache(maxsize=1024)
def _verdict(number: str) -> str | None:
    """``verdict`` of a token already made a ``_number``; cached, as an imported record's ISBNs are checked
    twice (validation, then the summary columns)."""
    if len(number) == 13 and number.isascii() and number.isdigit():  # an ISBN-13 as written: its weighted sum
        even, odd = _pair_sums(number)  # (1, 3, 1, ... with the check digit) ends in 0
        if (even + 3 * odd) % 10:
            return "checksum"
        return None if number[:3] in ("978", "979") else "format"
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
    number = _number(token)
    if _verdict(number) is not None:
        return None
    if len(number) == 13:
        return number
    body = number.rjust(10, "0")[:-1]
    return "978" + body + _ean_check("978" + body)


def normalize(text: str | None) -> str | None:
    """ISBN-13 digits of the valid ISBN found in ``text``; None when there is none."""
    if text and len(text) == 13 and text.isascii() and text.isdigit():  # an ISBN-13 as written (``find``'s token)
        return None if _verdict(text) else text
    token = find(text)
    return to_isbn13(token) if token else None
