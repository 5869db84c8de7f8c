"""Read and write every format a cataloguer meets, streaming: one ReadItem per record, readable or not.

Formats: ``iso2709``, ``marcxml``, ``json`` (MARC-in-JSON), ``mrk`` (MarcBreaker), ``irbis``
(IRBIS plain text) and ``mst`` (IRBIS64 master file, read only).
"""

from __future__ import annotations

import io
import os
import re
import sys
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from pymarc import Record

from .. import i18n
from . import encoding as enc
from . import iso2709, marcjson, marcxml, mrk
from .fieldindex import FieldIndex, index
from .flavour import detect, set_flavour
from .items import ReadItem, Writer

FORMATS = ("iso2709", "marcxml", "json", "mrk", "irbis", "mst")
WRITE_FORMATS = ("iso2709", "marcxml", "json", "mrk", "irbis")
_EXT = {
    ".iso": "iso2709", ".mrc": "iso2709", ".dat": "iso2709", ".marc": "iso2709", ".mar": "iso2709",
    ".xml": "marcxml", ".mrx": "marcxml", ".marcxml": "marcxml",
    ".json": "json", ".jsonl": "json", ".ndjson": "json",
    ".mrk": "mrk", ".mrk8": "mrk", ".mkr": "mrk",
    ".txt": "irbis", ".irb": "irbis",
    ".mst": "mst",
}
_IRBIS_LINE = re.compile(rb"^#\d{1,4}:", re.M)
_MRK_LINE = re.compile(rb"^=(LDR|\d{3})  ", re.M)
_HEAD = 65536

i18n.register({
    "io.empty": {
        "en": "the file is empty",
        "ru": "файл пуст",
        "kk": "файл бос",
    },
    "io.unknown_content": {
        "en": "cannot tell the format from the content; give it explicitly",
        "ru": "не удаётся определить формат по содержимому; укажите его явно",
        "kk": "мазмұнынан форматты анықтау мүмкін емес; оны анық көрсетіңіз",
    },
    "io.unknown_format": {
        "en": "unknown format {fmt!r}; expected one of {formats}",
        "ru": "неизвестный формат {fmt!r}; ожидается один из: {formats}",
        "kk": "белгісіз формат {fmt!r}; мыналардың бірі күтіледі: {formats}",
    },
    "io.mst_needs_path": {
        "en": "an IRBIS64 master file is read from its path (the .xrf file beside it is needed too)",
        "ru": "мастер-файл IRBIS64 читается по пути к нему (нужен и файл .xrf рядом с ним)",
        "kk": "IRBIS64 мастер-файлы өз жолы бойынша оқылады (қасындағы .xrf файлы да керек)",
    },
    "io.mst_read_only": {
        "en": "IRBIS64 master files are read only; write irbis (plain text) or iso2709 instead",
        "ru": "мастер-файлы IRBIS64 только читаются; запишите вместо этого irbis (простой текст) или iso2709",
        "kk": "IRBIS64 мастер-файлдары тек оқылады; оның орнына irbis (қарапайым мәтін) не iso2709 жазыңыз",
    },
})


class FormatError(ValueError):
    """A file whose format cannot be told or that cannot be read at all."""


def detect_format(head: bytes, name: str = "", lang: str | None = None) -> str:
    """The format of a file from its first bytes, the name's extension deciding only when content cannot
    (FormatError in ``lang``, default LIBCAT_LANG, when neither can)."""
    ext = os.path.splitext(name.lower())[1] if name else ""
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if ext == ".mst" or (len(head) >= 36 and head[:4] == b"\0\0\0\0" and b"\x1d" not in head[:36]):
        return "mst"
    if text.startswith(b"<"):
        return "marcxml"
    if text[:1] in (b"{", b"["):
        return "json"
    if text[:5].isdigit() and (b"\x1e" in head or b"\x1d" in head):
        return "iso2709"
    if _MRK_LINE.match(text):
        return "mrk"
    if _IRBIS_LINE.match(text):
        return "irbis"
    if b"\x1d" in head and b"\x1e" in head:
        return "iso2709"
    if ext in _EXT:
        return _EXT[ext]
    if not text:
        raise FormatError(i18n.t("io.empty", lang))
    raise FormatError(i18n.t("io.unknown_content", lang))


