"""Import and exchange commands: import, batches, undo, quarantine, dedupe, export, delete."""

from __future__ import annotations

import json
import sys
from contextlib import ExitStack
from pathlib import Path

import click

from .. import i18n
from ..catalog import batches as bt
from ..catalog import dedupe as dd
from ..catalog import export as ex
from ..catalog import importer as imp
from ..catalog import quarantine as qu
from ..catalog import records as rec
from ..catalog import undo as un
from .common import catalog, check_writable, is_terminal, lang, output_file

i18n.register({
    "cli.rejected": {
        "en": "{n} record(s) rejected and kept in quarantine (`libcat quarantine list`):",
        "ru": "отклонено записей: {n}, они в карантине (`libcat quarantine list`):",
        "kk": "қабылданбаған жазбалар: {n}, олар карантинде (`libcat quarantine list`):",
    },
    "cli.rejected_dry": {
        "en": "{n} record(s) would be rejected and kept in quarantine (dry run: nothing stored):",
        "ru": "будет отклонено записей: {n}, они попадут в карантин (пробный запуск: ничего не сохранено):",
        "kk": "қабылданбайтын жазбалар: {n}, олар карантинге түседі (сынақ іске қосу: ештеңе сақталмады):",
    },
    "cli.undone": {
        "en": "batch {batch} undone: {removed} added record(s) removed, {restored} record(s) restored",
        "ru": "пакет {batch} отменён: удалено добавленных записей {removed}, восстановлено записей {restored}",
        "kk": "{batch} топтамасы болдырылмады: қосылған {removed} жазба алынды, {restored} жазба қалпына келтірілді",
    },
    "cli.withdrawn": {
        "en": "{n} digitized object(s) of the removed records withdrawn (their files are kept)",
        "ru": "снято с публикации оцифрованных объектов удалённых записей: {n} (файлы сохранены)",
        "kk": "жойылған жазбалардың цифрланған {n} нысаны жарияланымнан алынды (файлдары сақталды)",
    },
    "cli.dedupe": {
        "en": "{groups} duplicate group(s), {candidates} candidate group(s)",
        "ru": "групп дублетов: {groups}, групп возможных дублетов: {candidates}",
        "kk": "дублет топтары: {groups}, ықтимал дублет топтары: {candidates}",
    },
    "cli.merged": {
        "en": "merged {merged} record(s) in batch {batch} (undo with `libcat undo {batch}`)",
        "ru": "объединено записей: {merged}, пакет {batch} (отмена: `libcat undo {batch}`)",
        "kk": "біріктірілген жазбалар: {merged}, топтама {batch} (болдырмау: `libcat undo {batch}`)",
    },
    "cli.deleted": {
        "en": "record {id} deleted (tombstone kept for OAI-PMH and the yearly counts)",
        "ru": "запись {id} удалена (отметка об удалении сохранена для OAI-PMH и годовых отчётов)",
        "kk": "{id} жазбасы жойылды (жою белгісі OAI-PMH және жылдық есептер үшін сақталды)",
    },
    "cli.quarantine_export": {
        "en": "wrote {n} quarantined record(s) to {path}",
        "ru": "записано записей из карантина: {n} в {path}",
        "kk": "карантиндегі {n} жазба {path} файлына жазылды",
    },
})

