"""Digitization commands: digitize add|import|list|verify|fund, collection add|list, contract add|list|show, rights."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import click

from .. import i18n
from ..catalog import records
from ..catalog.store import CatalogError
from ..digitize import SCOPES, TYPES
from ..digitize import collections as colls
from ..digitize import contracts as ctr
from ..digitize import funds, registry, rights
from .common import catalog, lang

i18n.register({
    "cli.digitize.added": {
        "en": "digital object {obj} for record {record}: {type}, {language}, {pages} pages, {files} file(s), {size} MB",
        "ru": "цифровой объект {obj} для записи {record}: {type}, {language}, страниц: {pages}, файлов: {files}, {size} МБ",
        "kk": "{record} жазбасының {obj} цифрлық нысаны: {type}, {language}, бет: {pages}, файл: {files}, {size} МБ",
    },
    "cli.digitize.row_failed": {
        "en": "{where}: not registered: {reason}",
        "ru": "{where}: не зарегистрировано: {reason}",
        "kk": "{where}: тіркелмеді: {reason}",
    },
    "cli.digitize.imported": {
        "en": "registered {added} digital object(s), {failed} failed",
        "ru": "зарегистрировано цифровых объектов: {added}, с ошибками: {failed}",
        "kk": "тіркелген цифрлық нысандар: {added}, қатемен: {failed}",
    },
    "cli.digitize.missing": {"en": "missing", "ru": "нет файла", "kk": "файл жоқ"},
    "cli.digitize.changed": {"en": "changed", "ru": "изменён", "kk": "өзгерген"},
    "cli.digitize.verified": {
        "en": "checked {checked} file(s): {missing} missing, {changed} changed",
        "ru": "проверено файлов: {checked}; отсутствуют: {missing}; изменены: {changed}",
        "kk": "тексерілген файлдар: {checked}; жоқ: {missing}; өзгерген: {changed}",
    },
    "cli.digitize.problem": {
        "en": "{status}: object {obj}, record {record}, {path} ({detail})",
        "ru": "{status}: объект {obj}, запись {record}, {path} ({detail})",
        "kk": "{status}: нысан {obj}, жазба {record}, {path} ({detail})",
    },
    "cli.collection.added": {
        "en": "collection {name} added",
        "ru": "коллекция «{name}» добавлена",
        "kk": "«{name}» жинағы қосылды",
    },
    "cli.contract.added": {
        "en": "contract {id} with {holder} recorded ({records} record(s), scope {scope})",
        "ru": "договор {id} с {holder} записан (записей: {records}, область: {scope})",
        "kk": "{holder} шарты {id} жазылды (жазбалар: {records}, аясы: {scope})",
    },
    "cli.rights.death_year_twice": {
        "en": "give either --death-year or --clear-death-year",
        "ru": "укажите либо --death-year, либо --clear-death-year",
        "kk": "--death-year немесе --clear-death-year параметрлерінің біреуін ғана көрсетіңіз",
    },
    "cli.no_objects": {
        "en": "record {record} has no digital objects; for its files:",
        "ru": "у записи {record} нет цифровых объектов; для её файлов:",
        "kk": "{record} жазбасында цифрлық нысан жоқ; оның файлдары үшін:",
    },
    "cli.yes": {"en": "yes", "ru": "да", "kk": "иә"},
    "cli.no": {"en": "no", "ru": "нет", "kk": "жоқ"},
    "cli.fund.by_hand": {"en": "set by hand", "ru": "задано вручную", "kk": "қолмен белгіленген"},
    "cli.fund.sub-catalogue": {"en": "sub-catalogue {value}", "ru": "подкаталог {value}", "kk": "{value} ішкі каталогы"},
    "cli.fund.field": {"en": "field {value}", "ru": "поле {value}", "kk": "{value} өрісі"},
    "cli.contract.renews": {"en": "renews {id}", "ru": "продлевает {id}", "kk": "{id} шартын жаңартады"},
    "cli.contract.label.contract": {"en": "contract", "ru": "договор", "kk": "шарт"},
    "cli.contract.label.number": {"en": "number", "ru": "номер", "kk": "нөмірі"},
    "cli.contract.label.holder": {"en": "holder", "ru": "правообладатель", "kk": "құқық иесі"},
    "cli.contract.label.author": {"en": "author", "ru": "автор", "kk": "авторы"},
    "cli.contract.label.signed": {"en": "signed", "ru": "подписан", "kk": "қол қойылды"},
    "cli.contract.label.until": {"en": "until", "ru": "действует до", "kk": "мерзімі"},
    "cli.contract.label.status": {"en": "status", "ru": "состояние", "kk": "күйі"},
    "cli.contract.label.scope": {"en": "scope", "ru": "область", "kk": "аясы"},
    "cli.contract.label.renews": {"en": "renews", "ru": "продлевает", "kk": "жаңартады"},
    "cli.contract.label.renewed_by": {"en": "renewed by", "ru": "продлён договорами", "kk": "жаңартқан шарттар"},
    "cli.contract.label.scan": {"en": "scan", "ru": "скан", "kk": "скан"},
    "cli.contract.label.note": {"en": "note", "ru": "примечание", "kk": "ескертпе"},
    "cli.contract.label.record": {"en": "record", "ru": "запись", "kk": "жазба"},
    "cli.rights.object": {"en": "object {id}", "ru": "объект {id}", "kk": "нысан {id}"},
})

#: How ``funds.derive`` names where a category came from: "sub-catalogue rare", "field 102".
_FUND_SOURCE = re.compile(r"(?P<kind>sub-catalogue|field) (?P<value>.+)")


# --- digitize -------------------------------------------------------------------------------------

@click.group("digitize")
def digitize_group() -> None:
    """Digitized documents (scans) linked to EK records: register, import, list, verify."""


@digitize_group.command("add")
@click.option("--record", "record_ref", required=True, metavar="ID", help="Catalogue id or control number (903) of the record.")
@click.option("--type", "kind", type=click.Choice(TYPES), default=None, help="Document type (default: from the record).")
@click.option("--pages", type=click.IntRange(min=1), default=None, help="Page count (default: counted in the files).")
@click.option("--lang", "language", default=None, metavar="CODE", help="Language, kaz|rus|... (default: the record's).")
@click.option("--date", "date", default=None, metavar="YYYY-MM-DD", help="Date digitized (default: today).")
@click.option("--collection", default=None, metavar="NAME", help="Collection / electronic folder.")
@click.option("--note", default=None, help="A note kept with the object.")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.pass_context
def digitize_add(ctx: click.Context, record_ref: str, kind: str | None, pages: int | None, language: str | None,
                 date: str | None, collection: str | None, note: str | None, files: tuple[Path, ...]) -> None:
    """Register scans (PDF, TIFF, JPEG, PNG, DjVu) of one document against a record."""
    ui = lang(ctx)
    obj = registry.add_object(
        catalog(ctx), record_ref, files, type=kind, pages=pages, language=language,
        date=registry.parse_date(date, ui), collection=collection, note=note, lang=ui,
    )
    click.echo(_added_line(obj, len(files), ui))


def _added_line(obj, nfiles: int, ui: str | None) -> str:
    return i18n.t("cli.digitize.added", ui, obj=obj.id, record=obj.record_id, type=obj.type,
                  language=obj.language or "-", pages=obj.pages, files=nfiles, size=colls.format_mb(obj.bytes, ui))


@digitize_group.command("import")
@click.argument("source", type=click.Path(exists=True, path_type=Path))
@click.option("--type", "kind", type=click.Choice(TYPES), default=None, help="Type for rows / files that give none.")
@click.option("--collection", default=None, metavar="NAME", help="Collection for rows / files that give none.")
@click.option("--date", default=None, metavar="YYYY-MM-DD", help="Date digitized for rows that give none.")
@click.pass_context
def digitize_import(ctx: click.Context, source: Path, kind: str | None, collection: str | None, date: str | None) -> None:
    """Register many: a CSV (record,type,pages,lang,date,collection,file) or a folder of files named by record.

    In a folder, each file or sub-folder named after a record's catalogue id or control number
    becomes one digital object. Rows that cannot be registered are reported; exit status 1 then.
    """
    ui = lang(ctx)
    cat = catalog(ctx)
    when = registry.parse_date(date, ui)
    if source.is_dir():
        result = registry.import_folder(cat, source, type=kind, collection=collection, date=when, lang=ui)
    else:
        result = registry.import_csv(cat, source, type=kind, collection=collection, date=when, lang=ui)
    for name in result.collections_created:
        click.echo(i18n.t("cli.collection.added", ui, name=name))
    for where, reason in result.failed:
        click.echo(i18n.t("cli.digitize.row_failed", ui, where=where, reason=reason), err=True)
    click.echo(i18n.t("cli.digitize.imported", ui, added=len(result.added), failed=len(result.failed)))
    if result.failed:
        ctx.exit(1)


@digitize_group.command("list")
@click.option("--record", "record_ref", default=None, metavar="ID", help="Only this record's objects.")
@click.option("--collection", default=None, metavar="NAME", help="Only this collection.")
@click.option("--year", type=int, default=None, help="Only objects digitized in this year.")
@click.pass_context
def digitize_list(ctx: click.Context, record_ref: str | None, collection: str | None, year: int | None) -> None:
    """List digital objects: id, date, type, language, pages, MB, collection, record, title."""
    ui = lang(ctx)
    with catalog(ctx).session() as s:
        for obj, row, coll in registry.list_objects(s, record=record_ref, collection=collection, year=year, lang=ui):
            click.echo("\t".join([
                str(obj.id), obj.digitized_on.isoformat(), obj.type, obj.language or "-", str(obj.pages),
                colls.format_mb(obj.bytes, ui), coll.name if coll else "-", str(row.id), row.title or "",
            ]))


@digitize_group.command("verify")
@click.pass_context
def digitize_verify(ctx: click.Context) -> None:
    """Re-hash every stored file; report missing and changed ones (exit status 1 if any)."""
    ui = lang(ctx)
    checked, problems = registry.verify(catalog(ctx), ui)
    for p in problems:
        click.echo(i18n.t("cli.digitize.problem", ui, status=i18n.t(f"cli.digitize.{p.status}", ui), obj=p.file.object_id,
                          record=p.file.record_id, path=p.file.path, detail=p.detail), err=True)
    missing = sum(p.status == "missing" for p in problems)
    click.echo(i18n.t("cli.digitize.verified", ui, checked=checked, missing=missing, changed=len(problems) - missing))
    if problems:
        ctx.exit(1)


@digitize_group.command("fund")
@click.argument("record_ref", metavar="RECORD")
@click.option("--rare/--no-rare", default=None, help="Rare books and manuscripts, set by hand.")
@click.option("--local-lore/--no-local-lore", default=None, help="Local lore (краеведение / өлкетану), set by hand.")
@click.option("--kazakhstan/--no-kazakhstan", default=None, help="Kazakhstan content, set by hand.")
@click.option("--auto", "auto", multiple=True, type=click.Choice(funds.CATEGORIES),
              help="Take this category from the record again (repeatable).")
@click.pass_context
def digitize_fund(ctx: click.Context, record_ref: str, rare: bool | None, local_lore: bool | None,
                  kazakhstan: bool | None, auto: tuple[str, ...]) -> None:
    """Show a record's fund categories (rare, local lore, Kazakhstan content) and set them by hand."""
    with catalog(ctx).session() as s:
        row = records.find(s, record_ref, lang(ctx))
        for cat, value in (("rare", rare), ("local-lore", local_lore), ("kazakhstan", kazakhstan)):
            if value is not None:
                funds.set_override(s, row, cat, value)
        for cat in auto:
            funds.set_override(s, row, cat, None)
        cats = funds.derive(row)
        ui = lang(ctx)
        for cat in funds.CATEGORIES:
            answer = i18n.t("cli.yes" if cats.get(cat) else "cli.no", ui)
            click.echo(f"{cat}\t{answer}\t{_fund_source(cats.sources.get(cat, '-'), ui)}")


