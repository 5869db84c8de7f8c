"""Charts for the annual report: EK growth per sub-catalogue over the years, digitization per year.

matplotlib with the Agg backend (no display needed); each chart is written as PNG and SVG.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..catalog import counts
from . import labels

TEXTS = {
    "ek-growth": {
        "ru": ("Рост ЭК по подкаталогам (записей на конец года)", "Год", "Записей"),
        "kk": ("ЭК өсуі ішкі каталогтар бойынша (жыл соңына жазбалар)", "Жыл", "Жазбалар"),
        "en": ("EK growth per sub-catalogue (records at the end of each year)", "Year", "Records"),
    },
    "digitization": {
        "ru": ("Оцифровка по годам", "Год", "Документов", "Страниц"),
        "kk": ("Жылдар бойынша цифрландыру", "Жыл", "Құжаттар", "Беттер"),
        "en": ("Digitization per year", "Year", "Documents", "Pages"),
    },
}
#: Years shown when the catalogue itself starts earlier.
MAX_YEARS = 25


@dataclass
class Chart:
    """A written chart: its title and the PNG and SVG files."""

    name: str
    title: str
    png: Path
    svg: Path


def _plt():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def ek_growth(conn: counts.Conn, last_year: int, lang: str, out_dir: Path) -> Chart:
    """Line chart: records of each sub-catalogue at the end of every year up to ``last_year``."""
    subs = counts.subcatalogs(conn)
    firsts = [s.since_year for s in subs if s.since_year]
    entered = counts.first_entry_year(conn)
    if entered:
        firsts.append(entered)
    first = max(min(firsts, default=last_year), last_year - MAX_YEARS + 1)
    growth = counts.ek_growth(conn, first, last_year)
    title, xlabel, ylabel = TEXTS["ek-growth"][lang]
    plt = _plt()
    fig, ax = plt.subplots(figsize=(10, 5.5), dpi=100)
    years = list(range(first, last_year + 1))
    for s in subs:
        series = growth.get(s.id)
        if not series or not any(series.values()):
            continue
        name = labels.subcatalog({"ru": s.name_ru, "kk": s.name_kk, "en": s.name_en}[lang], lang)
        ax.plot(years, [series[y] for y in years], marker="o", markersize=3, label=name)
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_xticks(years if len(years) <= 15 else years[:: max(1, len(years) // 12)])
    ax.grid(True, alpha=0.3)
    if ax.get_legend_handles_labels()[0]:
        ax.legend(fontsize=8, loc="upper left")
    return _save(fig, plt, "ek-growth", title, out_dir)


def digitization(conn: counts.Conn, last_year: int, lang: str, out_dir: Path) -> Chart:
    """Bar chart of documents digitized per year, with pages on a second axis."""
    data = counts.digitization_by_year(conn, last_year)
    first = min(data, default=last_year)
    first = max(first, last_year - MAX_YEARS + 1)
    years = list(range(first, last_year + 1))
    title, xlabel, ylabel, y2label = TEXTS["digitization"][lang]
    plt = _plt()
    fig, ax = plt.subplots(figsize=(10, 5.5), dpi=100)
    docs = [data.get(y, (0, 0))[0] for y in years]
    pages = [data.get(y, (0, 0))[1] for y in years]
    ax.bar(years, docs, color="#4472C4", label=ylabel)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax2 = ax.twinx()
    ax2.plot(years, pages, color="#C00000", marker="o", label=y2label)
    ax2.set_ylabel(y2label)
    ax.set_title(title)
    ax.set_xticks(years)
    ax.grid(True, axis="y", alpha=0.3)
    handles = ax.get_legend_handles_labels()[0] + ax2.get_legend_handles_labels()[0]
    ax.legend(handles, [ylabel, y2label], loc="upper left", fontsize=8)
    return _save(fig, plt, "digitization", title, out_dir)


def _save(fig, plt, name: str, title: str, out_dir: Path) -> Chart:
    out_dir.mkdir(parents=True, exist_ok=True)
    fig.tight_layout()
    png, svg = out_dir / f"{name}.png", out_dir / f"{name}.svg"
    fig.savefig(png)
    fig.savefig(svg)
    plt.close(fig)
    return Chart(name, title, png, svg)


def all_charts(conn: counts.Conn, last_year: int, lang: str, out_dir: Path) -> list[Chart]:
    """Both report charts for the years up to ``last_year``, written into ``out_dir``."""
    return [ek_growth(conn, last_year, lang, out_dir), digitization(conn, last_year, lang, out_dir)]
