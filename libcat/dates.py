"""Dates typed by users in command-line options: one strict parser (YYYY-MM-DD or DD.MM.YYYY)."""

from __future__ import annotations

import datetime as dt
import re

from . import i18n

i18n.register({
    "dates.bad": {
        "en": "cannot read date {value!r}: write it as YYYY-MM-DD or DD.MM.YYYY",
        "ru": "не удаётся прочитать дату {value!r}: пишите ГГГГ-ММ-ДД или ДД.ММ.ГГГГ",
        "kk": "{value!r} күнін оқу мүмкін емес: ЖЖЖЖ-АА-КК немесе КК.АА.ЖЖЖЖ түрінде жазыңыз",
    },
})

_YMD = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_DMY = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})")


class DateError(ValueError):
    """A date option that is not a date in one of the accepted forms (the message says which)."""


def parse_date(text: str, lang: str | None = None) -> dt.date:
    """A date written 2020-03-15 or 15.03.2020 (as in the reports); DateError otherwise."""
    value = (text or "").strip()
    m = _YMD.fullmatch(value)
    parts = (m.group(1), m.group(2), m.group(3)) if m else None
    if parts is None:
        m = _DMY.fullmatch(value)
        parts = (m.group(3), m.group(2), m.group(1)) if m else None
    try:
        if parts is not None:
            return dt.date(*(int(p) for p in parts))
    except ValueError:
        pass
    raise DateError(i18n.t("dates.bad", lang, value=text))


def parse_datetime(text: str, lang: str | None = None) -> dt.datetime:
    """A date as parse_date reads it (at midnight), or an ISO date-time such as 2020-03-15T10:30."""
    try:
        return dt.datetime.combine(parse_date(text, lang), dt.time())
    except DateError:
        if "T" in text or " " in text.strip():
            try:
                return dt.datetime.fromisoformat(text.strip().replace("Z", ""))
            except ValueError:
                pass
        raise
