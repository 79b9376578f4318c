"""One search turn in one call: search, judge the best hit, render its answer, log the question.

The action server used to call the app three times for a free question (search, then the overview and
documents answers); each call cost an HTTP round trip, a request through the framework and a database
read. Here the same work is done once, in-process. The action server still owns the thresholds that
turn a confidence into "answer / ask back / nothing found" and sends them with the request; every path
that searches (a free question, a topic question naming a procedure, the gate of the other intents)
comes here, so none can judge differently. The words' own evidence (`index.evidence`) corrects the
confidence: small talk is off topic, a collision is asked back, unrelated candidates are not offered.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from typing import Literal

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from assistant.search_service import SearchService
from index.documents import SearchHit, SearchResult
from index.evidence import Evidence, gather
from index.levels import variant_key
from index.siblings import chosen_over, said_syllables
from knowledge import crud
from knowledge.admin.questions import record_question
from knowledge.answers import AnswerMessage, render_answer
from knowledge.errors import ProcedureNotFound

logger = logging.getLogger(__name__)

# The judgement of a turn. "unsure": the words are administrative but no candidate's name holds enough of
# them to be sure it is there; the candidates are offered beside "not in my knowledge yet" rather than
# thrown away. The question log records "off_topic" as "out_of_scope" and "unsure" as "low_confidence",
# so an unsure turn reaches the staff inbox like a question nothing was found for.
Outcome = Literal["answered", "ambiguous", "unsure", "low_confidence", "off_topic"]
# "procedure": the intent classifier took the message for a procedure question. "gate": it did not
# (out of scope, not understood, a remark), and only the words themselves can bring it to a procedure.
Route = Literal["procedure", "gate"]
_LOGGED_OUTCOME = {"off_topic": "out_of_scope", "unsure": "low_confidence"}

# Without administrative words, a message reaches a procedure only when it is mostly that procedure's
# name ("khai thác nước dưới đất cho trang trại"); a gated message needs the same.
NAME_ALONE = 0.75
# On the procedure route, a message with no administrative word whose words are mostly not in the best
# hit's name is small talk the classifier misread ("giá vàng hôm nay" → the gold-trading licence).
OFF_TOPIC_BELOW = 0.5
# A confident answer whose name holds fewer of the message's words than this is a collision of
# abbreviations or aliases, or a near sibling, not an answer: the citizen chooses among the candidates.
# A message that says the whole name, and no rival's, is answered however much else it says.
ANSWER_NAME_MIN = 0.5
# Choices are offered plainly only when at least one candidate's name holds this share of the words; below
# it the candidates may well be unrelated procedures. A procedure question in administrative words then gets
# "unsure": the candidates offered with "not in my knowledge yet" (for a question describing a situation
# the right procedure is among them about half the time); anything else gets "not in my knowledge yet".
CHOICE_NAME_MIN = 0.4
# Hits searched beyond the `k` asked for, so that dropping other levels of one procedure leaves `k` choices.
VARIANT_SLACK = 4


@dataclass(frozen=True)
class Thresholds:
    """How the dialogue reads the calibrated confidence (see `actions.common`)."""

    confident: float
    choices_min: float
    ambiguity_margin: float

    def judge(self, result: SearchResult) -> Outcome:
        """Answer the best hit, ask back among the top hits, or admit nothing fits.

        The hits hold one level of each procedure (`distinct_procedures`), so the runner-up is a rival, not
        the same procedure at another level. Nor is a sibling name whose extra act the question does not say
        ("Xóa đăng ký tạm trú" beside "Đăng ký tạm trú" for "đăng ký tạm trú mất phí không", see
        `index.siblings`): the retrievers score such names alike whichever is meant.
        """
        if not result.hits or result.confidence < self.choices_min:
            return "low_confidence"
        if result.confidence < self.confident:
            return "ambiguous"
        best, said = result.hits[0].name, said_syllables(result.query)
        runner_up = next((hit.confidence for hit in result.hits[1:] if not chosen_over(best, hit.name, said)), 0.0)
        if result.confidence - runner_up < self.ambiguity_margin:
            return "ambiguous"
        return "answered"


def judge_turn(result: SearchResult, evidence: Evidence, thresholds: Thresholds, route: Route) -> Outcome:
    """The confidence's judgement, corrected by what the words say (see `index.evidence`)."""
    name_alone = evidence.name_coverage >= NAME_ALONE and evidence.content_syllables >= 2
    if not (evidence.administrative or name_alone):
        if route == "gate" or evidence.name_coverage < OFF_TOPIC_BELOW:
            return "off_topic"
    outcome = thresholds.judge(result)
    if outcome == "answered" and evidence.name_coverage < ANSWER_NAME_MIN and not evidence.best_named:
        outcome = "ambiguous"
    if outcome == "ambiguous" and evidence.best_choice_coverage < CHOICE_NAME_MIN and not evidence.any_named:
        # A gated message needs the words' full evidence: the classifier did not take it for a question.
        return "unsure" if route == "procedure" and evidence.administrative else "low_confidence"
    return outcome