i18n.register({
    "batch.kind.import": {"en": "import", "ru": "импорт", "kk": "импорт"},
    "batch.kind.harvest": {"en": "harvest", "ru": "сбор OAI-PMH", "kk": "OAI-PMH жинау"},
    "batch.kind.dedupe": {"en": "dedupe", "ru": "объединение дублетов", "kk": "дублеттерді біріктіру"},
    "batch.kind.undo": {"en": "undo", "ru": "отмена", "kk": "болдырмау"},
    "batch.status.running": {"en": "running", "ru": "выполняется", "kk": "орындалуда"},
    "batch.status.done": {"en": "done", "ru": "завершён", "kk": "аяқталды"},
    "batch.status.failed": {"en": "failed", "ru": "сбой", "kk": "сәтсіз аяқталды"},
    "batch.status.interrupted": {"en": "interrupted", "ru": "прерван", "kk": "үзілді"},
    "batch.status.undone": {"en": "undone", "ru": "отменён", "kk": "болдырылмады"},
    "batch.count.read": {"en": "read", "ru": "прочитано", "kk": "оқылды"},
    "batch.count.added": {"en": "added", "ru": "добавлено", "kk": "қосылды"},
    "batch.count.updated": {"en": "updated", "ru": "обновлено", "kk": "жаңартылды"},
    "batch.count.unchanged": {"en": "unchanged", "ru": "без изменений", "kk": "өзгеріссіз"},
    "batch.count.duplicates": {"en": "duplicates", "ru": "дублетов", "kk": "дублеттер"},
    "batch.count.rejected": {"en": "rejected", "ru": "отклонено", "kk": "қабылданбады"},
    "batch.count.deleted": {"en": "deleted", "ru": "удалено", "kk": "жойылды"},
    "batch.count.duplicate_candidates": {"en": "duplicate_candidates", "ru": "возможных дублетов", "kk": "ықтимал дублеттер"},
    "batch.count.groups": {"en": "groups", "ru": "групп", "kk": "топтар"},
    "batch.count.merged": {"en": "merged", "ru": "объединено", "kk": "біріктірілді"},
    "batch.count.removed": {"en": "removed", "ru": "удалено", "kk": "алынды"},
    "batch.count.restored": {"en": "restored", "ru": "восстановлено", "kk": "қалпына келтірілді"},
    "batch.count.withdrawn": {"en": "withdrawn", "ru": "снято с публикации", "kk": "жарияланымнан алынды"},
    "cli.record": {"en": "record {n}", "ru": "запись {n}", "kk": "жазба {n}"},
    "cli.severity.error": {"en": "error", "ru": "ошибка", "kk": "қате"},
    "cli.severity.warning": {"en": "warning", "ru": "предупреждение", "kk": "ескерту"},
    "cli.import.more": {
        "en": "... {n} more (see --report-json)",
        "ru": "... и ещё {n} (см. --report-json)",
        "kk": "... тағы {n} (--report-json қараңыз)",
    },
    "cli.export.more": {
        "en": "... {n} more problems",
        "ru": "... и ещё проблем: {n}",
        "kk": "... тағы {n} мәселе",
    },
})


def _label(group: str, value: str, language: str | None) -> str:
    """``value`` (a batch kind, status or count name) in the language asked for; itself when unknown."""
    key = f"{group}.{value}"
    return i18n.t(key, language) if i18n.has(key) else value


def _record(position: object, control_number: str | None, language: str | None) -> str:
    """"record 12 [KZ-0001]" in the language asked for."""
    cn = f" [{control_number}]" if control_number else ""
    return i18n.t("cli.record", language, n=position) + cn


FORMAT_CHOICE = click.Choice(["iso2709", "marcxml", "json", "mrk", "irbis", "mst"])


@click.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--format", "fmt", type=FORMAT_CHOICE, default=None, help="Input format (default: detected from the content).")
@click.option("--encoding", default=None, help="Input encoding: utf-8, cp1251, cp866, kz-1048, marc-8 (default: detected).")
@click.option("--into", "into", metavar="SUBCAT", default=None,
              help="Put every record into this sub-catalogue (default: the profile's rules).")
@click.option("--branch", "source", metavar="NAME", default="",
              help="Source (branch, library) the file comes from: records match by control number within it.")
@click.option("--on-duplicate", type=click.Choice(imp.DUPLICATE_ACTIONS), default="skip", show_default=True,
              help="What to do with a record whose ISBN is already in the catalogue.")
@click.option("--dry-run", is_flag=True, help="Do everything but commit: see what would happen.")
@click.option("--report-json", type=click.Path(dir_okay=False), default=None, help="Write the report as JSON here.")
@click.pass_context
def import_cmd(ctx: click.Context, files: tuple[str, ...], fmt: str | None, encoding: str | None, into: str | None,
               source: str, on_duplicate: str, dry_run: bool, report_json: str | None) -> None:
    """Import records from FILE... (IRBIS .txt, IRBIS64 .mst, ISO 2709, MARCXML, MARC-in-JSON, .mrk) as one batch.

    Exit status 1 when any record was rejected (it is kept in quarantine; the others are imported).
    """
    if report_json:
        check_writable(report_json)
    cat = catalog(ctx)
    ui = lang(ctx)
    options = imp.ImportOptions(into=into, source=source, on_duplicate=on_duplicate, dry_run=dry_run, fmt=fmt,
                                encoding=encoding, progress=is_terminal(), lang=ui)
    report = imp.import_files(cat, files, options)
    if report_json:
        Path(report_json).write_text(json.dumps(report.to_dict(), ensure_ascii=False, indent=2), encoding="utf-8")
    click.echo(report.summary(ui))
    rejected = [p for p in report.problems if p.severity == "error" or p.code == qu.ALREADY]
    if rejected:
        click.echo(i18n.t("cli.rejected_dry" if dry_run else "cli.rejected", ui, n=report.rejected), err=True)
        for p in rejected[:50]:
            where = _record(p.position, p.control_number, ui)
            where = f"{Path(p.file).name}: {where}" if p.file else where
            click.echo(f"  {where}: {p.code}: {qu.reader_reason(p.message, ui)}", err=True)
        if len(rejected) > 50:
            click.echo("  " + i18n.t("cli.import.more", ui, n=len(rejected) - 50), err=True)
    ctx.exit(report.exit_code)


