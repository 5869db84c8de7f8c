"""ISO 2709 (MARC exchange format): a tolerant reader and a writer that says what it cannot hold.

The reader splits the stream at record terminators (0x1D), so one broken record never ends the
file: a wrong record length, base address or directory is repaired where the field terminators
allow it (with a warning) and reported with its byte offset otherwise.

Between bytes and pymarc records sits a light "field list": ``(tag, None, text)`` for a control
field and ``(tag, "ab", [(code, value), ...])`` for a data field. The fast conversion path
(ISO 2709 -> MARCXML) serialises field lists directly; the record path goes through pymarc.

``read_record_parts`` also gives a clean record's ``Parts``, ``(leader, tags, text, controls)``, so MARC-in-JSON
and validation can work from the text. A record is clean when it was decoded in one go and no field was repaired;
then, exactly:

- ``text`` is every field's value joined by "\\x1e" (none after the last); a data field's value is its two
  indicators, neither "\\x1f", then its subfields, each "\\x1f" + code + value, no subfield empty;
- ``tags[i]`` (3 characters) is the tag of ``text.split("\\x1e")[i]``, in directory order, and a field is a
  control field exactly when ``is_control_tag(tags[i])``, whatever its text;
- ``leader`` is ``str(record.leader)``, and the record holds those fields, indicators, codes and values;
- ``controls`` is ``leading_controls(tags)``: how many control fields begin the record, None when a control field
  follows a data field (the reader, validation and MARC-in-JSON each need it: worked out once, 1.4 µs a record).
"""

from __future__ import annotations

import re
import struct
import sys
from collections.abc import Callable, Iterator
from functools import partial
from itertools import accumulate, chain, compress, repeat
from operator import itemgetter, not_
from typing import BinaryIO, NamedTuple

from pymarc import Field, Indicators, Leader, Record, Subfield

from . import encoding as enc
from .fieldindex import FieldIndex, LazyIndex, LazyRecord, lazy_index
from .flavour import IRBIS_VALUE_CODE as VALUE_CODE

#: MARC-8's escape. ``ESC in data`` is the test: ``b"\x1b" in data`` costs ~190 ns more (a bytes operand is
#: first tried as an int).
ESC = 0x1B
RT = 0x1D
FT = 0x1E
SF = 0x1F
RT_B, FT_B, SF_B = b"\x1d", b"\x1e", b"\x1f"
MAX_RECORD = 99999
MAX_FIELD = 9999
_BUF = 1 << 20
_JUNK = b"\r\n\x00\x1a \t"

Fields = list[tuple]
_SUBFIELDS = re.compile("\x1f(.)([^\x1f]*)", re.S)
_SUBFIELD = partial(tuple.__new__, Subfield)
_NEW_FIELD = partial(object.__new__, Field)
#: Codecs where decoding a whole record equals decoding each field (no BOM, no state).
_WHOLE_DECODE = frozenset({"utf-8", "ascii", "latin-1", "cp1251", "kz1048", "cp866", "koi8_r"})


class RecordError(ValueError):
    """A record whose structure cannot be read; the message says why."""


class Parsed(NamedTuple):
    """A decoded record as a field list, with the encoding it was read in and what was repaired."""

    leader: str
    fields: Fields
    encoding: str
    warnings: list[str]


def iter_chunks(stream: BinaryIO, bufsize: int = _BUF) -> Iterator[tuple[int, bytes]]:
    """``(byte offset, record bytes)`` for each record, split at 0x1D (the leader length wins when it agrees)."""
    buf = b""
    base = 0  # file offset of buf[0]
    pos = 0
    eof = False
    while True:
        if not eof and len(buf) - pos < 2 * MAX_RECORD + 2:
            more = stream.read(bufsize)
            if more:
                buf = buf[pos:] + more
                base += pos
                pos = 0
            else:
                eof = True
        # skip line breaks and padding between records
        while pos < len(buf) and buf[pos] in _JUNK:
            pos += 1
        if pos >= len(buf):
            if eof:
                return
            continue
        end = buf.find(RT_B, pos)
        if end < 0:
            if not eof:
                more = stream.read(bufsize)
                if more:
                    buf = buf[pos:] + more
                    base += pos
                    pos = 0
                    continue
                eof = True
            chunk = buf[pos:]
            yield base + pos, chunk
            return
        head = buf[pos : pos + 5]
        if head.isdigit():
            length = int(head)
            stop = pos + length - 1
            if end < stop < len(buf) and buf[stop] == RT and not buf[end + 1 : end + 6].isdigit():
                end = stop
        yield base + pos, buf[pos : end + 1]
        pos = end + 1


