"""Import a national-portal file into the knowledge base, as one transaction.

The whole file commits or nothing does, so a killed import never leaves a half-written knowledge base;
records that cannot be used are reported with their line, code and reason while the rest imports.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from assistant.db import session_scope
from knowledge.crud import ImportOutcome, ProcedureChange, add_aliases, find_procedure, upsert_imported
from knowledge.importer import RecordParseError, parse_record, read_portal_file

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class RejectedRecord:
    line: int
    code: str
    reason: str


@dataclass
class ImportReport:
    """What an import did, for the operator's report."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[RejectedRecord] = field(default_factory=list)
    flagged: int = 0
    # Code -> fields left at the staff value, so the operator sees which corrections the import respected.
    kept_staff_edits: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def count(self, change: ProcedureChange) -> None:
        if change.kept_fields:
            self.kept_staff_edits[change.code] = change.kept_fields
        if change.outcome is ImportOutcome.CREATED:
            self.created += 1
        elif change.outcome is ImportOutcome.UPDATED:
            self.updated += 1
        else:
            self.unchanged += 1

    def as_dict(self) -> dict[str, object]:
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "needs_review": self.flagged,
            "kept_staff_edits": len(self.kept_staff_edits),
            "rejected": [r.__dict__ for r in self.rejected],
        }


PROGRESS_EVERY = 250


def import_portal_file(
    factory: sessionmaker[Session], path: Path, *, author: str = "importer",
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Parse and store every record of `path`; identical records write nothing."""
    report = ImportReport()
    seen: set[str] = set()
    with session_scope(factory) as session:
        for source in read_portal_file(path):
            if progress is not None:
                progress(source.line_number)
            if source.record is None:
                report.rejected.append(RejectedRecord(source.line_number, "?", source.error or "unreadable"))
                continue
            try:
                data = parse_record(source.record)
            except RecordParseError as exc:
                report.rejected.append(RejectedRecord(source.line_number, exc.code, exc.reason))
                continue
            if data.code in seen:
                report.rejected.append(
                    RejectedRecord(source.line_number, data.code, "duplicate code in the same file")
                )
                continue
            seen.add(data.code)
            report.flagged += bool(data.review_flags)
            report.count(upsert_imported(session, data=data, author=author))
            if len(seen) % PROGRESS_EVERY == 0:
                # Long imports say they are alive; nothing is committed until the whole file is read.
                logger.info("import: %d procedures read, not yet committed", len(seen))
    logger.info("import finished: %s", {k: v for k, v in report.as_dict().items() if k != "rejected"})
    return report


def import_aliases(factory: sessionmaker[Session], path: Path, *, author: str = "seed") -> list[str]:
    """Attach the aliases of a `{code: [wording, ...]}` JSON file; returns the codes that gained any.

    Codes missing from the knowledge base are logged and skipped, so a seed file that names a procedure
    a site has not imported does not block the rest.
    """
    mapping = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(mapping, dict):
        raise ValueError(f"{path} must hold a JSON object mapping procedure codes to lists of wordings.")
    changed: list[str] = []
    with session_scope(factory) as session:
        for code, wordings in mapping.items():
            if find_procedure(session, code=code) is None:
                logger.warning("alias seed names unknown procedure %s; skipped", code)
                continue
            if add_aliases(session, code=code, texts=list(wordings), author=author):
                changed.append(code)
    return changed
