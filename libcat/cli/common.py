"""Pieces every command module shares: opening the catalogue, errors as one line, output helpers."""

from __future__ import annotations

import errno
import os
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO

import click
from sqlalchemy.exc import SQLAlchemyError

from ..catalog.store import Catalog, CatalogError, open_catalog
from ..i18n import register, t

register({
    "cli.error": {"en": "libcat: error: {text}", "ru": "libcat: ошибка: {text}", "kk": "libcat: қате: {text}"},
    "cli.db_error": {"en": "libcat: database error: {text}", "ru": "libcat: ошибка базы данных: {text}",
                     "kk": "libcat: дерекқор қатесі: {text}"},
})


SIGPIPE_EXIT = 141
"""Exit status of a command whose reader went away (``libcat list | head``): 128 + SIGPIPE, as a shell reports
the Unix tools killed by that signal."""


class LibcatGroup(click.Group):
    """A click group that turns expected errors into one line on stderr and exit status 1, and ends quietly
    (status 141) when stdout is a pipe whose reader has closed it."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except BrokenPipeError:
            _discard_stdout()
            ctx.exit(SIGPIPE_EXIT)
        except CatalogError as exc:
            click.echo(t("cli.error", lang(ctx), text=exc), err=True)
            ctx.exit(1)
        except SQLAlchemyError as exc:
            reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
            click.echo(t("cli.db_error", lang(ctx), text=reason), err=True)
            ctx.exit(1)
        except OSError as exc:
            where = f"{exc.filename}: " if exc.filename else ""
            click.echo(t("cli.error", lang(ctx), text=f"{where}{exc.strerror or exc}"), err=True)
            ctx.exit(1)


def _discard_stdout() -> None:
    """Point stdout at the null device, so that flushing it when the interpreter exits does not fail again."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)


def catalog(ctx: click.Context, *, must_exist: bool = True) -> Catalog:
    """The catalogue named by --db / LIBCAT_DB, opened once per command."""
    root = ctx.find_root()
    root.ensure_object(dict)
    cat = root.obj.get("catalog")
    if cat is None or (must_exist and not root.obj.get("catalog_checked")):
        cat = open_catalog(root.obj.get("db"), must_exist=must_exist, lang=lang(ctx))
        root.obj["catalog"] = cat
        root.obj["catalog_checked"] = must_exist
        ctx.call_on_close(cat.engine.dispose)
    return cat


def lang(ctx: click.Context) -> str | None:
    """The --lang given to `libcat` (or None: LIBCAT_LANG / English)."""
    root = ctx.find_root()
    return (root.obj or {}).get("lang")


def is_terminal() -> bool:
    """True when stderr is a terminal (progress bars are shown only then)."""
    return sys.stderr.isatty()


def check_writable(path: str) -> None:
    """Raise OSError (naming ``path``) unless a file can be written there."""
    target = os.path.abspath(path)
    parent = os.path.dirname(target)
    if os.path.isdir(target):
        raise OSError(errno.EISDIR, os.strerror(errno.EISDIR), path)
    if not os.path.isdir(parent):
        raise OSError(errno.ENOENT, os.strerror(errno.ENOENT), path)
    if not os.access(target if os.path.exists(target) else parent, os.W_OK):
        raise OSError(errno.EACCES, os.strerror(errno.EACCES), path)


@contextmanager
def output_file(path: str, mode: str = "wb", encoding: str | None = None) -> Iterator[IO]:
    """Write to a temporary file beside ``path``; it replaces ``path`` only when the block succeeds.

    A target that exists and is not a regular file (/dev/null, a named pipe, a terminal) is written
    directly: renaming over it would replace the device or pipe with a plain file.
    """
    check_writable(path)
    target = os.path.abspath(path)
    if os.path.exists(target) and not os.path.isfile(target):
        with open(target, mode, encoding=encoding) as fh:
            yield fh
        return
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(target), prefix=f".{os.path.basename(target)}.", suffix=".tmp")
    try:
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        with os.fdopen(fd, mode, encoding=encoding) as fh:
            yield fh
        os.replace(tmp, target)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
