"""Split the procedure steps (trinh_tu_thuc_hien) into lines and spot portal corruption.

The portal keeps line breaks between most steps but sometimes glues "…xử lýBước 10 Duyệt…";
the known corruption drops text mid-sentence ("…đăng ký khai tâm Phục vụ…", where "khai sinh tại
Trung tâm Phục vụ" was meant). Both leave a lower-case letter running into an upper-case one or a
word pair that never occurs in correct text, which is cheap to detect.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from knowledge.importer.text_cleanup import camel_join_positions, clean_field, normalize

_GLUED_STEP = re.compile(r"(?<=\S)(?=Bước \d+\s*[:.]?\s)")
_BROKEN_PHRASES = (re.compile(r"(?<!Trung )tâm Phục vụ"),)


@dataclass
class StepList:
    """Steps read from one field and what looked doubtful while reading them."""

    steps: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def _word_at(text: str, position: int) -> str:
    before = re.search(r"\S*$", text[:position])
    after = re.match(r"\S*", text[position:])
    return (before.group(0) if before else "") + (after.group(0) if after else "")


def _garbled_snippets(text: str) -> list[str]:
    snippets = []
    for position in camel_join_positions(text):
        word = _word_at(text, position)
        # Mixed-case ASCII words are names such as "VNeID" or "eKYC", not glued text.
        if word.isascii() or text.startswith("Bước", position):
            continue
        snippets.append(text[max(0, position - 15) : position + 15])
    for phrase in _BROKEN_PHRASES:
        for match in phrase.finditer(text):
            snippets.append(text[max(0, match.start() - 20) : match.end()])
    return snippets


def parse_steps(text: str) -> StepList:
    """One entry per line or per glued "Bước N"; garbled passages are kept and reported."""
    result = StepList()
    cleaned = clean_field(text)
    if not cleaned:
        return result
    for line in normalize(cleaned).split("\n"):
        for piece in _GLUED_STEP.split(line):
            piece = piece.strip()
            if piece:
                result.steps.append(piece)
    snippets = _garbled_snippets(cleaned)
    if snippets:
        shown = "; ".join(repr(snippet) for snippet in snippets[:3])
        result.problems.append(f"text looks garbled by the portal ({shown})")
    return result
