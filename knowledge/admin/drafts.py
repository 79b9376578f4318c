"""Drafts and publishing: a clerk's edit waits in `procedure_drafts` until a publisher publishes it.

Citizens only ever see `procedures.content`; a draft changes nothing they see. Both saving a draft and
publishing carry the versions the clerk's form was loaded from, and are refused (`StaleEdit`,
`StaleDraft`) when someone saved in between, so no one's work is overwritten silently.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from knowledge import crud
from knowledge.admin.models import ProcedureDraft
from knowledge.errors import KnowledgeError, StaleEdit
from knowledge.models import utcnow
from knowledge.schemas import ProcedureBase

logger = logging.getLogger(__name__)


class StaleDraft(KnowledgeError):
    """The draft was saved by someone else after this form was opened."""

    def __init__(self, code: str, expected: int, actual: int, author: str) -> None:
        super().__init__(f"The draft of procedure {code!r} is at save {actual}, this form was opened at {expected}.")
        self.code = code
        self.author = author


@dataclass(frozen=True)
class Versions:
    """What the form was opened on: the published version and the draft's save count (0 = no draft)."""

    version: int
    draft_version: int


def get_draft(session: Session, *, code: str) -> ProcedureDraft | None:
    return session.scalar(select(ProcedureDraft).where(ProcedureDraft.procedure_code == code))


def draft_codes(session: Session) -> set[str]:
    return set(session.scalars(select(ProcedureDraft.procedure_code)).all())


def _check_versions(session: Session, *, code: str, opened: Versions) -> ProcedureDraft | None:
    row = crud.get_procedure(session, code=code)
    if row.version != opened.version:
        raise StaleEdit(code, opened.version, row.version)
    draft = get_draft(session, code=code)
    current = draft.draft_version if draft is not None else 0
    if current != opened.draft_version:
        raise StaleDraft(code, opened.draft_version, current, draft.author if draft is not None else "")
    return draft


def save_draft(session: Session, *, content: ProcedureBase, author: str, opened: Versions) -> ProcedureDraft:
    """Keep `content` as the procedure's draft (one shared draft per procedure)."""
    draft = _check_versions(session, code=content.code, opened=opened)
    if draft is None:
        draft = ProcedureDraft(procedure_code=content.code, base_version=opened.version, draft_version=0)
        session.add(draft)
    draft.content = content.model_dump(mode="json")
    draft.base_version = opened.version
    draft.draft_version += 1
    draft.author = author
    draft.updated_at = utcnow()
    session.flush()
    logger.info("draft of procedure %s saved by %s", content.code, author)
    return draft


def discard_draft(session: Session, *, code: str, opened: Versions) -> None:
    _check_versions(session, code=code, opened=opened)
    session.execute(delete(ProcedureDraft).where(ProcedureDraft.procedure_code == code))


def publish(session: Session, *, content: ProcedureBase, author: str, opened: Versions) -> crud.ProcedureChange:
    """Write `content` as a new revision of the published procedure and drop its draft.

    The caller commits and then re-indexes the code, so citizens' next question sees the change.
    """
    _check_versions(session, code=content.code, opened=opened)
    change = crud.update_procedure(session, code=content.code, content=content, author=author,
                                   expected_version=opened.version, reason="published from the console")
    session.execute(delete(ProcedureDraft).where(ProcedureDraft.procedure_code == content.code))
    logger.info("procedure %s published by %s (%s)", content.code, author, change.outcome)
    return change
