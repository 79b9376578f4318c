"""A small real knowledge base cut from the bundled seed file, for tests that need search to work."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterable
from pathlib import Path

from assistant.config import PROJECT_ROOT

SEED_FILE = PROJECT_ROOT / "knowledge" / "seed" / "dvc_procedures_2642.jsonl.gz"

# Commune-level civil-status and residence procedures, their provincial/central namesakes, and unrelated
# ones so that ranking has something to get wrong.
SUBSET_CODES = (
    "1.001193", "1.000894", "1.000656", "1.004873", "1.004859", "2.000635", "2.000815", "2.000884",
    "1.004222", "1.001022", "1.004837", "1.000005", "1.003930", "1.001742", "2.000528", "2.000806",
    "2.001019", "2.001035", "1.004884", "1.000689", "1.004746", "2.001406",
)


def seed_records(codes: Iterable[str] | None = None) -> list[dict[str, str]]:
    wanted = set(codes) if codes is not None else None
    with gzip.open(SEED_FILE, "rt", encoding="utf-8") as handle:
        records = [json.loads(line) for line in handle if line.strip()]
    return [r for r in records if wanted is None or r["ma_thu_tuc"] in wanted]


def write_jsonl(path: Path, records: Iterable[object], *, extra_lines: Iterable[str] = ()) -> Path:
    with path.open("w", encoding="utf-8") as handle:
        for record in records:
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
        for line in extra_lines:
            handle.write(line + "\n")
    return path
