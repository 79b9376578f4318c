"""Read the portal crawl: one JSON object per line, gzip-compressed or plain.

A broken line must not stop an import of thousands of procedures, so each line is returned with
either its record or the reason it could not be read.
"""

from __future__ import annotations

import gzip
import io
import json
import logging
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

logger = logging.getLogger(__name__)

_GZIP_MAGIC = b"\x1f\x8b"


@dataclass(frozen=True, slots=True)
class SourceLine:
    """One line of the crawl file: the decoded record, or why it could not be decoded."""

    line_number: int
    record: dict[str, Any] | None
    error: str | None = None


def _open_text(path: Path) -> TextIO:
    with path.open("rb") as probe:
        magic = probe.read(2)
    if magic == _GZIP_MAGIC:
        return io.TextIOWrapper(gzip.open(path, "rb"), encoding="utf-8", errors="replace")
    return path.open("r", encoding="utf-8", errors="replace")


def decode_line(line_number: int, line: str) -> SourceLine | None:
    """Decode one JSON line; blank lines give None, anything else a SourceLine."""
    text = line.strip()
    if not text:
        return None
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        return SourceLine(line_number, None, f"Line {line_number} is not valid JSON: {exc.msg}.")
    if not isinstance(value, dict):
        kind = type(value).__name__
        return SourceLine(line_number, None, f"Line {line_number} holds a JSON {kind}, not an object.")
    return SourceLine(line_number, value, None)


def read_portal_file(path: Path) -> Iterator[SourceLine]:
    """Yield every non-blank line of a crawl file (gzip detected from its first bytes).

    Raises:
        OSError: when the file cannot be opened or a gzip stream is corrupt.
    """
    with _open_text(path) as stream:
        try:
            for line_number, line in enumerate(stream, start=1):
                source_line = decode_line(line_number, line)
                if source_line is None:
                    continue
                if source_line.error is not None:
                    logger.warning("Skipping line %d of %s: %s", line_number, path, source_line.error)
                yield source_line
        except (EOFError, zlib.error) as exc:
            # A truncated download: gzip raises EOFError, which callers handling OSError would not catch.
            raise OSError(f"{path} is a truncated or corrupt gzip file: {exc}") from exc
