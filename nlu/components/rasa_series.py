"""The Rasa release series this project's patches to Rasa internals were measured against.

Both the tracker store and the launcher reach into Rasa 3.6 internals; any other version must run them the
stock way, and one constant keeps the two from disagreeing about which versions that is.
"""

from __future__ import annotations

PATCHED_RASA_SERIES = "3.6."


def is_patched_series(version: object) -> bool:
    """True when `version` (e.g. `rasa.__version__`) belongs to the series the patches were written for."""
    return str(version).startswith(PATCHED_RASA_SERIES)
