"""Audit what citizens read: the rendered documents, time and fee answers of every procedure.

The checks look at the answers as rendered, not at the parsed fields alone, because that is where a unit goes
missing or an item is cut: a bare "1" as a processing time, a list item ending inside a word ("…/Giấy chứn"),
a form file name left in a paper's name, a documents answer that opens with a case or a note for officials.
Thresholds are set from what the parsers and the renderer now achieve on the seed data, so `make test` fails
when a change brings one of these back.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from knowledge import texts_vi as t
from knowledge.answers import channel_fee, channel_time, document_roles, render_answer, time_statements
from knowledge.crud import all_procedures, review_topics, to_public
from knowledge.document_roles import Role
from knowledge.importer import parse_record, read_portal_file
from knowledge.schemas import ProcedureBase, ProcedureData, ProcedurePublic

# Upper bounds the audit enforces (`AuditReport.failures`); counts are over all procedures audited.
THRESHOLDS: dict[str, float] = {
    "items_cut_mid_word": 0,
    "bare_number_times": 0,
    "bare_number_fees": 0,
    "debris_in_answers": 0,
    "flagged_share": 0.23,
    "documents_without_bring": 70,
}

_BARE_NUMBER = re.compile(r"\d[\d.,]*(?: \(.*\))?")
_ITEM_LINE = re.compile(r"^- ")
# A word right before an ellipsis: it must be a whole word of the source, not "chứn" from "chứng".
_CUT_WORD = re.compile(r"(\w{1,40})…")
_DEBRIS_CASED = re.compile(r"\)\.\d+\.[A-Za-z]|[a-z][A-Z][a-z]{2,}[A-Z]|[a-z]{14,}")
_QUOTED = re.compile(r"\([^()]*\)|'[^']*'|\"[^\"]*\"")
_CHANNEL_PREFIX = re.compile(r"^(?:Trực tuyến|Dịch vụ bưu chính|Trực tiếp): ")


@dataclass
class ProcedureFindings:
    """What the audit found in one procedure's answers."""

    code: str
    name: str
    cut_mid_word: list[str] = field(default_factory=list)
    bare_times: list[str] = field(default_factory=list)
    bare_fees: list[str] = field(default_factory=list)
    debris: list[str] = field(default_factory=list)
    no_bring: bool = False
    opening_role: str = ""
    flags: dict[str, str] = field(default_factory=dict)

    @property
    def score(self) -> int:
        """How much is wrong, for ranking the worst procedures."""
        return (3 * (len(self.cut_mid_word) + len(self.bare_times) + len(self.bare_fees) + len(self.debris))
                + 2 * self.no_bring + len(self.flags))


@dataclass
class AuditReport:
    """Counts over all audited procedures, per field and per reason."""

    procedures: int = 0
    items_cut_mid_word: int = 0
    bare_number_times: int = 0
    bare_number_fees: int = 0
    debris_in_answers: int = 0
    debris_in_names: int = 0
    documents_without_bring: int = 0
    opening_not_bring: int = 0
    flagged_procedures: int = 0
    flagged_fields: Counter[str] = field(default_factory=Counter)
    flag_reasons: Counter[str] = field(default_factory=Counter)
    findings: dict[str, ProcedureFindings] = field(default_factory=dict)

    @property
    def flagged_share(self) -> float:
        return self.flagged_procedures / self.procedures if self.procedures else 0.0

    def failures(self, thresholds: dict[str, float] | None = None) -> list[str]:
        """The thresholds exceeded, as sentences naming the count and the bound."""
        limits = THRESHOLDS if thresholds is None else thresholds
        failed = []
        for name, bound in limits.items():
            value = getattr(self, name)
            if value > bound:
                failed.append(f"{name} is {value:.3g}, above the threshold {bound:.3g}")
        return failed

    def worst(self, count: int = 10) -> list[ProcedureFindings]:
        ranked = sorted(self.findings.values(), key=lambda f: (-f.score, f.code))
        return [f for f in ranked[:count] if f.score]

    def as_dict(self, top: int = 10) -> dict[str, object]:
        return {
            "procedures": self.procedures,
            "items_cut_mid_word": self.items_cut_mid_word,
            "bare_number_times": self.bare_number_times,
            "bare_number_fees": self.bare_number_fees,
            "debris_in_answers": self.debris_in_answers,
            "debris_in_document_names": self.debris_in_names,
            "documents_without_bring": self.documents_without_bring,
            "documents_answer_opening_not_bring": self.opening_not_bring,
            "flagged_procedures": self.flagged_procedures,
            "flagged_share": round(self.flagged_share, 4),
            "flagged_fields": dict(self.flagged_fields.most_common()),
            "flag_reasons": dict(self.flag_reasons.most_common(15)),
            "worst": [
                {"code": f.code, "name": f.name[:80], "score": f.score, "cut_mid_word": f.cut_mid_word[:2],
                 "bare_times": f.bare_times[:2], "debris": f.debris[:2], "no_bring": f.no_bring,
                 "flags": sorted(f.flags)}
                for f in self.worst(top)
            ],
            "failures": self.failures(),
        }


