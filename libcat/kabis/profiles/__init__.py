"""Library profiles: the sub-catalogue list and classification rules, kept as TOML data."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

PROFILE_DIR = Path(__file__).parent
DEFAULT_PROFILE = "kabis"


class ProfileError(ValueError):
    """A profile that cannot be found or read."""


def available() -> list[str]:
    """Names of the profiles shipped with libcat."""
    return sorted(p.stem for p in PROFILE_DIR.glob("*.toml"))


def load(name_or_path: str | Path = DEFAULT_PROFILE) -> dict[str, Any]:
    """Load a shipped profile by name, or a library's own profile from a TOML file."""
    path = Path(name_or_path)
    if not path.suffix:
        path = PROFILE_DIR / f"{name_or_path}.toml"
    if not path.is_file():
        raise ProfileError(
            f"profile {str(name_or_path)!r} not found (shipped profiles: {', '.join(available())}; "
            "or give the path of a .toml file)"
        )
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ProfileError(f"{path}: {exc}") from exc
    for i, sc in enumerate(data.get("subcatalog", []), 1):
        missing = [k for k in ("code", "ru", "kk") if not sc.get(k)]
        if missing:
            raise ProfileError(f"{path}: subcatalog #{i} lacks {', '.join(missing)}")
    data.setdefault("name", path.stem)
    return data
