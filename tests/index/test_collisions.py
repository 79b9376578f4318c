"""The query vocabulary (abbreviations, colloquial phrases, staff aliases) has no shortcut to a wrong procedure."""

from __future__ import annotations

import json

from assistant.config import PROJECT_ROOT
from index.collisions import (
    abbreviation_collisions,
    alias_collisions,
    audit,
    official_elsewhere_collisions,
    synonym_collisions,
)
from index.synonyms import SynonymRule
from tests.kb_subset import seed_records


def test_the_bundled_vocabulary_has_no_collision() -> None:
    aliases = json.loads((PROJECT_ROOT / "knowledge" / "seed" / "aliases.json").read_text(encoding="utf-8"))
    names = [record["ten_thu_tuc"] for record in seed_records()]
    assert audit(aliases, names) == []


def test_an_abbreviation_that_is_an_ordinary_word_of_a_name_is_found_but_an_acronym_is_not() -> None:
    found = abbreviation_collisions({"tk": "tài khoản", "bhxh": "bảo hiểm xã hội"},
                                    ["Cấp sổ BHXH", "Thủ tục tk đặc biệt"])
    assert [c.text for c in found] == ["tk"]


def test_a_phrase_standing_for_two_wordings_is_found() -> None:
    rules = (SynonymRule(("mất",), "cấp lại"), SynonymRule(("mất", "qua đời"), "đăng ký khai tử"),
             SynonymRule(("đời",), "đời sống"))
    assert [c.text for c in synonym_collisions(rules)] == ["mất"]


def test_generic_and_shared_aliases_are_found() -> None:
    found = alias_collisions({"1.001193": ["dk", "dk khai sinh", "làm giấy"], "1.000894": ["DK khai sinh"]})
    assert sorted((c.text, c.detail.split(":")[0]) for c in found) == [
        ("dang ky khai sinh", "given to 1.000894, 1.001193"), ("dk", "of 1.001193"), ("làm giấy", "of 1.001193")]


def test_a_phrase_the_portal_uses_for_something_else_is_found() -> None:
    rules = (SynonymRule(("nhập khẩu", "nhập hộ khẩu"), "đăng ký thường trú"),
             SynonymRule(("hộ khẩu",), "đăng ký thường trú"))
    names = ["Cấp giấy phép nhập khẩu thuốc", "Đăng ký nhập khẩu giống cây trồng", "Kiểm dịch hàng nhập khẩu",
             "Đăng ký thường trú (nhập hộ khẩu)", "Xóa đăng ký thường trú khỏi sổ hộ khẩu"]
    found = official_elsewhere_collisions(rules, names)
    assert [(c.text, c.detail.split(" meaning")[0]) for c in found] == [("nhập khẩu", "in 3 of 3 names")]


def test_a_phrase_used_by_few_names_or_mostly_in_its_own_sense_is_not_a_collision() -> None:
    rules = (SynonymRule(("thẻ bảo hiểm",), "thẻ bảo hiểm y tế"), SynonymRule(("mua nhà",), "chuyển nhượng nhà"))
    names = ["Cấp lại thẻ bảo hiểm y tế", "Cấp đổi thẻ bảo hiểm y tế", "Cấp thẻ bảo hiểm xã hội",
             "Mua nhà ở xã hội", "Mua nhà ở công vụ"]
    assert official_elsewhere_collisions(rules, names) == []
