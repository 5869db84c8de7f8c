"""Undo, batches and quarantine through the real `libcat` command (SQLite and PostgreSQL)."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import SAMPLES

BOOKS = SAMPLES / "kazakh-books-and-articles.txt"
BROKEN = SAMPLES / "broken-records.txt"

# «Қамшы» of the bundled sample again, from branch f3, with its ISBN written as ISBN-10.
KAMSHY_ISBN10 = """#920: PAZK
#101: kaz
#10: ^A601-709-451-3
#700: ^AКәрім^BН.
#200: ^AҚамшы^FН.Кәрім
#210: ^AҚарағанды^CТипография Арко^D2016
#903: F3-0001
#910: ^A0^B300101^C20210101^DОА
*****
"""


@pytest.fixture
def cli(run_cli):
    assert run_cli("init").exit_code == 0
    return run_cli


def test_earlier_batches_can_be_undone_after_the_later_ones(cli, tmp_path: Path) -> None:
    f3 = tmp_path / "f3.txt"
    f3.write_text(KAMSHY_ISBN10, encoding="utf-8")
    assert cli("import", "--branch", "central", str(BOOKS)).exit_code == 0
    assert cli("import", "--branch", "f5", "--on-duplicate", "merge", str(SAMPLES / "rusmarc-sample.iso")).exit_code == 0
    third = cli("import", "--branch", "f3", "--on-duplicate", "merge", str(f3))
    assert third.exit_code == 0 and "duplicates 1" in third.output
    for batch in ("3", "2"):
        assert cli("undo", batch).exit_code == 0
    first = cli("undo", "1")
    assert first.exit_code == 0, first.output
    assert first.output.startswith("batch 1 undone: 29 added record(s) removed")
    assert cli("list").output.strip() == ""


def _quarantined(cli, *args: str) -> list[list[str]]:
    return [line.split("\t") for line in cli("quarantine", "list", *args).output.splitlines()]


def test_a_record_already_in_quarantine_is_not_stored_again(cli, tmp_path: Path) -> None:
    assert cli("import", str(BROKEN)).exit_code == 1
    again = cli("import", str(BROKEN))
    assert again.exit_code == 1
    assert "record 3 [BR-003]: in-quarantine: already in quarantine (entry 1): not stored again" in again.output
    [row] = _quarantined(cli)
    assert row[:5] == ["1", "1", "broken-records.txt", "3", "BR-003"]
    out = tmp_path / "q.txt"
    assert cli("quarantine", "export", "-o", str(out)).exit_code == 0
    assert out.read_text(encoding="utf-8").count("#903: BR-003") == 1


def test_a_record_that_imports_fine_now_resolves_its_quarantine_entry(cli, tmp_path: Path) -> None:
    fixed = tmp_path / "fixed.txt"
    fixed.write_text(BROKEN.read_text(encoding="utf-8").replace("#2OO:", "#200:"), encoding="utf-8")
    assert cli("import", str(fixed)).exit_code == 0
    assert cli("import", str(BROKEN)).exit_code == 1
    assert len(_quarantined(cli)) == 1
    unchanged = cli("import", str(fixed))
    assert unchanged.exit_code == 0 and "unchanged 4" in unchanged.output
    assert _quarantined(cli) == []
    assert len(_quarantined(cli, "--all")) == 1


WOULD_QUARANTINE = {
    "en": "1 record(s) would be rejected and kept in quarantine (dry run: nothing stored):",
    "ru": "будет отклонено записей: 1, они попадут в карантин (пробный запуск: ничего не сохранено):",
    "kk": "қабылданбайтын жазбалар: 1, олар карантинге түседі (сынақ іске қосу: ештеңе сақталмады):",
}


@pytest.mark.parametrize("lang", WOULD_QUARANTINE)
def test_dry_run_says_rejected_records_would_be_quarantined(cli, lang: str) -> None:
    expected = WOULD_QUARANTINE[lang]
    r = cli("--lang", lang, "import", "--dry-run", str(BROKEN))
    assert r.exit_code == 1 and expected in r.output.splitlines()
    assert "quarantine list" not in r.output
    assert _quarantined(cli) == []


NOT_A_FIELD_LINE = {
    "en": ("line 16", "unreadable record", "line 18: not a field line (expected '#TAG: data')"),
    "ru": ("строка 16", "нечитаемая запись", "строка 18: не строка поля (ожидается '#МЕТКА: данные')"),
    "kk": ("16-жол", "оқылмайтын жазба", "18-жол: өріс жолы емес (күтілгені '#ТЕГ: деректер')"),
}


@pytest.mark.parametrize("lang", NOT_A_FIELD_LINE)
def test_reader_reasons_speak_the_users_language(cli, lang: str) -> None:
    line, unreadable, reason = NOT_A_FIELD_LINE[lang]
    imported = cli("--lang", lang, "import", str(BROKEN))
    assert f"[BR-003]: unreadable: {reason}: '#2OO: " in imported.output
    expected = f"{line}; {unreadable}: {reason}: '#2OO: "
    [row] = [line.split("\t") for line in cli("--lang", lang, "quarantine", "list").output.splitlines()]
    assert row[-1].startswith(expected)


def _error(result) -> str:
    assert result.exit_code == 1 and "Traceback" not in result.output, result.output
    [line] = result.output.splitlines()
    return line.split(": ", 2)[2]


def test_undo_errors_and_undo_counts_in_russian_and_kazakh(cli) -> None:
    assert cli("import", "--branch", "central", str(BOOKS)).exit_code == 0
    assert cli("import", "--branch", "central", str(BROKEN)).exit_code == 1
    assert _error(cli("--lang", "kk", "undo", "99")) == "99 топтамасы жоқ (`libcat batches` қараңыз)"
    assert _error(cli("--lang", "ru", "undo", "99")) == "нет пакета 99 (см. `libcat batches`)"
    assert _error(cli("undo", "99")) == "no batch 99 (see `libcat batches`)"
    assert cli("undo", "2").exit_code == 0
    assert _error(cli("--lang", "kk", "undo", "2")).startswith("2 топтамасы әлдеқашан болдырылмады (")
    assert _error(cli("--lang", "ru", "undo", "2")).startswith("пакет 2 уже отменён ")
    assert _error(cli("--lang", "kk", "undo", "3")) == "3 топтамасының өзі болдырмау; оның орнына жазбаларды қайта импорттаңыз"
    batches = cli("--lang", "ru", "batches").output.splitlines()
    assert batches[0].split("\t")[1:3] == ["отмена", "завершён"] and batches[0].endswith("\tудалено=3")


def test_undo_refusal_in_kazakh(cli, tmp_path: Path) -> None:
    changed = tmp_path / "changed.txt"
    changed.write_text(BOOKS.read_text(encoding="utf-8").replace("^AҚамшы^", "^AҚамшы (2-бас.)^", 1), encoding="utf-8")
    assert cli("import", "--branch", "central", str(BOOKS)).exit_code == 0
    second = cli("import", "--branch", "central", str(changed))
    assert "updated 1" in second.output
    assert _error(cli("--lang", "kk", "undo", "1")).startswith("1 топтамасының жазбалары кейін өзгертілген ")
    assert _error(cli("--lang", "ru", "undo", "1")).startswith("записи пакета 1 изменены позже ")
    assert cli("undo", "2").exit_code == 0
    restored = cli("--lang", "kk", "batches").output.splitlines()[0]
    assert restored.split("\t")[1] == "болдырмау" and restored.endswith("\tқалпына келтірілді=1")
    assert cli("batches").output.splitlines()[0].endswith("\trestored=1")


@pytest.mark.parametrize(("lang", "into", "encoding", "missing"), [
    ("ru", "нет подкаталога 'nope'; есть: ", "неизвестная кодировка 'nope'", "нет такого файла"),
    ("kk", "'nope' ішкі каталогы жоқ; бары: ", "белгісіз кодтау 'nope'", "мұндай файл жоқ"),
    ("en", "no sub-catalogue 'nope'; known: ", "unknown encoding 'nope'", "no such file"),
])
def test_import_refusals_speak_the_users_language(cli, tmp_path: Path, lang: str, into: str, encoding: str,
                                                  missing: str) -> None:
    assert _error(cli("--lang", lang, "import", "--into", "nope", str(BOOKS))).startswith(into)
    assert _error(cli("--lang", lang, "import", "--encoding", "nope", str(BOOKS))) == f"{BOOKS}: {encoding}"
    absent = tmp_path / "жоқ.txt"
    assert _error(cli("--lang", lang, "import", str(absent))) == f"{absent}: {missing}"
    assert cli("batches").output == ""


def _events(db_url: str) -> list[tuple[int, str]]:
    from sqlalchemy import select

    from libcat.catalog.models import RecordEvent
    from libcat.catalog.store import open_catalog

    cat = open_catalog(db_url)
    try:
        with cat.Session() as s:
            return list(s.execute(select(RecordEvent.record_id, RecordEvent.kind).where(RecordEvent.kind != "created")))
    finally:
        cat.engine.dispose()


def test_update_of_a_duplicate_pair_is_idempotent(cli, db_url: str) -> None:
    first = cli("import", "--on-duplicate", "update", str(BOOKS))
    assert "added 29" in first.output and "duplicates 1" in first.output
    for _ in range(3):
        again = cli("import", "--on-duplicate", "update", str(BOOKS))
        assert "added 0, updated 0, unchanged 30, duplicates 0" in again.output
    assert _events(db_url) == []


def test_update_of_a_duplicate_pair_in_separate_chunks_is_idempotent(catalog) -> None:
    from libcat.catalog import importer as imp

    def run() -> imp.ImportReport:
        return imp.import_files(catalog, [BOOKS], imp.ImportOptions(on_duplicate="update", chunk_size=5, jobs=1))

    first = run()
    assert (first.added, first.updated, first.duplicates) == (29, 1, 1)
    for _ in range(2):
        again = run()
        assert (again.added, again.updated, again.unchanged, again.duplicates) == (0, 0, 30, 0)