class _Digits(list):
    """``%0Nd`` of every number below 10 ** N as bytes, made on first use (field lengths and starts)."""

    def __init__(self, width: int) -> None:
        super().__init__()
        self.width = width

    def fill(self) -> None:
        """Make the table."""
        fmt = b"%%0%dd" % self.width
        self.extend(fmt % i for i in range(10**self.width))


_LEN4 = _Digits(4)
_START5 = _Digits(5)
#: ``len(field) + 1``: a field's length in the directory counts its terminator. A bound C method, so
#: ``map`` over a record's fields makes no Python call per field (a lambda would).
_WITH_TERMINATOR = (1).__add__
#: Keys a memo of tags, codes or indicators keeps: enough for every tag in use, bounded for hostile input.
MEMO_SIZE = 4096


class Memo(dict):
    """``memo[key]`` is ``make(key)``, kept for the first ``size`` keys (tags and indicators repeat in every record)."""

    __slots__ = ("make", "size")

    def __init__(self, make: Callable, size: int) -> None:
        super().__init__()
        self.make = make
        self.size = size

    def __missing__(self, key):
        value = self.make(key)
        if len(self) < self.size:
            self[key] = value
        return value


def is_control_tag(tag: str) -> bool:
    """A control field's tag: all digits and below "010", the rule pymarc's ``Field`` applies to its tag, so the
    reader, MARC-in-JSON and pymarc agree on which fields are control fields."""
    return tag < "010" and tag.isdigit()


_CONTROL = Memo(is_control_tag, MEMO_SIZE)
def _tag_text(tag: bytes) -> str:
    """A tag's text, interned: the steps look tags up by literals ("245"), which the compiler interns, so a dict
    finds the tag by identity instead of comparing strings (3,000 instructions a bench record)."""
    return sys.intern(tag.decode("latin-1"))


_TAG_TEXT = Memo(_tag_text, MEMO_SIZE)
#: Directories of up to this many entries are read by a cached ``struct`` unpacker (~36 bytes per entry each).
_DIR_TAGS_CACHED = 256
_DIR_TAGS = Memo(lambda n: struct.Struct("3s9x" * n).unpack, _DIR_TAGS_CACHED)


def _directory_tags(directory: bytes, count: int) -> list[bytes]:
    """The tags of a directory of ``count`` 12-byte entries: one C call for common sizes, slices for long ones."""
    if count <= _DIR_TAGS_CACHED:
        return list(_DIR_TAGS[count](directory))
    return [directory[i : i + 3] for i in range(0, 12 * count, 12)]


def plain_fields(directory: bytes, data: bytes) -> tuple[list[bytes], list[bytes]] | None:
    """Tags and field bytes when a "4500" directory says exactly what the field terminators say; else None."""
    fields = data.split(FT_B)
    if fields.pop() != b"":
        return None
    count = len(fields)
    if not count or count * 12 != len(directory):
        return None
    tags = _directory_tags(directory, count)
    sizes = list(map(_WITH_TERMINATOR, map(len, fields)))
    starts = list(accumulate(sizes, initial=0))
    starts.pop()
    if not _START5:
        _LEN4.fill()
        _START5.fill()
    try:
        expected: list[bytes] = [b""] * (3 * count)
        expected[0::3] = tags
        expected[1::3] = map(_LEN4.__getitem__, sizes)
        expected[2::3] = map(_START5.__getitem__, starts)
    except IndexError:
        return None
    if b"".join(expected) != directory:
        return None
    return tags, fields


_PLAIN_LAYOUT = (4, 5, 0)


def _layout(leader: bytes) -> tuple[int, int, int]:
    """Lengths of the directory's length, start and implementation parts (leader/20-22)."""
    if leader[20:23] == b"450":
        return _PLAIN_LAYOUT
    ll, sl, il = leader[20:21], leader[21:22], leader[22:23]
    return (
        int(ll) if ll.isdigit() and ll != b"0" else 4,
        int(sl) if sl.isdigit() and sl != b"0" else 5,
        int(il) if il.isdigit() else 0,
    )


#: One record's bytes taken apart: leader, tags, field bytes, repair notes, and the field bytes joined by
#: 0x1E when a plain directory was read (else None). A plain tuple: a NamedTuple costs a Python call per record.
_Split = tuple[bytes, list[bytes], list[bytes], list[str], "bytes | None"]