def _fund_source(source: str, ui: str | None) -> str:
    """Where ``funds.derive`` found a category ("field 102", "sub-catalogue rare", "set by hand") in ``ui``."""
    if source == "set by hand":
        return i18n.t("cli.fund.by_hand", ui)
    m = _FUND_SOURCE.fullmatch(source)
    return i18n.t(f"cli.fund.{m['kind']}", ui, value=m["value"]) if m else source


# --- collections ----------------------------------------------------------------------------------

@click.group("collection")
def collection_group() -> None:
    """Full-text collections and electronic folders of digitized documents."""


@collection_group.command("add")
@click.argument("name")
@click.option("--ru", default=None, help="Russian name.")
@click.option("--kk", default=None, help="Kazakh name.")
@click.option("--en", default=None, help="English name.")
@click.pass_context
def collection_add(ctx: click.Context, name: str, ru: str | None, kk: str | None, en: str | None) -> None:
    """Add a collection called NAME."""
    ui = lang(ctx)
    with catalog(ctx).session() as s:
        colls.add(s, name, ru=ru, kk=kk, en=en, lang=ui)
    click.echo(i18n.t("cli.collection.added", ui, name=name))


@collection_group.command("list")
@click.option("--year", type=int, default=None, help="Count only items digitized in this year.")
@click.pass_context
def collection_list(ctx: click.Context, year: int | None) -> None:
    """List collections with their item count and size ("3 materials, 0,54 MB")."""
    ui = lang(ctx)
    with catalog(ctx).session() as s:
        for ct in colls.totals(s, year):
            click.echo(f"{colls.display_name(ct.collection, ui)}\t{colls.summary_text(ct.items, ct.bytes, ui)}")


