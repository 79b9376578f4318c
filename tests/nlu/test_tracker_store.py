"""The known-events SQL tracker store writes exactly the rows Rasa's own store writes, without its count query.

Needs Rasa, so it runs in the Rasa environment:
`.venv-rasa/bin/python -m pytest tests/nlu/test_tracker_store.py --confcutdir=tests/actions`.
"""

from __future__ import annotations

import asyncio
import copy
import itertools
import json
import uuid
import warnings
from collections import deque
from collections.abc import Callable, Coroutine, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import pytest

# Rasa's own imports (TensorFlow, pkg_resources, SQLAlchemy 2.0 notices) warn; not this test's subject. Recorded
# and dropped rather than ignored: those imports install warning filters of their own ahead of an "ignore".
with warnings.catch_warnings(record=True):
    warnings.simplefilter("ignore")
    pytest.importorskip("rasa")
    import sqlalchemy as sa
    from rasa.core.tracker_store import FailSafeTrackerStore, SQLTrackerStore, TrackerStore
    from rasa.core.utils import AvailableEndpoints
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import ActionExecuted, BotUttered, Event, SessionStarted, SlotSet, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    from nlu.components import tracker_store as known_events
    from nlu.components.tracker_store import KnownEventsSQLTrackerStore

ROOT = Path(__file__).resolve().parents[2]
POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/test"
T = TypeVar("T")
# Explicit, increasing timestamps: the latest session is found by timestamp, so ties must not depend on the clock.
_CLOCK = itertools.count(1_700_000_000.0, 0.5)


def run(coroutine: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coroutine)


@contextmanager
def _rasa_warnings_ignored() -> Iterator[None]:
    """Rasa's loaders warn about their own dependencies (pykwalify, SQLAlchemy 2.0 notices)."""
    with warnings.catch_warnings(record=True):
        warnings.simplefilter("ignore")
        yield


@pytest.fixture(scope="module")
def domain() -> Domain:
    with _rasa_warnings_ignored():
        return Domain.load(str(ROOT / "nlu" / "domain"))


def _store(cls: type[SQLTrackerStore], url: str, domain: Domain) -> SQLTrackerStore:
    # As Rasa builds an endpoint's store: the full URL comes in as `host`.
    with _rasa_warnings_ignored():
        return cls(domain=domain, host=url, dialect="sqlite")


@pytest.fixture
def make_store(domain: Domain) -> Iterator[Callable[..., SQLTrackerStore]]:
    stores: list[SQLTrackerStore] = []

    def make(url: str, cls: type[SQLTrackerStore] = KnownEventsSQLTrackerStore) -> SQLTrackerStore:
        stores.append(_store(cls, url, domain))
        return stores[-1]

    yield make
    for store in stores:
        store.engine.dispose()


def _statements(store: SQLTrackerStore) -> list[str]:
    """Every SQL statement the store's engine sends from now on, lower-cased."""
    seen: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool) -> None:
        seen.append(statement.lower())

    sa.event.listen(store.engine, "before_cursor_execute", record)
    return seen


def _counts(statements: list[str]) -> int:
    return sum("count(" in statement for statement in statements)


def _rows(store: SQLTrackerStore, sender_id: str) -> list[tuple[Any, ...]]:
    """The stored rows of one conversation in id order, without the id."""
    table = store.SQLEvent.__table__
    query = (sa.select(table.c.type_name, table.c.timestamp, table.c.intent_name, table.c.action_name, table.c.data)
             .where(table.c.sender_id == sender_id).order_by(table.c.id))
    with store.engine.connect() as connection:
        return [tuple(row) for row in connection.execute(query)]


def _stored_events(store: SQLTrackerStore, sender_id: str) -> list[str]:
    return [data for *_, data in _rows(store, sender_id)]


def _serialised(events: Any) -> list[str]:
    """The `data` column the stock store writes for these events."""
    return [json.dumps(event.as_dict()) for event in events]


