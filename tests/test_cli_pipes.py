"""`libcat ... | head` whose reader has gone: the real command ends quietly with status 141 (128 + SIGPIPE)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO, SAMPLES


@pytest.fixture(scope="module")
def sample_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A SQLite catalogue holding the samples (one import batch, 35 records)."""
    db = str(tmp_path_factory.mktemp("pipes") / "catalog.db")
    subprocess.run([sys.executable, "-m", "libcat", "--db", db, "init"], cwd=REPO, check=True, capture_output=True)
    subprocess.run([sys.executable, "-m", "libcat", "--db", db, "import", str(SAMPLES / "kazakh-books-and-articles.txt")],
                   cwd=REPO, check=True, capture_output=True)
    return db


def _into_closed_pipe(db: str, *args: str) -> subprocess.CompletedProcess:
    """Run libcat with stdout a pipe whose read end is already closed: its first write meets EPIPE."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        return subprocess.run([sys.executable, "-m", "libcat", "--db", db, *args], cwd=REPO, stdout=write_end,
                              stderr=subprocess.PIPE, text=True, timeout=120)
    finally:
        os.close(write_end)


@pytest.mark.parametrize("args", [("--lang", "kk", "batches"), ("--lang", "ru", "list"), ("export",)])
def test_closed_stdout_pipe_ends_quietly(sample_db: str, args: tuple[str, ...]) -> None:
    done = _into_closed_pipe(sample_db, *args)
    assert (done.returncode, done.stderr) == (141, "")


def test_head_reads_what_it_wants(sample_db: str) -> None:
    done = subprocess.run(f'"{sys.executable}" -m libcat --db "{sample_db}" --lang kk list | head -1', shell=True,
                          cwd=REPO, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and done.stderr == ""
    assert len(done.stdout.splitlines()) == 1
