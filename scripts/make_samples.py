"""Write the project's own sample data into samples/ (deterministic: same bytes on every run).

The bibliographic descriptions come from the libraries' annual reports in
../shared/reference/ (report-tables.md and seeds/); shelf codes, inventory numbers, dates,
operators and ISBNs are made up (ISBNs have valid check digits but are not real books).

    python scripts/make_samples.py [OUTDIR]
"""

from __future__ import annotations

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

BRANCHES = ("ОА", "Ф1", "Ф3", "Ф5")
LOCAL_LORE = "^BМестное изд. с краеведческим материалом"
WRITE_OFF_ACT = "2023/Акт 14"


def isbn13(stem12: str) -> str:
    """ISBN-13 with its check digit, hyphenated as 978-601-<publisher>-<title>-<check>."""
    digits = [int(c) for c in stem12]
    check = (10 - sum(d * (3 if i % 2 else 1) for i, d in enumerate(digits)) % 10) % 10
    return f"{stem12[:3]}-{stem12[3:6]}-{stem12[6:9]}-{stem12[9:12]}-{check}"


def isbn10(stem9: str) -> str:
    """ISBN-10 with its check digit (X for 10), hyphenated as 601-<publisher>-<title>-<check>."""
    total = sum((10 - i) * int(c) for i, c in enumerate(stem9))
    check = (11 - total % 11) % 11
    mark = "X" if check == 10 else str(check)
    return f"{stem9[:3]}-{stem9[3:6]}-{stem9[6:9]}-{mark}"


def to_isbn10(isbn13_text: str) -> str:
    """The ISBN-10 form of a 978- ISBN-13 (same book, other check digit)."""
    return isbn10(isbn13_text.replace("-", "")[3:12])