# --- contracts ------------------------------------------------------------------------------------

@click.group("contract")
def contract_group() -> None:
    """Author contracts with authors or their rights holders."""


@contract_group.command("add")
@click.option("--holder", required=True, help="Rights holder (the author or heir).")
@click.option("--author", default=None, help="Author of the work(s), when not the holder.")
@click.option("--signed", required=True, metavar="YYYY-MM-DD", help="Date signed (in force from).")
@click.option("--until", default=None, metavar="YYYY-MM-DD", help="Last day in force (default: open-ended).")
@click.option("--record", "record_refs", multiple=True, metavar="ID", help="A record the contract covers (repeatable).")
@click.option("--scope", default=None, metavar="LIST", help=f"Comma-separated: {', '.join(SCOPES)} (default {ctr.DEFAULT_SCOPE}).")
@click.option("--renewal-of", type=int, default=None, metavar="N", help="The earlier contract this renews (повторно).")
@click.option("--number", default=None, help="The contract's own number.")
@click.option("--file", "scan", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="Scan of the signed contract (PDF or image).")
@click.option("--note", default=None, help="A note.")
@click.pass_context
def contract_add(ctx: click.Context, holder: str, author: str | None, signed: str, until: str | None,
                 record_refs: tuple[str, ...], scope: str | None, renewal_of: int | None, number: str | None,
                 scan: Path | None, note: str | None) -> None:
    """Record an author contract; a renewal is its own contract linked to the earlier one."""
    ui = lang(ctx)
    cat = catalog(ctx)
    c = ctr.add(cat, holder=holder, author=author, signed=registry.parse_date(signed, ui),
                until=registry.parse_date(until, ui), record_refs=record_refs, scope=scope,
                renewal_of=renewal_of, number=number, scan=scan, note=note, lang=ui)
    with cat.Session() as s:
        n = len(ctr.view(s, ctr.get(s, c.id)).records)
    click.echo(i18n.t("cli.contract.added", ui, id=c.id, holder=c.holder, records=n, scope=c.scope))


