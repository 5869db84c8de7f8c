"""`libcat check FILE...`: validate records in files without touching the catalogue."""

from __future__ import annotations

import json
from dataclasses import dataclass

import click

from .. import i18n
from ..marc.validate import ERROR, WARNING, Finding, finding, validate
from .common import lang as ctx_lang

i18n.register({
    "check.summary": {
        "en": "{files} file(s), {records} record(s): {errors} error(s), {warnings} warning(s)",
        "ru": "файлов: {files}, записей: {records}; ошибок: {errors}, предупреждений: {warnings}",
        "kk": "файлдар: {files}, жазбалар: {records}; қателер: {errors}, ескертулер: {warnings}",
    },
    "check.unreadable-file": {
        "en": "cannot read {file}: {reason}",
        "ru": "не удаётся прочитать {file}: {reason}",
        "kk": "{file} файлын оқу мүмкін емес: {reason}",
    },
    "check.record": {"en": "record", "ru": "запись", "kk": "жазба"},
})


@dataclass
class _Row:
    file: str
    control_number: str | None
    finding: Finding


def _check_file(path: str, fmt: str | None, encoding: str | None) -> tuple[list[_Row], int]:
    """Findings of every record of one file (unreadable records become findings) and the record count."""
    from ..marc.io import read

    rows: list[_Row] = []
    count = 0
    for item in read(path, fmt=fmt, encoding=encoding):
        count += 1
        if item.record is None:
            where = f"{item.offset_unit} {item.offset}" if item.offset is not None else ""
            detail = f"{item.error} ({where})" if where else str(item.error)
            rows.append(_Row(path, item.control_number, finding("unreadable", item.position, detail=detail)))
            continue
        if item.deleted:
            continue
        for fd in validate(item.record, item.flavour, item.position):
            rows.append(_Row(path, item.control_number, fd))
    return rows, count


def _text_line(row: _Row, lang: str | None) -> str:
    fd = row.finding
    where = f"{row.file}: {i18n.t('check.record', lang)} {fd.position}"
    if row.control_number:
        where += f" [{row.control_number}]"
    field = fd.tag or ""
    if fd.subfield:
        field += f"${fd.subfield}"
    field = f" {field}" if field else ""
    return f"{where}:{field} {fd.severity} {fd.code}: {fd.message(lang)}"


def register(main: click.Group) -> None:
    """Add `check` to the `libcat` group."""

    @main.command("check")
    @click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, allow_dash=True))
    @click.option("--format", "output", type=click.Choice(["text", "json"]), default="text", show_default=True,
                  help="text for people, json (a list of findings) for machines.")
    @click.option("--encoding", default=None, help="Character set of the input (cp1251, kz1048, cp866, ...); "
                  "detected when not given.")
    @click.option("--from", "fmt", type=click.Choice(["iso2709", "marcxml", "json", "mrk", "irbis", "mst"]),
                  default=None, help="Input format; detected from the content when not given.")
    @click.pass_context
    def check(ctx: click.Context, files: tuple[str, ...], output: str, encoding: str | None, fmt: str | None) -> None:
        """Validate records: missing title or 001, bad indicators and subfield codes, ISBN/ISSN check digits,
        impossible years, unknown languages, empty or duplicate fields, characters XML cannot hold.

        \b
        Exit status: 0 no errors (warnings allowed), 1 errors found, 2 a file cannot be read at all.
        """
        from ..marc.io import FormatError

        lang = ctx_lang(ctx)
        rows: list[_Row] = []
        records = 0
        unreadable = False
        for path in files:
            try:
                file_rows, count = _check_file(path, fmt, encoding)
            except (OSError, FormatError, ValueError) as exc:
                reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
                click.echo("libcat: " + i18n.t("check.unreadable-file", lang, file=path, reason=reason), err=True)
                unreadable = True
                continue
            rows += file_rows
            records += count
            if output == "text":
                for row in file_rows:
                    click.echo(_text_line(row, lang))
        errors = sum(1 for r in rows if r.finding.severity == ERROR)
        warnings = sum(1 for r in rows if r.finding.severity == WARNING)
        if output == "json":
            click.echo(json.dumps([
                {"file": r.file, "position": r.finding.position, "control_number": r.control_number,
                 "severity": r.finding.severity, "code": r.finding.code, "tag": r.finding.tag,
                 "subfield": r.finding.subfield, "message": r.finding.message(lang)} for r in rows
            ], ensure_ascii=False, indent=1))
        summary = i18n.t("check.summary", lang, files=len(files), records=records, errors=errors, warnings=warnings)
        click.echo(summary, err=output == "json")
        if unreadable:
            ctx.exit(2)
        ctx.exit(1 if errors else 0)
