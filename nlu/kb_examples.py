"""Training examples of the procedure intents written from the knowledge base itself.

The hand-written examples cover a few dozen common procedures; the knowledge base holds 2,642, most of
them with words no example uses ("khai thác nước dưới đất", "đại lý xổ số", "thuốc bảo vệ thực vật").
Without these the intent classifier calls such questions out of scope. Each sampled procedure name is
cut to the words a person would type (no "Thủ tục", no level, no legal tail), put in an everyday
framing, and about four in ten are written without diacritics, as many people type on phones.

The output is deterministic (fixed seed) and committed as `nlu/data/nlu/procedures_kb.yml`; a test checks
that it is up to date with the seed data. Run `.venv/bin/python -m nlu.kb_examples` after the seed changes.
"""

from __future__ import annotations

import gzip
import json
import random
import re
import sys
from collections import defaultdict
from pathlib import Path

from index.normalize import fold

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "knowledge" / "seed" / "dvc_procedures_2642.jsonl.gz"
OUTPUT = ROOT / "nlu" / "data" / "nlu" / "procedures_kb.yml"
HAND_WRITTEN = ROOT / "nlu" / "data" / "nlu"
SEED_VALUE = 16
EXAMPLES = 640
MAX_WORDS = 12
MIN_WORDS = 2
FOLDED_SHARE = 0.4

# Framings per intent. `ask_procedure` asks for a procedure as a whole; the topic intents ask for one
# part of it (documents, fee, time, place, online), each in its own words, so that the classifier learns
# the procedure vocabulary inside the framings of every procedure intent, not only the first.
FRAMINGS: dict[str, tuple[str, ...]] = {
    "ask_procedure": (
        "{x}", "thủ tục {x}", "cho hỏi thủ tục {x}", "tôi muốn {x}", "mình cần {x}", "làm sao để {x}",
        "hướng dẫn {x}", "{x} làm thế nào", "xin hỏi về {x}", "em muốn hỏi về {x}", "{x} thì làm sao ạ",
        "thủ tục {x} như thế nào", "muốn {x} thì làm gì",
    ),
    "ask_documents": (
        "{x} cần giấy tờ gì", "hồ sơ {x} gồm những gì", "{x} cần chuẩn bị những gì",
        "muốn {x} thì mang theo giấy tờ gì", "thành phần hồ sơ {x}",
    ),
    "ask_fee": ("lệ phí {x} bao nhiêu", "{x} mất bao nhiêu tiền", "{x} có mất phí không", "phí {x} là bao nhiêu"),
    "ask_time": ("{x} mất bao lâu", "{x} bao nhiêu ngày thì xong", "thời gian giải quyết {x}",
                 "{x} bao lâu có kết quả"),
    "ask_where": ("{x} nộp ở đâu", "{x} làm ở cơ quan nào", "nộp hồ sơ {x} ở đâu"),
    "ask_online": ("{x} nộp online được không", "{x} làm trên dịch vụ công được không",
                   "có thể {x} trực tuyến không"),
}
# How the generated examples are shared between the intents (by weight).
INTENT_SHARES: tuple[tuple[str, int], ...] = (
    ("ask_procedure", 10), ("ask_documents", 4), ("ask_fee", 2), ("ask_time", 2), ("ask_where", 1), ("ask_online", 1),
)
_LEADING = re.compile(r"^(thủ tục|trình tự|quy trình)\s+", re.IGNORECASE)
# A level, a legal reference or a clarification in brackets is never typed by a citizen.
_BRACKETS = re.compile(r"\([^()]{0,200}\)")
_LEVEL = re.compile(r"\b(tại |ở )?cấp (xã|tỉnh|huyện|trung ương|bộ)\b", re.IGNORECASE)
_CLAUSE_STARTS = frozenset({"đối", "của", "trong", "tại", "cho", "theo", "khi", "do", "thuộc", "trên", "từ", "vào"})
_CUT_WORDS = (" theo quy định", " quy định tại ", ";", ":", " - ")


def short_name(name: str) -> str:
    """The first words of a procedure name that say what it is, lower case."""
    text = _BRACKETS.sub(" ", name)
    text = _LEADING.sub("", " ".join(text.split()))
    text = _LEVEL.sub(" ", text)
    for marker in _CUT_WORDS:
        head = text.split(marker, 1)[0]
        if len(head.split()) >= 3:
            text = head
    words = text.lower().replace(",", " ").split()
    if len(words) > MAX_WORDS:
        # Cut where a clause starts ("… đối với …", "… của …"), so the words kept still say one thing.
        cuts = [i for i in range(4, MAX_WORDS + 1) if words[i] in _CLAUSE_STARTS]
        words = words[: cuts[-1] if cuts else MAX_WORDS]
    while words and words[-1] in _CLAUSE_STARTS | {"và", "với", "về", "các", "có", "để", "đã", "hoặc"}:
        words.pop()
    return " ".join(words)


def _existing_examples() -> set[str]:
    """Every hand-written example, so a generated one never repeats one (Rasa refuses duplicates)."""
    seen: set[str] = set()
    for path in HAND_WRITTEN.glob("*.yml"):
        if path == OUTPUT:
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            stripped = line.strip()
            if stripped.startswith("- "):
                plain = re.sub(r"\[([^\]]{1,200})\]\([a-z_]{1,40}\)", r"\1", stripped[2:])
                seen.add(" ".join(plain.lower().split()))
    return seen


def generate(records: list[dict[str, str]], *, count: int = EXAMPLES,
             seed: int = SEED_VALUE) -> dict[str, list[str]]:
    """`count` examples over procedures drawn field by field, so rare fields are represented too."""
    rng = random.Random(seed)
    by_field: dict[str, list[str]] = defaultdict(list)
    for record in sorted(records, key=lambda r: r["ma_thu_tuc"]):
        short = short_name(record["ten_thu_tuc"])
        if len(short.split()) >= MIN_WORDS:
            by_field[record.get("linh_vuc") or ""].append(short)
    pools = [sorted(set(names)) for _, names in sorted(by_field.items())]
    for pool in pools:
        rng.shuffle(pool)
    intents = [intent for intent, weight in INTENT_SHARES for _ in range(weight)]
    existing = _existing_examples()
    examples: dict[str, list[str]] = {intent: [] for intent, _ in INTENT_SHARES}
    seen: set[str] = set()
    made = 0
    while made < count and any(pools):
        for pool in pools:
            if not pool or made >= count:
                continue
            name = pool.pop()
            intent = rng.choice(intents)
            text = rng.choice(FRAMINGS[intent]).format(x=name)
            if rng.random() < FOLDED_SHARE:
                text = fold(text)
            key = " ".join(text.split())
            if key in existing or fold(key) in seen:
                continue
            seen.add(fold(key))
            examples[intent].append(key)
            made += 1
    return examples


def render(examples: dict[str, list[str]]) -> str:
    lines = [
        "# Generated by `python -m nlu.kb_examples` from knowledge/seed: procedure names in everyday framings.",
        "# Do not edit by hand; change nlu/kb_examples.py and run it again.",
        'version: "3.1"',
        "",
        "nlu:",
    ]
    for intent, texts in examples.items():
        lines += [f"  - intent: {intent}", "    examples: |", *(f"      - {text}" for text in texts)]
    return "\n".join(lines) + "\n"


def load_records(path: Path = SEED) -> list[dict[str, str]]:
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def main() -> int:
    OUTPUT.write_text(render(generate(load_records())), encoding="utf-8")
    sys.stderr.write(f"wrote {OUTPUT.relative_to(ROOT)}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
