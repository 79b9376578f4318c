"""Reading questions typed without accents with the knowledge base's own wording."""

from __future__ import annotations

import pytest

from index.accents import MAX_FORMS, AccentModel
from index.documents import IndexDocument
from index.searcher import HybridSearcher

TEXTS = (
    "Cấp giấy chứng nhận quyền sử dụng đất lần đầu (sổ đỏ)",
    "Cấp lại thẻ căn cước bị mất",
    "Báo cáo tình hình sử dụng lao động",
    "Đăng ký thành lập hộ kinh doanh",
    "Đăng ký khai sinh cho trẻ em",
)


@pytest.fixture(scope="module")
def model() -> AccentModel:
    return AccentModel.build(TEXTS)


@pytest.mark.parametrize(("typed", "reading"), [
    ("lam so do lan dau", "lần đầu"),
    ("cap lai the can cuoc bi mat", "thẻ căn cước bị mất"),
    ("dang ky ho kinh doanh o dau", "hộ kinh doanh ở đâu"),
    ("khai sinh cho con bao nhieu tien", "khai sinh cho con bao nhiêu tiền"),
])
def test_a_question_without_accents_is_read_with_them(model: AccentModel, typed: str, reading: str) -> None:
    restored = model.restore(typed)
    assert restored is not None and reading in restored


def test_neighbours_choose_between_forms_of_one_folded_syllable(model: AccentModel) -> None:
    # "bao" alone is báo, bảo or bao; next to "cáo" it is "báo", next to "nhiêu" it is "bao".
    assert "báo cáo" in (model.restore("bao cao su dung lao dong") or "")
    assert "bao nhiêu" in (model.restore("le phi bao nhieu") or "")


def test_a_question_with_accents_is_left_as_its_author_wrote_it(model: AccentModel) -> None:
    assert model.restore("làm sổ đỏ lần đầu") is None
    assert model.restore("lam sổ do") is None


def test_unknown_words_and_numbers_stay_as_typed(model: AccentModel) -> None:
    restored = model.restore("vneid 2025 cap lai the can cuoc")
    assert restored is not None and restored.startswith("vneid 2025 ")
    assert model.restore("xyz qwe") is None  # nothing to add
    assert model.restore("   ") is None


def test_a_long_question_is_read_in_one_pass(model: AccentModel) -> None:
    typed = " ".join(["cap lai the can cuoc bi mat"] * 60)
    restored = model.restore(typed)
    assert restored is not None and restored.count("thẻ căn cước") == 60


def test_each_folded_syllable_keeps_its_commonest_forms() -> None:
    forms = "a à á ả ã ạ ă ằ ắ ẳ ẵ ặ â ầ ấ ẩ ẫ ậ".split()  # eighteen words that fold to "a"
    built = AccentModel.build([" ".join([form] * (i + 1)) for i, form in enumerate(forms)])
    assert built.forms["a"] == tuple(reversed(forms))[:MAX_FORMS]


def test_the_searcher_reads_a_question_without_accents(e5_searcher: HybridSearcher) -> None:
    typed = e5_searcher.search("lam so do lan dau het bao nhieu tien", k=3)
    accented = e5_searcher.search("làm sổ đỏ lần đầu hết bao nhiêu tiền", k=3)
    assert typed.hits[0].code == accented.hits[0].code


def test_an_edit_keeps_the_accent_model_and_a_reload_learns_the_new_words(e5_searcher: HybridSearcher) -> None:
    model = e5_searcher.snapshot.accents
    e5_searcher.upsert(IndexDocument(code="9.000001", name="Cấp phép khai thác khoáng sản làm vật liệu",
                                     field="Khoáng sản", levels=("Cấp tỉnh",)))
    assert e5_searcher.snapshot.accents is model  # one edit does not pay for a rebuild
    rebuilt = AccentModel.from_documents(e5_searcher.snapshot.stored.documents)
    assert "khoáng" in rebuilt.forms["khoang"]
