"""Messages in English, Russian and Kazakh. Modules register their own message tables."""

from __future__ import annotations

import os

LANGS = ("en", "ru", "kk")
ENV_LANG = "LIBCAT_LANG"

_MESSAGES: dict[str, dict[str, str]] = {}


def register(table: dict[str, dict[str, str]]) -> None:
    """Add messages: ``{key: {"en": ..., "ru": ..., "kk": ...}}`` (placeholders in str.format style)."""
    for key, texts in table.items():
        missing = [lang for lang in LANGS if lang not in texts]
        if missing:
            raise ValueError(f"message {key!r} lacks {', '.join(missing)}")
        _MESSAGES[key] = texts


def current_lang(lang: str | None = None) -> str:
    """The language asked for, else LIBCAT_LANG, else English."""
    lang = (lang or os.environ.get(ENV_LANG) or "en").lower()
    return lang if lang in LANGS else "en"


def t(key: str, lang: str | None = None, **kwargs: object) -> str:
    """The message ``key`` in ``lang``, formatted with ``kwargs``."""
    texts = _MESSAGES[key]
    return texts[current_lang(lang)].format(**kwargs)


def has(key: str) -> bool:
    return key in _MESSAGES
