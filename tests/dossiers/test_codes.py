from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dossiers import texts_vi
from dossiers.codes import MalformedDossierCode, find_code, normalise_code, parse_code

CANONICAL = "000.00.15.H29-250714-0001"


def test_a_clean_code_parses_into_its_parts() -> None:
    code = parse_code(CANONICAL)
    assert (code.agency, code.received_on, code.sequence) == ("000.00.15.H29", date(2025, 7, 14), 1)
    assert str(code) == CANONICAL


@pytest.mark.parametrize("typed", [
    "000.00.15.h29-250714-0001",                      # lower case
    "  000.00.15.H29 - 250714 - 0001 ",               # spaces around dashes
    "000.00.15.H29 250714 0001",                      # spaces instead of dashes
    "000 . 00 . 15 . H 29-250714-0001",               # spaces everywhere
    "０００．００．１５．Ｈ２９－２５０７１４－０００１",  # full-width (Vietnamese IME)
    "000.00.15.H29\u2013250714\u20140001",            # en dash, em dash
    "000.00.15.H29\u2212250714\u20110001",            # minus sign, non-breaking hyphen
    "000.00.15.H29-250714-0001\u200b",                # zero-width space from copy and paste
    "000\u300200.15.H29-250714-0001",                 # ideographic full stop
])
def test_typed_variants_normalise_to_the_canonical_code(typed: str) -> None:
    assert normalise_code(typed) == CANONICAL


@pytest.mark.parametrize("typed", [
    "", "0001", "000.00.15.H29-250714", "000.00.15.H29-250714-001", "000.00.15.H29-250714-00011",
    "000.00.15.29-250714-0001", "00.00.15.H29-250714-0001", "000.00.15.HH9-250714-0001",
    "000.00.15.H29-251332-0001",   # month 13
    "000.00.15.H29-250230-0001",   # 30 February
    "000.00.15.H29-250714-0001-9", "0912345678",
])
def test_malformed_codes_raise_with_the_expected_format_and_never_the_input(typed: str) -> None:
    with pytest.raises(MalformedDossierCode) as info:
        parse_code(typed)
    assert info.value.message_vi == texts_vi.MALFORMED_CODE
    assert "000.00.15.H29-250714-0001" in info.value.message_vi
    assert "<mã cơ quan>" in info.value.message_vi
    assert "0912345678" not in info.value.message_vi  # fixed text: a phone typed by mistake is never echoed


def test_leap_day_is_a_real_date_but_not_in_other_years() -> None:
    assert parse_code("000.00.15.H29-240229-0007").received_on == date(2024, 2, 29)
    with pytest.raises(MalformedDossierCode):
        parse_code("000.00.15.H29-250229-0007")


def test_find_code_reads_the_code_inside_a_sentence() -> None:
    assert str(find_code("mã hồ sơ của tôi là 000.00.15.h29 - 250714 - 0001 ạ")) == CANONICAL
    with pytest.raises(MalformedDossierCode):
        find_code("tôi quên mã hồ sơ rồi")


_DASH_LIKE = st.sampled_from(["-", " - ", " ", "\u2013", "\u2014", "\u2212", "\uff0d"])


@given(
    parts=st.tuples(st.integers(0, 999), st.integers(0, 99), st.integers(0, 99),
                    st.sampled_from("ABGHKX"), st.integers(0, 99)),
    day=st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31)),
    sequence=st.integers(0, 9999),
    sep1=_DASH_LIKE, sep2=_DASH_LIKE,
    lower=st.booleans(), wide=st.booleans(), pad=st.text(alphabet=" \t", max_size=3),
)
def test_any_valid_code_in_any_typed_form_round_trips(
    parts: tuple[int, int, int, str, int], day: date, sequence: int, sep1: str, sep2: str, lower: bool,
    wide: bool, pad: str,
) -> None:
    a, b, c, letter, digits = parts
    canonical = f"{a:03d}.{b:02d}.{c:02d}.{letter}{digits:02d}-{day:%y%m%d}-{sequence:04d}"
    typed = canonical.replace("-", sep1, 1)
    typed = typed[: typed.rindex("-")] + sep2 + typed[typed.rindex("-") + 1:]
    if lower:
        typed = typed.lower()
    if wide:
        typed = "".join(chr(ord(ch) + 0xFEE0) if "!" <= ch <= "~" else ch for ch in typed)
    assert normalise_code(pad + typed + pad) == canonical
    assert normalise_code(canonical) == canonical
