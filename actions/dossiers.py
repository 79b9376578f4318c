"""Dossier status: the form that asks for the code and the verification answer, and the lookup.

The code is checked by the app (`POST /api/dossiers/parse-code`), so "000 00 15 h29 250714 0001" or
full-width digits work and a malformed code gets the app's message with the expected format. The
verification answer (last 4 digits of the applicant's phone or ID number) is used for one call and then
reset: it is never kept in a slot afterwards and never logged, and the tracker store writes it (and any
number typed in its place) masked, so it is used within its own turn only. After the status, the citizen may ask to
be told of changes; that re-asks the verification answer, since it was not kept.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from typing import Any, Protocol

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.handover import channel_of
from actions.services import ServiceError, ServiceRefused, get_services

logger = logging.getLogger(__name__)

DOSSIER_CODE = "dossier_code"
VERIFICATION = "dossier_verification"
PURPOSE = "dossier_purpose"
SUBSCRIBE = "subscribe"
VERIFICATION_DIGITS = 4
# A whole phone number (9–11 digits) or ID number (12 digits) typed instead of its last 4 digits.
WHOLE_NUMBER_LENGTHS = range(9, 13)


class DossierServices(Protocol):
    """The part of the app's API the dossier actions use; tests pass fakes."""

    async def parse_dossier_code(self, text: str) -> str:
        """The normalised code, or `ServiceRefused` with the expected format."""

    async def lookup_dossier(self, code: str, verification: str, sender_id: str) -> str:
        """The status text to show."""

    async def subscribe_dossier(self, code: str, verification: str, sender_id: str, channel: str) -> str:
        """The confirmation text to show."""


def verification_digits(text: str) -> str | None:
    """The 4 digits in an answer such as "4 số cuối là 6789", or the last 4 of a whole number typed."""
    runs = re.findall(r"\d+", unicodedata.normalize("NFKC", text))
    exact = [run for run in runs if len(run) == VERIFICATION_DIGITS]
    if exact:
        return exact[-1]
    whole = [run for run in runs if len(run) in WHOLE_NUMBER_LENGTHS]
    return whole[-1][-VERIFICATION_DIGITS:] if whole else None


def _first_text(value: Any) -> str:
    """A slot filled by two extractors holds a list; the first value is the one typed."""
    if isinstance(value, list):
        value = next((v for v in value if isinstance(v, str) and v.strip()), "")
    return str(value or "").strip()


def _fallback_code(text: str) -> str:
    """The code as typed, compacted, for when the app cannot check it (the lookup will tell)."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).upper()


class _DossierServicesMixin:
    _services: DossierServices | None

    @property
    def services(self) -> DossierServices:
        if self._services is None:
            self._services = get_services()
        return self._services


class ValidateDossierForm(_DossierServicesMixin, FormValidationAction):
    """Checks each answer of `dossier_form`; a rejected answer is asked again."""

    def __init__(self, services: DossierServices | None = None) -> None:
        super().__init__()
        self._services = services

    def name(self) -> str:
        return "validate_dossier_form"

    async def validate_dossier_code(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Normalise the code through the app; a malformed one gets the app's message."""
        typed = _first_text(slot_value)
        if not typed:
            return {DOSSIER_CODE: None}
        try:
            code = await self.services.parse_dossier_code(typed)
        except ServiceRefused as exc:
            logger.info("Malformed dossier code in conversation %s.", tracker.sender_id)
            dispatcher.utter_message(text=exc.message)
            return {DOSSIER_CODE: None}
        except ServiceError as exc:
            logger.warning("Dossier code check failed in conversation %s: %s", tracker.sender_id, exc)
            code = _fallback_code(typed)
        return {DOSSIER_CODE: code}

    async def validate_dossier_verification(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Keep only the 4 digits; anything else is asked again (the value is never logged)."""
        digits = verification_digits(_first_text(slot_value))
        if digits is None:
            dispatcher.utter_message(response="utter_dossier_verification_invalid")
        return {VERIFICATION: digits}


class ActionCheckDossierStatus(_DossierServicesMixin, Action):
    """The form is filled: show the status (or subscribe to changes), then forget the verification."""

    def __init__(self, services: DossierServices | None = None) -> None:
        self._services = services

    def name(self) -> str:
        return "action_check_dossier_status"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        code = _first_text(tracker.get_slot(DOSSIER_CODE))
        verification = _first_text(tracker.get_slot(VERIFICATION))
        subscribe = tracker.get_slot(PURPOSE) == SUBSCRIBE
        events: list[EventType] = [SlotSet(VERIFICATION, None), SlotSet(PURPOSE, None)]
        # Only 4 digits are an answer: a value read back from the tracker store is masked (`***`), and
        # sending it would count as a wrong answer against the citizen's budget.
        if not code or not re.fullmatch(r"\d{4}", verification):
            dispatcher.utter_message(response="utter_ask_dossier_code")
            return events
        try:
            if subscribe:
                text = await self.services.subscribe_dossier(code, verification, tracker.sender_id,
                                                              channel_of(tracker))
                dispatcher.utter_message(text=text)
            else:
                text = await self.services.lookup_dossier(code, verification, tracker.sender_id)
                dispatcher.utter_message(text=text)
                dispatcher.utter_message(response="utter_dossier_offer_subscription")
            logger.info("Dossier %s answered in conversation %s.", "subscription" if subscribe else "status",
                        tracker.sender_id)
        except ServiceRefused as exc:
            logger.info("Dossier %s refused (%s) in conversation %s.", "subscription" if subscribe else "lookup",
                        exc.code or exc.status, tracker.sender_id)
            dispatcher.utter_message(text=exc.message)
            if exc.status == 404 or exc.code == "malformed_code":
                # Unknown code or wrong answer (the app does not say which): ask for both next time.
                events.append(SlotSet(DOSSIER_CODE, None))
        except ServiceError as exc:
            logger.warning("Dossier lookup failed in conversation %s: %s", tracker.sender_id, exc)
            dispatcher.utter_message(response="utter_dossier_unavailable")
        return events
