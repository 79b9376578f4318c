"""The end-to-end chat question sets in bench/chat_sets are well formed and agree with the seed data."""

from __future__ import annotations

import gzip
import json
import re
from collections import Counter
from functools import cache
from pathlib import Path

import pytest

from index.normalize import fold, has_diacritics

ROOT = Path(__file__).resolve().parents[2]
SETS = ROOT / "bench" / "chat_sets"
SEED = ROOT / "knowledge" / "seed" / "dvc_procedures_2642.jsonl.gz"

TUNED = {"common": 130, "broad": 220, "off_topic": 110, "not_in_kb": 35}
# Measured only, never tuned on: written apart from the routing work they measure.
FRESH = {"fresh/common": 80, "fresh/broad": 140, "fresh/off_topic": 40, "fresh/not_in_kb": 20}
MINIMUM = {**TUNED, **FRESH}
IN_KB = tuple(name for name in MINIMUM if name.rsplit("/", 1)[-1] in ("common", "broad"))
NOT_IN_KB = ("not_in_kb", "fresh/not_in_kb")
STYLES = {"everyday", "formal", "no_diacritics", "abbrev"}
IN_KB_KEYS = {"question", "expected", "topic", "field", "level", "style", "split"}
OUT_KEYS = {"question", "kind", "topic", "split"}
MIN_BROAD_FIELDS = 40
MIN_LEVEL_SIZE = 20


def _key(text: str) -> str:
    """Case-, diacritics-, punctuation- and spacing-insensitive form used to find duplicates."""
    folded = fold(text.lower())
    return " ".join(re.sub(r"[^\w]+", " ", folded).split())


@cache
def _procedures() -> dict[str, dict[str, str]]:
    with gzip.open(SEED, "rt", encoding="utf-8") as handle:
        records = (json.loads(line) for line in handle if line.strip())
        return {
            r["ma_thu_tuc"]: {key: r[key] for key in ("ten_thu_tuc", "linh_vuc", "cap_thuc_hien", "_bo_nganh")}
            for r in records
        }


@cache
def _load(name: str) -> list[dict]:
    path = SETS / f"{name}.jsonl"
    rows = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        assert line.strip(), f"{path.name}:{number} is blank"
        rows.append(json.loads(line))
    return rows


@pytest.mark.parametrize("name", sorted(MINIMUM))
def test_set_parses_with_its_fields_and_minimum_size(name: str) -> None:
    rows = _load(name)
    assert len(rows) >= MINIMUM[name]
    keys = IN_KB_KEYS if name in IN_KB else OUT_KEYS
    for row in rows:
        assert set(row) == keys, row
        assert isinstance(row["question"], str) and row["question"].strip(), row
        assert isinstance(row["topic"], str) and row["topic"].strip(), row
        if name in IN_KB:
            assert row["style"] in STYLES, row
            assert isinstance(row["expected"], list) and row["expected"], row
            assert len(set(row["expected"])) == len(row["expected"]), row
        else:
            assert row["kind"] == name.rsplit("/", 1)[-1], row


def test_no_duplicate_questions_within_or_across_sets() -> None:
    counts = Counter(_key(row["question"]) for name in MINIMUM for row in _load(name))
    duplicates = sorted(key for key, count in counts.items() if count > 1)
    assert not duplicates, duplicates


@pytest.mark.parametrize("name", sorted(FRESH))
def test_fresh_sets_are_one_split(name: str) -> None:
    assert {row["split"] for row in _load(name)} == {"fresh"}


@pytest.mark.parametrize("name", sorted(TUNED))
def test_holdout_share_is_between_20_and_40_percent(name: str) -> None:
    splits = Counter(row["split"] for row in _load(name))
    assert set(splits) == {"tune", "holdout"}, splits
    share = splits["holdout"] / sum(splits.values())
    assert 0.2 <= share <= 0.4, share


@pytest.mark.parametrize("name", IN_KB)
def test_expected_codes_exist_and_field_level_follow_the_first_code(name: str) -> None:
    procedures = _procedures()
    for row in _load(name):
        missing = [code for code in row["expected"] if code not in procedures]
        assert not missing, (row["question"], missing)
        first = procedures[row["expected"][0]]
        assert row["field"] == first["linh_vuc"], row
        assert row["level"] == first["cap_thuc_hien"], row


@pytest.mark.parametrize("name", IN_KB)
def test_style_matches_how_the_question_is_typed(name: str) -> None:
    for row in _load(name):
        typed_bare = row["style"] in ("no_diacritics", "abbrev")
        assert typed_bare != has_diacritics(row["question"]), row


def test_broad_set_covers_every_ministry_many_fields_and_every_common_level() -> None:
    procedures = _procedures()
    firsts = [procedures[row["expected"][0]] for row in _load("broad")]
    ministries = {p["_bo_nganh"] for p in procedures.values()}
    assert ministries <= {p["_bo_nganh"] for p in firsts}
    assert len({p["linh_vuc"] for p in firsts}) >= MIN_BROAD_FIELDS
    level_sizes = Counter(p["cap_thuc_hien"] for p in procedures.values())
    common_levels = {level for level, size in level_sizes.items() if size >= MIN_LEVEL_SIZE}
    assert common_levels <= {p["cap_thuc_hien"] for p in firsts}


def test_not_in_kb_topics_are_not_procedure_names() -> None:
    def bare(text: str) -> str:
        return re.sub(r"^thu tuc\s+", "", _key(text))

    names = {bare(p["ten_thu_tuc"]) for p in _procedures().values()}
    for row in (row for name in NOT_IN_KB for row in _load(name)):
        # "Sector – what it is": the part after the dash names the procedure the citizen wants.
        subject = re.split(r"\s[–-]\s", row["topic"], maxsplit=1)[-1]
        assert bare(subject) not in names, row
        assert bare(row["topic"]) not in names, row
