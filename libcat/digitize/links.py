"""The links of a record to its digitized files for export and OAI-PMH: MARC 856, IRBIS 951."""

from __future__ import annotations

import datetime as dt
from urllib.parse import quote

from pymarc import Field, Indicators, Subfield
from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import i18n
from ..catalog.models import CatalogRecord, DigitalFile, DigitalObject
from ..marc.flavour import IRBIS, MARC21
from .rights import decide_record

i18n.register({
    "links.restricted": {
        "en": "Full text available in the library only",
        "ru": "Полный текст доступен только в библиотеке",
        "kk": "Толық мәтін тек кітапханада қолжетімді",
    },
})

#: Record language -> language of the public note on a restricted link.
NOTE_LANG = {"kaz": "kk", "rus": "ru"}


def file_url(base_url: str, stored_path: str) -> str:
    """The public URL of a stored file under ``base_url`` (e.g. http://host/files/)."""
    return base_url.rstrip("/") + "/" + quote(stored_path)


def link_fields(session: Session, row: CatalogRecord, flavour: str, base_url: str | None = None,
                scope: str = "publish-aggregator", today: dt.date | None = None) -> list[Field]:
    """856 (MARC 21, UNIMARC/RUSMARC) or 951 (IRBIS) fields for every file of the record's live objects.

    File metadata (type, size, pages) always; the URL (and IRBIS file name) only when rights allow
    publishing in ``scope``, otherwise a public note that the full text is in the library.
    """
    rows = session.execute(
        select(DigitalObject, DigitalFile)
        .join(DigitalFile, DigitalFile.object_id == DigitalObject.id)
        .where(DigitalObject.record_id == row.id, DigitalObject.deleted_at.is_(None))
        .order_by(DigitalObject.id, DigitalFile.id)
    ).all()
    if not rows:
        return []
    allowed = decide_record(session, row, scope, today).allowed
    note = i18n.t("links.restricted", NOTE_LANG.get(row.language or "", "en"))
    out = []
    for obj, f in rows:
        url = file_url(base_url, f.path) if allowed and base_url else None
        if flavour == IRBIS:
            subs = []
            if allowed:
                subs.append(Subfield("a", f.path))
            if url:
                subs.append(Subfield("i", url))
            if not allowed:
                subs.append(Subfield("t", note))
            subs += [Subfield("n", str(f.pages or obj.pages)), Subfield("h", f.mime or ""), Subfield("2", str(f.bytes))]
            out.append(Field("951", indicators=Indicators(" ", " "), subfields=subs))
            continue
        subs = [Subfield("u", url)] if url else []
        subs += [Subfield("q", f.mime or ""), Subfield("s", str(f.bytes))]
        if not allowed:
            subs.append(Subfield("z", note))
        ind2 = "1" if flavour == MARC21 else " "
        out.append(Field("856", indicators=Indicators("4", ind2), subfields=subs))
    return out
