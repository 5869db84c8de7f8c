"""The real `libcat` command says what went wrong in Russian and Kazakh: one error per module, exit status kept."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from libcat.catalog.store import open_catalog
from libcat.cli import main

from cli_lang import error_line
from test_digitize_helpers import djvu_bytes, kamshy, make_pdf


def _error(result, status: int = 1) -> str:
    """The one line a failed command prints (without its "libcat: error: " / "libcat: қате: " prefix)."""
    word, message = error_line(result, status)
    assert word, result.output
    return message


@pytest.fixture
def cli(run_cli, db_url: str):
    """run_cli against an initialised catalogue holding «Қамшы» (KZ-0001)."""
    assert run_cli("init").exit_code == 0
    cat = open_catalog(db_url)
    kamshy(cat)
    cat.engine.dispose()
    return run_cli


# --- catalog/store.py: LIBCAT_LANG (the --lang option does not reach the opening of the catalogue yet) ---

@pytest.mark.parametrize(("lang", "expected"), [
    ("kk", "{path} каталогы жоқ: алдымен `libcat init` іске қосыңыз (немесе --db көрсетіңіз)"),
    ("ru", "нет каталога {path}: сначала выполните `libcat init` (или укажите --db)"),
])
def test_missing_catalogue(tmp_path: Path, lang: str, expected: str) -> None:
    path = tmp_path / "өлкетану.db"
    r = CliRunner().invoke(main, ["--db", str(path), "list"], env={"LIBCAT_LANG": lang})
    assert _error(r) == expected.format(path=path)


def test_missing_folder_in_kazakh(tmp_path: Path) -> None:
    path = tmp_path / "Қарағанды қоры" / "ек.db"
    r = CliRunner().invoke(main, ["--db", str(path), "init"], env={"LIBCAT_LANG": "kk"})
    assert _error(r) == f"{path} каталогын ашу мүмкін емес: {path.parent} қалтасы жоқ"


def test_missing_catalogue_with_the_lang_option(tmp_path: Path) -> None:
    r = CliRunner().invoke(main, ["--db", str(tmp_path / "жоқ.db"), "--lang", "kk", "list"], env={"LIBCAT_LANG": ""})
    assert "каталогы жоқ" in _error(r)


# --- digitize/pages.py, filestore.py, registry.py ---

def test_scan_file_errors(cli, tmp_path: Path) -> None:
    notes = tmp_path / "Күнделік.txt"
    notes.write_text("Қамшы туралы жазбалар", encoding="utf-8")
    r = cli("--lang", "kk", "digitize", "add", "--record", "KZ-0001", str(notes))
    assert _error(r) == f"{notes}: PDF, TIFF, JPEG, PNG немесе DjVu файлы емес"
    r = cli("--lang", "ru", "digitize", "add", "--record", "KZ-0001", str(notes))
    assert _error(r) == f"{notes}: это не файл PDF, TIFF, JPEG, PNG или DjVu"
    data = bytearray(djvu_bytes(3))
    data[data.index(b"DIRM") + 8] = 0x01  # not bundled: the pages live in other files
    djvu = tmp_path / "Өлкетану.djvu"
    djvu.write_bytes(bytes(data))
    r = cli("--lang", "kk", "digitize", "add", "--record", "KZ-0001", str(djvu))
    assert _error(r) == (f"{djvu}: DjVu беттерін санау мүмкін емес: "
                         "жанама (indirect) DjVu құжаты, беттері бөлек файлдарда: бет санын көрсетіңіз")


def test_file_store_that_cannot_be_written(cli, tmp_path: Path, monkeypatch) -> None:
    store = tmp_path / "қойма"
    store.write_text("a file where the file store should be", encoding="utf-8")
    monkeypatch.setenv("LIBCAT_FILES", str(store))
    pdf = make_pdf(tmp_path / "Қамшы.pdf", 2)
    r = cli("--lang", "kk", "digitize", "add", "--record", "KZ-0001", str(pdf))
    assert _error(r).startswith(f"{pdf} файлын {store} файл қоймасына көшіру мүмкін емес: ")
    r = cli("--lang", "ru", "digitize", "add", "--record", "KZ-0001", str(pdf))
    assert _error(r).startswith(f"не удаётся скопировать {pdf} в хранилище файлов {store}: ")


def test_verify_reports_a_changed_file_in_kazakh(cli, tmp_path: Path, db_url: str) -> None:
    pdf = make_pdf(tmp_path / "Қамшы.pdf", 2)
    assert cli("digitize", "add", "--record", "KZ-0001", str(pdf)).exit_code == 0
    cat = open_catalog(db_url)
    for f in cat.file_store().rglob("*.pdf"):
        f.write_bytes(b"%PDF-1.4 changed")
    cat.engine.dispose()
    r = cli("--lang", "kk", "digitize", "verify")
    assert r.exit_code == 1
    problem, summary = r.output.splitlines()
    assert problem.startswith("өзгерген: нысан ") and "16 байт" in problem and "күтілгені" in problem
    assert summary == "тексерілген файлдар: 1; жоқ: 0; өзгерген: 1"


# --- digitize/contracts.py, collections.py, rights.py and the digitize commands ---

def test_contract_scan_that_is_not_a_scan(cli, tmp_path: Path) -> None:
    scan = tmp_path / "Шарт Әуезов.docx"
    scan.write_bytes(b"PK\x03\x04 not a scan")
    r = cli("--lang", "kk", "contract", "add", "--holder", "Әуезов М.", "--signed", "2023-05-01",
            "--record", "KZ-0001", "--file", str(scan))
    assert _error(r) == f"{scan}: PDF, TIFF, JPEG, PNG немесе DjVu файлы емес"
    assert cli("contract", "list").output == ""


def test_collection_without_a_name(cli) -> None:
    assert _error(cli("--lang", "kk", "collection", "add", "  ")) == "жинаққа атау керек"
    assert _error(cli("--lang", "ru", "collection", "add", "  ")) == "у коллекции должно быть название"


def test_rights_errors(cli) -> None:
    r = cli("--lang", "kk", "rights", "KZ-0001", "--death-year", "3025")
    assert _error(r) == "автордың қайтыс болған жылы 3025 болуы мүмкін емес"
    r = cli("--lang", "ru", "rights", "KZ-0001", "--death-year", "3025")
    assert _error(r) == "год смерти 3025 неправдоподобен"
    r = cli("--lang", "kk", "rights", "KZ-0001", "--death-year", "1950", "--clear-death-year")
    assert _error(r) == "--death-year немесе --clear-death-year параметрлерінің біреуін ғана көрсетіңіз"


# --- the stats and oai commands ---

def test_stats_errors_and_notes(cli, tmp_path: Path) -> None:
    r = cli("--lang", "kk", "stats", "--year", "2023", "--format", "xlsx")
    assert _error(r) == "--format xlsx үшін файл керек: -o ФАЙЛ.xlsx"
    r = cli("stats", "--lang", "ru", "--year", "2023", "--format", "xlsx")
    assert _error(r) == "для --format xlsx нужен файл: -o ФАЙЛ.xlsx"
    out = tmp_path / "Есеп 2023.csv"
    r = cli("--lang", "kk", "stats", "--year", "2023", "-o", str(out))
    assert r.exit_code == 0 and r.stderr.strip() == f"{out} файлы жазылды"


def test_oai_usage_errors(cli) -> None:
    r = cli("--lang", "kk", "harvest")
    assert r.exit_code == 2 and "репозиторийдің мекенжайын (URL) немесе --list-sources көрсетіңіз" in r.output
    r = cli("--lang", "ru", "oai", "serve", "--repository-id", "қалалық кітапхана")
    assert r.exit_code == 2 and "должен выглядеть как доменное имя, например ek.library.kz" in r.output
