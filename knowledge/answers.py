"""Turn one procedure into short chat messages a citizen can read on a phone.

The portal text is long and tabular; chat channels (Zalo, Telegram, the widget) show small bubbles and
cut long ones. Each topic therefore becomes a few plain-text messages below `MAX_MESSAGE_CHARS`, long
lists are cut with a count of what was left out, and the last message offers the other topics as
buttons whose payloads are Rasa intents, so a button press needs no language understanding.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache
from typing import Final

from pydantic import BaseModel, Field

from knowledge import texts_vi as t
from knowledge.document_roles import DocumentRole, Role, classify_all, is_application_form, shorten
from knowledge.importer.time_text import TimeStatement, find_time_statements, main_statement, unit_for
from knowledge.schemas import ChannelKind, ProcedurePublic, SubmissionChannel

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
    "documents_special": ("documents",),
    "documents_all": ("documents",),
    "fee": ("channels.fee",),
    "time": ("channels.time",),
    "where": ("submission_address", "competent_agency", "implementing_agency", "levels"),
    "online": ("channels.fee", "channels.time"),
    "legal": ("legal_basis",),
}
# Parts of the documents answer reached by a button under the first one. The button keeps the `ask_documents`
# intent and carries the part in the procedure code ("1.001193-special"), which the app splits again, so no new
# intent or entity is needed and the active procedure stays the plain code the app answers with.
DOCUMENT_PARTS: Final[dict[str, str]] = {"special": "documents_special", "all": "documents_all"}
_PART_SEPARATOR: Final = "-"

# Zalo and Telegram accept more, but a bubble longer than a phone screen is rarely read to the end.
MAX_MESSAGE_CHARS: Final = 900
MAX_ITEM_CHARS: Final = 220
MAX_NAME_CHARS: Final = 140
MAX_SHORT_FIELD_CHARS: Final = 160
MAX_DOCUMENTS: Final = 6
MIN_DOCUMENTS: Final = 3
MAX_CONDITIONS_LISTED: Final = 2
MAX_SPECIAL_ITEM_CHARS: Final = 160
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
        "documents_special": _documents_special,
        "documents_all": _documents_all,
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
        blocks[-1].append(t.REVIEW_CAUTIONS.get(topic.split("_")[0], t.NEEDS_REVIEW_NOTE))
    texts = [text for block in blocks for text in pack_lines(block)]
    messages = [AnswerMessage(text=text) for text in texts]
    buttons = _document_part_buttons(procedure) if topic == "documents" else []
    messages[-1].buttons = buttons + follow_up_buttons(procedure, exclude=topic.split("_")[0])
    return messages


def split_answer_code(code: str) -> tuple[str, str | None]:
    """("1.001193", "documents_special") from the code a "Trường hợp đặc biệt" button carries.

    A plain code gives (code, None); an unknown suffix is left in the code, so the lookup fails as for any
    unknown code.
    """
    base, separator, part = code.rpartition(_PART_SEPARATOR)
    if separator and part in DOCUMENT_PARTS:
        return base, DOCUMENT_PARTS[part]
    return code, None


def document_part_payload(code: str, part: str) -> str:
    """The `ask_documents` payload of one part of the documents answer (see `DOCUMENT_PARTS`)."""
    return _payload("documents", f"{code}{_PART_SEPARATOR}{part}")


def topic_payload(topic: str, code: str) -> str:
    """The Rasa intent payload asking `topic` about procedure `code`, e.g. `/ask_fee{...}`."""
    return _payload(topic, code)


def _payload(topic: str, code: str) -> str:
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
    return cut.rstrip(" ,;:.-" + t.ELLIPSIS) + t.ELLIPSIS


def format_vnd(amount: int) -> str:
    """Vietnamese thousands separators: 1500000 -> "1.500.000"."""
    return f"{amount:,}".replace(",", ".")


def format_number(value: float) -> str:
    """Whole numbers without decimals, others with a decimal comma: 0.5 -> "0,5"."""
    if float(value).is_integer():
        return str(int(value))
    return f"{value:g}".replace(".", ",")


def channel_fee(channel: SubmissionChannel) -> str:
    """The fee of one channel in words, with the portal's note on the amount when it has one."""
    if channel.free or channel.fee_vnd == 0:
        return t.FEE_FREE
    note = _fee_note(channel.fee_text)
    if channel.fee_vnd is not None:
        amount = t.FEE_AMOUNT.format(amount=format_vnd(channel.fee_vnd))
        return f"{amount} ({note})" if note else amount
    if channel.fee_text.strip():
        head = channel.fee_text.split("(", 1)[0].strip()
        if head.casefold() == t.FEE_FREE.casefold() and note:
            return t.FEE_FREE_WITH_NOTE.format(note=note)
        cell = _VND_HEAD.fullmatch(head)
        if cell:
            # The amount is the cell's, but the note names other amounts: both are shown, in đồng.
            shown = t.FEE_AMOUNT.format(amount=format_vnd(int(re.sub(r"[.,]", "", cell.group(1)))))
            return f"{shown} ({note})" if note else shown
        return clip_at_clause(channel.fee_text, MAX_ITEM_CHARS)
    return t.FEE_UNKNOWN


