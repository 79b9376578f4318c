"""Old (63-province) and new (34-province) addresses, typed as citizens type them."""

from __future__ import annotations

import pytest

from communes.resolver import AdminUnitsResolver, Status

RESOLVED = [
    # Ninh Bình: the example, in a sentence, without diacritics, abbreviated.
    ("tôi ở xã Yên Thịnh, huyện Yên Mô cũ thì giờ nộp hồ sơ ở đâu?", "Xã Yên Mô", "Tỉnh Ninh Bình"),
    ("toi o xa yen thinh huyen yen mo cu thi gio nop ho so o dau", "Xã Yên Mô", "Tỉnh Ninh Bình"),
    ("X. Yên Thịnh, H. Yên Mô", "Xã Yên Mô", "Tỉnh Ninh Bình"),
    ("xã Yên Mô, Ninh Bình", "Xã Yên Mô", "Tỉnh Ninh Bình"),
    # TP Hồ Chí Minh.
    ("P. Bến Nghé, Q.1, TP HCM", "Phường Sài Gòn", "Thành phố Hồ Chí Minh"),
    ("phuong ben nghe quan 1 tphcm", "Phường Sài Gòn", "Thành phố Hồ Chí Minh"),
    ("Phường Sài Gòn, TP.HCM", "Phường Sài Gòn", "Thành phố Hồ Chí Minh"),
    # Hà Giang merged into Tuyên Quang.
    ("xã Tùng Bá, huyện Vị Xuyên, Hà Giang", "Xã Tùng Bá", "Tỉnh Tuyên Quang"),
    ("xa tung ba, vi xuyen, ha giang", "Xã Tùng Bá", "Tỉnh Tuyên Quang"),
    ("tt Vị Xuyên, Hà Giang", "Xã Vị Xuyên", "Tỉnh Tuyên Quang"),
    ("phường Minh Xuân, TP Tuyên Quang", "Phường Minh Xuân", "Tỉnh Tuyên Quang"),
    # Hà Nội.
    ("phường Hàng Bạc, quận Hoàn Kiếm, Hà Nội", "Phường Hoàn Kiếm", "Thành phố Hà Nội"),
    ("phuong hoan kiem ha noi", "Phường Hoàn Kiếm", "Thành phố Hà Nội"),
    # Quảng Nam merged into Đà Nẵng.
    ("xã Điện Thắng Bắc, TX Điện Bàn, Quảng Nam", "Phường Điện Bàn Bắc", "Thành phố Đà Nẵng"),
    ("phường Điện Bàn, Đà Nẵng", "Phường Điện Bàn", "Thành phố Đà Nẵng"),
    ("P. Hải Châu I, Q. Hải Châu, Đà Nẵng", "Phường Hải Châu", "Thành phố Đà Nẵng"),
]


@pytest.mark.parametrize(("text", "commune", "province"), RESOLVED)
def test_resolves_to_one_new_commune(resolver: AdminUnitsResolver, text: str, commune: str, province: str) -> None:
    result = resolver.resolve(text)
    assert result.status is Status.RESOLVED, [c.commune.name for c in result.candidates]
    (candidate,) = result.candidates
    assert (candidate.commune.name, candidate.commune.province.name) == (commune, province)


def test_old_units_of_the_new_commune_are_listed(resolver: AdminUnitsResolver) -> None:
    (candidate,) = resolver.resolve("X. Yên Thịnh, H. Yên Mô").candidates
    assert "Thị trấn Yên Thịnh, Huyện Yên Mô, Tỉnh Ninh Bình" in candidate.old_units
    assert candidate.matched_old is not None and candidate.matched_old.name == "Thị trấn Yên Thịnh"


def test_name_in_several_provinces_is_ambiguous(resolver: AdminUnitsResolver) -> None:
    result = resolver.resolve("Yên Thịnh")
    assert result.status is Status.AMBIGUOUS
    provinces = {c.commune.province.short for c in result.candidates}
    assert {"Ninh Bình", "Thái Nguyên", "Lạng Sơn"} <= provinces


def test_old_commune_split_between_new_ones_is_ambiguous(resolver: AdminUnitsResolver) -> None:
    result = resolver.resolve("P.15, Q. Tân Bình, TP HCM")
    assert result.status is Status.AMBIGUOUS
    assert all(c.split for c in result.candidates)
    assert len({c.commune.code for c in result.candidates}) == len(result.candidates) >= 2


@pytest.mark.parametrize(("text", "reason"), [
    ("thủ tục làm khai sinh", "no_address"),
    ("xã Abcxyz", "not_found"),
    ("Tuyên Quang", "no_commune"),
])
def test_unknown_says_why(resolver: AdminUnitsResolver, text: str, reason: str) -> None:
    result = resolver.resolve(text)
    assert (result.status, result.reason) == (Status.UNKNOWN, reason)


def test_province_only_is_remembered(resolver: AdminUnitsResolver) -> None:
    result = resolver.resolve("tỉnh Hà Giang")
    assert result.province is not None and result.province.name == "Tỉnh Tuyên Quang"


def test_lookups_for_the_directory(resolver: AdminUnitsResolver) -> None:
    commune = resolver.commune("14701")
    assert commune is not None and commune.name == "Xã Yên Mô"
    assert any(c.name == "Xã Tùng Bá" for c in resolver.communes_of("08"))
    assert len(resolver.provinces()) == 34