def split_fields(chunk: bytes) -> tuple[bytes, list[tuple[bytes, bytes]], list[str]]:
    """Leader, ``(tag, field bytes without terminator)`` pairs and repair notes; RecordError when hopeless."""
    leader, tags, values, warnings, _ = _split(chunk)
    return leader, list(zip(tags, values)), warnings


def _split(chunk: bytes) -> _Split:
    """``split_fields`` as separate tag and value lists (what the readers use), with the joined field bytes."""
    warnings: list[str] = []
    end = len(chunk)
    if chunk.endswith(RT_B):
        end -= 1
    else:
        warnings.append("no record terminator (0x1D): the file ends inside this record")
    if end < 24:
        raise RecordError(f"only {len(chunk)} bytes; a leader alone needs 24")
    leader = chunk[:24]
    lenstr = leader[0:5]
    if not lenstr.isdigit():
        warnings.append(f"record length {lenstr.decode('latin-1')!r} in the leader is not a number")
    elif int(lenstr) != len(chunk):
        warnings.append(f"leader says {int(lenstr)} bytes, the record has {len(chunk)}")
    dir_end = chunk.find(FT_B, 24, end)
    if dir_end < 0:
        raise RecordError("no field terminator after the directory: not an ISO 2709 record")
    base = dir_end + 1
    base_s = leader[12:17]
    if not base_s.isdigit() or int(base_s) != base:
        warnings.append(f"base address {base_s.decode('latin-1')!r} is wrong; data starts at {base}")
    layout = _layout(leader)
    directory = chunk[24:dir_end]
    data = chunk[base:end]
    if layout == _PLAIN_LAYOUT:
        plain = plain_fields(directory, data)
        if plain is not None:
            return leader, plain[0], plain[1], warnings, data[:-1]
    tags, values = _repaired(directory, data, layout, warnings)
    return leader, tags, values, warnings, None


def _repaired(directory: bytes, data: bytes, layout: tuple[int, int, int],
              warnings: list[str]) -> tuple[list[bytes], list[bytes]]:
    """Tags and field bytes of a directory that is not plain, repaired where the terminators allow (notes added)."""
    ll, sl, il = layout
    size = 3 + ll + sl + il
    if len(directory) % size:
        warnings.append(f"directory of {len(directory)} bytes is not a multiple of {size}")
    entries = []
    for i in range(0, len(directory) - size + 1, size):
        ln = directory[i + 3 : i + 3 + ll]
        st = directory[i + 3 + ll : i + 3 + ll + sl]
        entries.append((directory[i : i + 3], int(ln) if ln.isdigit() else -1, int(st) if st.isdigit() else -1))
    if not entries:
        if data.strip(b" \x1e"):
            raise RecordError(f"empty directory, but {len(data)} bytes of data")
        warnings.append("record has no fields")
        return [], []
    n = len(data)
    tags: list[bytes] = []
    values: list[bytes] = []
    fixed = 0
    for tag, ln, st in entries:
        if st < 0 or st >= n or (st and data[st - 1] != FT):
            break
        tags.append(tag)
        stop = st + ln
        if ln > 0 and stop <= n and data[stop - 1] == FT:
            values.append(data[st : stop - 1])
            continue
        e = data.find(FT_B, st)
        values.append(data[st : e if e >= 0 else n])
        fixed += 1
    else:
        if fixed:
            warnings.append(f"{fixed} field length(s) in the directory are wrong; fields read up to their terminators")
        return tags, values
    pieces = data.split(FT_B)
    if pieces and pieces[-1] == b"":
        pieces.pop()
    warnings.append(
        f"directory does not match the data ({len(entries)} entries, {len(pieces)} fields); fields paired in order"
    )
    if len(pieces) != len(entries):
        k = min(len(pieces), len(entries))
        warnings.append(f"{abs(len(pieces) - len(entries))} field(s) without a partner dropped")
        pieces, entries = pieces[:k], entries[:k]
    return [e[0] for e in entries], pieces


def _sub_a(raw: bytes) -> str:
    parts = raw.split(SF_B)
    for p in parts[1:]:
        if p[:1] == b"a":
            return p[1:].decode("latin-1")
    return ""