def _turn(n: int, intent: str = "ask_fee") -> list[Event]:
    text = f"lệ phí bao nhiêu lần {n}"
    parse_data = {"text": text, "intent": {"name": intent, "confidence": 0.93},
                  "entities": [], "intent_ranking": [{"name": intent, "confidence": 0.93}]}
    return [
        UserUttered(text, intent={"name": intent, "confidence": 0.93}, parse_data=parse_data, timestamp=next(_CLOCK)),
        ActionExecuted("action_search_procedure", timestamp=next(_CLOCK)),
        SlotSet("answer_status", "answered", timestamp=next(_CLOCK)),
        SlotSet("active_procedure", f"1.00{n}", timestamp=next(_CLOCK)),
        BotUttered(f"Lệ phí thủ tục {n}: miễn phí", timestamp=next(_CLOCK)),
        ActionExecuted("action_listen", timestamp=next(_CLOCK)),
    ]


def _session_start() -> list[Event]:
    return [ActionExecuted("action_session_start", timestamp=next(_CLOCK)), SessionStarted(timestamp=next(_CLOCK)),
            ActionExecuted("action_listen", timestamp=next(_CLOCK))]


def _append(tracker: DialogueStateTracker, events: list[Event], history: list[Event]) -> None:
    """Adds events as Rasa does, and to `history`: everything the conversation produced, in order."""
    for event in events:
        tracker.update(event)
    history.extend(events)


async def _start_conversation(
    store: TrackerStore, sender_id: str, history: list[Event], events: list[Event] | None = None
) -> None:
    """What Rasa's processor does for a new conversation: create (and save) an empty tracker, start a session."""
    tracker = await store.get_or_create_tracker(sender_id, append_action_listen=False)
    assert not tracker.events
    _append(tracker, _session_start() if events is None else events, history)
    await store.save(tracker)


async def _round(
    store: TrackerStore, sender_id: str, events: list[Event], history: list[Event]
) -> DialogueStateTracker:
    """One message: retrieve, add the turn's events, save."""
    tracker = await store.retrieve(sender_id)
    assert tracker is not None
    _append(tracker, events, history)
    await store.save(tracker)
    return tracker


