"""The `libcat` command: init, subcat, list, show, help texts and one-line errors."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import click
from click.testing import CliRunner

from libcat.catalog import records as rec
from libcat.catalog.store import open_catalog
from libcat.cli import main
from libcat.marc.flavour import IRBIS, MARC21

from test_foundation_store import irbis_book, marc21_book


def test_init_list_show_roundtrip(run_cli, db_url):
    r = run_cli("init")
    assert r.exit_code == 0 and "created catalogue" in r.output and "11 sub-catalogues" in r.output
    assert "up to date" in run_cli("init").output
    cat = open_catalog(db_url)
    with cat.session() as s:
        kz = rec.create(s, irbis_book("84/К 21-1", "Қамшы"), IRBIS, subcat=rec.subcatalog(s, "books"))
        ru = rec.create(s, marc21_book("ru-7", "Странные люди"), MARC21, subcat=rec.subcatalog(s, "articles"))
        ids = kz.id, ru.id
    cat.engine.dispose()
    out = run_cli("list").output.splitlines()
    assert out == [f"{ids[0]}\t84/К 21-1\tbooks\tҚамшы", f"{ids[1]}\tru-7\tarticles\tСтранные люди"]
    assert run_cli("list", "--subcat", "articles").output.splitlines() == [out[1]]
    shown = run_cli("show", "84/К 21-1").output
    assert "=200  \\\\$aҚамшы$fН. Кәрім" in shown and "=920  \\\\$*PAZK" in shown
    assert run_cli("show", str(ids[1])).output == run_cli("show", "ru-7").output
    bad = run_cli("list", "--subcat", "nope")
    assert bad.exit_code == 1 and "no sub-catalogue 'nope'" in bad.output


def test_subcat_add_and_list(run_cli):
    run_cli("init")
    r = run_cli("subcat", "add", "kz-lit", "--ru", "Казахская литература", "--kk", "Қазақ әдебиеті", "--since", "2015")
    assert r.exit_code == 0
    lines = run_cli("subcat", "list").output.splitlines()
    assert len(lines) == 12
    assert lines[-1].split("\t") == ["kz-lit", "2015", "0", "Казахская литература", "Қазақ әдебиеті", "kz-lit"]
    again = run_cli("subcat", "add", "kz-lit", "--ru", "x", "--kk", "y")
    assert again.exit_code == 1 and "already exists" in again.output
    assert run_cli("subcat", "add", "bad code!", "--ru", "x", "--kk", "y").exit_code == 1


def _one_line_error(result) -> str:
    lines = [ln for ln in result.output.splitlines() if ln.strip()]
    assert result.exit_code == 1, result.output
    assert len(lines) == 1 and lines[0].startswith("libcat: error:"), result.output
    assert "Traceback" not in result.output
    return lines[0]


def test_errors_are_one_line_with_status_1(tmp_path: Path):
    runner = CliRunner()
    missing = runner.invoke(main, ["--db", str(tmp_path / "nowhere" / "x.db"), "init"])
    assert "does not exist" in _one_line_error(missing)
    absent = runner.invoke(main, ["--db", str(tmp_path / "none.db"), "list"])
    assert "run `libcat init`" in _one_line_error(absent)
    unreachable = runner.invoke(main, ["--db", "postgresql+psycopg://nobody@127.0.0.1:9/nothing", "list"])
    assert "cannot open catalogue" in _one_line_error(unreachable)
    badurl = runner.invoke(main, ["--db", "nosuchdb+driver://x/y", "list"])
    assert "cannot use database URL" in _one_line_error(badurl)


def test_unwritable_output_file_is_one_line(tmp_path: Path):
    assert CliRunner().invoke(main, ["--db", str(tmp_path / "x.db"), "init"]).exit_code == 0
    out = CliRunner().invoke(main, ["--db", str(tmp_path / "x.db"), "stats", "--year", "2024", "-o", str(tmp_path / "no" / "t.txt")])
    line = _one_line_error(out)
    assert str(tmp_path / "no" / "t.txt") in line and "No such file or directory" in line


def test_real_process_prints_no_traceback(tmp_path: Path):
    p = subprocess.run(
        [sys.executable, "-m", "libcat", "--db", str(tmp_path / "a" / "b.db"), "list"],
        capture_output=True, text=True, timeout=60,
    )
    assert p.returncode == 1
    assert p.stderr.strip().startswith("libcat: error:") and "Traceback" not in p.stderr


def _commands(group: click.Group, prefix: tuple[str, ...] = ()):
    for name, cmd in group.commands.items():
        yield prefix + (name,), cmd
        if isinstance(cmd, click.Group):
            yield from _commands(cmd, prefix + (name,))


def test_every_command_has_useful_help():
    runner = CliRunner()
    seen = 0
    for path, cmd in _commands(main):
        r = runner.invoke(main, [*path, "--help"])
        assert r.exit_code == 0, path
        assert cmd.help and len(cmd.help.strip()) > 20, f"libcat {' '.join(path)} has no real help text"
        seen += 1
    assert seen >= 6
    top = runner.invoke(main, ["--help"]).output
    assert "LIBCAT_DB" in top and "қазақша" in top


def test_catalogue_messages_in_russian_and_kazakh(run_cli):
    r = run_cli("--lang", "kk", "init")
    assert r.exit_code == 0 and "каталогы құрылды" in r.output and "ішкі каталогтар:" in r.output
    assert "в актуальном состоянии" in run_cli("--lang", "ru", "init").output
    r = run_cli("--lang", "kk", "subcat", "add", "old-maps", "--ru", "Редкий фонд", "--kk", "Сирек қор")
    assert r.exit_code == 0 and r.output.strip() == "old-maps ішкі каталогы қосылды"
    r = run_cli("--lang", "ru", "subcat", "add", "old-maps", "--ru", "Редкий фонд", "--kk", "Сирек қор")
    assert r.exit_code == 1 and r.output.strip() == "libcat: ошибка: подкаталог 'old-maps' уже есть"
    r = run_cli("--lang", "kk", "subcat", "add", "a b", "--ru", "x", "--kk", "x")
    assert r.exit_code == 1 and "тек әріптер, цифрлар" in r.output
    r = run_cli("--lang", "kk", "show", "жоқ-1")
    assert r.exit_code == 1 and r.output.strip() == "libcat: қате: 'жоқ-1' жазбасы жоқ (бұл каталогтағы нөмір де, бақылау нөмірі де емес)"
    r = run_cli("--lang", "ru", "delete", "нет-1")
    assert r.exit_code == 1 and "нет записи 'нет-1'" in r.output
    r = run_cli("--lang", "ru", "export", "--subcat", "nope")
    assert r.exit_code == 1 and "нет подкаталога 'nope'; есть:" in r.output