def choose_encoding(leader: bytes, raw: list[tuple[bytes, bytes]], data: bytes) -> tuple[str, list[str]]:
    """The encoding of one record: UNIMARC 100$a/26-29, MARC 21 leader/09, checked against the bytes."""
    return _encoding_and_text(leader, [t for t, _ in raw], [v for _, v in raw], data)[:2]


def _encoding_and_text(leader: bytes, tags: list[bytes], values: list[bytes],
                       data: bytes) -> tuple[str, list[str], str | None]:
    """``choose_encoding`` (tags and field bytes as separate lists) and ``data`` decoded when checking the
    encoding already decoded it (MARC 21 saying UTF-8 in leader/09), so the record is decoded only once."""
    if data.isascii() and ESC not in data:
        return enc.UTF8, [], None
    present = set(tags)
    unimarc = b"245" not in present and b"008" not in present and (b"200" in present or b"100" in present)
    if unimarc:
        declared = enc.unimarc_charset(_sub_a(values[tags.index(b"100")])) if b"100" in present else None
        if declared == enc.UTF8 or (declared is None and enc.is_utf8(data)):
            if enc.is_utf8(data):
                return enc.UTF8, [], None
        elif declared is not None:
            return declared, [], None
        found = enc.guess(data)
        return found, [f"UNIMARC record without a usable 100$a/26-29 character set; read as {found}"], None
    flag = leader[9:10]
    if flag == b"a":
        text = enc.utf8_text(data)
        if text is not None:
            return enc.UTF8, [], text
        found = enc.guess(data, marc8_possible=True)
        return found, [f"leader/09 says UTF-8 but the data is not; read as {found}"], None
    if ESC in data:
        return enc.MARC8, [], None
    if enc.is_utf8(data):
        return enc.UTF8, ["leader/09 says MARC-8 but the data is UTF-8; read as UTF-8"], None
    found = enc.guess(data, marc8_possible=True)
    if found != enc.MARC8:
        return found, [f"leader/09 says MARC-8 but the data reads as {found}; read as {found}"], None
    return found, [], None


def _decode_field(tag: str, raw: bytes, encoding: str, warnings: list[str]) -> tuple:
    if encoding == enc.MARC8:
        if _CONTROL[tag]:
            text, probs = enc.decode_marc8(raw)
            warnings.extend(f"{tag}: {p}" for p in probs)
            return (tag, None, text)
        parts = raw.split(SF_B)
        head = parts[0].decode("latin-1")
        subs = []
        for p in parts[1:]:
            if not p:
                warnings.append(f"{tag}: empty subfield (no code) dropped")
                continue
            value, probs = enc.decode_marc8(p[1:])
            warnings.extend(f"{tag}${chr(p[0])}: {x}" for x in probs)
            subs.append((chr(p[0]) if p[0] < 0x80 else p[:1].decode("latin-1"), value))
        return _data_field(tag, head, subs, warnings)
    try:
        text = raw.decode(encoding)
    except UnicodeDecodeError as exc:
        text = raw.decode(encoding, errors="replace")
        warnings.append(f"{tag}: invalid {encoding} at byte {exc.start} of the field; replaced by U+FFFD")
    if _CONTROL[tag]:
        return (tag, None, text)
    parts = text.split("\x1f")
    subs = []
    for p in parts[1:]:
        if p:
            subs.append((p[0], p[1:]))
        else:
            warnings.append(f"{tag}: empty subfield (no code) dropped")
    return _data_field(tag, parts[0], subs, warnings)


def _data_field(tag: str, head: str, subs: list, warnings: list[str]) -> tuple:
    if len(head) == 2:
        return (tag, head, subs)
    if len(head) < 2:
        warnings.append(f"{tag}: indicators missing, set blank")
        return (tag, head.ljust(2), subs)
    if not subs:
        warnings.append(f"{tag}: no indicators and no subfield delimiter; text kept in subfield ${VALUE_CODE}")
        return (tag, "  ", [(VALUE_CODE, head)])
    warnings.append(f"{tag}: {head[2:]!r} before the first subfield kept in subfield ${VALUE_CODE}")
    return (tag, head[:2], [(VALUE_CODE, head[2:])] + subs)


def _decode_plain(tags: list[str], text: str, warnings: list[str]) -> Fields:
    """The field list of a record decoded in one go (``_decoded`` gave its text), repairing fields one by one."""
    fields: Fields = []
    add = fields.append
    findall = _SUBFIELDS.findall
    control = _CONTROL
    for tag, value in zip(tags, text.split("\x1e")):
        if control[tag]:
            add((tag, None, value))
        elif value[2:3] == "\x1f" and "\x1f" not in value[:2]:
            add((tag, value[:2], findall(value, 2)))
        else:
            parts = value.split("\x1f")
            add(_data_field(tag, parts[0], [(p[0], p[1:]) for p in parts[1:]], warnings))
    return fields


