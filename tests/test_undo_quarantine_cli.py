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