def public_from_data(data: ProcedureData) -> ProcedurePublic:
    """The citizen-facing shape of a freshly parsed record, as the app would serve it after import."""
    return ProcedurePublic(**data.model_dump(include=set(ProcedureBase.model_fields)),
                           needs_review=review_topics(data.review_flags))


def audit(procedures: Iterable[tuple[ProcedurePublic, dict[str, str]]]) -> AuditReport:
    """Audit each procedure (with its review flags) and add up the findings."""
    report = AuditReport()
    for procedure, flags in procedures:
        findings = audit_procedure(procedure, flags)
        report.procedures += 1
        report.findings[procedure.code] = findings
        report.items_cut_mid_word += len(findings.cut_mid_word)
        report.bare_number_times += len(findings.bare_times)
        report.bare_number_fees += len(findings.bare_fees)
        report.debris_in_answers += len(findings.debris)
        report.debris_in_names += sum(bool(_DEBRIS_CASED.search(d.name)) for d in procedure.documents)
        report.documents_without_bring += findings.no_bring
        report.opening_not_bring += bool(findings.opening_role and findings.opening_role != Role.BRING)
        if flags:
            report.flagged_procedures += 1
        for name, reason in flags.items():
            report.flagged_fields[name] += 1
            for category in reason_categories(reason):
                report.flag_reasons[f"{name}: {category}"] += 1
    return report


def audit_procedure(procedure: ProcedurePublic, flags: dict[str, str]) -> ProcedureFindings:
    """Render the documents, special-case, time and fee answers of one procedure and check every line."""
    findings = ProcedureFindings(code=procedure.code, name=procedure.name, flags=dict(flags))
    corpus = _source_words(procedure)
    for topic in ("documents", "documents_special", "time", "fee"):
        for message in render_answer(procedure, topic):
            for line in message.text.split("\n"):
                _check_line(line, corpus, findings, documents=topic.startswith("documents"))
    statements = time_statements(procedure)
    for channel in procedure.channels:
        time = channel_time(channel, statements)
        if _BARE_NUMBER.fullmatch(time):
            findings.bare_times.append(time)
        fee = channel_fee(channel)
        if _BARE_NUMBER.fullmatch(fee):
            findings.bare_fees.append(fee)
    if procedure.documents:
        roles = document_roles(procedure)
        findings.no_bring = not any(r.role is Role.BRING for r in roles)
        findings.opening_role = opening_role(procedure)
    return findings


def opening_role(procedure: ProcedurePublic) -> str:
    """The role of the first paper the first documents answer lists ("" without documents)."""
    roles = document_roles(procedure)
    bring = [r for r in roles if r.role is Role.BRING]
    if bring:
        return Role.BRING.value
    cases = [r for r in roles if r.role is Role.IF]
    return Role.IF.value if cases else (Role.NOTE.value if roles else "")


def reason_categories(reason: str) -> list[str]:
    """"time unit lost", "several fee amounts"…: a flag's reasons without the quoted specifics."""
    categories = []
    for part in reason.split("; "):
        text = _CHANNEL_PREFIX.sub("", part)
        for _ in range(3):  # nested quotes and parentheses: "('(theo …)')"
            text = _QUOTED.sub("", text)
        text = text.replace("…", "").strip(" ;,")
        text = re.sub(r"\s+,", ",", re.sub(r"\s+", " ", re.sub(r"\d+", "N", text)))
        if text and text not in categories:
            categories.append(text[:70])
    return categories


def _check_line(line: str, corpus: set[str], findings: ProcedureFindings, *, documents: bool) -> None:
    for cut in _CUT_WORD.finditer(line):
        if cut.group(1).casefold() not in corpus:
            findings.cut_mid_word.append(line[max(0, cut.start() - 40) : cut.end()])
    if documents and _ITEM_LINE.match(line) and _DEBRIS_CASED.search(line):
        findings.debris.append(line[:80])
    elif documents and _ITEM_LINE.match(line) and re.search(r"\.(?:docx?|pdf|xlsx?)\b", line, re.I):
        findings.debris.append(line[:80])


def _source_words(procedure: ProcedurePublic) -> set[str]:
    """Every whole word of the texts an answer quotes, to tell a word cut short from a whole one."""
    texts = [procedure.name, procedure.conditions, *procedure.steps]
    texts.extend(f"{d.name} {d.group} {d.form_template}" for d in procedure.documents)
    texts.extend(f"{c.time_text} {c.fee_text} {c.description}" for c in procedure.channels)
    texts.extend([t.CONDITION_AUTHORISATION, t.CONDITION_FOREIGN, t.CONDITION_IF_ANY])
    words: set[str] = set()
    for text in texts:
        words.update(word.casefold() for word in re.findall(r"\w+", text))
    return words


def audit_portal_file(path: Path) -> AuditReport:
    """Audit a national-portal crawl file as the importer would store it (the seed, in `make test`)."""
    parsed = (parse_record(source.record) for source in read_portal_file(path) if source.record is not None)
    return audit((public_from_data(data), dict(data.review_flags)) for data in parsed)


def audit_database(factory: sessionmaker[Session]) -> AuditReport:
    """Audit the procedures as stored, staff edits included: what citizens are served now."""
    with factory() as session:
        rows = all_procedures(session)
        return audit((to_public(row), dict(row.review_flags or {})) for row in rows)