class _Prefixed(io.RawIOBase):
    """A stream whose first bytes were already read (to detect the format), served again."""

    def __init__(self, head: bytes, stream: BinaryIO) -> None:
        self._head = head
        self._stream = stream

    def readable(self) -> bool:
        return True

    def readinto(self, b) -> int:  # type: ignore[override]
        if self._head:
            n = min(len(b), len(self._head))
            b[:n] = self._head[:n]
            self._head = self._head[n:]
            return n
        data = self._stream.read(len(b))
        n = len(data)
        b[:n] = data
        return n


@contextmanager
def _opened(source: str | Path | BinaryIO):
    if isinstance(source, (str, Path)):
        if str(source) == "-":
            yield sys.stdin.buffer, "-"
            return
        with open(source, "rb") as fh:
            yield fh, str(source)
        return
    yield source, getattr(source, "name", "") if isinstance(getattr(source, "name", ""), str) else ""


def peek(stream: BinaryIO) -> tuple[bytes, BinaryIO]:
    """The first bytes of ``stream`` and a stream that still yields them (for format detection on pipes)."""
    head = stream.read(_HEAD)
    return head, io.BufferedReader(_Prefixed(head, stream), buffer_size=1 << 20)


def _finish(item: ReadItem, idx: FieldIndex | None = None, text: str | None = None) -> ReadItem:
    """The item with its record's flavour set and its control number (001) noted (``idx``: the record's
    field index, when the caller has one; ``text``: the clean record's text from ``iso2709.Parts``)."""
    if item.record is not None:
        idx = index(item.record) if idx is None else idx
        flavour = item.flavour or detect(item.record, idx, text)
        set_flavour(item.record, flavour)
        item.flavour = flavour
        if item.control_number is None:
            f001 = idx.get("001")
            if f001 is not None and f001[0].data:
                item.control_number = f001[0].data.strip() or None
    return item


def read(source: str | Path | BinaryIO, fmt: str | None = None, encoding: str | None = None,
         lang: str | None = None) -> Iterator[ReadItem]:
    """Every record of ``source`` (a path, ``-`` for stdin, or a binary stream) as ReadItems, in constant memory.

    FormatError (EncodingError for an unknown ``encoding``) when the format cannot be told or the file
    cannot be read at all, in ``lang`` (default: LIBCAT_LANG).
    """
    if fmt is not None and fmt not in FORMATS:
        raise FormatError(i18n.t("io.unknown_format", lang, fmt=fmt, formats=", ".join(FORMATS)))
    used = enc.normalize_name(encoding, lang) if encoding else None
    if fmt == "mst" or (fmt is None and isinstance(source, (str, Path)) and str(source).lower().endswith(".mst")):
        yield from _read_mst(source, lang)
        return
    with _opened(source) as (stream, name):
        head, stream = peek(stream)
        if not head.strip():
            return
        fmt = fmt or detect_format(head, name, lang)
        if fmt == "mst":
            yield from _read_mst(source, lang)
            return
        reader: Callable[[BinaryIO, str | None], Iterator[ReadItem]] = _READERS[fmt]
        for item in reader(stream, used):
            yield _finish(item)


def _read_mst(source: str | Path | BinaryIO, lang: str | None = None) -> Iterator[ReadItem]:
    if not isinstance(source, (str, Path)) or str(source) == "-":
        raise FormatError(i18n.t("io.mst_needs_path", lang))
    from ..kabis.mst import MstError, iter_mst

    try:
        for item in iter_mst(source, lang=lang):
            yield _finish(item)
    except MstError as exc:  # no .xrf, no control record: the file cannot be read at all
        raise FormatError(str(exc)) from None


def _read_iso(stream: BinaryIO, encoding: str | None) -> Iterator[ReadItem]:
    for position, (offset, chunk) in enumerate(iso2709.iter_chunks(stream), 1):
        try:
            record, _used, warnings = iso2709.read_record(chunk, encoding)
        except iso2709.RecordError as exc:
            yield ReadItem(position=position, offset=offset, raw=chunk, error=str(exc))
            continue
        yield ReadItem(position=position, offset=offset, raw=chunk, record=record, warnings=warnings)


def _read_xml(stream: BinaryIO, encoding: str | None) -> Iterator[ReadItem]:
    position = 0
    for line, elem, error in marcxml.iter_elements(stream):
        position += 1
        if elem is None:
            yield ReadItem(position=position, offset=line, raw=b"", error=error, offset_unit="line")
            return
        raw = marcxml.etree.tostring(elem, encoding="utf-8")
        leader, fields, warnings = marcxml.parse_record(elem)
        record = iso2709.fields_to_record(leader, fields)
        yield ReadItem(position=position, offset=line, raw=raw, record=record, warnings=warnings, offset_unit="line")