def channel_time(channel: SubmissionChannel, statements: Sequence[TimeStatement] = ()) -> str:
    """The processing time of one channel in words; never a number without its unit.

    A number the table gives without a unit takes the unit the procedure's text gives it; when the text says
    something else, the text's sentence is shown beside the table's number; when the source has no unit at
    all, the answer says so.
    """
    if channel.time_value is not None and channel.time_unit in t.TIME_UNITS:
        return f"{format_number(channel.time_value)} {t.TIME_UNITS[channel.time_unit]}"
    if channel.time_value is not None:
        value = format_number(channel.time_value)
        unit = unit_for(channel.time_value, statements)
        if unit in t.TIME_UNITS:
            return f"{value} {t.TIME_UNITS[unit]}"
        statement = main_statement(statements)
        if statement is not None:
            return t.TIME_TEXT_DIFFERS.format(statement=statement.sentence, value=value)
        return t.TIME_NO_UNIT.format(value=value)
    if channel.time_text.strip():
        return clip_at_clause(channel.time_text, MAX_ITEM_CHARS)
    statement = main_statement(statements)
    if statement is not None:
        return t.TIME_FROM_TEXT.format(statement=statement.sentence)
    return t.TIME_UNKNOWN


def time_statements(procedure: ProcedurePublic) -> list[TimeStatement]:
    """The durations the procedure's own steps and conditions state."""
    return list(_statements_of("\n".join(procedure.steps), procedure.conditions))


@lru_cache(maxsize=256)
def _statements_of(steps: str, conditions: str) -> tuple[TimeStatement, ...]:
    """Cached: the time, overview and online answers of one procedure all read the same steps."""
    return tuple(find_time_statements([steps, conditions]))


def clip_at_clause(text: str, limit: int) -> str:
    """Cut at the last clause boundary (";", ",", " (") under `limit`, else at a word; never inside a word."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    window = flat[: limit - len(t.ELLIPSIS)].removesuffix(t.ELLIPSIS)
    cut = max(window.rfind("; "), window.rfind(", "), window.rfind(" ("), window.rfind(". "))
    if cut < limit // 3:
        return clip(flat, limit)
    return window[:cut].rstrip(" ,;:.") + t.ELLIPSIS


_VND_HEAD = re.compile(r"(\d{1,3}(?:[.,]\d{3})+|\d+) ?(?:Việt Nam Đồng|VNĐ|VND|đồng)", re.I)


def _fee_note(fee_text: str) -> str:
    """The portal's parenthesised note after a fee ("(áp dụng mức phí … đến hết ngày 31/12/2026)")."""
    start, end = fee_text.find("("), fee_text.rstrip().rfind(")")
    if start < 0 or end <= start:
        return ""
    note = " ".join(fee_text[start + 1 : end].strip(" ()-+").split())
    for mark in (" (", "; ", ". "):
        head = note.split(mark, 1)[0]
        if len(head) >= 20:
            note = head
    return clip_at_clause(note.rstrip(" .;,"), 160) if note else ""


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
    statements = time_statements(procedure)
    times = {channel_time(c, statements) for c in procedure.channels}
    if len(times) == 1 and times != {t.TIME_UNKNOWN}:
        lines.append(t.TIME_SHORT.format(time=times.pop()))
    lines.append(t.OVERVIEW_ASK_MORE)
    return [lines]


