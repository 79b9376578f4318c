"""Parse the portal's channel table (cach_thuc_thuc_hien): how to submit, how long, what it costs.

The crawl joined the table cells without separators, e.g.
"Hình thức nộpThời gianPhí, lệ phíMô tảTrực tuyến7 Ngày làm việc10,000 Việt Nam Đồng(...)Trực tiếp...".
A row is: channel name, time, fee (optionally followed by a note in parentheses), description.
Channel names are the anchors; the fee cell ("Miễn phí", "Không có thông tin" or an amount with a
currency) separates the time from the description. When the time unit is missing the time digits
run into the fee digits ("Trực tuyến120 VNĐ"), which cannot be split with certainty: such rows are
read as best we can and reported.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from knowledge.importer.text_cleanup import NO_INFORMATION, clean_field, is_upper_letter, one_line
from knowledge.importer.time_text import TimeStatement, main_statement, unit_for
from knowledge.schemas import ChannelKind, SubmissionChannel

HEADER = "Hình thức nộpThời gianPhí, lệ phíMô tả"
FREE = "Miễn phí"

CHANNEL_NAMES: dict[str, ChannelKind] = {
    "Trực tuyến": ChannelKind.ONLINE,
    "Dịch vụ bưu chính": ChannelKind.POST,
    "Trực tiếp": ChannelKind.IN_PERSON,
}

TIME_UNITS: dict[str, str] = {
    "ngày làm việc": "working_days",
    "ngày": "days",
    "giờ": "hours",
    "tháng": "months",
    "năm": "years",
    "tuần": "weeks",
    "phút": "minutes",
}

_CURRENCY = r"(?:Việt Nam Đồng|VNĐ|VND|đồng|USD)"
_AMOUNT = r"\d{1,3}(?:[.,]\d{3})+|\d+"
_FEE_TOKEN = rf"(?:{FREE}|{NO_INFORMATION}|(?:{_AMOUNT}) ?{_CURRENCY})"
_UNIT = r"(?:Ngày làm việc|Ngày|Giờ|Tháng|Năm|Tuần|Phút)"

_CHANNEL = re.compile("|".join(re.escape(name) for name in CHANNEL_NAMES))
_ROW_PREFIX = re.compile(rf"(?:{NO_INFORMATION}|\d[\d.,]*(?: ?{_UNIT})?|[^\n]{{1,240}}?){_FEE_TOKEN}", re.S)
_TIME_WITH_UNIT = re.compile(rf"(\d+(?:[.,]\d+)?) ?({_UNIT})", re.I)
_DIGITS = re.compile(r"\d+")
_JOINED_FEE = re.compile(rf"([\d.,]*) ?({_CURRENCY})")
_TEXT_TIME = re.compile(rf"(.{{1,240}}?)(?={_FEE_TOKEN})", re.S)
_FEE_AMOUNT = re.compile(rf"({_AMOUNT}) ?({_CURRENCY})")
_NOTE_AMOUNT = re.compile(
    r"(?<![\d/.,])(\d{1,3}(?:[.,]\d{3})+|\d+) ?(?:\(\w+\) )?(triệu đồng|đồng|VNĐ|vnđ|VND|đ\b|Đ\b|USD)",
    re.I,
)
_GROUPED_NUMBER = re.compile(r"(?<![\d/.,])\d{1,3}(?:[.,]\d{3})+(?![.,]?\d)")
_NOTHING_NOTE = re.compile(
    r"^[(\s+-]*(?:không|chưa quy định|miễn|0 đồng|[a-z0-9]{1,4}\)?\s*$|"
    r"theo quy định(?: của pháp luật)?(?: về phí,? lệ phí)?[\s).]*$)",
    re.I,
)
_REDUCED_PERIOD = re.compile(r"áp dụng mức (?:phí|thu|lệ phí)[^()]{0,120}?(?:kể từ|từ ngày|đến hết)", re.I)
_SET_BY_PROVINCE = re.compile(
    r"(?:do|của|theo quyết định của|theo quy định của) (?:Hội đồng nhân dân|HĐND|Ủy ban nhân dân|UBND)(?: cấp)? tỉnh",
    re.I,
)
# A note that only says the fee follows the law in general, naming no rate and no regulation of its own.
_GENERIC_LAW = re.compile(r"^[\s(\-]*theo quy định của (?:luật phí và lệ phí|pháp luật)", re.I)
_FEE_WORDS = re.compile(r"phí|giá|mức thu|thông tư|nghị định|quyết định|quy định", re.I)


@dataclass
class ChannelTable:
    """Channels read from one table and what looked doubtful while reading them."""

    channels: list[SubmissionChannel] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


@dataclass
class _Time:
    text: str = ""
    value: float | None = None
    unit: str | None = None
    end: int = 0


def parse_amount(text: str) -> int | None:
    """Read "10,000" or "10.000" as 10000; None when the text is not a plain amount."""
    digits = re.sub(r"[.,]", "", text)
    return int(digits) if digits.isdigit() else None


def _row_starts(body: str) -> list[re.Match[str]]:
    """Channel names that open a row: followed at once by a time and a fee cell."""
    starts = []
    for match in _CHANNEL.finditer(body):
        following = body[match.end() : match.end() + 1]
        if not (following.isdigit() or is_upper_letter(following)):
            continue
        if _ROW_PREFIX.match(body, match.end()):
            starts.append(match)
    return starts


def _split_joined(digits: str, known_times: set[float]) -> tuple[int, int] | None:
    """Split "120" (time digits glued to fee digits) into (time, fee), preferring known times."""
    options = []
    for cut in range(1, len(digits)):
        time_part, fee_part = digits[:cut], digits[cut:]
        plain = fee_part.replace(",", "").replace(".", "")
        if not plain.isdigit() or (len(plain) > 1 and plain.startswith("0")):
            continue
        if ("," in fee_part or "." in fee_part) and not re.fullmatch(_AMOUNT, fee_part):
            continue
        if "," in time_part or "." in time_part:
            continue
        options.append((int(time_part), int(plain)))
    if not options:
        return None
    for time_value, fee_value in options:
        if time_value in known_times:
            return time_value, fee_value
    return options[0]


def _unit_lost(value: float, shown: str, hints: Sequence[TimeStatement], problems: list[str]) -> str | None:
    """The unit the procedure's text gives `value`; reports the table and the text disagreeing, or silence."""
    unit = unit_for(value, hints)
    if unit is not None:
        return unit
    statement = main_statement(hints)
    if statement is not None:
        problems.append(f"time unit lost ({shown!r}), while the procedure text says {statement.sentence[:90]!r}")
    else:
        problems.append(f"time unit lost ({shown!r}), and the procedure text states no processing time")
    return None


