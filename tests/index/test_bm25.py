from __future__ import annotations

import numpy as np

from index.bm25 import BM25Index, document_term_counts
from index.documents import IndexDocument
from index.normalize import query_terms


def _index(docs: tuple[IndexDocument, ...]) -> BM25Index:
    return BM25Index.build([document_term_counts(d) for d in docs])


def _best(index: BM25Index, docs: tuple[IndexDocument, ...], query: str) -> str:
    return docs[int(np.argmax(index.scores(query_terms(query))))].code


def test_name_match_beats_summary_match(sample_documents: tuple[IndexDocument, ...]) -> None:
    docs = sample_documents + (
        IndexDocument(
            code="9.000001", name="Cấp phép khai thác cát", summary="khai sinh khai sinh khai sinh"
        ),
    )
    index = _index(docs)
    assert _best(index, docs, "khai sinh") == "1.001193"


def test_unaccented_query_finds_accented_document(sample_documents: tuple[IndexDocument, ...]) -> None:
    index = _index(sample_documents)
    assert _best(index, sample_documents, "dang ky tam tru") == "1.004194"
    assert _best(index, sample_documents, "khai bao tam vang") == "1.003677"


def test_accented_query_prefers_exact_spelling() -> None:
    docs = (IndexDocument(code="a", name="Cấp đối thẻ"), IndexDocument(code="b", name="Cấp đổi thẻ"))
    index = _index(docs)
    scores = index.scores(query_terms("đổi thẻ"))
    assert scores[1] > scores[0]
    folded = index.scores(query_terms("doi the"))
    assert np.isclose(folded[0], folded[1])


def test_aliases_count_like_names(sample_documents: tuple[IndexDocument, ...]) -> None:
    index = _index(sample_documents)
    assert _best(index, sample_documents, "lấy vợ") == "1.000894"


def test_unknown_terms_score_zero_and_empty_index_is_safe(
    sample_documents: tuple[IndexDocument, ...],
) -> None:
    index = _index(sample_documents)
    assert not index.scores(query_terms("zzzz qqqq")).any()
    empty = BM25Index.build([])
    assert empty.size == 0 and empty.scores(["khai"]).shape == (0,)


def test_idf_is_higher_for_rarer_terms(sample_documents: tuple[IndexDocument, ...]) -> None:
    index = _index(sample_documents)
    assert index.idf_of("~hai_quan") > index.idf_of("~cap") > 0
    assert index.idf_of("never-seen") == 0.0
