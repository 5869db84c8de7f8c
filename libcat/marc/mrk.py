"""MarcBreaker / MarcMaker mnemonic text (``.mrk``): ``=245  10$aTitle``.

Blanks in indicators and control fields are written as ``\\``; ``$`` in data as ``{dollar}``.
The reader also understands MarcEdit's MARC-8 character mnemonics (``{acute}e``, ``{lstrok}``),
which ASCII ``.mrk`` files use for everything beyond ASCII.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import BinaryIO

from pymarc import Record

from . import encoding as enc

# MarcEdit mnemonic -> MARC-8 (ANSEL, G1) byte; ASCII ones -> the ASCII character.
_ANSEL = {
    "Lstrok": 0xA1, "Ostrok": 0xA2, "Dstrok": 0xA3, "THORN": 0xA4, "AElig": 0xA5, "OElig": 0xA6,
    "softsign": 0xA7, "middot": 0xA8, "flat": 0xA9, "reg": 0xAA, "plusmn": 0xAB, "Ohorn": 0xAC,
    "Uhorn": 0xAD, "mlrhring": 0xAE, "mllhring": 0xB0, "lstrok": 0xB1, "ostrok": 0xB2, "dstrok": 0xB3,
    "thorn": 0xB4, "aelig": 0xB5, "oelig": 0xB6, "hardsign": 0xB7, "inodot": 0xB8, "pound": 0xB9,
    "eth": 0xBA, "ohorn": 0xBC, "uhorn": 0xBD, "deg": 0xC0, "scriptl": 0xC1, "phono": 0xC2, "copy": 0xC3,
    "sharp": 0xC4, "iquest": 0xC5, "iexcl": 0xC6, "esszett": 0xC7, "euro": 0xC8,
    "hooka": 0xE0, "grave": 0xE1, "acute": 0xE2, "circ": 0xE3, "tilde": 0xE4, "macr": 0xE5, "breve": 0xE6,
    "dot": 0xE7, "uml": 0xE8, "diaer": 0xE8, "caron": 0xE9, "ring": 0xEA, "llig": 0xEB, "rlig": 0xEC,
    "rcommaa": 0xED, "dblac": 0xEE, "candra": 0xEF, "cedil": 0xF0, "ogon": 0xF1, "dotb": 0xF2,
    "dbldotb": 0xF3, "ringb": 0xF4, "dblunder": 0xF5, "under": 0xF6, "commab": 0xF7, "rcedil": 0xF8,
    "breveb": 0xF9, "ldbltil": 0xFA, "rdbltil": 0xFB, "commaa": 0xFE,
}
_ASCII = {"dollar": "$", "lcub": "{", "rcub": "}", "bsol": "\\", "esc": "\x1b", "joiner": "\u200d",
          "nonjoin": "\u200c", "zwj": "\u200d", "zwnj": "\u200c", "nbsp": "\u00a0"}
_MNEMONIC = re.compile(r"\{(" + "|".join(sorted(set(_ANSEL) | set(_ASCII), key=len, reverse=True)) + r"|U\+[0-9A-Fa-f]{4,6})\}")
_LINE = re.compile(r"^=([^\s]{1,4})\s\s?(.*)$")


class MrkError(ValueError):
    """A line that is not MarcBreaker text."""


def _escape(text: str) -> str:
    if "{" in text:
        text = _MNEMONIC.sub(lambda m: "{lcub}" + m.group(0)[1:], text)
    return text.replace("$", "{dollar}")


def record_to_mrk(record: Record) -> str:
    """One record as mnemonic lines, blank indicators as ``\\``, ending with an empty line."""
    lines = [f"=LDR  {str(record.leader)}"]
    for f in record.fields:
        if f.is_control_field():
            lines.append(f"={f.tag}  {_escape(f.data or '').replace(chr(92), '{bsol}').replace(' ', chr(92))}")
        else:
            ind = "".join((c if c != " " else "\\") for c in (f.indicators or ["", ""])).ljust(2, "\\")
            subs = "".join(f"${sf.code}{_escape(sf.value)}" for sf in f.subfields)
            lines.append(f"={f.tag}  {ind}{subs}")
    return "\n".join(lines) + "\n\n"


def unmnemonic(text: str) -> tuple[str, list[str]]:
    """Replace MarcEdit mnemonics; MARC-8 ones go through the MARC-8 decoder (diacritics precede letters)."""
    if "{" not in text:
        return text, []
    ansel = False

    def repl(m: re.Match) -> str:
        nonlocal ansel
        name = m.group(1)
        if name in _ASCII:
            return "\x00" + str(ord(_ASCII[name])) + "\x00"
        if name.startswith("U+"):
            return "\x00" + str(int(name[2:], 16)) + "\x00"
        ansel = True
        return "\x01" + str(_ANSEL[name]) + "\x01"

    marked = _MNEMONIC.sub(repl, text)
    problems: list[str] = []
    if ansel and all(ord(c) < 0x80 for c in marked):
        data = re.sub(r"\x01(\d+)\x01", lambda m: chr(int(m.group(1))), marked).encode("latin-1")
        parts = re.split(rb"\x00(\d+)\x00", data)
        out = []
        for i, part in enumerate(parts):
            if i % 2:
                out.append(chr(int(part)))
            elif part:
                decoded, probs = enc.decode_marc8(part)
                out.append(decoded)
                problems.extend(probs)
        return "".join(out), problems
    from pymarc.marc8_mapping import CODESETS

    def uni(m: re.Match) -> str:
        uc, _combining = CODESETS[0x45][int(m.group(1))]
        return chr(uc)

    text = re.sub(r"\x00(\d+)\x00", lambda m: chr(int(m.group(1))), marked)
    text = re.sub(r"\x01(\d+)\x01(.?)", lambda m: m.group(2) + uni(m) if CODESETS[0x45][int(m.group(1))][1] else uni(m) + m.group(2), text)
    return text, problems


def _blank(text: str) -> str:
    return text.replace("\\", " ")


def parse_lines(lines: list[str]) -> tuple[str, list[tuple], list[str]]:
    """Leader, field list (see ``iso2709``) and notes of one record's lines."""
    warnings: list[str] = []
    leader = None
    fields: list[tuple] = []
    for line in lines:
        if line[:1] == "=" and line[4:6] == "  ":
            tag, rest = line[1:4], line[6:]
        elif line[:1] == "=" and line[5:7] == "  " and line[1:5].isalnum():
            tag, rest = line[1:5], line[7:]
        else:
            m = _LINE.match(line)
            if not m:
                raise MrkError(f"not a MarcBreaker line: {line[:40]!r}")
            tag, rest = m.group(1), m.group(2)
        if tag.upper() == "LDR":
            leader = _blank(rest)
            if len(leader) != 24:
                warnings.append(f"leader has {len(leader)} characters instead of 24; padded/cut")
                leader = (leader + " " * 24)[:24]
            continue
        if len(tag) == 3 and tag < "010" and tag.isdigit():
            value, probs = unmnemonic(_blank(rest))
            warnings.extend(f"{tag}: {p}" for p in probs)
            fields.append((tag, None, value))
            continue
        ind = _blank(rest[:2]).ljust(2)
        body = rest[2:]
        if not body.startswith("$"):
            if "$" not in body:
                warnings.append(f"{tag}: no subfields")
            else:
                warnings.append(f"{tag}: {body.split('$', 1)[0]!r} before the first subfield dropped")
        subs = []
        for part in body.split("$")[1:]:
            if not part:
                warnings.append(f"{tag}: empty subfield dropped")
                continue
            value, probs = unmnemonic(part[1:])
            warnings.extend(f"{tag}${part[0]}: {p}" for p in probs)
            subs.append((part[0], value))
        fields.append((tag, ind, subs))
    if leader is None:
        warnings.append("no =LDR line; a blank leader was made")
        leader = " " * 24
    return leader, fields, warnings


