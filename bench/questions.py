"""Distinct citizen questions for the chat load, so no cache anywhere can serve a repeated text.

Sources: the development questions and the staff aliases of the knowledge base, each asked in a few
everyday framings, with and without diacritics. The list is shuffled with a fixed seed so every run
asks the same questions in the same order.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

from index.normalize import fold

# How people open or close a question in chat; none of them asks for a particular topic (fee, time...),
# so each turn stays a free question: a search turn.
FRAMINGS = ("{q}", "cho hỏi {q}", "{q} ạ", "mình muốn hỏi {q}", "{q} thì làm thế nào", "em hỏi chút, {q}",
            "ad ơi, {q}", "cho em hỏi {q} với", "{q} vậy ạ", "xin hỏi {q}", "mọi người ơi {q}", "{q} nhé")


def load_questions(dev_file: Path, aliases_file: Path, *, seed: int = 8) -> list[str]:
    """Distinct questions, shuffled reproducibly."""
    bases: list[str] = [json.loads(line)["question"] for line in dev_file.read_text().splitlines() if line.strip()]
    aliases = json.loads(aliases_file.read_text(encoding="utf-8"))
    bases += [alias for texts in aliases.values() for alias in texts]
    seen: set[str] = set()
    questions: list[str] = []
    for base in bases:
        for framing in FRAMINGS:
            for text in (framing.format(q=base), fold(framing.format(q=base))):
                key = " ".join(text.lower().split())
                if key not in seen:
                    seen.add(key)
                    questions.append(text)
    random.Random(seed).shuffle(questions)
    return questions


class QuestionFeed:
    """Hands out the questions in order, each once; counts the repeats if a run outlasts the list."""

    def __init__(self, questions: list[str]) -> None:
        self._questions = questions
        self._next = 0
        self.repeats = 0

    def take(self) -> str:
        if self._next >= len(self._questions):
            self.repeats += 1
        text = self._questions[self._next % len(self._questions)]
        self._next += 1
        return text

    @property
    def asked(self) -> int:
        return self._next
