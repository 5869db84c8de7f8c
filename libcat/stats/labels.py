"""Labels of the report tables in Russian, Kazakh and English, worded as librarians write them.

"Состоит на 01.01.2020", "Внесено за 2020 год", "01.01.2024 ж. құрайды", "2023 жылы енгізілді"...
For periods other than a year the same phrases take the period: "Внесено за I полугодие 2020 года",
"2023 жылдың 9 айында енгізілді".
"""

from __future__ import annotations

import datetime as dt

from .period import Period

LANGS = ("ru", "kk", "en")
ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}
RU_MONTHS = (
    "январь", "февраль", "март", "апрель", "май", "июнь",
    "июль", "август", "сентябрь", "октябрь", "ноябрь", "декабрь",
)
EN_MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)


def day(d: dt.date) -> str:
    """A date as the reports write it: 01.01.2021."""
    return d.strftime("%d.%m.%Y")


def _range(p: Period) -> str:
    return f"{day(p.start)}–{day(p.end)}"


def _ru_months(n: int) -> str:
    if n % 10 == 1 and n % 100 != 11:
        return f"{n} месяц"
    if n % 10 in (2, 3, 4) and n % 100 not in (12, 13, 14):
        return f"{n} месяца"
    return f"{n} месяцев"


def ru_for(p: Period) -> str:
    """Russian "for the period": за 2020 год, за I полугодие 2020 года, за 9 месяцев 2020 года."""
    if p.kind == "year":
        return f"за {p.year} год"
    if p.kind == "half":
        return f"за {ROMAN[p.number]} полугодие {p.year} года"
    if p.kind == "quarter":
        return f"за {ROMAN[p.number]} квартал {p.year} года"
    if p.kind == "months":
        if p.number == 1:
            return f"за {RU_MONTHS[0]} {p.year} года"
        return f"за {_ru_months(p.number)} {p.year} года"
    return f"за период {_range(p)}"


def ru_on(p: Period) -> str:
    """Russian "for (a plan)": на 2020, на I полугодие 2020 года."""
    text = ru_for(p)
    if p.kind == "year":
        return f"на {p.year}"
    return "на " + text[3:]


def kk_in(p: Period) -> str:
    """Kazakh locative: 2023 жылы, 2023 жылдың I жартыжылдығында, 2023 жылдың 9 айында."""
    if p.kind == "year":
        return f"{p.year} жылы"
    if p.kind == "half":
        return f"{p.year} жылдың {ROMAN[p.number]} жартыжылдығында"
    if p.kind == "quarter":
        return f"{p.year} жылдың {ROMAN[p.number]} тоқсанында"
    if p.kind == "months":
        return f"{p.year} жылдың {p.number} айында"
    return f"{_range(p)} аралығында"


def kk_for(p: Period) -> str:
    """Kazakh dative (a plan "for"): 2023 жылға, 2023 жылдың I тоқсанына."""
    if p.kind == "year":
        return f"{p.year} жылға"
    if p.kind == "half":
        return f"{p.year} жылдың {ROMAN[p.number]} жартыжылдығына"
    if p.kind == "quarter":
        return f"{p.year} жылдың {ROMAN[p.number]} тоқсанына"
    if p.kind == "months":
        return f"{p.year} жылдың {p.number} айына"
    return f"{_range(p)} кезеңіне"


def kk_short(p: Period) -> str:
    """Kazakh column-head form: 2023 ж., 2023 ж. I жартыжылдық, 2023 ж. 9 ай."""
    if p.kind == "year":
        return f"{p.year} ж."
    if p.kind == "half":
        return f"{p.year} ж. {ROMAN[p.number]} жартыжылдық"
    if p.kind == "quarter":
        return f"{p.year} ж. {ROMAN[p.number]} тоқсан"
    if p.kind == "months":
        return f"{p.year} ж. {p.number} ай"
    return _range(p)


