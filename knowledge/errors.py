"""Knowledge-base errors, raised where a decision is made and turned into HTTP answers by routers."""

from __future__ import annotations


class KnowledgeError(Exception):
    """Base of knowledge-base errors."""


class ProcedureNotFound(KnowledgeError):
    """No procedure has that national code."""

    def __init__(self, code: str) -> None:
        super().__init__(f"No procedure has the code {code!r}.")
        self.code = code


class StaleEdit(KnowledgeError):
    """Someone saved the procedure after this edit was started; the edit was not written."""

    def __init__(self, code: str, expected: int, actual: int) -> None:
        super().__init__(
            f"Procedure {code!r} was changed by someone else (version {actual}, edit based on {expected})."
        )
        self.code = code
        self.expected = expected
        self.actual = actual


class RevisionNotFound(KnowledgeError):
    """The procedure has no revision with that number."""

    def __init__(self, code: str, number: int) -> None:
        super().__init__(f"Procedure {code!r} has no revision number {number}.")
        self.code = code
        self.number = number