@click.command("batches")
@click.option("--limit", type=int, default=50, show_default=True, help="Show at most this many (newest first).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.pass_context
def batches_cmd(ctx: click.Context, limit: int, fmt: str) -> None:
    """List import, harvest, dedupe and undo batches: id, kind, status, time, files, counts."""
    rows = bt.list_batches(catalog(ctx), limit)
    if fmt == "json":
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    ui = lang(ctx)
    for b in rows:
        counts = " ".join(f"{_label('batch.count', k, ui)}={v}" for k, v in b["counts"].items() if v)
        files = ", ".join(Path(f).name for f in b["files"]) if isinstance(b["files"], list) else ""
        click.echo("\t".join([str(b["batch"]), _label("batch.kind", b["kind"], ui), _label("batch.status", b["status"], ui),
                              b["started_at"] or "", b["source"] or "", files, counts]))


@click.command("undo")
@click.argument("batch", type=int)
@click.option("--force", is_flag=True, help="Undo even when later batches or digitized objects touch its records "
                   "(digitized objects of removed records are withdrawn).")
@click.pass_context
def undo_cmd(ctx: click.Context, batch: int, force: bool) -> None:
    """Revert batch BATCH: its added records are removed (tombstones), updated ones restored."""
    counts = un.undo_batch(catalog(ctx), batch, force=force, lang=lang(ctx))
    click.echo(i18n.t("cli.undone", lang(ctx), batch=batch, removed=counts["removed"], restored=counts["restored"]))
    if counts["withdrawn"]:
        click.echo(i18n.t("cli.withdrawn", lang(ctx), n=counts["withdrawn"]))


@click.group("quarantine")
def quarantine_group() -> None:
    """Records that could not be read or failed validation, kept with their original bytes."""


@quarantine_group.command("list")
@click.option("--batch", type=int, default=None, help="Only records of this batch.")
@click.option("--all", "show_all", is_flag=True, help="Also records already resolved (imported again).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.pass_context
def quarantine_list(ctx: click.Context, batch: int | None, show_all: bool, fmt: str) -> None:
    """List quarantined records: id, batch, file, position, control number, reasons."""
    rows = qu.quarantine_rows(catalog(ctx), batch=batch, include_resolved=show_all)
    if fmt == "json":
        click.echo(json.dumps([{
            "id": r.id, "batch": r.batch_id, "file": r.file, "position": r.position, "byte_offset": r.byte_offset,
            "format": r.format, "control_number": r.control_number, "reasons": (r.reasons or "").splitlines(),
            "resolved": r.resolved_at is not None,
        } for r in rows], ensure_ascii=False, indent=2))
        return
    for r in rows:
        reasons = "; ".join(qu.reason_text(line, lang(ctx)) for line in (r.reasons or "").splitlines())
        click.echo("\t".join([str(r.id), str(r.batch_id or ""), Path(r.file).name if r.file else "",
                              str(r.position or ""), r.control_number or "", reasons]))


@quarantine_group.command("export")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False), help="File to write.")
@click.option("--batch", type=int, default=None, help="Only records of this batch.")
@click.option("--format", "fmt", type=FORMAT_CHOICE, default=None, help="Only records read in this format.")
@click.pass_context
def quarantine_export(ctx: click.Context, output: str, batch: int | None, fmt: str | None) -> None:
    """Write the original bytes of quarantined records to a file, to fix and import again."""
    with output_file(output) as fh:
        n = qu.export_quarantine(catalog(ctx), fh, batch=batch, fmt=fmt, lang=lang(ctx))
    click.echo(i18n.t("cli.quarantine_export", lang(ctx), n=n, path=output))


