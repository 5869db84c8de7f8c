"""Generate libcat/marc/rules/{rusmarc,languages}.json from the RUSMARC dictionary and ISO 639-2.

Why: a fresh clone has no ../shared, so the validation rules are committed as compact data; run
this again when the dictionary changes:

    python scripts/gen_marc_rules.py [RUSMARC.xml] [iso_639-2.json]
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from lxml import etree

REPO = Path(__file__).resolve().parent.parent
RULES = REPO / "libcat" / "marc" / "rules"
DEFAULT_DICT = REPO.parent / "shared" / "corpus" / "irbis" / "RUSMARC20151123.xml"
DEFAULT_LANGS = Path("/usr/share/iso-codes/json/iso_639-2.json")

#: Codes the MARC Code List for Languages has beyond ISO 639-2 (kept for old records).
MARC_EXTRA_LANGS = {
    "ajm", "esk", "esp", "eth", "far", "fri", "gag", "gua", "int", "iri", "cam", "kus", "lan", "lap",
    "max", "mla", "mol", "sao", "scc", "scr", "sho", "snh", "sso", "swz", "tag", "taj", "tar", "tru", "tsw",
}


def _indicator(field: etree._Element, name: str) -> str | None:
    """Permitted characters of one indicator ('' = only blank), None when the dictionary is silent."""
    ind = field.find(name)
    if ind is None:
        return None
    values = "".join(" " if v in ("#", " ") else v for v in (o.get("value") for o in ind.iter("OPTION")) if v)
    return "".join(sorted(set(values))) if values else " "


def rusmarc_rules(path: Path) -> dict:
    """Fields, repeatability, indicators and subfields from the RUSMARC XML dictionary."""
    root = etree.parse(str(path)).getroot()
    fields: dict[str, dict] = {}
    for f in root.iter("FIELD"):
        tag = f.get("tag")
        if not tag or len(tag) != 3:
            continue
        entry: dict = {"n": (f.get("name") or "").strip(), "r": int(f.get("repeatable") == "y"),
                       "m": int(f.get("mandatory") == "y")}
        if not tag.startswith("00"):
            entry["i1"] = _indicator(f, "IND1")
            entry["i2"] = _indicator(f, "IND2")
            subs = {s.get("tag"): int(s.get("repeatable") == "y") for s in f.findall("SUBFIELD")
                    if s.get("tag") and len(s.get("tag")) == 1}
            entry["sf"] = dict(sorted(subs.items())) if subs else None
        fields[tag] = entry
    return {"source": f"{path.name} (RUSMARC dictionary, version {root.get('version')})",
            "fields": dict(sorted(fields.items()))}


def language_codes(path: Path) -> dict:
    """ISO 639-2 bibliographic and terminology codes plus the MARC-only ones."""
    data = json.loads(path.read_text(encoding="utf-8"))["639-2"]
    codes = {e["alpha_3"] for e in data} | {e["bibliographic"] for e in data if "bibliographic" in e}
    return {"source": f"{path} (ISO 639-2) + MARC Code List for Languages extras",
            "codes": sorted(codes | MARC_EXTRA_LANGS)}


def main(argv: list[str]) -> int:
    """Write the rules files; arguments override the default input paths."""
    src = Path(argv[1]) if len(argv) > 1 else DEFAULT_DICT
    langs = Path(argv[2]) if len(argv) > 2 else DEFAULT_LANGS
    RULES.mkdir(parents=True, exist_ok=True)
    for name, data in (("rusmarc.json", rusmarc_rules(src)), ("languages.json", language_codes(langs))):
        text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=False)
        (RULES / name).write_text(text + "\n", encoding="utf-8")
        print(f"wrote {RULES / name} ({len(text)} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
