"""Quarantine: records that could not be read or failed validation, kept with their original bytes."""

from __future__ import annotations

from typing import BinaryIO

from sqlalchemy import select

from .models import Quarantine
from .store import Catalog, CatalogError


def quarantine_rows(catalog: Catalog, *, batch: int | None = None, include_resolved: bool = False) -> list[Quarantine]:
    """Quarantined records (unresolved ones unless asked), oldest first."""
    with catalog.Session() as s:
        q = select(Quarantine).order_by(Quarantine.id)
        if batch is not None:
            q = q.where(Quarantine.batch_id == batch)
        if not include_resolved:
            q = q.where(Quarantine.resolved_at.is_(None))
        return list(s.scalars(q))


def export_quarantine(catalog: Catalog, out: BinaryIO, *, batch: int | None = None, fmt: str | None = None) -> int:
    """Write the original bytes of quarantined records to a binary stream, to fix and re-import."""
    rows = [r for r in quarantine_rows(catalog, batch=batch) if fmt is None or r.format == fmt]
    formats = {r.format for r in rows}
    if len(formats) > 1:
        raise CatalogError(
            f"quarantine holds records of several formats ({', '.join(sorted(str(f) for f in formats))}); "
            "export one at a time with --format"
        )
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