def _documents(procedure: ProcedurePublic) -> list[list[str]]:
    """What to bring first, then one line for the special cases and one for what VNeID replaces.

    The whole answer is meant to fit one bubble: when it would not, fewer papers are listed (never fewer than
    `MIN_DOCUMENTS`) and the rest are counted, one tap away under "Xem đầy đủ".
    """
    if not procedure.documents:
        return [[t.DOCUMENTS_NONE]]
    roles = document_roles(procedure)
    bring = [r for r in roles if r.role is Role.BRING]
    cases = [r for r in roles if r.role is Role.IF]
    tail = []
    if bring and cases:
        tail.append(_special_line(cases))
    elif cases and len(cases) > MAX_DOCUMENTS:
        tail.append(_special_line(cases[MAX_DOCUMENTS:]))
    if _replaced_by_data(roles):
        tail.append(t.DOCUMENTS_DATA_LINE)
    if procedure.source_url:
        tail.append(t.DOCUMENTS_SOURCE.format(url=procedure.source_url))
    title = t.DOCUMENTS_TITLE.format(name=short_name(procedure))
    if not bring:
        head = [t.DOCUMENTS_ONLY_CASES, *(_case_line(r, limit=MAX_ITEM_CHARS) for r in cases[:MAX_DOCUMENTS])]
        return [[title, *(head if cases else [t.DOCUMENTS_ONLY_NOTES]), *tail]]
    shown = min(MAX_DOCUMENTS, len(bring))
    while True:
        lines = [title, *(_bring_line(r) for r in _first_papers(bring, shown))]
        if len(bring) > shown:
            lines.append(t.DOCUMENTS_MORE.format(count=len(bring) - shown))
        lines.extend(tail)
        if len("\n".join(lines)) <= MAX_MESSAGE_CHARS or shown <= MIN_DOCUMENTS:
            return [lines]
        shown -= 1


def _first_papers(bring: list[DocumentRole], count: int) -> list[DocumentRole]:
    """The first `count` papers in the portal's order, application forms never left out.

    The portal lists the form everyone fills in ("Tờ khai thay đổi thông tin cư trú") anywhere in the table;
    when the list is cut, forms keep their place and the other papers fill the remaining slots in order.
    """
    forms = [r for r in bring if is_application_form(r.document.name)][:count]
    others = [r for r in bring if r not in forms][: count - len(forms)]
    chosen = {id(r) for r in forms + others}
    return [r for r in bring if id(r) in chosen]


def _special_line(cases: list[DocumentRole]) -> str:
    named = list(dict.fromkeys(clip(r.condition, 40) for r in cases if r.condition))
    shown = named[:MAX_CONDITIONS_LISTED] + ([t.ELLIPSIS] if len(named) > MAX_CONDITIONS_LISTED else [])
    examples = "; ".join(shown)
    return t.DOCUMENTS_SPECIAL_LINE.format(count=len(cases), examples=examples).replace(" ()", "")


def _documents_special(procedure: ProcedurePublic) -> list[list[str]]:
    """The papers needed only in a stated case, each with its case, in the portal's order."""
    cases = [r for r in document_roles(procedure) if r.role is Role.IF]
    if not cases:
        return [[t.DOCUMENTS_NO_SPECIAL]]
    lines = [t.DOCUMENTS_SPECIAL_TITLE.format(name=short_name(procedure))]
    lines.extend(_case_line(r, limit=MAX_SPECIAL_ITEM_CHARS) for r in cases)
    if procedure.source_url:
        lines.append(t.DOCUMENTS_SOURCE.format(url=procedure.source_url))
    return [lines]


