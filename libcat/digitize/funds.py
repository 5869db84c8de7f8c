"""Fund categories the reports count separately: rare books and manuscripts, local lore, Kazakhstan content.

Each comes from the record's sub-catalogue and fields unless set by hand (records.fund_* columns).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pymarc import Record
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..catalog import records
from ..catalog.models import CatalogRecord, DigitalObject, Subcatalog, utcnow
from ..marc.summary import summarize

CATEGORIES = ("rare", "local-lore", "kazakhstan")
COLUMNS = {"rare": "fund_rare", "local-lore": "fund_local_lore", "kazakhstan": "fund_kazakhstan"}
SUBCATALOGS = {"rare": "rare", "local-lore": "local-lore"}


@dataclass
class FundCategories:
    """The three categories of one record and where each answer came from."""

    rare: bool = False
    local_lore: bool = False
    kazakhstan: bool = False
    sources: dict[str, str] = field(default_factory=dict)

    def get(self, category: str) -> bool:
        return getattr(self, category.replace("-", "_"))


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
    marks = summarize(record, row.flavour)
    if not cats.local_lore and marks.local_lore:
        cats.local_lore, cats.sources["local-lore"] = True, "field 629"
    where = marks.kazakhstan
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
