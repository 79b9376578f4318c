"""Turn one procedure into short chat messages a citizen can read on a phone.

The portal text is long and tabular; chat channels (Zalo, Telegram, the widget) show small bubbles and
cut long ones. Each topic therefore becomes a few plain-text messages below `MAX_MESSAGE_CHARS`, long
lists are cut with a count of what was left out, and the last message offers the other topics as
buttons whose payloads are Rasa intents, so a button press needs no language understanding.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from typing import Final

from pydantic import BaseModel, Field

from knowledge import texts_vi as t
from knowledge.schemas import ChannelKind, ProcedurePublic, RequiredDocument, SubmissionChannel

TOPICS: Final[tuple[str, ...]] = ("overview", "documents", "fee", "time", "where", "online", "legal")
TOPIC_INTENTS: Final[dict[str, str]] = {
    "documents": "ask_documents",
    "fee": "ask_fee",
    "time": "ask_time",
    "where": "ask_where",
    "online": "ask_online",
}
# Which parsed fields each topic shows: a topic whose field awaits review carries a warning.
TOPIC_FIELDS: Final[dict[str, tuple[str, ...]]] = {
    "overview": ("levels", "applicants", "result"),
    "documents": ("documents",),
    "fee": ("channels",),
    "time": ("channels",),
    "where": ("submission_address", "competent_agency", "implementing_agency", "levels"),
    "online": ("channels",),
    "legal": ("legal_basis",),
}

# Zalo and Telegram accept more, but a bubble longer than a phone screen is rarely read to the end.
MAX_MESSAGE_CHARS: Final = 900
MAX_ITEM_CHARS: Final = 220
MAX_NAME_CHARS: Final = 140
MAX_SHORT_FIELD_CHARS: Final = 160
MAX_DOCUMENTS: Final = 8
MAX_LEGAL: Final = 6


class UnknownTopic(ValueError):
    """The requested answer topic is not one of `TOPICS`."""


class AnswerButton(BaseModel):
    """A quick reply: the title is shown, the payload is sent back as the user's message."""

    title: str
    payload: str


class AnswerMessage(BaseModel):
    """One chat bubble."""

    text: str
    buttons: list[AnswerButton] = Field(default_factory=list)


def render_answer(procedure: ProcedurePublic, topic: str) -> list[AnswerMessage]:
    """Render `topic` of `procedure` as chat messages; the last one carries follow-up buttons."""
    renderers = {
        "overview": _overview,
        "documents": _documents,
        "fee": _fee,
        "time": _time,
        "where": _where,
        "online": _online,
        "legal": _legal,
    }
    if topic not in renderers:
        raise UnknownTopic(f"The answer topic {topic!r} is unknown; expected one of {', '.join(TOPICS)}.")
    blocks = renderers[topic](procedure)
    if _needs_review(procedure, topic):
        blocks.append([t.NEEDS_REVIEW_NOTE])
    texts = [text for block in blocks for text in pack_lines(block)]
    messages = [AnswerMessage(text=text) for text in texts]
    messages[-1].buttons = follow_up_buttons(procedure, exclude=topic)
    return messages


def topic_payload(topic: str, code: str) -> str:
    """The Rasa intent payload asking `topic` about procedure `code`, e.g. `/ask_fee{...}`."""
    entities = json.dumps({"procedure_code": code}, ensure_ascii=False, separators=(",", ":"))
    return f"/{TOPIC_INTENTS[topic]}{entities}"


def follow_up_buttons(procedure: ProcedurePublic, exclude: str = "") -> list[AnswerButton]:
    """Buttons for the other topics; "Nộp online" only when an online channel exists.

    The payload names the procedure, so pressing a button under an older answer still asks about
    that procedure even after the conversation moved on.
    """
    buttons = []
    for topic, title in t.TOPIC_BUTTONS.items():
        if topic == exclude or (topic == "online" and not _has_channel(procedure, ChannelKind.ONLINE)):
            continue
        buttons.append(AnswerButton(title=title, payload=topic_payload(topic, procedure.code)))
    return buttons


