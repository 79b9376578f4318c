"""Small text helpers shared by the portal parsers.

The portal writes "Không có thông tin" where a field is empty and leaves stray tabs, non-breaking
spaces and doubled spaces from its HTML; every parser cleans text the same way so that equal
texts compare equal and nothing shown to a citizen carries that noise.
"""

from __future__ import annotations

import re
import unicodedata

NO_INFORMATION = "Không có thông tin"

_SPACES = re.compile(r"[ \t\u00a0\u200b\ufeff]+")
_BLANK_LINES = re.compile(r"\s*\n\s*")


def normalize(text: str) -> str:
    """Compose Unicode (NFC), collapse runs of spaces and trim every line.

    The crawl mixes composed and decomposed Vietnamese letters; comparing or searching them
    without NFC misses matches.
    """
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    text = _SPACES.sub(" ", text)
    return _BLANK_LINES.sub("\n", text).strip()


def clean_field(text: str) -> str:
    """Normalise a free-text field and turn the portal's empty marker into an empty string."""
    cleaned = normalize(text)
    if is_no_information(cleaned):
        return ""
    return cleaned


def is_no_information(text: str) -> bool:
    """True for an empty value or the portal's "no information" marker (with stray punctuation)."""
    stripped = text.strip().strip(".").strip()
    return stripped == "" or stripped.casefold() == NO_INFORMATION.casefold()


def one_line(text: str) -> str:
    """Collapse a multi-line cell into one line, for table cells that are shown inline."""
    return normalize(text).replace("\n", " ")


def is_upper_letter(char: str) -> bool:
    """True for an upper-case letter, Vietnamese ones included."""
    return char.isalpha() and char.isupper()


def is_lower_letter(char: str) -> bool:
    """True for a lower-case letter, Vietnamese ones included."""
    return char.isalpha() and char.islower()


def has_camel_join(text: str) -> bool:
    """True when a lower-case letter runs straight into an upper-case one ("sinhTrung").

    Vietnamese words are separated by spaces, so such a join means two cells or two sentences
    were glued together by the crawl.
    """
    return any(camel_join_positions(text))


def camel_join_positions(text: str) -> list[int]:
    """Indexes where a lower-case letter is followed directly by an upper-case letter."""
    # str.isupper()/islower() on one character are true only for cased letters, so this equals the
    # is_lower_letter/is_upper_letter test, checked upper-case first because upper case is rare in text.
    return [index for index, (previous, current) in enumerate(zip(text, text[1:], strict=False), start=1)
            if current.isupper() and previous.islower()]
