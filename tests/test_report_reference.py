"""Tables 1 and 2 of ../shared/reference/report-tables.md reproduced from generated catalogues with those counts."""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import delete, insert, select, update

from libcat.catalog.models import CatalogRecord, Subcatalog
from libcat.stats import period as periods
from libcat.stats import render, tables

# (code, name as the report writes it, at start, added, Kazakh at end)
TABLE1 = [
    ("books", "Книга", 17288, 825, 7381), ("articles", "Статьи", 14089, 2131, 12996),
    ("local-lore", "Краеведение", 13643, 805, 0), ("periodicals", "Периодика", 264, 0, 0),
    ("ecology", "Экология", 1441, 250, 0), ("cd", "СД", 73, 0, 0), ("professional", "Профессионал", 3556, 143, 0),
    ("rare", "Редкий фонд", 143, 0, 0), ("e-books", "Е-Книга", 238, 5, 0), ("e-articles", "Е-Статья", 425, 0, 0),
]
TABLE2 = [
    ("books", "Кітаптар", 18218, 792), ("cd", "СД", 103, 4), ("e-books", "Е-кітап", 43, 4),
    ("articles", "Мақалалар", 34912, 789), ("local-lore", "Өлкетану", 8440, 402), ("ecology", "Экология", 1795, 16),
    ("e-articles", "Е-мақалалар", 30, 1), ("professional", "Кәсіби маман", 0, 0),
    ("periodicals", "Мерзімді басылым", 0, 0), ("children", "Балалар әдебиеті", 0, 0),
]


def _layout(catalog, order: list[tuple[str, str]], lang: str) -> dict[str, int]:
    """Keep only the report's sub-catalogues, in its order and with its names; return code -> id."""
    codes = [c for c, _ in order]
    with catalog.session() as s:
        s.execute(delete(Subcatalog).where(Subcatalog.code.not_in(codes)))
        for n, (code, name) in enumerate(order):
            s.execute(update(Subcatalog).where(Subcatalog.code == code).values(sort_order=n, **{f"name_{lang}": name}))
        return dict(s.execute(select(Subcatalog.code, Subcatalog.id)).all())


def _bulk(catalog, rows: list[dict]) -> None:
    now = dt.datetime(2024, 2, 1)
    base = {"source": "gen", "flavour": "irbis", "data": "{}", "content_hash": "0" * 64, "created_at": now,
            "datestamp": now, "own_publication": False, "language": "rus", "deleted_at": None, "deleted_reason": None}
    with catalog.engine.begin() as conn:
        for i in range(0, len(rows), 20000):
            conn.execute(insert(CatalogRecord.__table__), [{**base, **r} for r in rows[i:i + 20000]])


def _generate(sub_id: int, year: int, at_start: int, added: int, kazakh: int, in_prev_year: int) -> list[dict]:
    """Records of one sub-catalogue: ``at_start`` before ``year`` (``in_prev_year`` of them entered the year
    before), ``added`` during it, ``kazakh`` of all in Kazakh; plus records that must not count: deleted
    before the year, and duplicates entered and merged within it."""
    out = []
    for i in range(at_start):
        if i < in_prev_year:
            entry = dt.date(year - 1, 1 + i % 12, 1 + i % 28)
        else:
            entry = dt.date(year - 2 - i % 10, 1 + i % 12, 1 + i % 28)
        if i == 0 and in_prev_year:
            entry = dt.date(year - 1, 12, 31)
        out.append({"subcat_id": sub_id, "entry_date": entry})
    for i in range(added):
        entry = dt.date(year, 1, 1) if i == 0 else dt.date(year, 12, 31) if i == 1 else dt.date(year, 1 + i % 12, 1 + i % 28)
        out.append({"subcat_id": sub_id, "entry_date": entry})
    for r in out[:kazakh]:
        r["language"] = "kaz"
    if at_start or added:
        out.append({"subcat_id": sub_id, "entry_date": dt.date(year - 3, 5, 5), "deleted_at": dt.datetime(year - 1, 6, 1)})
        out.append({"subcat_id": sub_id, "entry_date": dt.date(year, 3, 3), "deleted_at": dt.datetime(year, 4, 4),
                    "deleted_reason": "duplicate"})
        out.append({"subcat_id": sub_id, "entry_date": dt.date(year, 12, 31) + dt.timedelta(days=1)})
    return out


