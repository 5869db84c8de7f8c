"""`stats --table contracts`: "of which put on the site" agrees with `libcat rights` (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from libcat.catalog.store import open_catalog
from libcat.cli import main
from libcat.cli import stats as stats_cli

from test_digitize_helpers import add_record, irbis_record, make_pdf

stats_cli.register(main)

#: Works of contracts signed in 2024, each digitized unless said: whether `rights` allows the site on 31.12.2024.
WORKS = {
    "digitize-only": False,         # the contract allows digitizing, not the site (the reviewer's case)
    "site": True,                   # the contract allows the site
    "own": True,                    # digitize-only contract, but the library's own publication
    "dead-1940": True,              # digitize-only contract, author died 1940 (record text): public domain
    "dead-1960": False,             # digitize-only contract, author died 1960: protected until 2030
    "hand-1950": True,              # digitize-only contract, death year 1950 set by hand
    "site-expired": False,          # the site contract ended on 30.06.2024
    "site-not-digitized": True,     # the site contract, but nothing digitized: nothing to put on the site
    "site-by-older": True,          # digitize-only contract in 2024, an older contract allows the site
}


@pytest.fixture
def cli(run_cli, db_url: str, tmp_path: Path):
    """A catalogue with the works of WORKS, their scans and their contracts; returns (run_cli, ids)."""
    assert run_cli("init").exit_code == 0
    cat = open_catalog(db_url)
    ids = {}
    for n, key in enumerate(WORKS):
        dates = {"dead-1940": "1890-1940", "dead-1960": "1900-1960"}.get(key)
        ids[key] = add_record(cat, irbis_record(key, cn=f"W-{n}", author=("Автор", f"{n}."), dates=dates))
    cat.engine.dispose()
    pdf = make_pdf(tmp_path / "scan.pdf", 2)
    for key, rid in ids.items():
        if key != "site-not-digitized":
            assert run_cli("digitize", "add", "--record", str(rid), "--date", "2024-03-01", str(pdf)).exit_code == 0

    def contract(scope: str, *keys: str, signed: str = "2024-02-01", until: str | None = None) -> None:
        args = ["contract", "add", "--holder", "Тынышбаев К.", "--signed", signed, "--scope", scope]
        args += ["--until", until] if until else []
        for key in keys:
            args += ["--record", str(ids[key])]
        r = run_cli(*args)
        assert r.exit_code == 0, r.output

    contract("digitize", "digitize-only", "own", "dead-1940", "dead-1960", "hand-1950", "site-by-older")
    contract("digitize,publish-site", "site", "site-not-digitized")
    contract("publish-site", "site-expired", until="2024-06-30")
    contract("publish-site", "site-by-older", signed="2019-05-05")
    assert run_cli("rights", str(ids["own"]), "--own-publication").exit_code == 0
    assert run_cli("rights", str(ids["hand-1950"]), "--death-year", "1950").exit_code == 0
    return run_cli, ids


def test_put_on_site_agrees_with_rights(cli) -> None:
    run, ids = cli
    for key, expected in WORKS.items():
        r = run("--lang", "ru", "rights", str(ids[key]), "--scope", "publish-site", "--date", "2024-12-31")
        verdict = next(ln for ln in r.output.splitlines() if ln.startswith("publish-site\t")).split("\t")[1]
        assert verdict == ("разрешено" if expected else "не разрешено"), (key, r.output)
    r = run("--lang", "kk", "stats", "--year", "2024", "--table", "contracts", "--format", "json")
    assert r.exit_code == 0, r.output
    data = json.loads(r.output)
    assert data["columns"]["published"] == "оның ішінде сайтта қойылған"
    rows = {row["code"]: row for row in data["rows"]}
    on_site = [key for key, allowed in WORKS.items() if allowed and key != "site-not-digitized"]
    assert on_site == ["site", "own", "dead-1940", "hand-1950", "site-by-older"]
    assert (rows["new"]["contracts"], rows["new"]["works"], rows["new"]["published"]) == (3, 9, 5)
    assert (rows["renewal"]["contracts"], rows["renewal"]["published"]) == (0, 0)
    assert (data["total"]["works"], data["total"]["published"]) == (9, 5)
    r = run("--lang", "ru", "stats", "--year", "2019", "--table", "contracts", "--format", "json")
    assert json.loads(r.output)["total"]["published"] == 0  # nothing digitized by the end of 2019


def test_reviewer_repro(cli) -> None:
    """A digitize-only contract over two digitized works: none of them is on the site."""
    run, ids = cli
    r = run("contract", "add", "--holder", "Тынышбаев К.", "--signed", "2024-12-01", "--record",
            str(ids["digitize-only"]), "--record", str(ids["dead-1960"]), "--scope", "digitize")
    assert r.exit_code == 0, r.output
    r = run("--lang", "kk", "stats", "--from", "2024-12-01", "--to", "2024-12-31", "--table", "contracts",
            "--format", "json")
    assert json.loads(r.output)["total"]["works"] == 2
    assert json.loads(r.output)["total"]["published"] == 0
