"""Is a message about an administrative procedure at all, and does the best hit fit its words?

The search always ranks something first, and its calibrated confidence was fitted mostly on in-scope
questions: "kết quả bóng đá" reaches the football-betting licence with a high score because both share
"bóng đá". Two signals the ranking does not give, used by the dialogue before it answers:

- `administrative`: the words (or the official wording their colloquial phrases stand for) ask for an
  administrative act or paper — "đăng ký", "cấp lại", "giấy phép", "hồ sơ", "sổ đỏ", "khai sinh"…
  Matched on whole syllables with the accents the citizen typed, so "giày" (shoes) is not "giấy" (paper),
  while "giay" typed without accents may be either.
- `name_coverage`: the share of the message's own content syllables found in the best hit's name or its
  staff aliases. A question whose distinctive words are nowhere in the procedure's name ("dk tạm trú"
  answered with marriage registration) is a collision, not an answer. In a message typed with accents a
  syllable carrying marks must match with them: "tuổi Dần năm 2027" shares "dân" and "Nam" with the
  identity-card procedures only once the accents are thrown away.

The vocabulary is general administrative language, the same for every procedure, not tuned to any
question set.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from index.normalize import QUERY_STOPWORDS, fold, syllables
from index.synonyms import GENERIC_WORDINGS, PhraseTable, SynonymRule, expansions

ADMINISTRATIVE = "administrative"

# Phrases that make a message administrative wherever they occur. Single generic verbs ("cấp", "xin",
# "làm") are left out on purpose: "cấp cứu", "xin công thức nấu phở".
_CUES: tuple[str, ...] = (
    # Acts
    "thủ tục", "thủ tục hành chính", "đăng ký", "đăng kí", "cấp giấy", "cấp lại", "cấp đổi", "cấp mới",
    "cấp phép", "cấp thẻ", "cấp bản sao", "cấp sổ", "cấp mã", "cấp phiếu", "cấp chứng chỉ", "cấp hộ chiếu",
    "gia hạn", "xin phép", "xin cấp", "xin giấy", "xác nhận", "chứng thực", "công chứng", "thẩm định",
    "phê duyệt", "điều chỉnh", "thu hồi", "chuyển nhượng", "sang tên", "tách thửa", "hợp thửa",
    "chuyển mục đích", "thành lập", "giải thể", "tạm ngừng", "chấm dứt hoạt động", "khai báo", "kê khai",
    "công nhận", "miễn giảm", "hoàn thuế", "nộp thuế", "khai thuế", "quyết toán", "khiếu nại", "tố cáo",
    "bồi thường", "trợ cấp", "hỗ trợ chi phí", "cải chính", "nhận nuôi", "nuôi con nuôi", "giám hộ",
    "ly hôn", "kết hôn", "khai sinh", "khai tử", "nhập quốc tịch", "thôi quốc tịch", "đăng kiểm",
    "kiểm định", "hành nghề", "cấp xã", "ủy ban nhân dân", "một cửa", "dịch vụ công", "nộp hồ sơ",
    # Papers and records
    "giấy", "giấy tờ", "giấy phép", "giấy chứng nhận", "chứng nhận", "chứng chỉ", "hồ sơ", "lệ phí",
    "thẻ căn cước", "căn cước", "hộ chiếu", "định danh", "hộ tịch", "trích lục", "bản sao", "lý lịch tư pháp",
    "thường trú", "tạm trú", "tạm vắng", "lưu trú", "cư trú", "hộ khẩu", "sổ đỏ", "sổ hồng",
    "quyền sử dụng đất", "đất đai", "đất ở", "thửa đất", "nhà ở", "xây dựng", "hộ kinh doanh",
    "đăng ký kinh doanh", "giấy phép kinh doanh", "doanh nghiệp", "hợp tác xã", "mã số thuế",
    "bảo hiểm xã hội", "bảo hiểm y tế", "bảo hiểm thất nghiệp", "thai sản", "hưu trí", "tử tuất",
    "biển số", "giấy phép lái xe", "bằng lái", "con dấu", "vũ khí", "phòng cháy", "di chúc", "thừa kế",
    "hộ nghèo", "cận nghèo", "người có công", "liệt sĩ", "thương binh", "quốc tịch", "visa", "thị thực",
    # Sectors whose procedures a commune also handles, even where this knowledge base has none yet
    "nhập học", "chuyển trường", "tuyển sinh", "học bạ", "văn bằng", "bằng tốt nghiệp", "học phí",
    "tuyển dụng", "công chức", "viên chức", "chuyển công tác", "nghĩa vụ quân sự", "khuyết tật",
    "bảo trợ xã hội", "giám định", "giấy phép lao động", "an toàn thực phẩm", "khám chữa bệnh",
    "lương hưu", "trợ cấp xã hội", "đăng ký kinh doanh", "con dấu", "hòa giải", "tranh chấp",
    # Requests to the state and the bodies that take them
    "làm đơn", "nộp đơn", "viết đơn", "đơn đề nghị", "đơn xin", "khởi kiện", "tòa án", "thi hành án",
    "chấp hành viên", "trợ giúp pháp lý", "chấp thuận", "kiểm dịch", "đấu nối", "nghiệm thu", "trình báo",
    "báo công an", "công an xã", "công an phường", "cơ quan nhà nước", "nhà nước hỗ trợ", "hỗ trợ của nhà nước",
    "phòng cháy chữa cháy", "tai nạn lao động", "bệnh nghề nghiệp", "sơ tuyển", "giấy thông hành",
    # Help from the state, funds, products declared, schools: sectors a commune is asked about
    "xin hỗ trợ", "được hỗ trợ", "nhận hỗ trợ", "cứu trợ", "cứu đói", "thành lập quỹ", "lập quỹ",
    "quỹ từ thiện", "công bố sản phẩm", "công bố chất lượng", "nhóm trẻ", "cơ sở giáo dục",
)
_TABLE = PhraseTable((SynonymRule(_CUES, ADMINISTRATIVE),))
# Filler of a question, with its accents: a syllable typed with marks is filler only when spelled so ("thế" is,
# "thẻ" the card and "bảo" of "bảo hiểm" are not); one typed without marks is filler when it folds like one.
_STOPWORDS = QUERY_STOPWORDS | frozenset("cho hỏi ơi ạ nhé hả vậy thế nào làm sao để có là gì khi nếu thì".split())
_FOLDED_STOPWORDS = frozenset(fold(w) for w in _STOPWORDS)


@dataclass(frozen=True)
class Evidence:
    """What the words of a message say about it, next to the search's own confidence."""

    administrative: bool
    name_coverage: float  # 0..1, share of the message's content syllables in the best hit's name/aliases
    content_syllables: int
    best_choice_coverage: float = 0.0  # the highest such share among all the candidates
    # The best hit's name is said in full by the message, and no other candidate's is: a long message
    # ("bé sinh ở bệnh viện tỉnh khác thì đăng ký khai sinh ở đâu") covers little of itself with the name.
    best_named: bool = False
    any_named: bool = False  # some candidate's name is said in full