# (shelf, lang, author (surname, initials) or None, title, other title info, responsibility,
#  place, publisher, year, pages, unit, BBK, author mark, ISBN or None, entry date, local lore,
#  copies [(status, inventory, branch)], other persons [(surname, initials, relator)])
BOOKS = [
    ("84(5Каз)-4/К 23-000101", "kaz", ("Кәрім", "Н."), "Қамшы", "", "Н.Кәрім", "Қарағанды",
     "Типография Арко", "2016", "84", "б.", "84(5Каз)-4", "К 23", isbn13("978601709451"), "20191231", True,
     [("0", "100101", "ОА"), ("0", "100102", "Ф1")], []),
    ("84(5Каз)-5/Н 90-000102", "kaz", ("Нұртазаұлы", "М."), "Аманат", "Өлеңдер жинағы", "М.Нұртазаұлы",
     "Алматы", "Palitra-Press", "2019", "248", "б.", "84(5Каз)-5", "Н 90", isbn13("978601789012"), "20200101",
     False, [("0", "100103", "ОА")], []),
    ("84(5Каз)-44/Б 33-000103", "kaz", ("Башар", "Ж."), "Жалғанның жүзі", "Роман және хикаяттар мен әңгімелер",
     "Ж.Башар", "Қарағанды", "Tengri ltd", "2019", "345", "б.", "84(5Каз)-44", "Б 33", isbn13("978601806623"),
     "20200214", True, [("0", "100104", "ОА"), ("1", "100105", "Ф3")], []),
    ("63.3(5Каз)/Т 93-000104", "kaz", ("Тынышбаев", "Қ."), "«Есімде қалған аралым»", "", "Қ.Тынышбаев",
     "Қарағанды", "Типография Арко", "2019", "102", "б.", "63.3(5Каз)", "Т 93", isbn13("978601709478"),
     "20201231", True, [("0", "100106", "ОА")], []),
    ("63.3(5Каз)/Т 93-000105", "rus", ("Тынышбаев", "К."), "Остров моей памяти", "", "К.Тынышбаев",
     "Караганда", "Типография Арко", "2019", "102", "с.", "63.3(5Каз)", "Т 93", isbn13("978601709485"),
     "20210101", True, [("0", "100107", "ОА"), ("0", "100108", "Ф5")], []),
    ("34.7/Ш 49-000106", "rus", ("Шереметьев", "Б.К."),
     "Автоматизация дробильного цеха Балхашского горнометаллургического комбината", "",
     "Б.К.Шереметьев, З.А.Каазик", "Алма-Ата", "", "1959", "38", "с.", "34.7", "Ш 49", None, "20210315", True,
     [("0", "006312", "ОА")], [("Каазик", "З.А.", "070 автор")]),
    ("26.89(5Каз)/М 50-000107", "rus", ("Мендыкулов", "М."), "Обновленная Сары-Арка", "", "М.Мендыкулов",
     "Алма-Ата", "Казахстан", "1967", "128", "с.", "26.89(5Каз)", "М 50", None, "20210622", True,
     [("0", "008841", "ОА"), ("6", "008842", "Ф1")], []),
    ("34.3/Ш 83-000108", "rus", ("Шпади", "Л.В."), "Совет наставников металлургов Балхаша", "", "Л.В.Шпади",
     "Алма-Ата", "Казахстан", "1984", "54", "с.", "34.3", "Ш 83", None, "20211231", True,
     [("0", "012210", "ОА")], []),
    ("63.3(5Каз)/Т 50-000109", "kaz", None, "Тобықты Қараменде баба",
     "Тарихи-танымдық зерттеулер мен аңыз-әңгімелер, арнаулар жинағы", "құраст.: М.Жанболатұлы", "Алматы",
     "Информ-Арна", "2019", "456", "б.", "63.3(5Каз)", "Т 50", isbn13("978601785559"), "20220105", True,
     [("0", "100110", "ОА")], [("Жанболатұлы", "М.", "220 құраст.")]),
    ("63.3(5Каз)/Ө 13-000110", "kaz", None, "Өз дәуірінің перзенті. Сын своей эпохи",
     "Құжаттар және материалдар жинағы", "құраст.: С.Ж.Жақсылықова, А.Б.Исабекова, Б.С.Бейсенбаева",
     "Қарағанды", "Экожан", "2011", "250", "б.", "63.3(5Каз)", "Ө 13", to_isbn10(isbn13("978996519028")),
     "20220301", True, [("0", "100111", "ОА"), ("6", "100112", "Ф3")],
     [("Жақсылықова", "С.Ж.", "220 құраст."), ("Исабекова", "А.Б.", "220 құраст.")]),
    ("83.3(5Каз)/М 12-000111", "kaz", None, "Мағауия мақамы", "естеліктер, пікірлер, арнаулар",
     "құраст.: Ж.Башар", "Қарағанды", "Типография Арко", "2017", "118", "б.", "83.3(5Каз)", "М 12",
     isbn13("978601709492"), "20221230", True, [("0", "100113", "ОА")], [("Башар", "Ж.", "220 құраст.")]),
    ("67.404/Г 75-000112", "rus", None, "Гражданский кодекс Республики Казахстан", "Практическое пособие", "",
     "Алматы", "Норма-К", "2018", "376", "с.", "67.404", "Г 75", to_isbn10(isbn13("978601727015")),
     "20230110", False, [("0", "100114", "ОА"), ("6", "100115", "Ф5")], []),
    ("67.408/У 26-000113", "rus", None, "Уголовный кодекс РК", "Практическое пособие", "", "Алматы", "Норма-К",
     "2019", "256", "с.", "67.408", "У 26", None, "20230405", False, [("0", "100116", "ОА")], []),
    ("67.405/Қ 19-000114", "kaz", None, "Қазақстан Республикасының Еңбек Кодексі", "Тәжірибелік құралы", "",
     "Алматы", "Норма-К", "2018", "112", "б.", "67.405", "Қ 19", None, "20231231", False,
     [("0", "100117", "ОА")], []),
    ("67/Қ 85-000115", "kaz", None, "Құқық саласының терминдер сөздігі", "", "құраст.: М. Айымбетов", "Астана",
     "RedGreenBlue", "2009", "450", "б.", "67", "Қ 85", None, "20240101", False, [("0", "100118", "ОА")],
     [("Айымбетов", "М.", "220 құраст.")]),
    ("84(4Гем)/M 66-000116", "rus", ("Milter", "L."), "Я вспоминаю...", "", "L. Milter", "Moskau-Koln", "",
     "2015", "160", "с.", "84(4Гем)", "M 66", None, "20240620", True, [("0", "100119", "ОА")], []),
]

#: The same book as BOOKS[1] entered again by branch 3, with the ISBN-10 form and its own shelf code.
DUPLICATE = ("84(5Каз)-5/Н 90-300017", "20240912", "Ф3", "300017")