#: A split record (leader, tags, field bytes, notes) with its encoding and ``text`` (every field decoded in one go,
#: when that reads them all alike). A plain tuple.
_Decoded = tuple[bytes, list[bytes], list[bytes], list[str], str, "str | None"]


def _decoded(chunk: bytes, encoding: str | None) -> _Decoded:
    """Split and pick the encoding; the whole record's text too when one decode gives every field the same way.

    ``text`` (the field values joined by 0x1E) is given only for a stateless codec, at least one field and
    no 0x1E inside a field; it may hold empty subfields (see ``_has_empty_subfield``).
    """
    leader_b, tags, values, warnings, joined = _split(chunk)
    if encoding:
        used, after_leader = encoding, None
    else:
        used, notes, after_leader = _encoding_and_text(leader_b, tags, values, chunk[24:])
        warnings.extend(notes)
    if after_leader is not None and joined is not None:
        return leader_b, tags, values, warnings, used, _joined_text(after_leader, chunk)
    return leader_b, tags, values, warnings, used, _whole_text(values, joined, used)


def _whole_text(values: list[bytes], joined: bytes | None, used: str) -> str | None:
    """The field values decoded in one go and joined by 0x1E; None when that would not read each field alike.

    Codecs in ``_WHOLE_DECODE`` read bytes 0x1E and 0x1F as U+001E and U+001F and nothing else as either.
    """
    if used not in _WHOLE_DECODE or not values:
        return None
    if joined is None:
        joined = FT_B.join(values)
        if joined.count(FT_B) != len(values) - 1:
            return None
    try:
        return joined.decode(used)
    except UnicodeDecodeError:
        return None


def _joined_text(after_leader: str, chunk: bytes) -> str:
    """The fields' text cut from ``after_leader``, everything after a plain record's leader already decoded:
    directory, 0x1E, the fields joined by 0x1E, 0x1E and the record terminator when there is one."""
    return after_leader[after_leader.find("\x1e") + 1 : len(after_leader) - (2 if chunk.endswith(RT_B) else 1)]


def _has_empty_subfield(text: str) -> bool:
    """True when a 0x1F of a record's text starts no subfield: it is followed by 0x1F, by 0x1E or by nothing
    (one search: 1.2 µs a bench record, two ``in`` and ``endswith`` took 1.75)."""
    return _EMPTY_SUBFIELD(text) is not None


_EMPTY_SUBFIELD = re.compile("\x1f(?:[\x1e\x1f]|\\Z)").search


def parse(chunk: bytes, encoding: str | None = None) -> Parsed:
    """Decode one record's bytes into a field list; RecordError when its structure cannot be read."""
    leader_b, tags_b, values, warnings, used, text = _decoded(chunk, encoding)
    tags = list(map(_TAG_TEXT.__getitem__, tags_b))
    if text is not None and not _has_empty_subfield(text):
        fields = _decode_plain(tags, text, warnings)
    else:
        fields = [_decode_field(tag, value, used, warnings) for tag, value in zip(tags, values)]
    return Parsed(leader_b.decode("latin-1"), fields, used, warnings)


#: ``(leader, tags, text, controls)`` of a clean record: the contract is in the module docstring.
Parts = tuple[str, list[str], str, "int | None"]


def read_record_parts(chunk: bytes, encoding: str | None = None) -> tuple[Record, str, list[str], Parts | None]:
    """``read_record``'s record, encoding and repairs, plus the record's ``Parts`` when it is clean (see the
    module docstring), else None (MARC-8, a stateful codec, a stray 0x1E, or a field repaired).
    """
    record, used, warnings, parts = _read_eager(chunk, encoding)
    if parts is None:
        return record, used, warnings, None
    return record, used, warnings, (*parts, leading_controls(parts[1]))


