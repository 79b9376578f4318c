"""Putting the accents back on a question typed without them, from the knowledge base's own wording.

Many citizens type on phones without Vietnamese accents: "lam so do lan dau het bao nhieu tien". The
folded BM25 terms still match, but a folded syllable stands for many words ("bao" is bảo, báo, bao…), so
the ranking blurs, and the dense model, trained on accented text, reads such a question poorly. Measured
on the development question sets, questions without accents found their procedure first about half as
often as the others.

A clerk reads "so do" as "sổ đỏ" from context; so does this: a bigram model over the syllables of the
procedures' names, summaries, results and aliases (plus the everyday question words and colloquial
phrases citizens use) picks, for each folded syllable, the accented form that best fits its neighbours
(Viterbi over at most `MAX_FORMS` forms per syllable: linear in the question's length). The restored
wording is added to the question, never substituted: a wrong guess adds a few terms, it removes none.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from index.documents import IndexDocument
from index.normalize import fold, has_diacritics, syllables
from index.synonyms import RULES

# Accented forms kept per folded syllable: the commonest cover the real words of the domain.
MAX_FORMS = 8
# Weight of the bigram estimate against the single-syllable one (Jelinek–Mercer interpolation).
BIGRAM_WEIGHT = 0.8
_ADD = 0.1  # smoothing of unseen syllables
_CLAUSES = re.compile(r"[.,;:!?()\[\]\n]+")

# How citizens frame a question; procedure texts rarely contain these, so they are taught here.
_EVERYDAY: tuple[str, ...] = (
    "ở đâu", "nộp ở đâu", "làm ở đâu", "thế nào", "như thế nào", "làm thế nào", "làm sao", "ra sao",
    "thì sao", "bao nhiêu", "bao nhiêu tiền", "mất bao nhiêu tiền", "hết bao nhiêu tiền", "bao lâu",
    "mất bao lâu", "bao lâu thì có", "là gì", "cần gì", "cần những gì", "giấy tờ gì", "cần giấy tờ gì",
    "có được không", "có phải không", "có cần không", "có mất phí không", "có mất tiền không", "được không",
    "tôi muốn", "cho tôi hỏi", "cho con", "cho bố mẹ", "cho vợ", "cho chồng", "ở nhà", "ở quê", "đi làm",
    "bị mất", "làm lại", "hết hạn", "trực tuyến", "qua mạng",
)


@dataclass(frozen=True)
class AccentModel:
    """Syllable and syllable-pair counts of accented text, and the accented forms of each folded syllable."""

    unigrams: Mapping[str, int]
    bigrams: Mapping[tuple[str, str], int]
    forms: Mapping[str, tuple[str, ...]]
    total: int

    @classmethod
    def from_documents(cls, documents: Iterable[IndexDocument]) -> AccentModel:
        """The model of the procedures' names, summaries, results and aliases."""
        return cls.build(text for doc in documents for text in (doc.name, doc.summary, doc.result, *doc.aliases))

    @classmethod
    def build(cls, texts: Iterable[str]) -> AccentModel:
        """Count the syllables of `texts` and of the everyday wording; clauses are counted apart."""
        unigrams: Counter[str] = Counter()
        bigrams: Counter[tuple[str, str]] = Counter()
        for text in (*texts, *_EVERYDAY, *(p for rule in RULES for p in (*rule.phrases, rule.official))):
            for clause in _CLAUSES.split(text):
                words = [w for w in syllables(clause, expand=False) if w.isalpha()]
                unigrams.update(words)
                bigrams.update(zip(words, words[1:], strict=False))
        by_fold: dict[str, Counter[str]] = {}
        for word, count in unigrams.items():
            by_fold.setdefault(fold(word), Counter())[word] += count
        forms = {folded: tuple(w for w, _ in counts.most_common(MAX_FORMS)) for folded, counts in by_fold.items()}
        return cls(unigrams=unigrams, bigrams=bigrams, forms=forms, total=sum(unigrams.values()))

    def restore(self, query: str) -> str | None:
        """The accented reading of a question typed entirely without accents; None when there is nothing to add.

        A question with any accent is left alone: its author chose its accents, and an unaccented syllable
        in it ("con", "cho") is most likely meant as typed.
        """
        if has_diacritics(query):
            return None
        words = syllables(query, expand=False)
        if not words:
            return None
        restored = self._best_path([self.forms.get(fold(w), (w,)) if w.isalpha() else (w,) for w in words])
        return None if restored == words else " ".join(restored)

    def _best_path(self, lattice: Sequence[Sequence[str]]) -> list[str]:
        """Viterbi over the forms of each position (log probabilities, one back-pointer per form)."""
        vocabulary = len(self.unigrams) or 1
        single = {w: (self.unigrams.get(w, 0) + _ADD) / (self.total + _ADD * vocabulary)
                  for forms in lattice for w in forms}
        scores = {w: math.log(single[w]) for w in lattice[0]}
        pointers: list[dict[str, str]] = []
        for forms in lattice[1:]:
            step: dict[str, float] = {}
            back: dict[str, str] = {}
            for word in forms:
                back[word], step[word] = max(
                    ((previous, score + math.log(self._probability(previous, word, single[word])))
                     for previous, score in scores.items()),
                    key=lambda candidate: candidate[1],
                )
            scores = step
            pointers.append(back)
        word = max(scores, key=scores.__getitem__)
        path = [word]
        for back in reversed(pointers):
            word = back[word]
            path.append(word)
        return path[::-1]

    def _probability(self, previous: str, word: str, single: float) -> float:
        seen = self.unigrams.get(previous, 0)
        pair = self.bigrams.get((previous, word), 0) / seen if seen else 0.0
        return BIGRAM_WEIGHT * pair + (1.0 - BIGRAM_WEIGHT) * single