def is_administrative(query: str) -> bool:
    """Whether the message, or the official wording of its colloquial phrases, asks for an administrative act."""
    if _TABLE.matches(syllables(query)):
        return True
    # GENERIC_WORDINGS say how, not that the message is administrative ("mật khẩu" typed bare is "mat khau").
    return any(_TABLE.matches(syllables(official)) for official in expansions(query)
               if official not in GENERIC_WORDINGS)


def content_syllables(query: str) -> list[str]:
    """The message's own folded syllables without filler words (abbreviations expanded)."""
    return [folded for _, folded in _units(query)]


# A message counts as typed with accents when this share of its content syllables carries marks.
ACCENTED_SHARE = 0.4
_Unit = tuple[str, str]  # a syllable as typed (lower case) and folded


def _units(text: str) -> list[_Unit]:
    units = ((s, fold(s)) for s in syllables(text))
    return [(s, f) for s, f in units if not _filler(s, f) and not f.isdigit()]


def _filler(syllable: str, folded: str) -> bool:
    return syllable in _STOPWORDS if _marked(syllable) else folded in _FOLDED_STOPWORDS


def _distinct(units: list[_Unit]) -> list[_Unit]:
    """Each folded syllable once, as first typed (the message's own spelling before the official wording's)."""
    first: dict[str, _Unit] = {}
    for unit in units:
        first.setdefault(unit[1], unit)
    return list(first.values())


