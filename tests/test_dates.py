"""Dates typed in options: one strict parser for export --since, digitize and contract dates, stats periods."""

from __future__ import annotations

import datetime as dt

import pytest

from libcat import dates
from libcat.catalog import importer as imp
from libcat.catalog.store import CatalogError
from libcat.digitize import registry
from libcat.stats import period


def test_both_forms_and_nothing_else():
    assert dates.parse_date("2020-03-15") == dt.date(2020, 3, 15)
    assert dates.parse_date(" 15.03.2020 ") == dt.date(2020, 3, 15)
    assert dates.parse_date("5.3.2020") == dt.date(2020, 3, 5)
    for bad in ("20200315", "2020-W11-1", "31.02.2020", "2020-3-15", "yesterday", ""):
        with pytest.raises(dates.DateError, match="YYYY-MM-DD or DD.MM.YYYY"):
            dates.parse_date(bad)
    with pytest.raises(dates.DateError, match="ЖЖЖЖ-АА-КК немесе КК.АА.ЖЖЖЖ"):
        dates.parse_date("ertең", "kk")


def test_every_option_reads_the_same_dates():
    assert registry.parse_date("15.03.2020") == period.parse_date("15.03.2020") == dt.date(2020, 3, 15)
    assert imp.parse_since("15.03.2020") == dt.datetime(2020, 3, 15)
    assert imp.parse_since("2020-03-15T10:30") == dt.datetime(2020, 3, 15, 10, 30)
    with pytest.raises(CatalogError, match="cannot read date '20200315'"):
        registry.parse_date("20200315")
    with pytest.raises(CatalogError, match="не удаётся прочитать дату"):
        imp.parse_since("вчера", "ru")
    with pytest.raises(period.PeriodError, match="cannot read date"):
        period.parse_date("2020-02-30")
