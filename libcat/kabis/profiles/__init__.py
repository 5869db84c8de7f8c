"""Library profiles: the sub-catalogue list and classification rules, kept as TOML data."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from ... import i18n

PROFILE_DIR = Path(__file__).parent
DEFAULT_PROFILE = "kabis"


i18n.register({
    "profile.not_found": {
        "en": "profile {name!r} not found (shipped profiles: {known}; or give the path of a .toml file)",
        "ru": "профиль {name!r} не найден (профили из поставки: {known}; или укажите путь к файлу .toml)",
        "kk": "{name!r} профилі табылмады (libcat-пен бірге келетін профильдер: {known}; "
              "немесе .toml файлының жолын көрсетіңіз)",
    },
    "profile.unreadable": {
        "en": "{path}: cannot read the profile: {reason}",
        "ru": "{path}: не удаётся прочитать профиль: {reason}",
        "kk": "{path}: профильді оқу мүмкін емес: {reason}",
    },
    "profile.subcat_lacks": {
        "en": "{path}: subcatalog #{n} lacks {missing}",
        "ru": "{path}: у подкаталога №{n} не указано: {missing}",
        "kk": "{path}: №{n} ішкі каталогта {missing} көрсетілмеген",
    },
})


class ProfileError(ValueError):
    """A profile that cannot be found or read."""


def available() -> list[str]:
    """Names of the profiles shipped with libcat."""
    return sorted(p.stem for p in PROFILE_DIR.glob("*.toml"))


def load(name_or_path: str | Path = DEFAULT_PROFILE, lang: str | None = None) -> dict[str, Any]:
    """Load a shipped profile by name, or a library's own profile from a TOML file (errors in ``lang``)."""
    path = Path(name_or_path)
    if not path.suffix:
        path = PROFILE_DIR / f"{name_or_path}.toml"
    if not path.is_file():
        raise ProfileError(i18n.t("profile.not_found", lang, name=str(name_or_path), known=", ".join(available())))
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ProfileError(i18n.t("profile.unreadable", lang, path=path, reason=exc)) from exc
    for i, sc in enumerate(data.get("subcatalog", []), 1):
        missing = [k for k in ("code", "ru", "kk") if not sc.get(k)]
        if missing:
            raise ProfileError(i18n.t("profile.subcat_lacks", lang, path=path, n=i, missing=", ".join(missing)))
    data.setdefault("name", path.stem)
    return data
