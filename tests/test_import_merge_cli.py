"""`libcat import --on-duplicate merge` through the real CLI (SQLite and PostgreSQL): copies taken in from a
duplicate do not make the record an edited one in the `ek-work` table, and undo takes them back."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

# The central library's record of a book (one copy) and a branch's shorter record of it (another copy).
CENTRAL = """#920: PAZK
#10: ^A978-601-7312-00-8
#101: kaz
#700: ^AКәрім^BН.
#200: ^AҚамшы^FН.Кәрім
#210: ^AҚарағанды^CТипография Арко^D2016
#215: ^A84
#903: CB-1
#910: ^A0^B500001^C20240105^DОА
*****
"""
BRANCH = """#920: PAZK
#10: ^A978-601-7312-00-8
#101: kaz
#200: ^AҚамшы
#210: ^D2016
#903: F3-1
#910: ^A0^B500003^C20240106^DФ3
*****
"""


def _edited(run_cli) -> int:
    out = run_cli("stats", "--year", str(dt.datetime.now(dt.timezone.utc).year), "--table", "ek-work",
                  "--format", "json")
    assert out.exit_code == 0, out.output
    return {row["code"]: row["count"] for row in json.loads(out.output)["rows"]}["edited"]


def _inventory_numbers(run_cli) -> list[list[str]]:
    out = run_cli("export", "--format", "json")
    assert out.exit_code == 0, out.output
    return [sorted(sub["b"] for f in r["fields"] for sub in f.get("910", {}).get("subfields", []) if "b" in sub)
            for r in json.loads(out.stdout)]


def _import(run_cli, tmp_path: Path, name: str, text: str, *args: str) -> dict:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    report = tmp_path / f"{name}.json"
    out = run_cli("import", str(path), "--report-json", str(report), *args)
    assert out.exit_code == 0, out.output
    return json.loads(report.read_text(encoding="utf-8"))


def test_copies_merged_from_a_duplicate_are_not_an_edit_and_undo_takes_them_back(run_cli, tmp_path: Path):
    assert run_cli("init").exit_code == 0
    _import(run_cli, tmp_path, "central.txt", CENTRAL, "--branch", "ЦБ")
    merged = _import(run_cli, tmp_path, "branch.txt", BRANCH, "--branch", "Ф3", "--on-duplicate", "merge")
    assert (merged["added"], merged["updated"], merged["duplicates"]) == (0, 0, 1)
    assert _inventory_numbers(run_cli) == [["500001", "500003"]]
    assert _edited(run_cli) == 0
    out = run_cli("undo", str(merged["batch"]))
    assert out.exit_code == 0, out.output
    assert _inventory_numbers(run_cli) == [["500001"]]
    assert _edited(run_cli) == 0


def test_a_duplicate_that_says_more_replaces_the_record_and_is_an_edit(run_cli, tmp_path: Path):
    assert run_cli("init").exit_code == 0
    _import(run_cli, tmp_path, "branch.txt", BRANCH, "--branch", "Ф3")
    merged = _import(run_cli, tmp_path, "central.txt", CENTRAL, "--branch", "ЦБ", "--on-duplicate", "merge")
    assert (merged["added"], merged["updated"], merged["duplicates"]) == (0, 1, 1)
    assert _inventory_numbers(run_cli) == [["500001", "500003"]]
    assert _edited(run_cli) == 1
    assert run_cli("undo", str(merged["batch"])).exit_code == 0
    assert _inventory_numbers(run_cli) == [["500003"]]
    assert _edited(run_cli) == 0
