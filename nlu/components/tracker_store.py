"""Rasa's SQL tracker store without the count query on every save.

Profiling `rasa run` under load showed `SQLTrackerStore.save` at about a fifth of the Rasa process's CPU,
half of it in `_additional_events`: before inserting, every save runs an ORM `count()` over the latest
session (a subquery for the newest `SessionStarted` timestamp) only to learn how many of the tracker's
events are already stored. Rasa handles one conversation at a time under its lock store (in memory for
one process, Redis for several), retrieves the tracker when a message arrives and saves it when the
turn ends, so the store already knows that number: it is what it read, or what it last wrote.

Each tracker this store retrieves or saves carries a private marker: the tracker's identity, how many
of its events are stored, and the last stored event object. A save inserts only the events after that
count when the marker is the tracker's own and the event at that position is still the very same
object. Any tracker it does not recognise takes the stock path, count query and all: a copy
(`DialogueStateTracker.copy()` replays into a new object), a tracker built from events, a freshly
created one (so a conversation's first message still pays the stock count), or one whose history moved.
A tracker of all sessions (`retrieve_full_tracker`) saved back gets only its new events stored; the stock
count covers the latest session only and would store the earlier sessions' events again.

Personal numbers never reach the database: every row is written from a masked copy of its event. The
citizen's texts (and the entity values found in them) get the transcript's rule (`knowledge.admin.masking`:
runs of 4+ digits and grouped numbers of 7+ digits become `***`, dossier codes are kept), so does the other
slot filled from raw text (`dossier_code`: a phone number typed at the code prompt), and a non-empty
`dossier_verification` slot is stored as `***`. The answer to "the last 4 digits of your phone" — or the whole
number typed by mistake — is used within its turn (the lookup runs before the tracker is saved) and never
stored; the tracker in memory keeps the real values for the rest of the turn.

Reads and inserts are SQLAlchemy Core statements (the latest-session query built once per store,
one executemany per save) instead of ORM objects; rows, order and session semantics are the stock ones.
Measured on SQLite, 4-turn conversations: about 7 ms of CPU per retrieve-append-save round with the stock
store, about 4 ms with this one. It relies on Rasa 3.6 internals (`SQLEvent`, `session_scope`,
`_retrieve`), so any other Rasa version gets the stock store unchanged.
"""

from __future__ import annotations

import copy
import itertools
import json
import logging
from typing import Any, NamedTuple

import rasa
import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import Event, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY

from knowledge.admin.masking import MASK, mask_personal_numbers
from nlu.components.rasa_series import PATCHED_RASA_SERIES, is_patched_series

logger = logging.getLogger(__name__)

# The marker lives in the tracker's own __dict__: DialogueStateTracker defines __eq__ (by events), so it
# cannot key a WeakKeyDictionary, and a new tracker object never inherits it.
_MARKER = "_known_events_stored"
# Slots whose value is never stored, whatever it holds (filled `from_text` while the form asks for them).
SECRET_SLOTS = frozenset({"dossier_verification"})
# Slots filled from whatever the citizen typed: stored with personal numbers masked (a real code is kept).
TYPED_SLOTS = frozenset({"dossier_code"})


class _StoredPrefix(NamedTuple):
    """How much of one tracker object's event history is in the database."""

    owner: int  # id() of the tracker it was set on: a copy.copy / deepcopy carries the marker but not the id
    count: int  # the first `count` events are stored (at least one: an empty tracker is never marked)
    last: Event  # tracker.events[count - 1] when it was set


