"""Personal numbers out of stored text: phone numbers, ID numbers and verification answers.

What the citizen types while the bot checks a dossier (the last digits of a phone, a birth year, an ID
number) is never stored. Rather than trust the dialogue to say which message was an answer, every number
that could be one is masked: any run of four or more digits, and any digits written in groups
("0912 345 678", "079.123.456.789", "0912/345/678", "0912  345  678") adding up to seven or more. Dossier codes
(`<agency>-<yymmdd>-<4 digits>`) are kept: they are how a citizen and a clerk talk about a file, and a
code alone opens nothing without its verification answer. Small numbers ("50.000 đồng", "ngày 12/5")
stay readable.
"""

from __future__ import annotations

import re
from typing import Final

MASK: Final = "***"
# The fixed tail of a dossier code; its agency part is found by walking back from the tail (`_code_spans`).
# One pattern `[A-Za-z0-9][A-Za-z0-9.]*-\d{6}-\d{4}` took quadratic time on text like "a.a.a.a…": every
# word start re-read the whole run. Masking runs on every citizen message, so each step here is linear.
_CODE_TAIL: Final = re.compile(r"-\d{6}-\d{4}\b")
_AGENCY_CHARS: Final = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789.")
_AGENCY_START: Final = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
# Digit groups joined the way people write a phone or ID number: one dot, dash or slash, or one to three
# spaces ("0912  345  678"). Separators and digits never overlap, so a match is read once.
_GROUPED_DIGITS: Final = re.compile(r"\d+(?:(?:[.\-/]| {1,3}|\t)\d+)*")
_GROUP_SEPARATORS: Final = re.compile(r"[ \t.\-/]+")
_MIN_RUN: Final = 4
_MIN_GROUPED: Final = 7


def _is_word_char(text: str, index: int) -> bool:
    return index >= 0 and (text[index].isalnum() or text[index] == "_")


def _code_spans(text: str) -> list[tuple[int, int]]:
    """Where dossier codes (`<agency>-<yymmdd>-<4 digits>`, the agency starting a word) are in `text`."""
    spans: list[tuple[int, int]] = []
    floor = 0
    for tail in _CODE_TAIL.finditer(text):
        run_start = tail.start()
        while run_start > floor and text[run_start - 1] in _AGENCY_CHARS:
            run_start -= 1
        start = next((i for i in range(run_start, tail.start())
                      if text[i] in _AGENCY_START and not _is_word_char(text, i - 1)), None)
        if start is not None:
            spans.append((start, tail.end()))
            floor = tail.end()
    return spans


def _mask_numbers(text: str) -> str:
    def replace(match: re.Match[str]) -> str:
        value = match.group(0)
        groups = _GROUP_SEPARATORS.split(value)
        if sum(len(g) for g in groups) >= _MIN_GROUPED and len(groups) > 1:
            return MASK
        return "".join(MASK if len(g) >= _MIN_RUN else g for g in re.split(r"(\D)", value))

    return _GROUPED_DIGITS.sub(replace, text)


def mask_personal_numbers(text: str) -> str:
    """The text with every number that may be personal replaced by `***`, dossier codes kept."""
    pieces: list[str] = []
    last = 0
    for start, end in _code_spans(text):
        pieces.append(_mask_numbers(text[last:start]))
        pieces.append(text[start:end])
        last = end
    pieces.append(_mask_numbers(text[last:]))
    return "".join(pieces)
