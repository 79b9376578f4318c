"""Verification answers (last 4 digits of the applicant's phone or ID number), kept only as peppered hashes.

The digest binds the answer to one dossier code, so equal digits on two dossiers give unrelated digests,
and the pepper lives in the settings, not the database: a stolen database alone does not let anyone test
the 10,000 possible answers offline.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata

# A development default; settings refuse it (or anything this short) when environment=production.
PLACEHOLDER_PEPPER = "dev-only-dossier-pepper-change-me"
MIN_PEPPER_CHARS = 24

_DIGITS = re.compile(r"\d")


class MalformedVerification(ValueError):
    """The verification answer is not exactly four digits."""


def last4(value: str) -> str | None:
    """The last four digits of a phone or ID number as typed (spaces, dots, +84 allowed); None if fewer."""
    digits = "".join(_DIGITS.findall(unicodedata.normalize("NFKC", value)))
    return digits[-4:] if len(digits) >= 4 else None


def clean_answer(answer: str) -> str:
    """The citizen's answer as four ASCII digits; raises `MalformedVerification` otherwise."""
    text = unicodedata.normalize("NFKC", answer[:64])
    digits = "".join(_DIGITS.findall(text))
    if len(digits) != 4 or re.sub(r"[\d\s.\-]", "", text):
        raise MalformedVerification("A verification answer is exactly four digits.")
    return digits


def digest(pepper: str, code: str, answer4: str) -> str:
    """HMAC-SHA256 of code and answer under the pepper, hex."""
    message = f"{code}\x1f{answer4}".encode()
    return hmac.new(pepper.encode(), message, hashlib.sha256).hexdigest()


def digests_for(pepper: str, code: str, *numbers: str | None) -> frozenset[str]:
    """Digests of the last four digits of each given phone/ID number (missing or short ones skipped)."""
    out = set()
    for number in numbers:
        tail = last4(number) if number else None
        if tail:
            out.add(digest(pepper, code, tail))
    return frozenset(out)


def matches(pepper: str, code: str, answer4: str, stored: frozenset[str] | set[str]) -> bool:
    """Whether the answer matches one stored digest; every digest is compared in constant time."""
    candidate = digest(pepper, code, answer4)
    found = False
    for value in stored:
        found |= hmac.compare_digest(candidate, value)
    return found


def pepper_problem(pepper: str) -> str | None:
    """Why a pepper is unfit for production, or None."""
    if pepper == PLACEHOLDER_PEPPER or pepper.strip().lower() in {"", "changeme", "change-me", "secret"}:
        return "ASSISTANT_DOSSIER_PEPPER is a placeholder; set a long random value (e.g. `openssl rand -hex 32`)."
    if len(pepper) < MIN_PEPPER_CHARS:
        return f"ASSISTANT_DOSSIER_PEPPER has {len(pepper)} characters; use at least {MIN_PEPPER_CHARS}."
    return None
