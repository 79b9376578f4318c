"""Hostile input for the pure functions: any Unicode (control, zero-width, RTL, emoji), any bytes in a file.

The existing property tests (tests/index/test_normalize.py, tests/dossiers/test_codes.py,
tests/knowledge/importer/test_portal_parser.py) cover well-formed Vietnamese; these cover what an attacker
or a broken phone keyboard sends, and only ask what must hold for everything: no unexpected exception, and
output that is clean whatever came in.
"""

from __future__ import annotations

import gzip
import json
import unicodedata
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from index.normalize import document_terms, fold, normalize, query_terms
from knowledge.importer import parse_record, read_portal_file
from knowledge.importer.portal_parser import RecordParseError

# Characters that break naive text handling: controls, zero-width and direction marks, combining marks
# stacked on nothing, surrogate-free astral emoji, full-width forms, HTML/SQL punctuation.
NASTY = ("\x00\x07\x1b\x7f\u0085\u200b\u200c\u200d\u2060\ufeff\u202e\u202d\u2066\u2069\u0301\u0300\u0323"
         "\u0303\u0309\U0001f600\U0001f44d\U0001f1fb\U0001f1f3\uff10\uff21\uff0d\u3002<>\"'&;-/*%_\\")
hostile_text = st.text(alphabet=st.one_of(st.characters(codec="utf-8"), st.sampled_from(NASTY)),
                       max_size=300)


def _no_control_or_format(text: str) -> bool:
    return all(unicodedata.category(ch) not in {"Cc", "Cf", "Cs"} for ch in text)


@settings(max_examples=300, deadline=None)
@given(hostile_text)
@example("\u202eлицо" + "\u200b" * 50 + "سلام đăng ký")
@example("'; DROP TABLE procedures; --<script>alert(1)</script>")
def test_normalisation_of_anything_is_idempotent_and_clean(text: str) -> None:
    once = normalize(text)
    assert normalize(once) == once
    assert _no_control_or_format(once)
    folded = fold(once)
    assert fold(folded) == folded
    for term in [*query_terms(text), *document_terms(text)]:
        assert term and not any(ch.isspace() for ch in term)
        assert _no_control_or_format(term)


@settings(max_examples=300, deadline=None)
@given(hostile_text)
@example("000.00.15.H29-250714-0001\u0000")
@example("\u200b000.00.15.H29\u2013250714\u20130001\u200b")
@example("９" * 400 + "000.00.15.H29-250714-0001")
def test_dossier_code_parsing_of_anything_gives_a_canonical_code_or_the_malformed_error(text: str) -> None:
    codes = pytest.importorskip("dossiers.codes")
    for parse in (codes.parse_code, codes.find_code):
        try:
            code = parse(text)
        except codes.MalformedDossierCode as exc:
            assert exc.message_vi == str(exc) and exc.message_vi  # the fixed message, never the input
            continue
        canonical = str(code)
        assert codes.normalise_code(canonical) == canonical
        assert canonical.isascii() and _no_control_or_format(canonical)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.binary(max_size=200), max_size=8), st.booleans())
def test_reading_any_bytes_as_a_portal_file_rejects_lines_but_never_crashes(
        tmp_path: Path, lines: list[bytes], compressed: bool) -> None:
    raw = b"\n".join(lines)
    path = tmp_path / ("crawl.jsonl.gz" if compressed else "crawl.jsonl")
    path.write_bytes(gzip.compress(raw) if compressed else raw)
    try:
        for source in read_portal_file(path):
            if source.record is None:
                assert source.error
                continue
            try:
                parse_record(source.record)
            except RecordParseError as exc:
                assert exc.reason
    except OSError as exc:  # the documented failure: a corrupt gzip stream, reported with the file name
        assert str(path) in str(exc) or isinstance(exc, gzip.BadGzipFile)


@settings(max_examples=150, deadline=None)
@given(st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | hostile_text,
                    lambda children: st.lists(children, max_size=4)
                    | st.dictionaries(hostile_text, children, max_size=4), max_leaves=20))
def test_any_json_value_as_a_record_is_parsed_or_rejected_with_a_reason(value: object) -> None:
    record = value if isinstance(value, dict) else {"ma_thu_tuc": value, "ten_thu_tuc": json.dumps(value)}
    try:
        parse_record(record)  # type: ignore[arg-type]
    except RecordParseError as exc:
        assert exc.reason
