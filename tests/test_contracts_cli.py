"""Author contracts and the rights command end to end: add, renew, list, expiring, show (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from libcat.catalog.store import open_catalog

from test_digitize_helpers import add_record, irbis_record, make_pdf


@pytest.fixture
def cli(run_cli):
    """run_cli against an initialised catalogue."""
    assert run_cli("init").exit_code == 0
    return run_cli


@pytest.fixture
def cat(cli, db_url: str):
    c = open_catalog(db_url)
    yield c
    c.engine.dispose()


def test_contracts_and_rights_commands(cli, cat, tmp_path: Path) -> None:
    rid = add_record(cat, irbis_record("Қамшы", cn="KZ-0001", author=("Кәрім", "Н.")))
    cli("digitize", "add", "--record", str(rid), str(make_pdf(tmp_path / "k.pdf", 2)))
    scan = make_pdf(tmp_path / "contract.pdf", 1)
    r = cli("contract", "add", "--holder", "Кәрім Н.", "--signed", "2021-03-01", "--until", "2099-12-31",
            "--record", "KZ-0001", "--scope", "publish-site", "--number", "7/2021", "--file", str(scan))
    assert r.exit_code == 0, r.output
    r = cli("contract", "add", "--holder", "Кәрім Н.", "--signed", "2024-02-01", "--renewal-of", "1",
            "--scope", "publish-site,publish-aggregator")
    assert r.exit_code == 0 and "(1 record(s), scope publish-site,publish-aggregator)" in r.output
    assert cli("contract", "add", "--holder", "X", "--signed", "2024-02-01", "--scope", "print").exit_code == 1
    assert cli("contract", "add", "--holder", "X", "--signed", "2024-02-01", "--until", "2023-01-01").exit_code == 1
    r = cli("contract", "show", "1")
    assert "renewed by:\t2" in r.output and "scan:\tcontracts/" in r.output and "KZ-0001" in r.output
    assert cli("contract", "show", "99").exit_code == 1
    assert [ln.split("\t")[0] for ln in cli("contract", "list", "--year", "2024").output.splitlines()] == ["2"]
    assert cli("contract", "list", "--expiring", "30").output == ""
    r = cli("rights", "KZ-0001", "--scope", "publish-aggregator")
    assert r.exit_code == 0 and "publish-aggregator\tallowed\tcontract #2 with Кәрім Н. (from 2024-02-01, open-ended)" in r.output
    r = cli("rights", "KZ-0001", "--date", "2023-01-01")
    assert "publish-aggregator\tnot allowed" in r.output and "publish-site\tallowed" in r.output
    r = cli("rights", "KZ-0001", "--death-year", "1930", "--date", "2023-01-01", "--scope", "publish-aggregator")
    assert "allowed\tpublic domain since 2001-01-01: the author died in 1930 (set by hand)" in r.output
    r = cli("--lang", "ru", "rights", "KZ-0001", "--clear-death-year", "--own-publication", "--scope", "digitize")
    assert "digitize\tразрешено\tсобственное издание библиотеки" in r.output


def test_contract_expiring(cli, cat) -> None:
    add_record(cat, irbis_record("Қамшы", cn="KZ-0001"))
    soon = (dt.date.today() + dt.timedelta(days=10)).isoformat()
    later = (dt.date.today() + dt.timedelta(days=100)).isoformat()
    cli("contract", "add", "--holder", "A", "--signed", "2020-01-01", "--until", soon, "--record", "KZ-0001")
    cli("contract", "add", "--holder", "B", "--signed", "2020-01-01", "--until", later)
    cli("contract", "add", "--holder", "C", "--signed", "2020-01-01", "--until", "2021-01-01")
    out = cli("contract", "list", "--expiring", "30").output
    assert [ln.split("\t")[5] for ln in out.splitlines()] == ["A"]
    statuses = [ln.split("\t")[4] for ln in cli("contract", "list").output.splitlines()]
    assert statuses == ["active", "active", "expired"]
