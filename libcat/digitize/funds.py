"""Fund categories the reports count separately: rare books and manuscripts, local lore, Kazakhstan content.

Each comes from the record's sub-catalogue and fields unless set by hand (records.fund_* columns);
the fields' answer is also stored with the record (records.mark_* columns) so reports count in SQL.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from ..catalog import counts, records
from ..catalog.models import CatalogRecord, utcnow
from ..marc.flavour import MARC21
from ..marc.summary import summarize

CATEGORIES = counts.FUND_CATEGORIES
COLUMNS = counts.FUND_COLUMNS
SUBCATALOGS = counts.FUND_SUBCATALOGS


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


def derive(row: CatalogRecord, subcat_code: str | None = _UNSET) -> FundCategories:
    """The categories of a record from its sub-catalogue and fields, then the hand-set columns on top,
    with where each answer came from (for `libcat digitize fund`).

    It parses the record; the report tables count the same categories in SQL from the stored marks
    (``catalog.counts.in_fund_category``). ``subcat_code`` saves a query when the caller knows it
    (None: the record has no sub-catalogue).
    """
    record = records.load(row)
    if subcat_code == _UNSET:
        subcat_code = row.subcatalog.code if row.subcatalog is not None else None
    cats = FundCategories()
    for cat, code in SUBCATALOGS.items():
        if subcat_code == code:
            setattr(cats, cat.replace("-", "_"), True)
            cats.sources[cat] = f"sub-catalogue {code}"
    marks = summarize(record, row.flavour)
    if not cats.local_lore and marks.local_lore:
        cats.local_lore = True
        cats.sources["local-lore"] = "field 886" if row.flavour == MARC21 else "field 629"
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
    """Per category (and ``all``): (live records, of which digitized), counted in SQL by
    ``catalog.counts.fund_records`` with the categories ``derive`` gives."""
    return counts.fund_records(session)
