"""The generated training examples are up to date with the seed data and its generator."""

from __future__ import annotations

import pytest

kb_examples = pytest.importorskip("nlu.kb_examples", reason="needs the app environment (index.normalize)")


def test_the_committed_examples_are_what_the_generator_writes_today() -> None:
    expected = kb_examples.render(kb_examples.generate(kb_examples.load_records()))
    assert kb_examples.OUTPUT.read_text(encoding="utf-8") == expected, "run `.venv/bin/python -m nlu.kb_examples`"


def test_names_are_cut_to_what_a_person_types() -> None:
    assert kb_examples.short_name("Thủ tục đăng ký khai sinh (cấp xã)") == "đăng ký khai sinh"
    long_name = ("Cấp giấy phép xây dựng mới đối với công trình cấp đặc biệt, cấp I, cấp II (công trình không theo "
                 "tuyến/Theo tuyến trong đô thị/Tín ngưỡng, tôn giáo)")
    short = kb_examples.short_name(long_name)
    assert short.startswith("cấp giấy phép xây dựng mới") and "(" not in short
    assert len(short.split()) <= kb_examples.MAX_WORDS


def test_every_procedure_intent_gets_examples_and_none_repeats_a_hand_written_one() -> None:
    examples = kb_examples.generate(kb_examples.load_records())
    assert all(examples[intent] for intent, _ in kb_examples.INTENT_SHARES)
    flat = [text for texts in examples.values() for text in texts]
    assert len(flat) == len(set(flat)) == kb_examples.EXAMPLES
    assert not set(flat) & kb_examples._existing_examples()
