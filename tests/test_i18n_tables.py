"""Every registered message has English, Russian and Kazakh texts that name the same facts (placeholders)."""

from __future__ import annotations

import importlib
import pkgutil
import re
import string

import pytest

import libcat
from libcat import i18n


def _import_all_modules() -> None:
    """Import every libcat module (not `python -m libcat`), so that every message table is registered."""
    for info in pkgutil.walk_packages(libcat.__path__, prefix="libcat."):
        if not info.name.endswith("__main__"):
            importlib.import_module(info.name)


def _messages() -> dict[str, dict[str, str]]:
    _import_all_modules()
    return dict(i18n._MESSAGES)


def _placeholders(text: str) -> set[str]:
    """The names a text is formatted with ("{file}", "{value!r}", "{n:>3}" -> file, value, n)."""
    names = set()
    for _literal, name, _spec, _conversion in string.Formatter().parse(text):
        if name is not None:
            names.add(re.split(r"[.\[]", name, maxsplit=1)[0])
    return names


MESSAGES = _messages()


def test_the_tables_are_found() -> None:
    for key in ("store.no_file", "pages.not_a_scan", "filestore.copy_failed", "contract.scan_failed",
                "collection.no_name", "rights.bad_death_year", "cli.stats.xlsx_needs_output", "cli.harvest.no_url"):
        assert key in MESSAGES


@pytest.mark.parametrize("key", sorted(MESSAGES))
def test_message_has_three_languages_with_the_same_placeholders(key: str) -> None:
    texts = MESSAGES[key]
    assert set(texts) == set(i18n.LANGS), f"{key}: languages {sorted(texts)}"
    assert all(texts[lang].strip() for lang in i18n.LANGS), f"{key}: an empty text"
    english = _placeholders(texts["en"])
    for lang in ("ru", "kk"):
        assert _placeholders(texts[lang]) == english, f"{key} ({lang}): {texts[lang]!r} vs {texts['en']!r}"
    assert "" not in english and not any(name.isdigit() for name in english), f"{key}: positional placeholder"
    values = {name: "x" for name in english}
    for lang in i18n.LANGS:
        i18n.t(key, lang, **values)
