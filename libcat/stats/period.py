"""Report periods: a year, a half-year, a quarter, the first N months, or any inclusive date range."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from .. import dates, i18n

KINDS = ("year", "half", "quarter", "months", "range")
#: Years a report period may lie in (options and dates outside are an error, not a date overflow).
MIN_YEAR, MAX_YEAR = 1000, 2999

i18n.register({
    "period.half": {
        "en": "half-year must be 1 or 2, not {n}",
        "ru": "полугодие должно быть 1 или 2, а не {n}",
        "kk": "жарты жыл 1 немесе 2 болуы керек, {n} емес",
    },
    "period.quarter": {
        "en": "quarter must be 1 to 4, not {n}",
        "ru": "квартал должен быть от 1 до 4, а не {n}",
        "kk": "тоқсан 1-ден 4-ке дейін болуы керек, {n} емес",
    },
    "period.months": {
        "en": "months must be 1 to 12, not {n}",
        "ru": "число месяцев должно быть от 1 до 12, а не {n}",
        "kk": "айлар саны 1-ден 12-ге дейін болуы керек, {n} емес",
    },
    "period.year": {
        "en": "year must be from {min} to {max}, not {n}",
        "ru": "год должен быть от {min} до {max}, а не {n}",
        "kk": "жыл {min} мен {max} аралығында болуы керек, {n} емес",
    },
    "period.kind": {
        "en": "unknown period kind {kind!r}; one of {known}",
        "ru": "неизвестный вид периода {kind!r}; допустимы: {known}",
        "kk": "{kind!r} кезең түрі белгісіз; рұқсат етілгендер: {known}",
    },
    "period.only_one": {
        "en": "give only one of {names}",
        "ru": "укажите только одно из: {names}",
        "kk": "мыналардың біреуін ғана көрсетіңіз: {names}",
    },
    "period.range_mixed": {
        "en": "--from/--to cannot be combined with --year, --half, --quarter or --months",
        "ru": "--from/--to нельзя сочетать с --year, --half, --quarter или --months",
        "kk": "--from/--to параметрлерін --year, --half, --quarter немесе --months параметрлерімен бірге қолдануға болмайды",
    },
    "period.range_both": {
        "en": "give both --from and --to",
        "ru": "укажите и --from, и --to",
        "kk": "--from және --to екеуін де көрсетіңіз",
    },
    "period.range_order": {
        "en": "--to {end} is before --from {start}",
        "ru": "--to {end} раньше, чем --from {start}",
        "kk": "--to {end} күні --from {start} күнінен бұрын",
    },
})


class PeriodError(ValueError):
    """The period options do not make a period (the message says why)."""


@dataclass(frozen=True)
class Period:
    """An inclusive period [start, end] and how librarians name it (a year, I полугодие, 9 месяцев...)."""

    start: dt.date
    end: dt.date
    kind: str = "range"
    year: int | None = None
    number: int | None = None

    @property
    def end_exclusive(self) -> dt.date:
        """The day after the period: "at the end of the period" means "at this date"."""
        return self.end + dt.timedelta(days=1)

    @property
    def key(self) -> str:
        """Key of the period in plan files: 2020, 2020-H1, 2020-Q3, 2020-M9 or 2020-03-01..2020-04-15."""
        if self.kind == "year":
            return str(self.year)
        if self.kind == "half":
            return f"{self.year}-H{self.number}"
        if self.kind == "quarter":
            return f"{self.year}-Q{self.number}"
        if self.kind == "months":
            return f"{self.year}-M{self.number}"
        return f"{self.start.isoformat()}..{self.end.isoformat()}"

    def previous(self) -> Period:
        """The same period one year earlier (what reports compare with: "выполнено 2019")."""
        if self.kind == "range":
            return Period(_minus_year(self.start), _minus_year(self.end), "range")
        return make(self.kind, self.year - 1, self.number)

    def to_dict(self) -> dict[str, str]:
        """The period for JSON: ISO dates of the first and the last day."""
        return {"from": self.start.isoformat(), "to": self.end.isoformat()}


def _minus_year(d: dt.date) -> dt.date:
    try:
        return d.replace(year=d.year - 1)
    except ValueError:  # 29 February
        return d.replace(year=d.year - 1, day=28)


def _month_end(year: int, month: int) -> dt.date:
    nxt = dt.date(year + 1, 1, 1) if month == 12 else dt.date(year, month + 1, 1)
    return nxt - dt.timedelta(days=1)


def make(kind: str, year: int, number: int | None = None, lang: str | None = None) -> Period:
    """A named period of ``year``: kind year, half (1-2), quarter (1-4) or months (first N, 1-12)."""
    if kind == "year":
        return Period(dt.date(year, 1, 1), dt.date(year, 12, 31), "year", year)
    if kind == "half":
        if number not in (1, 2):
            raise PeriodError(i18n.t("period.half", lang, n=number))
        first = 1 if number == 1 else 7
        return Period(dt.date(year, first, 1), _month_end(year, first + 5), "half", year, number)
    if kind == "quarter":
        if number not in (1, 2, 3, 4):
            raise PeriodError(i18n.t("period.quarter", lang, n=number))
        first = 3 * (number - 1) + 1
        return Period(dt.date(year, first, 1), _month_end(year, first + 2), "quarter", year, number)
    if kind == "months":
        if number is None or not 1 <= number <= 12:
            raise PeriodError(i18n.t("period.months", lang, n=number))
        if number == 12:
            return make("year", year)
        return Period(dt.date(year, 1, 1), _month_end(year, number), "months", year, number)
    raise PeriodError(i18n.t("period.kind", lang, kind=kind, known=", ".join(KINDS)))


def check_year(year: int, lang: str | None = None) -> None:
    """PeriodError unless MIN_YEAR <= ``year`` <= MAX_YEAR."""
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise PeriodError(i18n.t("period.year", lang, min=MIN_YEAR, max=MAX_YEAR, n=year))


def parse_date(text: str, lang: str | None = None) -> dt.date:
    """A date written 2020-03-15 or 15.03.2020 (as in the reports) in MIN_YEAR to MAX_YEAR; PeriodError otherwise."""
    try:
        day = dates.parse_date(text, lang)
    except dates.DateError as exc:
        raise PeriodError(str(exc)) from None
    check_year(day.year, lang)
    return day


def from_options(
    year: int | None = None, half: int | None = None, quarter: int | None = None,
    months: int | None = None, date_from: str | None = None, date_to: str | None = None,
    today: dt.date | None = None, lang: str | None = None,
) -> Period:
    """The period the command-line options name; no options = the previous calendar year (annual report).

    Years and dates are checked to lie in MIN_YEAR to MAX_YEAR (PeriodError otherwise).
    """
    named = [n for n, v in (("--half", half), ("--quarter", quarter), ("--months", months)) if v is not None]
    if len(named) > 1:
        raise PeriodError(i18n.t("period.only_one", lang, names=", ".join(named)))
    if date_from or date_to:
        if named or year is not None:
            raise PeriodError(i18n.t("period.range_mixed", lang))
        if not (date_from and date_to):
            raise PeriodError(i18n.t("period.range_both", lang))
        start, end = parse_date(date_from, lang), parse_date(date_to, lang)
        if end < start:
            raise PeriodError(i18n.t("period.range_order", lang, end=end.isoformat(), start=start.isoformat()))
        return Period(start, end, "range")
    today = today or dt.date.today()
    if year is None:
        year = today.year if named else today.year - 1
    check_year(year, lang)
    if half is not None:
        return make("half", year, half, lang)
    if quarter is not None:
        return make("quarter", year, quarter, lang)
    if months is not None:
        return make("months", year, months, lang)
    return make("year", year)
