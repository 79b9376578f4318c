"""Bring Vietnamese text to Unicode NFC before any tokenizer or featurizer sees it.

Phone keyboards and copy-pasted portal text mix composed ("ệ") and decomposed ("e" + two combining
marks) forms. Featurizers compare code points, so the same word in two forms would share no
features; one normal form on both the training and the prediction side avoids that.
"""

# Rasa compares these annotations with those of its own components: keep typing.List / typing.Dict.
# ruff: noqa: UP006, UP019, UP035
from __future__ import annotations

import logging
import unicodedata
from typing import Any, Dict, List, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

logger = logging.getLogger(__name__)


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER], is_trainable=False)
class UnicodeNormalizer(GraphComponent):
    """Rewrites the message text to NFC; must come first in the pipeline."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        """The Unicode normal form to apply."""
        return {"form": "NFC"}

    def __init__(self, config: Dict[Text, Any]) -> None:
        self._form = config.get("form", "NFC")

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> UnicodeNormalizer:
        """Builds the component from its pipeline configuration."""
        return cls(config)

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Normalises training examples so they meet normalised user messages."""
        for example in training_data.training_examples:
            self._normalise(example)
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        """Normalises incoming messages."""
        for message in messages:
            self._normalise(message)
        return messages

    def _normalise(self, message: Message) -> None:
        text = message.get(TEXT)
        if not isinstance(text, str):
            return
        normalised = unicodedata.normalize(self._form, text)
        if normalised != text:
            if len(normalised) != len(text) and message.get("entities"):
                logger.debug("Text changed length under %s; entity offsets follow the new text.", self._form)
            message.set(TEXT, normalised)
