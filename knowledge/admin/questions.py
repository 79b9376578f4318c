"""The question log and the console's unanswered inbox.

The bot reports every question with its outcome (`record_question`). Questions it could not answer
confidently are grouped by wording so a clerk handles "dk khai sinh", "đăng ký khai sinh" and
"đăng ký khai sinh ở đâu ạ" once: identical normalised forms are one group, and groups whose words mostly
overlap are merged. Linking a group to a procedure turns its wordings into aliases of that procedure.

The inbox is read one page at a time (`unanswered_page`): the database counts questions per normalised
form and returns one page of forms, most asked first, and only those rows are loaded (at most
`MAX_IDS_PER_FORM` per form), so a flood of nonsense questions makes the inbox longer, not unusable.
Near-duplicates are merged within a page.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from index.normalize import QUERY_STOPWORDS, fold, folded_text
from knowledge import crud
from knowledge.admin.conversation_models import (
    OUTCOMES,
    QUESTION_LINKED,
    QUESTION_OPEN,
    QUESTION_OUT_OF_SCOPE,
    UNANSWERED_OUTCOMES,
    QuestionRecord,
)
from knowledge.admin.masking import MASK, mask_personal_numbers
from knowledge.models import utcnow

MAX_QUESTION_CHARS = 2000
NORMALIZED_CHARS = 500
# Share of words two wordings must have in common (Jaccard) to be one group.
NEAR_DUPLICATE_OVERLAP = 0.6
MAX_ALIASES_PER_LINK = 20
_FOLDED_STOPWORDS = frozenset(fold(word) for word in QUERY_STOPWORDS)


class UnknownOutcome(ValueError):
    """A question was reported with an outcome outside `OUTCOMES`."""


def normalize_question(text: str) -> str:
    """The grouping key: lower case, no diacritics, abbreviations expanded, masked numbers dropped."""
    return " ".join(t for t in folded_text(text.replace(MASK, " ")).split())[:NORMALIZED_CHARS]


def record_question(session: Session, *, conversation_id: str, channel: str, text: str,
                    outcome: str, confidence: float | None = None, procedure_code: str | None = None) -> None:
    """Log one question (masked); adds and flushes, the caller's unit of work commits."""
    if outcome not in OUTCOMES:
        raise UnknownOutcome(f"Question outcome {outcome!r} is not one of {', '.join(OUTCOMES)}.")
    masked = mask_personal_numbers(" ".join(text.split())[:MAX_QUESTION_CHARS])
    session.add(QuestionRecord(conversation_id=conversation_id, channel=channel, text=masked,
                               normalized=normalize_question(masked), outcome=outcome, confidence=confidence,
                               procedure_code=procedure_code or None, status=QUESTION_OPEN))
    session.flush()


@dataclass
class QuestionGroup:
    """Questions that say the same thing; `key` is the most frequent normalised form."""

    key: str
    question_ids: list[int] = field(default_factory=list)
    wordings: dict[str, int] = field(default_factory=dict)  # masked text → count
    outcomes: dict[str, int] = field(default_factory=dict)
    last_at: datetime | None = None

    @property
    def count(self) -> int:
        return len(self.question_ids)

    @property
    def example(self) -> str:
        """The wording citizens used most often."""
        return max(self.wordings.items(), key=lambda item: (item[1], -len(item[0])))[0]

    def add(self, row: QuestionRecord) -> None:
        self.question_ids.append(row.id)
        self.wordings[row.text] = self.wordings.get(row.text, 0) + 1
        self.outcomes[row.outcome] = self.outcomes.get(row.outcome, 0) + 1
        if self.last_at is None or row.created_at > self.last_at:
            self.last_at = row.created_at


def _words(normalized: str) -> frozenset[str]:
    words = frozenset(w for w in normalized.split() if w not in _FOLDED_STOPWORDS)
    return words or frozenset(normalized.split())


def _overlap(a: frozenset[str], b: frozenset[str]) -> float:
    union = a | b
    return len(a & b) / len(union) if union else 1.0


def group_questions(rows: Sequence[QuestionRecord]) -> list[QuestionGroup]:
    """Groups, largest first: identical normalised forms, then near-duplicates merged into bigger groups."""
    exact: dict[str, list[QuestionRecord]] = {}
    for row in rows:
        exact.setdefault(row.normalized, []).append(row)
    ordered = sorted(exact.items(), key=lambda item: (-len(item[1]), item[0]))
    groups: list[tuple[frozenset[str], QuestionGroup]] = []
    for key, members in ordered:
        words = _words(key)
        target = next((g for w, g in groups if _overlap(words, w) >= NEAR_DUPLICATE_OVERLAP), None)
        if target is None:
            target = QuestionGroup(key=key)
            groups.append((words, target))
        for row in members:
            target.add(row)
    result = [g for _, g in groups]
    result.sort(key=lambda g: (-g.count, g.key))
    return result