def iter_record_lines(stream: BinaryIO, encoding: str | None = None) -> Iterator[tuple[int, list[str], bytes]]:
    """``(line number, lines, raw bytes)`` per record: records start at ``=LDR`` or follow an empty line."""
    head = stream.read(65536)
    used = enc.normalize_name(encoding) if encoding else enc.detect_text(head)
    first = True
    current: list[str] = []
    raw: list[bytes] = []
    start = 0
    lineno = 0

    for piece in _lines(head, stream):
        lineno += 1
        text = piece.decode(used, errors="replace").rstrip("\r\n")
        if first:
            text = text.lstrip("\ufeff")
            first = False
        if not text.strip():
            if current:
                yield start, current, b"".join(raw)
            current, raw = [], []
            continue
        if text.startswith("=LDR") and current:
            yield start, current, b"".join(raw)
            current, raw = [], []
        if not current:
            start = lineno
        if text.startswith("=") or not current:
            current.append(text)
        else:
            current[-1] += text
        raw.append(piece)
    if current:
        yield start, current, b"".join(raw)


def _lines(head: bytes, stream: BinaryIO) -> Iterator[bytes]:
    rest = b""
    data = head
    while True:
        buf = rest + data
        parts = buf.split(b"\n")
        rest = parts.pop()
        for p in parts:
            yield p + b"\n"
        data = stream.read(1 << 20)
        if not data:
            break
    if rest:
        yield rest


class MrkWriter:
    """Writes MarcBreaker text (UTF-8, the ``.mrk8`` way: characters as they are, ``$`` as ``{dollar}``)."""

    def __init__(self, stream: BinaryIO, encoding: str = "utf-8") -> None:
        self.stream = stream
        self.encoding = enc.normalize_name(encoding)

    def write(self, record: Record) -> list[str]:
        """Write one record; reports characters the output encoding cannot hold."""
        from . import iso2709

        leader, fields = iso2709.mark_charset(*iso2709.record_to_fields(record), self.encoding)
        text = record_to_mrk(iso2709.fields_to_record(leader, fields))
        try:
            data = text.encode(self.encoding)
            problems: list[str] = []
        except UnicodeEncodeError:
            data = text.encode(self.encoding, errors="replace")
            problems = [f"characters that {self.encoding} cannot hold were replaced by '?'"]
        self.stream.write(data)
        return problems

    def close(self) -> None:
        """Flush the stream (the caller closes it)."""
        self.stream.flush()
