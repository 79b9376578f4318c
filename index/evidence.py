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
  answered with marriage registration) is a collision, not an answer.

The vocabulary is general administrative language, the same for every procedure, not tuned to any
question set.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from index.normalize import QUERY_STOPWORDS, fold, syllables
from index.synonyms import PhraseTable, SynonymRule, expansions

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
)
_TABLE = PhraseTable((SynonymRule(_CUES, ADMINISTRATIVE),))
_FOLDED_STOPWORDS = frozenset(fold(w) for w in QUERY_STOPWORDS) | frozenset(
    "cho hoi oi a nhe ha vay the nao lam sao de co la gi khi neu thi".split()
)


@dataclass(frozen=True)
class Evidence:
    """What the words of a message say about it, next to the search's own confidence."""

    administrative: bool
    name_coverage: float  # 0..1, share of the message's content syllables in the best hit's name/aliases
    content_syllables: int
    best_choice_coverage: float = 0.0  # the highest such share among all the candidates


# Official wordings of colloquial verbs ("mất" → "cấp lại", "đổi" → "cấp đổi"): they say how, not that the
# message is administrative ("mật khẩu" typed without accents is "mat khau").
_VERB_WORDINGS = frozenset({"cấp lại", "cấp đổi", "cấp xã", "cha"})


def is_administrative(query: str) -> bool:
    """Whether the message, or the official wording of its colloquial phrases, asks for an administrative act."""
    if _TABLE.matches(syllables(query)):
        return True
    return any(_TABLE.matches(syllables(official)) for official in expansions(query) if official not in _VERB_WORDINGS)


def content_syllables(query: str) -> list[str]:
    """The message's own folded syllables without filler words (abbreviations expanded)."""
    return [f for f in (fold(s) for s in syllables(query)) if f not in _FOLDED_STOPWORDS and not f.isdigit()]


def _vocabulary(names: Iterable[str]) -> set[str]:
    return {fold(s) for name in names for s in syllables(name)}


def _share(content: list[str], vocabulary: set[str]) -> float:
    return sum(1 for syllable in content if syllable in vocabulary) / len(content) if content else 0.0


def name_coverage(query: str, names: Iterable[str]) -> tuple[float, int]:
    """Share of the content syllables of `query` that occur in any of `names` (folded), and their count."""
    content = list(dict.fromkeys(content_syllables(query)))
    return _share(content, _vocabulary(names)), len(content)


def gather(query: str, candidates: Sequence[Sequence[str]]) -> Evidence:
    """The evidence for `query` against each candidate's names (its name and aliases), best hit first.

    Colloquial phrases count through their official wording: "làm sổ đỏ" shares no syllable with
    "Cấp giấy chứng nhận quyền sử dụng đất…", but the wording "sổ đỏ" stands for does. The message's
    syllables are read once and each candidate's names once: this runs on every search turn.
    """
    official = expansions(query)
    own = list(dict.fromkeys(content_syllables(query)))
    expanded = list(dict.fromkeys(content_syllables(" ".join([query, *official])))) if official else []
    coverages: list[float] = []
    for names in candidates:
        vocabulary = _vocabulary(names)
        coverages.append(max(_share(own, vocabulary), _share(expanded, vocabulary)))
    return Evidence(administrative=is_administrative(query), name_coverage=coverages[0] if coverages else 0.0,
                    content_syllables=len(own), best_choice_coverage=max(coverages, default=0.0))