def pack_lines(lines: Sequence[str], limit: int = MAX_MESSAGE_CHARS) -> list[str]:
    """Join lines into as few messages as fit under `limit`, never splitting a line."""
    messages: list[str] = []
    current = ""
    for raw in lines:
        line = clip(raw, limit)
        if not line:
            continue
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit:
            messages.append(current)
            current = line
        else:
            current = candidate
    if current:
        messages.append(current)
    return messages


def clip(text: str, limit: int) -> str:
    """Collapse whitespace and cut at a word boundary with an ellipsis when too long."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    cut = flat[: limit - len(t.ELLIPSIS)]
    if " " in cut:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:.-") + t.ELLIPSIS


def format_vnd(amount: int) -> str:
    """Vietnamese thousands separators: 1500000 -> "1.500.000"."""
    return f"{amount:,}".replace(",", ".")


def format_number(value: float) -> str:
    """Whole numbers without decimals, others with a decimal comma: 0.5 -> "0,5"."""
    if float(value).is_integer():
        return str(int(value))
    return f"{value:g}".replace(".", ",")


def channel_fee(channel: SubmissionChannel) -> str:
    """The fee of one channel in words."""
    if channel.free or channel.fee_vnd == 0:
        return t.FEE_FREE
    if channel.fee_vnd is not None:
        return t.FEE_AMOUNT.format(amount=format_vnd(channel.fee_vnd))
    if channel.fee_text.strip():
        return clip(channel.fee_text, MAX_ITEM_CHARS)
    return t.FEE_UNKNOWN


def channel_time(channel: SubmissionChannel) -> str:
    """The processing time of one channel in words."""
    if channel.time_value is not None and channel.time_unit in t.TIME_UNITS:
        return f"{format_number(channel.time_value)} {t.TIME_UNITS[channel.time_unit]}"
    if channel.time_text.strip():
        return clip(channel.time_text, MAX_ITEM_CHARS)
    return t.TIME_UNKNOWN


def short_name(procedure: ProcedurePublic) -> str:
    """The name fit for the middle of a sentence: clipped, first letter lowered unless an acronym."""
    name = clip(procedure.name, MAX_NAME_CHARS)
    if len(name) > 1 and name[0].isupper() and not name[1].isupper():
        name = name[0].lower() + name[1:]
    return name


def _overview(procedure: ProcedurePublic) -> list[list[str]]:
    lines = [clip(procedure.name, MAX_NAME_CHARS * 2)]
    if procedure.levels:
        lines.append(t.LEVEL_LINE.format(levels=", ".join(procedure.levels)))
    if procedure.field:
        lines.append(t.FIELD_LINE.format(field=procedure.field))
    if procedure.applicants:
        lines.append(t.APPLICANTS_LINE.format(applicants=clip(procedure.applicants, MAX_SHORT_FIELD_CHARS)))
    if procedure.result:
        lines.append(t.RESULT_LINE.format(result=clip(procedure.result, MAX_SHORT_FIELD_CHARS)))
    kinds = _distinct_kinds(procedure.channels)
    if kinds:
        lines.append(t.CHANNELS_LINE.format(channels=", ".join(t.CHANNEL_SHORT_NAMES[k] for k in kinds)))
    fees = {channel_fee(c) for c in procedure.channels}
    if fees == {t.FEE_FREE}:
        lines.append(t.FEE_FREE_SHORT)
    elif len(fees) == 1 and fees != {t.FEE_UNKNOWN}:
        lines.append(t.FEE_SHORT.format(fee=fees.pop()))
    times = {channel_time(c) for c in procedure.channels}
    if len(times) == 1 and times != {t.TIME_UNKNOWN}:
        lines.append(t.TIME_SHORT.format(time=times.pop()))
    lines.append(t.OVERVIEW_ASK_MORE)
    return [lines]


def _documents(procedure: ProcedurePublic) -> list[list[str]]:
    if not procedure.documents:
        return [[t.DOCUMENTS_NONE]]
    # What everyone brings comes first; "Trường hợp …" items apply to some citizens only.
    ordered = sorted(procedure.documents, key=_is_conditional)
    to_submit = [d for d in ordered if not d.replaceable_by_data]
    replaceable = [d for d in ordered if d.replaceable_by_data]
    blocks: list[list[str]] = []
    lines = [t.DOCUMENTS_TITLE.format(name=short_name(procedure))]
    shown = to_submit[:MAX_DOCUMENTS]
    for group, documents in _grouped(shown):
        lines.append(f"{group}:")
        lines.extend(_document_line(d) for d in documents)
    if len(to_submit) > MAX_DOCUMENTS:
        lines.append(t.DOCUMENTS_MORE.format(count=len(to_submit) - MAX_DOCUMENTS))
    blocks.append(lines)
    if replaceable:
        extra = [t.DOCUMENTS_REPLACEABLE_TITLE]
        extra.extend(_document_line(d, with_counts=False) for d in replaceable[:MAX_DOCUMENTS])
        if len(replaceable) > MAX_DOCUMENTS:
            extra.append(t.DOCUMENTS_MORE.format(count=len(replaceable) - MAX_DOCUMENTS))
        blocks.append(extra)
    return blocks


def _fee(procedure: ProcedurePublic) -> list[list[str]]:
    if not procedure.channels:
        return [[t.FEE_NONE]]
    lines = [t.FEE_TITLE.format(name=short_name(procedure))]
    lines.extend(_per_channel(procedure.channels, channel_fee, t.FEE_ALL_CHANNELS))
    return [lines]


def _time(procedure: ProcedurePublic) -> list[list[str]]:
    if not procedure.channels:
        return [[t.TIME_NONE]]
    lines = [t.TIME_TITLE.format(name=short_name(procedure))]
    lines.extend(_per_channel(procedure.channels, channel_time, t.TIME_ALL_CHANNELS))
    lines.append(t.TIME_NOTE)
    return [lines]


def _where(procedure: ProcedurePublic) -> list[list[str]]:
    places: list[str] = []
    for level in procedure.levels:
        folded = level.strip().casefold()
        if folded == t.COMMUNE_LEVEL.casefold():
            places.append(t.WHERE_COMMUNE)
        elif folded == t.PROVINCE_LEVEL.casefold():
            places.append(t.WHERE_PROVINCE)
        elif level.strip():
            places.append(t.WHERE_OTHER_LEVEL.format(level=level.strip()))
    details = []
    if procedure.submission_address.strip():
        details.append(t.WHERE_ADDRESS.format(address=clip(procedure.submission_address, MAX_ITEM_CHARS)))
    agency = procedure.competent_agency.strip() or procedure.implementing_agency.strip()
    if agency:
        details.append(t.WHERE_AGENCY.format(agency=clip(agency, MAX_ITEM_CHARS)))
    if not places and not details:
        return [[t.WHERE_UNKNOWN]]
    lines = [t.WHERE_TITLE.format(name=short_name(procedure))]
    lines.extend(t.LIST_BULLET + place for place in places)
    lines.extend(details)
    if _has_channel(procedure, ChannelKind.POST):
        lines.append(t.WHERE_POST)
    if _has_channel(procedure, ChannelKind.ONLINE):
        lines.append(t.WHERE_ONLINE)
    return [lines]


def _online(procedure: ProcedurePublic) -> list[list[str]]:
    online = [c for c in procedure.channels if c.kind == ChannelKind.ONLINE]
    if not online:
        lines = [t.ONLINE_NOT_AVAILABLE]
        if procedure.source_url:
            lines.append(t.ONLINE_SOURCE.format(url=procedure.source_url))
        return [lines]
    lines = [t.ONLINE_TITLE.format(name=short_name(procedure)), *t.ONLINE_STEPS, t.ONLINE_VNEID]
    first = online[0]
    lines.append(t.ONLINE_CHANNEL_DETAIL.format(time=channel_time(first), fee=channel_fee(first).lower()))
    if procedure.source_url:
        lines.append(t.ONLINE_SOURCE.format(url=procedure.source_url))
    return [lines]


def _legal(procedure: ProcedurePublic) -> list[list[str]]:
    if not procedure.legal_basis:
        return [[t.LEGAL_NONE]]
    lines = [t.LEGAL_TITLE.format(name=short_name(procedure))]
    for entry in procedure.legal_basis[:MAX_LEGAL]:
        title = clip(entry.title, MAX_ITEM_CHARS)
        code = entry.code.strip()
        label = f"{title} ({code})" if code and code not in title else title
        lines.append(t.LIST_BULLET + label)
    if len(procedure.legal_basis) > MAX_LEGAL:
        lines.append(t.LEGAL_MORE.format(count=len(procedure.legal_basis) - MAX_LEGAL))
    return [lines]


def _per_channel(
    channels: Sequence[SubmissionChannel], describe: Callable[[SubmissionChannel], str], same_for_all: str
) -> list[str]:
    """One line per channel, or one line when every channel says the same."""
    values = [describe(c) for c in channels]
    if len(set(values)) == 1 and len(channels) > 1:
        return [same_for_all.format(value=values[0])]
    repeated = {c.kind for c in channels if sum(1 for o in channels if o.kind == c.kind) > 1}
    lines = []
    for channel, value in zip(channels, values, strict=True):
        label = t.CHANNEL_LABELS[ChannelKind(channel.kind).value]
        if channel.kind in repeated and channel.description.strip():
            label = f"{label} ({clip(channel.description, 80)})"
        lines.append(f"{t.LIST_BULLET}{label}: {value}")
    return lines


_CONDITIONAL_OPENINGS = ("trường hợp", "nếu", "đối với trường hợp")


def _is_conditional(document: RequiredDocument) -> bool:
    """Whether the document is needed only in some case, as its text says at its start."""
    opening = unicodedata.normalize("NFC", document.name).lstrip("-+•* ").lower()
    return opening.startswith(_CONDITIONAL_OPENINGS)


def _document_line(document: RequiredDocument, with_counts: bool = True) -> str:
    notes = []
    if with_counts and document.original_count:
        notes.append(t.DOCUMENT_ORIGINALS.format(count=document.original_count))
    if with_counts and document.copy_count:
        notes.append(t.DOCUMENT_COPIES.format(count=document.copy_count))
    if document.form_template.strip():
        notes.append(t.DOCUMENT_FORM.format(form=clip(document.form_template, 60)))
    name = clip(document.name, MAX_ITEM_CHARS)
    suffix = f" ({', '.join(notes)})" if notes else ""
    return f"{t.LIST_BULLET}{name}{suffix}"


def _grouped(documents: Iterable[RequiredDocument]) -> list[tuple[str, list[RequiredDocument]]]:
    """Documents by group, groups in order of first appearance."""
    groups: dict[str, list[RequiredDocument]] = {}
    for document in documents:
        groups.setdefault(document.group.strip().rstrip(":") or t.DEFAULT_DOCUMENT_GROUP, []).append(document)
    return list(groups.items())


def _distinct_kinds(channels: Iterable[SubmissionChannel]) -> list[str]:
    kinds: list[str] = []
    for channel in channels:
        kind = ChannelKind(channel.kind).value
        if kind not in kinds:
            kinds.append(kind)
    return kinds


def _has_channel(procedure: ProcedurePublic, kind: ChannelKind) -> bool:
    return any(c.kind == kind for c in procedure.channels)


def _needs_review(procedure: ProcedurePublic, topic: str) -> bool:
    return any(field in procedure.needs_review for field in TOPIC_FIELDS[topic])