def test_table1_russian_2020(catalog):
    ids = _layout(catalog, [(c, n) for c, n, *_ in TABLE1], "ru")
    rows = []
    prev_left = 4184  # "выполнено 2019" of the same report's headline row
    for code, _, start, added, kaz in TABLE1:
        prev = min(prev_left, start - 1)
        prev_left -= prev
        rows += _generate(ids[code], 2020, start, added, kaz, prev)
    _bulk(catalog, rows)
    plan = tables.Settings("plan.toml", {"2020": {"books": 800, "articles": 1900, "total": 4000}})
    p = periods.make("year", 2020)
    with catalog.session() as s:
        ek = tables.ek(s, p, "ru", plan)
        head = tables.headline(s, p, "ru", plan)
    got = [(r.name, r.values["at_start"], r.values["added"], r.values["at_end"]) for r in ek.rows]
    assert got == [(f"ЭК «{n}»", a, b, a + b) for _, n, a, b, _ in TABLE1]
    assert (ek.total.name, ek.total.values["at_start"], ek.total.values["added"], ek.total.values["at_end"]) == (
        "Всего:", 51160, 4159, 55319)
    assert ek.rows[0].values["kazakh_at_end"] == 7381 and ek.rows[0].values["plan"] == 800
    assert ek.total.values["plan"] == 4000
    assert head.rows[0].values == {"done_previous": 4184, "plan": 4000, "done": 4159}
    text = render.text([ek]).splitlines()
    header = text[2]
    for label in ("Наименование каталога", "Состоит на 01.01.2020", "Внесено за 2020 год", "на 01.01.2021"):
        assert label in header
    assert text[4].split()[:2] == ["ЭК", "«Книга»"] and text[4].split()[2:6] == ["2006", "17288", "825", "18113"]
    assert text[-1].split()[:4] == ["Всего:", "51160", "4159", "55319"]


def test_table2_kazakh_2023(catalog):
    ids = _layout(catalog, [(c, n) for c, n, *_ in TABLE2], "kk")
    rows = []
    for code, _, start, added in TABLE2:
        rows += _generate(ids[code], 2023, start, added, 0, 0)
    _bulk(catalog, rows)
    p = periods.make("year", 2023)
    with catalog.session() as s:
        ek = tables.ek(s, p, "kk")
    assert [(r.name, r.values["at_start"], r.values["added"], r.values["at_end"]) for r in ek.rows] == [
        (f"«{n}» ЭК", a, b, a + b) for _, n, a, b in TABLE2]
    assert ek.total.name == "ОҚК бойынша барлығы"
    assert [ek.total.values[k] for k in ("at_start", "added", "at_end")] == [63541, 2008, 65549]
    md = render.markdown([ek])
    assert "| 01.01.2023 ж. құрайды | 2023 жылы енгізілді | 01.01.2024 ж. құрайды |" in md
    assert "| «Кітаптар» ЭК | 2006 | 18218 | 19010 |" not in md  # columns are at_start, added, at_end
    assert "| «Кітаптар» ЭК | 2006 | 18218 | 792 | 19010 |" in md
    assert "| «Кәсіби маман» ЭК |  | - | - | - | - | - |" in md
    assert "| **ОҚК бойынша барлығы** |  | **63541** | **2008** | **65549** |" in md
    data = json.loads(render.json_text([ek]))
    prof = next(r for r in data["rows"] if r["code"] == "professional")
    assert (prof["at_start"], prof["added"], prof["at_end"], prof["kazakh_at_end"]) == (0, 0, 0, 0)
    assert data["total"]["at_end"] == 65549 and data["period"] == {"from": "2023-01-01", "to": "2023-12-31"}
