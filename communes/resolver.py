"""Which commune or ward (after 1 July 2025) an address typed by a citizen belongs to.

`AddressResolver` is the small interface the rest of the app uses; `AdminUnitsResolver` implements it on the
data of the `vietnamadminunits` package (34-province units, the 63-province units before 2025 with their older
aliases, and the official old → new mapping). The package's own `parse_address`/`convert_address` are not
called: they read one well-formed address, pick the last keyword they see (so in "xã Yên Thịnh, huyện Yên Mô"
the district name wins), and `convert_address` geocodes over the network whenever the text has a street part
and the old commune was split. Reading the package's tables instead works offline, lets a sentence around the
address fall away, and lets an old commune that was split, or a name found in several provinces, come back as
several candidates for the citizen to choose from.
"""

from __future__ import annotations

import json
import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache
from typing import Any, Protocol

from communes.address_text import (
    CITY,
    DISTRICT,
    PROVINCE,
    WARD,
    AddressParts,
    Mention,
    has_diacritics,
    key_of,
    split_address,
)

logger = logging.getLogger(__name__)

MAX_CANDIDATES = 6
# Folded words too common in a question to start a commune name typed without a marker.
_QUESTION_WORDS = frozenset(
    "toi minh em nha o tai cua thi gio nay nop ho so dau lam can muon hoi xin cho biet va la cu moi bay".split()
)


class Status(StrEnum):
    RESOLVED = "resolved"
    AMBIGUOUS = "ambiguous"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Province:
    key: str
    code: str
    name: str  # "Tỉnh Ninh Bình"
    short: str  # "Ninh Bình"


@dataclass(frozen=True)
class Commune:
    """A commune, ward or special zone of the 34-province structure."""

    code: str  # national ward code, e.g. "14371"
    key: str
    name: str  # "Xã Yên Mô"
    short: str
    type: str  # "Xã" | "Phường" | "Đặc khu"
    province: Province


@dataclass(frozen=True)
class OldUnit:
    """A commune of the 63-province structure, named with its district and province."""

    province_key: str
    district_key: str
    ward_key: str
    name: str
    short: str
    type: str
    district: str
    province: str

    @property
    def full_name(self) -> str:
        return ", ".join(part for part in (self.name, self.district, self.province) if part)


@dataclass(frozen=True)
class Candidate:
    commune: Commune
    old_units: tuple[str, ...]  # the old units merged (wholly or in part) into the commune
    matched_old: OldUnit | None = None  # the old unit the citizen named, when the address was an old one
    split: bool = False  # the named old unit was divided between several new communes


@dataclass(frozen=True)
class Resolution:
    status: Status
    query: str
    candidates: tuple[Candidate, ...] = ()
    province: Province | None = None  # the province understood, even when no commune was
    truncated: int = 0  # candidates left out beyond MAX_CANDIDATES
    reason: str = ""  # for unknown: "no_address" | "no_commune" | "not_found"


class AddressResolver(Protocol):
    """Turns free text into new communes; swap the implementation without touching its callers."""

    def resolve(self, text: str) -> Resolution: ...

    def commune(self, code: str) -> Commune | None: ...

    def provinces(self) -> list[Province]: ...

    def communes_of(self, province_code: str) -> list[Commune]: ...


@dataclass
class _Match:
    old: list[OldUnit] = field(default_factory=list)
    new: list[Commune] = field(default_factory=list)


def _keywords(raw: str | None) -> list[str]:
    return list(json.loads(raw)) if raw else []


