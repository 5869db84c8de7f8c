"""The real `libcat` command says why a file cannot be read (marc/io.py, marc/encoding.py, an IRBIS64 master
file without its .xrf) in the language of --lang, LIBCAT_LANG unset; English stays the default."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from libcat.cli import main
from libcat.marc import encoding as enc
from libcat.marc import io as mio

from cli_lang import error_line, invoke, sqlite_catalogue

BOM = b"\xef\xbb\xbf"


def _error(result, status: int = 1) -> str:
    """The message of the one line a failed command prints (its "libcat: error: " prefix is optional here)."""
    return error_line(result, status)[1]


@pytest.fixture
def db(tmp_path: Path) -> str:
    return sqlite_catalogue(tmp_path, "ек.db")


@pytest.fixture
def junk(tmp_path: Path) -> Path:
    path = tmp_path / "қоқыс.bin"
    path.write_bytes(b"hello, this is no catalogue file")
    return path


def test_import_of_an_empty_file(db: str, tmp_path: Path) -> None:
    empty = tmp_path / "бос.bin"
    empty.write_bytes(b"")
    assert _error(invoke(db, "--lang", "kk", "import", str(empty))) == f"{empty}: жазбалар табылмады"
    bom = tmp_path / "тек-bom.bin"
    bom.write_bytes(BOM)
    assert _error(invoke(db, "--lang", "kk", "import", str(bom))) == f"{bom}: файл бос"
    assert _error(invoke(db, "--lang", "ru", "import", str(bom))) == f"{bom}: файл пуст"
    assert _error(invoke(db, "import", str(bom))) == f"{bom}: the file is empty"


def test_import_of_a_file_of_unknown_format(db: str, junk: Path) -> None:
    assert _error(invoke(db, "--lang", "kk", "import", str(junk))) == (
        f"{junk}: мазмұнынан форматты анықтау мүмкін емес; оны анық көрсетіңіз")
    assert _error(invoke(db, "--lang", "ru", "import", str(junk))) == (
        f"{junk}: не удаётся определить формат по содержимому; укажите его явно")
    assert _error(invoke(db, "import", str(junk))) == (
        f"{junk}: cannot tell the format from the content; give it explicitly")


def test_convert_of_a_file_of_unknown_format(tmp_path: Path, junk: Path) -> None:
    out = str(tmp_path / "out.xml")
    r = CliRunner().invoke(main, ["--lang", "ru", "convert", str(junk), out], env={"LIBCAT_LANG": ""})
    assert _error(r, 2) == (
        f"{junk}: не удаётся прочитать: не удаётся определить формат по содержимому; укажите его явно")
    r = CliRunner().invoke(main, ["--lang", "kk", "convert", str(junk), out], env={"LIBCAT_LANG": ""})
    assert _error(r, 2) == f"{junk}: оқу мүмкін емес: мазмұнынан форматты анықтау мүмкін емес; оны анық көрсетіңіз"
    r = CliRunner().invoke(main, ["convert", str(junk), out], env={"LIBCAT_LANG": ""})
    assert _error(r, 2) == f"{junk}: cannot read: cannot tell the format from the content; give it explicitly"


def test_convert_with_an_unknown_encoding(tmp_path: Path, junk: Path) -> None:
    out = str(tmp_path / "out.xml")
    r = CliRunner().invoke(main, ["--lang", "kk", "convert", "--encoding", "жоқ", str(junk), out],
                           env={"LIBCAT_LANG": ""})
    assert _error(r, 2) == f"{junk}: оқу мүмкін емес: белгісіз кодтау 'жоқ'"
    r = CliRunner().invoke(main, ["--lang", "ru", "convert", "--out-encoding", "nope", str(junk), out],
                           env={"LIBCAT_LANG": ""})
    assert _error(r, 2) == f"{junk}: не удаётся прочитать: неизвестная кодировка 'nope'"


def test_master_file_without_xrf_by_lang_option(db: str, tmp_path: Path) -> None:
    lone = tmp_path / "Қарағанды.mst"
    lone.write_bytes(bytes(36))
    assert _error(invoke(db, "--lang", "kk", "import", str(lone))) == (
        f"{lone}: қасында .xrf файлы жоқ (жазбалардың ағымдағы нұсқаларын табу үшін XRF керек)")
    assert _error(invoke(db, "--lang", "ru", "import", str(lone))) == (
        f"{lone}: рядом нет файла .xrf (он нужен, чтобы найти текущие версии записей)")
    assert _error(invoke(db, "import", str(lone))) == (
        f"{lone}: no .xrf file beside it (the XRF is needed to find current records)")
    r = CliRunner().invoke(main, ["--lang", "kk", "convert", str(lone), str(tmp_path / "out.xml")],
                           env={"LIBCAT_LANG": ""})
    assert _error(r, 2) == (
        f"{lone}: оқу мүмкін емес: қасында .xrf файлы жоқ (жазбалардың ағымдағы нұсқаларын табу үшін XRF керек)")


def test_the_installed_command(db: str, tmp_path: Path) -> None:
    """The same lines from `python -m libcat` in a child process (stderr, exit status 1)."""
    lone = tmp_path / "Қарағанды.mst"
    lone.write_bytes(bytes(36))
    env = {k: v for k, v in os.environ.items() if k != "LIBCAT_LANG"}
    r = subprocess.run([sys.executable, "-m", "libcat", "--db", db, "--lang", "kk", "import", str(lone)],
                       capture_output=True, text=True, env=env, timeout=120)
    assert r.returncode == 1
    assert r.stderr.splitlines() == [
        f"libcat: қате: {lone}: қасында .xrf файлы жоқ (жазбалардың ағымдағы нұсқаларын табу үшін XRF керек)"]


def test_the_library_takes_a_language(monkeypatch) -> None:
    monkeypatch.delenv("LIBCAT_LANG", raising=False)
    with pytest.raises(mio.FormatError, match="^файл бос$"):
        mio.detect_format(BOM, "x.bin", "kk")
    with pytest.raises(mio.FormatError, match=r"^белгісіз формат 'pdf'; мыналардың бірі күтіледі: iso2709, "):
        list(mio.read("x.pdf", "pdf", lang="kk"))
    with pytest.raises(mio.FormatError, match="^мастер-файлы IRBIS64 только читаются; "):
        mio.open_writer(None, "mst", lang="ru")  # type: ignore[arg-type]
    with pytest.raises(enc.EncodingError, match="^неизвестная кодировка 'nope'$"):
        enc.normalize_name("nope", "ru")
    with pytest.raises(enc.EncodingError, match="^unknown encoding 'nope'$"):
        enc.normalize_name("nope")
