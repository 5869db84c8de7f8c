"""`libcat dedupe` through the real CLI (SQLite and PostgreSQL): merging does not count the survivors as edited
records in the `ek-work` table, copies that move to a survivor go back on undo, the output in Russian and Kazakh."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from conftest import SAMPLES

SAMPLE_FILES = [str(SAMPLES / name) for name in
                ("kazakh-books-and-articles.txt", "rusmarc-sample.iso", "broken-records.txt")]

# The same book entered twice: the central library's longer record (two copies) and a branch's (one copy).
TWICE = """#920: PAZK
#101: kaz
#700: ^AКәрім^BН.
#200: ^AҚамшы^FН.Кәрім
#210: ^AҚарағанды^CТипография Арко^D2016
#215: ^A84
#903: CB-1
#910: ^A0^B500001^C20240105^DОА
#910: ^A0^B500002^C20240105^DОА
*****
#920: PAZK
#101: kaz
#700: ^AКәрім^BН.
#200: ^AҚамшы
#210: ^D2016
#903: F3-1
#910: ^A0^B500003^C20240106^DФ3
*****
"""


def _ek_work(run_cli) -> dict[str, int]:
    """The `ek-work` table of this year: {row code: count}."""
    out = run_cli("stats", "--year", str(dt.datetime.now(dt.timezone.utc).year), "--table", "ek-work",
                  "--format", "json")
    assert out.exit_code == 0, out.output
    return {row["code"]: row["count"] for row in json.loads(out.output)["rows"]}


def _dedupe(run_cli, *args: str) -> dict:
    out = run_cli("dedupe", "--format", "json", *args)
    assert out.exit_code == 0, out.output
    return json.loads(out.output)


def _inventory_numbers(run_cli) -> list[list[str]]:
    """Inventory numbers (910^B) of each exported record."""
    out = run_cli("export", "--format", "json")
    assert out.exit_code == 0, out.output
    return [sorted(sub["b"] for f in r["fields"] for sub in f.get("910", {}).get("subfields", []) if "b" in sub)
            for r in json.loads(out.stdout)]


def test_merged_survivors_are_not_edited_records(run_cli):
    assert run_cli("init").exit_code == 0
    assert run_cli("import", *SAMPLE_FILES).exit_code == 1  # one broken record goes to quarantine
    done = _dedupe(run_cli, "--apply", "--include-candidates")
    assert (len(done["groups"]), done["merged"]) == (3, 4)
    assert _ek_work(run_cli) == {"edited": 0, "duplicates-deleted": 4}


def test_copies_moved_to_the_survivor_are_not_an_edit_and_go_back_on_undo(run_cli, tmp_path: Path):
    twice = tmp_path / "twice.txt"
    twice.write_text(TWICE, encoding="utf-8")
    assert run_cli("init").exit_code == 0
    assert run_cli("import", str(twice)).exit_code == 0
    found = _dedupe(run_cli)
    assert [(g["kind"], g["survivor"]) for g in found["groups"]] == [("candidate", 1)]
    assert [r["copies"] for r in found["groups"][0]["records"]] == [2, 1]
    assert _dedupe(run_cli, "--apply")["merged"] == 0  # candidates are merged only when asked
    done = _dedupe(run_cli, "--apply", "--include-candidates")
    assert done["merged"] == 1
    assert _ek_work(run_cli) == {"edited": 0, "duplicates-deleted": 1}
    assert _inventory_numbers(run_cli) == [["500001", "500002", "500003"]]
    assert run_cli("undo", str(done["batch"])).exit_code == 0
    back = _dedupe(run_cli)
    assert [r["copies"] for r in back["groups"][0]["records"]] == [2, 1]
    assert _ek_work(run_cli) == {"edited": 0, "duplicates-deleted": 0}


def test_dedupe_prints_in_russian_and_kazakh(run_cli):
    assert run_cli("init").exit_code == 0
    run_cli("import", *SAMPLE_FILES)
    ru = run_cli("--lang", "ru", "dedupe").output.splitlines()
    assert ru[0] == "# группа 1 (возможные дублеты): заглавие|автор|год камшы|карим|2016"
    assert ru[1].startswith("*1\t") and ru[1].endswith("\tэкземпляров=2")
    assert ru[-1] == "групп дублетов: 0, групп возможных дублетов: 3"
    kk = run_cli("--lang", "kk", "dedupe", "--apply", "--include-candidates").output.splitlines()
    assert kk[0] == "# 1-топ (ықтимал дублеттер): атауы|авторы|жылы камшы|карим|2016"
    assert kk[1].endswith("\tдана=2")
    assert kk[-2:] == ["дублет топтары: 0, ықтимал дублет топтары: 3",
                       "біріктірілген жазбалар: 4, топтама 2 (болдырмау: `libcat undo 2`)"]
    missing = run_cli("--lang", "kk", "dedupe", "--subcat", "nope")
    assert missing.exit_code == 1 and missing.output.startswith("libcat: қате: 'nope' ішкі каталогы жоқ")
