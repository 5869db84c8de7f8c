"""The `libcat` command: a click group. Parses options, calls the library, prints. No logic here."""

from __future__ import annotations

import click

from .. import __version__
from . import catalog, check, digitize, formats, importing, oai, stats
from .common import LibcatGroup


@click.group(cls=LibcatGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option(
    "--db", metavar="URL|PATH", envvar="LIBCAT_DB",
    help="Catalogue database: an SQLite file (default ./libcat.db) or a URL such as "
    "postgresql+psycopg://user@host/dbname. Also LIBCAT_DB.",
)
@click.option(
    "--lang", type=click.Choice(["en", "ru", "kk"]), envvar="LIBCAT_LANG", default=None,
    help="Language of messages and reports: en, ru (русский), kk (қазақша). Also LIBCAT_LANG.",
)
@click.version_option(__version__, prog_name="libcat")
@click.pass_context
def main(ctx: click.Context, db: str | None, lang: str | None) -> None:
    """libcat: the electronic catalogue (ЭК) of a library system.

    \b
    Import and export MARC / RUSMARC / IRBIS records, keep sub-catalogues, find duplicates,
    register digitized documents and author contracts, print the annual report tables and
    publish the catalogue over OAI-PMH.

    \b
    Start with:  libcat init            (creates ./libcat.db with the sub-catalogues)
                 libcat import FILE     (IRBIS .txt, ISO 2709 .iso/.mrc, MARCXML, ...)
                 libcat list
    """
    ctx.ensure_object(dict)
    ctx.obj["db"] = db
    ctx.obj["lang"] = lang


for _module in (catalog, formats, check, importing, digitize, stats, oai):
    _module.register(main)