def _documents_all(procedure: ProcedurePublic) -> list[list[str]]:
    """Every entry in full, by role: papers to bring, papers for some cases, then the notes."""
    roles = document_roles(procedure)
    if not roles:
        return [[t.DOCUMENTS_NONE]]
    blocks: list[list[str]] = []
    sections = (
        (t.DOCUMENTS_ALL_BRING, [r for r in roles if r.role is Role.BRING]),
        (t.DOCUMENTS_ALL_CASES, [r for r in roles if r.role is Role.IF]),
        (t.DOCUMENTS_ALL_NOTES, [r for r in roles if r.role in (Role.NOTE, Role.DATA)]),
    )
    for title, members in sections:
        if members:
            blocks.append([title, *(t.LIST_BULLET + " ".join(r.document.name.split()) for r in members)])
    if procedure.source_url:
        blocks[-1].append(t.DOCUMENTS_SOURCE.format(url=procedure.source_url))
    return blocks


def document_roles(procedure: ProcedurePublic) -> list[DocumentRole]:
    """The procedure's document entries with their roles, in the portal's order."""
    return classify_all(procedure.documents, procedure.name)


def _bring_line(role: DocumentRole) -> str:
    document = role.document
    notes = []
    if role.presented:
        notes.append(t.DOCUMENT_PRESENT)
    else:
        if document.original_count:
            notes.append(t.DOCUMENT_ORIGINALS.format(count=document.original_count))
        if document.copy_count:
            notes.append(t.DOCUMENT_COPIES.format(count=document.copy_count))
    suffix = f" ({', '.join(notes)})" if notes else ""
    return f"{t.LIST_BULLET}{role.short}{suffix}"


def _case_line(role: DocumentRole, *, limit: int) -> str:
    paper = role.short or shorten(role.document.name)
    text = t.DOCUMENT_CASE.format(condition=role.condition, paper=paper) if role.condition else paper
    return t.LIST_BULLET + clip_at_clause(text, limit)


def _replaced_by_data(roles: Sequence[DocumentRole]) -> bool:
    return any(r.role is Role.DATA or r.document.replaceable_by_data for r in roles)


def _document_part_buttons(procedure: ProcedurePublic) -> list[AnswerButton]:
    """"Trường hợp đặc biệt" when some papers depend on a case; "Xem đầy đủ" when the list was shortened."""
    if not procedure.documents:
        return []
    roles = document_roles(procedure)
    buttons = []
    if any(r.role is Role.IF for r in roles):
        buttons.append(AnswerButton(title=t.BUTTON_SPECIAL_CASES,
                                    payload=document_part_payload(procedure.code, "special")))
    buttons.append(AnswerButton(title=t.BUTTON_ALL_DOCUMENTS, payload=document_part_payload(procedure.code, "all")))
    return buttons


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
    statements = time_statements(procedure)
    lines.extend(_per_channel(procedure.channels, lambda c: channel_time(c, statements), t.TIME_ALL_CHANNELS))
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
    fee, time = channel_fee(first), channel_time(first, time_statements(procedure))
    lines.append(t.ONLINE_CHANNEL_DETAIL.format(time=_mid_sentence(time), fee=_mid_sentence(fee)))
    if procedure.source_url:
        lines.append(t.ONLINE_SOURCE.format(url=procedure.source_url))
    return [lines]


def _mid_sentence(text: str) -> str:
    """"Trong thời hạn …" → "trong thời hạn …" inside a sentence; acronyms ("VNĐ", "USD") stay."""
    if len(text) > 1 and text[0].isupper() and text[1].islower():
        return text[0].lower() + text[1:]
    return text


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
    """Whether a field the topic shows is still in doubt ("channels.time" also matches a bare "channels")."""
    flagged = set(procedure.needs_review)
    return any(field in flagged or field.split(".")[0] in flagged and not _has_aspects(flagged, field)
               for field in TOPIC_FIELDS[topic])


def _has_aspects(flagged: set[str], field: str) -> bool:
    """True when the flags name the field's aspects ("channels.fee"), so the bare field alone is not enough."""
    base = field.split(".")[0]
    return base != field and any(name.startswith(f"{base}.") for name in flagged)
