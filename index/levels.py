"""Which administrative level a procedure belongs to, and which one a citizen asks about.

Many procedures exist at several levels with the same name ("Cấp lại thẻ căn cước" at commune, province
and ministry). After the 2025 reform a citizen almost always means the commune one, so among variants of
one name the commune-level procedure goes first, unless the question names the province or the centre.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from index.normalize import fold, normalize, syllables

COMMUNE, PROVINCE, CENTRAL, OTHER = 0, 1, 2, 3

_LEVEL_WORDS: tuple[tuple[str, int], ...] = (
    ("cap xa", COMMUNE),
    ("cap tinh", PROVINCE),
    ("trung uong", CENTRAL),
    ("cap bo", CENTRAL),
    ("cap huyen", PROVINCE),
)
_PARENTHESIS = re.compile(r"\(([^()]*)\)")


def level_of(label: str) -> int:
    """Rank of one level label such as "Cấp xã" or "Cấp tỉnh"."""
    folded = fold(normalize(label))
    for words, rank in _LEVEL_WORDS:
        if words in folded:
            return rank
    return OTHER


def document_levels(name: str, levels: Sequence[str]) -> frozenset[int]:
    """Levels a procedure runs at; a name ending "(thực hiện tại cấp tỉnh)" overrides the level list."""
    for inner in _PARENTHESIS.findall(name):
        rank = level_of(inner)
        if rank != OTHER:
            return frozenset({rank})
    ranks = frozenset(level_of(label) for label in levels)
    return ranks or frozenset({OTHER})


def without_level_remarks(name: str) -> str:
    """`name` without its remarks in parentheses that name a level ("(thực hiện tại cấp tỉnh)"); others stay."""
    return _PARENTHESIS.sub(lambda m: "" if level_of(m.group(1)) != OTHER else m.group(0), name)


def variant_key(name: str) -> str:
    """The name without level remarks and the "Thủ tục" prefix: variants of one procedure share it."""
    folded = fold(normalize(without_level_remarks(name)))
    if folded.startswith("thu tuc "):
        folded = folded[len("thu tuc ") :]
    return folded


def requested_level(query: str) -> int | None:
    """The level a question names explicitly, if any ("ở tỉnh", "cấp trung ương", "Bộ Công an")."""
    tokens = syllables(query)
    folded = [fold(t) for t in tokens]
    joined = f" {' '.join(folded)} "
    if "tỉnh" in tokens or any(f" {w} tinh " in joined for w in ("cap", "o", "tai", "so")):
        return PROVINCE
    if "trung uong" in joined or "bộ" in tokens or any(f" {w} bo " in joined for w in ("cap", "tai", "o")):
        return CENTRAL
    if (
        "xã" in tokens
        or "phường" in tokens
        or any(f" {w} xa " in joined for w in ("cap", "tai", "o", "ubnd"))
    ):
        return COMMUNE
    return None


def preference(doc_levels: frozenset[int], wanted: int | None) -> int:
    """Sort key among variants: lower comes first."""
    if wanted is not None and wanted in doc_levels:
        return -1
    return min(doc_levels)
