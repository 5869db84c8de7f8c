"""Report tables as plain data: rows with a code, a name and column values, and a total row.

Every count comes from ``libcat.catalog.counts``; this module only arranges and labels them.
"""

from __future__ import annotations

import errno
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import i18n
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


i18n.register({
    "stats.cannot_read": {
        "en": "cannot read {file}: {reason}",
        "ru": "не удаётся прочитать {file}: {reason}",
        "kk": "{file} файлын оқу мүмкін емес: {reason}",
    },
    "stats.no_such_file": {"en": "No such file or directory", "ru": "нет такого файла", "kk": "мұндай файл жоқ"},
    "stats.permission_denied": {"en": "Permission denied", "ru": "нет доступа", "kk": "қолжетімділік жоқ"},
    "stats.is_a_directory": {"en": "Is a directory", "ru": "это каталог, а не файл", "kk": "бұл файл емес, каталог"},
    "stats.not_keys": {
        "en": "{file}: expected a table of keys, found {found}",
        "ru": "{file}: ожидались строки «ключ = значение», а найдено: {found}",
        "kk": "{file}: «кілт = мән» жолдары күтілді, ал табылғаны: {found}",
    },
    "stats.not_number": {
        "en": "{file}: {name}: expected a number, found {value!r}",
        "ru": "{file}: {name}: ожидалось число, а найдено {value!r}",
        "kk": "{file}: {name}: сан күтілді, ал табылғаны {value!r}",
    },
    "stats.plan_section": {
        "en": "{file}: plan for {period}: expected sub-catalogue = number lines",
        "ru": "{file}: план на {period}: ожидались строки «подкаталог = число»",
        "kk": "{file}: {period} жоспары: «ішкі каталог = сан» жолдары күтілді",
    },
    "stats.plan_unknown": {
        "en": "{file}: plan for {period}: unknown sub-catalogue {name!r}; known: {known}",
        "ru": "{file}: план на {period}: неизвестный подкаталог {name!r}; допустимы: {known}",
        "kk": "{file}: {period} жоспары: {name!r} ішкі каталогы белгісіз; рұқсат етілгендер: {known}",
    },
})

#: Reasons an operating system gives for a file it cannot open, by errno, as message keys.
_OS_REASONS = {errno.ENOENT: "stats.no_such_file", errno.EACCES: "stats.permission_denied",
               errno.EISDIR: "stats.is_a_directory"}
#: The plan key of the whole EK (beside the sub-catalogue codes).
PLAN_TOTAL = "total"


@dataclass(frozen=True)
class Settings:
    """A small TOML or YAML file as read (a plan or fund totals), with its name for the messages."""

    file: str
    data: dict[str, Any]


def load_settings(path: str | Path, lang: str | None = None) -> Settings:
    """A small TOML or YAML file (plan per period, fund totals); errors name the file, in ``lang``."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        key = _OS_REASONS.get(exc.errno)
        reason = i18n.t(key, lang) if key else exc.strerror or str(exc)
        raise SettingsError(i18n.t("stats.cannot_read", lang, file=path, reason=reason)) from None
    try:
        if path.suffix.lower() in (".yaml", ".yml"):
            import yaml

            data = yaml.safe_load(text) or {}
        else:
            data = tomllib.loads(text)
    except Exception as exc:
        raise SettingsError(i18n.t("stats.cannot_read", lang, file=path, reason=exc)) from None
    if not isinstance(data, dict):
        raise SettingsError(i18n.t("stats.not_keys", lang, file=path, found=type(data).__name__))
    return Settings(str(path), {str(k): v for k, v in data.items()})


def _number(value: Any, settings: Settings, name: str, lang: str) -> int | None:
    """A plan or fund figure: None, or a number not below 0 (SettingsError naming the file and ``name``)."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        raise SettingsError(i18n.t("stats.not_number", lang, file=settings.file, name=name, value=value))
    return int(value)


