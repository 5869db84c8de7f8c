"""Render report tables as text, CSV, JSON, Markdown or an XLSX workbook ready to print."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .. import i18n
from . import labels
from .tables import Row, Table

FORMATS = ("text", "csv", "json", "md", "xlsx")
EMPTY = "-"

i18n.register({
    "render.not_text": {
        "en": "format {fmt!r} is not text; one of {known}",
        "ru": "формат {fmt!r} не текстовый; допустимы: {known}",
        "kk": "{fmt!r} форматы мәтіндік емес; рұқсат етілгендер: {known}",
    },
})


def cell(value: Any, lang: str) -> str:
    """A value as printed: integers as they are, MB with a decimal comma in Russian and Kazakh, None blank."""
    if value is None:
        return ""
    if isinstance(value, float):
        text = f"{value:.2f}"
        return text.replace(".", ",") if lang in ("ru", "kk") else text
    return str(value)


def _cells(table: Table, row: Row) -> list[str]:
    out = [row.name]
    for key in table.keys:
        if row.empty and key != "since":
            out.append(EMPTY)
        else:
            out.append(cell(row.values.get(key), table.lang))
    return out


def _header(table: Table) -> list[str]:
    return [table.columns["name"], *(table.columns[k] for k in table.keys)]


def text(tables: Sequence[Table]) -> str:
    """Aligned plain-text tables, each under its title; names left, numbers right."""
    blocks = []
    for t in tables:
        grid = [_header(t), *(_cells(t, r) for r in t.body())]
        widths = [max(len(line[i]) for line in grid) for i in range(len(grid[0]))]
        lines = [t.title, ""]
        for n, line in enumerate(grid):
            parts = [line[0].ljust(widths[0])] + [v.rjust(w) for v, w in zip(line[1:], widths[1:])]
            lines.append("  ".join(parts).rstrip())
            if n == 0:
                lines.append("  ".join("-" * w for w in widths))
        if t.notes:
            lines.append("")
            lines.append("; ".join(t.notes))
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + "\n"


def csv_text(tables: Sequence[Table]) -> str:
    """CSV: a header line of labels and one line per row; several tables are separated by their titles."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    for n, t in enumerate(tables):
        if len(tables) > 1:
            if n:
                w.writerow([])
            w.writerow([t.title])
        w.writerow(_header(t))
        for r in t.body():
            w.writerow(_cells(t, r))
    return buf.getvalue()


def json_text(tables: Sequence[Table]) -> str:
    """JSON for machines: one table object, or a list of them."""
    data: Any = tables[0].to_dict() if len(tables) == 1 else [t.to_dict() for t in tables]
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def _md(value: str) -> str:
    return value.replace("|", "\\|")


def markdown(tables: Sequence[Table]) -> str:
    """Markdown pipe tables under level-3 headings; the total row in bold."""
    blocks = []
    for t in tables:
        header = _header(t)
        lines = [f"### {t.title}", "", "| " + " | ".join(_md(h) for h in header) + " |",
                 "|" + "|".join(["---"] + ["---:"] * (len(header) - 1)) + "|"]
        for r in t.body():
            cells = [_md(c) for c in _cells(t, r)]
            if r is t.total:
                cells = [f"**{c}**" if c else c for c in cells]
            lines.append("| " + " | ".join(cells) + " |")
        if t.notes:
            lines += ["", "; ".join(t.notes)]
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + "\n"


def _sheet_title(name: str, used: set[str]) -> str:
    base = "".join(c for c in name if c not in "[]:*?/\\")[:31] or "table"
    title, n = base, 1
    while title in used:
        n += 1
        title = f"{base[:28]}-{n}"
    used.add(title)
    return title


def workbook(tables: Sequence[Table], images: Sequence[tuple[str, Path]] = ()):
    """An openpyxl Workbook: one sheet per table, named in the table's language (title, bold bordered header,
    borders, widths, landscape A4 fitted to the page width), then one sheet per chart image (title, PNG path)."""
    from openpyxl import Workbook
    from openpyxl.drawing.image import Image
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    wb.remove(wb.active)
    thin = Side(style="thin")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    used: set[str] = set()
    for t in tables:
        ws = wb.create_sheet(_sheet_title(labels.sheet(t.name, t.lang), used))
        header = _header(t)
        ncols = len(header)
        ws.cell(row=1, column=1, value=t.title).font = Font(bold=True, size=12)
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=ncols)
        for c, label in enumerate(header, 1):
            x = ws.cell(row=3, column=c, value=label)
            x.font = Font(bold=True)
            x.border = border
            x.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
            x.fill = PatternFill("solid", fgColor="DDDDDD")
        for n, r in enumerate(t.body(), 4):
            values: list[Any] = [r.name]
            for key in t.keys:
                v = r.values.get(key)
                values.append(EMPTY if r.empty and key != "since" else v)
            for c, v in enumerate(values, 1):
                x = ws.cell(row=n, column=c, value=v)
                x.border = border
                if isinstance(v, float):
                    x.number_format = "0.00"
                if c > 1:
                    x.alignment = Alignment(horizontal="right")
                if r is t.total:
                    x.font = Font(bold=True)
        last = 3 + len(t.body())
        if t.notes:
            ws.cell(row=last + 2, column=1, value="; ".join(t.notes)).alignment = Alignment(wrap_text=False)
        ws.column_dimensions["A"].width = min(60, max(18, max(len(str(r.name)) for r in t.body()) + 2))
        for c in range(2, ncols + 1):
            ws.column_dimensions[get_column_letter(c)].width = min(22, max(10, len(header[c - 1]) // 2 + 3))
        ws.row_dimensions[3].height = 45
        ws.page_setup.orientation = "landscape"
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.print_title_rows = "3:3"
        ws.print_area = f"A1:{get_column_letter(ncols)}{last}"
    for title, png in images:
        ws = wb.create_sheet(_sheet_title(title, used))
        ws.cell(row=1, column=1, value=title).font = Font(bold=True, size=12)
        img = Image(str(png))
        ws.add_image(img, "A3")
        ws.page_setup.orientation = "landscape"
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
    return wb


def render(tables: Sequence[Table], fmt: str) -> str:
    """Tables as text, csv, json or md (xlsx is binary: use ``write``)."""
    if fmt == "text":
        return text(tables)
    if fmt == "csv":
        return csv_text(tables)
    if fmt == "json":
        return json_text(tables)
    if fmt == "md":
        return markdown(tables)
    lang = tables[0].lang if tables else None
    raise ValueError(i18n.t("render.not_text", lang, fmt=fmt, known=", ".join(f for f in FORMATS if f != "xlsx")))


def write(tables: Sequence[Table], fmt: str, path: str | Path, images: Sequence[tuple[str, Path]] = ()) -> None:
    """Write the tables to ``path`` in ``fmt`` (xlsx: one sheet per table, plus chart sheets)."""
    path = Path(path)
    if fmt == "xlsx":
        workbook(tables, images).save(path)
    else:
        path.write_text(render(tables, fmt), encoding="utf-8")