def distinct_procedures(result: SearchResult, k: int) -> SearchResult:
    """The best `k` hits with one level of each procedure: "(cấp xã)", "(cấp tỉnh)" of one name are one
    choice to a citizen and no rival to each other, and the search already put the level they meant first."""
    seen: set[str] = set()
    hits: list[SearchHit] = []
    for hit in result.hits:
        key = variant_key(hit.name)
        if key not in seen:
            seen.add(key)
            hits.append(hit)
    return replace(result, hits=hits[:k])


@dataclass(frozen=True)
class RenderedTopic:
    code: str
    name: str
    topic: str
    messages: list[AnswerMessage]


@dataclass(frozen=True)
class SearchTurn:
    result: SearchResult
    outcome: Outcome
    answers: list[RenderedTopic] = field(default_factory=list)

    @property
    def hits(self) -> list[SearchHit]:
        return self.result.hits


def run_search_turn(
    search: SearchService, session: Session, *, text: str, query: str, conversation_id: str, channel: str,
    topics: list[str], k: int, thresholds: Thresholds, route: Route = "procedure",
) -> SearchTurn:
    """Search `query`, render `topics` of a confidently found procedure, and log the citizen's `text`.

    The log is best effort: a database that cannot take the row must not cost the citizen the answer.
    """
    result = distinct_procedures(search.search(query, k=k + VARIANT_SLACK), k)
    outcome = judge_turn(result, _evidence(search, query, result), thresholds, route)
    answers: list[RenderedTopic] = []
    if outcome == "answered":
        best = result.hits[0].code
        try:
            procedure = crud.to_public(crud.get_procedure(session, code=best))
            answers = [RenderedTopic(procedure.code, procedure.name, topic, render_answer(procedure, topic))
                       for topic in topics]
        except ProcedureNotFound:
            # Indexed but deleted since: treat like nothing found rather than answer a stale procedure.
            logger.warning("search turn: %s is indexed but not in the knowledge base (conversation %s)",
                           best, conversation_id)
            outcome = "low_confidence"
    try:
        record_question(session, conversation_id=conversation_id, channel=channel, text=text,
                        outcome=_LOGGED_OUTCOME.get(outcome, outcome),
                        confidence=round(result.confidence, 4) if result.hits else None,
                        procedure_code=result.hits[0].code if outcome == "answered" else None)
        session.commit()
    except SQLAlchemyError:
        session.rollback()
        logger.exception("search turn: logging the question failed (channel %s, conversation %s)",
                         channel, conversation_id)
    return SearchTurn(result=result, outcome=outcome, answers=answers)


def _evidence(search: SearchService, query: str, result: SearchResult) -> Evidence:
    """The words' evidence against each candidate's name and aliases (no hit: nothing to cover)."""
    documents = [search.searcher.get(hit.code) for hit in result.hits]
    return gather(query, [[d.name, *d.aliases] if d else [] for d in documents])