def _contract_line(v: ctr.ContractView, ui: str | None) -> str:
    c = v.contract
    return "\t".join([
        str(c.id), c.number or "-", c.signed_on.isoformat(), c.valid_until.isoformat() if c.valid_until else "-",
        i18n.t(f"contract.status.{v.status}", ui), c.holder, c.author or "-", c.scope, str(len(v.records)),
        i18n.t("cli.contract.renews", ui, id=c.renewal_of) if c.renewal_of else "-",
    ])


@contract_group.command("list")
@click.option("--year", type=int, default=None, help="Only contracts signed in this year.")
@click.option("--expiring", type=click.IntRange(min=0), default=None, metavar="DAYS",
              help="Only contracts in force that end within DAYS days.")
@click.pass_context
def contract_list(ctx: click.Context, year: int | None, expiring: int | None) -> None:
    """List contracts: id, number, signed, until, status, holder, author, scope, records, renewal."""
    ui = lang(ctx)
    with catalog(ctx).session() as s:
        for v in ctr.list_contracts(s, year=year, expiring=expiring):
            click.echo(_contract_line(v, ui))


@contract_group.command("show")
@click.argument("contract_id", type=int, metavar="N")
@click.pass_context
def contract_show(ctx: click.Context, contract_id: int) -> None:
    """Show one contract with its records, the contract it renews and its renewals."""
    ui = lang(ctx)
    with catalog(ctx).session() as s:
        v = ctr.view(s, ctr.get(s, contract_id, ui))
        c = v.contract
        lines = [
            ("contract", str(c.id)), ("number", c.number or "-"), ("holder", c.holder), ("author", c.author or "-"),
            ("signed", c.signed_on.isoformat()), ("until", c.valid_until.isoformat() if c.valid_until else "-"),
            ("status", i18n.t(f"contract.status.{v.status}", ui)), ("scope", c.scope),
            ("renews", str(c.renewal_of) if c.renewal_of else "-"),
            ("renewed_by", ", ".join(map(str, v.renewed_by)) or "-"), ("scan", c.file_path or "-"),
        ]
        if c.note:
            lines.append(("note", c.note))
        lines += [("record", f"{row.id}\t{row.control_number or '-'}\t{row.title or ''}") for row in v.records]
        for key, value in lines:
            click.echo(f"{i18n.t(f'cli.contract.label.{key}', ui)}:\t{value}")


