"""`libcat stats` and `libcat report` end to end: formats, options, XLSX opened back, charts, errors."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from libcat.catalog import records
from libcat.catalog.models import DigitalObject, Subcatalog
from libcat.catalog.store import open_catalog
from libcat.cli import main
from libcat.cli import stats as stats_cli
from libcat.marc.flavour import IRBIS

from test_stats_tables import irbis

stats_cli.register(main)
stats_cli.register(main)  # registering twice must not add the commands twice


@pytest.fixture
def cli(run_cli, db_url):
    """run_cli against a catalogue with 3 books (2 entered in 2023, 1 in Kazakh) and 2 digitized books."""
    assert run_cli("init").exit_code == 0
    cat = open_catalog(db_url)
    with cat.session() as s:
        books = s.scalar(select(Subcatalog).where(Subcatalog.code == "books"))
        a = records.create(s, irbis(dt.date(2022, 12, 31), "rus"), IRBIS, subcat=books)
        b = records.create(s, irbis(dt.date(2023, 1, 1), "kaz"), IRBIS, subcat=books)
        records.create(s, irbis(dt.date(2023, 12, 31), "rus"), IRBIS, subcat=books)
        s.add(DigitalObject(record_id=a.id, type="book", language="rus", digitized_on=dt.date(2022, 3, 1), pages=10,
                            bytes=1024 * 1024))
        s.add(DigitalObject(record_id=b.id, type="book", language="kaz", digitized_on=dt.date(2023, 3, 1), pages=30,
                            bytes=3 * 1024 * 1024))
    cat.engine.dispose()
    return run_cli


def test_json_shape(cli):
    r = cli("stats", "--year", "2023", "--table", "ek", "--format", "json", "--lang", "kk")
    assert r.exit_code == 0, r.output
    data = json.loads(r.output)
    assert data["table"] == "ek" and data["lang"] == "kk"
    assert data["period"] == {"from": "2023-01-01", "to": "2023-12-31"}
    books = data["rows"][0]
    assert books == {"code": "books", "name": "«Кітаптар» ЭК", "since": 2006, "at_start": 1, "added": 2,
                     "at_end": 3, "kazakh_at_end": 1, "plan": None}
    assert data["total"]["at_end"] == 3 and data["total"]["name"] == "ОҚК бойынша барлығы"


def test_root_lang_and_text(cli):
    r = cli("--lang", "ru", "stats", "--year", "2023", "--table", "digitization")
    assert r.exit_code == 0, r.output
    lines = r.output.splitlines()
    assert lines[0] == "Данные об оцифровке на конец отчетного года 01.01.2024"
    total = lines[4].split()
    assert total[:9] == ["Всего", "1", "1", "2", "1", "30", "30", "40", "30"]
    assert total[9:] == ["3,00", "4,00"]


def test_csv_and_md_and_all_tables(cli, tmp_path):
    r = cli("stats", "--year", "2023", "--lang", "ru", "--format", "csv", "--table", "headline")
    rows = list(csv.reader(io.StringIO(r.output)))
    assert rows == [["Показатель", "выполнено 2022", "план на 2023", "выполнено в 2023"],
                    ["Количество записей в электронный каталог", "1", "", "2"]]
    plan = tmp_path / "plan.yaml"
    plan.write_text("2023:\n  books: 2\n  total: 5\n", encoding="utf-8")
    r = cli("stats", "--year", "2023", "--lang", "kk", "--format", "md", "--plan", str(plan))
    assert r.exit_code == 0, r.output
    for title in ("### Электрондық каталогтағы жазбалар есебі", "### ЭК-ні редакциялау, 2023 ж.",
                  "### Кітап қорын цифрландыру, 01.01.2024 ж.", "### Авторлық шарттар, 2023 ж.",
                  "### Негізгі сандық көрсеткіштер"):
        assert title in r.output
    assert "| «Кітаптар» ЭК | 2006 | 1 | 2 | 3 | 1 | 2 |" in r.output
    assert "| Электрондық каталогтағы жазбалар саны | 1 | 5 | 2 |" in r.output


def test_periods_from_options(cli):
    r = cli("stats", "--year", "2023", "--months", "9", "--table", "ek", "--lang", "ru", "--format", "json")
    data = json.loads(r.output)
    assert data["period"] == {"from": "2023-01-01", "to": "2023-09-30"}
    assert data["columns"]["added"] == "Внесено за 9 месяцев 2023 года"
    assert data["rows"][0]["added"] == 1
    r = cli("stats", "--from", "31.12.2023", "--to", "2023-12-31", "--table", "ek", "--format", "json")
    assert json.loads(r.output)["rows"][0]["added"] == 1


def test_xlsx_opened_back(cli, tmp_path):
    out = tmp_path / "t.xlsx"
    r = cli("stats", "--year", "2023", "--lang", "ru", "-o", str(out))
    assert r.exit_code == 0, r.output
    wb = load_workbook(out)
    assert wb.sheetnames == ["ek", "ek-work", "digitization", "fund-digitization", "collections", "contracts",
                             "headline"]
    ws = wb["ek"]
    assert ws["A1"].value == "Учет библиографических записей в ЭК"
    assert [c.value for c in ws[3]] == ["Наименование каталога", "С какого года ведется", "Состоит на 01.01.2023",
                                        "Внесено за 2023 год", "на 01.01.2024", "В т.ч. на казахском языке", "План"]
    assert ws["A3"].font.b and ws["A3"].border.left.style == "thin"
    assert [c.value for c in ws[4]][:6] == ["ЭК «Книги»", 2006, 1, 2, 3, 1]
    assert [c.value for c in ws[5]][:6] == ["ЭК «Статьи»", 2007, "-", "-", "-", "-"]
    last = ws.max_row
    assert ws.cell(last, 1).value == "Всего:" and ws.cell(last, 5).value == 3 and ws.cell(last, 1).font.b
    assert ws.page_setup.orientation == "landscape" and ws.column_dimensions["A"].width >= 18
    dig = wb["digitization"]
    assert [c.value for c in dig[4]] == ["Всего", 1, 1, 2, 1, 30, 30, 40, 30, 3.0, 4.0]


def test_report_with_charts(cli, tmp_path):
    out, charts = tmp_path / "report.xlsx", tmp_path / "charts"
    r = cli("report", "--year", "2023", "--lang", "kk", "-o", str(out), "--charts", str(charts))
    assert r.exit_code == 0, r.output
    for name in ("ek-growth", "digitization"):
        assert (charts / f"{name}.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert b"<svg" in (charts / f"{name}.svg").read_bytes()[:2000]
    wb = load_workbook(out)
    assert wb.sheetnames[:7] == ["ek", "ek-work", "digitization", "fund-digitization", "collections",
                                 "contracts", "headline"]
    assert len(wb.sheetnames) == 9
    assert sum(len(wb[n]._images) for n in wb.sheetnames[7:]) == 2
    assert wb["ek"]["B3"].value == "Қай жылдан бастап жүргізіледі"


ERRORS = [
    (("stats", "--year", "2023", "--half", "1", "--quarter", "2"), "give only one of --half, --quarter"),
    (("stats", "--from", "2023-05-01", "--to", "2023-04-01"), "is before --from"),
    (("stats", "--from", "yesterday", "--to", "2023-04-01"), "cannot read date 'yesterday'"),
    (("stats", "--year", "2023", "--format", "xlsx"), "--format xlsx needs -o FILE.xlsx"),
    (("stats", "--year", "2023", "--plan", "/nonexistent/plan.toml"), "cannot read /nonexistent/plan.toml"),
    (("stats", "--year", "2023", "-o", "/nonexistent/ek.csv"), "/nonexistent/ek.csv: No such file or directory"),
    (("stats", "--year", "2023", "--format", "xlsx", "-o", "/nonexistent/ek.xlsx"),
     "/nonexistent/ek.xlsx: No such file or directory"),
    (("report", "--year", "2023", "-o", "/nonexistent/report.xlsx"),
     "/nonexistent/report.xlsx: No such file or directory"),
]


def test_errors_are_one_line(cli):
    for args, message in ERRORS:
        r = cli(*args)
        assert r.exit_code == 1, args
        lines = r.output.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("libcat: ") and message in lines[0], (args, r.output)


def test_period_errors_in_russian_and_kazakh(cli):
    r = cli("--lang", "ru", "stats", "--year", "2023", "--half", "1", "--quarter", "2")
    assert r.exit_code == 1 and r.output.strip() == "libcat: ошибка: укажите только одно из: --half, --quarter"
    r = cli("stats", "--lang", "kk", "--from", "2023-05-01", "--to", "2023-04-01")
    assert r.exit_code == 1 and r.output.strip() == "libcat: қате: --to 2023-04-01 күні --from 2023-05-01 күнінен бұрын"
    r = cli("--lang", "kk", "stats", "--from", "2023-05-01")
    assert r.exit_code == 1 and "--from және --to екеуін де көрсетіңіз" in r.output
    r = cli("--lang", "ru", "stats", "--from", "вчера", "--to", "2023-04-01")
    assert r.exit_code == 1 and "не удаётся прочитать дату 'вчера'" in r.output
