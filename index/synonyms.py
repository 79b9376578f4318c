"""Colloquial words citizens use, mapped to the official wording procedures are named with.

A clerk at the commune one-stop desk translates "làm sổ đỏ" into "cấp Giấy chứng nhận quyền sử dụng
đất" without thinking; the index has to do the same, because the portal only knows the official names.
Rules match whole syllables, with or without accents (so "so do" and "sổ đỏ" both hit),
and append the official wording rather than replacing anything: the citizen's own words still count.
The list is general administrative vocabulary, not tuned to any question set.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from index.normalize import fold, normalize, syllables


@dataclass(frozen=True)
class SynonymRule:
    """Colloquial phrases (any of them) and the official wording they stand for."""

    phrases: tuple[str, ...]
    official: str


# Nationalities citizens marry, host or are born to, as said after "người", "chồng", "vợ".
_NATIONALITIES = ("hàn", "hàn quốc", "đài loan", "trung quốc", "nhật", "mỹ", "pháp", "úc", "lào", "campuchia",
                  "thái", "tây")

RULES: tuple[SynonymRule, ...] = (
    # Residence (cư trú)
    # Not "nhập khẩu" alone: in 139 procedure names it means to import.
    SynonymRule(("hộ khẩu", "sổ hộ khẩu", "nhập hộ khẩu", "chuyển khẩu"), "đăng ký thường trú"),
    SynonymRule(
        ("cắt khẩu", "cắt hộ khẩu", "xóa hộ khẩu", "xoá hộ khẩu", "xóa khẩu"), "xóa đăng ký thường trú"
    ),
    SynonymRule(("tách khẩu", "tách hộ khẩu", "tách sổ hộ khẩu"), "tách hộ"),
    SynonymRule(("ở trọ", "nhà trọ", "thuê trọ", "phòng trọ", "ở nhờ"), "đăng ký tạm trú"),
    SynonymRule(("đi làm ăn xa", "đi làm xa", "vắng mặt ở địa phương", "đi xa nhà"), "khai báo tạm vắng"),
    SynonymRule(
        ("khách ở qua đêm", "cho khách ở", "báo khách", "khai báo lưu trú", "khách trọ", "homestay"),
        "thông báo lưu trú",
    ),
    SynonymRule(("ct07", "ct08", "giấy xác nhận cư trú", "xác nhận cư trú"), "xác nhận thông tin về cư trú"),
    # Identity (căn cước, định danh)
    SynonymRule(
        ("căn cước", "căn cước công dân", "chứng minh nhân dân", "chứng minh thư", "thẻ chip"),
        "thẻ căn cước",
    ),
    SynonymRule(
        ("vneid", "định danh điện tử", "định danh mức 2", "định danh mức độ 2"), "tài khoản định danh điện tử"
    ),
    SynonymRule(("passport", "hộ chiếu"), "cấp hộ chiếu phổ thông"),
    # Civil status (hộ tịch)
    SynonymRule(
        ("giấy khai sinh", "làm khai sinh", "khai sinh cho con", "khai sinh cho bé"), "đăng ký khai sinh"
    ),
    SynonymRule(("trẻ mới sinh", "mới sinh con", "em bé mới sinh", "con mới đẻ"), "đăng ký khai sinh"),
    SynonymRule(
        ("lấy vợ", "lấy chồng", "cưới vợ", "cưới chồng", "đám cưới", "giấy kết hôn", "cưới nhau"),
        "đăng ký kết hôn",
    ),
    SynonymRule(
        ("giấy chứng tử", "chứng tử", "báo tử", "người chết", "qua đời", "mất rồi", "người mất"),
        "đăng ký khai tử",
    ),
    SynonymRule(
        ("độc thân", "giấy độc thân", "chưa vợ", "chưa chồng", "chưa kết hôn"),
        "xác nhận tình trạng hôn nhân",
    ),
    SynonymRule(
        ("nhận con", "nhận cha", "nhận bố", "nhận mẹ", "con ngoài giá thú"), "đăng ký nhận cha mẹ con"
    ),
    SynonymRule(
        ("sửa sai", "sai thông tin", "sửa tên", "đổi tên", "sửa ngày sinh", "đổi họ", "sửa giấy khai sinh"),
        "thay đổi cải chính bổ sung thông tin hộ tịch",
    ),
    SynonymRule(
        ("bản sao giấy khai sinh", "trích lục", "bản sao khai sinh"), "cấp bản sao trích lục hộ tịch"
    ),
    SynonymRule(("người nước ngoài", "nước ngoài", "việt kiều", "ngoại quốc"), "có yếu tố nước ngoài"),
    # A spouse, a child's parent or a guest named by nationality is the foreign element of civil-status
    # and residence procedures ("lấy chồng Đài Loan", "chồng tôi người Hàn", "khách Tây").
    SynonymRule(
        # A country alone is a place ("kết hôn ở Hàn Quốc", "sang Trung Quốc"), not a person: kept out.
        (*(f"{who} {country}" for country in _NATIONALITIES for who in ("người", "chồng", "vợ")),
         "khách tây", "ngoại kiều", "quốc tịch nước ngoài"),
        "có yếu tố nước ngoài",
    ),
    # Not "bố" alone: it is the last syllable of "công bố" (to publish) in 72 names.
    SynonymRule(("bố đẻ", "tên bố", "bố mẹ", "ba đẻ", "cha đẻ"), "cha"),
    # Authentication (chứng thực)
    SynonymRule(
        ("photo công chứng", "công chứng bản sao", "sao y", "sao y bản chính", "công chứng giấy tờ", "photo"),
        "chứng thực bản sao từ bản chính",
    ),
    SynonymRule(("công chứng chữ ký", "ký xác nhận chữ ký", "điểm chỉ"), "chứng thực chữ ký"),
    SynonymRule(("công chứng", "chứng nhận bản sao"), "chứng thực"),
    SynonymRule(
        ("chia thừa kế", "chia tài sản thừa kế", "chia di sản", "chia đất thừa kế"),
        "văn bản thỏa thuận phân chia di sản",
    ),
    # Land and housing (đất đai, xây dựng)
    SynonymRule(
        ("sổ đỏ", "sổ hồng", "bìa đỏ", "bìa hồng", "giấy đất", "sổ nhà đất", "sổ đất"),
        "giấy chứng nhận quyền sử dụng đất quyền sở hữu tài sản gắn liền với đất",
    ),
    SynonymRule(
        ("sang tên", "mua đất", "bán đất", "bán nhà", "tặng cho đất", "cho con đất"),
        "đăng ký biến động chuyển nhượng tặng cho quyền sử dụng đất",
    ),
    SynonymRule(
        ("thổ cư", "lên thổ cư", "đất vườn", "đất nông nghiệp sang đất ở"),
        "chuyển mục đích sử dụng đất sang đất ở",
    ),
    SynonymRule(
        ("xây nhà", "xin phép xây", "phép xây dựng", "sửa nhà", "cơi nới"),
        "cấp giấy phép xây dựng nhà ở riêng lẻ",
    ),
    # Business (hộ kinh doanh)
    SynonymRule(
        ("mở quán", "mở cửa hàng", "mở tiệm", "kinh doanh nhỏ", "mở shop"),
        "đăng ký thành lập hộ kinh doanh",
    ),
    SynonymRule(
        ("đóng cửa quán", "nghỉ bán", "giải thể hộ kinh doanh", "dẹp quán", "thôi kinh doanh"),
        "chấm dứt hoạt động hộ kinh doanh",
    ),
    SynonymRule(
        ("tạm nghỉ kinh doanh", "nghỉ kinh doanh một thời gian", "tạm dừng kinh doanh"),
        "tạm ngừng kinh doanh",
    ),
    # Vehicles, insurance, justice, welfare
    SynonymRule(("bằng lái", "bằng lái xe", "bằng xe máy"), "giấy phép lái xe"),
    SynonymRule(("biển số", "cà vẹt", "cavet", "đăng ký xe máy", "đăng ký ô tô", "giấy đăng ký xe"), "đăng ký xe"),
    # Longer than "sang tên" (land), so a vehicle changing owner is not read as a land transfer.
    SynonymRule(("sang tên xe", "sang tên xe máy", "sang tên ô tô", "mua xe cũ", "bán xe"),
                "chứng nhận đăng ký xe thay đổi chủ xe đăng ký sang tên xe"),
    SynonymRule(("thẻ bảo hiểm", "thẻ bảo hiểm y tế", "bảo hiểm y tế"), "thẻ bảo hiểm y tế"),
    SynonymRule(("thai sản", "tiền sinh con", "nghỉ sinh", "chế độ sinh"), "hưởng chế độ thai sản"),
    SynonymRule(
        ("rút bảo hiểm xã hội", "rút bhxh một lần", "bảo hiểm một lần"), "hưởng bảo hiểm xã hội một lần"
    ),
    SynonymRule(("tiền mai táng", "mai táng phí", "tử tuất"), "chế độ tử tuất hỗ trợ chi phí mai táng"),
    SynonymRule(("lý lịch tư pháp", "lý lịch"), "cấp phiếu lý lịch tư pháp"),
    SynonymRule(("hộ nghèo", "cận nghèo", "sổ nghèo"), "công nhận hộ nghèo hộ cận nghèo"),
    # Verbs citizens use for issuing
    SynonymRule(("làm lại", "bị mất", "mất", "bị hỏng", "hư hỏng"), "cấp lại"),
    SynonymRule(("đổi",), "cấp đổi"),
    SynonymRule(("ủy ban xã", "uỷ ban xã", "xã phường", "phường"), "cấp xã"),
)


# Two spellings many citizens type for the same syllable: "d" for "đ" (the stroke takes a second key), and "i"
# for a "y" that is the syllable's only vowel ("lí lịch", "kí", "qui định"; not the glide of "giấy", "tuổi"),
# tone kept. Phrases and messages are compared in this spelling, so "dăng ký khai sinh" still says "đăng ký";
# a differing tone or vowel mark still differs ("sợ đổ" is not "sổ đỏ").
_Y_AS_I = str.maketrans("yýỳỷỹỵ", "iíìỉĩị")


def lenient(syllable: str) -> str:
    """`syllable` in the spelling phrases are matched in (see `_Y_AS_I`)."""
    syllable = syllable.replace("đ", "d")
    if len(syllable) >= 2 and syllable[-1] in "yýỳỷỹỵ":
        before = fold(syllable[:-1])
        if before[-1] not in "aeiouy" or before.endswith("qu"):
            return syllable[:-1] + syllable[-1].translate(_Y_AS_I)
    return syllable


@dataclass(frozen=True)
class _Phrase:
    """One colloquial phrase, split into syllables once, with their accent-free forms."""

    syllables: tuple[str, ...]
    folded: tuple[str, ...]
    official: str
    order: int

    def matches_at(self, tokens: Sequence[str], start: int) -> bool:
        """Every syllable is spelled the same, or typed without accents and folds the same (both in the
        lenient spelling).

        A syllable typed with accents must carry the phrase's accents, which keeps "đời" (life) from
        triggering rules for "đổi"; a folded form has no accents, so equality with it says both things.
        """
        if start + len(self.syllables) > len(tokens):
            return False
        return all(
            tokens[start + i] in (wanted, self.folded[i]) for i, wanted in enumerate(self.syllables)
        )


class PhraseTable:
    """Phrases keyed by the folded form of their first syllable, matched on whole syllables.

    Any match folds like the phrase, so a query only tries the phrases whose first syllable folds like
    one of its own; every search runs this, and trying all ~180 phrases at every position cost more
    than the BM25 scoring itself. Matching is linear in the query's syllables.
    """

    def __init__(self, rules: Sequence[SynonymRule]) -> None:
        by_first: dict[str, list[_Phrase]] = {}
        for order, rule in enumerate(rules):
            for phrase in rule.phrases:
                words = tuple(lenient(w) for w in syllables(phrase))
                compiled = _Phrase(words, tuple(fold(w) for w in words), rule.official, order)
                by_first.setdefault(compiled.folded[0], []).append(compiled)
        self._by_first = {first: tuple(phrases) for first, phrases in by_first.items()}

    def matches(self, tokens: Sequence[str]) -> list[str]:
        """The wordings `tokens` trigger, each once, in rule order.

        Longer phrases win over the shorter ones inside them: "tách hộ khẩu" means splitting a household,
        so the "hộ khẩu" inside it must not also add "đăng ký thường trú".
        """
        tokens = [lenient(token) for token in tokens]
        matches = [
            (len(phrase.syllables), start, phrase.official, phrase.order)
            for start, token in enumerate(tokens)
            for phrase in self._by_first.get(fold(token), ())
            if phrase.matches_at(tokens, start)
        ]
        taken = [False] * len(tokens)
        chosen: dict[str, int] = {}
        for width, start, official, order in sorted(matches, key=lambda m: (-m[0], m[1], m[3])):
            if any(taken[start : start + width]):
                continue
            taken[start : start + width] = [True] * width
            chosen.setdefault(official, order)
        return sorted(chosen, key=chosen.__getitem__)


_TABLE = PhraseTable(RULES)


# Official wordings of colloquial verbs, places and kin ("mất" → "cấp lại", "đổi" → "cấp đổi", "phường" →
# "cấp xã", "bố đẻ" → "cha"): they say how, where or who, not which procedure, and a verb such as "mất" is as
# often "it takes" ("mất bao lâu") as "lost".
GENERIC_WORDINGS = frozenset({"cấp lại", "cấp đổi", "cấp xã", "cha"})


def expansions(query: str) -> list[str]:
    """Official wordings triggered by `query`, each once, in rule order."""
    return _TABLE.matches(syllables(query))


def expand_query(query: str) -> str:
    """The query followed by the official wordings its colloquial phrases stand for."""
    extra = expansions(query)
    base = normalize(query)
    return " ".join([base, *extra]) if extra else base
