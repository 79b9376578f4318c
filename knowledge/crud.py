"""Reading and changing procedures; every write leaves a revision.

Functions take the session from the caller, who owns the transaction (see `assistant.db.session_scope`),
so an import of many records or an edit with its revision commits whole or not at all.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from knowledge.errors import ProcedureNotFound, RevisionNotFound, StaleEdit
from knowledge.models import Procedure, ProcedureAlias, ProcedureRevision, utcnow
from knowledge.schemas import ProcedureBase, ProcedureData, ProcedurePublic

CONTENT_FIELDS = tuple(ProcedureBase.model_fields)
# Every revision an import writes has a reason starting with this; it marks where staff edits start counting.
IMPORT_REASON = "import:"
# Flag put on a field whose staff value was kept although the portal published a different one.
KEPT_FLAG = "portal published a new value; the staff edit was kept"


class ImportOutcome(StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"


@dataclass(frozen=True)
class ProcedureChange:
    """What a write did, so callers can re-index exactly the procedures that changed."""

    code: str
    outcome: ImportOutcome
    changed_fields: tuple[str, ...] = ()
    # Fields an import left at the staff value (see `upsert_imported`).
    kept_fields: tuple[str, ...] = ()


def content_hash(data: ProcedureData) -> str:
    """Hash of everything an import writes, so an identical record is recognised and skipped."""
    payload = data.model_dump(mode="json")
    text = json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def get_procedure(session: Session, *, code: str) -> Procedure:
    row = session.scalar(
        select(Procedure).where(Procedure.code == code).options(selectinload(Procedure.aliases))
    )
    if row is None:
        raise ProcedureNotFound(code)
    return row


def find_procedure(session: Session, *, code: str) -> Procedure | None:
    return session.scalar(select(Procedure).where(Procedure.code == code))


def count_procedures(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Procedure)) or 0


def all_procedures(session: Session) -> Sequence[Procedure]:
    """All procedures with their aliases, for building the index."""
    stmt = select(Procedure).options(selectinload(Procedure.aliases)).order_by(Procedure.code)
    return session.scalars(stmt).all()


def procedure_content(row: Procedure) -> ProcedureBase:
    return ProcedureBase.model_validate(row.content)


def to_public(row: Procedure) -> ProcedurePublic:
    """The citizen-facing record: structured content and aliases, never the raw source or hashes."""
    return ProcedurePublic(
        **row.content,
        aliases=[alias.text for alias in row.aliases],
        updated_at=row.updated_at.isoformat() if row.updated_at else "",
        needs_review=review_topics(row.review_flags),
    )


def review_topics(flags: dict[str, Any]) -> list[str]:
    """Flagged field names, plus "channels.time" / "channels.fee" for the part of the channel table in doubt.

    The channel table holds both time and fee; a citizen asking the fee should not be cautioned about a time
    the importer could not read, so the reasons (which name "time" or "fee") say which answers carry a caution.
    """
    topics = set(flags)
    reason = str(flags.get("channels", ""))
    if reason and reason != KEPT_FLAG:
        parts = reason.split("; ")
        if any("time" in part for part in parts):
            topics.add("channels.time")
        if any("fee" in part or "free" in part for part in parts):
            topics.add("channels.fee")
        if not any("time" in part or "fee" in part or "free" in part for part in parts):
            topics.update({"channels.time", "channels.fee"})
    elif reason:
        topics.update({"channels.time", "channels.fee"})
    return sorted(topics)


def upsert_imported(session: Session, *, data: ProcedureData, author: str = "importer") -> ProcedureChange:
    """Create or update a procedure from an imported record; unchanged records write nothing.

    A newer record does not overwrite what staff corrected since the last import (a clerk knows the local fee
    or filing place better than the portal): those fields keep the staff value, the others take the portal's.
    Where the portal also changed a kept field, the field is flagged so a clerk decides in the console.
    `source_hash` stays the hash of the imported record, so re-importing the same file changes nothing.
    """
    digest = content_hash(data)
    row = find_procedure(session, code=data.code)
    if row is None:
        row = Procedure(code=data.code, source_hash=digest)
        _apply(row, data)
        session.add(row)
        session.flush()
        _record_revision(session, row, author=author, reason=f"{IMPORT_REASON} created",
                         changed=list(CONTENT_FIELDS))
        return ProcedureChange(data.code, ImportOutcome.CREATED, CONTENT_FIELDS)
    if row.source_hash == digest:
        return ProcedureChange(data.code, ImportOutcome.UNCHANGED)
    portal = data.model_dump(mode="json", include=set(CONTENT_FIELDS))
    staff_fields, previous_portal = _staff_edits_since_import(session, row, importer=author)
    current = dict(row.content)
    kept = [name for name in CONTENT_FIELDS if name in staff_fields
            and current.get(name) != previous_portal.get(name) and current.get(name) != portal.get(name)]
    conflicts = {name for name in kept if portal.get(name) != previous_portal.get(name)}
    old_flags = dict(row.review_flags)
    merged = {**portal, **{name: current.get(name) for name in kept}}
    changed = _changed_fields(current, merged)
    _set_content(row, merged)
    row.raw = dict(data.raw)
    # The importer's doubts about a kept field concern the portal's text, not the value staff chose; an
    # unresolved conflict flag stays until a clerk edits the field.
    flags = {k: v for k, v in data.review_flags.items() if k not in kept}
    flags.update({name: old_flags[name] for name in kept if name in old_flags})
    flags.update({name: KEPT_FLAG for name in conflicts})
    row.review_flags = flags
    row.source_hash = digest
    row.updated_at = utcnow()
    session.flush()
    reason = f"{IMPORT_REASON} newer source record" + (", staff edits kept" if kept else "")
    _record_revision(session, row, author=author, reason=reason, changed=changed,
                     portal_values={name: portal.get(name) for name in kept})
    return ProcedureChange(data.code, ImportOutcome.UPDATED, tuple(changed), tuple(kept))


def update_procedure(
    session: Session, *, code: str, content: ProcedureBase, author: str, expected_version: int,
    reason: str = "edit",
) -> ProcedureChange:
    """Save an edit made on `expected_version`; refuse it if someone saved in between."""
    row = get_procedure(session, code=code)
    if row.version != expected_version:
        raise StaleEdit(code, expected_version, row.version)
    if content.code != code:
        raise ValueError(f"The edit changes the code from {code!r} to {content.code!r}; codes are fixed.")
    new_content = content.model_dump(mode="json")
    changed = _changed_fields(row.content, new_content)
    if not changed:
        return ProcedureChange(code, ImportOutcome.UNCHANGED)
    _set_content(row, new_content)
    # A clerk's edit of a field is the review the importer asked for.
    row.review_flags = {k: v for k, v in row.review_flags.items() if k not in changed}
    row.updated_at = utcnow()
    session.flush()
    _record_revision(session, row, author=author, reason=reason, changed=changed)
    return ProcedureChange(code, ImportOutcome.UPDATED, tuple(changed))


def add_aliases(
    session: Session, *, code: str, texts: Sequence[str], author: str, kind: str = "alias"
) -> list[str]:
    """Attach citizen wordings to a procedure as one revision; returns the ones that were new."""
    row = get_procedure(session, code=code)
    known = {alias.text for alias in row.aliases}
    added: list[str] = []
    for text in texts:
        cleaned = " ".join(text.split())
        if not cleaned:
            raise ValueError(f"An alias of procedure {code!r} is empty.")
        if cleaned not in known:
            known.add(cleaned)
            added.append(cleaned)
            row.aliases.append(ProcedureAlias(text=cleaned, kind=kind, author=author))
    if added:
        row.updated_at = utcnow()
        session.flush()
        _record_revision(session, row, author=author, reason=f"{kind} added", changed=["aliases"])
    return added


def list_revisions(session: Session, *, code: str) -> list[ProcedureRevision]:
    return list(get_procedure(session, code=code).revisions)


def restore_revision(session: Session, *, code: str, number: int, author: str) -> ProcedureChange:
    """Bring back the content of an earlier revision, as a new revision (history only grows)."""
    row = get_procedure(session, code=code)
    revision = next((r for r in row.revisions if r.number == number), None)
    if revision is None:
        raise RevisionNotFound(code, number)
    content = ProcedureBase.model_validate(revision.snapshot["content"])
    return update_procedure(
        session, code=code, content=content, author=author, expected_version=row.version,
        reason=f"restore revision {number}",
    )


def _apply(row: Procedure, data: ProcedureData) -> None:
    _set_content(row, data.model_dump(mode="json", include=set(CONTENT_FIELDS)))
    row.raw = dict(data.raw)
    row.review_flags = dict(data.review_flags)


def _set_content(row: Procedure, content: dict[str, Any]) -> None:
    """The content, and the columns the console lists and filters by, which repeat parts of it."""
    row.content = content
    row.name, row.field, row.levels, row.ministry = (content["name"], content["field"], list(content["levels"]),
                                                     content["ministry"])


def _changed_fields(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    return [name for name in CONTENT_FIELDS if old.get(name) != new.get(name)]


def _staff_edits_since_import(
    session: Session, row: Procedure, *, importer: str
) -> tuple[set[str], dict[str, Any]]:
    """Fields staff own since the latest import, and the portal's value of every field at that import.

    Staff own what they changed after the latest import revision (edits, bulk imports and restores alike)
    plus what that import itself kept for them, so a kept edit survives every later import. The portal's
    value is the import snapshot's content, except for kept fields, whose portal value the import recorded
    separately. Without any import revision there is no portal baseline and every field counts as changed.
    """
    last_import = session.scalar(
        select(func.max(ProcedureRevision.number)).where(
            ProcedureRevision.procedure_id == row.id, ProcedureRevision.reason.startswith(IMPORT_REASON))
    ) or 0
    revisions = session.scalars(
        select(ProcedureRevision)
        .where(ProcedureRevision.procedure_id == row.id, ProcedureRevision.number >= last_import)
        .order_by(ProcedureRevision.number)
    ).all()
    owned: set[str] = set()
    portal: dict[str, Any] = {}
    for revision in revisions:
        if revision.number == last_import:
            kept = revision.snapshot.get("portal_values", {})
            owned.update(kept)
            portal = {**revision.snapshot.get("content", {}), **kept}
        elif revision.author != importer:
            owned.update(name for name in revision.changed_fields if name in CONTENT_FIELDS)
    return owned, portal


def _record_revision(
    session: Session, row: Procedure, *, author: str, reason: str, changed: list[str],
    portal_values: dict[str, Any] | None = None,
) -> None:
    number = (session.scalar(
        select(func.max(ProcedureRevision.number)).where(ProcedureRevision.procedure_id == row.id)
    ) or 0) + 1
    snapshot = {
        "content": row.content,
        "review_flags": row.review_flags,
        "aliases": [alias.text for alias in row.aliases],
        "version": row.version,
    }
    if portal_values:
        # What the portal said for fields kept at the staff value: the next import compares against it.
        snapshot["portal_values"] = portal_values
    session.add(ProcedureRevision(
        procedure_id=row.id, number=number, author=author, reason=reason,
        changed_fields=list(changed), snapshot=snapshot,
    ))
    session.flush()
