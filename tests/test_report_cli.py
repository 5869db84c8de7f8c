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
from libcat.marc.flavour import IRBIS

from test_stats_tables import irbis



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
    assert wb.sheetnames == ["Учет записей ЭК", "Редактирование ЭК", "Оцифровка", "Оцифровка фонда",
                             "Базы данных и папки", "Авторские договоры", "Основные показатели"]
    ws = wb["Учет записей ЭК"]
    assert ws["A1"].value == "Учет библиографических записей в ЭК"
    assert [c.value for c in ws[3]] == ["Наименование каталога", "С какого года ведется", "Состоит на 01.01.2023",
                                        "Внесено за 2023 год", "на 01.01.2024", "В т.ч. на казахском языке", "План"]
    assert ws["A3"].font.b and ws["A3"].border.left.style == "thin"
    assert [c.value for c in ws[4]][:6] == ["ЭК «Книги»", 2006, 1, 2, 3, 1]
    assert [c.value for c in ws[5]][:6] == ["ЭК «Статьи»", 2007, "-", "-", "-", "-"]
    last = ws.max_row
    assert ws.cell(last, 1).value == "Всего:" and ws.cell(last, 5).value == 3 and ws.cell(last, 1).font.b
    assert ws.page_setup.orientation == "landscape" and ws.column_dimensions["A"].width >= 18
    dig = wb["Оцифровка"]
    assert [c.value for c in dig[4]] == ["Всего", 1, 1, 2, 1, 30, 30, 40, 30, 3.0, 4.0]


