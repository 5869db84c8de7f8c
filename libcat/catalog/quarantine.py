"""Quarantine: records that could not be read or failed validation, kept with their original bytes."""

from __future__ import annotations

import re
from typing import Any, BinaryIO

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from .. import i18n
from .models import Quarantine
from .store import Catalog, CatalogError

i18n.register({
    "quarantine.already": {
        "en": "already in quarantine (entry {id}): not stored again",
        "ru": "уже в карантине (запись {id}): повторно не сохранена",
        "kk": "карантинде бұрыннан бар ({id}-жазба): қайта сақталмады",
    },
    "quarantine.formats": {
        "en": "quarantine holds records of several formats ({formats}); export one at a time with --format",
        "ru": "в карантине записи нескольких форматов ({formats}); выгружайте по одному с --format",
        "kk": "карантинде бірнеше форматтағы жазбалар бар ({formats}); --format арқылы бір-бірден шығарыңыз",
    },
    "quarantine.line": {"en": "line {n}", "ru": "строка {n}", "kk": "{n}-жол"},
    "quarantine.not_field_line": {
        "en": "line {n}: not a field line (expected '#TAG: data')",
        "ru": "строка {n}: не строка поля (ожидается '#МЕТКА: данные')",
        "kk": "{n}-жол: өріс жолы емес (күтілгені '#ТЕГ: деректер')",
    },
    "quarantine.text_before_field": {
        "en": "line {n}: text before the first field",
        "ru": "строка {n}: текст перед первым полем",
        "kk": "{n}-жол: бірінші өрістің алдында мәтін бар",
    },
})

#: Code of the report's note on a rejected record whose identical bytes are already in quarantine.
ALREADY = "in-quarantine"

#: Reasons the readers give in English (libcat.marc), with the message that says them in the user's language.
_READER_REASONS = (
    (re.compile(r"line (\d+): not a field line \(expected '#TAG: data'\)"), "quarantine.not_field_line"),
    (re.compile(r"line (\d+): text before the first field"), "quarantine.text_before_field"),
)
_LINE = re.compile(r"line (\d+)")
_UNREADABLE = "unreadable: "


def reason_text(reason: str, lang: str | None = None) -> str:
    """One stored reason ("line N", "unreadable: <reader's reason>", "code: message") in the language asked for."""
    m = _LINE.fullmatch(reason)
    if m:
        return i18n.t("quarantine.line", lang, n=m.group(1))
    if not reason.startswith(_UNREADABLE):
        return reason
    return i18n.t("import.unreadable", lang, reason=reader_reason(reason[len(_UNREADABLE):], lang))


def reader_reason(reason: str, lang: str | None = None) -> str:
    """Why a reader could not read a record, in the language asked for when the reason is a known one."""
    for pattern, key in _READER_REASONS:
        m = pattern.match(reason)
        if m:
            return i18n.t(key, lang, n=m.group(1)) + reason[m.end():]
    return reason


def keep(session: Session, row: dict[str, Any]) -> int | None:
    """Store a rejected record (a row of the quarantine table), unless an unresolved entry already holds the
    same original bytes in the same format: then store nothing and return that entry's id."""
    if row["raw"]:
        earlier = session.scalar(select(Quarantine.id).where(
            Quarantine.resolved_at.is_(None), Quarantine.raw == row["raw"],
            Quarantine.format.is_not_distinct_from(row["format"])).order_by(Quarantine.id).limit(1))
        if earlier is not None:
            return earlier
    session.execute(insert(Quarantine), [row])
    return None


def quarantine_rows(catalog: Catalog, *, batch: int | None = None, include_resolved: bool = False) -> list[Quarantine]:
    """Quarantined records (unresolved ones unless asked), oldest first."""
    with catalog.Session() as s:
        q = select(Quarantine).order_by(Quarantine.id)
        if batch is not None:
            q = q.where(Quarantine.batch_id == batch)
        if not include_resolved:
            q = q.where(Quarantine.resolved_at.is_(None))
        return list(s.scalars(q))


def export_quarantine(catalog: Catalog, out: BinaryIO, *, batch: int | None = None, fmt: str | None = None,
                      lang: str | None = None) -> int:
    """Write the original bytes of quarantined records to a binary stream, to fix and re-import."""
    rows = [r for r in quarantine_rows(catalog, batch=batch) if fmt is None or r.format == fmt]
    formats = {r.format for r in rows}
    if len(formats) > 1:
        raise CatalogError(i18n.t("quarantine.formats", lang, formats=", ".join(sorted(str(f) for f in formats))))
    for r in rows:
        raw = r.raw or b""
        out.write(raw)
        if r.format in ("irbis", "mrk", None) and raw:
            text_end = raw.rstrip(b"\r\n")
            if r.format == "irbis" and not text_end.endswith(b"*****"):
                out.write(b"" if raw.endswith(b"\n") else b"\n")
                out.write(b"*****\n")
            elif not raw.endswith(b"\n"):
                out.write(b"\n")
            if r.format == "mrk":
                out.write(b"\n")
    return len(rows)