def _marked(syllable: str) -> bool:
    """Carries a tone or vowel mark ("đ" alone is typed as "d" by many and says little)."""
    return fold(syllable) != syllable.replace("đ", "d")


def _typed_with_accents(units: list[_Unit]) -> bool:
    return sum(1 for s, _ in units if _marked(s)) >= max(1.0, ACCENTED_SHARE * len(units))


@dataclass(frozen=True)
class _Vocabulary:
    exact: frozenset[str]
    folded: frozenset[str]

    @classmethod
    def of(cls, names: Iterable[str]) -> _Vocabulary:
        exact = frozenset(s for name in names for s in syllables(name))
        return cls(exact=exact, folded=frozenset(fold(s) for s in exact))

    def holds(self, unit: _Unit, accented: bool) -> bool:
        syllable, folded = unit
        return syllable in self.exact if accented and _marked(syllable) else folded in self.folded


@lru_cache(maxsize=8192)
def _vocabulary(names: tuple[str, ...]) -> _Vocabulary:
    """A candidate's names read once: the same procedures come up turn after turn (an edit changes the names,
    hence the key)."""
    return _Vocabulary.of(names)


def _share(units: list[_Unit], vocabulary: _Vocabulary) -> float:
    if not units:
        return 0.0
    accented = _typed_with_accents(units)
    return sum(1 for unit in units if vocabulary.holds(unit, accented)) / len(units)


def name_coverage(query: str, names: Iterable[str]) -> tuple[float, int]:
    """Share of the content syllables of `query` that occur in any of `names`, and their count."""
    own = _distinct(_units(query))
    return _share(own, _vocabulary(tuple(names))), len(own)


# Words of official names that give the level or the grammar, not the procedure.
_NAME_FILLER = frozenset(
    "thu tuc thuc hien tai cap xa huyen tinh trung uong doi voi truong hop va cac cua cho hoac nguoi co".split()
)
# A name said in full counts only with this many distinctive syllables: "Tách hộ" is in many sentences.
NAMED_MIN_SYLLABLES = 3


def _said_in_full(name: str, said: frozenset[str]) -> bool:
    distinctive = {fold(s) for s in syllables(name)} - _NAME_FILLER
    return len(distinctive) >= NAMED_MIN_SYLLABLES and distinctive <= said


def gather(query: str, candidates: Sequence[Sequence[str]]) -> Evidence:
    """The evidence for `query` against each candidate's names (its name and aliases), best hit first.

    Colloquial phrases count through their official wording: "làm sổ đỏ" shares no syllable with
    "Cấp giấy chứng nhận quyền sử dụng đất…", but the wording "sổ đỏ" stands for does. The message's
    syllables are read once and each candidate's names once: this runs on every search turn.
    """
    official = expansions(query)
    own = _distinct(_units(query))
    expanded = _distinct(_units(" ".join([query, *official]))) if official else []
    said = frozenset(folded for _, folded in expanded or own)
    coverages: list[float] = []
    named: list[bool] = []
    for names in candidates:
        vocabulary = _vocabulary(tuple(names))
        coverages.append(max(_share(own, vocabulary), _share(expanded, vocabulary)))
        named.append(bool(names) and _said_in_full(names[0], said))
    return Evidence(administrative=is_administrative(query), name_coverage=coverages[0] if coverages else 0.0,
                    content_syllables=len(own), best_choice_coverage=max(coverages, default=0.0),
                    best_named=bool(named) and named[0] and not any(named[1:]), any_named=any(named))
