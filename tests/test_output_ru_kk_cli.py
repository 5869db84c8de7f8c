"""The real `libcat` command prints in Russian and Kazakh: harvest, oai serve, export, init profiles, IRBIS64
master files, digitize fund, contracts, rights and show; the exact line of a representative text of each."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from pymarc import Field, Indicators, Subfield

from libcat.catalog import export as ex
from libcat.catalog.store import CatalogError, open_catalog
from libcat.kabis import mst
from libcat.oai.server import make_app
from libcat.stats import period, render
from libcat.stats.tables import Table

from cli_lang import error_line, invoke, sqlite_catalogue
from test_digitize_helpers import add_record, irbis_record, kamshy, make_pdf
from test_oai_helpers import serving


def _error(result) -> str:
    """The one line a failed command prints, without its "libcat: қате: " / "libcat: ошибка: " prefix."""
    word, message = error_line(result)
    assert word in ("ошибка", "қате"), result.output
    return message


@pytest.fixture
def sqlite_db(tmp_path: Path) -> str:
    """An initialised SQLite catalogue (the harvest target, or a catalogue for errors before any data)."""
    return sqlite_catalogue(tmp_path, "өлкетану.db")


@pytest.fixture
def cli(run_cli, db_url: str):
    """run_cli against an initialised catalogue holding «Қамшы» (KZ-0001, id 1)."""
    assert run_cli("init").exit_code == 0
    cat = open_catalog(db_url)
    assert kamshy(cat) == 1
    cat.engine.dispose()
    return run_cli


# --- oai/harvester.py and cli/oai.py ---

IDENTIFY_ERROR = (b'<?xml version="1.0"?><OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/">'
                  b"<responseDate>2024-01-01T00:00:00Z</responseDate><request>x</request>"
                  b'<error code="badVerb">Illegal verb</error></OAI-PMH>')


def _stub(body: bytes):
    """A WSGI app that answers every request with ``body``."""
    def app(environ, start_response):
        start_response("200 OK", [("Content-Type", "text/xml")])
        return [body]

    return app


def test_harvest_errors(sqlite_db: str) -> None:
    with serving(_stub(IDENTIFY_ERROR)) as url:
        r = invoke(sqlite_db, "--lang", "kk", "harvest", url)
        assert _error(r) == f"{url}: Identify сұрауына сервер badVerb қатесімен жауап берді: Illegal verb"
        r = invoke(sqlite_db, "--lang", "ru", "harvest", url)
        assert _error(r) == f"{url}: на запрос Identify сервер ответил ошибкой badVerb: Illegal verb"
    with serving(_stub(b"<OAI-PMH><broken")) as url:
        r = invoke(sqlite_db, "--lang", "kk", "harvest", url, "--name", "Қарағанды")
        assert _error(r).startswith(f"{url}: 0-бет: жауап дұрыс емес (XML қате құрылған: ")
    r = invoke(sqlite_db, "--lang", "ru", "harvest", "http://127.0.0.1:9/oai", "--retries", "0")
    assert _error(r).startswith("http://127.0.0.1:9/oai: страница 0: сетевая ошибка после повторных попыток (0): ")


def test_harvest_result_and_sources(cli, db_url: str, sqlite_db: str) -> None:
    source = open_catalog(db_url)
    try:
        with serving(make_app(source)) as url:
            r = invoke(sqlite_db, "--lang", "kk", "harvest", url, "--name", "Қарағанды")
            assert r.exit_code == 0, r.output
            assert r.output.splitlines() == [
                f"{url} мекенжайынан 1 бетте 1 жазба жиналды (жойылғандары: 0), дереккөз 'Қарағанды'",
                "топтама 1: оқылды 1, қосылды 1, жаңартылды 0, өзгеріссіз 0, дублеттер 0, жойылды 0, қабылданбады 0",
            ]
            r = invoke(sqlite_db, "--lang", "ru", "harvest", url, "--name", "Қарағанды")
            first = r.output.splitlines()[0]
            assert re.fullmatch(rf"собрано записей: \d \(удалённых: 0\), страниц: 1, из {re.escape(url)} "
                                r"как источник 'Қарағанды' изменения с 20\S+", first), first
    finally:
        source.engine.dispose()
    r = invoke(sqlite_db, "--lang", "ru", "harvest", "--list-sources")
    name, got_url, prefix, set_spec, into, next_from, state, seen, batch = r.output.rstrip("\n").split("\t")
    assert (name, got_url, prefix, set_spec, into, state, batch) == (
        "Қарағанды", url, "marc21", "набор=-", "подкаталог=-", "завершён", "пакет=2")
    assert next_from.startswith("следующий сбор с=20") and seen.startswith("получено=")


def test_harvest_without_sources_and_serve_banner(sqlite_db: str, monkeypatch) -> None:
    assert invoke(sqlite_db, "--lang", "kk", "harvest", "--list-sources").output == (
        "жинау көздері әзірге жоқ: libcat harvest URL\n")
    import waitress

    monkeypatch.setattr(waitress, "serve", lambda *args, **kwargs: None)
    r = invoke(sqlite_db, "--lang", "kk", "oai", "serve", "--port", "8099", "--repository-id", "ek.karaganda.kz")
    assert r.exit_code == 0, r.output
    cat = open_catalog(sqlite_db)
    cat.engine.dispose()
    assert r.stderr == (f"libcat: {cat.display_url} каталогының OAI-PMH провайдері: "
                        "http://127.0.0.1:8099/oai?verb=Identify (репозиторий ek.karaganda.kz); "
                        "тоқтату үшін Ctrl+C басыңыз\n")


# --- catalog/export.py and what `libcat export` prints ---

def test_export_errors_and_problem_lines(cli, db_url: str, tmp_path: Path) -> None:
    r = cli("--lang", "kk", "export", "--encoding", "cp1251", "-o", str(tmp_path / "Қарағанды.mrc"))
    problem, note, summary = r.stderr.splitlines()
    assert problem.startswith("жазба 1 [KZ-0001]: ескерту: ")
    assert note.startswith("ИРБИС-тің өз пішімінде (^ қосалқы өрістер, маркерсіз) жазылған ИРБИС жазбалары: 1; ")
    assert summary == "шығарылған жазбалар: 1 (мәселелер: 1)"
    r = cli("--lang", "ru", "export", "--encoding", "cp1251", "-o", str(tmp_path / "Караганда.mrc"))
    assert r.stderr.splitlines()[0].startswith("запись 1 [KZ-0001]: предупреждение: ")
    cat = open_catalog(db_url)
    try:
        with pytest.raises(CatalogError) as err:
            ex.export(cat, io.BytesIO(), ex.ExportOptions(fmt="pdf", lang="kk"))
        assert str(err.value) == "'pdf' шығару форматы белгісіз; рұқсат етілгендер: iso2709, marcxml, json, mrk, irbis"
        with pytest.raises(CatalogError) as err:
            ex.export(cat, io.BytesIO(), ex.ExportOptions(flavour="ұнимарк", lang="ru"))
        assert str(err.value) == "неизвестная разновидность MARC 'ұнимарк'; допустимы: keep, marc21, rusmarc, irbis"
    finally:
        cat.engine.dispose()


# --- kabis/profiles (libcat init), kabis/mst.py (libcat import), stats/render.py ---

def test_init_profile_errors(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'ек.db'}"
    r = invoke(db, "--lang", "kk", "init", "--profile", "Қарағанды")
    assert _error(r) == ("'Қарағанды' профилі табылмады (libcat-пен бірге келетін профильдер: kabis; "
                         "немесе .toml файлының жолын көрсетіңіз)")
    own = tmp_path / "өлкетану.toml"
    own.write_text('[[subcatalog]]\ncode = "olketanu"\nru = "Краеведение"\n', encoding="utf-8")
    r = invoke(db, "--lang", "ru", "init", "--profile", str(own))
    assert _error(r) == f"{own}: у подкаталога №1 не указано: kk"


def test_master_file_errors(sqlite_db: str, tmp_path: Path) -> None:
    lone = tmp_path / "Қарағанды.mst"
    lone.write_bytes(bytes(36))
    r = invoke(sqlite_db, "import", str(lone), env={"LIBCAT_LANG": "kk"})
    assert _error(r) == f"{lone}: қасында .xrf файлы жоқ (жазбалардың ағымдағы нұсқаларын табу үшін XRF керек)"
    short = tmp_path / "Өлкетану.mst"
    short.write_bytes(bytes(8))
    xrf = short.with_suffix(".xrf")
    xrf.write_bytes(b"")
    with pytest.raises(mst.MstError, match="^файл слишком короткий для управляющей записи IRBIS64$"):
        list(mst.iter_mst(short, xrf, lang="ru"))


def test_render_refuses_a_binary_format_in_the_tables_language() -> None:
    table = Table(name="ek", title="ЭК", period=period.make("year", 2023), lang="kk", columns={}, rows=[])
    with pytest.raises(ValueError, match="^'xlsx' форматы мәтіндік емес; рұқсат етілгендер: text, csv, json, md$"):
        render.render([table], "xlsx")


# --- cli/digitize.py: digitize fund, contract show/list, rights; cli/catalog.py: show ---

def test_fund_categories_and_their_sources(cli, db_url: str) -> None:
    cat = open_catalog(db_url)
    rare = irbis_record("Сирек кітап", cn="R-1", extra=[
        Field("102", indicators=Indicators(" ", " "), subfields=[Subfield("*", "KZ")])])
    add_record(cat, rare, subcat="rare")
    cat.engine.dispose()
    assert cli("--lang", "kk", "digitize", "fund", "R-1").output.splitlines() == [
        "rare\tиә\trare ішкі каталогы", "local-lore\tжоқ\t-", "kazakhstan\tиә\t102 өрісі"]
    assert cli("--lang", "ru", "digitize", "fund", "R-1", "--local-lore").output.splitlines() == [
        "rare\tда\tподкаталог rare", "local-lore\tда\tзадано вручную", "kazakhstan\tда\tполе 102"]


def test_contract_show_list_and_rights(cli, tmp_path: Path) -> None:
    assert cli("digitize", "add", "--record", "KZ-0001", str(make_pdf(tmp_path / "Қамшы.pdf", 2))).exit_code == 0
    assert cli("contract", "add", "--holder", "Кәрім Н.", "--signed", "2021-03-01", "--record", "KZ-0001",
               "--number", "7/2021").exit_code == 0
    assert cli("contract", "add", "--holder", "Кәрім Н.", "--signed", "2024-02-01", "--renewal-of", "1",
               "--note", "Өлкетану қорына").exit_code == 0
    assert cli("--lang", "ru", "contract", "show", "1").output.splitlines() == [
        "договор:\t1", "номер:\t7/2021", "правообладатель:\tКәрім Н.", "автор:\t-", "подписан:\t2021-03-01",
        "действует до:\t-", "состояние:\tдействует", "область:\tdigitize,publish-site", "продлевает:\t-",
        "продлён договорами:\t2", "скан:\t-", "запись:\t1\tKZ-0001\tҚамшы",
    ]
    shown = cli("--lang", "kk", "contract", "show", "2").output.splitlines()
    assert shown[0] == "шарт:\t2" and "жаңартады:\t1" in shown and "ескертпе:\tӨлкетану қорына" in shown
    assert cli("--lang", "kk", "contract", "list", "--year", "2024").output.split("\t")[-1] == "1 шартын жаңартады\n"
    r = cli("--lang", "kk", "rights", "KZ-0001", "--scope", "publish-site")
    assert r.exit_code == 0 and r.output.splitlines()[-1] == "нысан 1\tbook\t+"


def test_show_header(cli) -> None:
    header = cli("--lang", "kk", "show", "KZ-0001").output.splitlines()[0]
    assert re.fullmatch(r"# id 1 · irbis · \S+ · ЭК-ге енгізілді \S+ · қолданыста", header), header
    assert cli("delete", "KZ-0001").exit_code == 0
    header = cli("--lang", "ru", "show", "1").output.splitlines()[0]
    assert re.fullmatch(r"# id 1 · irbis · \S+ · внесена в ЭК \S+ · удалена \d{4}-\d\d-\d\d", header), header
