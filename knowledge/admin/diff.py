"""Readable, field-by-field differences between two states of a procedure, for the revision history.

Each field becomes plain lines (one per document, channel, step...), and lines are compared with
difflib, so a clerk sees "Lệ phí: 50.000 → 100.000" rather than JSON. The output is data; the template
escapes every piece of text.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any

from knowledge.admin import texts_vi as T
from knowledge.crud import CONTENT_FIELDS


@dataclass(frozen=True)
class DiffLine:
    op: str  # "same" | "added" | "removed"
    text: str


@dataclass(frozen=True)
class FieldDiff:
    name: str
    label: str
    lines: list[DiffLine]


def field_lines(name: str, value: Any) -> list[str]:
    """A field's value as the lines a clerk reads."""
    if value is None or value == "" or value == []:
        return []
    if name == "channels":
        return [_channel_line(item) for item in value]
    if name == "documents":
        return [_document_line(item) for item in value]
    if name == "legal_basis":
        return [" · ".join(part for part in (item.get("title", ""), item.get("code", "")) if part) for item in value]
    if isinstance(value, list):
        return [str(item) for item in value]
    return str(value).splitlines() or [""]


def _channel_line(item: dict[str, Any]) -> str:
    labels = T.CHANNEL_FIELD_LABELS
    parts = [T.CHANNEL_KINDS.get(item.get("kind", ""), str(item.get("kind", "")))]
    if item.get("time_value") is not None:
        unit = T.TIME_UNITS.get(item.get("time_unit") or "", item.get("time_unit") or "")
        parts.append(f"{labels['time_value']}: {item['time_value']:g} {unit}".strip())
    if item.get("time_text"):
        parts.append(f"{labels['time_text']}: {item['time_text']}")
    if item.get("free"):
        parts.append(labels["free"])
    elif item.get("fee_vnd") is not None:
        parts.append(f"{labels['fee_vnd']}: {item['fee_vnd']:,}".replace(",", "."))
    if item.get("fee_text"):
        parts.append(f"{labels['fee_text']}: {item['fee_text']}")
    if item.get("description"):
        parts.append(f"{labels['description']}: {item['description']}")
    return " · ".join(parts)


def _document_line(item: dict[str, Any]) -> str:
    labels = T.DOCUMENT_FIELD_LABELS
    parts = [str(item.get("name", ""))]
    for key in ("group", "original_count", "copy_count", "form_template"):
        if item.get(key) not in (None, ""):
            parts.append(f"{labels[key]}: {item[key]}")
    if item.get("replaceable_by_data"):
        parts.append(labels["replaceable_by_data"])
    return " · ".join(parts)


def diff_fields(old: dict[str, Any], new: dict[str, Any], fields: tuple[str, ...] = CONTENT_FIELDS) -> list[FieldDiff]:
    """The fields whose value differs, each with its lines marked same / added / removed."""
    result: list[FieldDiff] = []
    for name in fields:
        if old.get(name) == new.get(name):
            continue
        before, after = field_lines(name, old.get(name)), field_lines(name, new.get(name))
        lines: list[DiffLine] = []
        for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=before, b=after, autojunk=False).get_opcodes():
            if tag == "equal":
                lines.extend(DiffLine("same", text) for text in before[i1:i2])
                continue
            lines.extend(DiffLine("removed", text) for text in before[i1:i2])
            lines.extend(DiffLine("added", text) for text in after[j1:j2])
        result.append(FieldDiff(name, T.FIELD_LABELS.get(name, name), lines))
    return result