def has_plan(plan: Settings, period: Period) -> bool:
    """True when the plan file has a section for ``period`` (keyed as ``Period.key``)."""
    return plan.data.get(period.key) is not None


def plan_for(plan: Settings | None, period: Period, codes: Iterable[str], lang: str) -> dict[str, int | None]:
    """Plan figures by sub-catalogue code (and PLAN_TOTAL) from the plan file's section of ``period``.

    Each period has its own section, keyed as ``Period.key`` ([2024], [2024-H1], [2024-Q3], [2024-M9]):
    an annual plan is the plan of the year only, a half-year or quarter without a section has no plan.
    A key that is neither one of ``codes`` nor PLAN_TOTAL is an error naming the file, period and key.
    """
    if plan is None or not has_plan(plan, period):
        return {}
    section = plan.data[period.key]
    if not isinstance(section, dict):
        raise SettingsError(i18n.t("stats.plan_section", lang, file=plan.file, period=period.key))
    known = [*codes, PLAN_TOTAL]
    for key in section:
        if str(key) not in known:
            raise SettingsError(i18n.t(
                "stats.plan_unknown", lang, file=plan.file, period=period.key, name=str(key), known=", ".join(known)
            ))
    return {str(k): _number(v, plan, f"{period.key}.{k}", lang) for k, v in section.items()}


def plan_total(figures: dict[str, int | None]) -> int | None:
    """The plan of the whole EK: PLAN_TOTAL when given, else the sum of the sub-catalogue figures (None: no plan)."""
    if figures.get(PLAN_TOTAL) is not None:
        return figures[PLAN_TOTAL]
    parts = [v for k, v in figures.items() if k != PLAN_TOTAL and v is not None]
    return sum(parts) if parts else None


def _name(info: counts.SubcatalogInfo, lang: str) -> str:
    return labels.subcatalog({"ru": info.name_ru, "kk": info.name_kk, "en": info.name_en}[lang], lang)


def ek(conn: counts.Conn, period: Period, lang: str, plan: Settings | None = None) -> Table:
    """Table `ek`: per sub-catalogue since, at_start, added, at_end, kazakh_at_end, plan; total row."""
    data = counts.ek_counts(conn, period.start, period.end_exclusive)
    subs = counts.subcatalogs(conn)
    plans = plan_for(plan, period, [s.code for s in subs], lang)
    rows: list[Row] = []
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
    total = Row("total", labels.row("ek", "total", lang), {
        "since": None,
        **{k: sum(r.values[k] for r in rows) for k in ("at_start", "added", "at_end", "kazakh_at_end")},
        "plan": plan_total(plans),
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
    conn: counts.Conn, period: Period, lang: str, fund: Settings | None = None
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
    given = {k: _number(fund.data.get(k), fund, k, lang) if fund else None for k in FUND_KEYS}
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


def headline(conn: counts.Conn, period: Period, lang: str, plan: Settings | None = None) -> Table:
    """Table `headline`: records entered into the EK in the same period a year before, plan, and now."""
    prev = period.previous()
    done_prev = counts.entered(conn, prev.start, prev.end_exclusive)
    done = counts.entered(conn, period.start, period.end_exclusive)
    plans = plan_for(plan, period, [s.code for s in counts.subcatalogs(conn)], lang)
    rows = [Row("ek-records", labels.row("headline", "ek-records", lang), {
        "done_previous": done_prev, "plan": plan_total(plans), "done": done,
    })]
    return Table(
        "headline", labels.title("headline", period, lang), period, lang, labels.columns("headline", period, lang), rows
    )


def build(
    conn: counts.Conn, name: str, period: Period, lang: str, *,
    plan: Settings | None = None, fund: Settings | None = None,
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
    plan: Settings | None = None, fund: Settings | None = None,
) -> list[Table]:
    """The tables ``names`` in report order."""
    return [build(conn, n, period, lang, plan=plan, fund=fund) for n in names]
