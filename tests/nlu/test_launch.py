"""The Rasa launcher's compiled response validation accepts and rejects exactly what Rasa's own does.

Needs Rasa, so it runs in the Rasa environment: `.venv-rasa/bin/python -m pytest tests/nlu`.
"""

from __future__ import annotations

import warnings
from typing import Any

import pytest

with warnings.catch_warnings():
    # Rasa's own imports (TensorFlow, jax, pkg_resources) warn; the warnings are not this test's subject.
    warnings.simplefilter("ignore")
    pytest.importorskip("rasa")
    from rasa.core.actions.action import RemoteAction

from jsonschema import ValidationError, validate  # noqa: E402

from nlu.launch import install_compiled_response_validation  # noqa: E402

GOOD: dict[str, Any] = {"events": [{"event": "slot", "name": "answer_status", "value": "answered"}],
                        "responses": [{"text": "Xin chào", "buttons": [{"title": "A", "payload": "/a"}]}]}
BAD: list[dict[str, Any]] = [{"events": "not a list"}, {"responses": "not a list"}, {"events": [{"event": 5}]}]


def _stock_error(response: dict[str, Any]) -> str | None:
    try:
        validate(response, RemoteAction.action_response_format_spec())
    except ValidationError as exc:
        return exc.message
    return None


def test_compiled_validation_matches_the_stock_one() -> None:
    stock = [_stock_error(response) for response in (GOOD, *BAD)]
    assert install_compiled_response_validation()
    action = RemoteAction("action_search_procedure", None)
    assert action._validate_action_result(GOOD) is True
    assert any(expected is not None for expected in stock[1:]), "the samples must include a bad response"
    for response, expected in zip(BAD, stock[1:], strict=True):
        if expected is None:
            assert action._validate_action_result(response) is True
            continue
        with pytest.raises(ValidationError) as raised:
            action._validate_action_result(response)
        assert raised.value.message.startswith(expected)
        assert "Failed to validate Action server response" in raised.value.message
