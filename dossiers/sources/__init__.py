"""Where dossiers come from: this database (filled by import) or a provincial dossier system over HTTP.

Every source answers one question, "the dossier with this code, or None", and raises
`DossierSourceUnavailable` when it cannot answer at all (so a citizen hears "try again later", never
"not found" for a dossier that exists).
"""

from __future__ import annotations

from typing import Protocol

from dossiers.domain import DossierRecord


class DossierSourceUnavailable(RuntimeError):
    """The source did not answer in time or answered with an error."""


class DossierSource(Protocol):
    #: True when records come from outside and must be mirrored into the database (history, subscriptions).
    mirrors: bool

    async def get(self, code: str) -> DossierRecord | None:
        """The dossier with the canonical `code`, or None when the source does not know it."""
        ...
