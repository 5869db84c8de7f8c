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
    click.echo(f"libcat: OAI-PMH provider for {cat.display_url} at {shown}?verb=Identify "
               f"(repository {app.repository_id}); Ctrl+C stops it", err=True)
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
            click.echo("no harvest sources yet: libcat harvest URL")
            return
        for r in rows:
            state = "interrupted (resumable)" if r.resume_token else "ok"
            click.echo(f"{r.name}\t{r.url}\t{r.prefix}\tset={r.set_spec or '-'}\tinto={r.subcat_code or '-'}\t"
                       f"next from={r.last_success_from or '-'}\t{state}\tseen={r.records_seen}\t"
                       f"batch={r.last_batch_id or '-'}")
        return
    if not url:
        raise click.UsageError(i18n.t("cli.harvest.no_url", common.lang(ctx)))
    res = harvester.harvest(cat, url, prefix=prefix, set_spec=set_spec, from_=from_, until=until, into=into,
                            name=name, progress=common.is_terminal(), max_retries=retries)
    if as_json:
        click.echo(json.dumps(res.to_dict(), ensure_ascii=False, indent=2, default=str))
        return
    rep = res.report
    click.echo(f"harvested {res.records} records ({res.deleted} deleted) in {res.pages} pages from {url} "
               f"as source {res.source!r}{' (resumed)' if res.resumed else ''}"
               f"{' from ' + res.from_ if res.from_ else ''}")
    if rep is not None:
        click.echo(f"batch {rep.batch}: added {rep.added}, updated {rep.updated}, unchanged {rep.unchanged}, "
                   f"deleted {rep.deleted}, duplicates {rep.duplicates}, rejected {rep.rejected}")
    for note in res.notes:
        click.echo(f"note: {note}", err=True)


def register(main: click.Group) -> None:
    """Add `oai` and `harvest` to the `libcat` group (once)."""
    if "oai" not in main.commands:
        main.add_command(oai_group)
    if "harvest" not in main.commands:
        main.add_command(harvest_cmd)