def en_in(p: Period) -> str:
    """English "in the period": in 2020, in H1 2020, in Q3 2020, in January–September 2020."""
    if p.kind == "year":
        return f"in {p.year}"
    if p.kind == "half":
        return f"in H{p.number} {p.year}"
    if p.kind == "quarter":
        return f"in Q{p.number} {p.year}"
    if p.kind == "months":
        return f"in {EN_MONTHS[0]}–{EN_MONTHS[p.number - 1]} {p.year}"
    return f"in {_range(p)}"


def subcatalog(name: str, lang: str) -> str:
    """A sub-catalogue row name: ЭК «Книги» / «Кітаптар» ЭК / Books."""
    if lang == "ru":
        return f"ЭК «{name}»"
    if lang == "kk":
        return f"«{name}» ЭК"
    return name


NO_SUBCATALOG = {"ru": "Без подкаталога", "kk": "Ішкі каталогсыз", "en": "No sub-catalogue"}


def _per_lang(ru: str, kk: str, en: str) -> dict[str, str]:
    return {"ru": ru, "kk": kk, "en": en}


TOTAL = {
    "ek": _per_lang("Всего:", "ОҚК бойынша барлығы", "Total"),
    "digitization": _per_lang("Всего", "Барлығы", "Total"),
    "collections": _per_lang("Всего:", "Барлығы:", "Total"),
    "contracts": _per_lang("Всего:", "Барлығы:", "Total"),
}

ROWS = {
    "ek-work": {
        "edited": _per_lang("Отредактировано записей", "Өңделген жазбалар", "Records edited"),
        "duplicates-deleted": _per_lang("Удалено дублетных записей", "Жойылған дублет жазбалар", "Duplicate records deleted"),
    },
    "digitization": {
        "newspaper-article": _per_lang("газетные статьи", "Газет мақалалары", "Newspaper articles"),
        "journal-article": _per_lang("журнальные статьи", "Журнал мақалалары", "Journal articles"),
        "book-chapter": _per_lang("главы книги", "Кітаптан мақалалар", "Book chapters"),
        "book": _per_lang("Все книги", "Толық кітаптар", "Whole books"),
    },
    "fund-digitization": {
        "book-fund": _per_lang("Книжный фонд", "Кітап қоры", "Book fund"),
        "rare": _per_lang("Редкие книги, рукописи", "Сирек кітаптар, қолжазбалар", "Rare books, manuscripts"),
        "local-lore": _per_lang(
            "Книжный фонд по краеведению", "Өлкетану бойынша кітап қоры", "Local lore fund"
        ),
        "kazakhstan": _per_lang(
            "Книги казахстанского содержания", "Қазақстандық мазмұндағы кітаптар", "Books with Kazakhstan content"
        ),
    },
    "contracts": {
        "new": _per_lang("Новые договоры", "Жаңа шарттар", "New contracts"),
        "renewal": _per_lang("Повторные договоры", "Қайта жасалған шарттар", "Renewals"),
    },
    "headline": {
        "ek-records": _per_lang(
            "Количество записей в электронный каталог", "Электрондық каталогтағы жазбалар саны",
            "Records entered into the electronic catalogue",
        ),
    },
}


#: XLSX sheet names: short (Excel allows 31 characters, none of []:*?/\\), in the report language.
SHEETS = {
    "ek": _per_lang("Учет записей ЭК", "ЭК жазбалары", "EK records"),
    "ek-work": _per_lang("Редактирование ЭК", "ЭК-ні редакциялау", "EK editing"),
    "digitization": _per_lang("Оцифровка", "Цифрландыру", "Digitization"),
    "fund-digitization": _per_lang("Оцифровка фонда", "Қорды цифрландыру", "Fund digitization"),
    "collections": _per_lang("Базы данных и папки", "Дерекқорлар мен папкалар", "Collections"),
    "contracts": _per_lang("Авторские договоры", "Авторлық шарттар", "Author contracts"),
    "headline": _per_lang("Основные показатели", "Негізгі көрсеткіштер", "Main indicators"),
}


