"""Finding the address inside what a citizen typed.

Citizens write "tôi ở xã Yên Thịnh, huyện Yên Mô cũ thì giờ nộp hồ sơ ở đâu?", "P. Bến Nghé, Q.1, TP HCM" or
"xa tung ba huyen vi xuyen ha giang". This module only cuts such text into mentions — a unit marker ("xã",
"huyện", "tỉnh", their abbreviations) followed by the words that may name the unit — and keeps the rest as loose
words. Which words really form a name is decided by the resolver, which knows the names: it takes the longest
known prefix of a mention's words, so the question words after an address fall away without a stop list.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

WARD, DISTRICT, PROVINCE, CITY = "ward", "district", "province", "city"  # CITY: province or old district

MAX_NAME_WORDS = 6

# Marker spellings, accented or not, as lower-case word tuples → (level, key of the unit type).
# Only the exact spellings count: "phương", "quán" or "tình" are ordinary words, not markers.
_MARKERS: dict[tuple[str, ...], tuple[str, str]] = {
    ("thị", "trấn"): (WARD, "thitran"),
    ("thi", "tran"): (WARD, "thitran"),
    ("đặc", "khu"): (WARD, "dackhu"),
    ("dac", "khu"): (WARD, "dackhu"),
    ("thị", "xã"): (DISTRICT, "thixa"),
    ("thi", "xa"): (DISTRICT, "thixa"),
    ("thành", "phố"): (CITY, "thanhpho"),
    ("thanh", "pho"): (CITY, "thanhpho"),
    ("xã",): (WARD, "xa"),
    ("xa",): (WARD, "xa"),
    ("phường",): (WARD, "phuong"),
    ("phuong",): (WARD, "phuong"),
    ("huyện",): (DISTRICT, "huyen"),
    ("huyen",): (DISTRICT, "huyen"),
    ("quận",): (DISTRICT, "quan"),
    ("quan",): (DISTRICT, "quan"),
    ("tỉnh",): (PROVINCE, "tinh"),
    ("tinh",): (PROVINCE, "tinh"),
    ("tp",): (CITY, "thanhpho"),
    ("tx",): (DISTRICT, "thixa"),
    ("tt",): (WARD, "thitran"),
}
# One-letter abbreviations count only with their dot ("P. Bến Nghé", "Q.1") or glued to a number ("P1", "F1").
_DOTTED: dict[str, tuple[str, str]] = {
    "p": (WARD, "phuong"),
    "f": (WARD, "phuong"),
    "x": (WARD, "xa"),
    "q": (DISTRICT, "quan"),
    "h": (DISTRICT, "huyen"),
    "t": (PROVINCE, "tinh"),
}
_GLUED_NUMBER = re.compile(r"^([pfq])(\d{1,2})$")
# Words that say the citizen gives the address from before 1 July 2025.
_OLD_HINTS = frozenset({"cũ", "trước", "truoc"})
_TOKEN = re.compile(r"[^\W_]+\.?|[,;:?!()]", re.UNICODE)
_SEPARATORS = frozenset(",;:?!()")


@dataclass(frozen=True)
class Mention:
    """A marker and the words after it, up to the next marker or punctuation."""

    level: str
    type_key: str
    words: tuple[str, ...]


@dataclass(frozen=True)
class AddressParts:
    """What `split_address` found: marked mentions, runs of unmarked words, and whether "cũ" was said."""

    mentions: tuple[Mention, ...]
    loose_runs: tuple[tuple[str, ...], ...]
    old_hint: bool
    words: tuple[str, ...] = field(default=())


def fold(text: str) -> str:
    """Lower case without diacritics ("Đông Hà" → "dong ha"), the form the library's keys are built from."""
    decomposed = unicodedata.normalize("NFD", text.lower().replace("đ", "d").replace("Đ", "d"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def key_of(words: tuple[str, ...] | list[str]) -> str:
    """The library's key form of a name: folded, only letters and digits ("Hải Châu I" → "haichaui")."""
    return re.sub(r"[^a-z0-9]", "", fold("".join(words)))


def has_diacritics(words: tuple[str, ...]) -> bool:
    text = " ".join(words).lower()
    return fold(text) != text


def _tokens(text: str) -> list[str]:
    text = unicodedata.normalize("NFC", text).replace("TP.HCM", "TP HCM").replace("Tp.HCM", "TP HCM")
    text = re.sub(r"(?i)\btphcm\b", "TP HCM", text)
    return _TOKEN.findall(text)


def split_address(text: str) -> AddressParts:
    """Cut `text` into marked mentions and loose word runs; nothing here knows any place name."""
    tokens = _tokens(text)
    mentions: list[Mention] = []
    loose: list[tuple[str, ...]] = []
    current: tuple[str, str] | None = None
    run: list[str] = []
    all_words: list[str] = []
    old_hint = False

    def close() -> None:
        nonlocal run
        if current is not None:
            mentions.append(Mention(current[0], current[1], tuple(run[:MAX_NAME_WORDS])))
        elif run:
            loose.append(tuple(run))
        run = []

    i = 0
    while i < len(tokens):
        token = tokens[i]
        if token in _SEPARATORS:
            close()
            current = None
            i += 1
            continue
        word = token.rstrip(".").lower()
        dotted = token.endswith(".")
        all_words.append(token.rstrip("."))
        if word in _OLD_HINTS:
            old_hint = True
        two = (word, tokens[i + 1].rstrip(".").lower()) if i + 1 < len(tokens) else None
        glued = _GLUED_NUMBER.match(word)
        marker: tuple[str, str] | None = None
        extra: str | None = None
        step = 1
        if two is not None and two in _MARKERS:
            marker, step = _MARKERS[two], 2
        elif (word,) in _MARKERS:
            marker = _MARKERS[(word,)]
        elif dotted and word in _DOTTED:
            marker = _DOTTED[word]
        elif glued:
            marker, extra = _DOTTED[glued.group(1)], glued.group(2)
        if marker is not None:
            close()
            current = marker
            if extra:
                run.append(extra)
            i += step
            continue
        run.append(token.rstrip("."))
        i += 1
    close()
    return AddressParts(tuple(mentions), tuple(loose), old_hint, tuple(all_words))
