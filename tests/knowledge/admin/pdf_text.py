"""Reading back the kit PDF: `pdftotext` when poppler-utils is installed, else the font's Unicode map.

fpdf2 writes text as glyph ids of an embedded TrueType subset and maps them to Unicode in ToUnicode
CMaps; without pdftotext the tests can still check that every letter of a text was embedded.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import zlib

_STREAM = re.compile(rb"<<(.*?)>>\s*stream\r?\n(.*?)\r?\nendstream", re.S)


def pdftotext(pdf: bytes) -> str | None:
    """The PDF's text by poppler's pdftotext, or None when it is not installed."""
    tool = shutil.which("pdftotext")
    if tool is None:
        return None
    done = subprocess.run([tool, "-enc", "UTF-8", "-", "-"], input=pdf, capture_output=True, check=True,  # noqa: S603
                          timeout=60)
    return done.stdout.decode("utf-8")


def embedded_characters(pdf: bytes) -> set[str]:
    """Every character the PDF's fonts can show (from their ToUnicode CMaps)."""
    chars: set[str] = set()
    for header, body in _STREAM.findall(pdf):
        stream = zlib.decompress(body) if b"/FlateDecode" in header else body
        if b"beginbfchar" not in stream:
            continue
        for _, dst in re.findall(rb"<([0-9A-Fa-f]{4})>\s*<([0-9A-Fa-f]+)>", stream):
            chars.update(bytes.fromhex(dst.decode()).decode("utf-16-be"))
    return chars
