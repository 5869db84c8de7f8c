"""Helpers for tests of what the real `libcat` command prints in English, Russian and Kazakh."""

from __future__ import annotations

import re
from pathlib import Path

from click.testing import CliRunner, Result

from libcat.cli import main


def invoke(db: str, *args: str, env: dict[str, str] | None = None) -> Result:
    """Run `libcat --db DB ARGS...` in-process with LIBCAT_LANG unset (plus ``env``)."""
    return CliRunner().invoke(main, ["--db", db, *args], env={"LIBCAT_LANG": "", **(env or {})})


def sqlite_catalogue(tmp_path: Path, name: str) -> str:
    """The URL of an initialised SQLite catalogue file ``name`` in ``tmp_path``."""
    url = f"sqlite:///{tmp_path / name}"
    assert invoke(url, "init").exit_code == 0
    return url


def error_line(result: Result, status: int = 1) -> tuple[str | None, str]:
    """The one line a failed command prints, split into its prefix's word ("error", "ошибка", "қате"; None
    without one) and the message after "libcat: <word>: "."""
    lines = [ln for ln in result.output.splitlines() if ln.strip()]
    assert result.exit_code == status, result.output
    assert len(lines) == 1 and "Traceback" not in result.output, result.output
    prefix = re.match(r"libcat: (?:(error|ошибка|қате): )?", lines[0])
    assert prefix, lines[0]
    return prefix.group(1), lines[0][prefix.end():]
