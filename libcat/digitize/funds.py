"""Fund categories the reports count separately: rare books and manuscripts, local lore, Kazakhstan content.

Each comes from the record's sub-catalogue and fields unless set by hand (records.fund_* columns).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from pymarc import Record
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..catalog import records
from ..catalog.models import CatalogRecord, DigitalObject, Subcatalog, utcnow
from ..marc.flavour import IRBIS, IRBIS_VALUE_CODE, MARC21

CATEGORIES = ("rare", "local-lore", "kazakhstan")
COLUMNS = {"rare": "fund_rare", "local-lore": "fund_local_lore", "kazakhstan": "fund_kazakhstan"}
SUBCATALOGS = {"rare": "rare", "local-lore": "local-lore"}
KZ_WORDS = re.compile(r"казахстан|қазақстан|kazakh?stan|qazaqstan|kazakstan", re.IGNORECASE)


@dataclass
class FundCategories:
    """The three categories of one record and where each answer came from."""

    rare: bool = False
    local_lore: bool = False
    kazakhstan: bool = False
    sources: dict[str, str] = field(default_factory=dict)

    def get(self, category: str) -> bool:
        return getattr(self, category.replace("-", "_"))


def _values(record: Record, tag: str, *codes: str) -> list[str]:
    out = []
    for f in record.get_fields(tag):
        if f.is_control_field():
            out.append(f.data or "")
        else:
            out += [sf.value for sf in f.subfields if not codes or sf.code in codes]
    return out


def _kazakhstan_field(record: Record, flavour: str) -> str | None:
    """The field that marks Kazakhstan content (country KZ or a Kazakhstan geographic heading), or None."""
    if flavour == MARC21:
        f008 = (_values(record, "008") or [""])[0]
        if f008[15:17] == "kz":
            return "008/15-17"
        if any(v.strip().lower().startswith("kz") for v in _values(record, "044", "a")):
            return "044"
        if any(v.strip().lower().startswith("a-kz") for v in _values(record, "043", "a")):
            return "043"
        geo = [("651", _values(record, "651")), ("650", _values(record, "650", "z"))]
    else:
        code = (IRBIS_VALUE_CODE, "a") if flavour == IRBIS else ("a",)
        if any(v.strip().upper() == "KZ" for v in _values(record, "102", *code)):
            return "102"
        geo = [("607", _values(record, "607")), ("620", _values(record, "620")), ("606", _values(record, "606", "g", "e", "o", "y"))]
    for tag, values in geo:
        if any(KZ_WORDS.search(v) or v.strip().upper() == "KZ" for v in values):
            return tag
    return None


_UNSET = "\0unset"


def derive(row: CatalogRecord, record: Record | None = None, subcat_code: str | None = _UNSET) -> FundCategories:
    """The categories of a record from its sub-catalogue and fields, then the hand-set columns on top.

    ``subcat_code`` saves a query when the caller knows it (None: the record has no sub-catalogue).
    """
    record = record if record is not None else records.load(row)
    if subcat_code == _UNSET:
        subcat_code = row.subcatalog.code if row.subcatalog is not None else None
    cats = FundCategories()
    for cat, code in SUBCATALOGS.items():
        if subcat_code == code:
            setattr(cats, cat.replace("-", "_"), True)
            cats.sources[cat] = f"sub-catalogue {code}"
    if not cats.local_lore and row.flavour == IRBIS and record.get_fields("629"):
        cats.local_lore, cats.sources["local-lore"] = True, "field 629"
    where = _kazakhstan_field(record, row.flavour)
    if where:
        cats.kazakhstan, cats.sources["kazakhstan"] = True, f"field {where}"
    for cat, column in COLUMNS.items():
        value = getattr(row, column)
        if value is not None:
            setattr(cats, cat.replace("-", "_"), bool(value))
            cats.sources[cat] = "set by hand"
    return cats


def set_override(session: Session, row: CatalogRecord, category: str, value: bool | None) -> None:
    """Set a category by hand (True/False) or give it back to the record (None)."""
    column = COLUMNS[category]
    if getattr(row, column) is not value:
        setattr(row, column, value)
        row.datestamp = utcnow()
        records.add_event(session, row, "funds", source="funds", detail=f"{column}={value}")


def totals(session: Session) -> dict[str, tuple[int, int]]:
    """Per category: (live records, of which digitized), for the "digitization of the book fund" table."""
    digitized = set(session.scalars(select(DigitalObject.record_id).where(DigitalObject.deleted_at.is_(None)).distinct()))
    codes = dict(session.execute(select(Subcatalog.id, Subcatalog.code)).all())
    out = {c: [0, 0] for c in ("all", *CATEGORIES)}
    q = select(CatalogRecord).where(CatalogRecord.deleted_at.is_(None)).order_by(CatalogRecord.id)
    for row in session.scalars(q.execution_options(yield_per=1000)):
        cats = derive(row, subcat_code=codes.get(row.subcat_id))
        d = row.id in digitized
        for c in ("all", *CATEGORIES):
            if c == "all" or cats.get(c):
                out[c][0] += 1
                out[c][1] += int(d)
    return {c: (n, d) for c, (n, d) in out.items()}