# (shelf, lang, author, title, other title info, newspaper, year, issue, pages, entry date, local lore, file)
ARTICLES = [
    ("С2018/001", "kaz", ("Мұхаметжанова", "Б."), "Рухани жаңғыру – кітапхана келбетінде", "", "Балқаш өңірі",
     "2018", "5 қаңтар(№1-2)", "4", "20190115", True, "balkash-oniri-2018-01-05.pdf"),
    ("С2020/002", "kaz", ("Мұхамедова", "М."), "Абай өмірі мен шығармаларының хронологиясы", "", "Балқаш өңірі",
     "2020", "7 тамыз (№57)", "8", "20200820", True, None),
    ("С2019/003", "kaz", ("Шөженов", "Ж."), "Ақжолтай Ағыбай батырдың Тасаралы – құт қонған мекен", "", "Пульс",
     "2019", "12 июль (№28)", "4", "20191231", True, None),
    ("С2018/004", "rus", ("Жолнерова", "К."), "Будущее за информационными технологиями", "",
     "Северное Прибалхашье", "2018", "17 января (№5-6)", "1", "20190101", False, None),
    ("С2018/005", "rus", ("Мирошина", "И."), "Бенефис читателя",
     "в центральной библиотеке им. С.Сейфуллина прошел бенефис читателя \"Кітапхана айдынында\"",
     "Северное Прибалхашье", "2018", "24 января (№9-10)", "2", "20190304", True, None),
    ("С2018/006", "kaz", ("Бақтораз", "Е."), "Ұстаз. Ғалым. Қайраткер",
     "№1 кітапхана-филиалында А.Байтұрсынұлының туғанына 145 жыл толуына орай әдеби сағат өтті",
     "Балқаш өңірі", "2018", "26 қаңтар(№10-11)", "3", "20210512", False, None),
    ("С2018/007", "kaz", ("Бегимова", "Г."), "Мемлекеттік тіл – рухани байлық", "Жолдауға қолдау",
     "Балқаш өңірі", "2018", "26 қаңтар(№10-11)", "2", "20211231", False, None),
    ("С2018/008", "rus", ("Анатольева", "И."), "Красный индикатор",
     "выставка в переплетах именно красного цвета, организованная в центральной библиотеке имени С.Сейфуллина",
     "Северное Прибалхашье", "2018", "2 февраля (№13)", "3", "20220101", True, None),
    ("С2018/009", "kaz", ("Нәби", "Ф."), "Кітапхана – руханият орталығы",
     "С.Сейфуллин атындағы орталық қалалық кітапхана жайлы", "Балқаш өңірі", "2018", "9 ақпан(№16-17)", "4",
     "20220617", True, None),
    ("С2018/010", "rus", ("Бекетов", "А."), "В день благодарности",
     "в детской библиотеке-филиала №5 состоялось открытие уголка Ассамблеи народа Казахстана", "Пульс", "2018",
     "2 марта(№9)", "14", "20230301", False, None),
    ("С2018/011", "rus", None, "Спасибо тебе, Казахстан!",
     "в библиотеке им.С.Сейфуллина была встреча представителей этнокультурных центров", "Северное Прибалхашье",
     "2018", "7 марта (№22-23)", "4", "20231231", False, None),
    ("С2018/012", "kaz", ("Рүстем", "Қ."), "Егеменді елдің сақшылары",
     "№4 «Сырлас» кітапхана-филиалында Отан қорғаушылар күніне орай әңгіме-сұхбат өтті", "Пульс", "2018",
     "11 мая(№19)", "2", "20240101", True, None),
    ("С2016/013", "kaz", ("Сәденов", "Қ."), "«Абай мектебін абайтану орталығына айналдырдық»", "", "Пульс", "2016",
     "5 августь (№32)", "4", "20241231", True, None),
]

OPERATORS = ("Сопина Ж.", "Кабызова Н.", "Мұстафина А.Б.")

#: Subject keywords (610) for some books, keyed by shelf code.
KEYWORDS = {
    "84(5Каз)-4/К 23-000101": ["ҚАЗАҚ ПОЭЗИЯСЫ", "БАЛҚАШ ӨҢІРІНІҢ АҚЫНДАРЫ"],
    "63.3(5Каз)/Т 50-000109": ["ШЕЖІРЕ", "ҚАҺАРМАНДАР", "ТОБЫҚТЫ РУЫ"],
    "34.3/Ш 83-000108": ["МЕТАЛЛУРГИЯ", "НАСТАВНИЧЕСТВО"],
}


