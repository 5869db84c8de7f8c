"""`stats` tables from a catalogue built record by record, with hand-counted expectations (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt

import pytest
from pymarc import Field, Record, Subfield
from sqlalchemy import select

from libcat.catalog import records
from libcat.catalog.models import (
    Collection, Contract, ContractRecord, Copy, DigitalObject, RecordEvent, Subcatalog,
)
from libcat.marc.flavour import IRBIS, IRBIS_VALUE_CODE, set_flavour
from libcat.stats import period as periods
from libcat.stats import tables

MB = 1024 * 1024


def irbis(entry: dt.date, lang: str, title: str = "Title") -> Record:
    """An IRBIS record entered into the EK on ``entry`` (907^A) in language ``lang`` (101)."""
    r = Record()
    r.add_field(Field(tag="101", indicators=[" ", " "], subfields=[Subfield(IRBIS_VALUE_CODE, lang)]))
    r.add_field(Field(tag="200", indicators=[" ", " "], subfields=[Subfield("a", title)]))
    r.add_field(Field(tag="907", indicators=[" ", " "], subfields=[Subfield("a", entry.strftime("%Y%m%d"))]))
    return set_flavour(r, IRBIS)


def _dt(*a: int) -> dt.datetime:
    return dt.datetime(*a)


@pytest.fixture
def built(catalog):
    """A small catalogue whose every count for 2020 is known (see the comments)."""
    rows = {}
    with catalog.session() as s:
        sub = {c.code: c for c in s.scalars(select(Subcatalog))}

        def add(key, code, entry, lang):
            rows[key] = records.create(s, irbis(entry, lang, key), IRBIS, subcat=sub[code])

        # books
        add("b1", "books", dt.date(2019, 5, 1), "kaz")
        add("b2", "books", dt.date(2019, 12, 31), "rus")       # last day before the period: at start
        add("b3", "books", dt.date(2020, 1, 1), "kaz")         # first day: added
        add("b4", "books", dt.date(2020, 12, 31), "kaz")       # last day: added
        add("b5", "books", dt.date(2021, 1, 1), "rus")         # after the period
        add("b6", "books", dt.date(2018, 3, 3), "rus")         # deleted mid-period
        add("b7", "books", dt.date(2020, 3, 1), "kaz")         # duplicate entered and merged in the period
        add("b8", "books", dt.date(2017, 1, 1), "rus")         # deleted before the period
        add("b9", "books", dt.date(2019, 2, 2), "rus")         # merged after the period
        # articles
        add("a1", "articles", dt.date(2020, 7, 7), "kaz")
        add("a2", "articles", dt.date(2020, 8, 8), "rus")
        add("a3", "articles", dt.date(2015, 1, 1), "kaz")
        # local lore (no "since" in the profile: derived from the first entry)
        add("l1", "local-lore", dt.date(2012, 5, 5), "kaz")
        s.flush()
        records.delete(s, rows["b6"], reason="written off")
        records.delete(s, rows["b7"], merged_into=rows["b3"])
        records.delete(s, rows["b8"], reason="written off")
        records.delete(s, rows["b9"], merged_into=rows["b1"])
        rows["b6"].deleted_at = _dt(2020, 6, 15, 12)
        rows["b7"].deleted_at = _dt(2020, 4, 1, 9)
        rows["b8"].deleted_at = _dt(2019, 11, 11)
        rows["b9"].deleted_at = _dt(2021, 2, 1)
        s.flush()
        when = {"b6": _dt(2020, 6, 15, 12), "b7": _dt(2020, 4, 1, 9), "b8": _dt(2019, 11, 11), "b9": _dt(2021, 2, 1)}
        for ev in s.scalars(select(RecordEvent).where(RecordEvent.kind.in_(("deleted", "merged")))):
            ev.at = when[next(k for k, r in rows.items() if r.id == ev.record_id)]

        def edit(key, at):
            row = rows[key]
            rec = records.load(row)
            rec.add_field(Field(tag="300", indicators=[" ", " "], subfields=[Subfield("a", f"note {at}")]))
            assert records.update(s, row, rec, IRBIS)
            s.flush()
            ev = s.scalars(select(RecordEvent).where(RecordEvent.record_id == row.id, RecordEvent.kind == "updated")
                           .order_by(RecordEvent.id.desc())).first()
            ev.at = at

        edit("b1", _dt(2020, 2, 1))
        edit("b1", _dt(2020, 9, 1))             # same record twice: edited once
        edit("a1", _dt(2020, 12, 31, 23, 59, 59))
        edit("b2", _dt(2021, 1, 1, 0, 0, 0))    # after the period
        edit("b3", _dt(2019, 12, 31, 23, 59))   # before the period (its entry date says 2020 but the edit counts)

        # digitization
        art = Collection(name="artists", name_ru="Художники Караганды", name_kk="Қарағанды суретшілері")
        afg = Collection(name="afgan", name_ru="Афган 1979-1989", name_kk="Ауған 1979-1989")
        s.add_all([art, afg])
        s.flush()

        def obj(key, type_, lang, on, pages, mb, coll=None, deleted=None):
            s.add(DigitalObject(record_id=rows[key].id, type=type_, language=lang, digitized_on=on, pages=pages,
                                bytes=int(mb * MB), collection_id=coll.id if coll else None, deleted_at=deleted))

        obj("a1", "newspaper-article", "kaz", dt.date(2020, 1, 1), 2, 1, art)
        obj("a2", "newspaper-article", "rus", dt.date(2019, 12, 31), 3, 0.5, afg)
        obj("a1", "journal-article", None, dt.date(2020, 12, 31), 5, 2, art)     # Kazakh by its record
        obj("b1", "book", "kaz", dt.date(2018, 6, 1), 100, 10, afg)
        obj("b2", "book", "rus", dt.date(2020, 5, 5), 200, 20, None, _dt(2021, 3, 1))  # deleted after the end
        obj("b4", "book", "kaz", dt.date(2020, 2, 2), 50, 5, None, _dt(2020, 9, 9))    # deleted in the period
        obj("b4", "book-chapter", "kaz", dt.date(2021, 1, 1), 7, 1)                   # after the period

        # holdings
        for key, n, off, received in (("b1", 3, None, None), ("b2", 2, None, None), ("l1", 1, None, None),
                                      ("b6", 1, None, None)):
            for i in range(n):
                s.add(Copy(record_id=rows[key].id, inventory_number=f"{key}-{i}", receipt_date=received))
        s.add(Copy(record_id=rows["b1"].id, inventory_number="b1-off", written_off_at=dt.date(2020, 5, 5)))
        s.add(Copy(record_id=rows["b2"].id, inventory_number="b2-late", receipt_date=dt.date(2021, 2, 2)))
        rows["b1"].fund_kazakhstan = True
        rows["b1"].fund_local_lore = True
        rows["b2"].fund_rare = True

        # contracts
        k0 = Contract(holder="Башар Ж.", author="Башар Ж.", signed_on=dt.date(2019, 3, 3))
        s.add(k0)
        s.flush()
        k1 = Contract(holder="Кәрім Н.", author="Кәрім Н.", signed_on=dt.date(2020, 1, 1))
        k2 = Contract(holder="Башар Ж.", author="Башар Ж.", signed_on=dt.date(2020, 12, 31), renewal_of=k0.id)
        k3 = Contract(holder="Төлеу Е.", author="Төлеу Е.", signed_on=dt.date(2021, 1, 1))
        k4 = Contract(holder="Кәрім Н.", author="Кәрім Н.", signed_on=dt.date(2020, 6, 6))
        s.add_all([k1, k2, k3, k4])
        s.flush()
        for k, keys in ((k0, ["b2"]), (k1, ["b1", "b3"]), (k2, ["b2"]), (k3, ["b4"]), (k4, ["b1"])):
            for key in keys:
                s.add(ContractRecord(contract_id=k.id, record_id=rows[key].id))
    return catalog


Y2020 = periods.make("year", 2020)
PLAN = tables.Settings("plan.toml", {"2020": {"books": 3, "articles": 2, "total": 6}})


def table(cat, name, lang="ru", period=Y2020, **kw):
    with cat.session() as s:
        return tables.build(s, name, period, lang, **kw)


def by_code(t):
    return {r.code: r.values for r in t.rows}


def test_ek_every_cell(built):
    t = table(built, "ek", plan=PLAN)
    rows = by_code(t)
    assert rows["books"] == {"since": 2006, "at_start": 4, "added": 2, "at_end": 5, "kazakh_at_end": 3, "plan": 3}
    assert rows["articles"] == {"since": 2007, "at_start": 1, "added": 2, "at_end": 3, "kazakh_at_end": 2, "plan": 2}
    assert rows["local-lore"] == {"since": 2012, "at_start": 1, "added": 0, "at_end": 1, "kazakh_at_end": 1,
                                  "plan": None}
    empty = [r for r in t.rows if r.code not in ("books", "articles", "local-lore")]
    assert len(empty) == 8 and all(r.empty for r in empty)
    assert all(r.values["at_start"] == r.values["added"] == r.values["at_end"] == 0 for r in empty)
    assert t.total.values == {"since": None, "at_start": 6, "added": 4, "at_end": 9, "kazakh_at_end": 6, "plan": 6}
    assert t.columns == {
        "name": "Наименование каталога", "since": "С какого года ведется", "at_start": "Состоит на 01.01.2020",
        "added": "Внесено за 2020 год", "at_end": "на 01.01.2021", "kazakh_at_end": "В т.ч. на казахском языке",
        "plan": "План",
    }
    assert [r.name for r in t.rows[:3]] == ["ЭК «Книги»", "ЭК «Статьи»", "ЭК «Краеведение»"]
    assert t.total.name == "Всего:"


def test_ek_kazakh_labels(built):
    t = table(built, "ek", "kk")
    assert t.columns["at_start"] == "01.01.2020 ж. құрайды"
    assert t.columns["added"] == "2020 жылы енгізілді"
    assert t.columns["at_end"] == "01.01.2021 ж. құрайды"
    assert [r.name for r in t.rows[:3]] == ["«Кітаптар» ЭК", "«Мақалалар» ЭК", "«Өлкетану» ЭК"]
    assert t.total.name == "ОҚК бойынша барлығы"
    assert by_code(t)["books"]["plan"] is None and t.total.values["plan"] is None


@pytest.mark.parametrize(("kind", "n", "expect", "ru_added", "kk_added"), [
    # H1: b3 added (b7 merged in April); b6 deleted 15 June leaves; at 01.07.2020: b1 b2 b3 b9
    ("half", 1, (4, 1, 4), "Внесено за I полугодие 2020 года", "2020 жылдың I жартыжылдығында енгізілді"),
    # Q2: starts 01.04 with b1 b2 b3 b6 b7 b9 (b7 is merged at 09:00 on 1 April: still there at 00:00)
    ("quarter", 2, (6, 0, 4), "Внесено за II квартал 2020 года", "2020 жылдың II тоқсанында енгізілді"),
    # 9 months: b3 (b4 enters 31 Dec)
    ("months", 9, (4, 1, 4), "Внесено за 9 месяцев 2020 года", "2020 жылдың 9 айында енгізілді"),
])
def test_ek_books_other_periods(built, kind: str, n: int, expect, ru_added: str, kk_added: str):
    p = periods.make(kind, 2020, n)
    ru = table(built, "ek", "ru", p)
    b = by_code(ru)["books"]
    assert (b["at_start"], b["added"], b["at_end"]) == expect
    assert ru.columns["added"] == ru_added
    assert table(built, "ek", "kk", p).columns["added"] == kk_added


def test_ek_range_is_inclusive(built):
    p = periods.from_options(date_from="31.12.2020", date_to="2020-12-31")
    b = by_code(table(built, "ek", "ru", p))["books"]
    assert (b["at_start"], b["added"], b["at_end"]) == (4, 1, 5)


def test_ek_since_of_a_subcatalogue_whose_records_left_before_the_period(catalog):
    with catalog.session() as s:
        lore = s.scalar(select(Subcatalog).where(Subcatalog.code == "local-lore"))
        row = records.create(s, irbis(dt.date(2012, 5, 5), "kaz", "gone"), IRBIS, subcat=lore)
        s.flush()
        records.delete(s, row, reason="written off")
        row.deleted_at = _dt(2019, 3, 3)
    t = table(catalog, "ek")
    lore_row = next(r for r in t.rows if r.code == "local-lore")
    assert lore_row.empty and lore_row.values == {
        "since": 2012, "at_start": 0, "added": 0, "at_end": 0, "kazakh_at_end": 0, "plan": None}
    assert [r.code for r in t.rows if r.code == "none"] == []


def test_ek_work(built):
    t = table(built, "ek-work")
    assert by_code(t) == {"edited": {"count": 2}, "duplicates-deleted": {"count": 1}}
    assert [r.name for r in t.rows] == ["Отредактировано записей", "Удалено дублетных записей"]
    assert [r.name for r in table(built, "ek-work", "kk").rows] == ["Өңделген жазбалар", "Жойылған дублет жазбалар"]
    t21 = table(built, "ek-work", period=periods.make("year", 2021))
    assert by_code(t21) == {"edited": {"count": 1}, "duplicates-deleted": {"count": 1}}


def test_digitization_every_cell(built):
    t = table(built, "digitization")
    rows = by_code(t)
    keys = ("docs_period", "docs_period_kaz", "docs_all", "docs_all_kaz", "pages_period", "pages_period_kaz",
            "pages_all", "pages_all_kaz", "mb_period", "mb_all")
    expect = {
        "newspaper-article": (1, 1, 2, 1, 2, 2, 5, 2, 1.0, 1.5),
        "journal-article": (1, 1, 1, 1, 5, 5, 5, 5, 2.0, 2.0),
        "book-chapter": (0, 0, 0, 0, 0, 0, 0, 0, 0.0, 0.0),
        "book": (1, 0, 2, 1, 200, 0, 300, 100, 20.0, 30.0),
        "total": (3, 2, 5, 3, 207, 7, 310, 107, 23.0, 33.5),
    }
    assert [r.code for r in t.rows] == ["total", "newspaper-article", "journal-article", "book-chapter", "book"]
    for code, values in expect.items():
        assert rows[code] == dict(zip(keys, values)), code
    assert t.total is t.rows[0]
    assert [r.name for r in t.rows] == ["Всего", "газетные статьи", "журнальные статьи", "главы книги", "Все книги"]
    kk = table(built, "digitization", "kk")
    assert [r.name for r in kk.rows] == [
        "Барлығы", "Газет мақалалары", "Журнал мақалалары", "Кітаптан мақалалар", "Толық кітаптар"]
    assert kk.columns["docs_period"] == "құжаттар 2020 ж." and kk.columns["docs_period_kaz"] == "оның іш.қаз.т."
    assert t.columns["docs_period"] == "документов в течение года"
    assert t.columns["pages_all"] == "страниц за все года"


def test_fund_digitization(built):
    t = table(built, "fund-digitization")
    # copies held: b1 3 (a 4th written off), b2 2 (a 3rd received later), l1 1; b6's copy goes with the record.
    # digitized books: b1 and b2 (b4's scan was deleted); b1 local lore + Kazakhstan by hand, b2 rare by hand
    assert by_code(t) == {
        "book-fund": {"total": 6, "digitized": 2},
        "rare": {"total": 2, "digitized": 1},
        "local-lore": {"total": 4, "digitized": 1},
        "kazakhstan": {"total": 3, "digitized": 1},
    }
    given = table(built, "fund-digitization", fund=tables.Settings("fund.toml", {"total": 283120, "rare": 143}))
    assert by_code(given)["book-fund"] == {"total": 283120, "digitized": 2}
    assert by_code(given)["local-lore"] == {"total": 4, "digitized": 1}
    assert [r.name for r in table(built, "fund-digitization", "kk").rows][1] == "Сирек кітаптар, қолжазбалар"


def test_collections(built):
    t = table(built, "collections")
    assert [(r.code, r.name, r.values) for r in t.rows] == [
        ("afgan", "Афган 1979-1989", {"items": 0, "mb": 0.0, "items_all": 2, "mb_all": 10.5}),
        ("artists", "Художники Караганды", {"items": 2, "mb": 3.0, "items_all": 2, "mb_all": 3.0}),
    ]
    assert t.total.values == {"items": 2, "mb": 3.0, "items_all": 4, "mb_all": 13.5}
    assert table(built, "collections", "kk").rows[1].name == "Қарағанды суретшілері"


def test_contracts(built):
    t = table(built, "contracts")
    assert by_code(t) == {
        "new": {"contracts": 2, "holders": 1, "works": 2, "published": 1},
        "renewal": {"contracts": 1, "holders": 1, "works": 1, "published": 1},
    }
    assert t.total.values == {"contracts": 3, "holders": 2, "works": 3, "published": 2}
    assert t.notes == ["Башар Ж.", "Кәрім Н."]


def test_headline(built):
    t = table(built, "headline", plan=PLAN)
    # 2019: b1, b2, b9 entered (b9 merged only in 2021); 2020: b3, b4, a1, a2
    assert by_code(t) == {"ek-records": {"done_previous": 3, "plan": 6, "done": 4}}
    assert t.columns == {"name": "Показатель", "done_previous": "выполнено 2019", "plan": "план на 2020",
                         "done": "выполнено в 2020"}
    assert table(built, "headline", "kk").columns == {
        "name": "Көрсеткіш", "done_previous": "2019 жылы орындалды", "plan": "2020 жылға арналған жоспар",
        "done": "2020 жылы орындалды"}


def test_digitization_labels_ru_kk(built):
    ru, kk = table(built, "digitization", "ru"), table(built, "digitization", "kk")
    assert ru.title == "Данные об оцифровке на конец отчетного года 01.01.2021"
    assert kk.title == "Құжаттарды цифрландыру, 01.01.2021 ж."
    assert ru.columns == {
        "name": "Оцифровано", "docs_period": "документов в течение года", "docs_period_kaz": "в т.ч. на казахском языке",
        "docs_all": "документов за все года", "docs_all_kaz": "в т.ч. на казахском языке",
        "pages_period": "страниц в течение года", "pages_period_kaz": "в т.ч. на казахском языке",
        "pages_all": "страниц за все года", "pages_all_kaz": "в т.ч. на казахском языке",
        "mb_period": "объем в течение года, МБ", "mb_all": "объем за все года, МБ",
    }
    assert kk.columns == {
        "name": "цифрланды", "docs_period": "құжаттар 2020 ж.", "docs_period_kaz": "оның іш.қаз.т.",
        "docs_all": "құжаттар барлық жылдарда", "docs_all_kaz": "оның іш.қаз.т.",
        "pages_period": "беттер 2020 ж.", "pages_period_kaz": "оның іш.қаз.т.",
        "pages_all": "беттер барлық жылдар", "pages_all_kaz": "оның іш.қаз.т.",
        "mb_period": "көлемі 2020 ж., Мб", "mb_all": "көлемі барлық жылдар, Мб",
    }
    half = table(built, "digitization", "ru", periods.make("half", 2020, 2))
    assert half.title == "Данные об оцифровке на конец отчетного периода 01.01.2021"
    assert half.columns["docs_period"] == "документов за II полугодие 2020 года"
    assert table(built, "digitization", "kk", periods.make("half", 2020, 2)).columns["docs_period"] == (
        "құжаттар 2020 ж. II жартыжылдық")


def test_fund_digitization_labels_ru_kk(built):
    ru, kk = table(built, "fund-digitization", "ru"), table(built, "fund-digitization", "kk")
    assert ru.title == "Оцифровка книжного фонда на 01.01.2021"
    assert kk.title == "Кітап қорын цифрландыру, 01.01.2021 ж."
    assert ru.columns == {"name": "Фонд", "total": "Всего", "digitized": "Всего оцифровано"}
    assert kk.columns == {"name": "Қор", "total": "барлығы", "digitized": "барлығы цифрланды"}
    assert [r.name for r in ru.rows] == [
        "Книжный фонд", "Редкие книги, рукописи", "Книжный фонд по краеведению", "Книги казахстанского содержания"]
    assert [r.name for r in kk.rows] == [
        "Кітап қоры", "Сирек кітаптар, қолжазбалар", "Өлкетану бойынша кітап қоры", "Қазақстандық мазмұндағы кітаптар"]


def test_collections_labels_ru_kk(built):
    ru, kk = table(built, "collections", "ru"), table(built, "collections", "kk")
    assert ru.title == "Полнотекстовые базы данных и электронные папки за 2020 год"
    assert kk.title == "Толық мәтінді дерекқорлар және электрондық папкалар, 2020 ж."
    assert ru.columns == {
        "name": "Коллекция (электронная папка)", "items": "Добавлено материалов за 2020 год",
        "mb": "Объем за 2020 год, МБ", "items_all": "Всего материалов", "mb_all": "Общий объем, МБ",
    }
    assert kk.columns == {
        "name": "Дерекқор (электрондық папка)", "items": "2020 жылы толықтырылды, материал",
        "mb": "Көлемі 2020 ж., Мб", "items_all": "Барлық материалдар", "mb_all": "Жалпы көлемі, Мб",
    }
    assert [r.name for r in kk.rows] == ["Ауған 1979-1989", "Қарағанды суретшілері"]
    assert (ru.total.name, kk.total.name) == ("Всего:", "Барлығы:")


def test_contracts_labels_ru_kk(built):
    ru, kk = table(built, "contracts", "ru"), table(built, "contracts", "kk")
    assert ru.title == "Авторские договоры за 2020 год"
    assert kk.title == "Авторлық шарттар, 2020 ж."
    assert ru.columns == {
        "name": "Договоры", "contracts": "Заключено договоров за 2020 год",
        "holders": "Авторов и правообладателей", "works": "Произведений", "published": "из них размещено на сайте",
    }
    assert kk.columns == {
        "name": "Шарттар", "contracts": "2020 жылы жасалған шарттар", "holders": "Авторлар мен құқық иеленушілер",
        "works": "Шығармалар", "published": "оның ішінде сайтта қойылған",
    }
    assert [r.name for r in ru.rows] == ["Новые договоры", "Повторные договоры"]
    assert [r.name for r in kk.rows] == ["Жаңа шарттар", "Қайта жасалған шарттар"]
    assert (ru.total.name, kk.total.name) == ("Всего:", "Барлығы:")


def test_headline_labels_ru_kk(built):
    ru, kk = table(built, "headline", "ru"), table(built, "headline", "kk")
    assert (ru.title, kk.title) == ("Основные количественные показатели", "Негізгі сандық көрсеткіштер")
    assert [r.name for r in ru.rows] == ["Количество записей в электронный каталог"]
    assert [r.name for r in kk.rows] == ["Электрондық каталогтағы жазбалар саны"]
    q3 = periods.make("quarter", 2020, 3)
    assert table(built, "headline", "ru", q3).columns == {
        "name": "Показатель", "done_previous": "выполнено за III квартал 2019 года",
        "plan": "план на III квартал 2020 года", "done": "выполнено за III квартал 2020 года"}
    assert table(built, "headline", "kk", q3).columns == {
        "name": "Көрсеткіш", "done_previous": "2019 жылдың III тоқсанында орындалды",
        "plan": "2020 жылдың III тоқсанына арналған жоспар", "done": "2020 жылдың III тоқсанында орындалды"}


def _plan(section: dict, key: str = "2020") -> tables.Settings:
    return tables.Settings("plan.toml", {key: section})


@pytest.mark.parametrize(("section", "total"), [
    ({"books": 5, "articles": 2}, 7),           # no total: the sum of the sub-catalogues
    ({"books": 5, "articles": 2, "total": 9}, 9),
    ({"total": 4}, 4),
    ({"books": None}, None),
    ({}, None),
])
def test_plan_total_is_the_same_in_ek_and_headline(built, section: dict, total):
    plan = _plan(section)
    assert table(built, "ek", plan=plan).total.values["plan"] == total
    assert by_code(table(built, "headline", plan=plan))["ek-records"]["plan"] == total


@pytest.mark.parametrize(("lang", "message"), [
    ("en", "plan.toml: plan for 2020: unknown sub-catalogue 'nope'; known: books, articles, local-lore,"),
    ("ru", "plan.toml: план на 2020: неизвестный подкаталог 'nope'; допустимы: books, articles, local-lore,"),
    ("kk", "plan.toml: 2020 жоспары: 'nope' ішкі каталогы белгісіз; рұқсат етілгендер: books, articles,"),
], ids=["en", "ru", "kk"])
def test_plan_with_an_unknown_subcatalogue_is_an_error(built, lang: str, message: str):
    plan = _plan({"books": 5, "articles": 2, "nope": 3})
    for name in ("ek", "headline"):
        with pytest.raises(tables.SettingsError) as err:
            table(built, name, lang, plan=plan)
        assert str(err.value).startswith(message), str(err.value)


def test_plan_figure_not_a_number_names_the_file_in_the_report_language(built):
    with pytest.raises(tables.SettingsError) as err:
        table(built, "ek", "kk", plan=_plan({"books": "x"}))
    assert str(err.value) == "plan.toml: 2020.books: сан күтілді, ал табылғаны 'x'"
    with pytest.raises(tables.SettingsError) as err:
        table(built, "fund-digitization", "ru", fund=tables.Settings("fund.toml", {"rare": -1}))
    assert str(err.value) == "fund.toml: rare: ожидалось число, а найдено -1"


def test_plan_of_each_period_is_its_own_section(built):
    plan = tables.Settings("plan.toml", {
        "2020": {"books": 10, "total": 12}, "2020-H1": {"books": 4}, "2020-Q2": {"total": 2}, "2020-M9": {"books": 8},
    })
    cases = [
        (periods.make("year", 2020), 10, 12),
        (periods.make("half", 2020, 1), 4, 4),
        (periods.make("half", 2020, 2), None, None),   # the annual plan is not cut into halves
        (periods.make("quarter", 2020, 2), None, 2),
        (periods.make("quarter", 2020, 3), None, None),
        (periods.make("months", 2020, 9), 8, 8),
        (periods.make("year", 2021), None, None),
    ]
    for p, books, total in cases:
        ek = table(built, "ek", period=p, plan=plan)
        assert (by_code(ek)["books"]["plan"], ek.total.values["plan"]) == (books, total), p.key
        assert by_code(table(built, "headline", period=p, plan=plan))["ek-records"]["plan"] == total, p.key
