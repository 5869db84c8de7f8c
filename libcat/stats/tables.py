"""Report tables as plain data: rows with a code, a name and column values, and a total row.

Every count comes from ``libcat.catalog.counts``; this module only arranges and labels them.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..catalog import counts
from ..digitize.collections import megabytes
from . import labels
from .period import Period

TABLES = ("ek", "ek-work", "digitization", "fund-digitization", "collections", "contracts", "headline")
FUND_KEYS = ("total", "rare", "local_lore", "kazakhstan")


class SettingsError(ValueError):
    """A plan or fund file cannot be read (the message names the file and the problem)."""


@dataclass
class Row:
    """One line of a table: a stable code, its name in the report language, values by column key."""

    code: str
    name: str
    values: dict[str, Any]
    empty: bool = False

    def to_dict(self) -> dict[str, Any]:
        """The row for JSON: code, name, then the column keys."""
        return {"code": self.code, "name": self.name, **self.values}


@dataclass
class Table:
    """A labelled report table for one period and language."""

    name: str
    title: str
    period: Period
    lang: str
    columns: dict[str, str]
    rows: list[Row]
    total: Row | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def keys(self) -> list[str]:
        """Value column keys in order (without the row-name column)."""
        return [k for k in self.columns if k != "name"]

    def body(self) -> list[Row]:
        """The rows as printed: the rows, then the total row unless it is already among them."""
        if self.total is None or any(r is self.total for r in self.rows):
            return list(self.rows)
        return [*self.rows, self.total]

    def to_dict(self) -> dict[str, Any]:
        """The machine-readable shape: table, period, lang, rows, total."""
        return {
            "table": self.name,
            "title": self.title,
            "period": self.period.to_dict(),
            "lang": self.lang,
            "columns": dict(self.columns),
            "rows": [r.to_dict() for r in self.rows],
            "total": self.total.to_dict() if self.total else None,
        }


def load_settings(path: str | Path) -> dict[str, Any]:
    """A small TOML or YAML file (plan per period, fund totals) as a dict; errors name the file."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise SettingsError(f"cannot read {path}: {exc.strerror or exc}") from None
    try:
        if path.suffix.lower() in (".yaml", ".yml"):
            import yaml

            data = yaml.safe_load(text) or {}
        else:
            data = tomllib.loads(text)
    except Exception as exc:
        raise SettingsError(f"cannot read {path}: {exc}") from None
    if not isinstance(data, dict):
        raise SettingsError(f"{path}: expected a table of keys, found {type(data).__name__}")
    return {str(k): v for k, v in data.items()}