@click.command("dedupe")
@click.option("--subcat", metavar="CODE", default=None, help="Only records of this sub-catalogue.")
@click.option("--apply", "do_apply", is_flag=True, help="Merge each duplicate group into its most complete record.")
@click.option("--include-candidates", is_flag=True,
              help="With --apply, also merge groups that share only title, first author and year.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.pass_context
def dedupe_cmd(ctx: click.Context, subcat: str | None, do_apply: bool, include_candidates: bool, fmt: str) -> None:
    """Find duplicate records across the catalogue (same ISBN-13 or content; candidates: same title/author/year)."""
    cat = catalog(ctx)
    ui = lang(ctx)
    dd.refresh_keys(cat)
    groups = dd.find_groups(cat, subcat, lang=ui)
    batch, merged = (None, 0)
    if do_apply:
        batch, merged = dd.apply(cat, groups, candidates=include_candidates)
    if fmt == "json":
        click.echo(json.dumps({"groups": [g.to_dict() for g in groups], "batch": batch, "merged": merged},
                              ensure_ascii=False, indent=2))
        return
    for line in dd.text_lines(groups, ui):
        click.echo(line)
    strong = sum(1 for g in groups if g.strong)
    click.echo(i18n.t("cli.dedupe", ui, groups=strong, candidates=len(groups) - strong))
    if do_apply and batch is not None:
        click.echo(i18n.t("cli.merged", ui, merged=merged, batch=batch))


@click.command("export")
@click.option("--subcat", metavar="CODE", default=None, help="Only records of this sub-catalogue.")
@click.option("--since", metavar="DATE", default=None, help="Only records added or changed since this date.")
@click.option("--batch", type=int, default=None, help="Only records added or changed by this batch.")
@click.option("--format", "fmt", type=click.Choice(ex.FORMATS), default="iso2709", show_default=True)
@click.option("--flavour", type=click.Choice(ex.FLAVOURS), default="keep", show_default=True,
              help="Convert records: keep their own, or MARC 21, RUSMARC, IRBIS.")
@click.option(
    "--encoding", type=click.Choice(["utf-8", "cp1251", "kz1048"]), default="utf-8", show_default=True,
    help="Output encoding: cp1251 for an IRBIS/RABIS branch with Russian text; kz1048 (Kazakh Windows) keeps "
    "ә ғ қ ң ө ұ ү һ і, which cp1251 cannot hold (such characters are reported, then replaced by '?').",
)
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None, help="File to write (default: stdout).")
@click.option("--deleted-list", type=click.Path(dir_okay=False), default=None,
              help="Also list the records deleted (since DATE / in the batch) in this tab-separated file.")
@click.option("--base-url", default=None, help="Base URL for links to digitized files.")
@click.pass_context
def export_cmd(ctx: click.Context, subcat: str | None, since: str | None, batch: int | None, fmt: str, flavour: str,
               encoding: str, output: str | None, deleted_list: str | None, base_url: str | None) -> None:
    """Export records with their copies and links to digitized files; problems are reported on stderr."""
    ui = lang(ctx)
    options = ex.ExportOptions(subcat=subcat, since=imp.parse_since(since, ui) if since else None, batch=batch, fmt=fmt,
                               flavour=flavour, encoding=encoding, base_url=base_url, lang=ui)
    cat = catalog(ctx)
    with ExitStack() as stack:
        if output:
            out = stack.enter_context(output_file(output))
        else:
            out = sys.stdout.buffer
            stack.callback(out.flush)
        deleted = stack.enter_context(output_file(deleted_list, "w", "utf-8")) if deleted_list else None
        report = ex.export(cat, out, options, deleted)
    for p in report.problems[:100]:
        severity = _label("cli.severity", p["severity"], ui)
        click.echo(f"{_record(p['record'], p.get('control_number'), ui)}: {severity}: {p['message']}", err=True)
    if len(report.problems) > 100:
        click.echo(i18n.t("cli.export.more", ui, n=len(report.problems) - 100), err=True)
    for note in report.notes(ui):
        click.echo(note, err=True)
    click.echo(report.summary(ui), err=True)


@click.command("delete")
@click.argument("ref", metavar="ID")
@click.option("--reason", default=None, help="Why (written off, duplicate, error...): kept with the tombstone.")
@click.pass_context
def delete_cmd(ctx: click.Context, ref: str, reason: str | None) -> None:
    """Delete record ID (catalogue id or control number): it leaves a tombstone and an event."""
    with catalog(ctx).session() as s:
        row = rec.find(s, ref, lang(ctx))
        rec.delete(s, row, reason=reason, source="cli", lang=lang(ctx))
        rid = row.id
    click.echo(i18n.t("cli.deleted", lang(ctx), id=rid))


def register(main: click.Group) -> None:
    """Add the import and exchange commands to the `libcat` group."""
    for cmd in (import_cmd, batches_cmd, undo_cmd, quarantine_group, dedupe_cmd, export_cmd, delete_cmd):
        main.add_command(cmd)
