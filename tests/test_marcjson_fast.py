"""``marcjson.json_from_text`` against the plain rule: exactly ``json.dumps(record_to_dict(record))`` of the record
the iso2709 parts describe, or None exactly when the parts are not a record it builds (then ``record_to_json``
decides)."""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

import pytest
from pymarc import Field, Indicators, Leader, Record, Subfield

from libcat.marc import iso2709, marcjson
from libcat.marc.marcjson import json_from_text, record_to_dict
from corpus_records import clean_records

LEADER = "01230naa a2200277 i 4500"
#: Characters JSON writes escaped, but for the delimiters 0x1E and 0x1F.
_ESCAPED = re.compile('["\\\\\x00-\x1d]')
#: A data field ``json_from_text`` builds: 2 indicators, then one or more "\x1f" + code + value subfields.
_DATA_FIELD = re.compile("[^\x1f]{2}(?:\x1f[^\x1f][^\x1f]*)+", re.S)


def _record(leader: str, tags: list[str], text: str) -> Record:
    """The record ``(leader, tags, text)`` describes, read field by field (tags kept as they are, where pymarc's
    ``Field`` would pad "1" to "001")."""
    record = Record(force_utf8=True)
    record.leader = Leader(leader)
    for tag, value in zip(tags, text.split("\x1e")):
        if iso2709.is_control_tag(tag):
            field = Field(tag="001", data=value)
        else:
            subs = [Subfield(s[0], s[1:]) for s in value[3:].split("\x1f")]
            field = Field(tag="245", indicators=Indicators(value[0], value[1]), subfields=subs)
        field.tag = tag
        record.add_field(field)
    return record


def _built(tags: list[str], text: str) -> bool:
    """True when ``json_from_text`` must build the JSON: nothing to escape, one value per tag, the control fields
    first with no delimiter, every data field in the shape ``_DATA_FIELD`` says."""
    values = text.split("\x1e")
    if _ESCAPED.search(text) or len(values) != len(tags):
        return False
    control = [iso2709.is_control_tag(tag) for tag in tags]
    if control != sorted(control, reverse=True):
        return False
    return all(
        "\x1f" not in value if is_control else _DATA_FIELD.fullmatch(value) is not None
        for is_control, value in zip(control, values)
    )


def _check(leader: str, tags: list[str], text: str, controls: int | None = None) -> str | None:
    """``json_from_text`` of the parts (``controls`` worked out when not given), checked against the plain rule."""
    got = json_from_text(leader, tags, text, iso2709.leading_controls(tags) if controls is None else controls)
    if not _built(tags, text):
        assert got is None, (leader, tags, text)
        return None
    want = json.dumps(record_to_dict(_record(leader, tags, text)), ensure_ascii=False, separators=(",", ":"))
    assert got == want, (leader, tags, text)
    return got


@pytest.mark.parametrize(
    "tags, text",
    [
        (["001", "008"], "x\x1e140408s1964    kz"),
        (["001", "245", "650"], "1\x1e10\x1faӘдебиет\x1fbқазақ\x1fc\x1e 7\x1faКрай\x1f2nlrkrubr"),
        (["245"], "  \x1fa"),
        (["245", "1119", "01A", "X0", "9999"], "  \x1fax\x1e01\x1fay\x1e  \x1faz\x1e12\x1fb\x1e##\x1f$\x1f0"),
        (["001"], ""),
        (["001", "005"], "\x1e20210115093000.0"),
        (["245"], "10\x1fa}],{:\x1fb\U0001f600\x1fc\xa0\x7f\u2028"),
        (["245"], "10\x1féx\x1fӘy\x1f$z\x1f}w"),
        (["245", "246"], "10\x1fa\x1e10\x1fb"),
    ],
)
def test_records_it_builds(tags, text):
    assert _check(LEADER, tags, text) is not None


