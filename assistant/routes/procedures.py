"""`/api/procedures`: search, one procedure, and its citizen-facing answer per topic."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, HTTPException, Path, Query
from pydantic import BaseModel, Field

from assistant import metrics
from assistant.action_auth import ACTIONS_ONLY, ACTIONS_ONLY_RESPONSES
from assistant.deps import SearchDep, SessionDep, SettingsDep
from assistant.errors import IndexNotReady
from assistant.routes.budgets import search_budget
from assistant.search_turn import Outcome, Route, Thresholds, run_search_turn
from knowledge import crud
from knowledge.answers import AnswerMessage, render_answer, split_answer_code
from knowledge.errors import ProcedureNotFound
from knowledge.schemas import ProcedurePublic

router = APIRouter(prefix="/api/procedures", tags=["procedures"])

CodePath = Annotated[str, Path(min_length=1, max_length=32, pattern=r"^[0-9A-Za-z.\-_]+$")]
Topic = Literal["overview", "documents", "fee", "time", "where", "online", "legal"]


class HitOut(BaseModel):
    code: str
    name: str
    levels: list[str]
    field: str
    score: float
    confidence: float


class SearchOut(BaseModel):
    query: str
    backend: str
    confidence: float
    took_ms: float
    hits: list[HitOut]


class AnswerOut(BaseModel):
    code: str
    name: str
    topic: Topic
    messages: list[AnswerMessage]


@router.get("/search", response_model=SearchOut, dependencies=[Depends(search_budget)],
            responses={429: {"description": "Too many searches from this address, or from everyone."}})
def search_procedures(
    search: SearchDep,
    settings: SettingsDep,
    q: Annotated[str, Query(description="The citizen's question, with or without diacritics.")] = "",
    k: Annotated[int | None, Query(ge=1, description="How many procedures to return.")] = None,
    backend: Annotated[Literal["hybrid", "bm25", "dense"], Query()] = "hybrid",
) -> SearchOut:
    query = q.strip()
    if not query:
        raise HTTPException(422, "The query `q` is empty; send the citizen's question as text.")
    if len(query) > settings.search_max_query_chars:
        raise HTTPException(
            422, f"The query `q` has {len(query)} characters; at most {settings.search_max_query_chars}."
        )
    limit = k or settings.search_default_k
    if limit > settings.search_max_k:
        raise HTTPException(422, f"`k` is {limit}; at most {settings.search_max_k} procedures are returned.")
    try:
        result = search.search(query, k=limit, backend=backend)
    except IndexNotReady as exc:
        raise HTTPException(503, str(exc)) from exc
    if result.hits:
        metrics.SEARCH_CONFIDENCE.observe(result.confidence)
    return SearchOut(
        query=result.query, backend=result.backend, confidence=result.confidence, took_ms=result.took_ms,
        hits=[HitOut(code=h.code, name=h.name, levels=list(h.levels), field=h.field, score=h.score,
                     confidence=h.confidence) for h in result.hits],
    )


class SearchTurnIn(BaseModel):
    """A free question of one conversation; the thresholds are the dialogue's (`actions.common`)."""

    text: Annotated[str, Field(min_length=1, description="The citizen's words, as logged for the staff.")]
    query: Annotated[str, Field(min_length=1, description="What to search: the words plus formal terms.")]
    conversation_id: Annotated[str, Field(min_length=1, max_length=160)]
    channel: Literal["web", "api", "telegram", "zalo"] = "api"
    topics: Annotated[list[Topic], Field(min_length=1, max_length=4)] = ["overview", "documents"]
    k: Annotated[int, Field(ge=1, le=10)] = 3
    confident: Annotated[float, Field(ge=0.0, le=1.0)]
    choices_min: Annotated[float, Field(ge=0.0, le=1.0)]
    ambiguity_margin: Annotated[float, Field(ge=0.0, le=1.0)]
    route: Route = Field("procedure", description=(
        "\"gate\" when the intent classifier did not take the message for a procedure question: "
        "it reaches a procedure only on the evidence of its words, otherwise the outcome is off_topic."))


class SearchTurnOut(BaseModel):
    query: str
    confidence: float
    outcome: Outcome
    hits: list[HitOut]
    answers: list[AnswerOut]


@router.post("/search-turn", response_model=SearchTurnOut, dependencies=ACTIONS_ONLY,
             responses=ACTIONS_ONLY_RESPONSES)
def search_turn(body: SearchTurnIn, search: SearchDep, settings: SettingsDep, session: SessionDep) -> SearchTurnOut:
    """Search, judge, render and log a free question in one call (the action server's search turn)."""
    query = body.query.strip()
    if len(query) > settings.search_max_query_chars or len(body.text) > settings.search_max_query_chars:
        raise HTTPException(
            422, f"The question has more than {settings.search_max_query_chars} characters; send a shorter one."
        )
    thresholds = Thresholds(body.confident, body.choices_min, body.ambiguity_margin)
    try:
        turn = run_search_turn(search, session, text=body.text.strip() or query, query=query,
                               conversation_id=body.conversation_id, channel=body.channel,
                               topics=list(body.topics), k=body.k, thresholds=thresholds, route=body.route)
    except IndexNotReady as exc:
        raise HTTPException(503, str(exc)) from exc
    if turn.hits:
        metrics.SEARCH_CONFIDENCE.observe(turn.result.confidence)
    return SearchTurnOut(
        query=turn.result.query, confidence=turn.result.confidence, outcome=turn.outcome,
        hits=[HitOut(code=h.code, name=h.name, levels=list(h.levels), field=h.field, score=h.score,
                     confidence=h.confidence) for h in turn.hits],
        answers=[AnswerOut(code=a.code, name=a.name, topic=a.topic, messages=a.messages)  # type: ignore[arg-type]
                 for a in turn.answers],
    )


@router.get("/{code}", response_model=ProcedurePublic)
def get_procedure(code: CodePath, session: SessionDep) -> ProcedurePublic:
    try:
        return crud.to_public(crud.get_procedure(session, code=code))
    except ProcedureNotFound as exc:
        raise HTTPException(404, f"No procedure has the code {code!r}.") from exc


@router.get("/{code}/answer", response_model=AnswerOut)
def get_answer(code: CodePath, session: SessionDep, topic: Topic = "overview") -> AnswerOut:
    # "1.001193-special" (from a "Trường hợp đặc biệt" button) is a part of the documents answer; the reply
    # names the plain code, so the conversation's active procedure stays that procedure.
    plain_code, part = split_answer_code(code)
    try:
        procedure = crud.to_public(crud.get_procedure(session, code=plain_code))
    except ProcedureNotFound as exc:
        raise HTTPException(404, f"No procedure has the code {code!r}.") from exc
    return AnswerOut(code=procedure.code, name=procedure.name, topic=topic,
                     messages=render_answer(procedure, part if part and topic == "documents" else topic))