def _read_eager(chunk: bytes, encoding: str | None) -> tuple[Record, str, list[str], tuple[str, list[str], str] | None]:
    """``read_record_parts`` with ``Parts`` short of ``controls`` (``read_record`` needs none of them)."""
    leader_b, tags_b, values, warnings, used, text = _decoded(chunk, encoding)
    leader = leader_b.decode("latin-1")
    tags = list(map(_TAG_TEXT.__getitem__, tags_b))
    if text is not None:
        built = _clean_fields(tags, text)
        if built is not None:
            record = _new_record(leader)
            record.fields = built
            return record, used, warnings, (leader, tags, text)
    return _unclean_record(leader, tags, values, used, warnings, text), used, warnings, None


def read_record_lazy(chunk: bytes, encoding: str | None = None,
                     ) -> tuple[Record, str, list[str], Parts | None, FieldIndex | None]:
    """``read_record_parts`` and the record's field index, where a clean record's fields are made only when
    looked up (a ``LazyRecord`` and its ``LazyIndex``; else None and the record's fields made as ever).

    The import steps read ~9 of a bench record's 21 fields: making all of them took ~40 µs of its ~140.
    """
    leader_b, tags_b, values, warnings, used, text = _decoded(chunk, encoding)
    leader = leader_b.decode("latin-1")
    tags = list(map(_TAG_TEXT.__getitem__, tags_b))
    if text is not None:
        texts = text.split("\x1e")
        controls = leading_controls(tags)
        if _is_clean(tags, texts, text, controls):
            idx = lazy_index(tags, texts, _text_field)
            return _lazy_record(leader, idx), used, warnings, (leader, tags, text, controls), idx
    return _unclean_record(leader, tags, values, used, warnings, text), used, warnings, None, None


def _unclean_record(leader: str, tags: list[str], values: list[bytes], used: str, warnings: list[str],
                    text: str | None) -> Record:
    """The record of fields that are not all clean, each repaired as ``parse`` repairs it (notes added)."""
    if text is not None and not _has_empty_subfield(text):
        return fields_to_record(leader, _decode_plain(tags, text, warnings))
    fields = [_decode_field(tag, value, used, warnings) for tag, value in zip(tags, values)]
    return fields_to_record(leader, fields)


def _is_clean(tags: list[str], texts: list[str], text: str, n: int | None) -> bool:
    """True when ``_clean_fields`` would make the fields of ``texts`` (``text`` split at 0x1E): no subfield is
    empty and each data field's text is two indicators, neither 0x1F, then 0x1F (``n``: ``leading_controls(tags)``).

    Where the control fields come first, as they do in almost every record, the data fields are the text after
    them, checked by one regular expression (4.6 µs a bench record instead of 5.6 finding 0x1F in each).
    """
    if _has_empty_subfield(text):
        return False
    if n is None:
        data = list(compress(texts, map(not_, map(_CONTROL.__getitem__, tags))))
        return list(map(str.find, data, repeat("\x1f"))).count(2) == len(data)
    return n == len(tags) or _DATA_FIELDS(text, sum(map(len, texts[:n])) + n) is not None


def leading_controls(tags: list[str]) -> int | None:
    """How many control fields begin a record with fields ``tags``; None when a control field follows a data field
    (the reader, validation's fast check and MARC-in-JSON take the fields after them as the data fields; the
    reader works it out once, as ``Parts``' ``controls``)."""
    control = list(map(_CONTROL.__getitem__, tags))
    n = control.count(True)
    return None if True in control[n:] else n


#: Data fields joined by 0x1E, each two indicators (neither 0x1F) then 0x1F: ``fullmatch`` from the first one.
_DATA_FIELDS = re.compile("[^\x1e\x1f]{2}\x1f[^\x1e]*+(?:\x1e[^\x1e\x1f]{2}\x1f[^\x1e]*+)*+").fullmatch


def _text_field(tag: str, value: str) -> Field:
    """The Field of one clean field's text, as ``_clean_fields`` makes it."""
    field = _NEW_FIELD()
    field.tag = tag
    if _CONTROL[tag]:
        field.control_field = True
        field.data = value
        field.subfields = []
        field._indicators = None
    else:
        pieces = value.split("\x1f")
        field.control_field = False
        field.data = None
        field._indicators = _INDICATORS[pieces[0]]
        field.subfields = [_NEW_TUPLE(Subfield, (piece[0], piece[1:])) for piece in pieces[1:]]
    return field


#: A comprehension of ``tuple.__new__`` makes one field's few subfields faster than ``_subfields``' maps and zip
#: (1.1 against 1.4 µs for three).
_NEW_TUPLE = tuple.__new__


