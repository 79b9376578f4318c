from __future__ import annotations

from communes.address_text import DISTRICT, PROVINCE, WARD, fold, key_of, split_address


def test_markers_and_abbreviations_become_mentions() -> None:
    parts = split_address("P. Bến Nghé, Q.1, T. Hà Giang, tt Vị Xuyên, TX Điện Bàn")
    found = [(m.level, m.type_key, m.words) for m in parts.mentions]
    assert found == [
        (WARD, "phuong", ("Bến", "Nghé")),
        (DISTRICT, "quan", ("1",)),
        (PROVINCE, "tinh", ("Hà", "Giang")),
        (WARD, "thitran", ("Vị", "Xuyên")),
        (DISTRICT, "thixa", ("Điện", "Bàn")),
    ]


def test_ordinary_words_are_not_markers() -> None:
    parts = split_address("phương án quán tình")
    assert parts.mentions == ()
    assert parts.loose_runs == (("phương", "án", "quán", "tình"),)


def test_sentence_keeps_question_words_after_the_name_and_notes_old() -> None:
    parts = split_address("tôi ở xã Yên Thịnh, huyện Yên Mô cũ thì giờ nộp hồ sơ ở đâu?")
    assert parts.old_hint is True
    assert parts.loose_runs[0] == ("tôi", "ở")
    assert parts.mentions[1].words[:3] == ("Yên", "Mô", "cũ")


def test_glued_numbers_and_tphcm() -> None:
    parts = split_address("P15 Q.Tân Bình TPHCM")
    assert [(m.type_key, m.words) for m in parts.mentions] == [
        ("phuong", ("15",)), ("quan", ("Tân", "Bình")), ("thanhpho", ("HCM",))]


def test_fold_and_key() -> None:
    assert fold("Đông Hà") == "dong ha"
    assert key_of(("Hải", "Châu", "I")) == "haichaui"
