"""Personal numbers out of stored text: phone numbers, ID numbers and verification answers.

What the citizen types while the bot checks a dossier (the last digits of a phone, a birth year, an ID
number) is never stored. Rather than trust the dialogue to say which message was an answer, every number
that could be one is masked: any run of four or more digits, and any digits written in groups
("0912 345 678", "079.123.456.789") adding up to seven or more. Dossier codes
(`<agency>-<yymmdd>-<4 digits>`) are kept: they are how a citizen and a clerk talk about a file, and a
code alone opens nothing without its verification answer. Small numbers ("50.000 đồng", "ngày 12/5")
stay readable.
"""

from __future__ import annotations

import re
from typing import Final

MASK: Final = "***"
DOSSIER_CODE: Final = re.compile(r"\b[A-Za-z0-9][A-Za-z0-9.]*-\d{6}-\d{4}\b")
# Digit groups joined by one space, dot or dash: a phone or ID number written the way people write it.
_GROUPED_DIGITS: Final = re.compile(r"\d+(?:[ .\-]\d+)*")
_MIN_RUN: Final = 4
_MIN_GROUPED: Final = 7


def _mask_numbers(text: str) -> str:
    def replace(match: re.Match[str]) -> str:
        value = match.group(0)
        groups = re.split(r"[ .\-]", value)
        if sum(len(g) for g in groups) >= _MIN_GROUPED and len(groups) > 1:
            return MASK
        return "".join(MASK if len(g) >= _MIN_RUN else g for g in re.split(r"(\D)", value))

    return _GROUPED_DIGITS.sub(replace, text)


def mask_personal_numbers(text: str) -> str:
    """The text with every number that may be personal replaced by `***`, dossier codes kept."""
    pieces: list[str] = []
    last = 0
    for match in DOSSIER_CODE.finditer(text):
        pieces.append(_mask_numbers(text[last:match.start()]))
        pieces.append(match.group(0))
        last = match.end()
    pieces.append(_mask_numbers(text[last:]))
    return "".join(pieces)
