"""End-to-end evaluation: what a citizen reads, question by question, through the real `/api/chat`.

A search score says whether the right procedure is in the top three; a citizen meets the whole stack
first (the channel, Rasa's intent classifier, the dialogue rules, the action, the app). Each question is
sent in a fresh conversation, as a new user would, and the reply is judged by the procedure it names
(`procedure` on a message), the choices it offers (`/choose` button payloads) or the outcome it reports
(`outcome`: out of scope, not found). Nothing here reads the bot's wording, so rewording a reply never
changes a figure.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

CHOOSE_PREFIX = "/choose"
# Labels of one reply. With an expected procedure: right, wrong, offered (the right one among the
# choices, sure or not), offered_other (choices without it); without one: procedure, choices, unsure
# (candidates offered beside "not in my knowledge yet"); with or without: not_found, out_of_scope, other
# (a greeting, a dossier prompt, feedback thanks...), error (no usable reply).
RIGHT, WRONG, OFFERED, OFFERED_OTHER = "right", "wrong", "offered", "offered_other"
PROCEDURE, CHOICES, UNSURE = "procedure", "choices", "unsure"
NOT_FOUND, OUT_OF_SCOPE, OTHER, ERROR = "not_found", "out_of_scope", "other", "error"


class EvalInputError(ValueError):
    """A question file line that cannot be evaluated."""


@dataclass(frozen=True)
class Question:
    text: str
    expected: tuple[str, ...] = ()
    kind: str = "procedure"  # "procedure" (expected codes), "off_topic" or "not_in_kb"
    split: str = ""
    style: str = ""  # how it is written: "everyday", "formal", "no_diacritics", "abbrev"...


@dataclass(frozen=True)
class Reply:
    """What one question got: the procedure named first, the choices offered, the outcome reported."""

    status: int
    latency_ms: float
    procedures: tuple[str, ...] = ()
    choices: tuple[str, ...] = ()
    outcomes: tuple[str, ...] = ()


@dataclass
class Judged:
    question: Question
    reply: Reply
    label: str


@dataclass
class Report:
    """Counts and rates of one question file."""

    name: str
    kind: str
    rows: list[Judged] = field(default_factory=list)

    @property
    def counts(self) -> Counter[str]:
        return Counter(row.label for row in self.rows)

    def rate(self, *labels: str) -> float:
        return round(sum(self.counts[label] for label in labels) / len(self.rows), 3) if self.rows else 0.0

    def latency(self, q: float) -> float:
        values = sorted(row.reply.latency_ms for row in self.rows)
        if not values:
            return 0.0
        return round(values[min(len(values) - 1, max(0, round(q / 100 * (len(values) - 1))))], 1)

    def summary(self) -> dict[str, Any]:
        base: dict[str, Any] = {"questions": len(self.rows), "counts": dict(sorted(self.counts.items())),
                                "p50_ms": self.latency(50), "p95_ms": self.latency(95)}
        if self.kind == "procedure":
            base.update(first_right=self.rate(RIGHT), right_or_offered=self.rate(RIGHT, OFFERED),
                        wrong=self.rate(WRONG), no_answer=self.rate(NOT_FOUND, OUT_OF_SCOPE, OTHER, ERROR))
        else:
            base.update(procedure_answers=self.counts[PROCEDURE] + self.counts[CHOICES],
                        offered_unsure=self.counts[UNSURE],
                        told_out_of_scope=self.counts[OUT_OF_SCOPE], told_not_found=self.counts[NOT_FOUND])
        return base


def load_questions(path: Path) -> list[Question]:
    """Question lines: `{"question", "expected": [...]}` or `{"question", "kind": "off_topic"|"not_in_kb"}`."""
    questions: list[Question] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            text = str(item["question"]).strip()
        except (ValueError, KeyError, TypeError) as exc:
            raise EvalInputError(f"{path}:{number}: not a question line ({type(exc).__name__})") from exc
        expected = tuple(str(code) for code in item.get("expected") or ())
        kind = "procedure" if expected else str(item.get("kind") or "")
        if kind not in ("procedure", "off_topic", "not_in_kb"):
            raise EvalInputError(f"{path}:{number}: needs `expected` codes or a kind off_topic/not_in_kb")
        if text:
            questions.append(Question(text=text, expected=expected, kind=kind, split=str(item.get("split") or ""),
                                      style=str(item.get("style") or "")))
    return questions


def choice_codes(buttons: Iterable[dict[str, Any]]) -> list[str]:
    """Procedure codes of `/choose{"procedure_code": ...}` buttons, in order."""
    codes: list[str] = []
    for button in buttons:
        payload = str(button.get("payload") or "")
        if not payload.startswith(CHOOSE_PREFIX):
            continue
        try:
            entities = json.loads(payload[len(CHOOSE_PREFIX):])
        except ValueError:
            continue
        code = entities.get("procedure_code") if isinstance(entities, dict) else None
        if isinstance(code, str) and code not in codes:
            codes.append(code)
    return codes


def read_reply(status: int, latency_ms: float, body: Any) -> Reply:
    """The judged parts of a `/api/chat` answer."""
    messages = body.get("messages") if isinstance(body, dict) else None
    if status != 200 or not isinstance(messages, list):
        return Reply(status=status, latency_ms=latency_ms)
    procedures: list[str] = []
    choices: list[str] = []
    outcomes: list[str] = []
    for message in messages:
        if not isinstance(message, dict):
            continue
        procedure = message.get("procedure")
        if isinstance(procedure, dict) and isinstance(procedure.get("code"), str):
            procedures.append(procedure["code"])
        choices += [c for c in choice_codes(message.get("buttons") or []) if c not in choices]
        if isinstance(message.get("outcome"), str):
            outcomes.append(message["outcome"])
    return Reply(status=status, latency_ms=latency_ms, procedures=tuple(procedures), choices=tuple(choices),
                 outcomes=tuple(outcomes))


def judge(question: Question, reply: Reply) -> str:
    """One label per question (see the constants above)."""
    if reply.status != 200:
        return ERROR
    if reply.procedures:
        if question.kind != "procedure":
            return PROCEDURE
        return RIGHT if reply.procedures[0] in question.expected else WRONG
    if reply.choices:
        if question.kind != "procedure":
            return UNSURE if UNSURE in reply.outcomes else CHOICES
        return OFFERED if set(reply.choices) & set(question.expected) else OFFERED_OTHER
    if NOT_FOUND in reply.outcomes:
        return NOT_FOUND
    if OUT_OF_SCOPE in reply.outcomes:
        return OUT_OF_SCOPE
    return OTHER


async def new_conversation(client: httpx.AsyncClient, base_url: str) -> str | None:
    """A conversation id issued by the app (as the widget gets one); None when it issues none."""
    try:
        response = await client.post(f"{base_url.rstrip('/')}/api/chat/session")
    except httpx.HTTPError:
        return None
    if response.status_code != 201:
        return None
    sender_id = response.json().get("sender_id")
    return sender_id if isinstance(sender_id, str) else None


async def ask(client: httpx.AsyncClient, base_url: str, text: str) -> Reply:
    """One question in a new conversation; the latency is the chat call's alone."""
    sender_id = await new_conversation(client, base_url)
    if sender_id is None:
        return Reply(status=0, latency_ms=0.0)
    started = time.perf_counter()
    try:
        response = await client.post(f"{base_url.rstrip('/')}/api/chat", json={"sender_id": sender_id, "text": text})
    except httpx.HTTPError:
        return Reply(status=0, latency_ms=(time.perf_counter() - started) * 1000)
    latency = (time.perf_counter() - started) * 1000
    try:
        body = response.json()
    except ValueError:
        body = None
    return read_reply(response.status_code, latency, body)