def _int_or_none(value: Any, where: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        raise SettingsError(f"{where}: expected a number, found {value!r}")
    return int(value)


def plan_for(plan: dict[str, Any] | None, period: Period) -> dict[str, int | None]:
    """Plan figures of ``period`` by sub-catalogue code (and `total`), from a plan file's section."""
    if not plan:
        return {}
    section = plan.get(period.key)
    if section is None:
        return {}
    if not isinstance(section, dict):
        raise SettingsError(f"plan for {period.key}: expected sub-catalogue = number lines")
    return {str(k): _int_or_none(v, f"plan {period.key}.{k}") for k, v in section.items()}


def _name(info: counts.SubcatalogInfo, lang: str) -> str:
    return labels.subcatalog({"ru": info.name_ru, "kk": info.name_kk, "en": info.name_en}[lang], lang)


def ek(conn: counts.Conn, period: Period, lang: str, plan: dict[str, Any] | None = None) -> Table:
    """Table `ek`: per sub-catalogue since, at_start, added, at_end, kazakh_at_end, plan; total row."""
    data = counts.ek_counts(conn, period.start, period.end_exclusive)
    plans = plan_for(plan, period)
    rows: list[Row] = []
    subs = counts.subcatalogs(conn)
    for info in subs:
        c = data.get(info.id, counts.EkCount())
        since = info.since_year or c.first_year
        values = {
            "since": since, "at_start": c.at_start, "added": c.added, "at_end": c.at_end,
            "kazakh_at_end": c.kazakh_at_end, "plan": plans.get(info.code),
        }
        empty = not (c.at_start or c.added or c.at_end)
        rows.append(Row(info.code, _name(info, lang), values, empty))
    orphan = data.get(None)
    if orphan and (orphan.at_start or orphan.added or orphan.at_end):
        rows.append(Row("none", labels.NO_SUBCATALOG[lang], {
            "since": orphan.first_year, "at_start": orphan.at_start, "added": orphan.added,
            "at_end": orphan.at_end, "kazakh_at_end": orphan.kazakh_at_end, "plan": None,
        }))
    total_plan = plans.get("total")
    if total_plan is None and any(r.values["plan"] is not None for r in rows):
        total_plan = sum(r.values["plan"] or 0 for r in rows)
    total = Row("total", labels.row("ek", "total", lang), {
        "since": None,
        **{k: sum(r.values[k] for r in rows) for k in ("at_start", "added", "at_end", "kazakh_at_end")},
        "plan": total_plan,
    })
    return Table("ek", labels.title("ek", period, lang), period, lang, labels.columns("ek", period, lang), rows, total)


def ek_work(conn: counts.Conn, period: Period, lang: str) -> Table:
    """Table `ek-work`: records edited and duplicate records deleted (merged) in the period."""
    w = counts.ek_work(conn, period.start, period.end_exclusive)
    rows = [
        Row("edited", labels.row("ek-work", "edited", lang), {"count": w.edited}),
        Row("duplicates-deleted", labels.row("ek-work", "duplicates-deleted", lang), {"count": w.duplicates_deleted}),
    ]
    return Table(
        "ek-work", labels.title("ek-work", period, lang), period, lang, labels.columns("ek-work", period, lang), rows
    )


def _digit_values(c: counts.DigitizationCount) -> dict[str, Any]:
    return {
        "docs_period": c.docs_period, "docs_period_kaz": c.docs_period_kaz,
        "docs_all": c.docs_all, "docs_all_kaz": c.docs_all_kaz,
        "pages_period": c.pages_period, "pages_period_kaz": c.pages_period_kaz,
        "pages_all": c.pages_all, "pages_all_kaz": c.pages_all_kaz,
        "mb_period": megabytes(c.bytes_period), "mb_all": megabytes(c.bytes_all),
    }


def digitization(conn: counts.Conn, period: Period, lang: str) -> Table:
    """Table `digitization`: total, then per type; documents and pages for the period and all years."""
    data = counts.digitization(conn, period.start, period.end_exclusive)
    total = counts.DigitizationCount()
    for c in data.values():
        total.add(c)
    total_row = Row("total", labels.row("digitization", "total", lang), _digit_values(total))
    rows = [total_row] + [
        Row(t, labels.row("digitization", t, lang), _digit_values(data.get(t, counts.DigitizationCount())))
        for t in counts.DIGITAL_TYPES
    ]
    return Table(
        "digitization", labels.title("digitization", period, lang), period, lang,
        labels.columns("digitization", period, lang), rows, total_row,
    )


def fund_digitization(
    conn: counts.Conn, period: Period, lang: str, fund: dict[str, Any] | None = None
) -> Table:
    """Table `fund-digitization`: book fund, rare, local lore, Kazakhstan content: total and digitized.

    Categories are those ``libcat.digitize.funds.derive`` gives (the hand-set column, else the
    sub-catalogue or the record's stored marks), counted in SQL by ``counts.fund_counts``. Totals are
    copies held at the period end when the catalogue has holdings; a ``fund`` file (keys total, rare,
    local_lore, kazakhstan) gives them for a library without, and wins when both exist. "Digitized"
    counts titles with a whole-book digital object.
    """
    copies = counts.has_copies(conn)
    counted = counts.fund_counts(conn, period.end_exclusive)
    given = {k: _int_or_none((fund or {}).get(k), f"fund {k}") for k in FUND_KEYS}
    # row code, key in the fund file, key in counts.fund_counts
    codes = (("book-fund", "total", "total"), ("rare", "rare", "rare"), ("local-lore", "local_lore", "local-lore"),
             ("kazakhstan", "kazakhstan", "kazakhstan"))
    rows = [
        Row(code, labels.row("fund-digitization", code, lang), {
            "total": given[key] if given[key] is not None else (counted[part].copies if copies else None),
            "digitized": counted[part].digitized,
        })
        for code, key, part in codes
    ]
    return Table(
        "fund-digitization", labels.title("fund-digitization", period, lang), period, lang,
        labels.columns("fund-digitization", period, lang), rows,
    )


def _collection_name(c: counts.CollectionCount, lang: str) -> str:
    return {"ru": c.name_ru, "kk": c.name_kk, "en": c.name_en}[lang] or c.name_ru or c.name_kk or c.name


def collections(conn: counts.Conn, period: Period, lang: str) -> Table:
    """Table `collections`: per collection items added in the period and MB; items and MB of all years."""
    data = counts.collections(conn, period.start, period.end_exclusive)
    rows = [
        Row(c.name, _collection_name(c, lang), {
            "items": c.items, "mb": megabytes(c.bytes), "items_all": c.items_all, "mb_all": megabytes(c.bytes_all),
        })
        for c in data
    ]
    total = Row("total", labels.row("collections", "total", lang), {
        "items": sum(c.items for c in data), "mb": megabytes(sum(c.bytes for c in data)),
        "items_all": sum(c.items_all for c in data), "mb_all": megabytes(sum(c.bytes_all for c in data)),
    })
    return Table(
        "collections", labels.title("collections", period, lang), period, lang,
        labels.columns("collections", period, lang), rows, total,
    )


def contracts(conn: counts.Conn, period: Period, lang: str) -> Table:
    """Table `contracts`: new and renewed contracts signed in the period; holders, works, published works."""
    data = counts.contracts(conn, period.start, period.end_exclusive)

    def values(c: counts.ContractCount) -> dict[str, Any]:
        return {"contracts": c.contracts, "holders": c.holders, "works": c.works, "published": c.published}

    rows = [Row(k, labels.row("contracts", k, lang), values(data[k])) for k in ("new", "renewal")]
    total = Row("total", labels.row("contracts", "total", lang), values(data["total"]))
    notes = list(data["total"].names)
    return Table(
        "contracts", labels.title("contracts", period, lang), period, lang,
        labels.columns("contracts", period, lang), rows, total, notes,
    )


def headline(conn: counts.Conn, period: Period, lang: str, plan: dict[str, Any] | None = None) -> Table:
    """Table `headline`: records entered into the EK in the same period a year before, plan, and now."""
    prev = period.previous()
    done_prev = counts.entered(conn, prev.start, prev.end_exclusive)
    done = counts.entered(conn, period.start, period.end_exclusive)
    plans = plan_for(plan, period)
    total_plan = plans.get("total")
    if total_plan is None and plans:
        total_plan = sum(v or 0 for v in plans.values())
    rows = [Row("ek-records", labels.row("headline", "ek-records", lang), {
        "done_previous": done_prev, "plan": total_plan, "done": done,
    })]
    return Table(
        "headline", labels.title("headline", period, lang), period, lang, labels.columns("headline", period, lang), rows
    )


def build(
    conn: counts.Conn, name: str, period: Period, lang: str, *,
    plan: dict[str, Any] | None = None, fund: dict[str, Any] | None = None,
) -> Table:
    """One table by name (see TABLES)."""
    if name == "ek":
        return ek(conn, period, lang, plan)
    if name == "ek-work":
        return ek_work(conn, period, lang)
    if name == "digitization":
        return digitization(conn, period, lang)
    if name == "fund-digitization":
        return fund_digitization(conn, period, lang, fund)
    if name == "collections":
        return collections(conn, period, lang)
    if name == "contracts":
        return contracts(conn, period, lang)
    if name == "headline":
        return headline(conn, period, lang, plan)
    raise ValueError(f"unknown table {name!r}; one of {', '.join(TABLES)}")


def build_all(
    conn: counts.Conn, period: Period, lang: str, names: tuple[str, ...] = TABLES, *,
    plan: dict[str, Any] | None = None, fund: dict[str, Any] | None = None,
) -> list[Table]:
    """The tables ``names`` in report order."""
    return [build(conn, n, period, lang, plan=plan, fund=fund) for n in names]
