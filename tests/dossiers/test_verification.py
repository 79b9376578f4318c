from __future__ import annotations

import pytest
from pydantic import ValidationError

from assistant.config import Settings
from dossiers.verification import (
    PLACEHOLDER_PEPPER,
    MalformedVerification,
    clean_answer,
    digest,
    digests_for,
    last4,
    matches,
)

PEPPER = "a-test-pepper-that-is-long-enough-1234"
CODE = "000.00.15.H29-250714-0001"


def test_last4_reads_numbers_as_people_write_them() -> None:
    assert last4("+84 912 345 678") == "5678"
    assert last4("０９１２３４５６７８") == "5678"
    assert last4("1 23") is None and last4("") is None


@pytest.mark.parametrize("answer", ["5678", " 5678 ", "56 78", "５６７８", "56.78"])
def test_answers_are_four_digits_however_typed(answer: str) -> None:
    assert clean_answer(answer) == "5678"


@pytest.mark.parametrize("answer", ["", "567", "56789", "abcd", "5678a", "tôi không nhớ"])
def test_other_answers_are_malformed(answer: str) -> None:
    with pytest.raises(MalformedVerification):
        clean_answer(answer)


def test_either_phone_or_id_answer_matches_and_nothing_else() -> None:
    stored = digests_for(PEPPER, CODE, "0912345678", "001090012345")
    assert len(stored) == 2
    assert matches(PEPPER, CODE, "5678", stored)
    assert matches(PEPPER, CODE, "2345", stored)
    assert not matches(PEPPER, CODE, "0000", stored)
    assert not matches(PEPPER, CODE, "5678", frozenset())


def test_digests_depend_on_pepper_and_code_and_hide_the_digits() -> None:
    value = digest(PEPPER, CODE, "5678")
    assert len(value) == 64 and "5678" not in value
    assert value != digest(PEPPER + "x", CODE, "5678")
    assert value != digest(PEPPER, "000.00.15.H29-250714-0002", "5678")


def test_production_refuses_a_placeholder_or_short_pepper() -> None:
    with pytest.raises(ValidationError, match="ASSISTANT_DOSSIER_PEPPER"):
        Settings(environment="production", dossier_pepper=PLACEHOLDER_PEPPER)
    with pytest.raises(ValidationError, match="at least 24"):
        Settings(environment="production", dossier_pepper="short")
    other_secrets = {"chat_session_secret": "c" * 32, "actions_token": "a" * 32}
    production = Settings(environment="production", dossier_pepper=PEPPER, **other_secrets)
    assert production.dossier_pepper.get_secret_value() == PEPPER
    assert Settings(environment="development").dossier_pepper.get_secret_value() == PLACEHOLDER_PEPPER


def test_http_source_needs_a_url() -> None:
    with pytest.raises(ValidationError, match="ASSISTANT_DOSSIER_HTTP_URL"):
        Settings(dossier_source="http")


def test_a_refused_setting_does_not_print_the_secrets_beside_it() -> None:
    short_pepper = "short-but-secret-pepper"
    with pytest.raises(ValidationError) as refused:
        Settings(environment="production", dossier_pepper=short_pepper, actions_token="a-token-nobody-may-read-1234")
    message = str(refused.value)
    assert "at least 24" in message
    # Not even the tail pydantic would otherwise show of a long input.
    for secret in (short_pepper, "a-token-nobody-may-read-1234"):
        assert not any(secret[i : i + 8] in message for i in range(len(secret) - 7))
