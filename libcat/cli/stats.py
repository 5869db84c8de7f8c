"""`libcat stats` and `libcat report`: the annual report's catalogue and digitization tables."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import click

from .. import i18n
from ..catalog.store import CatalogError
from ..stats import period as periods
from ..stats import render
from ..stats.tables import TABLES, Settings, SettingsError, build_all, has_plan, load_settings
from .common import catalog, lang as root_lang

_SUFFIX_FORMATS = {".xlsx": "xlsx", ".csv": "csv", ".json": "json", ".md": "md", ".txt": "text"}

i18n.register({
    "cli.stats.xlsx_needs_output": {
        "en": "--format xlsx needs -o FILE.xlsx",
        "ru": "для --format xlsx нужен файл: -o ФАЙЛ.xlsx",
        "kk": "--format xlsx үшін файл керек: -o ФАЙЛ.xlsx",
    },
    "cli.stats.wrote": {
        "en": "wrote {file}",
        "ru": "записан файл {file}",
        "kk": "{file} файлы жазылды",
    },
    "cli.stats.no_plan": {
        "en": "{file} has no plan for {period} (its periods: {known}): the plan columns stay empty",
        "ru": "в {file} нет плана на {period} (в файле есть: {known}): графы плана остаются пустыми",
        "kk": "{file} файлында {period} жоспары жоқ (файлда бар: {known}): жоспар бағандары бос қалады",
    },
    "cli.stats.wrote_chart": {
        "en": "wrote {png} and {svg}",
        "ru": "записаны файлы {png} и {svg}",
        "kk": "{png} және {svg} файлдары жазылды",
    },
})


def _period_options(f):
    options = [
        click.option("--year", type=int, metavar="YYYY", help="Report year, 1000-2999 (default: last year)."),
        click.option("--half", type=click.IntRange(1, 2), help="Half-year 1 or 2 of --year."),
        click.option("--quarter", type=click.IntRange(1, 4), help="Quarter 1-4 of --year."),
        click.option("--months", type=click.IntRange(1, 12), metavar="N", help="First N months of --year (7, 9, 10...)."),
        click.option("--from", "date_from", metavar="DATE", help="First day (YYYY-MM-DD or DD.MM.YYYY), with --to."),
        click.option("--to", "date_to", metavar="DATE", help="Last day, inclusive."),
        click.option("--lang", "lang_opt", type=click.Choice(["ru", "kk", "en"]), help="Language of the labels."),
        click.option("--plan", "plan_file", type=click.Path(dir_okay=False), metavar="FILE",
                     help="Plan per period and sub-catalogue code (TOML or YAML): [2020] books = 800, total = 4000. "
                     "Each period has its own section: [2020] is the annual plan, [2020-H1], [2020-Q3], [2020-M9] "
                     "those of a half-year, quarter, first 9 months; without one the plan columns stay empty."),
        click.option("--fund", "fund_file", type=click.Path(dir_okay=False), metavar="FILE",
                     help="Book fund totals (TOML or YAML: total, rare, local_lore, kazakhstan) "
                     "for a catalogue without holdings."),
    ]
    for opt in reversed(options):
        f = opt(f)
    return f


def _resolve(ctx: click.Context, kw: dict[str, Any]) -> tuple[periods.Period, str, Settings | None, Settings | None]:
    lang = kw["lang_opt"] or root_lang(ctx) or i18n.current_lang()
    ctx.find_root().ensure_object(dict)["lang"] = lang  # errors of this command are then in its language too
    try:
        period = periods.from_options(
            kw["year"], kw["half"], kw["quarter"], kw["months"], kw["date_from"], kw["date_to"], lang=lang
        )
        plan = load_settings(kw["plan_file"], lang) if kw["plan_file"] else None
        fund = load_settings(kw["fund_file"], lang) if kw["fund_file"] else None
    except (periods.PeriodError, SettingsError) as exc:
        raise CatalogError(str(exc)) from None
    if plan is not None and not has_plan(plan, period):
        known = ", ".join(plan.data) or "-"
        click.echo("libcat: " + i18n.t("cli.stats.no_plan", lang, file=plan.file, period=period.key, known=known),
                   err=True)
    return period, lang, plan, fund


@click.command("stats")
@_period_options
@click.option("--format", "fmt", type=click.Choice(render.FORMATS), help="Output format (default text, or from -o).")
@click.option("-o", "--output", type=click.Path(dir_okay=False), metavar="FILE", help="Write to FILE.")
@click.option("--table", "table", type=click.Choice(["all", *TABLES]), default="all", show_default=True,
              help="Which table.")
@click.pass_context
def stats_cmd(ctx: click.Context, fmt: str | None, output: str | None, table: str, **kw: Any) -> None:
    """Report tables: EK records per sub-catalogue, editing, digitization, fund, collections, contracts.

    \b
    Examples:
      libcat stats --year 2020 --lang ru --table ek
      libcat stats --year 2023 --months 9 --lang kk --format md
      libcat stats --year 2023 -o report-2023.xlsx
    """
    period, lang, plan, fund = _resolve(ctx, kw)
    if fmt is None:
        fmt = _SUFFIX_FORMATS.get(Path(output).suffix.lower(), "text") if output else "text"
    if fmt == "xlsx" and not output:
        raise CatalogError(i18n.t("cli.stats.xlsx_needs_output", lang))
    names = TABLES if table == "all" else (table,)
    try:
        with catalog(ctx).session() as s:
            tables = build_all(s, period, lang, names, plan=plan, fund=fund)
    except SettingsError as exc:
        raise CatalogError(str(exc)) from None
    if output:
        render.write(tables, fmt, output)
        click.echo(i18n.t("cli.stats.wrote", lang, file=output), err=True)
    else:
        click.echo(render.render(tables, fmt), nl=False)


@click.command("report")
@_period_options
@click.option("-o", "--output", type=click.Path(dir_okay=False), metavar="FILE.xlsx", required=True,
              help="The workbook to write.")
@click.option("--charts", "charts_dir", type=click.Path(file_okay=False), metavar="DIR",
              help="Also write the charts as PNG and SVG into DIR.")
@click.pass_context
def report_cmd(ctx: click.Context, output: str, charts_dir: str | None, **kw: Any) -> None:
    """The whole annual report in one XLSX workbook: every table, plus the charts.

    \b
    Example:
      libcat report --year 2023 --lang kk -o report-2023.xlsx --charts charts/
    """
    from ..stats import charts

    period, lang, plan, fund = _resolve(ctx, kw)
    with tempfile.TemporaryDirectory(prefix="libcat-charts-") as tmp:
        out_dir = Path(charts_dir) if charts_dir else Path(tmp)
        try:
            with catalog(ctx).session() as s:
                tables = build_all(s, period, lang, plan=plan, fund=fund)
                made = charts.all_charts(s, period.end.year, lang, out_dir)
        except SettingsError as exc:
            raise CatalogError(str(exc)) from None
        render.write(tables, "xlsx", output, images=[(c.title, c.png) for c in made])
    click.echo(i18n.t("cli.stats.wrote", lang, file=output), err=True)
    if charts_dir:
        for c in made:
            click.echo(i18n.t("cli.stats.wrote_chart", lang, png=c.png, svg=c.svg), err=True)


def register(main: click.Group) -> None:
    """Add `stats` and `report` to the `libcat` group."""
    for cmd in (stats_cmd, report_cmd):
        main.add_command(cmd)