def sheet(table: str, lang: str) -> str:
    """The name of ``table``'s sheet in an XLSX workbook."""
    return SHEETS[table][lang]


def row(table: str, code: str, lang: str) -> str:
    """The name of a fixed row of ``table``."""
    if code == "total":
        return TOTAL[table][lang]
    return ROWS[table][code][lang]


def title(table: str, p: Period, lang: str) -> str:
    """The heading printed above ``table``."""
    end = day(p.end_exclusive)
    ru_end = f"на конец отчетного года {end}" if p.kind == "year" else f"на конец отчетного периода {end}"
    titles = {
        "ek": _per_lang(
            "Учет библиографических записей в ЭК", "Электрондық каталогтағы жазбалар есебі",
            "Bibliographic records in the electronic catalogue",
        ),
        "ek-work": _per_lang(
            f"Редактирование ЭК {ru_for(p)}", f"ЭК-ні редакциялау, {kk_short(p)}", f"Editing of the catalogue {en_in(p)}"
        ),
        "digitization": _per_lang(
            f"Данные об оцифровке {ru_end}", f"Құжаттарды цифрландыру, {end} ж.", f"Digitization at {end}"
        ),
        "fund-digitization": _per_lang(
            f"Оцифровка книжного фонда на {end}", f"Кітап қорын цифрландыру, {end} ж.",
            f"Digitization of the book fund at {end}",
        ),
        "collections": _per_lang(
            f"Полнотекстовые базы данных и электронные папки {ru_for(p)}",
            f"Толық мәтінді дерекқорлар және электрондық папкалар, {kk_short(p)}",
            f"Full-text collections and electronic folders {en_in(p)}",
        ),
        "contracts": _per_lang(
            f"Авторские договоры {ru_for(p)}", f"Авторлық шарттар, {kk_short(p)}", f"Author contracts {en_in(p)}"
        ),
        "headline": _per_lang(
            "Основные количественные показатели", "Негізгі сандық көрсеткіштер", "Main indicators"
        ),
    }
    return titles[table][lang]