def read_record(chunk: bytes, encoding: str | None = None) -> tuple[Record, str, list[str]]:
    """One record's bytes as a pymarc.Record with the encoding read and the repairs made (parse + fields_to_record)."""
    return _read_eager(chunk, encoding)[:3]


def _clean_fields(tags: list[str], text: str) -> list[Field] | None:
    """The pymarc fields of a record whose fields are all clean (see the module docstring); else None.

    Each field's text is split at 0x1F, so the pieces after the first are its subfields, code first (in a
    control field too, where they are read and dropped), and a data field is clean when its first piece is two
    indicators and at least one subfield follows.
    """
    values = text.split("\x1e")
    pieces = list(map(str.split, values, repeat("\x1f")))
    heads = list(map(list.pop, pieces, repeat(0)))
    subfields = _subfields(pieces)
    if subfields is None:
        return None
    fields = list(map(object.__new__, repeat(Field, len(values))))
    indicators = _INDICATORS
    control = _CONTROL
    pos = 0
    for field, tag, value, head, end in zip(fields, tags, values, heads, accumulate(map(len, pieces))):
        field.tag = tag
        if control[tag]:
            field.control_field = True
            field.data = value
            field.subfields = []
            field._indicators = None
        else:
            if end == pos or len(head) != 2:
                return None
            field.control_field = False
            field.data = None
            field._indicators = indicators[head]
            field.subfields = subfields[pos:end]
        pos = end
    return fields


def _subfields(pieces: list[list[str]]) -> list[Subfield] | None:
    """``Subfield(code, value)`` of every "code + value" piece of every field, in order; None when one is empty.

    Built flat by C-level ``map`` and ``zip``, which costs less than a regular expression pass: ``findall`` over a
    bench record's text (39 subfields) took ~95,000 instructions of the ~392,000 its read took (callgrind).
    """
    flat = list(chain.from_iterable(pieces))
    if "" in flat:
        return None
    return list(map(tuple.__new__, repeat(Subfield), zip(map(_CODE, flat), map(_VALUE, flat))))


_CODE = itemgetter(0)
_VALUE = itemgetter(slice(1, None))
_INDICATORS: Memo = Memo(partial(tuple.__new__, Indicators), 10000)
_NEW_RECORD = partial(object.__new__, Record)
_NEW_LAZY_RECORD = partial(object.__new__, LazyRecord)


def _field(tag: str, ind: str | None, payload) -> Field:
    """A pymarc Field built without Field.__init__'s checks, for the shapes our readers make; else through it."""
    control = is_control_tag(tag)
    if type(tag) is not str or len(tag) != 3 or (ind is None) is not control or (ind is not None and len(ind) != 2):
        if ind is None:
            return Field(tag=tag, data=payload)
        return Field(tag=tag, indicators=Indicators(ind[0], ind[1]), subfields=[Subfield(c, v) for c, v in payload])
    field = _NEW_FIELD()
    field.tag = tag
    field.control_field = control
    if control:
        field.data = payload
        field.subfields = []
        field._indicators = None
    else:
        field.data = None
        field._indicators = _INDICATORS[ind]
        field.subfields = list(map(_SUBFIELD, payload))
    return field


def _new_record(leader: str) -> Record:
    return _set_up(_NEW_RECORD(), leader)


def _lazy_record(leader: str, idx: LazyIndex) -> LazyRecord:
    """A record whose fields are those of ``idx``, made when first read."""
    record = _set_up(_NEW_LAZY_RECORD(), leader)
    record.index = idx
    return record


def _set_up(record: Record, leader: str) -> Record:
    """``record`` (made without ``Record.__init__``) with the attributes ``Record.__init__`` sets, but its fields."""
    record.leader = Leader(leader)
    record.pos = 0
    record._Record__pos = 0
    record.force_utf8 = True
    record.to_unicode = True
    return record


def fields_to_record(leader: str, fields: Fields) -> Record:
    """A pymarc.Record from a field list (tags of any length, any subfield code)."""
    record = _new_record(leader)
    record.fields = [_field(tag, ind, payload) for tag, ind, payload in fields]
    return record


def record_to_fields(record: Record) -> tuple[str, Fields]:
    """Leader and field list of a pymarc.Record (the inverse of fields_to_record)."""
    fields: Fields = []
    for f in record.fields:
        if f.is_control_field():
            fields.append((f.tag, None, f.data or ""))
        else:
            ind = f.indicators or ("", "")
            i1 = (ind[0] or " ")[:1] if len(ind) > 0 else " "
            i2 = (ind[1] or " ")[:1] if len(ind) > 1 else " "
            fields.append((f.tag, i1 + i2, [(sf.code, sf.value) for sf in f.subfields]))
    return str(record.leader), fields


