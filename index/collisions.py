"""Audit of the query vocabulary: abbreviations, colloquial phrases and staff aliases that can pull a
question to the wrong procedure.

Each is a shortcut from a few typed letters to official words, and a shortcut that also means something
else gives a confident wrong answer: an abbreviation that is a real syllable of procedure names ("tk"
would turn every "tk" in a name into "tài khoản"), a colloquial phrase mapped to two official wordings, a
colloquial phrase that is the portal's own wording for other procedures ("nhập khẩu", to import, is in
139 names; read as "nhập hộ khẩu" it sent "nhập khẩu giống sầu riêng" to residence registration), a
staff alias made only of generic words ("làm giấy", "dk") or given to two procedures. `assistant index
audit` prints what it finds; a test keeps the bundled vocabulary free of them.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from index.normalize import ABBREVIATIONS, QUERY_STOPWORDS, fold, syllables
from index.synonyms import RULES, SynonymRule

# Words that say what kind of act is asked for but not which procedure: an alias needs more than these.
GENERIC_WORDS: frozenset[str] = frozenset(
    fold(w) for w in (
        "đăng ký cấp lại đổi mới làm xin giấy tờ thủ tục hồ sơ hành chính cho con tôi mình em của ở đâu"
        " cần gì bao nhiêu lâu nộp online trực tuyến"
    ).split()
) | frozenset(fold(w) for w in QUERY_STOPWORDS)


_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Collision:
    kind: str  # "abbreviation", "synonym", "alias"
    text: str
    detail: str


def abbreviation_collisions(abbreviations: Mapping[str, str], names: Iterable[str]) -> list[Collision]:
    """Abbreviations that are also ordinary words of procedure names: expanding them changes those words.

    A name that writes the abbreviation in capitals ("BHXH") means the same thing, so that is no collision.
    """
    vocabulary = {fold(word.lower()) for name in names
                  for word in _WORD.findall(unicodedata.normalize("NFC", name)) if not word.isupper()}
    return [Collision("abbreviation", short, f"also a word of procedure names (would become {long!r})")
            for short, long in sorted(abbreviations.items()) if short in vocabulary]


def synonym_collisions(rules: Sequence[SynonymRule]) -> list[Collision]:
    """Colloquial phrases that stand for two official wordings (the same letters, accents included)."""
    meanings: dict[tuple[str, ...], set[str]] = defaultdict(set)
    for rule in rules:
        for phrase in rule.phrases:
            meanings[tuple(syllables(phrase))].add(rule.official)
    return [Collision("synonym", " ".join(phrase), "stands for " + " | ".join(sorted(officials)))
            for phrase, officials in sorted(meanings.items()) if len(officials) > 1]


# A colloquial phrase found in at least this many names, most of which share no word of what it stands for,
# is the portal's wording for something else.
OFFICIAL_ELSEWHERE_MIN_NAMES = 3
OFFICIAL_ELSEWHERE_SHARE = 2 / 3
# Words that say what kind of act, not which: sharing only these is sharing nothing.
_ACT_WORDS = frozenset({"cấp", "đăng", "ký", "thủ", "tục", "giấy", "có"})


def official_elsewhere_collisions(rules: Sequence[SynonymRule], names: Iterable[str]) -> list[Collision]:
    """Colloquial phrases that the procedure names use, mostly with another meaning than the rule's."""
    spelled = [f" {' '.join(syllables(name, expand=False))} " for name in names]
    found: list[Collision] = []
    for rule in rules:
        official = set(syllables(rule.official, expand=False)) - _ACT_WORDS
        for phrase in rule.phrases:
            needle = f" {' '.join(syllables(phrase, expand=False))} "
            holding = [name for name in spelled if needle in name]
            other = [name for name in holding if not official & set(name.split())]
            if len(holding) >= OFFICIAL_ELSEWHERE_MIN_NAMES and len(other) >= OFFICIAL_ELSEWHERE_SHARE * len(holding):
                found.append(Collision("synonym", phrase, f"in {len(other)} of {len(holding)} names meaning something "
                                                          f"else than {rule.official!r}"))
    return found


def alias_collisions(aliases: Mapping[str, Sequence[str]]) -> list[Collision]:
    """Staff aliases made only of generic words, or given to more than one procedure."""
    found: list[Collision] = []
    owners: dict[str, set[str]] = defaultdict(set)
    for code, texts in sorted(aliases.items()):
        for text in texts:
            key = " ".join(fold(s) for s in syllables(text))
            owners[key].add(code)
            if all(s in GENERIC_WORDS for s in key.split()):
                found.append(Collision("alias", text, f"of {code}: only generic words, it would match any question"))
    found += [Collision("alias", key, "given to " + ", ".join(sorted(codes)))
              for key, codes in sorted(owners.items()) if len(codes) > 1]
    return found


def audit(aliases: Mapping[str, Sequence[str]], names: Iterable[str]) -> list[Collision]:
    """Every collision of the bundled abbreviations and colloquial phrases and of these aliases."""
    names = list(names)
    return [*abbreviation_collisions(ABBREVIATIONS, names), *synonym_collisions(RULES),
            *official_elsewhere_collisions(RULES, names), *alias_collisions(aliases)]
