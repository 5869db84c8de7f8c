"""Read IRBIS64 master files (MST + XRF) directly: current version of every record, via the XRF.

All integers are big-endian. The MST is append-only (old versions stay, chained backwards), so
the XRF is the only way to the current version of a record.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from pathlib import Path

from .. import i18n
from ..marc.flavour import IRBIS
from ..marc.irbis import record_from_fields, shelf_code
from ..marc.items import ReadItem

CONTROL = struct.Struct(">9I")
LEADER = struct.Struct(">8I")
DIRENTRY = struct.Struct(">3I")
XRFENTRY = struct.Struct(">3I")

XRF_LOGICALLY_DELETED = 1
XRF_PHYSICALLY_DELETED = 2
XRF_ABSENT = 4
MST_LOGICALLY_DELETED = 1

i18n.register({
    "mst.no_xrf": {
        "en": "no .xrf file beside it (the XRF is needed to find current records)",
        "ru": "рядом нет файла .xrf (он нужен, чтобы найти текущие версии записей)",
        "kk": "қасында .xrf файлы жоқ (жазбалардың ағымдағы нұсқаларын табу үшін XRF керек)",
    },
    "mst.too_short": {
        "en": "too short for an IRBIS64 control record",
        "ru": "файл слишком короткий для управляющей записи IRBIS64",
        "kk": "файл IRBIS64 басқару жазбасы үшін тым қысқа",
    },
})


class MstError(ValueError):
    """A master file that cannot be read at all (missing XRF, truncated control record)."""


class _BadRecord(ValueError):
    """One record that cannot be parsed; ``raw`` keeps whatever bytes were read."""

    def __init__(self, message: str, raw: bytes = b"") -> None:
        super().__init__(message)
        self.raw = raw


def _xrf_for(mst_path: Path, lang: str | None) -> Path:
    for suffix in (".xrf", ".XRF"):
        candidate = mst_path.with_suffix(suffix)
        if candidate.exists():
            return candidate
    raise MstError(i18n.t("mst.no_xrf", lang))


def _read_record(mst, offset: int, mfn: int) -> tuple[bytes, list[tuple[str, str]], int]:
    """Raw bytes, ``(tag, text)`` fields and status of the record stored at ``offset``."""
    mst.seek(offset)
    head = mst.read(LEADER.size)
    if len(head) < LEADER.size:
        raise _BadRecord(f"record leader truncated at byte {offset}", head)
    rec_mfn, length, _back_low, _back_high, base, nvf, _version, status = LEADER.unpack(head)
    if rec_mfn != mfn:
        raise _BadRecord(f"XRF points to MFN {rec_mfn}, expected {mfn}", head)
    if length < LEADER.size + nvf * DIRENTRY.size or base != LEADER.size + nvf * DIRENTRY.size:
        raise _BadRecord(f"inconsistent leader (length {length}, base {base}, {nvf} fields)", head)
    body = mst.read(length - LEADER.size)
    if len(body) < length - LEADER.size:
        raise _BadRecord(f"record truncated: {len(body) + LEADER.size} of {length} bytes", head + body)
    raw = head + body
    fields: list[tuple[str, str]] = []
    for i in range(nvf):
        tag, pos, flen = DIRENTRY.unpack_from(raw, LEADER.size + i * DIRENTRY.size)
        start = base + pos
        if start + flen > length:
            raise _BadRecord(f"field {tag} lies outside the record (pos {pos}, length {flen})", raw)
        try:
            data = raw[start:start + flen].decode("utf-8")
        except UnicodeDecodeError as exc:
            raise _BadRecord(f"field {tag} is not valid UTF-8 ({exc.reason})", raw) from exc
        fields.append((str(tag), data))
    return raw, fields, status


def iter_mst(mst_path: str | Path, xrf_path: str | Path | None = None, lang: str | None = None) -> Iterator[ReadItem]:
    """Yield the current version of each record of an IRBIS64 database, in MFN order.

    Logically deleted records are yielded (parsed) with ``deleted=True``; physically deleted
    and absent MFNs are skipped; an unreadable record is yielded with its error. MstError says
    why the file cannot be read at all, in ``lang`` (default: LIBCAT_LANG).
    """
    mst_path = Path(mst_path)
    xrf_path = Path(xrf_path) if xrf_path else _xrf_for(mst_path, lang)
    with open(mst_path, "rb") as mst, open(xrf_path, "rb") as xrf:
        control = mst.read(CONTROL.size)
        if len(control) < CONTROL.size:
            raise MstError(i18n.t("mst.too_short", lang))
        next_mfn = CONTROL.unpack(control)[1]
        position = 0
        for mfn in range(1, next_mfn):
            entry = xrf.read(XRFENTRY.size)
            if len(entry) < XRFENTRY.size:
                break
            low, high, flags = XRFENTRY.unpack(entry)
            offset = (high << 32) | low
            if flags & (XRF_PHYSICALLY_DELETED | XRF_ABSENT) or offset == 0:
                continue
            position += 1
            try:
                raw, fields, status = _read_record(mst, offset, mfn)
            except _BadRecord as exc:
                yield ReadItem(position=position, offset=offset, raw=exc.raw, error=f"MFN {mfn}: {exc}", mfn=mfn)
                continue
            record = record_from_fields(fields)
            deleted = bool(flags & XRF_LOGICALLY_DELETED or status & MST_LOGICALLY_DELETED)
            yield ReadItem(
                position=position,
                offset=offset,
                raw=raw,
                record=record,
                flavour=IRBIS,
                deleted=deleted,
                control_number=shelf_code(record),
                mfn=mfn,
            )