def _book(i: int, b: tuple, shelf: str | None = None, isbn: str | None = None, entered: str | None = None,
          copies: list | None = None) -> list[str]:
    (code, lang, author, title, info, resp, place, publisher, year, pages, unit, bbk, mark, b_isbn, b_entered,
     lore, b_copies, persons) = b
    shelf, isbn = shelf or code, isbn or b_isbn
    entered, copies = entered or b_entered, copies or b_copies
    title_field = f"^A{title}" + (f"^E{info}" if info else "") + (f"^F{resp}" if resp else "")
    imprint = f"^A{place}" + (f"^C{publisher}" if publisher else "") + f"^D{year}"
    lines = ["#920: PAZK", "#900: ^Ta^B05^Xm", "#102: KZ", f"#101: {lang}", f"#919: ^A{lang}^N02^KPSBO^Gca"]
    if isbn:
        lines.append(f"#10: ^A{isbn}^D{1500 + 250 * (i % 5)}")
    if author:
        lines.append(f"#700: ^A{author[0]}^B{author[1]}")
    for surname, initials, relator in persons:
        lines.append(f"#702: ^4{relator}^A{surname}^B{initials}")
    lines += [f"#200: {title_field}", f"#210: {imprint}", f"#215: ^A{pages}^1{unit}", f"#621: {bbk}",
              f"#908: {mark}", f"#903: {shelf}"]
    lines += [f"#610: {word}" for word in KEYWORDS.get(code, [])]
    if lore:
        lines.append(f"#629: {LOCAL_LORE}")
    lines.append(f"#907: ^CПК^A{entered}^B{OPERATORS[i % len(OPERATORS)]}")
    for status, inventory, branch in copies:
        copy = f"#910: ^A{status}^B{inventory}^C{entered}^D{branch}"
        if status == "6":
            copy += f"^V{WRITE_OFF_ACT}"
        lines.append(copy)
    if any(status == "6" for status, _inventory, _branch in copies):
        lines.append(f"#907: ^CВБ^A20231120^B{OPERATORS[0]}")
    if i == 0:
        lines.append("#951: ^Ihttps://csmb.kz/e-library/karim-kamshy.pdf^TТолық мәтін^N84")
    return lines


def _article(i: int, a: tuple) -> list[str]:
    shelf, lang, author, title, info, paper, year, issue, pages, entered, lore, file_name = a
    kind = "1"
    lines = ["#920: ASP", "#900: ^Ta^B12^Xm", "#102: KZ", f"#101: {lang}", f"#919: ^A{lang}^N02^KPSBO^Gca"]
    if author:
        lines.append(f"#700: ^A{author[0]}^B{author[1]}")
    resp = f"^F{author[1]}{author[0]}" if author else ""
    lines.append(f"#200: ^A{title}" + (f"^E{info}" if info else "") + resp)
    lines.append(f"#463: ^C{paper}^J{year}^H{issue}^S{pages}^DБалқаш^WГ{year}/{paper[:3]}/{kind}")
    lines.append(f"#903: {shelf}")
    if lore:
        lines.append(f"#629: {LOCAL_LORE}")
    lines.append(f"#907: ^CПК^A{entered}^B{OPERATORS[(i + 1) % len(OPERATORS)]}")
    if file_name:
        lines.append(f"#951: ^A{file_name}^TТолық мәтін (PDF)^N1^H05")
    return lines


def irbis_sample() -> str:
    """The IRBIS plain-text sample: 16 books, one near-duplicate book, 13 articles."""
    records = [_book(i, b) for i, b in enumerate(BOOKS)]
    shelf, entered, branch, inventory = DUPLICATE
    records.insert(9, _book(1, BOOKS[1], shelf=shelf, isbn=to_isbn10(BOOKS[1][13]), entered=entered,
                            copies=[("0", inventory, branch)]))
    records += [_article(i, a) for i, a in enumerate(ARTICLES)]
    return "".join("\n".join(r) + "\n*****\n" for r in records)


BROKEN = """#920: PAZK
#101: kaz
#700: ^AКәрім^BН.
#200: ^AҚамшы^FН.Кәрім
#210: ^AҚарағанды^CТипография Арко^D2016
#903: BR-001
#907: ^CПК^A20240105^BСопина Ж.
*****
#920: ASP
#101: kaz
#200: ^AРухани жаңғыру – кітапхана келбетінде^FБ.Мұхаметжанова
#463: ^CБалқаш өңірі^J2018^H5 қаңтар(№1-2)^S4
#903: BR-002
#907: ^CПК^A20240106^BСопина Ж.
*****
#920: PAZK
#101: rus
#2OO: ^AОстров моей памяти^FК.Тынышбаев
#210: ^AКараганда^D2019
#903: BR-003
*****
#920: PAZK
#101: rus
#700: ^AМендыкулов^BМ.
#200: ^AОбновленная Сары-Арка^FМ.Мендыкулов
#210: ^AАлма-Ата^CКазахстан^D1967
#903: BR-004
#907: ^CПК^A20240107^BКабызова Н.
*****
"""