async def evaluate(base_url: str, questions: Sequence[Question], *, name: str = "questions",
                   concurrency: int = 1, pause_s: float = 0.0, timeout_s: float = 30.0,
                   client: httpx.AsyncClient | None = None) -> Report:
    """Ask every question in its own new conversation; `concurrency` conversations at a time.

    Latency is only comparable at `concurrency=1` (the default); more is for a quick look at a big file.
    """
    if client is None:
        async with httpx.AsyncClient(timeout=timeout_s) as own:
            return await evaluate(base_url, questions, name=name, concurrency=concurrency, pause_s=pause_s,
                                  client=own)
    kinds = {q.kind for q in questions}
    report = Report(name=name, kind=kinds.pop() if len(kinds) == 1 else "procedure")
    queue: asyncio.Queue[int] = asyncio.Queue()
    for position in range(len(questions)):
        queue.put_nowait(position)
    replies: dict[int, Reply] = {}

    async def worker(client: httpx.AsyncClient) -> None:
        while not queue.empty():
            position = queue.get_nowait()
            replies[position] = await ask(client, base_url, questions[position].text)
            if pause_s:
                await asyncio.sleep(pause_s)

    await asyncio.gather(*(worker(client) for _ in range(max(1, concurrency))))
    report.rows = [Judged(q, replies[i], judge(q, replies[i])) for i, q in enumerate(questions)]
    return report


def table(reports: Sequence[Report]) -> str:
    """A Markdown table of the figures the README quotes."""
    lines = ["| question set | n | first answer right | right or offered | wrong first answer | no procedure "
             "| p50 ms | p95 ms |", "|---|---|---|---|---|---|---|---|"]
    other = ["| question set | n | answered with a procedure (or its choices) | offered unsure (and told not "
             "found) | told out of scope | told not found | p50 ms | p95 ms |", "|---|---|---|---|---|---|---|---|"]
    for report in reports:
        s = report.summary()
        if report.kind == "procedure":
            lines.append(f"| {report.name} | {s['questions']} | {s['first_right']:.2f} | {s['right_or_offered']:.2f} "
                         f"| {s['wrong']:.2f} | {s['no_answer']:.2f} | {s['p50_ms']:.0f} | {s['p95_ms']:.0f} |")
        else:
            other.append(f"| {report.name} | {s['questions']} | {s['procedure_answers']} | {s['offered_unsure']} "
                         f"| {s['told_out_of_scope']} | {s['told_not_found']} "
                         f"| {s['p50_ms']:.0f} | {s['p95_ms']:.0f} |")
    parts = ["\n".join(lines)] if len(lines) > 2 else []
    parts += ["\n".join(other)] if len(other) > 2 else []
    return "\n\n".join(parts)


def misses(report: Report, limit: int = 40) -> list[str]:
    """The questions that went wrong, for a person to read (not for tuning to one line)."""
    bad = {WRONG, OFFERED_OTHER, NOT_FOUND, OUT_OF_SCOPE, OTHER, ERROR, PROCEDURE, CHOICES}
    if report.kind == "off_topic":
        bad.add(UNSURE)  # an administrative question outside the knowledge base may be offered candidates
    lines = []
    for row in report.rows:
        if row.label in bad:
            got = ",".join(row.reply.procedures[:1] or row.reply.choices or row.reply.outcomes) or "-"
            lines.append(f"{row.label:13} {row.question.text!r} expected={','.join(row.question.expected[:3]) or '-'} "
                         f"got={got}")
    return lines[:limit]
