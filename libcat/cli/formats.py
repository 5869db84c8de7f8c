"""`libcat convert`: any supported format in, any writable format out, streaming."""

from __future__ import annotations

import os
import sys
from contextlib import ExitStack
from typing import BinaryIO

import click

from ..i18n import register, t
from ..marc import io as mio
from ..marc.encoding import EncodingError, normalize_name
from .common import is_terminal, lang

register(
    {
        "convert.cannot_read": {
            "en": "{file}: cannot read: {reason}",
            "ru": "{file}: не удаётся прочитать: {reason}",
            "kk": "{file}: оқу мүмкін емес: {reason}",
        },
        "convert.cannot_write": {
            "en": "{file}: cannot write: {reason}",
            "ru": "{file}: не удаётся записать: {reason}",
            "kk": "{file}: жазу мүмкін емес: {reason}",
        },
        "convert.unreadable": {
            "en": "{where}: unreadable record: {reason}",
            "ru": "{where}: запись не прочитана: {reason}",
            "kk": "{where}: жазба оқылмады: {reason}",
        },
        "convert.problem": {
            "en": "{where}: not written as it was: {problem}",
            "ru": "{where}: записано с изменениями: {problem}",
            "kk": "{where}: өзгеріспен жазылды: {problem}",
        },
        "convert.repaired": {
            "en": "{where}: repaired: {warning}",
            "ru": "{where}: исправлено: {warning}",
            "kk": "{where}: түзетілді: {warning}",
        },
        "convert.summary": {
            "en": "{file}: {read} records read, {bad} unreadable, {repaired} repaired, {written} written",
            "ru": "{file}: прочитано записей: {read}, не прочитано: {bad}, исправлено: {repaired}, записано: {written}",
            "kk": "{file}: оқылған жазба: {read}, оқылмағаны: {bad}, түзетілгені: {repaired}, жазылғаны: {written}",
        },
        "convert.no_format": {
            "en": "cannot tell the output format from {file}; give --to",
            "ru": "не удаётся определить выходной формат по имени {file}; укажите --to",
            "kk": "{file} атауынан шығыс форматын анықтау мүмкін емес; --to көрсетіңіз",
        },
        "convert.no_crosswalk": {
            "en": "conversion to {flavour} is not available: {reason}",
            "ru": "преобразование в {flavour} недоступно: {reason}",
            "kk": "{flavour} түріне түрлендіру қолжетімсіз: {reason}",
        },
    }
)

_OUT_EXT = {
    ".iso": "iso2709", ".mrc": "iso2709", ".dat": "iso2709", ".marc": "iso2709",
    ".xml": "marcxml", ".mrx": "marcxml", ".json": "json", ".mrk": "mrk", ".mrk8": "mrk", ".txt": "irbis",
}
_FAST_MIN_BYTES = 4 << 20


def _jobs(jobs: int, source: str) -> int:
    if jobs > 0:
        return jobs
    try:
        size = os.path.getsize(source) if source != "-" else 0
    except OSError:
        size = 0
    return max(1, min((os.cpu_count() or 1) - 1, 4)) if size >= _FAST_MIN_BYTES else 1


class _Report:
    """Counts and prints what happened to each record (stderr), in the user's language."""

    def __init__(self, name: str, language: str | None, verbose: bool) -> None:
        self.name, self.lang, self.verbose = name, language, verbose
        self.read = self.bad = self.repaired = self.written = 0

    def unreadable(self, item) -> None:
        self.bad += 1
        click.echo(t("convert.unreadable", self.lang, where=item.where(self.name), reason=item.error), err=True)

    def warned(self, item, warnings: list[str]) -> None:
        self.repaired += 1
        if self.verbose:
            for w in warnings:
                click.echo(t("convert.repaired", self.lang, where=item.where(self.name), warning=w), err=True)

    def problems(self, item, problems: list[str]) -> None:
        for p in problems:
            click.echo(t("convert.problem", self.lang, where=item.where(self.name), problem=p), err=True)

    def summary(self) -> None:
        click.echo(
            t("convert.summary", self.lang, file=self.name, read=self.read, bad=self.bad, repaired=self.repaired,
              written=self.written),
            err=True,
        )


def _crosswalk(flavour: str, lang: str | None):
    if flavour == "keep":
        return None
    from ..marc.crosswalk import convert

    return lambda record: convert(record, flavour, lang)


def _run_fast(src: BinaryIO, dst: BinaryIO, encoding: str | None, jobs: int, rep: _Report, bar) -> None:
    done = 0
    for count, note in mio.iso_to_marcxml(src, dst, encoding=encoding, jobs=jobs):
        if note is not None:
            if note.record is None and note.error:
                rep.unreadable(note)
            else:
                rep.warned(note, note.warnings)
        bar.update(count - done)
        done = count
    rep.read = done
    rep.written = done - rep.bad