def test_report_with_charts(cli, tmp_path):
    out, charts = tmp_path / "report.xlsx", tmp_path / "charts"
    r = cli("report", "--year", "2023", "--lang", "kk", "-o", str(out), "--charts", str(charts))
    assert r.exit_code == 0, r.output
    for name in ("ek-growth", "digitization"):
        assert (charts / f"{name}.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert b"<svg" in (charts / f"{name}.svg").read_bytes()[:2000]
    wb = load_workbook(out)
    assert wb.sheetnames[:7] == ["ЭК жазбалары", "ЭК-ні редакциялау", "Цифрландыру", "Қорды цифрландыру",
                                 "Дерекқорлар мен папкалар", "Авторлық шарттар", "Негізгі көрсеткіштер"]
    assert len(wb.sheetnames) == 9
    assert sum(len(wb[n]._images) for n in wb.sheetnames[7:]) == 2
    assert wb["ЭК жазбалары"]["B3"].value == "Қай жылдан бастап жүргізіледі"
    assert all(len(n) <= 31 and not set(n) & set("[]:*?/\\") for n in wb.sheetnames)


def test_xlsx_sheets_named_in_english_and_json_codes_kept(cli, tmp_path):
    out = tmp_path / "en.xlsx"
    assert cli("stats", "--year", "2023", "--lang", "en", "-o", str(out)).exit_code == 0
    assert load_workbook(out).sheetnames == ["EK records", "EK editing", "Digitization", "Fund digitization",
                                             "Collections", "Author contracts", "Main indicators"]
    r = cli("stats", "--year", "2023", "--lang", "kk", "--format", "json")
    assert [t["table"] for t in json.loads(r.output)] == ["ek", "ek-work", "digitization", "fund-digitization",
                                                          "collections", "contracts", "headline"]


ERRORS = [
    (("stats", "--year", "2023", "--half", "1", "--quarter", "2"), "give only one of --half, --quarter"),
    (("stats", "--from", "2023-05-01", "--to", "2023-04-01"), "is before --from"),
    (("stats", "--from", "yesterday", "--to", "2023-04-01"), "cannot read date 'yesterday'"),
    (("stats", "--year", "2023", "--format", "xlsx"), "--format xlsx needs -o FILE.xlsx"),
    (("stats", "--year", "2023", "--plan", "/nonexistent/plan.toml"),
     "cannot read /nonexistent/plan.toml: No such file or directory"),
    (("stats", "--year", "9999", "--table", "ek"), "year must be from 1000 to 2999, not 9999"),
    (("stats", "--year", "0", "--table", "ek"), "year must be from 1000 to 2999, not 0"),
    (("stats", "--from", "0001-01-01", "--to", "9999-12-31"), "year must be from 1000 to 2999, not 1"),
    (("report", "--year", "0", "-o", "x.xlsx"), "year must be from 1000 to 2999, not 0"),
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


@pytest.mark.parametrize(("lang", "message"), [
    ("en", "libcat: error: year must be from 1000 to 2999, not {n}"),
    ("ru", "libcat: ошибка: год должен быть от 1000 до 2999, а не {n}"),
    ("kk", "libcat: қате: жыл 1000 мен 2999 аралығында болуы керек, {n} емес"),
], ids=["en", "ru", "kk"])
def test_year_out_of_range_is_one_line_in_every_language(cli, lang: str, message: str, tmp_path):
    for args, n in ((("stats", "--table", "ek", "--year", "9999"), 9999), (("stats", "--year", "0"), 0),
                    (("report", "--year", "0", "-o", str(tmp_path / "x.xlsx")), 0),
                    (("stats", "--year", "2023", "--half", "1", "--year", "10000"), 10000),
                    (("stats", "--from", "2023-01-01", "--to", "9999-12-31"), 9999)):
        r = cli("--lang", lang, *args)
        assert r.exit_code == 1 and r.output.strip() == message.format(n=n), (args, r.output)
    assert not (tmp_path / "x.xlsx").exists()


def _plan_file(tmp_path, text: str, name: str = "plan.toml") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_plan_with_an_unknown_key_is_an_error_for_every_table(cli, tmp_path):
    plan = _plan_file(tmp_path, "[2024]\nbooks = 5\narticles = 2\nnope = 3\n")
    expected = {
        "en": f"libcat: error: {plan}: plan for 2024: unknown sub-catalogue 'nope'; known: books, articles,",
        "ru": f"libcat: ошибка: {plan}: план на 2024: неизвестный подкаталог 'nope'; допустимы: books, articles,",
        "kk": f"libcat: қате: {plan}: 2024 жоспары: 'nope' ішкі каталогы белгісіз; рұқсат етілгендер: books,",
    }
    for lang, message in expected.items():
        for table in ("ek", "headline"):
            r = cli("--lang", lang, "stats", "--year", "2024", "--plan", plan, "--table", table)
            assert r.exit_code == 1 and r.output.startswith(message) and len(r.output.splitlines()) == 1, r.output
    good = _plan_file(tmp_path, "[2024]\nbooks = 5\narticles = 2\n", "good.toml")
    for table, column in (("ek", "plan"), ("headline", "plan")):
        r = cli("stats", "--year", "2024", "--plan", good, "--table", table, "--format", "json")
        data = json.loads(r.output)
        assert (data["total"] or data["rows"][0])[column] == 7, r.output


def test_half_year_with_an_annual_plan(cli, tmp_path):
    plan = _plan_file(tmp_path, "[2023]\nbooks = 5\n\n[2023-Q1]\nbooks = 1\n")
    r = cli("--lang", "ru", "stats", "--year", "2023", "--half", "1", "--plan", plan, "--table", "headline",
            "--format", "csv")
    assert r.exit_code == 0
    assert r.stderr == (f"libcat: в {plan} нет плана на 2023-H1 (в файле есть: 2023, 2023-Q1): "
                        "графы плана остаются пустыми\n")
    assert r.stdout.splitlines()[1] == "Количество записей в электронный каталог,0,,1"
    r = cli("--lang", "kk", "stats", "--year", "2023", "--quarter", "1", "--plan", plan, "--table", "headline",
            "--format", "csv")
    assert r.stderr == "" and r.stdout.splitlines()[1] == "Электрондық каталогтағы жазбалар саны,0,1,1"
    r = cli("--lang", "kk", "stats", "--year", "2023", "--quarter", "2", "--plan", plan, "--table", "ek")
    assert r.stderr.startswith(f"libcat: {plan} файлында 2023-Q2 жоспары жоқ (файлда бар: 2023, 2023-Q1)")
    r = cli("stats", "--year", "2023", "--plan", plan, "--table", "ek", "--format", "json")
    assert r.stderr == "" and json.loads(r.stdout)["total"]["plan"] == 5


def test_plan_and_fund_file_errors_in_russian_and_kazakh(cli, tmp_path):
    missing = str(tmp_path / "none.toml")
    r = cli("--lang", "ru", "stats", "--year", "2023", "--plan", missing)
    assert r.exit_code == 1 and r.output == f"libcat: ошибка: не удаётся прочитать {missing}: нет такого файла\n"
    r = cli("--lang", "kk", "report", "--year", "2023", "--fund", missing, "-o", str(tmp_path / "r.xlsx"))
    assert r.exit_code == 1 and r.output == f"libcat: қате: {missing} файлын оқу мүмкін емес: мұндай файл жоқ\n"
    bad = _plan_file(tmp_path, "[2024]\nbooks = \"x\"\n")
    r = cli("--lang", "ru", "stats", "--year", "2024", "--plan", bad, "--table", "ek")
    assert r.exit_code == 1 and r.output == f"libcat: ошибка: {bad}: 2024.books: ожидалось число, а найдено 'x'\n"
    fund = _plan_file(tmp_path, "total: many\n", "fund.yaml")
    r = cli("--lang", "kk", "stats", "--year", "2024", "--fund", fund, "--table", "fund-digitization")
    assert r.exit_code == 1 and r.output == f"libcat: қате: {fund}: total: сан күтілді, ал табылғаны 'many'\n"
    listed = _plan_file(tmp_path, "- 1\n- 2\n", "list.yaml")
    r = cli("--lang", "ru", "stats", "--year", "2024", "--plan", listed)
    assert r.exit_code == 1 and r.output.startswith(f"libcat: ошибка: {listed}: ожидались строки «ключ = значение»")
