"""`libcat check`: text and JSON output, languages, exit status 0 / 1 / 2."""

from __future__ import annotations

import json
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from pymarc import Field, Indicators, Record, Subfield

from libcat.cli.check import register


@click.group()
@click.option("--db", metavar="URL|PATH", envvar="LIBCAT_DB")
@click.option("--lang", type=click.Choice(["en", "ru", "kk"]), envvar="LIBCAT_LANG", default=None)
@click.pass_context
def cli(ctx: click.Context, db: str | None, lang: str | None) -> None:
    ctx.ensure_object(dict)
    ctx.obj["db"] = db
    ctx.obj["lang"] = lang


register(cli)


def _run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


GOOD = "#200: ^AАбай жолы^FМ. Әуезов\n#920: PAZK\n#101: kaz\n#907: ^CПК^A20240115^BАдмин\n*****\n"
BAD = "#200: ^FАвтор жоқ\n#920: PAZK\n#10: ^A5-7443-0043-1\n*****\n"


def test_clean_file_exits_zero(tmp_path: Path):
    path = tmp_path / "good.txt"
    path.write_text(GOOD, encoding="utf-8")
    result = _run("check", str(path))
    assert result.exit_code == 0, result.output
    assert "1 file(s), 1 record(s): 0 error(s), 0 warning(s)" in result.output


def test_errors_exit_one_in_kazakh(tmp_path: Path):
    path = tmp_path / "bad.txt"
    path.write_text(GOOD + BAD, encoding="utf-8")
    result = _run("--lang", "kk", "check", str(path))
    assert result.exit_code == 1
    assert f"{path}: жазба 2: 200$a error missing-title: тақырып жоқ (200$a)" in result.output
    assert "010$a warning isbn-checksum: ISBN 5-7443-0043-1 бақылау цифры қате" in result.output
    assert "қателер: 1, ескертулер: 1" in result.output


def test_json_output(tmp_path: Path):
    path = tmp_path / "bad.txt"
    path.write_text(BAD, encoding="utf-8")
    result = CliRunner().invoke(cli, ["--lang", "ru", "check", "--format", "json", str(path)])
    assert result.exit_code == 1
    rows = json.loads(result.stdout)
    assert {r["code"] for r in rows} == {"missing-title", "isbn-checksum"}
    row = next(r for r in rows if r["code"] == "isbn-checksum")
    assert row == {"file": str(path), "position": 1, "control_number": row["control_number"], "severity": "warning",
                   "code": "isbn-checksum", "tag": "010", "subfield": "a",
                   "message": "неверная контрольная цифра в ISBN 5-7443-0043-1"}


def _iso_record() -> bytes:
    rec = Record(leader="00000nam a2200000 i 4500")
    rec.add_field(Field(tag="001", data="kz-1"))
    rec.add_field(Field(tag="245", indicators=Indicators("1", "0"), subfields=[Subfield("a", "Абай жолы")]))
    return rec.as_marc()


def test_unreadable_records_are_reported_with_offset(tmp_path: Path):
    good = _iso_record()
    path = tmp_path / "broken.mrc"
    path.write_bytes(good + b"01234xyz garbage\x1e\x1d" + good)
    result = CliRunner().invoke(cli, ["check", "--format", "json", str(path)])
    assert result.exit_code == 1
    rows = json.loads(result.stdout)
    unreadable = [r for r in rows if r["code"] == "unreadable"]
    assert len(unreadable) == 1 and unreadable[0]["position"] == 2
    assert f"(byte {len(good)})" in unreadable[0]["message"]
    assert {r["position"] for r in rows} == {2}


def test_rusmarc_corpus_file(corpus: Path):
    result = _run("check", "--from", "iso2709", str(corpus / "irbis/rusmarc_nlr_81records_cp1251.iso"))
    # A wrong ISBN check digit is a warning: the record is still worth importing.
    assert result.exit_code == 0
    assert "record 36 [RU\\NLR\\bibl\\340235]: 010$a warning isbn-checksum" in result.output
    assert "81 record(s): 0 error(s)" in result.output


@pytest.mark.parametrize("content", [None, b"this is not a catalogue file\n"])
def test_unreadable_file_exits_two(tmp_path: Path, content: bytes | None):
    path = tmp_path / "x.bin"
    if content is not None:
        path.write_bytes(content)
    good = tmp_path / "good.txt"
    good.write_text(GOOD, encoding="utf-8")
    result = CliRunner().invoke(cli, ["check", str(path), str(good)])
    assert result.exit_code == 2
    assert f"cannot read {path}" in result.stderr
    assert "2 file(s), 1 record(s)" in result.stdout
