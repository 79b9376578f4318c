"""A fast look at the trained model: each kind of message still reaches its intent.

The 5-fold cross-validation (`make eval`) measures the classifier; this only guards `make test` against a
model that lost a whole intent (a broken training file, a rule that swallowed a class). Needs Rasa and a
trained model, so it runs in the Rasa environment (`make test-rasa`).
"""

from __future__ import annotations

import asyncio
import os
import warnings
from pathlib import Path
from typing import Any

import pytest

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    pytest.importorskip("rasa")
    from rasa.core.agent import Agent

MODEL = Path(__file__).resolve().parents[2] / "nlu" / "models" / "procedure-assistant.tar.gz"

# Phrasings written for this check, not copied from the training data.
EXPECTED = {
    "chào bạn nhé": "greet",
    "cho mình tra cứu tình trạng hồ sơ 000.00.15.H29-250714-0001": "check_dossier",
    "tôi muốn nói chuyện với cán bộ": "human_handoff",
    "xã Yên Thịnh cũ giờ sáp nhập vào xã nào": "find_commune",
    "thủ tục cấp giấy phép khai thác nước dưới đất": "ask_procedure",
    "đăng ký kết hôn cần mang giấy tờ gì": "ask_documents",
    "lệ phí làm hộ chiếu bao nhiêu tiền": "ask_fee",
    "dự báo thời tiết cuối tuần": "out_of_scope",
}


@pytest.fixture(scope="module")
def agent() -> Any:
    if not MODEL.exists():
        reason = f"no trained model at {MODEL}; run `make train`"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return Agent.load(str(MODEL))


@pytest.mark.parametrize(("text", "intent"), sorted(EXPECTED.items()))
def test_each_kind_of_message_reaches_its_intent(agent: Any, text: str, intent: str) -> None:
    parsed = asyncio.run(agent.parse_message(text))
    assert parsed["intent"]["name"] == intent, parsed["intent_ranking"][:3]