# --- rights ---------------------------------------------------------------------------------------

@click.command("rights")
@click.argument("record_ref", metavar="RECORD")
@click.option("--scope", type=click.Choice(SCOPES), default=None, help="Only this scope (default: all three).")
@click.option("--date", default=None, metavar="YYYY-MM-DD", help="Decide as on this day (default: today).")
@click.option("--death-year", type=int, default=None, help="Set the author's death year by hand.")
@click.option("--clear-death-year", is_flag=True, help="Forget the hand-set death year (read it from the record).")
@click.option("--own-publication/--not-own-publication", default=None, help="Mark as the library's own publication.")
@click.pass_context
def rights_cmd(ctx: click.Context, record_ref: str, scope: str | None, date: str | None, death_year: int | None,
               clear_death_year: bool, own_publication: bool | None) -> None:
    """Tell what may be published of a record's digitized files, and why; set the facts it rests on."""
    ui = lang(ctx)
    if death_year is not None and clear_death_year:
        raise CatalogError(i18n.t("cli.rights.death_year_twice", ui))
    today = registry.parse_date(date, ui) or dt.date.today()
    with catalog(ctx).session() as s:
        row = records.find(s, record_ref, ui)
        if death_year is not None or clear_death_year:
            rights.set_death_year(s, row, death_year, ui)
        if own_publication is not None:
            rights.set_own_publication(s, row, own_publication)
        click.echo(f"{row.id}\t{row.control_number or '-'}\t{row.author or '-'}\t{row.title or ''}")
        objects = [obj for obj, _r, _c in registry.list_objects(s, record=row.id)]
        if not objects:
            click.echo(i18n.t("cli.no_objects", ui, record=row.id))
        for sc in ([scope] if scope else list(SCOPES)):
            d = rights.decide_record(s, row, sc, today)
            verdict = i18n.t("rights.allowed" if d.allowed else "rights.denied", ui)
            click.echo(f"{sc}\t{verdict}\t{d.message(ui)}")
        for obj in objects:
            d = rights.decide(s, obj, scope or "publish-aggregator", today)
            click.echo(f"{i18n.t('cli.rights.object', ui, id=obj.id)}\t{obj.type}\t{'+' if d.allowed else '-'}")


def register(main: click.Group) -> None:
    """Add the digitization commands to the `libcat` group."""
    for cmd in (digitize_group, collection_group, contract_group, rights_cmd):
        main.add_command(cmd)
