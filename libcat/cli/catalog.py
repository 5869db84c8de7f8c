"""Catalogue commands: init, subcat, list, show."""

from __future__ import annotations

import click
from sqlalchemy import func, select

from .. import i18n
from ..catalog import records as rec
from ..catalog.models import CatalogRecord, Subcatalog
from ..catalog.store import CatalogError
from ..kabis import profiles
from ..marc.mrk import record_to_mrk
from .common import catalog, lang

i18n.register({
    "cli.init.created": {
        "en": "created catalogue {url} (schema {schema}, {n} sub-catalogues)",
        "ru": "создан каталог {url} (схема {schema}, подкаталогов: {n})",
        "kk": "{url} каталогы құрылды (схема {schema}, ішкі каталогтар: {n})",
    },
    "cli.init.upgraded": {
        "en": "upgraded catalogue {url} from schema {before} to {after}",
        "ru": "каталог {url} обновлён со схемы {before} до {after}",
        "kk": "{url} каталогы {before} схемасынан {after} схемасына жаңартылды",
    },
    "cli.init.current": {
        "en": "catalogue {url} is up to date (schema {schema})",
        "ru": "каталог {url} в актуальном состоянии (схема {schema})",
        "kk": "{url} каталогы өзекті күйде (схема {schema})",
    },
    "cli.init.added": {
        "en": "added {n} sub-catalogues from profile {profile}",
        "ru": "добавлено подкаталогов из профиля {profile}: {n}",
        "kk": "{profile} профилінен қосылған ішкі каталогтар: {n}",
    },
    "cli.subcat.bad_code": {
        "en": "sub-catalogue code {code!r} may hold only letters, digits, '-' and '_'",
        "ru": "код подкаталога {code!r} может содержать только буквы, цифры, «-» и «_»",
        "kk": "{code!r} ішкі каталог кодында тек әріптер, цифрлар, «-» және «_» болуы мүмкін",
    },
    "cli.subcat.exists": {
        "en": "sub-catalogue {code!r} already exists",
        "ru": "подкаталог {code!r} уже есть",
        "kk": "{code!r} ішкі каталогы бұрыннан бар",
    },
    "cli.subcat.added": {
        "en": "added sub-catalogue {code}",
        "ru": "добавлен подкаталог {code}",
        "kk": "{code} ішкі каталогы қосылды",
    },
    "cli.show.header": {
        "en": "# id {id} · {flavour} · {subcat} · entered {entered} · {status}",
        "ru": "# id {id} · {flavour} · {subcat} · внесена в ЭК {entered} · {status}",
        "kk": "# id {id} · {flavour} · {subcat} · ЭК-ге енгізілді {entered} · {status}",
    },
    "cli.show.live": {"en": "live", "ru": "действующая", "kk": "қолданыста"},
    "cli.show.deleted": {"en": "deleted {date}", "ru": "удалена {date}", "kk": "{date} жойылған"},
})


@click.command("init")
@click.option(
    "--profile", default=profiles.DEFAULT_PROFILE, show_default=True, metavar="NAME|FILE.toml",
    help="Library profile: a shipped one (kabis) or your own TOML file with the sub-catalogue list.",
)
@click.pass_context
def init_cmd(ctx: click.Context, profile: str) -> None:
    """Create the catalogue, or upgrade an existing one to this version of libcat.

    Safe to run again: existing records and sub-catalogues are kept; missing sub-catalogues of
    the profile are added.
    """
    cat = catalog(ctx, must_exist=False)
    ui = lang(ctx)
    try:
        before, after, added = cat.init(profile, ui)
    except profiles.ProfileError as exc:
        raise CatalogError(str(exc)) from None
    if before is None:
        click.echo(i18n.t("cli.init.created", ui, url=cat.display_url, schema=after, n=added))
    elif before != after:
        click.echo(i18n.t("cli.init.upgraded", ui, url=cat.display_url, before=before, after=after))
    else:
        click.echo(i18n.t("cli.init.current", ui, url=cat.display_url, schema=after))
    if before is not None and added:
        click.echo(i18n.t("cli.init.added", ui, n=added, profile=profile))