def is_unimarc(fields: Fields) -> bool:
    """True when a field list looks UNIMARC (200/100 without MARC 21's 245/008), judged the same on every path."""
    tags = {f[0] for f in fields}
    return "245" not in tags and "008" not in tags and ("200" in tags or "100" in tags)


def mark_charset(leader: str, fields: Fields, encoding: str) -> tuple[str, Fields]:
    """Leader/09 and UNIMARC 100$a/26-29 set to declare ``encoding``, the character set actually written."""
    leader = (leader + " " * 24)[:24] if len(leader) != 24 else leader
    flag = "a" if encoding.startswith("utf") else " "
    if leader[9] != flag:
        leader = leader[:9] + flag + leader[10:]
    code = enc.UNIMARC_CODES.get("utf-8" if encoding.startswith("utf") else encoding)
    if code and is_unimarc(fields):
        for i, (tag, ind, payload) in enumerate(fields):
            if tag != "100" or ind is None:
                continue
            for j, (c, v) in enumerate(payload):
                if c == "a" and len(v) >= 30 and v[26:30] != code:
                    payload = list(payload)
                    payload[j] = (c, v[:26] + code + v[30:])
                    fields = list(fields)
                    fields[i] = (tag, ind, payload)
                    break
            break
    return leader, fields


def encode(leader: str, fields: Fields, encoding: str = "utf-8") -> tuple[bytes | None, list[str]]:
    """One record as ISO 2709 bytes, or None with the reasons when it cannot be written."""
    problems: list[str] = []
    leader, fields = mark_charset(leader, fields, encoding)
    directory = []
    body = []
    pos = 0
    lossy = False
    for tag, ind, payload in fields:
        if len(tag) != 3:
            problems.append(f"tag {tag} cannot be written to ISO 2709 (tags have 3 characters); field left out")
            continue
        if ind is None:
            text = payload
        else:
            text = ind + "".join(f"\x1f{c}{v}" for c, v in payload)
        try:
            data = text.encode(encoding)
        except UnicodeEncodeError:
            data = text.encode(encoding, errors="replace")
            lossy = True
        data += FT_B
        if len(data) > MAX_FIELD:
            problems.append(
                f"field {tag} is {len(data):,} bytes; ISO 2709 allows {MAX_FIELD:,}: field left out"
            )
            continue
        try:
            tag_b = tag.encode("ascii")
        except UnicodeEncodeError:
            problems.append(f"tag {tag!r} is not ASCII; field left out")
            continue
        directory.append(b"%s%04d%05d" % (tag_b, len(data), pos))
        body.append(data)
        pos += len(data)
    if lossy:
        problems.append(f"characters that {encoding} cannot hold were replaced by '?'")
    dir_b = b"".join(directory) + FT_B
    base = 24 + len(dir_b)
    total = base + pos + 1
    if total > MAX_RECORD:
        return None, problems + [f"record is {total:,} bytes; ISO 2709 allows {MAX_RECORD:,}: record not written"]
    lead = leader.encode("ascii", errors="replace")
    lead = b"%05d" % total + lead[5:10] + b"22" + b"%05d" % base + lead[17:20] + b"4500"
    return lead + dir_b + b"".join(body) + RT_B, problems


class Iso2709Writer:
    """Writes records as ISO 2709 in ``encoding`` (UTF-8 by default, or a Cyrillic code page)."""

    def __init__(self, stream: BinaryIO, encoding: str = "utf-8") -> None:
        self.stream = stream
        self.encoding = enc.normalize_name(encoding)
        if self.encoding == enc.MARC8:
            raise enc.EncodingError("writing MARC-8 is not supported; write UTF-8 (leader/09 = a)")

    def write(self, record: Record) -> list[str]:
        """Write one record; returns what could not be written."""
        leader, fields = record_to_fields(record)
        data, problems = encode(leader, fields, self.encoding)
        if data is not None:
            self.stream.write(data)
        return problems

    def write_fields(self, leader: str, fields: Fields) -> list[str]:
        """Write one record given as a field list."""
        data, problems = encode(leader, fields, self.encoding)
        if data is not None:
            self.stream.write(data)
        return problems

    def close(self) -> None:
        """Flush the stream (the caller closes it)."""
        self.stream.flush()