def _read_time(
    row: str, known_times: set[float], problems: list[str], hints: Sequence[TimeStatement] = ()
) -> tuple[_Time, str]:
    """Read the time cell.

    Returns the time and, when the time digits were glued to the fee digits, the fee amount
    recovered from the glued digits (with its currency), else "". A number without its unit takes the
    unit the procedure's own text gives that number.
    """
    if row.startswith(NO_INFORMATION):
        return _Time(end=len(NO_INFORMATION)), ""
    with_unit = _TIME_WITH_UNIT.match(row)
    if with_unit:
        value = float(with_unit.group(1).replace(",", "."))
        unit = TIME_UNITS[with_unit.group(2).casefold()]
        return _Time(with_unit.group(0), value, unit, with_unit.end()), ""
    digits = _DIGITS.match(row)
    if digits:
        rest = row[digits.end() :]
        joined = _JOINED_FEE.match(rest)
        if joined and not rest.startswith((FREE, NO_INFORMATION)):
            split = _split_joined(digits.group(0) + joined.group(1), known_times)
            if split is not None:
                time_value, fee_value = split
                glued_unit = unit_for(float(time_value), hints)
                if glued_unit is None:
                    problems.append(
                        f"time unit lost and time glued to fee ({row[: digits.end() + joined.end()]!r} "
                        f"read as {time_value} + {fee_value} {joined.group(2)})"
                    )
                end = digits.end() + joined.end()
                return _Time(
                    str(time_value), float(time_value), glued_unit, end
                ), f"{fee_value:,} {joined.group(2)}"
        value = float(digits.group(0))
        lost_unit = _unit_lost(value, row[: digits.end()], hints, problems)
        return _Time(digits.group(0), value, lost_unit, digits.end()), ""
    text = _TEXT_TIME.match(row)
    if text:
        return _Time(one_line(text.group(1)), None, None, text.end()), ""
    problems.append(f"no fee cell found in row {row[:60]!r}")
    return _Time(one_line(row), None, None, len(row)), ""


def _balanced_note(row: str, start: int) -> tuple[str, int]:
    """The parenthesised fee note starting at `start` (which holds "("), and where it ends."""
    depth = 0
    for index in range(start, len(row)):
        if row[index] == "(":
            depth += 1
        elif row[index] == ")":
            depth -= 1
            if depth == 0:
                return row[start : index + 1], index + 1
    return row[start:], len(row)


def _note_amounts(text: str) -> set[int]:
    amounts: set[int] = set()
    for match in _NOTE_AMOUNT.finditer(text):
        value = parse_amount(match.group(1))
        if value is None:
            continue
        if match.group(2).casefold() == "triệu đồng":
            value *= 1_000_000
        amounts.add(value)
    for match in _GROUPED_NUMBER.finditer(text):
        grouped = parse_amount(match.group(0))
        if grouped is not None:
            amounts.add(grouped)
    return amounts