@click.group("subcat")
def subcat_group() -> None:
    """Sub-catalogues of the EK («Книги», «Статьи», «Өлкетану», ...)."""


@subcat_group.command("list")
@click.pass_context
def subcat_list(ctx: click.Context) -> None:
    """List sub-catalogues: code, year started, live records, names in Russian / Kazakh / English."""
    cat = catalog(ctx)
    with cat.session() as s:
        counts = dict(
            s.execute(
                select(CatalogRecord.subcat_id, func.count())
                .where(CatalogRecord.deleted_at.is_(None))
                .group_by(CatalogRecord.subcat_id)
            ).all()
        )
        for sc in s.scalars(select(Subcatalog).order_by(Subcatalog.sort_order, Subcatalog.id)):
            since = str(sc.since_year) if sc.since_year else "-"
            click.echo("\t".join([sc.code, since, str(counts.get(sc.id, 0)), sc.name_ru, sc.name_kk, sc.name_en]))


@subcat_group.command("add")
@click.argument("code")
@click.option("--ru", required=True, help="Russian name, e.g. «Редкий фонд».")
@click.option("--kk", required=True, help="Kazakh name, e.g. «Сирек қор».")
@click.option("--en", default=None, help="English name (defaults to the code).")
@click.option("--since", type=int, default=None, help="Year the sub-catalogue was started.")
@click.pass_context
def subcat_add(ctx: click.Context, code: str, ru: str, kk: str, en: str | None, since: int | None) -> None:
    """Add a sub-catalogue with the code CODE (letters, digits and '-')."""
    if not code.replace("-", "").replace("_", "").isalnum():
        raise CatalogError(i18n.t("cli.subcat.bad_code", lang(ctx), code=code))
    cat = catalog(ctx)
    with cat.session() as s:
        if s.scalar(select(Subcatalog).where(Subcatalog.code == code)) is not None:
            raise CatalogError(i18n.t("cli.subcat.exists", lang(ctx), code=code))
        order = (s.scalar(select(func.max(Subcatalog.sort_order))) or 0) + 1
        s.add(Subcatalog(code=code, name_ru=ru, name_kk=kk, name_en=en or code, since_year=since, sort_order=order))
    click.echo(i18n.t("cli.subcat.added", lang(ctx), code=code))


@click.command("list")
@click.option("--subcat", metavar="CODE", help="Only this sub-catalogue (see `libcat subcat list`).")
@click.pass_context
def list_cmd(ctx: click.Context, subcat: str | None) -> None:
    """List live records, one per line: catalogue id, control number, sub-catalogue, title (tab-separated)."""
    cat = catalog(ctx)
    with cat.session() as s:
        codes = dict(s.execute(select(Subcatalog.id, Subcatalog.code)).all())
        for row in rec.live(s, subcat):
            click.echo(
                "\t".join(
                    [str(row.id), row.control_number or "", codes.get(row.subcat_id, ""), (row.title or "").replace("\t", " ")]
                )
            )


@click.command("show")
@click.argument("ref", metavar="ID")
@click.pass_context
def show_cmd(ctx: click.Context, ref: str) -> None:
    """Print one record in MARC mnemonic form. ID is a catalogue id or a control number (001 / IRBIS 903)."""
    cat = catalog(ctx)
    ui = lang(ctx)
    with cat.session() as s:
        row = rec.find(s, ref, ui)
        sc = s.get(Subcatalog, row.subcat_id) if row.subcat_id else None
        status = (i18n.t("cli.show.deleted", ui, date=f"{row.deleted_at:%Y-%m-%d}") if row.deleted_at
                  else i18n.t("cli.show.live", ui))
        click.echo(i18n.t("cli.show.header", ui, id=row.id, flavour=row.flavour, subcat=sc.code if sc else "-",
                          entered=row.entry_date or "-", status=status))
        click.echo(record_to_mrk(rec.load(row)).rstrip("\n"))


def register(main: click.Group) -> None:
    for cmd in (init_cmd, subcat_group, list_cmd, show_cmd):
        main.add_command(cmd)
