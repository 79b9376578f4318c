"""Between near-identical names, the question's words choose; the plain procedure when they say nothing.

"Đăng ký tạm trú" and "Xóa đăng ký tạm trú", "Thủ tục đăng ký kết hôn" and "Thủ tục đăng ký lại kết hôn",
"Cấp đổi thẻ căn cước" and "Cấp lại thẻ căn cước": such names differ by an act or two ("xóa", "lại",
"đổi", "gia hạn"). Both retrievers score them almost alike (BM25 sees the same words, the small dense
model barely notices one syllable), so which comes first is noise. A citizen who wants the special case
says its word; one who says nothing of it ("dk tạm trú mất phí không") means the plain procedure.

Two names are siblings when each has at most `MAX_EXTRA` syllables the other lacks: a longer difference
is another procedure ("… kết hợp đăng ký nhận cha, mẹ, con") that the ranking judges; a remark in
parentheses counts unless it names a level ("(doanh nghiệp, chi nhánh…)" is who the procedure is for).
In a question typed with accents, syllables must match with them ("lái xe" does not say "lại", "mới" is
not "môi"); one typed without accents says every syllable its letters could spell ("lai" may be "lại"),
so it never demotes a name on a guess about accents. The official wording of a colloquial phrase counts
as said ("xóa hộ khẩu" says "thường trú"), except the generic verbs': "mất bao nhiêu tiền" asks a price,
yet "mất" stands for "cấp lại" when a paper is lost.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence

from index.levels import without_level_remarks
from index.normalize import fold, has_diacritics, syllables
from index.synonyms import GENERIC_WORDINGS, expansions

# Ranks of the search whose names are compared; siblings further down are not choices anyway.
DEPTH = 5
MAX_EXTRA = 3
# Grammar of official names: a question says "cho" or "của" without asking for anything by it.
_FILLER = frozenset({"thủ", "tục", "cho", "của", "và", "các", "đối", "với", "tại"})


def name_syllables(name: str) -> frozenset[str]:
    """The accented syllables of a name, without its level remarks and grammar words."""
    return frozenset(syllables(without_level_remarks(name), expand=False)) - _FILLER


def said_syllables(question: str) -> frozenset[str]:
    """The question's syllables, abbreviations expanded ("dk" says "đăng ký"), with the official wordings of its
    colloquial phrases but the generic ones; folded when it was typed without accents (`chosen_over` then
    compares folded names)."""
    official = [wording for wording in expansions(question) if wording not in GENERIC_WORDINGS]
    words = syllables(" ".join([question, *official]))
    return frozenset(words) if has_diacritics(question) else frozenset(fold(word) for word in words)


def _says(said: Collection[str], word: str) -> bool:
    return word in said or fold(word) in said


def chosen_over(first: str, second: str, said: Collection[str]) -> bool:
    """Whether the question's words choose the name `first` over its sibling `second`.

    They do when the question says every extra syllable of `first` (none, for the plain name) and none of
    `second`'s. Names that are not siblings, or the same name, are never chosen between here.
    """
    return _chosen(name_syllables(first), name_syllables(second), said)


def _chosen(first: frozenset[str], second: frozenset[str], said: Collection[str]) -> bool:
    only_first, only_second = first - second, second - first
    if not (only_first or only_second) or len(only_first) > MAX_EXTRA or len(only_second) > MAX_EXTRA:
        return False
    return all(_says(said, word) for word in only_first) and not any(_says(said, word) for word in only_second)


def prefer_said(ordered: Sequence[int], name_of: Callable[[int], str], said: Collection[str]) -> list[int]:
    """`ordered` with each name moved ahead of the siblings above it that the question's words do not choose.

    `said` holds the question's syllables (`said_syllables`). "Chosen over" is a strict partial order (a
    name's unsaid syllables are a subset of the other's, its said ones a superset, and they differ), so
    moves never cycle; the bound only keeps the work fixed whatever the names.
    """
    result = list(ordered)
    # Moves stay within the top DEPTH, so each name there is read once.
    names = {position: name_syllables(name_of(position)) for position in result[:DEPTH]}
    for _ in range(DEPTH * DEPTH):
        top = result[:DEPTH]
        move = next(((i, j) for i in range(len(top)) for j in range(i + 1, len(top))
                     if _chosen(names[top[j]], names[top[i]], said)), None)
        if move is None:
            break
        result.insert(move[0], result.pop(move[1]))
    return result