def columns(table: str, p: Period, lang: str) -> dict[str, str]:
    """Column labels of ``table``: ``name`` (the row-name column) first, then the value columns by key."""
    start, end = day(p.start), day(p.end_exclusive)
    year = p.kind == "year"
    prev = p.previous()
    ru_in_period = "в течение года" if year else ru_for(p)
    tables = {
        "ek": {
            "ru": {
                "name": "Наименование каталога", "since": "С какого года ведется",
                "at_start": f"Состоит на {start}", "added": f"Внесено {ru_for(p)}", "at_end": f"на {end}",
                "kazakh_at_end": "В т.ч. на казахском языке", "plan": "План",
            },
            "kk": {
                "name": "Электрондық каталог", "since": "Қай жылдан бастап жүргізіледі",
                "at_start": f"{start} ж. құрайды", "added": f"{kk_in(p)} енгізілді", "at_end": f"{end} ж. құрайды",
                "kazakh_at_end": "оның ішінде қазақ тілінде", "plan": "Жоспар",
            },
            "en": {
                "name": "Catalogue", "since": "Kept since", "at_start": f"At {start}",
                "added": f"Added {en_in(p)}", "at_end": f"At {end}", "kazakh_at_end": "Of which in Kazakh",
                "plan": "Plan",
            },
        },
        "ek-work": {
            "ru": {"name": "Показатель", "count": "Количество"},
            "kk": {"name": "Көрсеткіш", "count": "Саны"},
            "en": {"name": "Indicator", "count": "Count"},
        },
        "digitization": {
            "ru": {
                "name": "Оцифровано",
                "docs_period": f"документов {ru_in_period}", "docs_period_kaz": "в т.ч. на казахском языке",
                "docs_all": "документов за все года", "docs_all_kaz": "в т.ч. на казахском языке",
                "pages_period": f"страниц {ru_in_period}", "pages_period_kaz": "в т.ч. на казахском языке",
                "pages_all": "страниц за все года", "pages_all_kaz": "в т.ч. на казахском языке",
                "mb_period": f"объем {ru_in_period}, МБ", "mb_all": "объем за все года, МБ",
            },
            "kk": {
                "name": "цифрланды",
                "docs_period": f"құжаттар {kk_short(p)}", "docs_period_kaz": "оның іш.қаз.т.",
                "docs_all": "құжаттар барлық жылдарда", "docs_all_kaz": "оның іш.қаз.т.",
                "pages_period": f"беттер {kk_short(p)}", "pages_period_kaz": "оның іш.қаз.т.",
                "pages_all": "беттер барлық жылдар", "pages_all_kaz": "оның іш.қаз.т.",
                "mb_period": f"көлемі {kk_short(p)}, Мб", "mb_all": "көлемі барлық жылдар, Мб",
            },
            "en": {
                "name": "Digitized",
                "docs_period": f"documents {en_in(p)}", "docs_period_kaz": "of which in Kazakh",
                "docs_all": "documents, all years", "docs_all_kaz": "of which in Kazakh",
                "pages_period": f"pages {en_in(p)}", "pages_period_kaz": "of which in Kazakh",
                "pages_all": "pages, all years", "pages_all_kaz": "of which in Kazakh",
                "mb_period": f"MB {en_in(p)}", "mb_all": "MB, all years",
            },
        },
        "fund-digitization": {
            "ru": {"name": "Фонд", "total": "Всего", "digitized": "Всего оцифровано"},
            "kk": {"name": "Қор", "total": "барлығы", "digitized": "барлығы цифрланды"},
            "en": {"name": "Fund", "total": "Total", "digitized": "Digitized"},
        },
        "collections": {
            "ru": {
                "name": "Коллекция (электронная папка)", "items": f"Добавлено материалов {ru_for(p)}",
                "mb": f"Объем {ru_for(p)}, МБ", "items_all": "Всего материалов", "mb_all": "Общий объем, МБ",
            },
            "kk": {
                "name": "Дерекқор (электрондық папка)", "items": f"{kk_in(p)} толықтырылды, материал",
                "mb": f"Көлемі {kk_short(p)}, Мб", "items_all": "Барлық материалдар", "mb_all": "Жалпы көлемі, Мб",
            },
            "en": {
                "name": "Collection (electronic folder)", "items": f"Items added {en_in(p)}",
                "mb": f"MB {en_in(p)}", "items_all": "Items, all", "mb_all": "MB, all",
            },
        },
        "contracts": {
            "ru": {
                "name": "Договоры", "contracts": f"Заключено договоров {ru_for(p)}",
                "holders": "Авторов и правообладателей", "works": "Произведений",
                "published": "из них размещено на сайте",
            },
            "kk": {
                "name": "Шарттар", "contracts": f"{kk_in(p)} жасалған шарттар",
                "holders": "Авторлар мен құқық иеленушілер", "works": "Шығармалар",
                "published": "оның ішінде сайтта қойылған",
            },
            "en": {
                "name": "Contracts", "contracts": f"Contracts signed {en_in(p)}",
                "holders": "Authors and rights holders", "works": "Works covered",
                "published": "of which put on the site",
            },
        },
        "headline": {
            "ru": {
                "name": "Показатель",
                "done_previous": f"выполнено {prev.year}" if year else f"выполнено {ru_for(prev)}",
                "plan": f"план {ru_on(p)}",
                "done": f"выполнено в {p.year}" if year else f"выполнено {ru_for(p)}",
            },
            "kk": {
                "name": "Көрсеткіш", "done_previous": f"{kk_in(prev)} орындалды",
                "plan": f"{kk_for(p)} арналған жоспар", "done": f"{kk_in(p)} орындалды",
            },
            "en": {
                "name": "Indicator", "done_previous": f"done {en_in(prev)}", "plan": f"plan {en_in(p)}",
                "done": f"done {en_in(p)}",
            },
        },
    }
    return tables[table][lang]