def _read_json(stream: BinaryIO, encoding: str | None) -> Iterator[ReadItem]:
    try:
        for position, (line, data, raw, error) in enumerate(marcjson.iter_json_file(stream), 1):
            if data is None:
                yield ReadItem(position=position, offset=line, raw=raw, error=error, offset_unit="line")
                continue
            try:
                record = marcjson.record_from_dict(data)
            except (ValueError, TypeError, AttributeError) as exc:
                yield ReadItem(position=position, offset=line, raw=raw, error=f"bad MARC-in-JSON: {exc}",
                               offset_unit="line")
                continue
            yield ReadItem(position=position, offset=line, raw=raw, record=record, offset_unit="line")
    except marcjson.JsonFileError as exc:
        raise FormatError(str(exc)) from None


def _read_mrk(stream: BinaryIO, encoding: str | None) -> Iterator[ReadItem]:
    for position, (line, lines, raw) in enumerate(mrk.iter_record_lines(stream, encoding), 1):
        try:
            leader, fields, warnings = mrk.parse_lines(lines)
        except mrk.MrkError as exc:
            yield ReadItem(position=position, offset=line, raw=raw, error=str(exc), offset_unit="line")
            continue
        record = iso2709.fields_to_record(leader, fields)
        yield ReadItem(position=position, offset=line, raw=raw, record=record, warnings=warnings, offset_unit="line")


def _read_irbis(stream: BinaryIO, encoding: str | None) -> Iterator[ReadItem]:
    from .irbis import iter_irbis

    yield from iter_irbis(stream, encoding)


_READERS = {"iso2709": _read_iso, "marcxml": _read_xml, "json": _read_json, "mrk": _read_mrk, "irbis": _read_irbis}


def open_writer(stream: BinaryIO, fmt: str, encoding: str = "utf-8", lang: str | None = None) -> Writer:
    """A writer of ``fmt`` on ``stream``; its ``write(record)`` returns what the format could not hold
    (FormatError in ``lang``, default LIBCAT_LANG, for a format that cannot be written)."""
    if fmt == "iso2709":
        return iso2709.Iso2709Writer(stream, encoding)
    if fmt == "marcxml":
        return marcxml.MarcXmlWriter(stream, encoding)
    if fmt == "json":
        return marcjson.JsonWriter(stream, encoding)
    if fmt == "mrk":
        return mrk.MrkWriter(stream, encoding)
    if fmt == "irbis":
        from .irbis import IrbisWriter

        return IrbisWriter(stream, encoding)
    if fmt == "mst":
        raise FormatError(i18n.t("io.mst_read_only", lang))
    raise FormatError(i18n.t("io.unknown_format", lang, fmt=fmt, formats=", ".join(WRITE_FORMATS)))


# The fast path: ISO 2709 -> MARCXML without a pymarc object per record, same bytes as the record path.

def _slow_xml(position: int, offset: int, chunk: bytes, encoding: str | None, notes: list[ReadItem]) -> bytes:
    try:
        parsed = iso2709.parse(chunk, encoding)
    except iso2709.RecordError as exc:
        notes.append(ReadItem(position=position, offset=offset, raw=chunk, error=str(exc)))
        return b""
    text, problems = marcxml.render(parsed.leader, parsed.fields)
    if parsed.warnings or problems:
        notes.append(ReadItem(position=position, offset=offset, raw=b"", warnings=parsed.warnings + problems))
    return text.encode("utf-8")


Batch = tuple[int, list[int], list[bytes]]


def _xml_batch(batch: Batch, encoding: str | None) -> tuple[bytes, list[ReadItem]]:
    first, offsets, chunks = batch
    out: list[bytes] = []
    notes: list[ReadItem] = []
    prepare = marcxml.fast_prepare if encoding is None else None
    for position, (offset, chunk) in enumerate(zip(offsets, chunks), first):
        marked = prepare(chunk) if prepare is not None else None
        out.append(_slow_xml(position, offset, chunk, encoding, notes) if marked is None else marked)
    return marcxml.fast_finish(b"".join(out)), notes