class KnownEventsSQLTrackerStore(SQLTrackerStore):
    """`SQLTrackerStore` that remembers, per tracker object, how many of its events it has stored."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        """Same arguments as the stock store: Rasa passes `host`, `domain`, `event_broker` and the endpoint's keys."""
        super().__init__(*args, **kwargs)
        self.counts_known_events = is_patched_series(rasa.__version__)
        if not self.counts_known_events:
            logger.warning("Rasa %s is not %sx: trackers are saved the stock way.",
                           rasa.__version__, PATCHED_RASA_SERIES)
            return
        self._all_sessions_query, self._latest_session_query = _event_queries(self.SQLEvent.__table__)

    async def _retrieve(
        self, sender_id: str, fetch_events_from_all_sessions: bool
    ) -> DialogueStateTracker | None:
        """The stock query's events and tracker; marked as fully stored when every row became an event."""
        if not self.counts_known_events:
            return await super()._retrieve(sender_id, fetch_events_from_all_sessions)
        query = self._all_sessions_query if fetch_events_from_all_sessions else self._latest_session_query
        with self.session_scope() as session:
            serialised = [json.loads(data) for data in session.execute(query, {"sender_id": sender_id}).scalars()]
        if not serialised:
            logger.debug("No events for sender id '%s' in SQL storage; returning None.", sender_id)
            return None
        tracker = DialogueStateTracker.from_dict(sender_id, serialised, self.domain.slots)
        # An event Rasa cannot deserialise is skipped, and then the positions no longer line up with the rows.
        if len(tracker.events) == len(serialised):
            _remember(tracker)
        return tracker

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Inserts the events after the remembered count; a tracker without a valid marker goes the stock way."""
        stored = _known_stored_count(tracker) if self.counts_known_events else None
        if stored is None:
            await self._save_counting(tracker)
            return
        await self.stream_events(tracker)
        new_events = list(itertools.islice(tracker.events, stored, None))
        if new_events:
            rows = [_event_row(tracker.sender_id, event) for event in new_events]
            with self.session_scope() as session:
                # One executemany: flushing ORM objects cost more than the insert itself.
                session.execute(sa.insert(self.SQLEvent.__table__), rows)
                session.commit()
        _remember(tracker)
        logger.debug("Tracker with sender_id '%s' stored to database (%d new events)",
                     tracker.sender_id, len(new_events))


    async def _save_counting(self, tracker: DialogueStateTracker) -> None:
        """The stock save (count the stored events of the latest session, insert the rest), rows masked."""
        await self.stream_events(tracker)
        with self.session_scope() as session:
            rows = [_event_row(tracker.sender_id, event) for event in self._additional_events(session, tracker)]
            if rows:
                session.execute(sa.insert(self.SQLEvent.__table__), rows)
            session.commit()
        logger.debug("Tracker with sender_id '%s' stored to database", tracker.sender_id)


def _event_queries(events: sa.Table) -> tuple[sa.sql.Select, sa.sql.Select]:
    """Core versions of the stock `_event_query` (all sessions, latest session), built once per store.

    The latest session is every event whose timestamp is at least that of the newest `SessionStarted`,
    or every event when there is none; both are ordered by id, since timestamps can tie.
    """
    sender = sa.bindparam("sender_id")
    all_sessions = sa.select(events.c.data).where(events.c.sender_id == sender).order_by(events.c.id)
    session_start = (
        sa.select(sa.func.max(events.c.timestamp))
        .where(events.c.sender_id == sender, events.c.type_name == SessionStarted.type_name)
        .scalar_subquery()
    )
    latest_session = all_sessions.where(sa.or_(events.c.timestamp >= session_start, session_start.is_(None)))
    return all_sessions, latest_session


def stored_form(event: Event) -> dict[str, Any]:
    """The event as it may be stored: `as_dict()` with personal numbers masked (the event is not changed)."""
    data = event.as_dict()
    if isinstance(event, UserUttered):
        data = copy.deepcopy(data)  # as_dict shares parse_data with the live event
        _mask_user_data(data)
    elif isinstance(event, SlotSet) and event.key in SECRET_SLOTS and data.get("value") not in (None, ""):
        data["value"] = MASK
    elif isinstance(event, SlotSet) and event.key in TYPED_SLOTS and isinstance(data.get("value"), str):
        data["value"] = mask_personal_numbers(data["value"])
    return data


def _mask_user_data(data: dict[str, Any]) -> None:
    if isinstance(data.get("text"), str):
        data["text"] = mask_personal_numbers(data["text"])
    parse_data = data.get("parse_data")
    if not isinstance(parse_data, dict):
        return
    if isinstance(parse_data.get("text"), str):
        parse_data["text"] = mask_personal_numbers(parse_data["text"])
    for entity in parse_data.get("entities") or []:
        if isinstance(entity, dict) and isinstance(entity.get("value"), str):
            entity["value"] = mask_personal_numbers(entity["value"])


def _event_row(sender_id: str, event: Event) -> dict[str, Any]:
    """The row the stock `SQLTrackerStore.save` writes for one event, personal numbers masked."""
    data = stored_form(event)
    return {
        "sender_id": sender_id,
        "type_name": event.type_name,
        "timestamp": data.get("timestamp"),
        "intent_name": data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
        "action_name": data.get("name"),
        "data": json.dumps(data),
    }


def _remember(tracker: DialogueStateTracker) -> None:
    """Marks every event the tracker holds now as stored."""
    count = len(tracker.events)
    if count:
        vars(tracker)[_MARKER] = _StoredPrefix(id(tracker), count, tracker.events[count - 1])


def _known_stored_count(tracker: DialogueStateTracker) -> int | None:
    """How many of the tracker's events are stored, or None when this object's history is not known."""
    marker = vars(tracker).get(_MARKER)
    if not isinstance(marker, _StoredPrefix) or marker.owner != id(tracker):
        return None
    events = tracker.events
    if len(events) < marker.count or events[marker.count - 1] is not marker.last:
        return None
    return marker.count