def _run_records(src: BinaryIO, dst: BinaryIO, fmt: str, to: str, encoding: str | None, out_encoding: str,
                 flavour: str, rep: _Report, bar) -> None:
    change = _crosswalk(flavour, rep.lang)
    writer = mio.open_writer(dst, to, out_encoding, rep.lang)
    try:
        for item in mio.read(src, fmt, encoding, rep.lang):
            rep.read += 1
            bar.update(1)
            if item.record is None:
                rep.unreadable(item)
                continue
            warnings = list(item.warnings)
            record = item.record
            if change is not None:
                record, notes = change(record)
                warnings.extend(notes)
            if warnings:
                rep.warned(item, warnings)
            problems = writer.write(record)
            if problems:
                rep.problems(item, problems)
            rep.written += 1
    finally:
        writer.close()


@click.command("convert")
@click.argument("source", metavar="IN")
@click.argument("target", metavar="OUT")
@click.option("--from", "from_fmt", type=click.Choice(mio.FORMATS), default=None,
              help="Input format; detected from the content when not given.")
@click.option("--to", "to_fmt", type=click.Choice(mio.WRITE_FORMATS), default=None,
              help="Output format; taken from OUT's extension when not given.")
@click.option("--flavour", type=click.Choice(["keep", "marc21", "rusmarc", "irbis"]), default="keep",
              show_default=True, help="Convert the records to this flavour (crosswalk) or keep them as they are.")
@click.option("--encoding", default=None, metavar="NAME",
              help="Input character set (utf-8, marc-8, cp1251, kz1048, cp866, koi8-r); detected when not given.")
@click.option("--out-encoding", default="utf-8", show_default=True, metavar="NAME",
              help="Output character set (ISO 2709, MarcBreaker and IRBIS text only; XML and JSON are UTF-8).")
@click.option("--jobs", "-j", type=int, default=0, show_default=True,
              help="Processes for the fast ISO 2709 -> MARCXML path; 0 = as many as useful.")
@click.option("--verbose", "-v", is_flag=True, help="Also print every repair made to a damaged record.")
@click.pass_context
def convert_cmd(ctx: click.Context, source: str, target: str, from_fmt: str | None, to_fmt: str | None,
                flavour: str, encoding: str | None, out_encoding: str, jobs: int, verbose: bool) -> None:
    """Convert records from IN to OUT (`-` for stdin / stdout).

    \b
    Formats: iso2709 (.iso .mrc), marcxml (.xml), json (MARC-in-JSON), mrk (MarcBreaker),
    irbis (IRBIS plain text .txt), mst (IRBIS64 master file, input only).
    Unreadable records are reported on stderr with file, record number and byte offset;
    the exit status is 1 when there were any, 2 when IN cannot be read at all.
    """
    language = lang(ctx)
    name = "<stdin>" if source == "-" else source
    to = to_fmt or _OUT_EXT.get(os.path.splitext(target.lower())[1])
    if to is None:
        click.echo("libcat: " + t("convert.no_format", language, file=target), err=True)
        ctx.exit(2)
    try:
        used = normalize_name(encoding, language) if encoding else None
        out_used = normalize_name(out_encoding, language)
    except EncodingError as exc:
        click.echo("libcat: " + t("convert.cannot_read", language, file=name, reason=exc), err=True)
        ctx.exit(2)
    rep = _Report(name, language, verbose)
    from tqdm import tqdm

    try:
        with ExitStack() as stack:
            if source == "-":
                raw_in: BinaryIO = sys.stdin.buffer
            else:
                raw_in = stack.enter_context(open(source, "rb"))
            head, src = mio.peek(raw_in)
            fmt = from_fmt or (mio.detect_format(head, source, language) if head.strip() else "iso2709")
            if fmt == "mst":
                src = source  # type: ignore[assignment]
            try:
                dst: BinaryIO = sys.stdout.buffer if target == "-" else stack.enter_context(open(target, "wb"))
            except OSError as exc:
                click.echo("libcat: " + t("convert.cannot_write", language, file=target, reason=exc.strerror), err=True)
                ctx.exit(2)
            bar = stack.enter_context(tqdm(disable=not is_terminal(), unit=" rec", file=sys.stderr, leave=False))
            if fmt == "iso2709" and to == "marcxml" and flavour == "keep":
                _run_fast(src, dst, used, _jobs(jobs, source), rep, bar)
            else:
                _run_records(src, dst, fmt, to, used, out_used, flavour, rep, bar)
    except BrokenPipeError:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        ctx.exit(1)
    except (OSError, mio.FormatError, EncodingError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
        click.echo("libcat: " + t("convert.cannot_read", language, file=name, reason=reason), err=True)
        ctx.exit(2)
    except ImportError as exc:
        click.echo("libcat: " + t("convert.no_crosswalk", language, flavour=flavour, reason=exc), err=True)
        ctx.exit(2)
    rep.summary()
    if rep.bad:
        ctx.exit(1)


def register(main: click.Group) -> None:
    """Add `convert` to the `libcat` group."""
    main.add_command(convert_cmd)