@pytest.mark.parametrize(
    "tags, text",
    [
        ([], ""),
        ([], "x"),
        (["001"], "a\x1e"),
        (["001", "245"], "1"),
        (["245"], '10\x1fasay "hi"'),
        (["245"], "10\x1faback\\slash"),
        (["245"], "10\x1fatab\there"),
        (["001"], "\x00"),
        (["245"], "10\x1f\x1b(B"),
        (["245"], '10\x1f"x'),
        (["245"], "10\x1f\\x"),
        (["245"], "10\x1f\x1fx"),
        (["245"], "10\x1fa\x1f"),
        (["245", "246"], "10\x1fa\x1f\x1e10\x1fb"),
        (["245"], "10"),
        (["245"], "1\x1fax"),
        (["245"], "\x1fax"),
        (["245"], "\x1fa\x1fbx"),
        (["245"], "a\x1f\x1fb"),
        (["245"], "10\x1e\x1fa"),
        (["245", "246"], "10\x1fa\x1e"),
        (["245", "246"], "10\x1fa\x1e1"),
        (["245", "246"], "10\x1fa\x1e\x1e10\x1fb"),
        (["245", "001"], "10\x1fax\x1e1"),
        (["001", "245", "005"], "1\x1e10\x1fax\x1e2"),
        (["001", "245"], "a\x1fbc\x1e10\x1fax"),
        (["001", "245"], "ab\x1e\x1fc"),
        (["001", "245"], "x\x1e\x1fa\x1fbc"),
        (["001", "245"], "1\x1e10\x1fax\x1e2"),
        (["001", "245"], "1\x1e10"),
    ],
)
def test_parts_it_leaves_to_record_to_json(tags, text):
    assert _check(LEADER, tags, text) is None


@pytest.mark.parametrize(
    "tag", ['2"5', "24\\", "2\x1f5", "2\x1e5", "\x00", "", "0", "00", "1", "0010", "010", "ABC", "Ә45"]
)
def test_tags_of_any_text(tag):
    _check(LEADER, [tag, "008"], "10\x1fax\x1e1")
    _check(LEADER, ["001", tag], "1\x1e10\x1fax")
    _check(LEADER, [tag], "x")


@pytest.mark.parametrize(
    "leader", ['01230naa a2200277 i 45"0', "01230naa a2200277 i 45\\0", "0123\x1f\x1e\tnaa a2200277 i 45"]
)
def test_leaders_that_json_escapes(leader):
    assert _check(leader, ["001", "245"], "1\x1e10\x1fax") is not None


def test_random_parts():
    """Random records of plain and awkward characters, most of them well formed."""
    rng = random.Random(20261122)
    plain = ["a", "b", "Ә", "я", " ", "0", "}", ",", "{", ":", "]", "$", "\U0001f600", "\x7f", "\xa0", "\ud800"]
    awkward = ["\x1f", "\x1e", '"', "\\", "\t", "\x00", "\x1d"]
    control_tags = ["001", "003", "005", "008", "009", "00", "0"]
    data_tags = ["245", "650", "1119", "01A", "010", "X", "ab\"c"]
    built = 0
    for _ in range(3000):
        odd = rng.choice([0, 0, 0, 0.005, 0.02, 0.1])

        def char() -> str:
            return rng.choice(awkward) if rng.random() < odd else rng.choice(plain)

        tags = rng.sample(control_tags, rng.randint(0, 3)) + rng.choices(data_tags, k=rng.randint(0, 4))
        if rng.random() < 0.05:
            rng.shuffle(tags)
        values = []
        for tag in tags:
            if iso2709.is_control_tag(tag):
                values.append("".join(char() for _ in range(rng.randint(0, 5))))
            else:
                indicators = (char() + char())[: rng.choice([2] * 30 + [0, 1])]
                subs = ("\x1f" + "".join(char() for _ in range(rng.randint(1, 5))) for _ in range(rng.randint(0, 3)))
                values.append(indicators + "".join(subs))
        text = "\x1e".join(values) + ("" if rng.random() > 0.03 else rng.choice(["\x1e", "\x1f", "\x1e01\x1fa"]))
        built += _check(rng.choice([LEADER, 'x"\x1f' + LEADER[3:]]), tags, text) is not None
    assert built > 1000


def test_caches_stay_bounded():
    """Thousands of distinct tags, codes and field starts give the plain rule's JSON and no cache grows past its
    cap."""
    letters = [chr(c) for c in range(0x410, 0x410 + 80)]
    tags = [a + b + "X" for a in letters for b in letters]
    starts = [a + b for a in letters[:70] for b in letters[:70]]
    text = "\x1e".join(f"{ind}\x1f{chr(0x4E00 + i)}v" for i, ind in enumerate(starts[: len(tags)]))
    assert _check(LEADER, tags[: len(starts)], text) is not None
    memos = (marcjson._OPENERS, marcjson._SEPARATORS, marcjson._WRAPPERS, iso2709._CONTROL)
    assert max(map(len, memos)) <= iso2709.MEMO_SIZE


def test_every_clean_record_of_the_corpus(corpus: Path):
    built = 0
    for _, _, parts in clean_records(corpus):
        built += _check(*parts) is not None
    assert built > 1000
