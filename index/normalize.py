"""Vietnamese text normalisation shared by indexing and querying.

Citizens type on phones, often without diacritics and with abbreviations ("dk khai sinh", "lam cccd").
Documents and queries go through the same steps so both sides meet in the middle:

1. Unicode NFC and lower case (portal text mixes composed and decomposed forms).
2. Punctuation becomes a space; tokens are syllables (Vietnamese words are written syllable by syllable).
3. Common abbreviations are expanded to their syllables.
4. Each syllable also gets a diacritic-free copy ("đ" → "d"), so "giay" matches "giấy".

BM25 terms keep the accented and the folded forms apart: a query without accents still meets every
accented document through the folded terms, while a query with accents earns the accented terms too and
therefore prefers documents with the exact spelling. Syllable bigrams stand in for multi-syllable words
("khai_sinh" is far more telling than "khai" and "sinh" apart).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from functools import lru_cache

FOLDED_PREFIX = "~"
BIGRAM_JOINER = "_"

_NON_WORD = re.compile(r"[^\w]+", re.UNICODE)

# Abbreviations people type, keyed by their folded form so "đk" and "dk" both hit.
ABBREVIATIONS: dict[str, str] = {
    "dk": "đăng ký",
    "dki": "đăng ký",
    "cccd": "căn cước công dân",
    "cmnd": "chứng minh nhân dân",
    "cmt": "chứng minh thư",
    "bhyt": "bảo hiểm y tế",
    "bhxh": "bảo hiểm xã hội",
    "bhtn": "bảo hiểm thất nghiệp",
    "gplx": "giấy phép lái xe",
    "gpxd": "giấy phép xây dựng",
    "gcn": "giấy chứng nhận",
    "gcnqsdd": "giấy chứng nhận quyền sử dụng đất",
    "qsdd": "quyền sử dụng đất",
    "qsd": "quyền sử dụng",
    "ubnd": "ủy ban nhân dân",
    "ub": "ủy ban",
    "tthc": "thủ tục hành chính",
    "gks": "giấy khai sinh",
    "lltp": "lý lịch tư pháp",
    "hkd": "hộ kinh doanh",
    "mst": "mã số thuế",
    "hs": "hồ sơ",
    "ko": "không",
    "k": "không",
    "kh": "không",
    "hok": "không",
    "khg": "không",
    "dc": "được",
    "ng": "người",
    "j": "gì",
    "vs": "với",
    "ntn": "như thế nào",
    "bn": "bao nhiêu",
    "xn": "xác nhận",
    "tk": "tài khoản",
    "sdt": "số điện thoại",
    "dkkd": "đăng ký kinh doanh",
    "gpkd": "giấy phép kinh doanh",
    "tthn": "tình trạng hôn nhân",
    "pccc": "phòng cháy chữa cháy",
    "attp": "an toàn thực phẩm",
    "nvqs": "nghĩa vụ quân sự",
    "hdld": "hợp đồng lao động",
    "thpt": "trung học phổ thông",
    "cty": "công ty",
    "tnhh": "trách nhiệm hữu hạn",
    "dn": "doanh nghiệp",
    "tncn": "thu nhập cá nhân",
    "gtgt": "giá trị gia tăng",
    "xnk": "xuất nhập khẩu",
    "tmdt": "thương mại điện tử",
    "cchn": "chứng chỉ hành nghề",
    "antt": "an ninh trật tự",
    "noxh": "nhà ở xã hội",
}

# Filler words of a question; dropped from queries only, never from documents.
QUERY_STOPWORDS: frozenset[str] = frozenset(
    "tôi mình em anh chị ạ ơi nhé nha hả vậy thì là mà muốn cần những gì nào đâu thế như bao nhiêu"
    " phải nên giúp hỏi xin với của và các được không thủ tục".split()
)


# Folded stopwords, kept to forms that fold from no other common word ("can" is also "căn", "hoi" "hội").
_FOLDED_STOP: frozenset[str] = frozenset(
    "toi muon nhung gi nhieu phai giup xin nhe cua va cac duoc khong voi".split()
)


def _fold_slowly(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return unicodedata.normalize("NFC", stripped).replace("đ", "d").replace("Đ", "D")


# Every Latin letter with marks (the blocks Vietnamese uses) mapped to its bare letter, and every combining
# mark dropped: one `str.translate` instead of a Unicode decomposition per character. Each search folds a few
# hundred syllables, the evidence of a turn a few hundred more.
_FOLD_TABLE = {
    code: folded or None
    for block in (range(0x00C0, 0x0250), range(0x1E00, 0x1F00))
    for code in block
    if (folded := _fold_slowly(chr(code))) != chr(code)
} | {code: None for code in range(0x0300, 0x0370)}


def fold(text: str) -> str:
    """Remove diacritics ("đ" becomes "d") from already lower-cased NFC text."""
    folded = text.translate(_FOLD_TABLE)
    # Anything the table does not know (other scripts, rarer marks) takes the full decomposition.
    return folded if folded.isascii() else _fold_slowly(text)


def normalize(text: str) -> str:
    """NFC, lower case, punctuation to spaces, single spaces; abbreviations are not expanded here."""
    text = unicodedata.normalize("NFC", text).lower()
    return " ".join(_NON_WORD.sub(" ", text).replace("_", " ").split())


@lru_cache(maxsize=65536)
def _fold_token(token: str) -> str:
    return fold(token)


def syllables(text: str, expand: bool = True) -> list[str]:
    """Normalised syllables of `text`, with abbreviations expanded when `expand` is true."""
    tokens = normalize(text).split()
    if not expand:
        return tokens
    out: list[str] = []
    for token in tokens:
        expansion = ABBREVIATIONS.get(_fold_token(token))
        if expansion is None:
            out.append(token)
        else:
            out.extend(expansion.split())
    return out


def folded_text(text: str) -> str:
    """The normalised, abbreviation-expanded, diacritic-free form of `text`, for phrase matching."""
    return " ".join(_fold_token(t) for t in syllables(text))


def has_diacritics(text: str) -> bool:
    """True when any character of `text` carries a Vietnamese diacritic."""
    lowered = unicodedata.normalize("NFC", text).lower()
    return fold(lowered) != lowered


def bigrams(tokens: Sequence[str]) -> list[str]:
    """Adjacent pairs joined with an underscore."""
    return [f"{a}{BIGRAM_JOINER}{b}" for a, b in zip(tokens, tokens[1:], strict=False)]


def terms_from_syllables(tokens: Sequence[str]) -> list[str]:
    """BM25 terms: accented unigrams and bigrams plus their folded copies (prefixed with "~")."""
    folded = [_fold_token(t) for t in tokens]
    out = list(tokens)
    out.extend(bigrams(tokens))
    out.extend(FOLDED_PREFIX + t for t in folded)
    out.extend(FOLDED_PREFIX + b for b in bigrams(folded))
    return out


def document_terms(text: str) -> list[str]:
    """Terms of a document field."""
    return terms_from_syllables(syllables(text))


def query_terms(text: str) -> list[str]:
    """Terms of a query: filler words are dropped before unigrams are taken, bigrams keep them out too."""
    tokens = [t for t in syllables(text) if t not in QUERY_STOPWORDS and _fold_token(t) not in _FOLDED_STOP]
    return terms_from_syllables(tokens)


def unique(items: Iterable[str]) -> list[str]:
    """Items in first-seen order without repeats."""
    return list(dict.fromkeys(items))