def unanswered_questions(session: Session) -> list[QuestionRecord]:
    """Open questions the bot could not answer confidently, oldest first."""
    query = (select(QuestionRecord)
             .where(QuestionRecord.status == QUESTION_OPEN, QuestionRecord.outcome.in_(UNANSWERED_OUTCOMES))
             .order_by(QuestionRecord.id))
    return list(session.scalars(query))


def unanswered_groups(session: Session) -> list[QuestionGroup]:
    return group_questions(unanswered_questions(session))


# Normalised forms per inbox page, and the newest questions of one form shown (and acted on) at a time.
PAGE_SIZE = 50
MAX_IDS_PER_FORM = 500


@dataclass
class InboxPage:
    groups: list[QuestionGroup]
    page: int
    pages: int
    forms: int  # distinct normalised forms waiting, on every page


def unanswered_page(session: Session, *, page: int = 1, page_size: int = PAGE_SIZE) -> InboxPage:
    """One page of the inbox: the most asked open forms first, with their newest rows only."""
    waiting = (QuestionRecord.status == QUESTION_OPEN, QuestionRecord.outcome.in_(UNANSWERED_OUTCOMES))
    forms = session.scalar(select(func.count(func.distinct(QuestionRecord.normalized))).where(*waiting)) or 0
    pages = max(1, -(-forms // page_size))
    page = min(max(1, page), pages)
    asked = func.count(QuestionRecord.id)
    keys = list(session.scalars(
        select(QuestionRecord.normalized).where(*waiting).group_by(QuestionRecord.normalized)
        .order_by(asked.desc(), QuestionRecord.normalized).limit(page_size).offset((page - 1) * page_size)))
    rows: list[QuestionRecord] = []
    for key in keys:
        newest = (select(QuestionRecord).where(*waiting, QuestionRecord.normalized == key)
                  .order_by(QuestionRecord.id.desc()).limit(MAX_IDS_PER_FORM))
        rows.extend(reversed(list(session.scalars(newest))))
    return InboxPage(groups=group_questions(rows), page=page, pages=pages, forms=forms)


def _open_rows(session: Session, question_ids: Sequence[int]) -> list[QuestionRecord]:
    if not question_ids:
        return []
    query = select(QuestionRecord).where(QuestionRecord.id.in_(list(question_ids)),
                                         QuestionRecord.status == QUESTION_OPEN)
    return list(session.scalars(query.order_by(QuestionRecord.id)))


def alias_texts(rows: Sequence[QuestionRecord]) -> list[str]:
    """One wording per normalised form, masked numbers removed, in first-seen order."""
    seen: set[str] = set()
    texts: list[str] = []
    for row in rows:
        text = " ".join(row.text.replace(MASK, " ").split())[:500]
        if text and row.normalized not in seen:
            seen.add(row.normalized)
            texts.append(text)
    return texts[:MAX_ALIASES_PER_LINK]


def link_questions(session: Session, *, question_ids: Sequence[int], procedure_code: str, author: str) -> list[str]:
    """Make these questions' wordings aliases of the procedure and close them; returns the new aliases.

    Raises `ProcedureNotFound` for an unknown code; nothing is closed then.
    """
    rows = _open_rows(session, question_ids)
    added = crud.add_aliases(session, code=procedure_code, texts=alias_texts(rows), author=author) if rows else []
    _close(session, rows, status=QUESTION_LINKED, procedure_code=procedure_code, author=author)
    return added


def mark_out_of_scope(session: Session, *, question_ids: Sequence[int], author: str) -> int:
    """Close questions the assistant is not meant to answer; returns how many were closed."""
    rows = _open_rows(session, question_ids)
    _close(session, rows, status=QUESTION_OUT_OF_SCOPE, procedure_code=None, author=author)
    return len(rows)


def _close(session: Session, rows: Sequence[QuestionRecord], *, status: str, procedure_code: str | None,
           author: str) -> None:
    if not rows:
        return
    session.execute(update(QuestionRecord)
                    .where(QuestionRecord.id.in_([r.id for r in rows]))
                    .values(status=status, resolved_procedure_code=procedure_code, resolved_by=author,
                            resolved_at=utcnow()))
    session.flush()
