"""`libcat oai serve` (the OAI-PMH provider under waitress) and `libcat harvest` (pull from a repository)."""

from __future__ import annotations

import json
import logging

import click

from .. import i18n
from . import common

i18n.register({
    "cli.oai.bad_repository_id": {
        "en": "must look like a domain name, e.g. ek.library.kz",
        "ru": "должен выглядеть как доменное имя, например ek.library.kz",
        "kk": "домен атауы сияқты болуы керек, мысалы ek.library.kz",
    },
    "cli.harvest.no_url": {
        "en": "give the repository URL, or --list-sources",
        "ru": "укажите адрес (URL) репозитория или --list-sources",
        "kk": "репозиторийдің мекенжайын (URL) немесе --list-sources көрсетіңіз",
    },
    "cli.oai.serving": {
        "en": "libcat: OAI-PMH provider for {catalogue} at {url}?verb=Identify (repository {repository}); "
              "Ctrl+C stops it",
        "ru": "libcat: поставщик OAI-PMH для каталога {catalogue}: {url}?verb=Identify (репозиторий {repository}); "
              "остановка — Ctrl+C",
        "kk": "libcat: {catalogue} каталогының OAI-PMH провайдері: {url}?verb=Identify (репозиторий {repository}); "
              "тоқтату үшін Ctrl+C басыңыз",
    },
    "cli.harvest.no_sources": {
        "en": "no harvest sources yet: libcat harvest URL",
        "ru": "источников сбора пока нет: libcat harvest URL",
        "kk": "жинау көздері әзірге жоқ: libcat harvest URL",
    },
    "cli.harvest.source": {
        "en": "{name}\t{url}\t{prefix}\tset={set}\tinto={into}\tnext from={next}\t{state}\tseen={seen}\tbatch={batch}",
        "ru": "{name}\t{url}\t{prefix}\tнабор={set}\tподкаталог={into}\tследующий сбор с={next}\t{state}\t"
              "получено={seen}\tпакет={batch}",
        "kk": "{name}\t{url}\t{prefix}\tжиынтық={set}\tішкі каталог={into}\tкелесі жинау басы={next}\t{state}\t"
              "алынды={seen}\tтоптама={batch}",
    },
    "cli.harvest.state.ok": {"en": "ok", "ru": "завершён", "kk": "аяқталды"},
    "cli.harvest.state.interrupted": {
        "en": "interrupted (resumable)", "ru": "прерван (можно продолжить)", "kk": "үзілді (жалғастыруға болады)",
    },
    "cli.harvest.done": {
        "en": "harvested {records} records ({deleted} deleted) in {pages} pages from {url} as source {source!r}",
        "ru": "собрано записей: {records} (удалённых: {deleted}), страниц: {pages}, из {url} как источник {source!r}",
        "kk": "{url} мекенжайынан {pages} бетте {records} жазба жиналды (жойылғандары: {deleted}), "
              "дереккөз {source!r}",
    },
    "cli.harvest.resumed": {
        "en": "(resumed)", "ru": "(продолжение прерванного сбора)", "kk": "(үзілген жинаудың жалғасы)",
    },
    "cli.harvest.from": {"en": "from {date}", "ru": "изменения с {date}", "kk": "{date} бастап өзгергендері"},
    "cli.harvest.note": {"en": "note: {text}", "ru": "примечание: {text}", "kk": "ескертпе: {text}"},
})


@click.group("oai")
def oai_group() -> None:
    """Publish the catalogue over OAI-PMH 2.0 for aggregators."""


@oai_group.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8080, show_default=True, type=int, help="Port to listen on.")
@click.option("--base-url", metavar="URL", help="Public URL of the endpoint, e.g. https://ek.example.kz/oai "
              "(set it behind nginx; otherwise taken from each request).")
@click.option("--page-size", default=500, show_default=True, type=click.IntRange(1, 10000),
              help="Records (or headers) per page of a list.")
@click.option("--max-concurrency", default=8, show_default=True, type=click.IntRange(1, 1000),
              help="Requests served at once; more get 503 with Retry-After.")
@click.option("--retry-after", default=10, show_default=True, type=click.IntRange(1, 3600),
              help="Seconds in the Retry-After header of a 503.")
@click.option("--repository-id", metavar="ID", help="Repository identifier in OAI identifiers "
              "(oai:ID:42), a domain-like name such as ek.library.kz; saved in the catalogue settings.")
