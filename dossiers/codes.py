"""Dossier codes in the national format `<agency code>-<yymmdd>-<4-digit sequence>`.

Citizens copy the code from a paper receipt or a phone screen, so what arrives is rarely clean: spaces,
lower case, full-width digits from a Vietnamese IME, and any of the dash look-alikes a keyboard offers.
`parse_code` accepts all of those and returns the one canonical spelling used as the database key; anything
else is refused with a message that shows the expected format (never the input, which may be personal).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from dossiers import texts_vi

EXAMPLE_CODE = "000.00.15.H29-250714-0001"
MAX_INPUT_CHARS = 500

# Hyphen, non-breaking hyphen, figure dash, en/em dash, horizontal bar, minus sign, small/full-width
# hyphen-minus (NFKC maps some of these already; the rest are mapped here).
_DASHES = dict.fromkeys(map(ord, "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d\u30fc"), "-")
# Ideographic full stop and middle dots typed in place of a dot.
_DOTS = dict.fromkeys(map(ord, "\u3002\u00b7\u2027\u2219"), ".")
# Zero-width characters and the byte-order mark, which survive copy and paste invisibly.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"), None)

_SEP = r"(?:\s*-\s*|\s+)"
_CODE = re.compile(
    r"(?<![0-9A-Z.])"
    r"(\d{3})\s*\.\s*(\d{2})\s*\.\s*(\d{2})\s*\.\s*([A-Z])\s*(\d{2})"
    rf"{_SEP}(\d{{2}})(\d{{2}})(\d{{2}}){_SEP}(\d{{4}})"
    r"(?![0-9A-Z])"
)


class MalformedDossierCode(ValueError):
    """The text holds no dossier code in the national format."""

    def __init__(self) -> None:
        super().__init__(texts_vi.MALFORMED_CODE)
        self.message_vi = texts_vi.MALFORMED_CODE


@dataclass(frozen=True)
class DossierCode:
    """A parsed code; `str()` gives the canonical spelling."""

    agency: str
    received_on: date
    sequence: int

    def __str__(self) -> str:
        return f"{self.agency}-{self.received_on:%y%m%d}-{self.sequence:04d}"


def clean_text(text: str) -> str:
    """NFKC, dash and dot look-alikes mapped, invisible characters dropped, upper case."""
    text = unicodedata.normalize("NFKC", text[:MAX_INPUT_CHARS])
    return text.translate(_DASHES).translate(_DOTS).translate(_INVISIBLE).upper()


def _from_match(match: re.Match[str]) -> DossierCode:
    a, b, c, letter, digits, yy, mm, dd, seq = match.groups()
    try:
        received_on = date(2000 + int(yy), int(mm), int(dd))
    except ValueError as exc:
        raise MalformedDossierCode() from exc
    return DossierCode(agency=f"{a}.{b}.{c}.{letter}{digits}", received_on=received_on, sequence=int(seq))


def parse_code(text: str) -> DossierCode:
    """The code that makes up the whole of `text` (surrounding spaces allowed)."""
    match = _CODE.fullmatch(clean_text(text).strip())
    if match is None:
        raise MalformedDossierCode()
    return _from_match(match)


def find_code(text: str) -> DossierCode:
    """The first code inside a longer message ("mã hồ sơ của tôi là 000.00.15.H29-250714-0001 ạ")."""
    match = _CODE.search(clean_text(text))
    if match is None:
        raise MalformedDossierCode()
    return _from_match(match)


def normalise_code(text: str) -> str:
    """The canonical spelling of the code in `text`; raises `MalformedDossierCode`."""
    return str(parse_code(text))