def test_both_endpoint_files_build_this_store(domain: Domain, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RASA_TRACKER_STORE_URL", f"sqlite:///{tmp_path / 'trackers.db'}")
    monkeypatch.setenv("RASA_ACTION_ENDPOINT_URL", "http://127.0.0.1:9/webhook")
    monkeypatch.setenv("RASA_LOCK_STORE_HOST", "127.0.0.1")
    for name in ("endpoints.yml", "endpoints-replicated.yml"):
        with _rasa_warnings_ignored():
            endpoints = AvailableEndpoints.read_endpoints(str(ROOT / "nlu" / name))
            store = TrackerStore.create(endpoints.tracker_store, domain=domain)
        assert type(store) is KnownEventsSQLTrackerStore, name  # not wrapped: its methods are async
        assert str(store.engine.url) == f"sqlite:///{tmp_path / 'trackers.db'}"
        assert store.domain is domain
        store.engine.dispose()


def test_rounds_store_the_same_rows_as_rasa_and_no_count_query(
    make_store: Callable[..., SQLTrackerStore], tmp_path: Path
) -> None:
    # Both stores wrapped as Rasa's agent wraps its store, and fed the very same event objects.
    ours = make_store(f"sqlite:///{tmp_path / 'ours.db'}")
    stock = make_store(f"sqlite:///{tmp_path / 'stock.db'}", SQLTrackerStore)
    ours_statements, stock_statements = _statements(ours), _statements(stock)
    history: list[Event] = []

    async def conversation() -> DialogueStateTracker:
        wrapped_ours, wrapped_stock = FailSafeTrackerStore(ours), FailSafeTrackerStore(stock)
        start = _session_start()
        await _start_conversation(wrapped_ours, "citizen", history, start)
        await _start_conversation(wrapped_stock, "citizen", [], start)
        ours_statements.clear()
        stock_statements.clear()
        for n in range(5):
            events = _turn(n)
            await _round(wrapped_stock, "citizen", events, [])
            tracker = await _round(wrapped_ours, "citizen", events, history)
            assert _stored_events(ours, "citizen") == _serialised(history)
        return tracker

    last = run(conversation())
    assert len(history) == 3 + 5 * 6
    assert _rows(ours, "citizen") == _rows(stock, "citizen")
    assert any(statement.startswith("insert") for statement in ours_statements)
    assert _counts(ours_statements) == 0
    assert _counts(stock_statements) == 5  # the stock store's count on every save, which this store skips

    fresh = make_store(f"sqlite:///{tmp_path / 'ours.db'}")
    again = run(fresh.retrieve("citizen"))
    assert again is not None and again == last
    assert list(again.events) == history[1:]  # the session starts at SessionStarted, after action_session_start
    assert again.current_state() == last.current_state()
    assert again.get_slot("active_procedure") == "1.004"


def test_saving_the_same_tracker_again_adds_only_what_came_in_between(
    make_store: Callable[..., SQLTrackerStore], tmp_path: Path
) -> None:
    store = make_store(f"sqlite:///{tmp_path / 'trackers.db'}")
    statements = _statements(store)
    history: list[Event] = []

    async def conversation() -> None:
        await _start_conversation(store, "citizen", history)
        tracker = await store.retrieve("citizen")
        assert tracker is not None
        statements.clear()
        for n in range(3):
            _append(tracker, _turn(n), history)
            await store.save(tracker)
        await store.save(tracker)  # nothing new

    run(conversation())
    assert _stored_events(store, "citizen") == _serialised(history)
    assert _counts(statements) == 0


@pytest.mark.parametrize("foreign", ["from_events", "copy", "deepcopy", "shallow copy", "history replaced"])
def test_a_tracker_this_store_did_not_see_takes_the_stock_path(
    foreign: str, make_store: Callable[..., SQLTrackerStore], tmp_path: Path, domain: Domain
) -> None:
    store = make_store(f"sqlite:///{tmp_path / 'trackers.db'}")
    statements = _statements(store)
    history: list[Event] = []

    async def conversation() -> None:
        await _start_conversation(store, "citizen", history)
        for n in range(2):
            await _round(store, "citizen", _turn(n), history)
        tracker = await store.retrieve("citizen")
        assert tracker is not None
        if foreign == "from_events":
            # The same event objects, the last stored one included, in a tracker this store never returned.
            other = DialogueStateTracker.from_events("citizen", list(tracker.events), domain.slots)
        elif foreign == "copy":
            other = tracker.copy()
        elif foreign == "deepcopy":
            other = copy.deepcopy(tracker)  # the marker is copied along, and so is its event
        elif foreign == "shallow copy":
            other = copy.copy(tracker)  # the marker and even the event deque are shared
        else:
            # The store's own tracker, but its history is equal new objects: the remembered event is gone.
            other = tracker
            other.events = deque(Event.from_parameters(event.as_dict()) for event in tracker.events)
        _append(other, _turn(7, "ask_time"), history)
        statements.clear()
        await store.save(other)

    run(conversation())
    assert _counts(statements) == 1  # the stock path ran
    assert _stored_events(store, "citizen") == _serialised(history)
    assert len(history) == 3 + 3 * 6


def test_a_new_session_round_trips_like_the_stock_store(
    make_store: Callable[..., SQLTrackerStore], tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'trackers.db'}"
    store = make_store(url)
    stock = make_store(url, SQLTrackerStore)
    statements = _statements(store)
    history: list[Event] = []
    new_session: list[Event] = []

    async def conversation() -> DialogueStateTracker:
        await _start_conversation(store, "citizen", history)
        await _round(store, "citizen", _turn(1), history)
        statements.clear()
        new_session.extend(_session_start() + _turn(2, "ask_documents"))  # the session expired before this message
        await _round(store, "citizen", new_session, history)
        return await _round(store, "citizen", _turn(3), history)  # retrieves only the new session

    tracker = run(conversation())
    assert _counts(statements) == 0
    assert list(tracker.events) == new_session[1:] + history[-6:]
    assert tracker.get_slot("active_procedure") == "1.003"
    assert run(store.retrieve("citizen")) == run(stock.retrieve("citizen")) == tracker
    full = run(store.retrieve_full_tracker("citizen"))
    assert full == run(stock.retrieve_full_tracker("citizen"))
    assert full is not None and list(full.events) == history
    assert _stored_events(store, "citizen") == _serialised(history)
    assert run(store.retrieve("nobody")) is None


def test_a_full_tracker_saved_back_adds_only_its_new_events(
    make_store: Callable[..., SQLTrackerStore], tmp_path: Path
) -> None:
    # Rasa's `POST /conversations/<id>/tracker/events` saves the tracker of all sessions. The stock count covers
    # the latest session only, so the stock store would store the earlier sessions' events a second time.
    store = make_store(f"sqlite:///{tmp_path / 'trackers.db'}")
    statements = _statements(store)
    history: list[Event] = []

    async def conversation() -> None:
        await _start_conversation(store, "citizen", history)
        await _round(store, "citizen", _turn(1), history)
        await _round(store, "citizen", _session_start() + _turn(2), history)
        full = await store.retrieve_full_tracker("citizen")
        assert full is not None and list(full.events) == history
        statements.clear()
        _append(full, [SlotSet("feedback_comment", "rất nhanh", timestamp=next(_CLOCK))], history)
        await store.save(full)

    run(conversation())
    assert _counts(statements) == 0
    assert _stored_events(store, "citizen") == _serialised(history)


def test_other_rasa_versions_use_the_stock_store(
    make_store: Callable[..., SQLTrackerStore], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(known_events.rasa, "__version__", "3.7.0")
    store = make_store(f"sqlite:///{tmp_path / 'trackers.db'}")
    assert not store.counts_known_events
    statements = _statements(store)
    history: list[Event] = []

    async def conversation() -> None:
        await _start_conversation(store, "citizen", history)
        await _round(store, "citizen", _turn(1), history)

    run(conversation())
    assert _counts(statements) == 3  # create, session start, turn: the stock count every time
    assert _stored_events(store, "citizen") == _serialised(history)


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh schema in the test database, dropped afterwards; skips when PostgreSQL is not reachable."""
    admin = sa.create_engine(POSTGRES_URL, connect_args={"connect_timeout": 3})
    schema = f"t_{uuid.uuid4().hex[:12]}"
    try:
        with admin.begin() as connection:
            connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    except sa.exc.OperationalError as exc:
        admin.dispose()
        # The stock store retries a refused connection forever, so an unreachable server must be caught here.
        pytest.skip(f"PostgreSQL not reachable at {POSTGRES_URL} ({type(exc).__name__})")
    try:
        yield f"{POSTGRES_URL}?options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as connection:
            connection.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def test_postgresql_round_trip(make_store: Callable[..., SQLTrackerStore], postgres_url: str) -> None:
    store = make_store(postgres_url)
    sender = f"citizen-{uuid.uuid4().hex[:10]}"
    statements = _statements(store)
    history: list[Event] = []

    async def conversation() -> DialogueStateTracker:
        await _start_conversation(FailSafeTrackerStore(store), sender, history)
        statements.clear()
        await _round(store, sender, _turn(0), history)
        await _round(store, sender, _turn(1), history)
        return await _round(store, sender, _session_start() + _turn(2), history)

    tracker = run(conversation())
    assert _counts(statements) == 0
    assert _stored_events(store, sender) == _serialised(history)
    fresh = make_store(postgres_url)
    again = run(fresh.retrieve(sender))
    assert again is not None and list(again.events) == history[-8:]  # from the second SessionStarted
    assert again == run(make_store(postgres_url, SQLTrackerStore).retrieve(sender))
    assert list(tracker.events) == history[1:]


def _verification_turn(answer: str, digits: str | None) -> list[Event]:
    """The citizen answers the form's verification question; the lookup runs and the slot is reset."""
    parse_data = {"text": answer, "intent": {"name": "inform", "confidence": 0.9},
                  "entities": [{"entity": "number", "value": answer, "start": 0, "end": len(answer)}],
                  "intent_ranking": [{"name": "inform", "confidence": 0.9}]}
    return [
        UserUttered(answer, intent={"name": "inform", "confidence": 0.9}, parse_data=parse_data,
                    timestamp=next(_CLOCK)),
        SlotSet("dossier_verification", answer, timestamp=next(_CLOCK)),  # from_text, as typed
        ActionExecuted("validate_dossier_form", timestamp=next(_CLOCK)),
        SlotSet("dossier_verification", digits, timestamp=next(_CLOCK)),
        ActionExecuted("action_check_dossier_status", timestamp=next(_CLOCK)),
        BotUttered("Hồ sơ 000.31.12.H62-261102-0001 đang được giải quyết.", timestamp=next(_CLOCK)),
        SlotSet("dossier_verification", None, timestamp=next(_CLOCK)),
        SlotSet("dossier_code", "000.31.12.H62-261102-0001", timestamp=next(_CLOCK)),
        ActionExecuted("action_listen", timestamp=next(_CLOCK)),
    ]


@pytest.mark.parametrize("path", ["known events", "stock count"])
def test_verification_answers_and_whole_phone_numbers_are_never_stored(
    path: str, make_store: Callable[..., SQLTrackerStore], tmp_path: Path, domain: Domain
) -> None:
    store = make_store(f"sqlite:///{tmp_path / 'trackers.db'}")
    history: list[Event] = []
    answers = [("0912 345 678", "5678"), ("4 số cuối là 6789", "6789"), ("079123456789", "6789")]
    # A phone number typed where the dossier code was asked: from_text fills the code slot with it first.
    mistaken_code = [SlotSet("dossier_code", "0987 654 321", timestamp=next(_CLOCK)),
                     SlotSet("dossier_code", None, timestamp=next(_CLOCK))]

    async def conversation() -> DialogueStateTracker:
        await _start_conversation(store, "citizen", history)
        await _round(store, "citizen", mistaken_code, history)
        tracker = None
        for answer, digits in answers:
            if path == "known events":
                tracker = await _round(store, "citizen", _verification_turn(answer, digits), history)
            else:  # a tracker rebuilt from events: the store counts what it holds, the stock way
                retrieved = await store.retrieve("citizen")
                assert retrieved is not None
                tracker = DialogueStateTracker.from_events("citizen", list(retrieved.events), domain.slots)
                _append(tracker, _verification_turn(answer, digits), history)
                await store.save(tracker)
        assert tracker is not None
        return tracker

    last = run(conversation())
    stored = "\n".join(_stored_events(store, "citizen"))
    for raw in ("0912", "345 678", "5678", "6789", "079123456789", "0987", "654 321"):
        assert raw not in stored, raw
    assert "000.31.12.H62-261102-0001" in stored  # a dossier code opens nothing alone: kept
    assert '"4 s\\u1ed1 cu\\u1ed1i l\\u00e0 ***"' in stored
    assert len(_rows(store, "citizen")) == len(history)  # nothing lost or doubled by the masking
    # The live tracker kept the real values for the rest of its turn; the stored one holds no answer.
    assert any(isinstance(e, SlotSet) and e.value == "6789" for e in last.events)
    again = run(make_store(f"sqlite:///{tmp_path / 'trackers.db'}").retrieve("citizen"))
    assert again is not None and again.get_slot("dossier_verification") is None
    assert again.get_slot("dossier_code") == "000.31.12.H62-261102-0001"
    assert again.latest_message is not None and again.latest_message.text == "***"