@click.option("--repository-name", metavar="TEXT", help="Repository name shown by Identify; saved in settings.")
@click.option("--admin-email", metavar="EMAIL", help="Administrator e-mail shown by Identify; saved in settings.")
@click.pass_context
def serve(ctx: click.Context, host: str, port: int, base_url: str | None, page_size: int, max_concurrency: int,
          retry_after: int, repository_id: str | None, repository_name: str | None, admin_email: str | None) -> None:
    """Serve the catalogue at http://HOST:PORT/oai (waitress) until interrupted."""
    import re

    import waitress

    from ..oai import server

    cat = common.catalog(ctx)
    if repository_id is not None:
        if not re.fullmatch(r"[a-zA-Z][a-zA-Z0-9\-]*(\.[a-zA-Z][a-zA-Z0-9\-]*)+", repository_id):
            raise click.BadParameter(i18n.t("cli.oai.bad_repository_id", common.lang(ctx)), param_hint="--repository-id")
        cat.set_setting(server.SETTING_ID, repository_id)
    if repository_name is not None:
        cat.set_setting(server.SETTING_NAME, repository_name)
    if admin_email is not None:
        cat.set_setting(server.SETTING_EMAIL, admin_email)
    app = server.make_app(cat, base_url=base_url, page_size=page_size, max_concurrency=max_concurrency,
                          retry_after=retry_after)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    shown = base_url or f"http://{host}:{port}/oai"
    click.echo(i18n.t("cli.oai.serving", common.lang(ctx), catalogue=cat.display_url, url=shown,
                      repository=app.repository_id), err=True)
    waitress.serve(app, host=host, port=port, threads=max_concurrency + 2, ident="libcat",
                   url_scheme="https" if shown.startswith("https") else "http")


@click.command("harvest")
@click.argument("url", required=False)
@click.option("--prefix", type=click.Choice(["marc21", "oai_dc", "rusmarc"]), default="marc21", show_default=True,
              help="Metadata format to ask for.")
@click.option("--set", "set_spec", metavar="SPEC", help="Harvest only this set.")
@click.option("--from", "from_", metavar="DATE", help="Only records changed since DATE (YYYY-MM-DD or "
              "YYYY-MM-DDThh:mm:ssZ); default: where the last successful run of this source began.")
@click.option("--until", metavar="DATE", help="Only records changed until DATE (inclusive).")
@click.option("--into", metavar="SUBCAT", help="Sub-catalogue for the harvested records.")
@click.option("--name", metavar="SOURCE", help="Source name (default: the host, and the set).")
@click.option("--retries", default=5, show_default=True, type=click.IntRange(0, 100),
              help="Retries of a page after network errors or 503/429 (with back-off, Retry-After honoured).")
@click.option("--list-sources", is_flag=True, help="List the harvest sources and where each stopped.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.pass_context
def harvest_cmd(ctx: click.Context, url: str | None, prefix: str, set_spec: str | None, from_: str | None,
                until: str | None, into: str | None, name: str | None, retries: int, list_sources: bool,
                as_json: bool) -> None:
    """Harvest an OAI-PMH repository at URL into the catalogue (incremental and resumable)."""
    from ..oai import harvester

    cat = common.catalog(ctx)
    ui = common.lang(ctx)
    if list_sources:
        rows = harvester.list_sources(cat)
        if as_json:
            click.echo(json.dumps([{
                "name": r.name, "url": r.url, "prefix": r.prefix, "set": r.set_spec, "into": r.subcat_code,
                "last_started_at": r.last_started_at, "next_from": r.last_success_from,
                "resumable": bool(r.resume_token), "records_seen": r.records_seen, "last_batch": r.last_batch_id,
            } for r in rows], ensure_ascii=False, indent=2))
            return
        if not rows:
            click.echo(i18n.t("cli.harvest.no_sources", ui))
            return
        for r in rows:
            state = i18n.t("cli.harvest.state.interrupted" if r.resume_token else "cli.harvest.state.ok", ui)
            click.echo(i18n.t("cli.harvest.source", ui, name=r.name, url=r.url, prefix=r.prefix,
                              set=r.set_spec or "-", into=r.subcat_code or "-", next=r.last_success_from or "-",
                              state=state, seen=r.records_seen, batch=r.last_batch_id or "-"))
        return
    if not url:
        raise click.UsageError(i18n.t("cli.harvest.no_url", ui))
    res = harvester.harvest(cat, url, prefix=prefix, set_spec=set_spec, from_=from_, until=until, into=into,
                            name=name, progress=common.is_terminal(), max_retries=retries, lang=ui)
    if as_json:
        click.echo(json.dumps(res.to_dict(), ensure_ascii=False, indent=2, default=str))
        return
    done = [i18n.t("cli.harvest.done", ui, records=res.records, deleted=res.deleted, pages=res.pages, url=url,
                   source=res.source)]
    if res.resumed:
        done.append(i18n.t("cli.harvest.resumed", ui))
    if res.from_:
        done.append(i18n.t("cli.harvest.from", ui, date=res.from_))
    click.echo(" ".join(done))
    if res.report is not None:
        click.echo(res.report.summary(ui))
    for note in res.notes:
        click.echo(i18n.t("cli.harvest.note", ui, text=note), err=True)


def register(main: click.Group) -> None:
    """Add `oai` and `harvest` to the `libcat` group."""
    main.add_command(oai_group)
    main.add_command(harvest_cmd)