class AdminUnitsResolver:
    """`AddressResolver` on the tables of `vietnamadminunits` (loaded once, about 0.3 s)."""

    def __init__(self) -> None:
        from vietnamadminunits.converter import converter_2025 as conv
        from vietnamadminunits.database import query

        new_rows = query("SELECT province, provinceShort, provinceCode, provinceKey, provinceKeywords, ward, "
                         "wardShort, wardType, wardCode, wardKey, wardKeywords FROM admin_units")
        old_rows = query("SELECT province, provinceKey, provinceKeywords, district, districtKey, districtKeywords, "
                         "ward, wardShort, wardType, wardKey, wardKeywords FROM admin_units_legacy")
        self._provinces: dict[str, Province] = {}
        self._province_kw: dict[str, set[str]] = defaultdict(set)  # keyword → new province keys
        self._old_province_kw: dict[str, set[str]] = defaultdict(set)  # keyword → old province keys
        self._communes: dict[tuple[str, str], Commune] = {}
        self._by_code: dict[str, Commune] = {}
        self._new_kw: dict[str, list[Commune]] = defaultdict(list)
        for row in new_rows:
            province = self._provinces.get(row["provinceKey"])
            if province is None:
                province = Province(row["provinceKey"], row["provinceCode"], row["province"], row["provinceShort"])
                self._provinces[province.key] = province
                for kw in _keywords(row["provinceKeywords"]):
                    self._province_kw[kw].add(province.key)
            commune = Commune(row["wardCode"], row["wardKey"], row["ward"], row["wardShort"], row["wardType"],
                              province)
            self._communes[(province.key, commune.key)] = commune
            self._by_code[commune.code] = commune
            for kw in set(_keywords(row["wardKeywords"])):
                self._new_kw[kw].append(commune)
        self._old: dict[tuple[str, str, str], OldUnit] = {}
        self._old_kw: dict[str, list[OldUnit]] = defaultdict(list)
        self._district_kw: dict[str, set[tuple[str, str]]] = defaultdict(set)
        for row in old_rows:
            for kw in _keywords(row["provinceKeywords"]):
                self._old_province_kw[kw].add(row["provinceKey"])
            for kw in _keywords(row["districtKeywords"]):
                self._district_kw[kw].add((row["provinceKey"], row["districtKey"]))
            if not row["wardKey"]:
                continue
            unit = OldUnit(row["provinceKey"], row["districtKey"], row["wardKey"], row["ward"], row["wardShort"],
                           row["wardType"] or "", row["district"], row["province"])
            self._old[(unit.province_key, unit.district_key, unit.ward_key)] = unit
            for kw in set(_keywords(row["wardKeywords"])):
                self._old_kw[kw].append(unit)
        self._any_ward_kw: dict[str, Any] = {**self._old_kw, **self._new_kw}
        self._any_province_kw: dict[str, Any] = {**self._old_province_kw, **self._province_kw}
        self._any_city_kw: dict[str, Any] = {**self._district_kw, **self._any_province_kw}
        # Old → new: whole old communes, then those divided between several new ones.
        self._new_of_old_province: dict[str, set[str]] = defaultdict(set)
        for new_key, old_keys in conv.DICT_PROVINCE.items():
            for old_key in old_keys:
                self._new_of_old_province[old_key].add(new_key)
        self._old_to_new: dict[tuple[str, str, str], list[tuple[str, str]]] = defaultdict(list)
        self._new_to_old: dict[tuple[str, str], list[tuple[str, str, str]]] = defaultdict(list)
        for new_province, wards in conv.DICT_PROVINCE_WARD_NO_DIVIDED.items():
            for new_ward, old_keys in wards.items():
                for old_key in old_keys:
                    old = tuple(old_key.split("_", 2))
                    self._old_to_new[old].append((new_province, new_ward))  # type: ignore[index]
                    self._new_to_old[(new_province, new_ward)].append(old)  # type: ignore[arg-type]
        for new_province, divided in conv.DICT_PROVINCE_WARD_DIVIDED.items():
            for old_key, parts in divided.items():
                old = tuple(old_key.split("_", 2))
                # The package's default part first: it holds the old commune's seat.
                for part in sorted(parts, key=lambda p: not p["isDefaultNewWard"]):
                    self._old_to_new[old].append((new_province, part["newWardKey"]))  # type: ignore[index]
                    self._new_to_old[(new_province, part["newWardKey"])].append(old)  # type: ignore[arg-type]

    # ----- lookups used by the directory and the admin pages -----

    def commune(self, code: str) -> Commune | None:
        return self._by_code.get(code)

    def provinces(self) -> list[Province]:
        return sorted(self._provinces.values(), key=lambda p: p.code)

    def communes_of(self, province_code: str) -> list[Commune]:
        return sorted((c for c in self._by_code.values() if c.province.code == province_code), key=lambda c: c.code)

    def old_units_of(self, commune: Commune) -> tuple[str, ...]:
        names = []
        for old in self._new_to_old.get((commune.province.key, commune.key), []):
            unit = self._old.get(old)
            if unit is not None:
                names.append(unit.full_name)
        return tuple(dict.fromkeys(names))

    # ----- resolution -----

    def resolve(self, text: str) -> Resolution:
        parts = split_address(text)
        query = " ".join(text.split())
        new_provinces, old_provinces, province = self._provinces_named(parts)
        districts = self._districts_named(parts, old_provinces)
        match, typed, accented = self._communes_named(parts, new_provinces, old_provinces, districts)
        prefer_old = parts.old_hint or districts is not None or (
            old_provinces is not None and new_provinces is not None and not (old_provinces & set(self._provinces)))
        candidates = self._candidates(match, prefer_old=prefer_old, typed=typed, accented=accented)
        if not candidates:
            reason = "not_found" if typed else ("no_commune" if province or districts else "no_address")
            return Resolution(Status.UNKNOWN, query, province=province, reason=reason)
        shown = tuple(candidates[:MAX_CANDIDATES])
        if len(candidates) == 1:
            return Resolution(Status.RESOLVED, query, shown, province=shown[0].commune.province)
        return Resolution(Status.AMBIGUOUS, query, shown, province=province,
                          truncated=len(candidates) - len(shown))

    def _names(self, words: tuple[str, ...], index: dict[str, Any], type_key: str = "") -> tuple[int, list[str]]:
        """Length of the longest prefix of `words` that `index` knows, and its keys (typed and plain)."""
        for n in range(len(words), 0, -1):
            name = key_of(words[:n])
            if not name:
                continue
            keys = [k for k in (type_key + name if type_key else "", name) if k and k in index]
            if keys:
                return n, keys
        return 0, []

    @staticmethod
    def _gather(index: dict[str, list[Any]], keys: list[str]) -> list[Any]:
        return list(dict.fromkeys(item for key in keys for item in index.get(key, [])))

    def _loose_runs(self, parts: AddressParts) -> list[tuple[str, ...]]:
        """Unmarked words, including what follows a recognised name inside a mention."""
        runs = list(parts.loose_runs)
        for mention in parts.mentions:
            index = self._index_for(mention)
            n, _ = self._names(mention.words, index, mention.type_key)
            if n < len(mention.words):
                runs.append(mention.words[n:])
        return runs

    def _index_for(self, mention: Mention) -> dict[str, Any]:
        if mention.level == WARD:
            return self._any_ward_kw
        if mention.level == DISTRICT:
            return self._district_kw
        return self._any_city_kw

    def _provinces_named(self, parts: AddressParts) -> tuple[set[str] | None, set[str] | None, Province | None]:
        """New and old province keys the text names (None: no province named)."""
        found: list[str] = []
        for mention in parts.mentions:
            if mention.level in (PROVINCE, CITY):
                n, keys = self._names(mention.words, self._any_province_kw)
                if n:
                    found.append(keys[-1])
        if not found:
            for run in self._loose_runs(parts):
                for start in range(len(run)):
                    n, keys = self._names(run[start:start + 4], self._any_province_kw)
                    if n and (n > 1 or len(keys[-1]) <= 3):  # one-word names only as "hn"/"hcm"
                        found.append(keys[-1])
                        break
        if not found:
            return None, None, None
        keyword = found[-1]
        new = set(self._province_kw.get(keyword, set()))
        old = set(self._old_province_kw.get(keyword, set()))
        for old_key in old:
            new |= self._new_of_old_province.get(old_key, set())
        if not old:  # a new province: every old province merged into it
            old = {o for o, news in self._new_of_old_province.items() if news & new}
        province = self._provinces[next(iter(new))] if len(new) == 1 else None
        return new, old, province

    def _districts_named(self, parts: AddressParts, old_provinces: set[str] | None) -> set[tuple[str, str]] | None:
        found: set[tuple[str, str]] = set()
        for mention in parts.mentions:
            if mention.level not in (DISTRICT, CITY):
                continue
            n, keys = self._names(mention.words, self._district_kw, mention.type_key)
            if n:
                hits = set().union(*(self._district_kw[key] for key in keys))
                found |= {d for d in hits if old_provinces is None or d[0] in old_provinces}
        return found or None

    def _communes_named(self, parts: AddressParts, new_provinces: set[str] | None, old_provinces: set[str] | None,
                        districts: set[tuple[str, str]] | None) -> tuple[_Match, str, bool]:
        """Communes whose name the text gives, filtered by the province and district it gives."""
        match = _Match()
        typed = next((key_of(m.words) for m in parts.mentions if m.level == WARD and m.words), "")
        accented = False
        named: list[tuple[tuple[str, ...], str]] = [
            (m.words, m.type_key) for m in parts.mentions if m.level == WARD and m.words]
        if not named:
            # No "xã"/"phường": any run of two or more words that is a commune name ("Yên Thịnh, Ninh Bình").
            for run in parts.loose_runs:
                for start in range(len(run)):
                    if key_of(run[start:start + 1]) in _QUESTION_WORDS:
                        continue
                    n, keys = self._names(run[start:start + 5], self._any_ward_kw)
                    if n >= 2 and not set(keys) & set(self._any_province_kw):
                        named.append((run[start:start + n], ""))
                        break
        for words, type_key in named:
            n_new, new_keys = self._names(words, self._new_kw, type_key)
            n_old, old_keys = self._names(words, self._old_kw, type_key)
            if not (n_new or n_old):
                continue
            typed = typed or key_of(words[:max(n_new, n_old)])
            accented = accented or has_diacritics(words[:max(n_new, n_old)])
            name_words = words[:max(n_new, n_old)]
            new = [c for c in self._gather(self._new_kw, new_keys)
                   if new_provinces is None or c.province.key in new_provinces]
            old = [u for u in self._gather(self._old_kw, old_keys)
                   if (old_provinces is None or u.province_key in old_provinces)
                   and (districts is None or (u.province_key, u.district_key) in districts)]
            match.new.extend(_prefer(new, type_key, name_words, accented))
            match.old.extend(_prefer(old, type_key, name_words, accented))
        return match, typed, accented

    def _candidates(self, match: _Match, *, prefer_old: bool, typed: str, accented: bool) -> list[Candidate]:
        from_old: list[Candidate] = []
        for unit in match.old:
            targets = self._old_to_new.get((unit.province_key, unit.district_key, unit.ward_key), [])
            for province_key, ward_key in targets:
                commune = self._communes.get((province_key, ward_key))
                if commune is not None:
                    from_old.append(Candidate(commune, self.old_units_of(commune), unit, split=len(targets) > 1))
        from_new = [Candidate(c, self.old_units_of(c)) for c in match.new]
        if prefer_old:
            ordered = from_old or from_new
        elif from_new and not from_old:
            ordered = from_new
        else:
            # A new name, or an old one that kept its name: same answer; otherwise let the citizen choose.
            ordered = from_new + from_old
        return _unique(ordered)


def _prefer(items: list[Any], type_key: str, words: tuple[str, ...], accented: bool) -> list[Any]:
    """Narrow several same-key units by the typed unit type, then by the exact accented spelling."""
    if len(items) > 1 and type_key:
        same_type = [i for i in items if key_of([i.type]) == type_key]
        items = same_type or items
    if len(items) > 1 and accented:
        spelled = " ".join(words).lower()
        exact = [i for i in items if i.short.lower() == spelled]
        items = exact or items
    return items


def _unique(candidates: Iterable[Candidate]) -> list[Candidate]:
    seen: dict[str, Candidate] = {}
    for candidate in candidates:
        seen.setdefault(candidate.commune.code, candidate)
    return list(seen.values())


@lru_cache(maxsize=1)
def default_resolver() -> AdminUnitsResolver:
    """The process-wide resolver, built on first use (never at import time)."""
    logger.info("loading administrative units")
    return AdminUnitsResolver()
