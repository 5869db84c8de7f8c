"""IRBIS plain-text exchange format (``#200: ^AЗаглавие^Fответственность``): reader and writer.

The field and subfield parser here is shared with the IRBIS64 master-file reader
(``libcat.kabis.mst``): both hold the same ``^``-delimited field text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import BinaryIO

from pymarc import Field, Record, Subfield

from .flavour import IRBIS, IRBIS_VALUE_CODE, set_flavour
from .items import ReadItem

SEPARATOR = "*****"
_FIELD_LINE = re.compile(r"#(\d{1,5}):(.*)\Z", re.S)
_SAMPLE_BYTES = 65536
_BOM = b"\xef\xbb\xbf"

#: Letters that cp1251 shows where KZ-1048 has Kazakh letters (Ә Ғ Қ Ң Ө Ұ Ү Һ І).
_CP1251_SERBIAN = set("ЂЃЉЊЌЋЏђѓљњќћџЎўЈҐґ")
_KAZAKH = set("ӘәҒғҚқҢңӨөҰұҮүҺһІі")
_CYRILLIC = re.compile(r"[А-Яа-яЁёӘәҒғҚқҢңӨөҰұҮүҺһІі]")
_CP866_BOX = re.compile("[\u2500-\u25a0]")


class IrbisFormatError(ValueError):
    """A record of an IRBIS text file that cannot be parsed (the message names the line)."""


def irbis_tag(tag: str) -> str:
    """Memory form of an IRBIS tag: zero-padded to three digits (``10`` -> ``010``), 4+ digits kept."""
    return tag.lstrip("0").zfill(3) if tag.isdigit() else tag


def text_tag(tag: str) -> str:
    """File form of a memory tag: leading zeros dropped (``010`` -> ``10``, ``000`` -> ``0``)."""
    return str(int(tag)) if tag.isdigit() else tag


def parse_subfields(text: str) -> list[Subfield]:
    """Split IRBIS field text into subfields; text before the first ``^`` gets code ``*``.

    Codes are case-insensitive and kept lower-case; a ``^`` with no code after it (``^^``, or at
    the very end) stays part of the text.
    """
    parts = text.split("^")
    head = parts[0]
    pieces: list[list[str]] = []
    for part in parts[1:]:
        if part:
            pieces.append([part[0].lower(), part[1:]])
        elif pieces:
            pieces[-1][1] += "^"
        else:
            head += "^"
    subfields = [Subfield(IRBIS_VALUE_CODE, head)] if head else []
    subfields.extend(Subfield(code, value) for code, value in pieces)
    return subfields


def make_field(tag: str, text: str) -> Field:
    """One IRBIS field in memory from its tag (any zero-padding) and ``^``-delimited text."""
    tag = irbis_tag(tag)
    if len(tag) == 3 and tag < "010":
        return Field(tag=tag, data=text)
    return Field(tag=tag, indicators=[" ", " "], subfields=parse_subfields(text))


def field_text(field: Field) -> str:
    """The ``^``-delimited text of a field, codes upper-case, the ``*`` value first."""
    if field.is_control_field():
        return field.data or ""
    out = []
    for sf in field.subfields:
        if sf.code == IRBIS_VALUE_CODE:
            out.append(sf.value)
        else:
            out.append("^" + sf.code.upper() + sf.value)
    return "".join(out)


def record_from_fields(fields: Iterable[tuple[str, str]]) -> Record:
    """A flavour-``irbis`` pymarc Record from ``(tag, text)`` pairs."""
    record = Record(force_utf8=True)
    for tag, text in fields:
        record.add_field(make_field(tag, text))
    set_flavour(record, IRBIS)
    return record


def shelf_code(record: Record) -> str | None:
    """The 903 shelf code ("шифр"), the per-database record key of IRBIS, when present."""
    f = record.get("903")
    if f is None or f.is_control_field():
        return None
    value = (f.get(IRBIS_VALUE_CODE) or f.get("a") or "").strip()
    return value or None


def _score(text: str) -> int:
    return len(_CYRILLIC.findall(text))


def detect_encoding(sample: bytes) -> str:
    """Guess the encoding of IRBIS text: utf-8-sig, utf-8, cp1251, kz1048 or cp866."""
    if sample.startswith(_BOM):
        return "utf-8-sig"
    try:
        sample.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as exc:
        if exc.start >= len(sample) - 3 and exc.reason.startswith("unexpected end"):
            return "utf-8"
    candidates = {}
    for enc in ("cp1251", "cp866"):
        text = sample.decode(enc, errors="replace")
        candidates[enc] = _score(text) - 3 * len(_CP866_BOX.findall(text))
    best = max(candidates, key=lambda e: candidates[e])
    if best == "cp1251":
        text = sample.decode("cp1251", errors="replace")
        if any(ch in _CP1251_SERBIAN for ch in text):
            kz = sample.decode("kz1048", errors="replace")
            if sum(ch in _KAZAKH for ch in kz) > sum(ch in _CP1251_SERBIAN for ch in kz):
                return "kz1048"
    return best


class _Lines:
    """Decoded lines of a byte stream with their raw bytes and 1-based numbers."""

    def __init__(self, stream: BinaryIO, encoding: str | None) -> None:
        self.stream = stream
        self.buffer: list[bytes] = []
        size = 0
        for raw in stream:
            self.buffer.append(raw)
            size += len(raw)
            if size >= _SAMPLE_BYTES:
                break
        sample = b"".join(self.buffer)
        if encoding is None:
            encoding = detect_encoding(sample)
        elif encoding.lower().replace("_", "-") in ("utf-8", "utf8") and sample.startswith(_BOM):
            encoding = "utf-8-sig"
        self.encoding = encoding
        self.fallback = "cp1251" if encoding.startswith("utf-8") else None

    def __iter__(self) -> Iterator[tuple[int, bytes, str, str | None]]:
        number = 0
        for raw in self._raw():
            number += 1
            data = raw
            if number == 1 and self.encoding == "utf-8-sig" and data.startswith(_BOM):
                data = data[len(_BOM):]
            enc = "utf-8" if self.encoding == "utf-8-sig" else self.encoding
            warning = None
            try:
                text = data.decode(enc)
            except UnicodeDecodeError:
                if self.fallback:
                    text = data.decode(self.fallback, errors="replace")
                    warning = f"line {number}: not valid {enc}, decoded as {self.fallback}"
                else:
                    text = data.decode(enc, errors="replace")
                    warning = f"line {number}: undecodable bytes replaced"
            yield number, raw, text.rstrip("\r\n"), warning

    def _raw(self) -> Iterator[bytes]:
        yield from self.buffer
        self.buffer = []
        yield from self.stream


def _parse_lines(lines: list[tuple[int, str]]) -> list[tuple[str, str]]:
    """Fields of one record from its numbered lines; raises IrbisFormatError on a bad line."""
    fields: list[list[str]] = []
    for number, text in lines:
        if not text.strip():
            continue
        if text.startswith("#"):
            m = _FIELD_LINE.match(text)
            if not m:
                raise IrbisFormatError(f"line {number}: not a field line (expected '#TAG: data'): {text[:60]!r}")
            data = m.group(2)
            if data.startswith(" "):
                data = data[1:]
            fields.append([m.group(1), data])
        elif fields:
            fields[-1][1] += text
        else:
            raise IrbisFormatError(f"line {number}: text before the first field: {text[:60]!r}")
    return [(tag, data) for tag, data in fields]


def iter_irbis(stream: BinaryIO, encoding: str | None = None) -> Iterator[ReadItem]:
    """Read an IRBIS plain-text file record by record; a bad record is reported and skipped over."""
    lines = _Lines(stream, encoding)
    position = 0
    start: int | None = None
    raw_parts: list[bytes] = []
    text_lines: list[tuple[int, str]] = []
    warnings: list[str] = []

    def finish() -> ReadItem:
        nonlocal position
        position += 1
        raw = b"".join(raw_parts)
        try:
            fields = _parse_lines(text_lines)
        except IrbisFormatError as exc:
            return ReadItem(position=position, offset=start, raw=raw, error=str(exc),
                            offset_unit="line", warnings=list(warnings))
        record = record_from_fields(fields)
        return ReadItem(position=position, offset=start, raw=raw, record=record, flavour=IRBIS,
                        warnings=list(warnings), control_number=shelf_code(record), offset_unit="line")

    for number, raw, text, warning in lines:
        if text.startswith(SEPARATOR):
            raw_parts.append(raw)
            if any(t.strip() for _, t in text_lines):
                yield finish()
            start, raw_parts, text_lines, warnings = None, [], [], []
            continue
        if start is None:
            if not text.strip():
                continue
            start = number
        raw_parts.append(raw)
        text_lines.append((number, text))
        if warning:
            warnings.append(warning)
    if any(t.strip() for _, t in text_lines):
        yield finish()


class IrbisWriter:
    """Write records as IRBIS plain text, one ``#TAG: data`` line per field, ``*****`` after each.

    Non-blank indicators are written as the ``^0``/``^!`` pseudo-subfields IRBIS's own import
    uses, so that IRBIS -> RUSMARC turns them back into indicators.
    """

    def __init__(self, stream: BinaryIO, encoding: str = "utf-8") -> None:
        self.stream = stream
        self.encoding = encoding

    def write(self, record: Record) -> list[str]:
        """Write one record; return what IRBIS text could not hold (each problem once per field)."""
        problems: list[str] = []
        lines = []
        for f in record.fields:
            if not f.tag.isdigit():
                problems.append(f"field {f.tag}: tag is not numeric, field not written")
                continue
            text = field_text(f)
            if not f.is_control_field() and "".join(f.indicators or []).strip():
                ind1, ind2 = (list(f.indicators) + [" ", " "])[:2]
                text = f"^0{ind1}^!{ind2}" + text
            bad = [sf.code for sf in (f.subfields if not f.is_control_field() else []) if "^" in sf.value]
            if bad:
                problems.append(f"field {f.tag}: '^' inside subfield(s) {', '.join(bad)} read back as subfields")
            if "\n" in text or "\r" in text:
                text = text.replace("\r\n", " ").replace("\n", " ").replace("\r", " ")
                problems.append(f"field {f.tag}: line breaks replaced by spaces")
            lines.append(f"#{text_tag(f.tag)}: {text}")
        lines.append(SEPARATOR)
        out = "\n".join(lines) + "\n"
        try:
            data = out.encode(self.encoding)
        except UnicodeEncodeError:
            data = out.encode(self.encoding, errors="replace")
            problems.append(f"characters not representable in {self.encoding} replaced by '?'")
        self.stream.write(data)
        return problems

    def close(self) -> None:
        """Flush the stream (the caller owns and closes it)."""
        self.stream.flush()