# ---- RUSMARC ISO 2709 in cp1251 --------------------------------------------------------------

RUSMARC = [
    ("KZ-SAMPLE-1", "nam0", "rus", [f"  ^a{isbn13('978601709485')}"], "1 ^aОстров моей памяти^fК.Тынышбаев",
     "  ^aКараганда^cТипография Арко^d2019", "  ^a102 с.", " 1^aТынышбаев^bК.", "63.3(5Каз)", "20191105"),
    ("KZ-SAMPLE-2", "nam0", "rus", [], "1 ^aАвтоматизация дробильного цеха Балхашского горнометаллургического"
     " комбината^fБ.К.Шереметьев, З.А.Каазик", "  ^aАлма-Ата^d1959", "  ^a38 с.", " 1^aШереметьев^bБ.К.",
     "34.7", "20200312"),
    ("KZ-SAMPLE-3", "nam0", "rus", [], "1 ^aОбновленная Сары-Арка^fМ.Мендыкулов",
     "  ^aАлма-Ата^cКазахстан^d1967", "  ^a128 с.", " 1^aМендыкулов^bМ.", "26.89(5Каз)", "20210101"),
    ("KZ-SAMPLE-4", "nam0", "kaz", [f"  ^a{isbn13('978601709451')}"], "1 ^aКамшы^fН.Карім",
     "  ^aКараганды^cТипография Арко^d2016", "  ^a84 б.", " 1^aКарім^bН.", "84(5Каз)-4", "20211231"),
    ("KZ-SAMPLE-5", "naa2", "rus", [], "1 ^aБудущее за информационными технологиями^fК.Жолнерова", "", "",
     " 1^aЖолнерова^bК.", "78.3", "20220110"),
]

FT, RT, GS = b"\x1f", b"\x1e", b"\x1d"


def _iso_field(text: str, control: bool) -> bytes:
    if control:
        return text.encode("cp1251") + RT
    inds, rest = text[:2], text[2:]
    return inds.encode("cp1251") + rest.replace("^", "\x1f").encode("cp1251") + RT


def _iso_record(fields: list[tuple[str, str]], leader_tail: str) -> bytes:
    directory, body = b"", b""
    for tag, text in fields:
        data = _iso_field(text, tag < "010")
        directory += f"{tag}{len(data):04d}{len(body):05d}".encode("ascii")
        body += data
    base = 24 + len(directory) + 1
    length = base + len(body) + 1
    leader = f"{length:05d}{leader_tail} 22{base:05d} i 450 ".encode("ascii")
    return leader + directory + RT + body + GS


def rusmarc_sample() -> bytes:
    """Five RUSMARC records (ISO 2709, cp1251, 100$a/26-29 = 0189); Kazakh letters cp1251 lacks are
    written with their Russian look-alikes, as cp1251 exports do."""
    out = b""
    for control, leader_tail, lang, isbns, title, imprint, extent, author, bbk, entered in RUSMARC:
        fields = [("001", control), ("005", entered + "093000.0")]
        fields += [("010", i) for i in isbns]
        fields += [("100", f"  ^a{entered}d{(imprint[-4:] if imprint else '2018')}    m  y0{lang}y0189    ca"),
                   ("101", f"0 ^a{lang}"), ("102", "  ^aKZ"), ("200", title)]
        if imprint:
            fields.append(("210", imprint))
        if extent:
            fields.append(("215", extent))
        if leader_tail.startswith("naa"):
            fields.append(("461", " 0^12001 ^aСеверное Прибалхашье^1210  ^aБалхаш"))
            fields.append(("463", " 0^12001 ^a17 января (№5-6)^vС. 1^1210  ^d2018"))
        fields += [("686", f"  ^a{bbk}^2rubbk"), ("700", author), ("801", f" 0^aKZ^bБалхаш ЦБС^c{entered}")]
        out += _iso_record(fields, leader_tail)
    return out


def main(outdir: Path) -> None:
    """Write every sample file into ``outdir``."""
    outdir.mkdir(parents=True, exist_ok=True)
    (outdir / "kazakh-books-and-articles.txt").write_bytes(irbis_sample().encode("utf-8"))
    (outdir / "broken-records.txt").write_bytes(BROKEN.encode("utf-8"))
    (outdir / "rusmarc-sample.iso").write_bytes(rusmarc_sample())


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else REPO / "samples")