def _parse_row(
    kind: ChannelKind, row: str, known_times: set[float], hints: Sequence[TimeStatement] = ()
) -> tuple[SubmissionChannel, list[str]]:
    problems: list[str] = []
    time, glued_fee = _read_time(row, known_times, problems, hints)
    channel = SubmissionChannel(kind=kind, time_text=time.text, time_value=time.value, time_unit=time.unit)
    position = time.end
    amount_text = ""
    currency = ""
    if glued_fee:
        amount_text, currency = glued_fee.split(" ", 1)
        fee_head = glued_fee
    elif row.startswith(FREE, position):
        fee_head = FREE
        position += len(FREE)
    elif row.startswith(NO_INFORMATION, position):
        fee_head = ""
        position += len(NO_INFORMATION)
    else:
        amount = _FEE_AMOUNT.match(row, position)
        if amount:
            amount_text, currency = amount.group(1), amount.group(2)
            fee_head = amount.group(0)
            position = amount.end()
        else:
            fee_head = ""
    note = ""
    if fee_head and row.startswith("(", position):
        note, position = _balanced_note(row, position)
    channel.fee_text = one_line(f"{fee_head} {note}".strip())
    channel.description = clean_field(row[position:])
    _judge_fee(channel, fee_head, amount_text, currency, note, problems)
    return channel, problems


def _judge_fee(
    channel: SubmissionChannel, fee_head: str, amount_text: str, currency: str, note: str, problems: list[str]
) -> None:
    """Decide fee_vnd / free from the fee cell and its note; report anything unclear."""
    note_body = note[1:-1] if note.startswith("(") and note.endswith(")") else note
    note_amounts = _note_amounts(note_body)
    if fee_head == FREE:
        plain_note = note_body.strip()
        if not plain_note or _NOTHING_NOTE.match(plain_note):
            channel.free = True
            channel.fee_vnd = 0
        elif note_amounts:
            problems.append(f"marked free but the fee note names amounts ({one_line(note)[:80]!r})")
        elif _SET_BY_PROVINCE.search(plain_note) or _GENERIC_LAW.match(plain_note):
            # "Miễn phí (Mức lệ phí cụ thể do Hội đồng nhân dân tỉnh … quyết định)" or "(Theo quy định của Luật
            # phí và lệ phí…)": the portal names where the rate is set, not a rate of its own; the answer shows
            # that statement beside "free" instead of a plain "free" or an amount. A note naming a regulation
            # or a fee of its own still contradicts "free" and is reported below.
            return
        elif _FEE_WORDS.search(plain_note):
            problems.append(
                f"marked free but the fee note points to a fee set elsewhere ({one_line(note)[:80]!r})"
            )
        else:
            channel.free = True
            channel.fee_vnd = 0
        return
    if amount_text:
        value = parse_amount(amount_text)
        if currency == "USD":
            # Shown as the portal states it ("10 USD"); there is no amount in đồng to read.
            return
        if value is None:
            problems.append(f"fee amount unreadable ({fee_head!r})")
            return
        others = note_amounts - {value}
        if not others:
            channel.fee_vnd = value
            channel.free = value == 0
        elif others == {value * 1000}:
            # The cell lost its thousands ("20 VNĐ") and the note states the full amount ("20.000 đồng").
            channel.fee_vnd = value * 1000
        elif _REDUCED_PERIOD.search(note_body):
            # A reduced rate for a stated period: the cell's amount stands, the note is shown beside it.
            channel.fee_vnd = value
        else:
            problems.append(f"several fee amounts ({one_line(channel.fee_text)[:80]!r})")
        return
    description_amounts = _note_amounts(f"{note_body} {channel.description}")
    if len(description_amounts) == 1:
        channel.fee_vnd = description_amounts.pop()
        problems.append(f"fee {channel.fee_vnd} read from the description, not the fee cell")
    elif description_amounts:
        problems.append("fee cell empty; the description names several amounts")


def parse_channels(text: str, time_hints: Sequence[TimeStatement] = ()) -> ChannelTable:
    """Parse the whole channel field into one SubmissionChannel per row.

    `time_hints` are the durations the procedure's own text states; they restore a unit the table lost.
    """
    table = ChannelTable()
    body = text.strip()
    if body.startswith(HEADER):
        body = body[len(HEADER) :]
    elif body:
        table.problems.append("channel table header missing")
    if not body.strip() or body.strip() == NO_INFORMATION:
        return table
    starts = _row_starts(body)
    if not starts:
        table.problems.append("no channel rows recognised")
        return table
    if starts[0].start() > 0:
        table.problems.append(f"text before the first channel row ({body[: starts[0].start()][:60]!r})")
    known_times: set[float] = {hint.value for hint in time_hints if hint.processing}
    for match in starts:
        head = _TIME_WITH_UNIT.match(body, match.end())
        digits = _DIGITS.match(body, match.end())
        if head is None and digits is not None:
            rest = body[digits.end() :]
            if rest.startswith((FREE, NO_INFORMATION)):
                known_times.add(float(digits.group(0)))
    for index, match in enumerate(starts):
        end = starts[index + 1].start() if index + 1 < len(starts) else len(body)
        channel, problems = _parse_row(CHANNEL_NAMES[match.group(0)], body[match.end() : end], known_times,
                                       time_hints)
        table.channels.append(channel)
        table.problems.extend(f"{match.group(0)}: {problem}" for problem in problems)
    return table