def _batches(stream: BinaryIO, size: int) -> Iterator[Batch]:
    first = 1
    offsets: list[int] = []
    chunks: list[bytes] = []
    for offset, chunk in iso2709.iter_chunks(stream):
        offsets.append(offset)
        chunks.append(chunk)
        if len(chunks) >= size:
            yield first, offsets, chunks
            first += len(chunks)
            offsets, chunks = [], []
    if chunks:
        yield first, offsets, chunks


def _xml_worker(inbox, outbox, encoding: str | None) -> None:
    """A worker process: converts the batches it receives until it gets None."""
    while True:
        batch = inbox.recv()
        if batch is None:
            return
        try:
            outbox.send(_xml_batch(batch, encoding))
        except Exception as exc:  # noqa: BLE001 - handed to the parent, which raises it
            outbox.send(exc)


def _wide_pipe(ctx) -> tuple:
    """A one-way pipe (reader, writer) with a 1 MiB buffer where the system allows it (fewer, larger copies)."""
    reader, writer = ctx.Pipe(duplex=False)
    try:
        import fcntl

        fcntl.fcntl(writer.fileno(), fcntl.F_SETPIPE_SZ, 1 << 20)
    except (ImportError, AttributeError, OSError):
        pass
    return reader, writer


def _xml_parallel(source: BinaryIO, encoding: str | None, jobs: int, size: int) -> Iterator[tuple[int, bytes, list]]:
    """``(records, XML, notes)`` per batch, in order, converted by ``jobs`` worker processes.

    Each worker holds at most one batch, so memory stays flat, and the parent only splits records
    and writes; it sends a worker its next batch as soon as it has taken that worker's result.
    """
    import multiprocessing as mp

    ctx = mp.get_context("fork") if "fork" in mp.get_all_start_methods() else mp.get_context()
    workers = []
    try:
        for _ in range(jobs):
            inbox, to_worker = _wide_pipe(ctx)
            from_worker, outbox = _wide_pipe(ctx)
            proc = ctx.Process(target=_xml_worker, args=(inbox, outbox, encoding), daemon=True)
            proc.start()
            inbox.close()
            outbox.close()
            workers.append((proc, to_worker, from_worker))
        busy: deque = deque()
        for number, batch in enumerate(_batches(source, size)):
            proc, to_worker, from_worker = workers[number % jobs]
            if len(busy) == jobs:
                yield _result(*busy.popleft())
            to_worker.send(batch)
            busy.append((from_worker, len(batch[2])))
        while busy:
            yield _result(*busy.popleft())
        for proc, to_worker, _ in workers:
            to_worker.send(None)
        for proc, _, _ in workers:
            proc.join()
    finally:
        for proc, to_worker, from_worker in workers:
            if proc.is_alive():
                proc.terminate()
                proc.join()
            to_worker.close()
            from_worker.close()


def _result(conn, count: int) -> tuple[int, bytes, list]:
    answer = conn.recv()
    if isinstance(answer, Exception):
        raise answer
    data, notes = answer
    return count, data, notes


def iso_to_marcxml(
    source: BinaryIO, target: BinaryIO, encoding: str | None = None, jobs: int = 1, batch: int = 1000
) -> Iterator[tuple[int, ReadItem | None]]:
    """Convert ISO 2709 to MARCXML directly from bytes, in order, on ``jobs`` processes.

    Yields ``(records done, note)``: a note is a ReadItem with the error of an unreadable record
    (``record`` None) or the warnings of a repaired one (``raw`` empty); None just reports progress.
    """
    used = enc.normalize_name(encoding) if encoding else None
    target.write(marcxml.HEADER.encode("utf-8"))
    done = 0
    if jobs <= 1:
        results: Iterator[tuple[int, bytes, list]] = (
            (len(b[2]), *_xml_batch(b, used)) for b in _batches(source, batch)
        )
    else:
        results = _xml_parallel(source, used, jobs, batch)
    for count, data, notes in results:
        target.write(data)
        done += count
        yield from ((done, n) for n in notes)
        yield done, None
    target.write(marcxml.FOOTER.encode("utf-8"))
    target.flush()


def write_all(records: Iterator[Record], stream: BinaryIO, fmt: str, encoding: str = "utf-8") -> list[str]:
    """Write ``records`` to ``stream`` in ``fmt``; returns every problem met, prefixed with the record number."""
    writer = open_writer(stream, fmt, encoding)
    problems: list[str] = []
    for i, record in enumerate(records, 1):
        problems.extend(f"record {i}: {p}" for p in writer.write(record))
    writer.close()
    return problems
