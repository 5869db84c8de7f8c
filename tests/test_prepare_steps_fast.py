"""The fast paths of the per-record import steps (ISBNs, summary columns, match keys, sub-catalogues, copies)
give what the plain rules they stand for give.

Each test holds a shortcut against its rule, written out here as the module wrote it before the shortcut,
on generated inputs that reach both sides of every test the shortcut makes.
"""

from __future__ import annotations

import random

from libcat.marc import isbn


def _plain_ean_check(digits: str) -> str:
    rev = digits[::-1]
    return str((10 - 3 * sum(map(int, rev[0::2])) - sum(map(int, rev[1::2]))) % 10)


def _plain_verdict(number: str) -> str | None:
    """ISBN-10 and ISBN-13 checked digit by digit (the rule ``isbn._verdict`` stands for)."""
    if len(number) == 9:
        number = "0" + number
    body = number[:-1]
    if len(number) not in (10, 13) or not body.isdigit() or (len(number) == 13 and number[-1] == "X"):
        return "format"
    if len(number) == 10:
        check = sum((i + 1) * int(n) for i, n in enumerate(body)) % 11
        return None if ("X" if check == 10 else str(check)) == number[-1] else "checksum"
    if _plain_ean_check(body) != number[-1]:
        return "checksum"
    return None if number[:3] in ("978", "979") else "format"


def _outcome(fn, *args):
    """What ``fn`` gives, or the type of what it raises (digits ``int()`` cannot read raise on both sides)."""
    try:
        return fn(*args)
    except ValueError as exc:
        return type(exc)


def _numbers(seed: int, n: int = 30000) -> list[str]:
    """ISBN-like numbers: right and wrong check digits, 978/979/other prefixes, X, non-ASCII digits."""
    r = random.Random(seed)
    out = []
    for _ in range(n):
        size = r.choice([9, 10, 12, 13, 13, 13, 14, r.randint(1, 30)])
        body = r.choice(["978", "979", "977", ""]) + "".join(r.choice("0123456789") for _ in range(size))
        body = body[:size - 1] if size > 1 else body[:1]
        end = r.choice([_plain_ean_check(body) if body else "0", r.choice("0123456789X")])
        number = body + end
        if r.random() < 0.05:
            i = r.randrange(len(number))
            number = number[:i] + r.choice("٩²X-x ") + number[i + 1:]
        out.append(number)
    return out


def test_ean_check_of_ascii_digits_is_the_int_per_digit_sum():
    r = random.Random(11)
    for size in range(1, 41):
        for _ in range(400):
            digits = "".join(r.choice("0123456789") for _ in range(size))
            assert isbn._ean_check(digits) == _plain_ean_check(digits), digits
    assert isbn._ean_check("9" * 28) == _plain_ean_check("9" * 28)  # the largest pair sums (126 each)
    assert isbn._ean_check("٩٧٨٦٠١٠٠٤٥٧٢") == _plain_ean_check("978601004572")


def test_isbn13_weighted_sum_gives_the_check_digit_verdict():
    numbers = _numbers(12) + ["9786017151134", "9786017151135", "9776017151134", "9790000000001", "0000000000000",
                              "978601715113X", "٩٧٨٦٠١٧١٥١١٣٤", "9" * 13, "978601715113²"]
    for number in numbers:
        assert _outcome(isbn._verdict.__wrapped__, number) == _outcome(_plain_verdict, number), number


def test_normalize_of_thirteen_digits_is_find_then_to_isbn13():
    texts = _numbers(13) + ["9786017151134", "9786017151135", " 9786017151134", "978-601-7151-13-4",
                            "9786017151134 : 500 тг", "", None]
    for text in texts:
        token = isbn.find(text)
        assert _outcome(isbn.normalize, text) == (_outcome(isbn.to_isbn13, token) if token else None), text
